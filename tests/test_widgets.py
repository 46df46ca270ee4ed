"""The explorer, races, phase diagrams and 3-D views, driven headless like a student would.

Every test sets widget values programmatically (exactly what a slider drag sends) and checks
what is drawn against :func:`course_utils.run` computed directly for the same settings.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from course_utils import optimizers, run, schedules, surfaces  # noqa: E402
from course_utils import widgets as cw  # noqa: E402
from course_utils.optimizers import add_noise, chain, clip_by_norm, clip_by_value  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


def line_xy(line) -> np.ndarray:
    x, y = line.get_data()
    return np.column_stack([np.asarray(x, float), np.asarray(y, float)])


def expected_run(name, surface, hyper, steps, start=None, **kwargs):
    opt = optimizers.get(name, **hyper)
    return run(opt, surface, surface.start if start is None else start, steps, **kwargs)


def demo(surface_name, name, **changes):
    return {**cw.demo_hyperparameters(surface_name, name), **changes}


@pytest.fixture
def app():
    return cw.explore("ravine", ("sgd", "momentum", "adam"), steps=60)


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
    assert bytes(app.image.value).startswith(PNG)


def test_every_optimizer_on_several_surfaces_matches_run():
    app = cw.explore("ravine", optimizers.names(), steps=25)
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
    assert app.sliders["adam"]["learning_rate"].value == cw.demo_hyperparameters(
        "beale", "adam")["learning_rate"]
    assert [s.value for s in app.start_sliders] == list(beale.start)
    assert app.ax_map.get_xlim() == beale.xlim


def test_hyperparameter_change_never_recontours(app, monkeypatch):
    calls = []
    real = cw.plotting.surface_contour
    monkeypatch.setattr(cw.plotting, "surface_contour",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    contours = list(app._contours)
    app.sliders["sgd"]["learning_rate"].value = 0.2
    app.sliders["adam"]["beta_2"].value = 0.99
    app.steps_slider.value = 40
    app.step_slider.value = 10
    assert calls == [] and app._contours == contours
    app.surface_controls["condition"].value = 50.0
    assert calls == [1] and app._contours != contours


def test_only_the_changed_optimizer_is_rerun(app, monkeypatch):
    ran = []
    real = cw.run
    monkeypatch.setattr(cw, "run", lambda opt, *a, **k: ran.append(opt.name) or real(opt, *a,
                                                                                     **k))
    app.sliders["adam"]["learning_rate"].value = 0.02
    assert ran == ["adam"]
    app.step_slider.value = 3
    assert ran == ["adam"]


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
    app = cw.explore("logistic", ("sgd",), steps=20, noise={"enabled": True, "batch_size": 8,
                                                             "seed": 5})
    logistic = surfaces.get("logistic")
    traj = expected_run("sgd", logistic, demo("logistic", "sgd"), 20, batch_size=8, seed=5)
    np.testing.assert_array_equal(line_xy(app.lines["sgd"]), traj.points)
    assert "minibatch" in app.message.value


def test_a_schedule_multiplies_each_learning_rate(app):
    app.schedule_dropdown.value = "step_decay"
    app.schedule_controls["step_size"].value = 10
    app.schedule_controls["factor"].value = 0.5
    shape = schedules.get("step_decay", initial_learning_rate=1.0, step_size=10, factor=0.5)
    ravine = surfaces.get("ravine")
    for name in ("sgd", "adam"):
        lr = cw.demo_hyperparameters("ravine", name)["learning_rate"]
        hyper = demo("ravine", name, learning_rate=lambda k, lr=lr: lr * shape(k))
        traj = expected_run(name, ravine, hyper, 60)
        np.testing.assert_allclose(line_xy(app.lines[name]), traj.points, rtol=1e-12,
                                   atol=1e-12)
    series = app.inside_series("adam")
    lr = cw.demo_hyperparameters("ravine", "adam")["learning_rate"]
    np.testing.assert_allclose(series["base_lr"][1:], lr * shape(np.arange(60)))
    assert json.loads(app.state())["schedule"] == shape.to_config()


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
    assert bytes(app.image.value).startswith(PNG)
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
    app = cw.explore("beale", ("sgd", "newton"), steps=30, sgd={"learning_rate": 50.0},
                     newton={"learning_rate": 100.0})
    assert app.last_error is None
    for name in ("sgd", "newton"):
        assert app.trajectories[name].diverged_at >= 0
        assert np.all(np.isfinite(line_xy(app.lines[name])))
    assert "Diverged" in app.message.value


def test_a_value_that_cannot_be_read_shows_the_problem_in_place():
    app = cw.explore("logistic", ("sgd",), steps=10)
    app.surface_controls["digits"].value = "a, b"
    assert isinstance(app.last_error, ValueError)
    assert "digits" in app.message.value and "⚠" in app.message.value
    app.surface_controls["digits"].value = "4, 4"
    assert "different digits" in app.message.value
    app.surface_controls["digits"].value = "0, 1"
    assert app.last_error is None and app.surface.params["digits"] == (0, 1)
    assert "⚠" not in app.message.value


# --------------------------------------------------------------------------- table, inside

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
    every = cw.explore("ravine", tuple(names), steps=10)
    map_looks = {n: (every.lines[n].get_color(), every.lines[n].get_marker(),
                     every.lines[n].get_linestyle()) for n in names}
    assert len(set(map_looks.values())) == len(names)
    assert len({look[:2] for look in map_looks.values()}) == len(names)  # even in grey-scale
    for panel in (every.loss_lines, every.grad_lines, every.cond_lines):  # curves: no markers
        looks = {(panel[n].get_color(), panel[n].get_linestyle()) for n in names}
        assert len(looks) == len(names)
    rows = re.findall(r"<tr><td>(.*?)</td>", every.table.value)  # first cell of each row
    assert len(rows) == len(names) and len(set(rows)) == len(names)
    for n, row in zip(every._enabled(), rows, strict=True):
        color, marker, linestyle = map_looks[n]
        assert f"data-marker='{marker}'" in row and f"stroke='{color}'" in row
        assert f"data-linestyle='{linestyle}'" in row and cw.LABELS[n] in row
    # a look belongs to the optimizer, not to its position among the ticked ones
    few = cw.explore("ravine", ("adam", "adagrad_textbook"), steps=10)
    for n in ("adam", "adagrad_textbook"):
        assert (few.lines[n].get_color(), few.lines[n].get_marker(),
                few.lines[n].get_linestyle()) == map_looks[n]


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
    rows = dict(app.inside_series("adam")["rows"])
    np.testing.assert_allclose(rows["m̂ (mean of g)"][12], m_hat)
    np.testing.assert_allclose(rows["√v̂ (RMS of g)"][12], np.sqrt(v_hat))
    eff = app.inside_series("adam")["eff"][12]
    np.testing.assert_allclose(eff, lr / (np.sqrt(v_hat) + eps / np.sqrt(1 - b2**12)))
    # the effective rate is exactly how the step relates to m-hat
    step = traj.points[12] - traj.points[11]
    np.testing.assert_allclose(step, -eff * m_hat, rtol=1e-10)
    assert f"{m_hat[0]:.3g}" in app.inside.value and "at step 12" in app.inside.value
    x, y = app.eff_lines[0].get_data()
    assert len(x) == 13 and np.isclose(y[12], eff[0])


def test_inside_momentum_velocity_arrow_and_lookahead_point():
    app = cw.explore("ravine", ("nesterov_lookahead",), steps=30, step=9)
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
    app = cw.explore("beale", ("rprop", "adagrad"), steps=20, inspect="rprop", step=5)
    beale = surfaces.get("beale")
    traj = expected_run("rprop", beale, demo("beale", "rprop"), 20, record_states=True)
    np.testing.assert_allclose(app.inside_series("rprop")["eff"][5], traj.states[5].step_size)
    app.inspect_dropdown.value = "adagrad"
    traj = expected_run("adagrad", beale, demo("beale", "adagrad"), 20, record_states=True)
    rows = dict(app.inside_series("adagrad")["rows"])
    np.testing.assert_allclose(rows["r = Σ g²"][5], traj.states[5].accumulator)


def test_curvature_eigen_directions_and_condition_number_along_the_path():
    app = cw.explore("ravine", ("sgd",), steps=20, step=4, condition=40.0, angle=30.0)
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


# --------------------------------------------------------------------------- state JSON

def test_state_round_trips_exactly():
    app = cw.explore("ravine", ("sgd", "adam", "rprop"), steps=50, condition=35.0)
    app.sliders["adam"]["learning_rate"].value = 0.0123
    app.sliders["rprop"]["eta_plus"].value = 1.5
    app.sliders["nadam"]["beta_1"].value = 0.8  # changed but not enabled: kept too
    app.start_sliders[0].value = -3.25
    app.noise_check.value = True
    app.noise_batch.value = 64
    app.clip_mode.value = "norm"
    app.schedule_dropdown.value = "piecewise_constant_decay"
    app.schedule_controls["values"].value = "1.0, 0.5, 0.125"
    app.inspect_dropdown.value = "rprop"
    app.step_slider.value = 17
    app.phase_check.value = True
    app.phase_resolution.value = 16
    assert app.last_error is None
    text = app.state()
    data = json.loads(text)
    assert data["version"] == 1 and data["surface"] == {"name": "ravine", "params": {
        "condition": 35.0, "angle": 0.0}}
    assert data["optimizers"]["nadam"]["enabled"] is False
    assert data["schedule"]["values"] == [1.0, 0.5, 0.125]
    restored = cw.explore(config=text)
    assert restored.state() == text
    for name in ("sgd", "adam", "rprop"):
        np.testing.assert_array_equal(line_xy(restored.lines[name]),
                                      line_xy(app.lines[name]))
    assert not restored.optimizer_checks["nadam"].value
    assert restored.sliders["nadam"]["beta_1"].value == 0.8


@pytest.mark.parametrize("config, words", [
    ("{not json", "not valid JSON"),
    ('{"version": 1, "steps": NaN}', "NaN"),
    ("__import__('os').system('echo hacked')", "not valid JSON"),
    ({"version": 2}, "version"),
    ({"colour": "red"}, "colour"),
    ({"surface": {"name": "volcano"}}, "volcano"),
    ({"surface": {"name": "ravine", "params": {"condition": 0.5}}}, "condition"),
    ({"optimizers": {"adamw": {}}}, "adamw"),
    ({"optimizers": {"adam": {"learning_rate": -1}}}, "learning_rate"),
    ({"optimizers": {"adam": {"learning_rate": 1e5}}}, "learning_rate"),
    ({"optimizers": {"adam": {"beta_one": 0.9}}}, "beta_one"),
    ({"optimizers": {"rprop": {"min_step": 0.01, "max_step": 0.01001, "initial_step": 0.1}},
      "steps": 10, "inspect": "adam"}, "inspect"),
    ({"steps": 5000}, "steps"),
    ({"steps": 10, "step": 11}, "step"),
    ({"start": [0, "x"]}, "start"),
    ({"noise": {"batch_size": 3}}, "batch_size"),
    ({"clip": {"mode": "sometimes"}}, "clip.mode"),
    ({"schedule": {"name": "cosine_decay", "initial_learning_rate": 1.0, "decay_steps": 10,
                   "warmup_target": 0.5}}, "warmup_target"),
    ({"schedule": {"name": "step_decay", "initial_learning_rate": 1.0}}, "step_size"),
    ("[1, 2]", "JSON object"),
])
def test_bad_setups_raise_a_clear_value_error(config, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        cw.explore(config=config)


def test_setup_buttons_save_and_load_and_report_bad_text(app):
    app.sliders["sgd"]["learning_rate"].value = 0.125
    app.save_button.click()
    saved = app.setup_text.value
    assert json.loads(saved)["optimizers"]["sgd"]["learning_rate"] == 0.125
    app.sliders["sgd"]["learning_rate"].value = 0.5
    app.load_button.click()
    assert app.sliders["sgd"]["learning_rate"].value == 0.125
    app.setup_text.value = '{"steps": "many"}'
    app.load_button.click()  # no exception: a message
    assert "steps must be an integer" in app.message.value
    assert app.sliders["sgd"]["learning_rate"].value == 0.125


def test_initial_keyword_settings():
    app = cw.explore("ravine", ("sgd",), condition=50.0, steps=40, start=(4.0, 2.0),
                     adam={"learning_rate": 0.02}, clip={"mode": "norm", "threshold": 2.0})
    data = json.loads(app.state())
    assert data["surface"]["params"]["condition"] == 50.0
    assert data["optimizers"]["adam"] == {**demo("ravine", "adam", learning_rate=0.02),
                                          "enabled": True}
    assert data["start"] == [4.0, 2.0] and data["steps"] == 40
    assert data["inspect"] == "adam" and data["clip"] == {"mode": "norm", "threshold": 2.0}
    with pytest.raises(ValueError, match="unknown setting 'colour'"):
        cw.explore(colour="red")


# --------------------------------------------------------------------------- display, presenter

def test_presenter_mode_is_larger_and_draws_the_same_paths(app):
    before = line_xy(app.lines["adam"])
    width = app.figure.get_size_inches()[0]
    app.presenter_toggle.value = True
    assert app.figure.get_size_inches()[0] > width
    assert app.step_text.get_fontsize() > 9
    np.testing.assert_array_equal(line_xy(app.lines["adam"]), before)
    assert json.loads(app.state())["presenter"] is True
    with Image.open(io.BytesIO(bytes(app.image.value))) as image:
        assert image.size[0] == int(app.figure.get_size_inches()[0] * app.figure.dpi)


def test_the_app_displays_as_one_widget_and_makes_no_pyplot_figure():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    app = cw.explore("ravine", ("adam",), steps=10)
    cw.race("ravine", ["adam"], 5, frames=2).to_html()
    cw.phase_diagram(resolution=4, steps=5)._repr_png_()
    cw.surface3d("ravine", app.trajectories, n=10)
    assert plt.get_fignums() == before  # everything draws on its own Agg canvas
    bundle = app._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert app.widget.children


def test_each_render_is_a_png_that_follows_the_sliders(app):
    first = app.render()
    app.sliders["momentum"]["learning_rate"].value = 0.01
    second = bytes(app.image.value)
    assert first.startswith(PNG) and second.startswith(PNG) and first != second


# --------------------------------------------------------------------------- phase diagrams

def test_phase_diagram_cells_equal_single_runs():
    ravine = surfaces.get("ravine")
    phase = cw.phase_diagram("ravine", "momentum", x=("learning_rate", 0.01, 3.0),
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
    real = cw.sweep
    monkeypatch.setattr(cw, "sweep", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(cw, "run", lambda *a, **k: pytest.fail("run called per cell"))
    phase = cw.phase_diagram("rosenbrock", "adam", x="learning_rate", y="beta_1",
                             metric="final_loss", resolution=20, steps=30)
    assert calls == [1] and phase.values.shape == (20, 20)
    assert phase._repr_png_().startswith(PNG)
    fig = phase.plot(mark=(0.1, 0.9))
    assert fig.axes[0].get_xscale() == "log"


def test_phase_diagram_keeps_the_titles_free_for_the_caller():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    phase = cw.phase_diagram("ravine", "momentum", x=("learning_rate", 0.01, 10.0),
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
    newton = cw.phase_diagram("beale", "newton", x=("learning_rate", 0.05, 1.0, False),
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
    steps = cw.phase_diagram("beale", "newton", x=("learning_rate", 0.05, 1.0, False),
                             y=("damping", 0.0, 2.0, False), resolution=8, steps=100)
    assert np.isnan(steps.values).all()  # never within the tolerance: all light grey
    assert steps.note() == "no run reached f − f* ≤ 1e-06 in 100 steps"
    ax = steps.plot().axes[0]
    assert ax.collections[1].get_array().count() == 64  # the grey layer covers every cell


def test_phase_diagram_steps_are_coloured_on_the_scale_of_the_run():
    phase = cw.phase_diagram("ravine", "momentum", x=("learning_rate", 0.5, 1.0),
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
        cw.phase_diagram(**{"resolution": 4, "steps": 5, **kwargs})


def test_phase_panel_marks_the_setting_and_recomputes_only_when_needed(monkeypatch):
    app = cw.explore("ravine", ("momentum",), steps=40,
                     phase={"enabled": True, "resolution": 16})
    assert bytes(app.phase_image.value).startswith(PNG) and app.phase_image.layout.display is None
    calls = []
    real = cw.phase_diagram
    monkeypatch.setattr(cw, "phase_diagram", lambda *a, **k: calls.append(1) or real(*a, **k))
    before = bytes(app.phase_image.value)
    app.sliders["momentum"]["learning_rate"].value = 0.05  # the star moves, no recompute
    assert calls == [] and bytes(app.phase_image.value) != before
    app.surface_controls["condition"].value = 80.0  # a new surface: recomputed live
    assert calls == [1]
    assert app._phase.x_name == "learning_rate" and app._phase.y_name == "momentum"
    app.phase_check.value = False
    assert app.phase_image.layout.display == "none"


# --------------------------------------------------------------------------- races, 3-D

@pytest.fixture(scope="module")
def small_race():
    return cw.race("beale", ["sgd", "adam"], 40, frames=8, adam={"learning_rate": 0.05})


def test_race_runs_the_given_hyperparameters(small_race):
    beale = surfaces.get("beale")
    traj = expected_run("adam", beale, demo("beale", "adam", learning_rate=0.05), 40)
    np.testing.assert_array_equal(small_race.trajectories["adam"].points, traj.points)
    assert list(small_race.frames) == [0, 6, 11, 17, 23, 29, 34, 40]


def test_race_html_holds_every_frame_and_no_network_url(small_race):
    text = small_race.to_html()
    frames = re.search(r"var frames = \[(.*?)\];", text).group(1).split(",")
    steps = re.search(r"var steps = \[(.*?)\];", text).group(1).split(",")
    assert len(frames) == len(small_race.frames) and steps == [str(k) for k in
                                                               small_race.frames]
    for frame in frames:  # each one a complete PNG of the figure's size
        with Image.open(io.BytesIO(base64.b64decode(frame.strip('"')))) as image:
            assert image.format == "PNG" and image.size == small_race.frame_images()[0].size
    assert not re.search(r"https?://|<link|<script src", text)
    assert text.count("<script>") == 1


def test_race_player_buttons_draw_their_icons_without_fonts(small_race):
    # Media-control characters (U+23EE and friends) are missing from common fonts.
    buttons = re.findall(r"<button[^>]*>(.*?)</button>", small_race.to_html(), re.S)
    assert len(buttons) == 6
    for content in buttons:
        assert content.count("<svg") == 1 and "<path d=" in content
        assert re.sub(r"<svg.*?</svg>", "", content, flags=re.S).strip() in {"", "play"}


def test_race_gif_is_a_valid_animation(small_race, tmp_path):
    path = small_race.save_gif(tmp_path / "race.gif")
    with Image.open(path) as image:
        assert image.format == "GIF" and image.n_frames == len(small_race.frames)


def test_race_mp4_needs_ffmpeg(small_race, tmp_path):
    if small_race.mp4_available():
        assert small_race.save_mp4(tmp_path / "race.mp4").stat().st_size > 0
    else:
        with pytest.raises(RuntimeError, match="ffmpeg"):
            small_race.save_mp4(tmp_path / "race.mp4")


def test_race_rejects_bad_input():
    with pytest.raises(ValueError, match="not racing"):
        cw.race("ravine", ["sgd"], 5, adam={"learning_rate": 0.1})
    with pytest.raises(ValueError, match="no racing optimizer"):
        cw.race("ravine", ["sgd"], 5, beta_1=0.5)
    with pytest.raises(ValueError, match="unknown optimizer"):
        cw.race("ravine", ["adamw"], 5)


def test_explorer_exports_its_setup_as_a_race(app):
    app.sliders["adam"]["learning_rate"].value = 0.04
    race = app.race(frames=4)
    np.testing.assert_array_equal(race.trajectories["adam"].points,
                                  app.trajectories["adam"].points)


def test_surface3d_lifts_the_paths_onto_the_surface():
    ravine = surfaces.get("ravine")
    traj = expected_run("sgd", ravine, demo("ravine", "sgd"), 15)
    fig = cw.surface3d("ravine", {"sgd": traj}, n=20)
    ax = fig.axes[0]
    assert ax.name == "3d"
    (line,) = [artist for artist in ax.lines if artist.get_label() == "SGD"]
    x, y, z = line.get_data_3d()
    np.testing.assert_array_equal(np.column_stack([x, y]), traj.points)
    assert np.all(np.diff(z) <= 1e-12)  # gradient descent on a quadratic: the loss decreases


def test_stable_css_classes_for_browser_tests():
    from course_utils import widgets

    app = widgets.explore("ravine", optimizers=("sgd",))
    assert "cu-explorer" in app.widget._dom_classes
    assert "cu-explorer-image" in app.image._dom_classes
    assert "cu-explorer-play" in app.play._dom_classes
    assert "cu-explorer-step" in app.step_slider._dom_classes
