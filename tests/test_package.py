"""The package itself: light import, re-exports, data file in place."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import course_utils

ROOT = Path(__file__).resolve().parent.parent


def test_import_does_not_pull_heavy_libraries():
    code = (
        "import sys, course_utils\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'ipywidgets', 'matplotlib', 'numba')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.strip() == ""


def test_star_import_and_top_level_api():
    namespace: dict = {}
    exec("from course_utils import *", namespace)
    for name in course_utils.__all__:
        assert name in namespace
    assert callable(course_utils.run) and callable(course_utils.sweep)
    assert callable(course_utils.load_mnist)


def test_mnist_is_committed_with_its_readme():
    assert (ROOT / "data" / "mnist.npz").stat().st_size > 10_000_000
    readme = (ROOT / "data" / "README.md").read_text()
    assert "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64" in readme
