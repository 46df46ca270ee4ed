"""Every notebook follows the course conventions (checked on the files, without running them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}


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
def test_every_cell_has_slide_metadata(path):
    cells = _cells(path)
    for index, cell in enumerate(cells):
        kind = cell["metadata"].get("slideshow", {}).get("slide_type")
        assert kind in SLIDE_TYPES, f"{path.name} cell {index}: slide_type {kind!r}"
    assert cells[0]["metadata"]["slideshow"]["slide_type"] == "slide"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_setup_cell_imports_course_utils(path):
    code = ["".join(c["source"]) for c in _cells(path) if c["cell_type"] == "code"]
    first = next(src for src in code if src.strip() and not src.lstrip().startswith("%"))
    assert "course_utils" in first, f"{path.name}: the first code cell must import course_utils"
