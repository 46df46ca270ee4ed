"""A page that renders the explorer's canvas widget (``canvas/*.js``) without Jupyter.

The page holds a minimal anywidget model in JavaScript (``get``, ``set``, ``on("change:x")``,
``off``, ``save_changes`` (counted), ``send``), fills it with a widget's state exactly as it
travels to the browser (``_remove_buffers``: the binary traits become DataViews at their
paths), imports the widget's ES module (``esm_source()``, the widget's ``_esm``: the files of
``course_utils/explorer/canvas/`` joined) from a Blob URL (a data: URL where the Blob is
refused) and calls ``render({model, el})``. ``window.harness`` lets a test play Python's part:

* ``harness.py_set(state, buffer_paths, buffers_b64)`` sets traits as the kernel would (change
  events fire, ``save_changes`` is not called);
* ``harness.saves`` counts ``save_changes`` calls and ``harness.sent`` records what each sent
  (the traits set by the browser since the last one);
* ``harness.errors`` collects uncaught errors and rejections.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from course_utils.explorer.canvas import esm_source

#: the traits of ExplorerCanvas that are not data for the browser's drawing
_SKIP = ("_esm", "_css", "_anywidget_id", "_dom_classes", "layout", "tabbable", "tooltip")


def _as_sent(state: dict) -> tuple[dict, list, list[str]]:
    """``(state, buffer_paths, buffers as base64)``: the binary traits taken out, as the
    kernel sends them."""
    from ipywidgets.widgets.widget import _remove_buffers

    state, paths, buffers = _remove_buffers(state)
    return state, paths, [base64.b64encode(bytes(b)).decode("ascii") for b in buffers]


def widget_state(widget: Any) -> tuple[dict, list, list[str]]:
    """``(state, buffer_paths, buffers as base64)`` of an anywidget, as sent to the browser."""
    return _as_sent({k: v for k, v in widget.get_state().items() if k not in _SKIP})


def trait_update(widget: Any, *names: str) -> tuple[dict, list, list[str]]:
    """Like :func:`widget_state`, for the traits ``names`` only (a kernel update)."""
    return _as_sent(widget.get_state(list(names)))


_PAGE = r"""<!doctype html>
<html><head><meta charset="utf-8"><title>canvas explorer harness</title>
<style>body { margin: 8px; font-family: sans-serif; } #host { width: __WIDTH__px; }</style>
</head><body>
<div id="host"></div>
<script type="module">
const DATA = __DATA__;
const SOURCE = __SOURCE__;
const harness = { saves: 0, sent: [], errors: [], ready: false, dirty: {} };
window.harness = harness;
window.addEventListener("error", (e) => harness.errors.push(String(e.message || e)));
window.addEventListener("unhandledrejection", (e) => harness.errors.push(String(e.reason)));
if (DATA.offline) globalThis.__COURSE_OFFLINE__ = true;

function decode(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new DataView(bytes.buffer);
}

// ipywidgets' put_buffers: the buffers back into the state, as DataViews
function putBuffers(state, paths, buffers) {
  paths.forEach((path, i) => {
    let obj = state;
    for (let j = 0; j < path.length - 1; j++) obj = obj[path[j]];
    obj[path[path.length - 1]] = decode(buffers[i]);
  });
  return state;
}

function same(a, b) {  // Backbone fires a change unless the values are deeply equal
  if (a === b) return true;
  if (a instanceof DataView || b instanceof DataView) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => same(v, b[i]));
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => same(a[k], b[k]));
  }
  return false;
}

class Model {
  constructor(state) { this.state = state; this.handlers = new Map(); }
  get(name) { return this.state[name]; }
  set(name, value) { this._set(name, value); harness.dirty[name] = value; }
  _set(name, value) {
    const old = this.state[name];
    this.state[name] = value;
    if (!same(old, value)) this.fire(`change:${name}`);
  }
  fire(event) { for (const cb of [...(this.handlers.get(event) || [])]) cb(this); }
  on(event, cb) {
    if (!this.handlers.has(event)) this.handlers.set(event, []);
    this.handlers.get(event).push(cb);
  }
  off(event, cb) {
    if (!event) { this.handlers.clear(); return; }
    if (!cb) { this.handlers.delete(event); return; }
    this.handlers.set(event, (this.handlers.get(event) || []).filter((f) => f !== cb));
  }
  save_changes() {
    harness.saves += 1;
    harness.sent.push(JSON.parse(JSON.stringify(harness.dirty)));
    harness.dirty = {};
  }
  send(msg) { harness.sent.push({ custom: msg }); }
  listeners() { let n = 0; for (const v of this.handlers.values()) n += v.length; return n; }
}

async function importSource(source) {
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  try {
    return await import(url);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return import("data:text/javascript;charset=utf-8," + encodeURIComponent(source));
  } finally {
    URL.revokeObjectURL(url);
  }
}

harness.py_set = (state, paths, buffers) => {
  putBuffers(state, paths, buffers);
  for (const [k, v] of Object.entries(state)) harness.model._set(k, v);
};

function hash(selector) {  // a hash of a canvas's pixels
  const c = document.querySelector(selector);
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let h = 2166136261;
  for (let i = 0; i < d.length; i += 4) {
    h = Math.imul(h ^ (d[i] + 7 * d[i + 1] + 13 * d[i + 2]), 16777619);
  }
  return h >>> 0;
}
harness.map_hash = () => hash(".cu-canvas-map");
harness.panel_hash = () => hash(".cu-canvas-panels");

const model = new Model(putBuffers(DATA.state, DATA.paths, DATA.buffers));
harness.model = model;
const mod = await importSource(SOURCE);
harness.cleanup = mod.default.render({ model, el: document.getElementById("host") });
harness.ready = true;
</script>
</body></html>
"""


def harness_html(state: dict, buffer_paths: list, buffers: list[str], *, offline: bool = False,
                 width: int = 1100, source: str | None = None) -> str:
    """The test page for ``state`` (from :func:`widget_state`)."""
    data = {"state": state, "paths": buffer_paths, "buffers": buffers, "offline": offline}
    source = esm_source() if source is None else source
    # "</" would end the script element early
    def js(value: Any) -> str:
        return json.dumps(value).replace("</", "<\\/")

    return (_PAGE.replace("__WIDTH__", str(int(width)))
            .replace("__DATA__", js(data)).replace("__SOURCE__", js(source)))
