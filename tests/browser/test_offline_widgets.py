"""anywidget widgets live in the offline HTML edition (``make html``), with the network blocked.

Small notebooks are built with tools/build_html.py (the code path of ``make html``) into a
temporary folder and opened in Chromium from a loopback web server and from disk, every other
request aborted:

* a toy anywidget (a counter drawn by its ``_esm``, binary traits at the top level, in a dict
  and in a list of dicts, some of them replaced while the cell ran): it must render from the
  saved state through the page's own AMD module ``anywidget`` (no CDN), get its binary traits
  as DataViews with their last values, have its CSS injected, ``initialize`` run once, and a
  click must update both of its views (``set`` + ``save_changes`` with no kernel);
* the explorer with its canvas (``course_utils/explorer/canvas.py``): the map is drawn, Play
  moves it (pixels and ``el.dataset.step``) to the last step, the step scrubber takes it back,
  and the canvas says it is an offline copy;
* in both, touching an ipywidgets slider shows the note that it needs a kernel, and nothing
  is requested from the network, fails to load or is logged as an error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .offline_helpers import build_edition, builder, recording_page, serve

TOY, EXPLORER = "offline_anywidget", "offline_explorer"
STEPS = 40  # of the explorer
KERNEL_NOTE = "needs a running kernel"
EXPLORER_NOTE = "Play and the step scrubber of the explorer work here"

TOY_ESM = """
export default {
  initialize({ model }) {
    globalThis.toyInitialized = (globalThis.toyInitialized || 0) + 1;
  },
  render({ model, el }) {
    const f32 = (dv) => Array.from(new Float32Array(dv.buffer, dv.byteOffset, dv.byteLength / 4));
    const raw = model.get("raw"), data = model.get("data"), items = model.get("items");
    el.classList.add("toy");
    el.dataset.report = JSON.stringify({
      offline: globalThis.__COURSE_OFFLINE__ === true,
      raw: [raw instanceof DataView, raw.byteLength, raw.getUint8(4)],
      dataView: data.values instanceof DataView,
      dataKeys: Object.keys(data).sort(),
      values: f32(data.values),
      items: items.map((item) => f32(item.xy)),
    });
    const counter = Object.assign(document.createElement("span"), { className: "toy-counter" });
    const plus = Object.assign(document.createElement("button"),
                               { className: "toy-plus", textContent: "+1" });
    const show = () => { counter.textContent = String(model.get("count")); };
    plus.addEventListener("click", () => {
      model.set("count", model.get("count") + 1);
      model.save_changes();
    });
    model.on("change:count", show);
    show();
    el.append(counter, plus);
  },
};
"""
#: the cells of each notebook, as (kind, source)
NOTEBOOKS = {
    TOY: [
        ("markdown", "# An anywidget offline"),
        ("code", "import struct\n\n"
                 "import anywidget\n"
                 "import ipywidgets as widgets\n"
                 "import traitlets\n\n\n"
                 "class Toy(anywidget.AnyWidget):\n"
                 f"    _esm = {TOY_ESM!r}\n"
                 "    _css = '.toy-counter { color: rgb(0, 0, 255); }'\n"
                 "    count = traitlets.Int(0).tag(sync=True)\n"
                 "    raw = traitlets.Bytes(b'').tag(sync=True)\n"
                 "    data = traitlets.Dict().tag(sync=True)\n"
                 "    items = traitlets.List().tag(sync=True)\n\n\n"
                 "def f32(*values):\n"
                 "    return struct.pack(f'<{len(values)}f', *values)\n\n\n"
                 "toy = Toy(count=3, raw=bytes([1, 2, 3, 4, 5]))\n"
                 "toy.items = [{'xy': f32(1, 2)}, {'xy': f32(3, 4)}, {'xy': f32(5, 6)}]\n"
                 "toy.data = {'values': f32(1, 2, 3), 'extra': f32(9)}\n"
                 "toy.items = [{'xy': f32(7, 8)}]  # a list that shrank\n"
                 "toy.data = {'values': f32(1.5, 2.5)}  # a dict that lost a buffer\n"
                 "slider = widgets.IntSlider(value=4, description='needs kernel')\n"
                 "widgets.VBox([slider, toy, toy])"),
    ],
    EXPLORER: [
        ("markdown", "# The explorer offline"),
        ("code", "from course_utils.explorer import explore\n\n"
                 f"explore('ravine', ['sgd', 'adam'], steps={STEPS})"),
    ],
}
TOY_REPORT = {"offline": True, "raw": [True, 5, 5], "dataView": True, "dataKeys": ["values"],
              "values": [1.5, 2.5], "items": [[7, 8]]}
#: a digest of the map's pixels (changes when anything on it is drawn differently)
MAP_PIXELS_JS = """(selector) => {
  const canvas = document.querySelector(selector);
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let sum = 0, inked = 0;
  for (let i = 0; i < data.length; i += 4) {
    sum = (sum * 31 + data[i] * 3 + data[i + 1] * 5 + data[i + 2] * 7 + data[i + 3]) % 1000000007;
    if (data[i + 3] > 0 && (data[i] < 250 || data[i + 1] < 250 || data[i + 2] < 250)) inked++;
  }
  return { sum, inked, size: [canvas.width, canvas.height] };
}"""
MAP = ".cu-canvas-explorer canvas.cu-canvas-map"


def _notebook(folder: Path, name: str) -> Path:
    import nbformat

    v4 = nbformat.v4
    nb = v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                  "display_name": "Python 3"}})
    for kind, source in NOTEBOOKS[name]:
        nb.cells.append(v4.new_markdown_cell(source) if kind == "markdown"
                        else v4.new_code_cell(source))
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def _build(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    return build_edition([_notebook(tmp_path_factory.mktemp(name), name)],
                         tmp_path_factory.mktemp(f"{name}_site"))


@pytest.fixture(scope="module")
def toy_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory, TOY)


@pytest.fixture(scope="module")
def explorer_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory, EXPLORER)


@pytest.fixture(scope="module")
def toy_server(toy_site: Path) -> Iterator[str]:
    with serve(toy_site) as url:
        yield url


@pytest.fixture(scope="module")
def explorer_server(explorer_site: Path) -> Iterator[str]:
    with serve(explorer_site) as url:
        yield url


@pytest.fixture
def offline_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A loopback-only page recording failed requests and console errors."""
    with recording_page(browser, request.node.name) as page:
        yield page


