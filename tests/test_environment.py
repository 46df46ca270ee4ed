"""``environment.yml`` + ``postBuild`` (conda, Binder, repo2docker for a JupyterHub) build the
same environment as ``make lab``.

``make lab``'s side is read from the Makefile's own recipe (``make -n``, which runs nothing): the
``pip install -e ".[extras]"`` line gives the extras, ``pyproject.toml`` gives ``[project]
dependencies`` and those extras, and the ``cp`` lines give the JupyterLab settings copied into the
environment. The other side is every conda and pip requirement of ``environment.yml`` plus
anything ``postBuild`` pip-installs; ``postBuild`` itself is run against a temporary prefix to
see which settings files it installs. Package names are compared after PEP 503 normalisation
and version ranges as PEP 440 specifier sets, so adding a dependency (or changing a range) on
one side only fails here.
"""

from __future__ import annotations

import filecmp
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")
yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parent.parent
MAKE = shutil.which("make")
#: conda-forge names that differ from the PyPI name of the same package (none used today)
CONDA_TO_PYPI: dict[str, str] = {}
#: entries of environment.yml that are not packages of the course
CONDA_ONLY = {"python", "pip"}
#: packages that only the JupyterHub/Binder image needs, and why (docs/teaching.md); nothing
#: else may be in environment.yml without being in make lab's environment
HUB_ONLY = {"nbgitpuller": "its links pull the notebooks into each student's home on a hub"}

Requirements = dict[str, tuple[SpecifierSet, frozenset[str]]]


def _requirements(lines: list[str], where: str) -> Requirements:
    found: Requirements = {}
    for line in lines:
        req = Requirement(line)
        name = canonicalize_name(CONDA_TO_PYPI.get(req.name, req.name))
        assert name not in found, f"{where}: {name} is listed twice"
        found[name] = (req.specifier, frozenset(req.extras))
    return found


