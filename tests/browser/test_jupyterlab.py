"""The course in JupyterLab, in a real browser: notebooks run clean and the widgets respond.

One JupyterLab server for the module (see conftest.py). 00_explorer and one course notebook are
opened once each and run with Run All Cells (the command the Run menu runs); no cell may end in
an error and every widget must render as a widget. Then they are driven the way a student
drives them: a slider moved with the keyboard must redraw the plot (compared pixel by pixel),
and the race animation made by ``race(...).to_html()`` must play.

The explorer is drawn in the browser on a canvas (anywidget, ``course_utils/explorer/canvas.js``):
its pixels are read with ``canvas.toDataURL()``, and its test hooks (the root's
``dataset.step`` and ``dataset.frames``, the Play button) tell the step and the frames drawn. A
learning-rate slider must redraw the canvas, the canvas's Play must advance the step and the
pixels, and Play must run in the browser alone: the page's kernel websocket, watched from before
the notebook opens, carries a message or two per Play (start, stop), none per frame.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from course_utils.explorer.settings import SPEEDS

from .conftest import loopback_page
from .lab_helpers import (
    CANVAS_MAP,
    CANVAS_PLAY,
    CANVAS_ROOT,
    CANVAS_STEP,
    WIDGET_AS_TEXT,
    canvas_pixels,
    canvas_side_by_side,
    canvas_state,
    cell_index_of,
    dom_tracebacks,
    inked_fraction,
    open_notebook,
    press_on_slider,
    run_all,
    slider,
    slider_readout,
    wait_for_canvas_change,
    wait_for_canvas_drawn,
    wait_for_change,
    wait_for_frames,
    watch_kernel_traffic,
)

EXPLORER_NOTEBOOK = "00_explorer.ipynb"
COURSE_NOTEBOOK = "01_learning_vs_optimization.ipynb"


def _opened_and_run(browser: Any, lab_server: Any, name: str) -> Iterator[tuple[Any, dict]]:
    with loopback_page(browser, "jupyterlab-" + name.removesuffix(".ipynb")) as pg:
        pg.kernel_traffic = watch_kernel_traffic(pg)  # before the kernel's websocket opens
        open_notebook(pg, lab_server, name)
        state = run_all(pg, timeout_s=180)
        yield pg, state


@pytest.fixture(scope="module")
def explorer_page(browser: Any, lab_server: Any) -> Iterator[tuple[Any, dict]]:
    """00_explorer open in JupyterLab after Run All Cells: (page, final state)."""
    yield from _opened_and_run(browser, lab_server, EXPLORER_NOTEBOOK)


@pytest.fixture(scope="module")
def course_page(browser: Any, lab_server: Any) -> Iterator[tuple[Any, dict]]:
    """A course notebook open in JupyterLab after Run All Cells: (page, final state)."""
    yield from _opened_and_run(browser, lab_server, COURSE_NOTEBOOK)


#: an explorer app, whatever draws it: the kernel's Play widget is in its layout (hidden
#: when the canvas draws: the canvas has its own Play)
EXPLORER_APP = ".cu-explorer-play"


def _explorer(page: Any) -> tuple[Any, Any]:
    """The notebook's first explorer app, drawn: (its output, the canvas explorer's root)."""
    try:
        page.wait_for_selector(f".jp-Notebook {CANVAS_ROOT}", state="attached", timeout=60_000)
    except Exception as exc:  # noqa: BLE001 - say what the page shows instead
        texts = page.eval_on_selector_all(".jp-Notebook .jp-OutputArea-output",
                                          "els => els.map(e => e.innerText.slice(0, 200))")
        raise AssertionError(f"no canvas explorer ({CANVAS_ROOT}) in the notebook's outputs: "
                             f"{[t for t in texts if 'widget' in t.lower()][:5]}") from exc
    index = cell_index_of(page, CANVAS_ROOT)
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed(timeout=10_000)
    app = cell.locator(f".jp-OutputArea-output:has({CANVAS_ROOT})").first
    root = app.locator(CANVAS_ROOT).first
    root.locator(CANVAS_MAP).scroll_into_view_if_needed(timeout=10_000)
    wait_for_canvas_drawn(root)
    return app, root


def _steps_while_playing(page: Any, root: Any, distinct: int = 4,
                         timeout_s: float = 20) -> list[int]:
    """dataset.step read every 0.2 s until it took ``distinct`` values (or ``timeout_s``)."""
    steps: list[int] = []
    deadline = time.monotonic() + timeout_s
    while len(set(steps)) < distinct and time.monotonic() < deadline:
        steps.append(canvas_state(root)["step"])
        page.wait_for_timeout(200)
    return steps


@pytest.mark.parametrize("opened", ["explorer_page", "course_page"])
def test_notebook_runs_without_errors(opened: str, request: pytest.FixtureRequest) -> None:
    page, state = request.getfixturevalue(opened)
    assert state["errors"] == [], f"error outputs: {state['errors']}"
    assert state["executed"] == state["code"] > 0, state
    assert dom_tracebacks(page) == []
    texts = page.eval_on_selector_all(".jp-Notebook .jp-OutputArea-output",
                                      "els => els.map(e => e.innerText)")
    assert not [t for t in texts if "Error displaying widget" in t or WIDGET_AS_TEXT.search(t)]
    assert page.locator(".jp-Notebook .jp-OutputArea-output .widget-slider").count() > 0
    # matplotlib figures of plain cells (the explorers draw on a canvas, not in PNGs)
    assert page.locator(".jp-Notebook .jp-RenderedImage img").count() > 0
    assert page.blocked == [], f"the page tried to reach the network: {page.blocked}"


def test_interact_slider_moved_with_keyboard_redraws_plot(course_page: tuple[Any, dict]) -> None:
    page, _ = course_page
    index = cell_index_of(page, ".widget-interact")
    assert index >= 0, "no interact widget in the notebook"
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed(timeout=10_000)
    control = cell.locator(".widget-interact .widget-slider").first
    plot = cell.locator(".widget-interact .widget-output").first
    plot.locator("img").first.wait_for(timeout=30_000)
    value_before, before = slider_readout(control), plot.screenshot(timeout=10_000)
    press_on_slider(control, "ArrowRight", times=2)
    diff, after = wait_for_change(lambda: plot.screenshot(timeout=10_000), before)
    assert slider_readout(control) != value_before
    assert diff > 0.002, f"the plot did not change after the slider moved (diff {diff:.4f})"


def test_explorer_renders_as_canvas(explorer_page: tuple[Any, dict]) -> None:
    """Every explorer app of 00 shows the canvas (not a PNG, not an error) and draws on it."""
    page, _ = explorer_page
    app, root = _explorer(page)
    apps = page.locator(f".jp-Notebook .jp-OutputArea-output:has({EXPLORER_APP})").count()
    canvases = page.locator(
        f".jp-Notebook .jp-OutputArea-output:has({EXPLORER_APP}) {CANVAS_ROOT}"
        f":has({CANVAS_MAP}):has({CANVAS_PLAY}):has({CANVAS_STEP})").count()
    assert apps >= 5 and canvases == apps, f"{apps} explorer apps but {canvases} canvases"
    state = canvas_state(root)
    box = root.locator(CANVAS_MAP).bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100, box
    assert state["frames"] > 0 and state["width"] > 0, state
    assert canvas_side_by_side(root) is None, canvas_side_by_side(root)
    # the figure is the canvas: no PNG of the explorer's figure is shown in the app
    assert app.locator("img.widget-image:visible").count() == 0
    pixels = canvas_pixels(root)
    assert len(pixels) >= 2, "expected the map and the panels' canvases"
    inked = inked_fraction(pixels)
    assert inked > 0.02, f"the canvas is (nearly) blank: {inked:.4f} of its pixels drawn"


def test_explorer_learning_rate_slider_redraws_the_canvas(
        explorer_page: tuple[Any, dict]) -> None:
    page, _ = explorer_page
    app, root = _explorer(page)
    lr = slider(app, "learning rate ε")
    if not lr.is_visible():  # the hyperparameters live in a collapsed accordion section
        app.locator(".jupyter-widget-Accordion .jupyter-widget-Collapse-header").first.click()
    lr.wait_for(state="visible", timeout=10_000)
    value_before, before = slider_readout(lr), canvas_pixels(root)
    press_on_slider(lr, "ArrowLeft", times=3)
    diff, _ = wait_for_canvas_change(root, before)
    assert slider_readout(lr) != value_before
    assert diff > 0.002, f"the canvas did not change with the learning rate (diff {diff:.4f})"
    assert dom_tracebacks(page) == []


def test_explorer_tab_labels_are_not_cut_short(explorer_page: tuple[Any, dict]) -> None:
    page, _ = explorer_page
    app, _ = _explorer(page)
    labels = app.locator(".widget-tab .lm-TabBar-tabLabel")
    labels.first.wait_for(timeout=30_000)
    sizes = labels.evaluate_all(
        "els => els.map(e => [e.textContent, e.scrollWidth, e.clientWidth])")
    assert [s[0] for s in sizes] == ["optimizers", "surface", "gradient", "phase", "setup"]
    cut = [text for text, needed, shown in sizes if needed > shown]
    assert cut == [], f"tab labels cut short: {cut} ({sizes})"
    # the optimizer checkboxes, two columns, fit inside the panel
    overflow = app.locator(".widget-tab").first.evaluate(
        """tab => { const right = tab.getBoundingClientRect().right;
                    return [...tab.querySelectorAll('.widget-checkbox')]
                      .filter(c => c.offsetParent !== null)
                      .filter(c => c.getBoundingClientRect().right > right + 0.5 ||
                              // the text's own box runs past its label: shown with an ellipsis
                              [...c.querySelectorAll('label > span')].some(
                                  s => s.getBoundingClientRect().right >
                                       s.parentElement.getBoundingClientRect().right + 0.1))
                      .map(c => c.textContent.trim()); }""")
    assert overflow == [], f"checkboxes cut off by the panel: {overflow}"


def test_explorer_canvas_play_advances_the_step_and_the_pixels(
        explorer_page: tuple[Any, dict]) -> None:
    page, _ = explorer_page
    app, root = _explorer(page)
    play = root.locator(CANVAS_PLAY).first
    before = canvas_pixels(root)
    play.click(timeout=10_000)
    try:
        steps = _steps_while_playing(page, root)
        diff, _ = wait_for_canvas_change(root, before)
    finally:
        play.click(timeout=10_000)  # Pause
    distinct = sorted(set(steps))
    assert len(distinct) >= 3, f"Play did not advance dataset.step: {steps}"
    increases = sum(b > a for a, b in zip(steps, steps[1:], strict=False))
    assert increases >= 2, f"the step did not move forward while playing: {steps}"
    assert diff > 0.001, f"the canvas's pixels did not change while playing (diff {diff:.4f})"
    # Pause sends the step to the kernel (once): the app's hidden step slider follows it
    shown = canvas_state(root)["step"]
    kernel_step = slider(app, "step")
    deadline = time.monotonic() + 20
    while slider_readout(kernel_step) != str(shown) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert slider_readout(kernel_step) == str(shown), (
        f"the kernel's step {slider_readout(kernel_step)} is not the paused canvas's {shown}")


#: Play's fastest speed: the app's speed dropdown sends the canvas ``interval`` (ms per frame
#: of Play) and ``stride`` (steps per frame) of settings.SPEEDS
FASTEST = "very fast"
PLAY_SECONDS = 2.0

_FRAMES_DURING_JS = """(el, ms) => new Promise((resolve) => {
  const f0 = Number(el.dataset.frames), k0 = Number(el.dataset.step), t0 = performance.now();
  setTimeout(() => resolve({frames: Number(el.dataset.frames) - f0, k0,
                            k1: Number(el.dataset.step), ms: performance.now() - t0}), ms);
})"""


def test_explorer_play_sends_no_kernel_message_per_frame(
        explorer_page: tuple[Any, dict]) -> None:
    """Play runs in the browser: the page sends the kernel a message when Play starts and one
    when it stops (``playing``, ``step``), never one per frame, and draws smoothly."""
    page, _ = explorer_page
    traffic = page.kernel_traffic
    assert traffic.sockets, "no kernel websocket (/api/kernels/.../channels) was seen"
    app, root = _explorer(page)
    play = root.locator(CANVAS_PLAY).first
    loop = root.get_by_role("checkbox", name="loop").first
    speed = app.locator(".widget-dropdown:has(> .widget-label:text-is('speed')) select").first
    if speed.input_value() != FASTEST:  # the kernel sends the canvas interval and stride
        seen = len(traffic.received)
        speed.select_option(FASTEST, timeout=10_000)
        interval, stride = SPEEDS[FASTEST]
        deadline = time.monotonic() + 30
        while not any(m.get("state", {}).get("stride") == stride
                      and m["state"].get("interval", interval) == interval
                      for m in traffic.received[seen:]):
            assert time.monotonic() < deadline, "the canvas never got the fastest speed"
            page.wait_for_timeout(100)
    loop.check(timeout=10_000)  # Play keeps going past the last step: no stop inside the count
    try:
        start = wait_for_frames(page, traffic.sent, 0, timeout_s=10, quiet_s=0.5)
        play.click(timeout=10_000)
        measured = root.evaluate(_FRAMES_DURING_JS, PLAY_SECONDS * 1000)
        play.click(timeout=10_000)  # Pause
        wait_for_frames(page, traffic.sent, start + 2, timeout_s=15, quiet_s=1.0)
        sent = traffic.sent[start:]
    finally:
        loop.uncheck(timeout=10_000)
        speed.select_option("normal", timeout=10_000)
    drawn, seconds = measured["frames"], measured["ms"] / 1000
    fps = drawn / seconds
    kinds = dict(Counter(f"{m.get('msg_type')} {'+'.join(sorted(m.get('state', {})))}"
                         for m in sent))
    print(f"\ncanvas Play at {FASTEST!r} for {seconds:.2f} s: {drawn} frames drawn "
          f"({fps:.1f} fps, step {measured['k0']} -> {measured['k1']}), "
          f"{len(sent)} kernel websocket frames sent: {kinds}")
    assert len(sent) >= 1, "the Play start/stop messages were not seen: is the counter working?"
    assert len(sent) <= 6, f"{len(sent)} messages sent to the kernel during Play: {kinds}"
    assert drawn >= 30, f"only {drawn} frames drawn in {seconds:.2f} s of Play"
    assert fps >= 20, f"Play drew {fps:.1f} frames per second (< 20)"


def test_race_animation_plays_in_the_notebook(explorer_page: tuple[Any, dict]) -> None:
    """race(...).to_html(), the animation that needs no kernel, plays inside JupyterLab."""
    page, _ = explorer_page
    index = cell_index_of(page, "input[id^='race-'][type='range']")
    assert index >= 0, "no race animation (race(...).to_html()) in the explorer notebook"
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed(timeout=10_000)
    frame = cell.locator("input[id^='race-'][type='range']").first
    picture = cell.locator("img[id^='race-']").first
    cell.locator("button[title='pause']").first.click(timeout=10_000)
    cell.locator("button[title='first frame']").first.click(timeout=10_000)
    assert frame.input_value() == "0"
    first = picture.screenshot(timeout=10_000)
    cell.locator("button[title='play']").first.click(timeout=10_000)
    try:
        page.wait_for_function(
            """(i) => Number(window.jupyterapp.shell.currentWidget.content.widgets[i].node
                      .querySelector("input[id^='race-'][type='range']").value) >= 3""",
            arg=index, timeout=15_000)
        diff, _ = wait_for_change(lambda: picture.screenshot(timeout=10_000), first)
    finally:
        cell.locator("button[title='pause']").first.click(timeout=10_000)
    assert diff > 0.001, f"the race's picture did not change while playing (diff {diff:.4f})"
