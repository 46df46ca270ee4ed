"""The explorer app driven headless like a student would.

Every test sets widget values programmatically (exactly what a slider drag sends) and checks
what is drawn against :func:`course_utils.run` computed directly for the same settings.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

from course_utils import explorer, optimizers, plotting, schedules, surfaces
from course_utils.optimizers import add_noise, chain, clip_by_norm, clip_by_value

from .helpers import PNG, canvas_rows, demo, expected_run, line_xy, shown_png

# --------------------------------------------------------------------------- paths = run


def test_slider_change_draws_exactly_what_run_computes(app):
    ravine = surfaces.get("ravine")
    app.sliders["adam"]["learning_rate"].value = 0.05
    app.sliders["adam"]["beta_1"].value = 0.7
    app.sliders["momentum"]["momentum"].value = 0.5
    assert app.last_error is None
    for name, changes in [("adam", {"learning_rate": 0.05, "beta_1": 0.7}),
                          ("momentum", {"momentum": 0.5}), ("sgd", {})]:
        traj = expected_run(name, ravine, demo("ravine", name, **changes), 60)
        np.testing.assert_array_equal(line_xy(app.lines[name]), traj.points)
        np.testing.assert_array_equal(app.trajectories[name].points, traj.points)
        x, y = app.loss_lines[name].get_data()
        np.testing.assert_array_equal(x, np.arange(61))
        np.testing.assert_allclose(y, np.maximum(traj.losses - ravine.f_min, 1e-300))
        np.testing.assert_array_equal(app.grad_lines[name].get_data()[1],
                                      np.maximum(traj.grad_norms, 1e-300))
    assert shown_png(app).startswith(PNG)


def test_every_optimizer_on_several_surfaces_matches_run():
    app = explorer.explore("ravine", optimizers.names(), steps=25)
    for surface_name in ("ravine", "beale", "saddle"):
        if surface_name != "ravine":
            app.surface_dropdown.value = surface_name
        surface = surfaces.get(surface_name)
        assert app.last_error is None
        for name in optimizers.names():
            traj = expected_run(name, surface, demo(surface_name, name), 25)
            assert app.trajectories[name].diverged_at == traj.diverged_at
            if traj.diverged_at < 0:
                np.testing.assert_array_equal(line_xy(app.lines[name]), traj.points)


def test_surface_parameters_and_start_sliders(app):
    app.surface_controls["condition"].value = 100.0
    app.surface_controls["angle"].value = 30.0
    app.start_sliders[0].value = 5.0
    app.start_sliders[1].value = -4.0
    surface = surfaces.get("ravine", condition=100.0, angle=30.0)
    traj = expected_run("momentum", surface, demo("ravine", "momentum"), 60, start=(5.0, -4.0))
    np.testing.assert_array_equal(line_xy(app.lines["momentum"]), traj.points)
    assert app.surface.params == {"condition": 100.0, "angle": 30.0}


def test_changing_the_surface_resets_demo_learning_rates_and_start(app):
    app.surface_dropdown.value = "beale"
    beale = surfaces.get("beale")
    assert app.sliders["adam"]["learning_rate"].value == explorer.demo_hyperparameters(
        "beale", "adam")["learning_rate"]
    assert [s.value for s in app.start_sliders] == list(beale.start)
    assert app.ax_map.get_xlim() == beale.xlim


def test_hyperparameter_change_never_recontours(app, monkeypatch):
    calls = []
    real = plotting.surface_contour
    monkeypatch.setattr(plotting, "surface_contour",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    if app.view.backend == "canvas":  # the grid is sent once per surface
        sent = app.view.widget.surface
        app.sliders["sgd"]["learning_rate"].value = 0.2
        app.sliders["adam"]["beta_2"].value = 0.99
        app.steps_slider.value = 40
        app.step_slider.value = 10
        assert app.view.widget.surface is sent
        app.surface_controls["condition"].value = 50.0
        assert app.view.widget.surface["key"] != sent["key"]
        assert "condition = 50" in app.view.widget.surface["title"]
        return
    contours = list(app.contours)
    app.sliders["sgd"]["learning_rate"].value = 0.2
    app.sliders["adam"]["beta_2"].value = 0.99
    app.steps_slider.value = 40
    app.step_slider.value = 10
    assert calls == [] and app.contours == contours
    app.surface_controls["condition"].value = 50.0
    assert calls == [1] and app.contours != contours


def test_only_the_changed_optimizer_is_rerun(app):
    before = app.model.paths
    app.sliders["adam"]["learning_rate"].value = 0.02
    after = app.model.paths
    assert after["adam"] is not before["adam"]
    assert after["adam"].hyper["learning_rate"] == 0.02
    assert after["sgd"] is before["sgd"] and after["momentum"] is before["momentum"]
    app.step_slider.value = 3  # scrubbing reruns nothing
    assert all(app.model.paths[n] is after[n] for n in after)


def test_play_and_scrubber_show_the_paths_step_by_step(app):
    ravine = surfaces.get("ravine")
    traj = expected_run("momentum", ravine, demo("ravine", "momentum"), 60)
    app.play.value = 7
    assert app.step_slider.value == 7
    np.testing.assert_array_equal(line_xy(app.lines["momentum"]), traj.points[:8])
    np.testing.assert_array_equal(line_xy(app.points["momentum"]), traj.points[7:8])
    assert len(app.loss_lines["momentum"].get_xdata()) == 8
    assert list(app.cursors[0].get_xdata()) == [7, 7]
    assert app.step_text.get_text() == "step 7 / 60"
    app.speed.value = "very fast"
    assert (app.play.interval, app.play.step) == (40, 5)
    app.steps_slider.value = 30  # the scrubber keeps a step inside the new range
    assert app.step_slider.max == 30 and app.play.max == 30 and app.step_slider.value == 7


# --------------------------------------------------------------------------- noise, clipping

def test_noise_on_an_analytic_surface_is_add_noise(app):
    app.noise_check.value = True
    app.noise_stddev.value = 2.0
    app.noise_batch.value = 4
    app.noise_seed.value = 3
    ravine = surfaces.get("ravine")
    traj = expected_run("adam", ravine, demo("ravine", "adam"), 60,
                        transform=add_noise(2.0, 4, 3))
    np.testing.assert_array_equal(line_xy(app.lines["adam"]), traj.points)
    clean = expected_run("adam", ravine, demo("ravine", "adam"), 60)
    assert not np.array_equal(traj.points, clean.points)


def test_noise_then_clipping_chain_and_each_clip_mode(app):
    ravine = surfaces.get("ravine")
    app.clip_mode.value = "norm"
    app.clip_threshold.value = 0.5
    traj = expected_run("sgd", ravine, demo("ravine", "sgd"), 60, transform=clip_by_norm(0.5))
    np.testing.assert_array_equal(line_xy(app.lines["sgd"]), traj.points)
    app.clip_mode.value = "value"
    traj = expected_run("sgd", ravine, demo("ravine", "sgd"), 60, transform=clip_by_value(0.5))
    np.testing.assert_array_equal(line_xy(app.lines["sgd"]), traj.points)
    app.noise_check.value = True
    both = chain(add_noise(1.0, 16, 0), clip_by_value(0.5))
    traj = expected_run("sgd", ravine, demo("ravine", "sgd"), 60, transform=both)
    np.testing.assert_array_equal(line_xy(app.lines["sgd"]), traj.points)


def test_noise_on_the_logistic_surface_is_a_real_minibatch():
    app = explorer.explore("logistic", ("sgd",), steps=20,
                           noise={"enabled": True, "batch_size": 8, "seed": 5})
    logistic = surfaces.get("logistic")
    traj = expected_run("sgd", logistic, demo("logistic", "sgd"), 20, batch_size=8, seed=5)
    np.testing.assert_array_equal(line_xy(app.lines["sgd"]), traj.points)
    assert "minibatch" in app.message.value


def test_a_schedule_multiplies_each_learning_rate(app):
    import json

    app.schedule_dropdown.value = "step_decay"
    app.schedule_controls["step_size"].value = 10
    app.schedule_controls["factor"].value = 0.5
    shape = schedules.get("step_decay", initial_learning_rate=1.0, step_size=10, factor=0.5)
    ravine = surfaces.get("ravine")
    for name in ("sgd", "adam"):
        lr = explorer.demo_hyperparameters("ravine", name)["learning_rate"]
        hyper = demo("ravine", name, learning_rate=lambda k, lr=lr: lr * shape(k))
        traj = expected_run(name, ravine, hyper, 60)
        np.testing.assert_allclose(line_xy(app.lines[name]), traj.points, rtol=1e-12,
                                   atol=1e-12)
    series = app.inside_series("adam")
    lr = explorer.demo_hyperparameters("ravine", "adam")["learning_rate"]
    np.testing.assert_allclose(series.learning_rate[1:], lr * shape(np.arange(60)))
    assert json.loads(app.state())["schedule"] == shape.to_config()


def test_a_schedule_notes_the_optimizers_without_a_learning_rate():
    app = explorer.explore("ravine", ("sgd", "rprop"), steps=20,
                           schedule={"name": "step_decay", "initial_learning_rate": 1.0,
                                     "step_size": 10, "factor": 0.5})
    assert "Rprop has no learning rate, so the schedule does not change it." in \
        app.message.value
    texts = [w.value for w in _walk(app.widget) if isinstance(getattr(w, "value", None), str)]
    assert any("Rprop has none." in text for text in texts)  # the schedule's own note


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("action, note", [
    (lambda a: setattr(a.sliders["sgd"]["learning_rate"], "value", 100.0), "SGD at step 1"),
    (lambda a: setattr(a.steps_slider, "value", 0), "Zero steps"),
    (lambda a: [setattr(c, "value", False) for c in a.optimizer_checks.values()],
     "Select at least one optimizer"),
    (lambda a: setattr(a.start_sliders[0], "value", 12.0), "outside the plot box"),
])
def test_bad_values_show_a_message_and_the_app_keeps_working(app, action, note):
    action(app)
    assert app.last_error is None
    assert note in app.message.value
    assert shown_png(app).startswith(PNG)
    app.sliders["adam"]["learning_rate"].value = 0.07  # still alive
    assert app.last_error is None


def test_a_diverging_path_is_drawn_to_the_edge_and_crossed(app):
    app.sliders["sgd"]["learning_rate"].value = 3.0
    ravine = surfaces.get("ravine")
    traj = expected_run("sgd", ravine, demo("ravine", "sgd", learning_rate=3.0), 60)
    d = int(traj.diverged_at)
    assert d > 0
    drawn = line_xy(app.lines["sgd"])
    np.testing.assert_array_equal(drawn[:d], traj.points[:d])
    assert len(drawn) in (d, d + 1) and np.all(np.isfinite(drawn))
    assert np.abs(drawn).max() < 10 * 10.0  # the far point itself never reaches the renderer
    assert app.crosses["sgd"].get_visible()
    cross = line_xy(app.crosses["sgd"])[0]
    assert np.isclose(abs(cross[0]), 10.0) or np.isclose(abs(cross[1]), 6.0)  # on the edge
    assert f"diverged at step {d}" in app.table.value
    app.step_slider.value = d - 1  # before the divergence: no cross yet
    assert not app.crosses["sgd"].get_visible()


def test_overflowing_and_nan_paths_do_not_break_anything():
    app = explorer.explore("beale", ("sgd", "newton"), steps=30, sgd={"learning_rate": 50.0},
                           newton={"learning_rate": 100.0})
    assert app.last_error is None
    for name in ("sgd", "newton"):
        assert app.trajectories[name].diverged_at >= 0
        assert np.all(np.isfinite(line_xy(app.lines[name])))
    assert "Diverged" in app.message.value


def test_a_value_that_cannot_be_read_shows_the_problem_in_place():
    app = explorer.explore("logistic", ("sgd",), steps=10)
    app.surface_controls["digits"].value = "a, b"
    assert isinstance(app.last_error, ValueError)
    assert "digits" in app.message.value and "⚠" in app.message.value
    app.surface_controls["digits"].value = "4, 4"
    assert "different digits" in app.message.value
    app.surface_controls["digits"].value = "0, 1"
    assert app.last_error is None and app.surface.params["digits"] == (0, 1)
    assert "⚠" not in app.message.value


# --------------------------------------------------------------------------- table, looks

def test_table_lists_final_loss_steps_to_tolerance_and_divergence(app):
    app.sliders["sgd"]["learning_rate"].value = 2.5
    app.steps_slider.value = 200
    ravine = surfaces.get("ravine")
    for name, hyper in [("momentum", demo("ravine", "momentum")),
                        ("sgd", demo("ravine", "sgd", learning_rate=2.5))]:
        traj = expected_run(name, ravine, hyper, 200)
        d = int(traj.diverged_at)
        hit = np.flatnonzero(traj.losses[: d if d >= 0 else None] <= 1e-6)
        assert app.steps_to_tol(name) == (int(hit[0]) if hit.size else -1)
    row = re.search(r"momentum</td><td>([^<]+)</td><td>(\d+)</td>", app.table.value)
    assert int(row.group(2)) == app.steps_to_tol("momentum") > 0
    assert "diverged at step" in app.table.value


def test_every_optimizer_has_its_own_look_in_the_map_the_panels_and_the_table():
    names = optimizers.names()
    every = explorer.explore("ravine", tuple(names), steps=10)
    map_looks = {n: (every.lines[n].get_color(), every.lines[n].get_marker(),
                     every.lines[n].get_linestyle()) for n in names}
    assert len(set(map_looks.values())) == len(names)
    assert len({look[:2] for look in map_looks.values()}) == len(names)  # even in grey-scale
    for panel in (every.loss_lines, every.grad_lines, every.cond_lines):  # curves: no markers
        looks = {(panel[n].get_color(), panel[n].get_linestyle()) for n in names}
        assert len(looks) == len(names)
    rows = re.findall(r"<tr><td>(.*?)</td>", every.table.value)  # first cell of each row
    assert len(rows) == len(names) and len(set(rows)) == len(names)
    for n, row in zip(every.controls.enabled(), rows, strict=True):
        color, marker, linestyle = map_looks[n]
        assert f"data-marker='{marker}'" in row and f"stroke='{color}'" in row
        assert f"data-linestyle='{linestyle}'" in row and explorer.LABELS[n] in row
        assert (color, marker, linestyle) == tuple(optimizers.info(n).style)  # the registry's
    # a look belongs to the optimizer, not to its position among the ticked ones
    few = explorer.explore("ravine", ("adam", "adagrad_textbook"), steps=10)
    for n in ("adam", "adagrad_textbook"):
        assert (few.lines[n].get_color(), few.lines[n].get_marker(),
                few.lines[n].get_linestyle()) == map_looks[n]


def test_slider_labels_come_from_the_registry(app):
    for name in optimizers.names():
        for param, spec in optimizers.info(name).hyperparameters.items():
            assert app.sliders[name][param].description == (spec.label or param)
    assert app.sliders["sgd"]["learning_rate"].description == "learning rate ε"  # browser tests
    assert app.optimizer_checks["adam"].description == optimizers.info("adam").label


# --------------------------------------------------------------------------- inside

def test_inside_adam_shows_bias_corrected_moments_and_effective_rates(app):
    app.inspect_dropdown.value = "adam"
    app.step_slider.value = 12
    ravine = surfaces.get("ravine")
    hyper = demo("ravine", "adam")
    traj = expected_run("adam", ravine, hyper, 60, record_states=True)
    state = traj.states[12]
    b1, b2, eps, lr = hyper["beta_1"], hyper["beta_2"], hyper["epsilon"], hyper["learning_rate"]
    m_hat = state.m / (1 - b1**12)
    v_hat = state.v / (1 - b2**12)
    rows = dict(app.inside_series("adam").rows)
    np.testing.assert_allclose(rows["m̂ (mean of g)"][12], m_hat)
    np.testing.assert_allclose(rows["√v̂ (RMS of g)"][12], np.sqrt(v_hat))
    eff = app.inside_series("adam").effective_lr[12]
    np.testing.assert_allclose(eff, lr / (np.sqrt(v_hat) + eps / np.sqrt(1 - b2**12)))
    # the effective rate is exactly how the step relates to m-hat
    step = traj.points[12] - traj.points[11]
    np.testing.assert_allclose(step, -eff * m_hat, rtol=1e-10)
    if app.view.backend == "image":
        assert f"{m_hat[0]:.4g}" in app.inside.value and "at step 12" in app.inside.value
    else:  # the browser draws the table from the rows it was sent
        assert app.view.widget.step == 12 and app.view.widget.inside["name"] == "adam"
        np.testing.assert_allclose(canvas_rows(app)["m̂ (mean of g)"][12], m_hat, rtol=1e-6)
    x, y = app.eff_lines[0].get_data()
    assert len(x) == 13 and np.isclose(y[12], eff[0])


def test_inside_momentum_velocity_arrow_and_lookahead_point():
    app = explorer.explore("ravine", ("nesterov_lookahead",), steps=30, step=9)
    ravine = surfaces.get("ravine")
    hyper = demo("ravine", "nesterov_lookahead")
    traj = expected_run("nesterov_lookahead", ravine, hyper, 30, record_states=True)
    v = traj.states[9].velocity
    np.testing.assert_allclose(app.velocity_arrow.get_offsets()[0], traj.points[9])
    np.testing.assert_allclose([app.velocity_arrow.U[0], app.velocity_arrow.V[0]], v)
    np.testing.assert_allclose(line_xy(app.lookahead)[0], traj.eval_points[9])
    np.testing.assert_allclose([app.step_arrow.U[0], app.step_arrow.V[0]],
                               traj.points[10] - traj.points[9])


def test_rprop_step_sizes_and_adagrad_accumulators_are_shown():
    app = explorer.explore("beale", ("rprop", "adagrad"), steps=20, inspect="rprop", step=5)
    beale = surfaces.get("beale")
    traj = expected_run("rprop", beale, demo("beale", "rprop"), 20, record_states=True)
    series = app.inside_series("rprop")
    assert series.label == "step size U"
    np.testing.assert_allclose(dict(series.rows)["step size U"][5], traj.states[5].step_size)
    # the step that arrived at point 5 moved by the step size of state 4
    np.testing.assert_allclose(series.effective_lr[5], traj.states[4].step_size)
    np.testing.assert_allclose(np.abs(traj.points[5] - traj.points[4]),
                               traj.states[4].step_size)
    app.inspect_dropdown.value = "adagrad"
    traj = expected_run("adagrad", beale, demo("beale", "adagrad"), 20, record_states=True)
    rows = dict(app.inside_series("adagrad").rows)
    np.testing.assert_allclose(rows["r = Σ g²"][5], traj.states[5].accumulator)


def test_newton_without_an_inside_function_shows_step_over_gradient():
    assert optimizers.info("newton").inside is None
    app = explorer.explore("beale", ("newton",), steps=10, step=4)
    beale = surfaces.get("beale")
    traj = expected_run("newton", beale, demo("beale", "newton"), 10)
    series = app.inside_series("newton")
    assert series.label == "|Δθ| / |g|" and np.isnan(series.effective_lr[0]).all()
    expected = np.abs(traj.points[4] - traj.points[3]) / np.abs(beale.grad(traj.points[3]))
    np.testing.assert_allclose(series.effective_lr[4], expected)
    assert [label for label, _ in series.rows] == ["θ", "∇f(θ)"]


def test_curvature_eigen_directions_and_condition_number_along_the_path():
    app = explorer.explore("ravine", ("sgd",), steps=20, step=4, condition=40.0, angle=30.0)
    ravine = surfaces.get("ravine", condition=40.0, angle=30.0)
    traj = expected_run("sgd", ravine, demo("ravine", "sgd"), 20)
    w, v = ravine.hess_eigen(traj.points[4])
    segments = np.asarray(app.eigen.get_segments())
    for i in range(2):
        direction = segments[i][1] - segments[i][0]
        direction /= np.linalg.norm(direction)
        assert abs(abs(direction @ v[:, i]) - 1) < 1e-9
        np.testing.assert_allclose(segments[i].mean(axis=0), traj.points[4])
    # the flat direction gets the longer bar (like the level ellipse)
    lengths = [np.linalg.norm(s[1] - s[0]) for s in segments]
    assert lengths[0] > lengths[1]
    np.testing.assert_allclose(app.cond_lines["sgd"].get_ydata(), np.full(5, 40.0))


# --------------------------------------------------------------------------- display, presenter

def test_presenter_mode_is_larger_and_draws_the_same_paths(app):
    import json

    before = line_xy(app.lines["adam"])
    width = app.figure.get_size_inches()[0]
    app.presenter_toggle.value = True
    assert app.figure.get_size_inches()[0] > width
    assert app.step_text.get_fontsize() > 9
    np.testing.assert_array_equal(line_xy(app.lines["adam"]), before)
    assert json.loads(app.state())["presenter"] is True
    with Image.open(io.BytesIO(shown_png(app))) as image:
        assert image.size[0] == int(app.figure.get_size_inches()[0] * app.figure.dpi)


def test_the_app_displays_as_one_widget_and_makes_no_pyplot_figure():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    app = explorer.explore("ravine", ("adam",), steps=10)
    explorer.race("ravine", ["adam"], 5, frames=2).to_html()
    explorer.phase_diagram(resolution=4, steps=5)._repr_png_()
    explorer.surface3d("ravine", app.trajectories, n=10)
    assert plt.get_fignums() == before  # everything draws on its own Agg canvas
    bundle = app._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert app.widget.children


def test_each_render_is_a_png_that_follows_the_sliders(app, tmp_path):
    first = app.render()
    app.sliders["momentum"]["learning_rate"].value = 0.01
    second = shown_png(app)
    assert first.startswith(PNG) and second.startswith(PNG) and first != second
    assert app.snapshot(tmp_path / "frame.png") == second
    assert (tmp_path / "frame.png").read_bytes() == second


def test_the_parts_are_public_and_the_attributes_forward_to_them(app):
    assert app.sliders is app.controls.sliders and app.image is app.controls.image
    if app.view.backend == "image":
        assert app.lines is app.view.lines and app.figure is app.view.figure
    else:  # the canvas's matplotlib twin, the same object while the size stays
        assert app.lines is app.lines and app.figure is app.figure
        assert app.display.widget() is app.view.widget
        assert app.view.widget in app.controls.right.children
    assert set(app.trajectories) == set(app.model.paths) == {"sgd", "momentum", "adam"}
    assert app.render().startswith(PNG)


def test_stable_css_classes_for_browser_tests():
    app = explorer.explore("ravine", optimizers=("sgd",))
    assert "cu-explorer" in app.widget._dom_classes
    assert "cu-explorer-image" in app.image._dom_classes
    assert "cu-explorer-play" in app.play._dom_classes
    assert "cu-explorer-step" in app.step_slider._dom_classes


def test_explorer_exports_its_setup_as_a_race(app):
    app.sliders["adam"]["learning_rate"].value = 0.04
    race = app.race(frames=4)
    np.testing.assert_array_equal(race.trajectories["adam"].points,
                                  app.trajectories["adam"].points)


def test_the_ipympl_backend_puts_the_canvas_in_the_app_and_clicks_move_the_start(monkeypatch):
    """With ``%matplotlib widget`` the figure is ipympl's canvas widget (faked here)."""
    import sys
    import types

    import ipywidgets
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    class FakeCanvas(ipywidgets.Box):
        def __init__(self, figure):
            super().__init__()
            FigureCanvasAgg(figure)
            self.header_visible = True
            self.clicks = []

        def mpl_connect(self, event, handler):
            self.clicks.append(handler)

    def new_manager(num, figure):
        return types.SimpleNamespace(canvas=FakeCanvas(figure))

    fake = types.ModuleType("ipympl.backend_nbagg")
    fake.new_figure_manager_given_figure = new_manager
    monkeypatch.setitem(sys.modules, "ipympl", types.ModuleType("ipympl"))
    monkeypatch.setitem(sys.modules, "ipympl.backend_nbagg", fake)
    app = explorer.explore("ravine", ("sgd",), steps=10, backend="ipympl")
    canvas = app.view.canvas_widget
    assert isinstance(canvas, FakeCanvas) and not canvas.header_visible
    assert canvas in app.controls.right.children and app.image not in app.controls.right.children
    assert app.snapshot().startswith(PNG)
    (on_click,) = canvas.clicks
    on_click(types.SimpleNamespace(inaxes=app.ax_map, button=1, xdata=-3.0, ydata=1.5))
    np.testing.assert_allclose(app.trajectories["sgd"].points[0], [-3.0, 1.5])
    app.presenter_toggle.value = True  # a new figure: its canvas replaces the old one
    assert app.view.canvas_widget is not canvas
    assert app.view.canvas_widget in app.controls.right.children
    assert canvas not in app.controls.right.children
