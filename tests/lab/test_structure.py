"""The shape of course_utils.lab: one-way imports (no cycle, not even through an import inside
a function), no dependency on the explorer, and the old import paths as façades."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "course_utils"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _imports(path: Path) -> set[str]:
    """The course_utils modules that ``path`` imports anywhere in it (functions included)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.add(child if _is_module(child) else base)
    return {m for m in found if m == "course_utils" or m.startswith("course_utils.")}


def _graph(start: str) -> dict[str, set[str]]:
    """Import edges of every course_utils module reachable from ``start``."""
    graph: dict[str, set[str]] = {}
    todo = [start]
    while todo:
        name = todo.pop()
        if name in graph:
            continue
        path = ROOT.joinpath(*name.split("."))
        path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        graph[name] = _imports(path)
        todo.extend(graph[name] - set(graph))
    return graph


LAB_MODULES = sorted(_module_name(p) for p in (PACKAGE / "lab").glob("*.py"))


def test_the_graph_sees_relative_imports_and_imports_inside_functions():
    assert "course_utils.lab._runtime" in _imports(PACKAGE / "lab" / "training.py")
    assert "course_utils.lab.landscape" in _imports(PACKAGE / "lab" / "__init__.py")
    assert "course_utils.optimizers" in _imports(PACKAGE / "lab" / "catalog.py")


def test_the_lab_imports_one_way_without_a_cycle():
    graph = _graph("course_utils.lab")
    assert set(LAB_MODULES) <= set(graph)
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if nxt.startswith("course_utils.lab") or node.startswith("course_utils.lab"):
                assert state.get(nxt) != 1, " -> ".join(stack + [node, nxt])
            if nxt not in state:
                visit(nxt, stack + [node])
        state[node] = 2

    for module in LAB_MODULES:
        if module not in state:
            visit(module, [])
    # nothing outside the lab leads back into it (the façades are not imported by the lab)
    outside = {m for m in graph if not m.startswith("course_utils.lab")}
    for module in outside:
        assert not any(m.startswith("course_utils.lab") for m in graph[module]), module
    # the runtime, which loads Keras, imports nothing else of the package
    assert graph["course_utils.lab._runtime"] == set()
    # training -> landscape -> _runtime, one way
    assert "course_utils.lab.landscape" in graph["course_utils.lab.training"]
    assert not any(m.startswith("course_utils.lab.training")
                   for m in graph["course_utils.lab.landscape"])


def test_no_lab_module_imports_the_explorer():
    graph = _graph("course_utils.lab")
    for module, targets in graph.items():
        for target in targets:
            assert not target.startswith(("course_utils.explorer", "course_utils.widgets")), (
                module, target)


def test_the_lab_modules_stay_small():
    for path in (PACKAGE / "lab").glob("*.py"):
        lines = path.read_text().count("\n")
        assert lines < 1000, (path.name, lines)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                assert node.end_lineno - node.lineno < 400, (path.name, node.name)


@pytest.mark.parametrize(("facade", "names"), [
    ("course_utils.keras_utils",
     ("keras", "tf", "fast_mode", "keras_setup", "OPTIMIZER_NAMES", "LAB_LEARNING_RATES",
      "CheckResult", "MissingData", "train", "compare", "Dashboard", "check_optimizer",
      "memory_report", "plot_histories", "FAST_MODE_BANDS", "make_optimizer")),
    ("course_utils.landscape",
     ("LossEvaluator", "interpolate", "pca_directions", "pca_slice", "plot_interpolation",
      "plot_slice", "random_slice", "WeightRecorder", "Weights")),
])
def test_the_old_import_paths_are_thin_facades(facade, names):
    from course_utils import lab

    module = importlib.import_module(facade)
    for name in names:
        assert hasattr(module, name), name
    assert set(module.__all__) <= set(dir(module))
    assert module.keras_setup is lab.keras_setup if facade.endswith("keras_utils") else True
    assert module.CheckResult is lab.OptimizerCheck if facade.endswith("keras_utils") else True
    text = (ROOT / (facade.replace(".", "/") + ".py")).read_text()
    assert "def " not in text and "class " not in text          # re-exports only


@pytest.mark.parametrize("name", ["course_utils.lab", "course_utils.keras_utils",
                                  "course_utils.landscape"])
def test_every_exported_name_exists(name):
    module = importlib.import_module(name)
    assert [n for n in module.__all__ if not hasattr(module, n)] == []
