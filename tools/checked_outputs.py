"""Run notebooks and keep only the outputs that nbval checks.

A cell whose source starts with ``# NBVAL_CHECK_OUTPUT`` is compared by ``make test`` with the
output committed in the notebook; every other cell is committed without output. After editing
such a cell (or what it prints), run::

    python tools/checked_outputs.py notebooks/08_optimizer_lab.ipynb

It executes the notebook as the tests do (``COURSE_FAST=1``, the Agg backend, from
``notebooks/``), stores the fresh outputs of the checked cells (numbered 1, 2, ... and marked
``keep_output`` for nbstripout) and strips all other outputs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

MARK = "# NBVAL_CHECK_OUTPUT"


def is_checked(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and cell.source.lstrip().startswith(MARK)


def keep_checked_outputs(executed: nbformat.NotebookNode,
                         original: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``original`` with the outputs of ``executed``'s checked cells, and no other output."""
    count = 0
    for ran, cell in zip(executed.cells, original.cells, strict=True):
        if cell.cell_type != "code":
            continue
        if is_checked(cell):
            count += 1
            cell.outputs = [output for output in ran.outputs
                            if output.get("output_type") != "display_data"]
            for output in cell.outputs:
                if output.get("output_type") == "execute_result":
                    output["execution_count"] = count
            cell.execution_count = count
            cell.metadata["keep_output"] = True
        else:
            cell.outputs = []
            cell.execution_count = None
    return original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args()
    os.environ.setdefault("COURSE_FAST", "1")
    os.environ["MPLBACKEND"] = "Agg"
    for path in args.notebooks:
        original = nbformat.read(path, as_version=4)
        executed = nbformat.read(path, as_version=4)
        NotebookClient(executed, timeout=args.timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.resolve().parent)}}).execute()
        nbformat.write(keep_checked_outputs(executed, original), path)
        kept = sum(is_checked(c) for c in original.cells)
        print(f"{path}: {kept} checked cell(s) updated", file=sys.stderr)


if __name__ == "__main__":
    main()
