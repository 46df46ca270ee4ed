"""The package itself: light import, re-exports, data file in place."""

from __future__ import annotations

import os
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


def test_built_wheel_holds_every_subpackage(tmp_path):
    """A wheel built from pyproject.toml ships the subpackages and imports on its own."""
    import zipfile

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(tmp_path / "dist"), str(ROOT)],
                   check=True, capture_output=True, text=True, timeout=600)
    (wheel,) = (tmp_path / "dist").glob("course_utils-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = sorted({str(p.parent.relative_to(ROOT)) for p in
                       (ROOT / "course_utils").rglob("__init__.py")})
    assert len(packages) >= 5  # course_utils, optimizers, surfaces, explorer, lab
    for package in packages:
        assert f"{package}/__init__.py" in names, package
    # package data: the explorer canvas's browser side (plain JS files, joined at import)
    canvas_js = sorted(p.relative_to(ROOT).as_posix() for p in
                       (ROOT / "course_utils" / "explorer" / "canvas").glob("*.js"))
    assert canvas_js and set(canvas_js) <= names, sorted(set(canvas_js) - names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("import course_utils, course_utils.optimizers.registry, course_utils.surfaces.catalog,"
            " course_utils.explorer, course_utils.explorer.canvas, course_utils.lab._runtime\n"
            "print(course_utils.__file__)\n"
            "print(len(course_utils.optimizers.names()), len(course_utils.surfaces.names()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, check=True, env={**os.environ, "PYTHONPATH": str(site)})
    path, counts = out.stdout.split("\n")[:2]
    assert path.startswith(str(site))
    assert counts == f"{len(course_utils.optimizers.names())} {len(course_utils.surfaces.names())}"
