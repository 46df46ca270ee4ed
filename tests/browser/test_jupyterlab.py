"""The course in JupyterLab, in a real browser: notebooks run clean and the widgets respond.

One JupyterLab server for the module (see conftest.py). 00_explorer and one course notebook are
opened once each and run with Run All Cells (the command the Run menu runs); no cell may end in
an error and every widget must render as a widget. Then they are driven the way a student
drives them: a slider moved with the keyboard must redraw the plot (compared pixel by pixel),
the explorer's Play button must advance the frames, and the race animation made by
``race(...).to_html()`` must play.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import loopback_page
from .lab_helpers import (
    WIDGET_AS_TEXT,
    cell_index_of,
    dom_tracebacks,
    open_notebook,
    pixel_difference,
    press_on_slider,
    run_all,
    slider,
    slider_readout,
    wait_for_change,
)

EXPLORER_NOTEBOOK = "00_explorer.ipynb"
COURSE_NOTEBOOK = "01_learning_vs_optimization.ipynb"


def _opened_and_run(browser: Any, lab_server: Any, name: str) -> Iterator[tuple[Any, dict]]:
    with loopback_page(browser, "jupyterlab-" + name.removesuffix(".ipynb")) as pg:
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


def _explorer(page: Any) -> Any:
    """The explorer app: the output that holds a Play widget."""
    index = cell_index_of(page, ".widget-play")
    assert index >= 0, "no explorer (no Play widget) in the notebook's outputs"
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed(timeout=10_000)
    return cell.locator(".jp-OutputArea-output:has(.widget-play)").first


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


def test_explorer_learning_rate_slider_redraws_the_figure(
        explorer_page: tuple[Any, dict]) -> None:
    page, _ = explorer_page
    app = _explorer(page)
    image = app.locator("img.widget-image").first
    image.wait_for(timeout=30_000)
    lr = slider(app, "learning rate ε")
    if not lr.is_visible():  # the hyperparameters live in a collapsed accordion section
        app.locator(".jupyter-widget-Accordion .jupyter-widget-Collapse-header").first.click()
    lr.wait_for(state="visible", timeout=10_000)
    value_before, before = slider_readout(lr), image.screenshot(timeout=10_000)
    press_on_slider(lr, "ArrowLeft", times=3)
    diff, _ = wait_for_change(lambda: image.screenshot(timeout=10_000), before)
    assert slider_readout(lr) != value_before
    assert diff > 0.002, f"the figure did not change with the learning rate (diff {diff:.4f})"
    assert dom_tracebacks(page) == []


def test_explorer_tab_labels_are_not_cut_short(explorer_page: tuple[Any, dict]) -> None:
    page, _ = explorer_page
    app = _explorer(page)
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


def test_explorer_play_advances_frames(explorer_page: tuple[Any, dict]) -> None:
    page, _ = explorer_page
    app = _explorer(page)
    image = app.locator("img.widget-image").first
    step = slider(app, "step")
    play, stop = (app.locator(".widget-play button").nth(i) for i in (0, 1))
    play.click(timeout=10_000)
    steps, shots = [], []
    try:
        deadline = time.monotonic() + 20
        while len(set(steps)) < 4 and time.monotonic() < deadline:
            steps.append(int(slider_readout(step)))
            shots.append(image.screenshot(timeout=10_000))
            time.sleep(0.4)
    finally:
        stop.click(timeout=10_000)
    distinct = sorted(set(steps))
    assert len(distinct) >= 3, f"Play did not advance the step: {steps}"
    increases = sum(b > a for a, b in zip(steps, steps[1:], strict=False))
    assert increases >= 2, f"the step did not move forward while playing: {steps}"
    assert pixel_difference(shots[0], shots[-1]) > 0.001, "the frames did not change"


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
