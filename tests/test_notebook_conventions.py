"""Every notebook follows the course conventions (checked on the files, without running them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
# jupyterlab-deck 0.2 continues a slide with a cell that has *no* slide type and hides a cell
# whose slide type is "-" (which RISE and nbconvert read as "continue"), so continuation cells
# carry no slideshow metadata at all: that presents the same way in every tool.
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes"}


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_outputs_are_stripped_except_checked_cells(path):
    for index, cell in enumerate(_cells(path)):
        if cell["cell_type"] != "code":
            continue
        checked = "".join(cell["source"]).lstrip().startswith("# NBVAL_CHECK_OUTPUT")
        if checked:
            assert cell["outputs"], f"{path.name} cell {index}: a checked cell needs its output"
            assert cell["metadata"].get("keep_output") is True, (
                f"{path.name} cell {index}: mark checked cells with keep_output for nbstripout")
        else:
            assert cell["outputs"] == [], f"{path.name} cell {index} was committed with output"
            assert cell["execution_count"] is None, f"{path.name} cell {index}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_slide_metadata_presents_in_jupyterlab_deck(path):
    cells = _cells(path)
    kinds = []
    for index, cell in enumerate(cells):
        slideshow = cell["metadata"].get("slideshow")
        if slideshow is None:
            continue  # continues the current slide
        kind = slideshow.get("slide_type")
        assert kind in SLIDE_TYPES, f"{path.name} cell {index}: slide_type {kind!r}"
        kinds.append(kind)
    assert cells[0]["metadata"]["slideshow"]["slide_type"] == "slide"
    assert kinds.count("slide") >= 5, f"{path.name}: a deck needs slides"
    assert "notes" in kinds, f"{path.name}: no speaker notes"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_setup_cell_imports_course_utils(path):
    # The Colab cell (tests/test_colab_cell.py) comes first and does nothing outside Colab.
    code = ["".join(c["source"]) for c in _cells(path) if c["cell_type"] == "code"
            and "colab-setup" not in c["metadata"].get("tags", [])]
    first = next(src for src in code if src.strip() and not src.lstrip().startswith("%"))
    assert "course_utils" in first, f"{path.name}: the first code cell must import course_utils"
