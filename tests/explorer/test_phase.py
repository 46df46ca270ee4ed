"""Phase diagrams: one vectorized sweep whose cells equal single runs, drawn honestly."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from course_utils import explorer, optimizers, run, runner, surfaces

from .helpers import PNG


def test_phase_diagram_cells_equal_single_runs():
    ravine = surfaces.get("ravine")
    phase = explorer.phase_diagram("ravine", "momentum", x=("learning_rate", 0.01, 3.0),
                             y=("momentum", 0.0, 0.95), resolution=(9, 7), steps=80,
                             tol=1e-4)
    assert phase.values.shape == (7, 9) and phase.x_log and not phase.y_log
    rng = np.random.default_rng(0)
    for i, j in zip(rng.integers(0, 7, 6), rng.integers(0, 9, 6), strict=True):
        traj = run(optimizers.get("momentum", **phase.hyperparameters(i, j)), ravine,
                   ravine.start, 80)
        d = int(traj.diverged_at)
        assert phase.result.diverged_at[i, j] == d
        hit = np.flatnonzero(traj.losses[: d if d >= 0 else None] <= 1e-4)
        assert phase.result.steps_to_tol[i, j] == (hit[0] if hit.size else -1)
        if d < 0:
            np.testing.assert_array_equal(phase.result.final_points[i, j], traj.points[-1])
    assert phase.diverged.any() and (phase.result.steps_to_tol >= 0).any()


def test_phase_diagram_is_one_vectorized_sweep(monkeypatch):
    calls = []
    real = runner.sweep
    monkeypatch.setattr(runner, "sweep", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(runner, "run", lambda *a, **k: pytest.fail("run called per cell"))
    phase = explorer.phase_diagram("rosenbrock", "adam", x="learning_rate", y="beta_1",
                             metric="final_loss", resolution=20, steps=30)
    assert calls == [1] and phase.values.shape == (20, 20)
    assert phase._repr_png_().startswith(PNG)
    fig = phase.plot(mark=(0.1, 0.9))
    assert fig.axes[0].get_xscale() == "log"


def test_phase_diagram_keeps_the_titles_free_for_the_caller():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    phase = explorer.phase_diagram("ravine", "momentum", x=("learning_rate", 0.01, 10.0),
                             y=("momentum", 0.0, 0.99), resolution=16, steps=100)
    assert phase.diverged.any() and np.isnan(phase.values).any()
    fig = Figure(figsize=(7, 4.8), layout="constrained")
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    phase.plot(ax)
    assert [ax.get_title(loc=loc) for loc in ("left", "center", "right")] == ["", "", ""]
    ax.set_title("momentum: fastest 14 steps at ε = 2.2, μ = 0.5", pad=24)
    canvas.draw()
    renderer = canvas.get_renderer()
    (footer,) = [a for a in ax.artists if hasattr(a, "offsetbox")]
    box = footer.get_window_extent(renderer)
    assert box.y1 <= ax.xaxis.label.get_window_extent(renderer).y0 + 0.5
    assert not box.overlaps(ax.title.get_window_extent(renderer))
    top = ax.get_window_extent(renderer).y1  # nothing of the diagram's own above the axes
    assert all(t.get_window_extent(renderer).y0 < top for t in ax.texts)


def test_a_phase_diagram_where_every_cell_is_stuck_is_not_drawn_as_good():
    newton = explorer.phase_diagram("beale", "newton", x=("learning_rate", 0.05, 1.0, False),
                              y=("damping", 0.0, 2.0, False), metric="final_loss",
                              resolution=8, steps=100)
    saddle_gap = float(surfaces.get("beale").f(np.array([0.0, 1.0])))
    np.testing.assert_allclose(newton.values, saddle_gap, atol=0.01)  # all stuck at the saddle
    ax = newton.plot().axes[0]
    mesh = ax.collections[0]
    assert mesh.norm(saddle_gap) > 0.95  # the "bad" end of viridis_r, far from yellow
    assert mesh.norm.vmin <= newton.tol
    assert newton.note() == f"every cell: f − f* = {saddle_gap:.3g} after 100 steps"
    assert [t.get_text() for t in ax.texts] == [newton.note()]
    steps = explorer.phase_diagram("beale", "newton", x=("learning_rate", 0.05, 1.0, False),
                             y=("damping", 0.0, 2.0, False), resolution=8, steps=100)
    assert np.isnan(steps.values).all()  # never within the tolerance: all light grey
    assert steps.note() == "no run reached f − f* ≤ 1e-06 in 100 steps"
    ax = steps.plot().axes[0]
    assert ax.collections[1].get_array().count() == 64  # the grey layer covers every cell


def test_phase_diagram_steps_are_coloured_on_the_scale_of_the_run():
    phase = explorer.phase_diagram("ravine", "momentum", x=("learning_rate", 0.5, 1.0),
                             y=("momentum", 0.5, 0.6), resolution=4, steps=300)
    mesh = phase.plot().axes[0].collections[0]
    assert (mesh.norm.vmin, mesh.norm.vmax) == (0.0, 300.0)
    equal = dataclasses.replace(phase, values=np.full(phase.values.shape, 40.0))
    assert equal.note() == "every cell: f − f* ≤ 1e-06 after 40 steps"
    assert equal.plot().axes[0].collections[0].norm(40.0) == pytest.approx(40 / 300)


@pytest.mark.parametrize("kwargs, words", [
    ({"metric": "speed"}, "metric"),
    ({"x": "momentum", "y": "momentum"}, "different"),
    ({"optimizer": "sgd", "x": "nesterov"}, "not a number"),
    ({"x": ("learning_rate", 0.0, 1.0)}, "log axis"),
    ({"optimizer": "adam", "y": "momentum"}, "no hyperparameter"),
])
def test_phase_diagram_rejects_bad_arguments(kwargs, words):
    with pytest.raises(ValueError, match=words):
        explorer.phase_diagram(**{"resolution": 4, "steps": 5, **kwargs})


def test_phase_panel_marks_the_setting_and_recomputes_only_when_needed():
    app = explorer.explore("ravine", ("momentum",), steps=40,
                           phase={"enabled": True, "resolution": 16})
    assert bytes(app.phase_image.value).startswith(PNG) and app.phase_image.layout.display is None
    first = app.model.phase_diagram
    before = bytes(app.phase_image.value)
    app.sliders["momentum"]["learning_rate"].value = 0.05  # the star moves, no recompute
    assert app.model.phase_diagram is first and bytes(app.phase_image.value) != before
    app.surface_controls["condition"].value = 80.0  # a new surface: recomputed live
    second = app.model.phase_diagram
    assert second is not first and second.result.steps_to_tol.shape == (16, 16)
    assert second.x_name == "learning_rate" and second.y_name == "momentum"
    # the ranges follow the hyperparameters' specs: the demo rate / 100 ... x 30, decay 0..0.99
    demo_rate = explorer.demo_hyperparameters("ravine", "momentum")["learning_rate"]
    np.testing.assert_allclose([second.x[0], second.x[-1]], [demo_rate / 100, demo_rate * 30])
    assert (second.y[0], second.y[-1]) == (0.0, 0.99) and second.x_log and not second.y_log
    app.phase_check.value = False
    assert app.phase_image.layout.display == "none"
