"""An optimizer and a surface registered from outside the package appear everywhere.

This is what an instructor does in a notebook: ``optimizers.register(...)`` and
``surfaces.register(...)``, with no other edit. The explorer (checkbox, sliders, paths, table,
the "inside" view), races, phase diagrams and the setup JSON must all offer them.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from course_utils import explorer, optimizers, run, surfaces
from course_utils._validate import ParamSpec

from .helpers import PNG, line_xy


def heavy_ball(learning_rate: float = 0.05, momentum: float = 0.5):
    """Polyak's heavy ball: SGD with momentum, under its own name."""
    return optimizers.sgd(learning_rate, momentum)


def bowl(depth: float = 1.0) -> surfaces.Surface:
    """An elliptic bowl ``depth * (x² + 4 y²)``."""
    return surfaces.from_functions(
        "bowl", lambda x, y: depth * (x**2 + 4 * y**2),
        lambda x, y: (2 * depth * x, 8 * depth * y), lambda x, y: (2 * depth, 0.0, 8 * depth),
        xlim=(-2.0, 2.0), ylim=(-2.0, 2.0), start=(1.5, 1.0), minima=[(0.0, 0.0)],
        lesson="a bowl registered by a test")


@pytest.fixture
def registered():
    optimizers.register("heavy_ball", heavy_ball, label="heavy ball")
    surfaces.register("bowl", bowl,
                      parameters={"depth": ParamSpec(1.0, 0.5, 4.0, False, "steepness")})
    try:
        yield optimizers.info("heavy_ball")
    finally:
        optimizers.unregister("heavy_ball")
        surfaces.unregister("bowl")


def expected(surface, steps, **hyper):
    info = optimizers.info("heavy_ball")
    hyper = {**info.demo_hyperparameters(surface.name), **hyper}
    return run(optimizers.get("heavy_ball", **hyper), surface, surface.start, steps)


def test_a_registered_optimizer_and_surface_appear_in_the_explorer(registered):
    app = explorer.explore("bowl", ("heavy_ball", "sgd"), steps=30, depth=2.0)
    assert app.last_error is None
    assert "bowl" in app.surface_dropdown.options and app.surface.params == {"depth": 2.0}
    assert set(app.surface_controls) == {"depth"}
    check = app.optimizer_checks["heavy_ball"]
    assert check.description == "heavy ball" and check.value
    assert {s.description for s in app.sliders["heavy_ball"].values()} == {
        "learning rate ε", "momentum μ"}
    traj = expected(surfaces.get("bowl", depth=2.0), 30)
    np.testing.assert_array_equal(line_xy(app.lines["heavy_ball"]), traj.points)
    np.testing.assert_array_equal(app.trajectories["heavy_ball"].points, traj.points)
    assert "heavy ball" in app.table.value and explorer.LABELS["heavy_ball"] == "heavy ball"
    color, marker, _ = registered.style
    assert (app.lines["heavy_ball"].get_color(), app.lines["heavy_ball"].get_marker()) == (
        color, marker)
    # the slider moves the path like any built-in optimizer's
    app.sliders["heavy_ball"]["momentum"].value = 0.8
    traj = expected(surfaces.get("bowl", depth=2.0), 30, momentum=0.8)
    np.testing.assert_array_equal(line_xy(app.lines["heavy_ball"]), traj.points)
    app.surface_controls["depth"].value = 1.0
    traj = expected(surfaces.get("bowl"), 30, momentum=0.8)
    np.testing.assert_array_equal(line_xy(app.lines["heavy_ball"]), traj.points)


def test_the_inside_view_falls_back_to_step_over_gradient(registered):
    assert registered.inside is None
    app = explorer.explore("bowl", ("heavy_ball",), steps=20, step=5, inspect="heavy_ball",
                           backend="image")  # the kernel's inside table (the canvas: JS)
    series = app.inside_series("heavy_ball")
    assert series.label == "|Δθ| / |g|"
    points = app.trajectories["heavy_ball"].points
    grad = surfaces.get("bowl").grad(points[4])
    np.testing.assert_allclose(series.effective_lr[5], np.abs(points[5] - points[4]) /
                               np.abs(grad))
    assert "Inside heavy ball at step 5" in app.inside.value
    assert app.render().startswith(PNG)


def test_a_setup_with_them_round_trips(registered):
    app = explorer.explore("bowl", ("heavy_ball",), steps=15, heavy_ball={"momentum": 0.7})
    text = app.state()
    assert json.loads(text)["optimizers"]["heavy_ball"]["momentum"] == 0.7
    assert explorer.explore(config=text).state() == text


def test_they_race(registered):
    race = explorer.race("bowl", ["heavy_ball", "sgd"], 20, frames=3,
                         heavy_ball={"momentum": 0.6})
    traj = expected(surfaces.get("bowl"), 20, momentum=0.6)
    np.testing.assert_array_equal(race.trajectories["heavy_ball"].points, traj.points)
    assert "heavy ball" in race.to_html()


def test_they_get_a_phase_diagram_in_one_sweep_and_in_the_explorer(registered):
    phase = explorer.phase_diagram("bowl", "heavy_ball", resolution=(5, 4), steps=30)
    assert (phase.x_name, phase.y_name) == ("learning_rate", "momentum")
    i, j = 2, 3
    traj = run(optimizers.get("heavy_ball", **phase.hyperparameters(i, j)),
               surfaces.get("bowl"), surfaces.get("bowl").start, 30)
    assert phase.result.diverged_at[i, j] == traj.diverged_at
    assert phase.description() == "heavy ball on bowl, 30 steps"
    app = explorer.explore("bowl", ("heavy_ball",), steps=20,
                           phase={"enabled": True, "resolution": 16})
    diagram = app.model.phase_diagram
    assert diagram.optimizer == "heavy_ball"
    assert (diagram.x_name, diagram.y_name) == registered.phase_axes
    assert bytes(app.phase_image.value).startswith(PNG)


def test_unregistered_again_they_are_gone(registered):
    optimizers.unregister("heavy_ball")
    surfaces.unregister("bowl")
    try:
        assert "heavy_ball" not in explorer.LABELS
        with pytest.raises(ValueError, match="heavy_ball"):
            explorer.explore("ravine", ("heavy_ball",))
        with pytest.raises(ValueError, match="bowl"):
            explorer.explore("bowl")
    finally:  # the fixture unregisters them once more
        optimizers.register("heavy_ball", heavy_ball, label="heavy ball")
        surfaces.register("bowl", bowl)
