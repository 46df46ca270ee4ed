"""The package's shape: small modules, one-way dependencies, no import cycle.

The import graph is read from the source (every ``import`` statement, also those inside
functions), so a lazy import cannot hide a cycle. See ``docs/architecture.md``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "course_utils"

#: The numerical core: numpy only, imported by everything else, importing nothing else.
CORE = ("_validate", "optimizers", "surfaces", "schedules", "runner", "mnist", "checks")
#: Old module names kept as re-export façades for existing notebooks.
FACADES = ("widgets", "keras_utils", "landscape")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, *, top_level: bool = False) -> set[str]:
    """Every course_utils module that ``name`` imports, anywhere in its source (or, with
    ``top_level``, at import time: not inside functions)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    nodes = tree.body if top_level else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            # "from . import x" imports the submodule x when there is one
            targets = [f"{prefix}.{a.name}" if f"{prefix}.{a.name}" in MODULES else prefix
                       for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target.startswith("course_utils") and target != name:
                found.add(target)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}
#: What importing each module loads (imports inside functions run later, when called).
LOADS = {name: _imports(name, path, top_level=True) for name, path in MODULES.items()}


def _area(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_graph_sees_the_packages():
    assert {"course_utils.optimizers.registry", "course_utils.surfaces.registry",
            "course_utils.runner"} <= set(MODULES)
    assert "course_utils.optimizers.base" in GRAPH["course_utils.optimizers.registry"]


def test_no_import_cycle():
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in GRAPH[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in GRAPH:
        if module not in index:
            visit(module)
    assert cycles == []


def test_the_core_imports_nothing_of_the_rest():
    for module, targets in GRAPH.items():
        if _area(module) in CORE:
            outside = {t for t in targets if _area(t) not in CORE and t != "course_utils"}
            assert not outside, f"{module} imports {sorted(outside)}"
            assert "course_utils" not in targets or _area(module) == "", module


@pytest.mark.parametrize(("area", "forbidden"), [
    ("explorer", {"lab", "keras_utils", "landscape"}),
    ("lab", {"explorer", "widgets"}),
    ("plotting", {"explorer", "lab", "widgets", "keras_utils", "landscape"}),
])
def test_explorer_and_lab_never_import_each_other(area, forbidden):
    for module, targets in GRAPH.items():
        if _area(module) == area:
            bad = {t for t in targets if _area(t) in forbidden}
            assert not bad, f"{module} imports {sorted(bad)}"


def test_light_packages_do_not_import_heavy_libraries_at_module_level():
    """TensorFlow only in lab/ and ipywidgets only in explorer/ (and their façades)."""
    allowed = {"tensorflow": ("lab", "keras_utils", "landscape"),
               "keras": ("lab", "keras_utils", "landscape"),
               "ipywidgets": ("explorer", "widgets")}
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                     else [])
            for name in names:
                top = name.split(".")[0]
                if top in allowed:
                    assert _area(module) in allowed[top], f"{module} imports {name}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_and_classes_stay_small(module):
    source = MODULES[module].read_text()
    assert source.count("\n") <= 1000, f"{module} has {source.count(chr(10))} lines"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            length = node.end_lineno - node.lineno + 1
            assert length <= 400, f"class {node.name} in {module} has {length} lines"


#: The browser side of the explorer's canvas view: plain JS files joined by canvas.py.
CANVAS = PACKAGE / "explorer" / "canvas"
#: Comments and string / template literals (blanked before counting braces or statements).
_JS_NOISE = re.compile(r"""//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'"""
                       r"|`(?:\\.|[^`\\])*`", re.S)


def _canvas_parts() -> tuple[str, ...]:
    """``CANVAS_PARTS`` of explorer/canvas.py, read from its source (no anywidget import)."""
    for node in ast.parse((PACKAGE / "explorer" / "canvas.py").read_text()).body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "CANVAS_PARTS" for t in node.targets):
            return tuple(ast.literal_eval(node.value))
    raise AssertionError("explorer/canvas.py defines no CANVAS_PARTS")


def _js_code(path: Path) -> str:
    """The file's code with comments and strings blanked (their line breaks kept)."""
    return _JS_NOISE.sub(lambda m: "\n" * m.group().count("\n"), path.read_text(encoding="utf-8"))


