"""Helpers that drive JupyterLab in Playwright: open a notebook, run it, read its outputs.

The server is started with ``expose_app_in_browser``, so ``window.jupyterapp`` is the running
JupyterLab application: commands are run through its command registry (the same commands the
menus run) and outputs are read from the notebook model as well as from the page. Every wait
is bounded.
"""

from __future__ import annotations

import base64
import io
import json
import re
import time
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .conftest import LabServer

_EXCEPTION_TEXT = re.compile(
    r"Traceback \(most recent call last\)|^-{20,}\s*\n\w+(Error|Exception|Interrupt)\b"
    r"|^\w*(Error|Exception): ", re.MULTILINE)
#: an output that is a widget's repr instead of the widget: the widget manager is not working
WIDGET_AS_TEXT = re.compile(
    r"^(IntSlider|FloatSlider|FloatLogSlider|SelectionSlider|interactive|VBox|HBox|Explorer|"
    r"Play|Image)\(", re.MULTILINE)

#: Kernel status, executed and pending cells and error outputs of the current notebook,
#: read from JupyterLab's notebook model (outputs of type "error" are exceptions).
_STATE_JS = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.content.model) { return null; }
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cells = panel.content.model.cells;
  const state = {kernel: kernel ? kernel.status : 'none', code: 0, executed: 0,
                 errors: [], busy: 0};
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') { continue; }
    state.code += 1;
    if (cell.executionCount !== null && cell.executionCount !== undefined) {
      state.executed += 1;
    }
    for (let j = 0; j < cell.outputs.length; j++) {
      const out = cell.outputs.get(j).toJSON();
      if (out.output_type === 'error') {
        state.errors.push(`cell ${i}: ${out.ename}: ${out.evalue}`);
      }
    }
  }
  state.busy = document.querySelectorAll(
    '.jp-Notebook .jp-InputArea-prompt').length === 0 ? 0 : Array.from(
    document.querySelectorAll('.jp-Notebook .jp-InputArea-prompt')).filter(
      (e) => e.textContent.includes('[*]')).length;
  return state;
}"""


def notebook_state(page: Any) -> dict[str, Any] | None:
    """The current notebook's kernel status, cell counts and error outputs (see _STATE_JS)."""
    return page.evaluate(_STATE_JS)


def open_notebook(page: Any, server: LabServer, name: str, timeout_s: float = 90) -> None:
    """Open ``name`` (relative to the server root) and wait until its kernel is idle."""
    page.goto(server.notebook_url(name), timeout=timeout_s * 1000)
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=timeout_s * 1000)
    page.wait_for_selector("#jp-main-statusbar >> text=Idle", timeout=timeout_s * 1000)
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status"
        " === 'idle'", timeout=timeout_s * 1000)


def run_command(page: Any, command: str, args: dict[str, Any] | None = None) -> None:
    """Start a JupyterLab command (what a menu item or a shortcut runs).

    The command's promise is not awaited (``notebook:run-all-cells`` resolves only when the
    last cell is done, and a hung cell would hang the test); callers wait for its effect with
    a timeout. A command that fails leaves its message in ``window.__commandError``.
    """
    page.evaluate("""([id, args]) => { window.__commandError = null;
        window.jupyterapp.commands.execute(id, args)
          .catch((e) => { window.__commandError = `${id}: ${e}`; }); }""",
                  [command, args or {}])


def command_error(page: Any) -> str | None:
    """The error of the last run_command, if it failed."""
    return page.evaluate("() => window.__commandError || null")