def _url(kind: str, server: str, site: Path, page: str) -> str:
    return f"{server}/{page}" if kind == "http" else (site / page).as_uri()


def _assert_offline(page: Any) -> None:
    assert page.blocked == [], f"requests to the network: {page.blocked}"
    assert page.failed == [], f"failed requests: {page.failed}"
    assert page.errors == [], f"errors in the console: {page.errors}"


def _touch_a_slider_and_see_the_note(page: Any, slider: Any) -> str:
    assert page.locator(".cu-offline-kernel-note").count() == 0
    slider.click()
    note = page.locator(".cu-offline-kernel-note")
    note.wait_for(state="visible", timeout=5_000)
    text = note.inner_text()
    assert KERNEL_NOTE in text
    return text


def test_replaced_buffers_are_forgotten() -> None:
    def update(comm_id: str, data: dict) -> dict:
        return {"content": {"comm_id": comm_id, "data": data}}

    buffers = {"w": {("items", 0, "xy"): "a", ("items", 2, "xy"): "b", ("raw",): "c"}}
    builder.drop_replaced_buffers(buffers, update("w", {"state": {"items": [None]},
                                                        "buffer_paths": [["items", 0, "xy"]]}))
    assert buffers == {"w": {("raw",): "c"}}
    builder.drop_replaced_buffers(buffers, update("w", {"method": "custom"}))
    builder.drop_replaced_buffers(buffers, update("other", {"state": {"raw": b""}}))
    assert buffers == {"w": {("raw",): "c"}}


def test_the_anywidget_module_is_local(toy_site: Path) -> None:
    text = (toy_site / f"{TOY}.html").read_text(encoding="utf-8")
    assert builder.external_resources(text) == []
    assert f'anywidget: "{builder.ANYWIDGET_URL}"' in text
    assert (toy_site / f"{builder.ANYWIDGET_URL}.js").exists()
    state = json.loads(text.split('<script type="application/vnd.jupyter.widget-state+json">')[1]
                       .split("</script>")[0])
    toy = next(m for m in state["state"].values() if m["model_name"] == "AnyModel")
    assert toy["model_module"] == "anywidget"
    # the last values only: no buffer of the two replaced items or of the removed key
    assert sorted(tuple(b["path"]) for b in toy["buffers"]) == [
        ("data", "values"), ("items", 0, "xy"), ("raw",)]


