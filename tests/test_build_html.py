"""The offline edition's builder (tools/build_html.py), without executing anything: which
notebooks run in fast mode, the fast-mode note, and what the exported pages carry.
(tests/browser/test_html_edition.py builds and opens a real edition.)"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_html  # noqa: E402

COURSE = build_html.course_notebooks()


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def test_only_the_keras_labs_shrink_in_fast_mode():
    labs = [p.stem for p in COURSE if build_html.honours_fast_mode(_read(p))]
    assert labs == ["08_optimizer_lab", "09_training_deep_networks"]


def test_the_fast_mode_flag_is_notebook_metadata_not_source_text():
    v4 = nbformat.v4
    calls = v4.new_notebook(cells=[v4.new_code_cell("FAST = lab.fast_mode()")])
    assert not build_html.honours_fast_mode(calls)            # the text alone says nothing
    calls.metadata["course"] = {"fast_mode": True}
    assert build_html.honours_fast_mode(calls)
    calls.metadata["course"] = {"fast_mode": "yes"}           # only a JSON true counts
    assert not build_html.honours_fast_mode(calls)


def test_every_notebook_that_reads_fast_mode_carries_the_flag():
    """A lab that sizes its work with ``fast_mode()`` must say so in its metadata (and only
    such a lab), or the offline build would run it in full, or another notebook shortened."""
    for path in COURSE:
        nb = _read(path)
        reads = any(c.cell_type == "code" and "fast_mode()" in c.source for c in nb.cells)
        assert build_html.honours_fast_mode(nb) is reads, path.name


@pytest.mark.parametrize(("requested", "lab", "other"),
                         [(None, "1", "0"), ("", "1", "0"), ("1", "1", "0"), ("0", "0", "0")])
def test_fast_mode_applies_to_the_labs_only(requested, lab, other):
    assert build_html.fast_setting(_read(ROOT / "notebooks/08_optimizer_lab.ipynb"),
                                   requested) == lab
    assert build_html.fast_setting(_read(ROOT / "notebooks/06_choosing_an_optimizer.ipynb"),
                                   requested) == other


def test_the_fast_mode_note_continues_the_first_slide():
    nb = build_html.with_fast_mode_banner(_read(ROOT / "notebooks/09_training_deep_networks.ipynb"))
    banner = nb.cells[1]
    assert banner.cell_type == "markdown" and "COURSE_FAST=0 make html" in banner.source
    assert "slideshow" not in banner.metadata  # continues the title slide
    assert nb.cells[0].metadata["slideshow"]["slide_type"] == "slide"


def test_exported_slides_scroll_and_widgets_use_the_interface_font(tmp_path):
    v4 = nbformat.v4
    nb = v4.new_notebook(cells=[v4.new_markdown_cell("# A title"), v4.new_code_cell("1 + 1")])
    nb.cells[0].metadata["slideshow"] = {"slide_type": "slide"}
    page, slides = build_html.export(nb, "tiny", tmp_path)
    slides_html = (tmp_path / slides).read_text()
    assert "var scroll = true" in slides_html  # tall slides scroll instead of being cut off
    for name in (page, slides):
        text = (tmp_path / name).read_text()
        assert ".widget-label" in text and "var(--jp-ui-font-family" in text