def run_all(page: Any, timeout_s: float = 180) -> dict[str, Any]:
    """Run all cells, as Run ▸ Run All Cells does, and wait until the run is over.

    Over means: the kernel is idle, no prompt shows ``[*]`` and either every code cell has an
    execution count or an error output stopped the run. Returns the final notebook_state.
    """
    run_command(page, "notebook:clear-all-cell-outputs")  # no stale execution counts
    page.wait_for_function(
        "() => !document.querySelector('.jp-Notebook .jp-OutputArea-output')", timeout=10_000)
    run_command(page, "notebook:run-all-cells")
    deadline = time.monotonic() + timeout_s
    settled_since = None
    while True:
        state = notebook_state(page)
        done = (state is not None and state["kernel"] == "idle" and state["busy"] == 0
                and (state["executed"] == state["code"] or state["errors"]))
        if done:
            # idle can flicker between two cells: require it to hold for a moment
            settled_since = settled_since or time.monotonic()
            if time.monotonic() - settled_since > 1.0:
                return state
        else:
            settled_since = None
        error = command_error(page)
        if error or time.monotonic() > deadline:
            raise TimeoutError(error or f"run all did not finish in {timeout_s} s: {state}")
        page.wait_for_timeout(250)


def dom_tracebacks(page: Any) -> list[str]:
    """Texts of rendered outputs that look like exceptions (JupyterLab renders error outputs
    as text of the ``application/vnd.jupyter.stderr`` type, with the traceback in it)."""
    texts = page.eval_on_selector_all(
        ".jp-Notebook .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
        "els => els.map(e => e.innerText)")
    return [t[:500] for t in texts if _EXCEPTION_TEXT.search(t)]


def png_array(png: bytes) -> np.ndarray:
    """Decode PNG bytes to an RGB array of floats in 0..255."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGB"), dtype=float)


def pixel_difference(before: bytes, after: bytes) -> float:
    """Fraction of pixels that differ (by more than a little) between two PNG screenshots."""
    a, b = png_array(before), png_array(after)
    if a.shape != b.shape:
        return 1.0
    return float(np.mean(np.abs(a - b).max(axis=-1) > 8))


def wait_for_change(shot: Any, before: bytes, timeout_s: float = 30,
                    threshold: float = 0.002) -> tuple[float, bytes]:
    """Call ``shot()`` (returns PNG bytes) until it differs from ``before``; return the last
    difference and picture (the caller asserts on the difference)."""
    deadline = time.monotonic() + timeout_s
    while True:
        after = shot()
        diff = pixel_difference(before, after)
        if diff > threshold or time.monotonic() > deadline:
            return diff, after
        time.sleep(0.25)


def cell_index_of(page: Any, selector: str) -> int:
    """Index of the first notebook cell whose DOM contains ``selector`` (-1 if none)."""
    return page.evaluate(
        """(sel) => { const nb = window.jupyterapp.shell.currentWidget.content;
           return nb.widgets.findIndex((cell) => cell.node.querySelector(sel) !== null); }""",
        selector)


def slider(root: Any, label: str) -> Any:
    """The ipywidgets slider under ``root`` whose description is exactly ``label``."""
    return root.locator(f".widget-slider:has(> .widget-label:text-is('{label}'))").first


def slider_readout(widget: Any) -> str:
    """The readout text of an ipywidgets slider (its value as the page shows it)."""
    return widget.locator(".widget-readout").first.inner_text(timeout=10_000).strip()


def press_on_slider(widget: Any, key: str, times: int = 1) -> None:
    """Focus the slider's handle and press ``key`` (ArrowRight, PageUp, ...) like a user."""
    handle = widget.locator(".noUi-handle").first
    handle.focus(timeout=10_000)
    for _ in range(times):
        handle.press(key, timeout=10_000)


# ---------------------------------------------------------------- the canvas explorer (anywidget)

#: Test hooks of canvas.js (docs: /work/notes/canvas_contract.md, "Test hooks"): the root
#: element, the map canvas, the Play button and the step range input. The root's
#: ``dataset.step`` is the step shown and ``dataset.frames`` the frames drawn since it loaded.
CANVAS_ROOT = ".cu-canvas-explorer"
CANVAS_MAP = "canvas.cu-canvas-map"
CANVAS_PLAY = "button.cu-canvas-play"
CANVAS_STEP = "input.cu-canvas-step"

#: PNG data URLs of every <canvas> under an element (the map and the panels), read from the
#: canvases' own pixels: independent of what covers them on the screen.
_CANVAS_PIXELS_JS = """(root) => Array.from(root.querySelectorAll('canvas'))
  .filter((c) => c.width > 0 && c.height > 0).map((c) => c.toDataURL('image/png'))"""