@pytest.mark.parametrize("kind", ["http", "file"])
def test_an_anywidget_renders_and_runs_offline(kind: str, offline_page: Any, toy_server: str,
                                               toy_site: Path) -> None:
    page = offline_page
    page.goto(_url(kind, toy_server, toy_site, f"{TOY}.html"), wait_until="load")
    views = page.locator(".toy")
    views.nth(1).wait_for(state="visible", timeout=30_000)
    assert views.count() == 2
    assert json.loads(views.first.get_attribute("data-report")) == TOY_REPORT
    counters = page.locator(".toy .toy-counter")
    assert counters.all_inner_texts() == ["3", "3"]
    assert counters.first.evaluate("(el) => getComputedStyle(el).color") == "rgb(0, 0, 255)"
    assert page.evaluate("() => globalThis.toyInitialized") == 1
    page.locator(".toy .toy-plus").first.click()
    page.locator(".toy .toy-plus").nth(1).click()
    assert counters.all_inner_texts() == ["5", "5"]
    # the anywidget's own button works here: no note; an ipywidgets slider needs the kernel
    assert page.locator(".cu-offline-kernel-note").count() == 0
    text = _touch_a_slider_and_see_the_note(page, page.locator(".widget-slider").first)
    assert EXPLORER_NOTE not in text
    page.locator(".widget-slider").first.click()
    assert page.locator(".cu-offline-kernel-note").count() == 1
    _assert_offline(page)


def test_an_anywidget_renders_in_the_slides(offline_page: Any, toy_server: str) -> None:
    page = offline_page
    page.goto(f"{toy_server}/{TOY}.slides.html", wait_until="load")
    page.wait_for_selector(".reveal.ready", timeout=30_000)
    page.locator("section.present .toy .toy-counter").first.wait_for(state="visible",
                                                                     timeout=30_000)
    assert page.locator("section.present .toy .toy-counter").first.inner_text() == "3"
    _assert_offline(page)


@pytest.mark.parametrize("kind", ["http", "file"])
def test_the_explorer_plays_offline(kind: str, offline_page: Any, explorer_server: str,
                                    explorer_site: Path) -> None:
    page = offline_page
    page.goto(_url(kind, explorer_server, explorer_site, f"{EXPLORER}.html"), wait_until="load")
    explorer = page.locator(".cu-canvas-explorer").first
    page.locator(MAP).first.wait_for(state="visible", timeout=30_000)
    # drawn: a good part of the map is ink (contours, paths), not blank
    page.wait_for_function(f"() => ({MAP_PIXELS_JS})('{MAP}').inked > 1000", timeout=15_000)
    before = page.evaluate(MAP_PIXELS_JS, MAP)
    step = explorer.get_attribute("data-step")
    assert "Offline copy" in explorer.inner_text()
    explorer.locator(".cu-canvas-play").first.click()
    page.wait_for_function(
        "(step) => document.querySelector('.cu-canvas-explorer').dataset.step !== step",
        arg=step, timeout=10_000)
    page.wait_for_function(f"(sum) => ({MAP_PIXELS_JS})('{MAP}').sum !== sum",
                           arg=before["sum"], timeout=10_000)
    # Play runs to the last step, the scrubber goes back: no kernel needed
    page.wait_for_function(
        "(last) => document.querySelector('.cu-canvas-explorer').dataset.step === last",
        arg=str(STEPS), timeout=20_000)
    explorer.locator("input.cu-canvas-step").first.press("Home")
    page.wait_for_function(
        "() => document.querySelector('.cu-canvas-explorer').dataset.step === '0'",
        timeout=5_000)
    # the explorer's ipywidgets sliders need the kernel, and say so (its tabs work offline)
    page.locator(".cu-explorer .lm-TabBar-tab", has_text="surface").first.click()
    assert page.locator(".cu-offline-kernel-note").count() == 0
    slider = page.locator(".cu-explorer .widget-slider:visible").first
    text = _touch_a_slider_and_see_the_note(page, slider)
    assert EXPLORER_NOTE in text
    _assert_offline(page)