def _js_classes(code: str) -> dict[str, int]:
    """``{name: lines}`` of each ``class X { ... }`` of ``code``, by matching braces."""
    classes = {}
    for match in re.finditer(r"^[ \t]*class\s+([\w$]+)[^{]*\{", code, re.M):
        depth, end = 1, match.end()
        while depth:
            assert end < len(code), f"class {match[1]}: no closing brace"
            depth += {"{": 1, "}": -1}.get(code[end], 0)
            end += 1
        classes[match[1]] = code.count("\n", match.start(), end) + 1
    return classes


def test_the_canvas_parts_are_the_files_of_the_folder():
    parts = _canvas_parts()
    assert len(parts) == len(set(parts))
    assert set(parts) == {p.name for p in CANVAS.glob("*.js")}
    assert not (PACKAGE / "explorer" / "canvas.js").exists()  # the one big file, split


@pytest.mark.parametrize("part", _canvas_parts())
def test_canvas_files_and_classes_stay_small(part):
    """The same rule as for Python: files up to 1,000 lines, classes up to 400."""
    path = CANVAS / part
    source = path.read_text(encoding="utf-8")
    assert source.count("\n") <= 1000, f"canvas/{part} has {source.count(chr(10))} lines"
    code = _js_code(path)
    classes = _js_classes(code)
    assert len(classes) == len(re.findall(r"^[ \t]*class\s", code, re.M))
    for name, length in classes.items():
        assert length <= 400, f"class {name} in canvas/{part} has {length} lines"


def test_only_the_last_canvas_part_exports():
    """The parts share one module scope: no imports, one ``export default`` at the very end."""
    *parts, last = _canvas_parts()
    statement = re.compile(r"^[ \t]*(import|export)\b", re.M)
    for part in parts:
        found = statement.search(_js_code(CANVAS / part))
        assert not found, f"canvas/{part} has an {found[1]} statement"
    code = _js_code(CANVAS / last)
    assert [m[1] for m in statement.finditer(code)] == ["export"], last
    export = re.search(r"^export default\b", code, re.M)
    assert export, f"canvas/{last}: no `export default` at the top level"
    after = code[export.end():].splitlines()[1:]  # nothing at the top level after it
    assert all(not line or line[0] in " }" for line in after), last


@pytest.mark.parametrize("module", sorted(m for m, p in MODULES.items()
                                          if p.name == "__init__.py"))
def test_init_modules_only_re_export(module):
    tree = ast.parse(MODULES[module].read_text())
    for node in tree.body:
        is_docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        is_import = isinstance(node, (ast.Import, ast.ImportFrom))
        is_dunder = isinstance(node, ast.Assign) and all(
            isinstance(t, ast.Name) and t.id.startswith("__") for t in node.targets)
        assert is_docstring or is_import or is_dunder, (
            f"{module} line {node.lineno}: __init__.py should only re-export")


def _closure(module: str, stop: tuple[str, ...] = ()) -> set[str]:
    """Every module that importing ``module`` loads, not looking past the modules in ``stop``."""
    seen, todo = set(), [module]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            if current not in stop:
                todo.extend(LOADS[current])
    return seen


def _third_party(module: str) -> set[str]:
    tops = set()
    for node in ast.parse(MODULES[module].read_text()).body:  # module level only
        if isinstance(node, ast.Import):
            tops |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            tops.add(node.module.split(".")[0])
    return tops


@pytest.mark.parametrize("module", ["course_utils.explorer.model",
                                    "course_utils.explorer.settings"])
def test_the_explorer_model_is_headless(module):
    """The explorer's model computes without widgets or matplotlib (tests, benchmarks)."""
    # the parent packages' __init__ run too, but the model does not need what they re-export
    packages = ("course_utils.explorer", "course_utils")
    for dependency in _closure(module, stop=packages) - set(packages):
        heavy = _third_party(dependency) & {"matplotlib", "ipywidgets", "tensorflow", "keras"}
        assert not heavy, f"{module} needs {dependency}, which imports {sorted(heavy)}"