def canvas_state(root: Any) -> dict[str, int]:
    """``{"step", "frames", "width"}`` of a canvas explorer's root (its dataset hooks)."""
    return root.evaluate("""(el) => ({step: Number(el.dataset.step ?? -1),
        frames: Number(el.dataset.frames ?? 0),
        width: (el.querySelector('canvas.cu-canvas-map') || {width: 0}).width})""")


def canvas_side_by_side(root: Any) -> str | None:
    """None when the map and the panels sit side by side (the contract: map left, panels
    right) or the explorer is too narrow for that (under 640 px: stacked); else what is wrong,
    with the widths that explain it (the root's fractional width against the canvases')."""
    return root.evaluate("""(el) => {
      const box = (sel) => el.querySelector(sel).getBoundingClientRect();
      const r = el.getBoundingClientRect(), m = box('canvas.cu-canvas-map'),
            p = box('canvas.cu-canvas-panels');
      if (r.width < 640) { return null; }
      if (Math.abs(p.top - m.top) < 2 && p.left >= m.right - 1) { return null; }
      return `the panels are not right of the map: root ${r.width} px wide ` +
        `(clientWidth ${el.clientWidth}), map ${m.width} x ${m.height} at (${m.left}, ` +
        `${m.top}), panels ${p.width} x ${p.height} at (${p.left}, ${p.top})`; }""")


def canvas_pixels(root: Any) -> list[bytes]:
    """The pixels of every canvas under ``root``, as PNG bytes (``canvas.toDataURL()``)."""
    urls = root.evaluate(_CANVAS_PIXELS_JS)
    return [base64.b64decode(url.partition(",")[2]) for url in urls]


def canvas_difference(before: list[bytes], after: list[bytes]) -> float:
    """Fraction of all canvas pixels that differ (by more than a little) between two reads."""
    if len(before) != len(after) or not before:
        return 1.0 if before or after else 0.0
    changed = total = 0.0
    for a, b in zip(before, after, strict=True):
        x, y = png_array(a), png_array(b)
        if x.shape != y.shape:
            return 1.0
        changed += float(np.sum(np.abs(x - y).max(axis=-1) > 8))
        total += x.shape[0] * x.shape[1]
    return changed / total


def inked_fraction(pngs: list[bytes]) -> float:
    """Fraction of the pixels of ``pngs`` that are drawn: neither transparent nor white."""
    from PIL import Image

    inked = total = 0
    for png in pngs:
        with Image.open(io.BytesIO(png)) as image:
            rgba = np.asarray(image.convert("RGBA"), dtype=float)
        inked += int(np.sum((rgba[..., 3] > 8) & (rgba[..., :3].min(axis=-1) < 245)))
        total += rgba.shape[0] * rgba.shape[1]
    return inked / max(total, 1)


def wait_for_canvas_change(root: Any, before: list[bytes], timeout_s: float = 30,
                           threshold: float = 0.002) -> tuple[float, list[bytes]]:
    """Read the canvases under ``root`` until they differ from ``before``; return the last
    difference and pixels (the caller asserts on the difference)."""
    deadline = time.monotonic() + timeout_s
    while True:
        after = canvas_pixels(root)
        diff = canvas_difference(before, after)
        if diff > threshold or time.monotonic() > deadline:
            return diff, after
        root.page.wait_for_timeout(250)


def wait_for_canvas_drawn(root: Any, timeout_s: float = 60) -> dict[str, int]:
    """Wait until the canvas explorer under ``root`` has drawn a frame on a sized map."""
    root.wait_for(state="attached", timeout=timeout_s * 1000)
    root.evaluate("""(el, ms) => new Promise((resolve, reject) => {
        const t0 = performance.now();
        const check = () => {
          const map = el.querySelector('canvas.cu-canvas-map');
          if (Number(el.dataset.frames || 0) > 0 && map && map.width > 0) { resolve(); }
          else if (performance.now() - t0 > ms) {
            reject(new Error('the canvas explorer drew nothing: frames=' + el.dataset.frames));
          } else { setTimeout(check, 100); }
        };
        check(); })""", timeout_s * 1000)
    return canvas_state(root)


