"""The Google Colab set-up cell of every notebook, and the GitHub path it and the badges use.

A notebook opened in Colab from GitHub arrives alone: without ``course_utils``, without
``data/mnist.npz`` and without the solutions. Its first code cell therefore fetches the course
when, and only when, it runs inside Colab; anywhere else the cell does nothing.

The repository's GitHub path is written once, in ``pyproject.toml`` (``[project.urls]``), and
this script copies it into the notebooks and the README's Binder and Colab badges::

    python tools/colab_cell.py                       # write the cell into every notebook
    python tools/colab_cell.py --repository me/opt  # set the GitHub path everywhere, then write
    python tools/colab_cell.py --check               # exit 1 if something is out of date

``tests/test_colab_cell.py`` checks that everything agrees and runs the cell in a fresh
virtual environment standing in for a Colab runtime.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
README = ROOT / "README.md"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

#: The tag that marks the cell, so that it can be found and replaced.
TAG = "colab-setup"

_URL_LINE = re.compile(r'^Repository = "https://github\.com/([^"]+)"$', re.MULTILINE)
_BADGE_PATH = re.compile(r"(mybinder\.org/v2/gh/|colab\.research\.google\.com/github/)"
                         r"([^/]+/[^/]+)(/)")
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")

# ``{repository}`` is filled in by this script; ``{course_dir}`` is expanded by IPython.
_TEMPLATE = '''\
# Google Colab only: fetch the course (code, MNIST, solutions) and install its helper package.
# Anywhere else this cell does nothing.
import sys

if "google.colab" in sys.modules:
    import os
    import subprocess

    course_repository = "https://github.com/{repository}"
    course_dir = "/content/course"
    if not os.path.isdir(course_dir):
        subprocess.run(["git", "clone", "--quiet", "--depth", "1", course_repository, course_dir],
                       check=True)
    %pip install --quiet -e {course_dir} "ipywidgets>=8.1,<9" "anywidget>=0.9,<1"
    sys.path.insert(0, course_dir)
    os.chdir(os.path.join(course_dir, "notebooks"))
    import ipywidgets

    if int(ipywidgets.__version__.split(".")[0]) < 8:
        print("ipywidgets 8 is now installed: choose Runtime > Restart session, "
              "then run the notebook again.")'''


def repository() -> str:
    """The ``owner/name`` GitHub path written in ``pyproject.toml``."""
    match = _URL_LINE.search(PYPROJECT.read_text())
    if match is None:
        raise SystemExit('pyproject.toml needs [project.urls] Repository = "https://github.com/…"')
    return match.group(1)


def cell_source(repo: str) -> str:
    """The Colab cell's source for the GitHub path ``repo``."""
    return _TEMPLATE.replace("{repository}", repo)


def _new_cell(repo: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": "colab-setup",
            "metadata": {"slideshow": {"slide_type": "skip"}, "tags": [TAG]},
            "outputs": [], "source": cell_source(repo).splitlines(keepends=True)}


def colab_cells(nb: dict) -> list[int]:
    """Indices of the cells tagged as the Colab cell."""
    return [i for i, c in enumerate(nb["cells"]) if TAG in c.get("metadata", {}).get("tags", [])]


def updated_notebook(nb: dict, repo: str) -> dict:
    """``nb`` with exactly one Colab cell, placed just before its first other code cell."""
    cells = [c for i, c in enumerate(nb["cells"]) if i not in set(colab_cells(nb))]
    first_code = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), len(cells))
    cells.insert(first_code, _new_cell(repo))
    return {**nb, "cells": cells}


def updated_readme(text: str, repo: str) -> str:
    """The README with both badges pointing at ``repo``."""
    return _BADGE_PATH.sub(lambda m: m.group(1) + repo + m.group(3), text)


def _dump(nb: dict) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def _set_repository(repo: str) -> None:
    if not _REPOSITORY.match(repo):
        raise SystemExit(f"--repository must look like owner/name, got {repo!r}")
    text = PYPROJECT.read_text()
    PYPROJECT.write_text(_URL_LINE.sub(f'Repository = "https://github.com/{repo}"', text))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repository", help="the GitHub path, owner/name")
    parser.add_argument("--check", action="store_true", help="only report what is out of date")
    args = parser.parse_args(argv)
    if args.repository and not args.check:
        _set_repository(args.repository)
    repo = repository()
    stale = []
    for path in [*NOTEBOOKS, README]:
        old = path.read_text()
        if path == README:
            new = updated_readme(old, repo)
        else:
            new = _dump(updated_notebook(json.loads(old), repo))
        if new != old:
            stale.append(path.relative_to(ROOT))
            if not args.check:
                path.write_text(new)
    verb = "out of date" if args.check else "updated"
    print(f"{verb}: {', '.join(map(str, stale))}" if stale else f"up to date ({repo})")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