def _make_recipe() -> list[str]:
    """The commands that install ``make lab``'s environment, printed by make without running
    them (``-W pyproject.toml``: as if pyproject.toml had changed)."""
    if MAKE is None:
        pytest.skip("needs make")
    out = subprocess.run([MAKE, "-n", "-W", "pyproject.toml", ".venv/.installed"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    return out.splitlines()


def make_lab_extras() -> list[str]:
    """The extras of the Makefile's ``pip install -e ".[...]"``."""
    lines = [line for line in _make_recipe() if "pip install" in line and " -e " in line]
    assert len(lines) == 1, lines
    match = re.search(r"""-e\s+["']?\.\[([\w,\s-]+)\]""", lines[0])
    assert match, lines[0]
    return [extra.strip() for extra in match.group(1).split(",")]


def make_lab_requirements() -> Requirements:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = list(project["dependencies"])
    for extra in make_lab_extras():
        lines += project["optional-dependencies"][extra]
    return _requirements(lines, "pyproject.toml")


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def _postbuild_pip_installs() -> list[str]:
    """Requirements that postBuild installs with pip (none today)."""
    found = []
    for line in (ROOT / "postBuild").read_text(encoding="utf-8").splitlines():
        words = shlex.split(line, comments=True)
        if "pip" in words and "install" in words:
            found += [w for w in words[words.index("install") + 1:] if not w.startswith("-")]
    return found


def environment_requirements() -> Requirements:
    conda, pip = [], []
    for entry in _environment()["dependencies"]:
        if isinstance(entry, dict):
            pip += [line for line in entry.get("pip", []) if not line.startswith("-e")]
        elif re.match(r"[\w.-]+", entry).group(0) not in CONDA_ONLY:
            conda.append(entry)
    return _requirements(conda + pip + _postbuild_pip_installs(), "environment.yml + postBuild")


def test_the_same_packages_in_the_same_ranges():
    ours, theirs = make_lab_requirements(), environment_requirements()
    for name in HUB_ONLY:
        assert name in theirs, f"{name} is listed as hub-only but environment.yml lacks it"
        assert name not in ours, f"{name} is in make lab's environment: drop it from HUB_ONLY"
        del theirs[name]
    only_make = sorted(set(ours) - set(theirs))
    only_env = sorted(set(theirs) - set(ours))
    assert not only_make, f"in pyproject.toml (make lab) but not in environment.yml: {only_make}"
    assert not only_env, f"in environment.yml/postBuild but not in make lab's: {only_env}"
    for name, (spec, extras) in ours.items():
        assert theirs[name] == (spec, extras), (
            f"{name}: make lab installs {name}{sorted(extras) or ''}{spec}, environment.yml "
            f"{name}{sorted(theirs[name][1]) or ''}{theirs[name][0]}")


def test_environment_installs_the_course_itself_and_a_python_it_supports():
    env = _environment()
    pip = next(entry["pip"] for entry in env["dependencies"] if isinstance(entry, dict))
    assert "-e ." in pip, "environment.yml must pip-install the course (course_utils) itself"
    python = next(e for e in env["dependencies"] if isinstance(e, str) and
                  re.match(r"python\b", e))
    version = re.search(r"(\d+\.\d+)", python).group(1)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert SpecifierSet(project["requires-python"]).contains(f"{version}.0")
    assert "pip" in env["dependencies"]


def test_the_extras_are_what_make_lab_installs():
    assert make_lab_extras() == ["lab", "test"]  # a change here must update environment.yml


def _make_settings_copies() -> dict[str, Path]:
    """{path under the environment's prefix: source file} of the Makefile's cp lines."""
    copies = {}
    for line in _make_recipe():
        if not line.lstrip().startswith("cp "):
            continue
        words = shlex.split(line)
        if words[:1] == ["cp"]:
            source, dest = words[-2], words[-1]
            prefix = ".venv/"
            assert dest.startswith(prefix), line
            rel = dest[len(prefix):]
            if rel.endswith("/"):
                rel += Path(source).name
            copies[rel] = ROOT / source
    return copies


def test_postbuild_installs_the_same_lab_settings(tmp_path):
    make_copies = _make_settings_copies()
    assert make_copies == {"share/jupyter/lab/settings/overrides.json":
                           ROOT / "lab-settings" / "overrides.json"}
    prefix = tmp_path / "prefix"
    env = {k: v for k, v in os.environ.items() if k != "CONDA_PREFIX"}
    env["NB_PYTHON_PREFIX"] = str(prefix)
    subprocess.run(["bash", str(ROOT / "postBuild")], cwd=ROOT, env=env, check=True,
                   timeout=60)
    installed = {str(p.relative_to(prefix)) for p in prefix.rglob("*") if p.is_file()}
    assert installed == set(make_copies)
    for rel, source in make_copies.items():
        assert filecmp.cmp(prefix / rel, source, shallow=False), rel


def test_a_dependency_added_on_one_side_only_is_caught(monkeypatch):
    """The comparison itself: one extra package on either side makes it fail."""
    ours = make_lab_requirements()
    theirs = environment_requirements()
    assert ours == {k: v for k, v in theirs.items() if k not in HUB_ONLY}
    extra = _requirements(["rich>=13"], "test")
    monkeypatch.setattr(sys.modules[__name__], "make_lab_requirements",
                        lambda: {**ours, **extra}, raising=True)
    with pytest.raises(AssertionError, match="not in environment.yml"):
        test_the_same_packages_in_the_same_ranges()
    monkeypatch.setattr(sys.modules[__name__], "make_lab_requirements", lambda: ours)
    monkeypatch.setattr(sys.modules[__name__], "environment_requirements",
                        lambda: {**theirs, **_requirements(["ipywidgets>=8.1,<10"], "t")})
    with pytest.raises(AssertionError, match="ipywidgets"):
        test_the_same_packages_in_the_same_ranges()