# ---------------------------------------------------------------- the kernel's websocket

_KERNEL_CHANNELS = re.compile(r"/api/kernels/[^/?]+/channels")


def decode_kernel_frame(payload: str | bytes) -> dict[str, Any]:
    """Channel, message type and (for a widget's comm message) the method and the changed
    state of one kernel websocket frame: JupyterLab's binary v1 protocol
    (``v1.kernel.websocket.jupyter.org``) or the legacy JSON text / binary form. Values that
    are not small scalars are left out of ``state``; an unreadable frame gives ``"?"``."""
    try:
        if isinstance(payload, str):
            msg = json.loads(payload)
            channel, header, content = msg.get("channel"), msg["header"], msg["content"]
        else:
            data = bytes(payload)
            n = int.from_bytes(data[:8], "little")
            if 3 <= n <= 4096 and 8 * (n + 1) <= len(data):  # v1: offsets, channel, parts
                offsets = [int.from_bytes(data[8 * (i + 1):8 * (i + 2)], "little")
                           for i in range(n)]
                parts = [data[a:b] for a, b in zip(offsets, offsets[1:], strict=False)]
                channel = parts[0].decode()
                header, content = json.loads(parts[1]), json.loads(parts[4])
            else:  # legacy binary: uint32 count, uint32 offsets, the JSON message first
                count = int.from_bytes(data[:4], "little")
                start = int.from_bytes(data[4:8], "little")
                end = int.from_bytes(data[8:12], "little") if count > 1 else len(data)
                msg = json.loads(data[start:end])
                channel, header, content = msg.get("channel"), msg["header"], msg["content"]
    except (ValueError, KeyError, IndexError, TypeError, UnicodeDecodeError):
        return {"channel": "?", "msg_type": "?"}
    summary: dict[str, Any] = {"channel": channel, "msg_type": header.get("msg_type")}
    if summary["msg_type"] in ("comm_msg", "comm_open"):
        body = content.get("data") or {}
        summary["method"] = body.get("method")
        summary["state"] = {k: v for k, v in (body.get("state") or {}).items()
                            if isinstance(v, bool | int | float) or
                            (isinstance(v, str) and len(v) < 40)}
    return summary


class KernelTraffic:
    """Frames on the page's kernel websockets (``/api/kernels/<id>/channels``), in the order
    Playwright reports them: ``sent`` (page to kernel) and ``received`` (kernel to page), each
    a list of decoded summaries (see decode_kernel_frame). Attached with watch_kernel_traffic
    before the notebook opens, so no frame of the session is missed."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []
        self.sockets: list[str] = []

    def _on_websocket(self, ws: Any) -> None:
        if not _KERNEL_CHANNELS.search(ws.url):
            return
        self.sockets.append(ws.url.split("?")[0])
        ws.on("framesent", lambda payload: self.sent.append(decode_kernel_frame(payload)))
        ws.on("framereceived",
              lambda payload: self.received.append(decode_kernel_frame(payload)))


def watch_kernel_traffic(page: Any) -> KernelTraffic:
    """Record the kernel websocket frames of ``page`` from now on (call before page.goto)."""
    traffic = KernelTraffic()
    page.on("websocket", traffic._on_websocket)
    return traffic


def wait_for_frames(page: Any, frames: list[Any], count: int, timeout_s: float = 30,
                    quiet_s: float = 0.5) -> int:
    """Let Playwright deliver websocket events until ``frames`` holds at least ``count``
    entries and no new one came for ``quiet_s`` (or ``timeout_s`` passed); return its length.
    (Events reach Python only while it waits on the page, hence page.wait_for_timeout.)"""
    deadline = time.monotonic() + timeout_s
    seen, since = len(frames), time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_timeout(100)
        if len(frames) != seen:
            seen, since = len(frames), time.monotonic()
        elif seen >= count and time.monotonic() - since >= quiet_s:
            break
    return len(frames)
