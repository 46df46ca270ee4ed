"""The Google Colab cell (``tools/colab_cell.py``): one copy in every notebook, in step with the
README badges, inert outside Colab, and working in a fresh runtime that stands in for Colab."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import colab_cell  # noqa: E402

NOTEBOOKS = colab_cell.NOTEBOOKS


def _nb(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_notebooks_and_readme_are_in_step_with_pyproject(capsys):
    assert len(NOTEBOOKS) == 11
    assert colab_cell.main(["--check"]) == 0, capsys.readouterr().out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_colab_cell_comes_just_before_the_setup_cell(path):
    cells = _nb(path)["cells"]
    (index,) = colab_cell.colab_cells({"cells": cells})
    cell = cells[index]
    assert "".join(cell["source"]) == colab_cell.cell_source(colab_cell.repository())
    assert cell["metadata"]["slideshow"] == {"slide_type": "skip"}
    assert cell["outputs"] == [] and cell["execution_count"] is None
    assert all(c["cell_type"] != "code" for c in cells[:index])
    assert "import course_utils" in "".join(cells[index + 1]["source"]).replace(
        "from course_utils", "import course_utils")


def test_the_badges_open_the_repository_named_in_pyproject():
    repo = colab_cell.repository()
    readme = colab_cell.README.read_text()
    assert f"mybinder.org/v2/gh/{repo}/main?" in readme
    assert f"colab.research.google.com/github/{repo}/blob/main/notebooks/" in readme
    for path in NOTEBOOKS:  # the notebook table opens each one in Colab
        assert f"colab.research.google.com/github/{repo}/blob/main/notebooks/{path.name})" in readme


def test_setting_a_repository_rewrites_cell_and_badges():
    readme = colab_cell.updated_readme(colab_cell.README.read_text(), "someone/opt-course")
    assert readme.count("someone/opt-course") == 2 + len(NOTEBOOKS)
    nb = _nb(NOTEBOOKS[0])
    twice = colab_cell.updated_notebook(colab_cell.updated_notebook(nb, "a/b"), "someone/x")
    (index,) = colab_cell.colab_cells(twice)
    assert 'course_repository = "https://github.com/someone/x"' in "".join(
        twice["cells"][index]["source"])
    assert len(twice["cells"]) == len(nb["cells"])


@pytest.mark.parametrize("bad", ["someone", "a/b/c", "https://github.com/a/b", "a b/c"])
def test_a_malformed_repository_is_refused_before_anything_is_written(bad):
    before = colab_cell.PYPROJECT.read_text()
    with pytest.raises(SystemExit, match="owner/name"):
        colab_cell.main(["--repository", bad])
    assert colab_cell.PYPROJECT.read_text() == before


def test_the_offline_edition_leaves_the_colab_cell_out():
    import build_html as builder

    assert colab_cell.TAG in builder.ONLINE_ONLY_TAGS
    cells = _nb(NOTEBOOKS[0])["cells"]
    kept = builder.offline_cells(cells)
    assert len(kept) == len(cells) - 1 and colab_cell.colab_cells({"cells": kept}) == []


_RUN_CELL = """
import json, os, sys
from IPython.core.interactiveshell import InteractiveShell
before = set(sys.modules)
shell = InteractiveShell.instance()
result = shell.run_cell(open(sys.argv[1]).read())
print(json.dumps({"ok": result.success, "cwd": os.getcwd(),
                  "names": sorted(k for k in shell.user_ns if not k.startswith("_")
                                  and k not in shell.user_ns_hidden)}))
"""


def test_outside_colab_the_cell_does_nothing(tmp_path):
    cell = tmp_path / "cell.py"
    cell.write_text(colab_cell.cell_source(colab_cell.repository()))
    out = subprocess.run([sys.executable, "-c", _RUN_CELL, str(cell)], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120, check=True)
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report == {"ok": True, "cwd": str(tmp_path), "names": ["sys"]}


# A Colab runtime is a Python with IPython, NumPy, Matplotlib and ipywidgets 7 preinstalled and
# the ``google.colab`` package imported at start-up. Only that package is stood in for here (an
# empty module: the cell merely tests for it); git, pip, the clone and the imports are real.
_COLAB_SESSION = """
import json, os, sys
import google.colab  # noqa: F401  (imported at start-up by Colab)
if {preload_widgets}:
    import ipywidgets  # noqa: F401
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
result = shell.run_cell(open(sys.argv[1]).read())
report = {{"ok": result.success, "cwd": os.getcwd()}}
if result.success and not {preload_widgets}:
    import course_utils
    from course_utils import widgets
    app = widgets.explore("ravine", ("sgd", "adam"))
    report.update(package=course_utils.__file__, mnist=course_utils.load_mnist()[0][0].shape,
                  widget=type(app.widget).__name__, status=app.trajectories["adam"].status(),
                  view=app.view.backend,
                  solutions=os.path.isdir("solutions"))
print("REPORT " + json.dumps(report))
"""


def _report(stdout: str) -> dict:
    line = next(x for x in stdout.splitlines() if x.startswith("REPORT "))
    return json.loads(line[len("REPORT "):])


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs the course as a git repository")
def test_in_a_fresh_colab_like_runtime_the_cell_fetches_and_installs_the_course(tmp_path):
    runtime = tmp_path / "runtime"
    venv.create(runtime, with_pip=True)
    python = str(runtime / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "--quiet", "ipython", "numpy", "matplotlib",
                    "ipywidgets==7.7.1"], check=True, capture_output=True, timeout=600)
    stub = tmp_path / "stub" / "google" / "colab"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text("")
    course_dir = tmp_path / "content" / "course"
    source = colab_cell.cell_source(colab_cell.repository())
    source, n_repo = re.subn(r'course_repository = ".*"',
                             f'course_repository = "file://{ROOT}"', source)
    source, n_dir = re.subn(r'course_dir = ".*"', f'course_dir = "{course_dir}"', source)
    assert n_repo == n_dir == 1
    cell = tmp_path / "cell.py"
    cell.write_text(source)
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "stub"), "MPLBACKEND": "Agg"}
    env.pop("COURSE_MNIST_PATH", None)

    def session(preload_widgets: bool) -> tuple[dict, str]:
        script = textwrap.dedent(_COLAB_SESSION.format(preload_widgets=preload_widgets))
        out = subprocess.run([python, "-c", script, str(cell)], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stderr[-3000:]
        return _report(out.stdout), out.stdout

    # First run: Colab's own ipywidgets 7 was already imported, so the cell asks for a restart.
    first, stdout = session(preload_widgets=True)
    assert first == {"ok": True, "cwd": str(course_dir / "notebooks")}
    assert "Restart session" in stdout
    assert (course_dir / "data" / "mnist.npz").is_file()
    # After the restart: the clone is reused, and the course runs from it with ipywidgets 8.
    second, stdout = session(preload_widgets=False)
    assert "Restart session" not in stdout
    assert second["ok"] and second["cwd"] == str(course_dir / "notebooks")
    assert Path(second["package"]).is_relative_to(course_dir)
    assert second["mnist"] == [60000, 28, 28]
    assert second["solutions"] is True
    assert second["widget"] == "VBox" and second["status"] == "ok"
    assert second["view"] == "canvas"  # the cell installs anywidget: the browser draws
