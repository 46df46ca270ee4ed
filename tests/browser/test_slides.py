"""Live slides with jupyterlab-deck: a slide with a live widget shows the widget, not text.

The course notebook is run in JupyterLab, then presented with jupyterlab-deck (the command
"deck:start", which the notebook toolbar's deck button runs) starting on each slide that holds
a widget output. On that slide the widget's DOM must be on screen, in the viewport, with no
widget repr text; the arrow key moves to the next slide and the remote's "Exit Deck" button
ends the presentation. The explorer's slide shows the explorer's canvas (anywidget, drawn in
the browser), and its Play button animates it there: the step (the canvas's ``dataset.step``)
advances and the canvas's pixels change.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import ARTIFACTS, loopback_page
from .lab_helpers import (
    CANVAS_MAP,
    CANVAS_PLAY,
    CANVAS_ROOT,
    WIDGET_AS_TEXT,
    canvas_pixels,
    canvas_side_by_side,
    canvas_state,
    cell_index_of,
    open_notebook,
    run_all,
    run_command,
    wait_for_canvas_change,
    wait_for_canvas_drawn,
)

DECK_NOTEBOOK = "00_explorer.ipynb"
#: the slide types jupyterlab-deck 0.2 places on slides; any other value (nbconvert's "-" for
#: "continue the slide") hides the cell in the deck: its slide shows without it
DECK_SLIDE_TYPES = {None, "slide", "subslide", "fragment", "skip", "notes"}

_DECK_MODE_JS = "() => document.body.dataset.jpDeckMode || null"
_ACTIVE_JS = "() => window.jupyterapp.shell.currentWidget.content.activeCellIndex"


@pytest.fixture(scope="module")
def deck_page(browser: Any, lab_server: Any) -> Iterator[Any]:
    with loopback_page(browser, "deck-" + DECK_NOTEBOOK.removesuffix(".ipynb")) as pg:
        open_notebook(pg, lab_server, DECK_NOTEBOOK)
        state = run_all(pg, timeout_s=180)
        assert state["errors"] == [], state["errors"]
        yield pg


def _slide_types(page: Any) -> list[str | None]:
    return page.evaluate("""() => {
      const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
      const types = [];
      for (let i = 0; i < cells.length; i++) {
        const show = cells.get(i).getMetadata('slideshow') || {};
        types.push(show.slide_type === undefined ? null : show.slide_type);
      }
      return types; }""")


def _widget_cells(page: Any) -> list[int]:
    return page.evaluate("""() => window.jupyterapp.shell.currentWidget.content.widgets
      .map((cell, i) => cell.node.querySelector('.jp-OutputArea-output .jupyter-widgets')
           ? i : -1).filter((i) => i >= 0)""")


def _slide_start(types: list[str | None], index: int) -> int:
    """The cell that opens the (sub)slide on which cell ``index`` is shown."""
    while index > 0 and types[index] not in ("slide", "subslide"):
        index -= 1
    return index


def _present(page: Any, types: list[str | None], index: int) -> Any:
    """Start the deck on the slide of cell ``index`` and go forward until the cell is shown
    (a cell after a fragment appears when the presenter reaches it); return the cell."""
    start = _slide_start(types, index)
    page.evaluate(f"() => {{ window.jupyterapp.shell.currentWidget.content"
                  f".activeCellIndex = {start}; }}")
    run_command(page, "deck:start")
    page.wait_for_function("() => document.body.dataset.jpDeckMode === 'presenting'",
                           timeout=15_000)
    viewport = page.viewport_size
    head = page.locator(".jp-Notebook .jp-Cell").nth(start).bounding_box()
    assert head and head["y"] < viewport["height"] and head["y"] + head["height"] > 0, (
        f"the deck shows the slide of cell {start} off screen (an empty slide): {head}")
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    for _ in range(index - start):
        if "jp-deck-mod-visible" in (cell.get_attribute("class") or ""):
            break
        run_command(page, "deck:forward")
        page.wait_for_timeout(300)
    page.wait_for_timeout(500)  # the deck fades cells in (0.1 s transition)
    classes = cell.get_attribute("class") or ""
    hidden = {i: t for i, t in enumerate(types) if t not in DECK_SLIDE_TYPES}
    assert "jp-deck-mod-onscreen" in classes and "jp-deck-mod-visible" in classes, (
        f"cell {index} (slide_type {types[index]!r}) holds a live widget but is not on "
        f"its slide in the deck. jupyterlab-deck 0.2 hides cells whose slide_type is "
        f"not one of {sorted(t for t in DECK_SLIDE_TYPES if t)} or absent; cells with "
        f"another value: {json.dumps(hidden)[:300]}")
    return cell


def _in_viewport(page: Any, box: dict | None) -> bool:
    viewport = page.viewport_size
    return bool(box) and -2 <= box["y"] < viewport["height"] \
        and 0 <= box["x"] < viewport["width"]


def _scroll_back_up(page: Any) -> None:
    """Scroll the slide back to its top before leaving it."""
    viewport = page.viewport_size
    page.mouse.move(viewport["width"] / 2, viewport["height"] / 2)
    page.mouse.wheel(0, -20_000)
    page.wait_for_timeout(300)


def test_deck_shows_live_widgets_as_widgets(deck_page: Any) -> None:
    page = deck_page
    types, widget_cells = _slide_types(page), _widget_cells(page)
    assert widget_cells, f"no widget output in {DECK_NOTEBOOK}: nothing to present"
    try:
        for index in widget_cells:
            cell = _present(page, types, index)
            widget = cell.locator(".jp-OutputArea-output .jupyter-widgets").first
            widget.wait_for(state="visible", timeout=10_000)
            # on a slide taller than the screen the presenter scrolls down to the widget
            widget.scroll_into_view_if_needed(timeout=10_000)
            page.screenshot(path=str(ARTIFACTS / f"deck-slide-with-cell-{index}.png"))
            box = widget.bounding_box()
            assert box and box["width"] > 50 and box["height"] > 10, box
            assert _in_viewport(page, box), box
            text = cell.locator(".jp-Cell-outputArea").first.inner_text()
            assert not WIDGET_AS_TEXT.search(text) and "Error displaying widget" not in text
            _scroll_back_up(page)
            _stop_deck(page)
    finally:
        if page.evaluate(_DECK_MODE_JS) == "presenting":
            run_command(page, "deck:stop")


def test_deck_explorer_slide_shows_and_plays_the_canvas(deck_page: Any) -> None:
    page = deck_page
    page.wait_for_selector(f".jp-Notebook {CANVAS_ROOT}", state="attached", timeout=60_000)
    index = cell_index_of(page, CANVAS_ROOT)
    types = _slide_types(page)
    try:
        cell = _present(page, types, index)
        root = cell.locator(CANVAS_ROOT).first
        play = root.locator(CANVAS_PLAY).first
        root.locator(CANVAS_MAP).scroll_into_view_if_needed(timeout=10_000)
        wait_for_canvas_drawn(root)
        box = root.locator(CANVAS_MAP).bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100, box
        assert _in_viewport(page, box), f"the explorer's canvas is off the slide: {box}"
        assert canvas_side_by_side(root) is None, canvas_side_by_side(root)
        assert "Error displaying widget" not in cell.locator(".jp-Cell-outputArea").inner_text()
        before, first = canvas_pixels(root), canvas_state(root)
        play.scroll_into_view_if_needed(timeout=10_000)
        play.click(timeout=10_000)
        try:
            page.wait_for_function(
                "([el, k]) => Number(el.dataset.step) !== k && Number(el.dataset.step) >= 3",
                arg=[root.element_handle(), first["step"]], timeout=20_000)
            diff, _ = wait_for_canvas_change(root, before)
            page.screenshot(path=str(ARTIFACTS / "deck-explorer-canvas-playing.png"))
        finally:
            play.click(timeout=10_000)  # Pause
        now = canvas_state(root)
        assert now["step"] != first["step"] and now["frames"] > first["frames"], (first, now)
        assert diff > 0.001, f"the canvas's pixels did not change while playing ({diff:.4f})"
        _scroll_back_up(page)
        _stop_deck(page)
    finally:
        if page.evaluate(_DECK_MODE_JS) == "presenting":
            run_command(page, "deck:stop")


def _stop_deck(page: Any) -> None:
    """End the presentation with the remote's Exit Deck button, as a presenter would."""
    page.locator(".jp-Deck-Remote .jp-deck-mod-stop").click(timeout=10_000)
    page.wait_for_function("() => document.body.dataset.jpDeckMode !== 'presenting'",
                           timeout=10_000)


def test_deck_arrow_key_goes_to_the_next_slide(deck_page: Any) -> None:
    page = deck_page
    types = _slide_types(page)
    first = types.index("slide")
    page.evaluate(f"() => {{ window.jupyterapp.shell.currentWidget.content"
                  f".activeCellIndex = {first}; }}")
    run_command(page, "deck:start")
    try:
        page.wait_for_function("() => document.body.dataset.jpDeckMode === 'presenting'",
                               timeout=15_000)
        page.locator(".jp-Notebook .jp-Cell").nth(first).click(timeout=10_000)
        page.keyboard.press("Escape")  # command mode: the deck's keys act there
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => ({_ACTIVE_JS})() > {first}", timeout=10_000)
        now = page.evaluate(_ACTIVE_JS)
        assert types[now] in ("slide", "subslide", "fragment", None), (now, types[now])
        _stop_deck(page)
        assert page.evaluate(_DECK_MODE_JS) != "presenting"
    finally:
        if page.evaluate(_DECK_MODE_JS) == "presenting":
            run_command(page, "deck:stop")
