"""The headless model: settings in, paths out, with no widget and no figure."""

from __future__ import annotations

import ast
import copy
import dataclasses
from pathlib import Path

import numpy as np
import pytest

from course_utils import explorer, optimizers, runner, surfaces
from course_utils.explorer import ExplorerModel
from course_utils.explorer.paths import PathData

from .helpers import demo, expected_run

PACKAGE = Path(explorer.__file__).resolve().parent.parent


@pytest.fixture
def settings():
    return explorer.normalize_state({"surface": "ravine", "optimizers": ["sgd", "adam", "rprop"],
                                     "steps": 40})


def test_compute_runs_every_enabled_optimizer_like_run(settings):
    result = ExplorerModel().compute(settings)
    ravine = surfaces.get("ravine")
    assert list(result.paths) == ["sgd", "adam", "rprop"]  # display order
    assert result.surface_changed and result.problems == () and result.surface.name == "ravine"
    for name, path in result.paths.items():
        assert isinstance(path, PathData) and path.name == name
        traj = expected_run(name, ravine, demo("ravine", name), 40)
        np.testing.assert_array_equal(path.trajectory.points, traj.points)
        np.testing.assert_array_equal(path.xy, traj.points)
        assert path.exit is None and path.diverged_at == -1
        np.testing.assert_allclose(path.gap, np.maximum(traj.losses - ravine.f_min, 1e-300))
        assert path.eigenvalues.shape == (41, 2) and np.allclose(path.condition, 20.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.paths["sgd"].diverged_at = 3


def test_compute_reruns_only_what_changed(settings, monkeypatch):
    model = ExplorerModel()
    first = model.compute(settings).paths
    ran = []
    real = runner.run
    monkeypatch.setattr(runner, "run", lambda opt, *a, **k: ran.append(opt.name)
                        or real(opt, *a, **k))
    again = model.compute(copy.deepcopy(settings))
    assert ran == [] and not again.surface_changed
    assert all(again.paths[n] is first[n] for n in first)
    settings["optimizers"]["adam"]["learning_rate"] = 0.01
    changed = model.compute(settings).paths
    assert ran == ["adam"] and changed["sgd"] is first["sgd"] and changed["adam"] is not \
        first["adam"]
    settings["start"] = [-5.0, 2.0]  # shared by all: every optimizer reruns
    model.compute(settings)
    assert sorted(ran[1:]) == ["adam", "rprop", "sgd"]
    settings["surface"] = {"name": "ravine", "params": {"condition": 50.0, "angle": 0.0}}
    assert model.compute(settings).surface_changed and model.surface.params["condition"] == 50
    model.clear()
    assert model.paths == {} and model.phase_diagram is None


def test_a_bad_hyperparameter_is_a_problem_not_an_exception(settings):
    settings["optimizers"]["adam"]["beta_1"] = 2.0  # past normalize_state's check
    result = ExplorerModel().compute(settings)
    assert list(result.paths) == ["sgd", "rprop"]
    (problem,) = result.problems
    assert problem.startswith("Adam: ") and "beta_1" in problem


def test_notes_tell_the_student_what_happened(settings):
    settings["steps"] = 0
    settings["optimizers"]["sgd"]["learning_rate"] = 100.0
    settings["schedule"] = {"name": "exponential_decay", "initial_learning_rate": 1.0,
                            "decay_steps": 100.0, "decay_rate": 0.5}
    notes = " ".join(ExplorerModel().compute(settings).notes)
    assert "Zero steps" in notes
    assert "Rprop has no learning rate, so the schedule does not change it." in notes
    settings["steps"] = 20
    notes = " ".join(ExplorerModel().compute(settings).notes)
    assert "Diverged" in notes and "SGD at step" in notes
    for entry in settings["optimizers"].values():
        entry["enabled"] = False
    result = ExplorerModel().compute(settings)
    assert result.paths == {} and "Select at least one optimizer" in result.notes[0]


def test_steps_to_tol_follows_sweeps_rule(settings):
    model = ExplorerModel()
    model.compute(settings)
    ravine = surfaces.get("ravine")
    for name in ("sgd", "adam"):
        hyper = demo("ravine", name)
        swept = runner.sweep(optimizers.get(name, **hyper), ravine, ravine.start, 40, tol=1e-3)
        assert model.steps_to_tol(name, 1e-3) == int(swept.steps_to_tol)


def test_inside_is_computed_once_per_path(settings):
    model = ExplorerModel()
    model.compute(settings)
    series = model.inside("adam")
    assert model.inside("adam") is series and series.effective_lr.shape == (41, 2)
    assert np.isnan(series.effective_lr[0]).all() and series.learning_rate[1] == 0.3
    assert [label for label, _ in series.rows[:2]] == ["θ", "∇f(θ)"]


def test_phase_is_computed_for_the_inspected_optimizer(settings):
    model = ExplorerModel()
    assert model.compute(settings) and model.phase(settings) is None  # the panel is off
    settings["phase"]["enabled"] = True
    settings["phase"]["resolution"] = 16
    diagram = model.phase(settings)
    assert diagram.optimizer == "rprop" and (diagram.x_name, diagram.y_name) == (
        "initial_step", "eta_plus")
    assert diagram.values.shape == (16, 16) and model.phase(settings) is diagram


def _imports(path: Path) -> set[str]:
    """The absolute names of the modules ``path`` imports (relative ones resolved)."""
    package = "course_utils." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rstrip(".").split(".")
            base = base[: len(base) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


def test_the_model_needs_no_widgets_and_no_figure():
    """Everything the model imports, transitively inside the package, is headless."""
    todo, seen, outside = [PACKAGE / "explorer" / "model.py"], set(), set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in _imports(path):
            if not name.startswith("course_utils"):
                outside.add(name.split(".")[0])
                continue
            parts = name.split(".")[1:]
            if not parts or parts == ["explorer"]:
                continue  # the package inits only re-export
            rel = Path(*parts)
            for candidate in (PACKAGE / rel.with_suffix(".py"), PACKAGE / rel / "__init__.py"):
                if candidate.exists():
                    todo.append(candidate)
                    break
    names = {str(p.relative_to(PACKAGE)) for p in seen}
    assert "ipywidgets" not in outside
    assert not names & {"explorer/app.py", "explorer/controls.py", "explorer/view.py",
                        "explorer/html.py"}, sorted(names)
    assert {"explorer/model.py", "explorer/paths.py", "explorer/inside.py"} <= names


def test_a_control_that_is_switched_off_reruns_nothing(settings):
    model = ExplorerModel()
    first = model.compute(settings).paths
    off = copy.deepcopy(settings)
    off["noise"]["stddev"] = 5.0  # noise is off: σ changes no gradient
    off["clip"]["threshold"] = 0.01  # clipping is off
    again = model.compute(off).paths
    assert all(again[n] is first[n] for n in first)
    on = copy.deepcopy(off)
    on["clip"]["mode"] = "norm"  # now the threshold matters
    clipped = model.compute(on).paths
    assert all(clipped[n] is not first[n] for n in first)
    ravine = surfaces.get("ravine")
    traj = expected_run("sgd", ravine, demo("ravine", "sgd"), 40,
                        transform=optimizers.clip_by_norm(0.01))
    np.testing.assert_array_equal(clipped["sgd"].trajectory.points, traj.points)


def test_sigma_does_not_apply_to_the_real_minibatch_gradient():
    settings = explorer.normalize_state({"surface": "logistic", "optimizers": ["sgd"],
                                         "steps": 10, "noise": {"enabled": True}})
    model = ExplorerModel()
    first = model.compute(settings).paths["sgd"]
    settings["noise"]["stddev"] = 3.0
    assert model.compute(settings).paths["sgd"] is first
    settings["noise"]["seed"] = 7  # another draw of minibatches
    assert model.compute(settings).paths["sgd"] is not first
