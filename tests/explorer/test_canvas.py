"""The canvas view: what the kernel sends the browser is the model's numbers, once per change.

The browser side (canvas/*.js) is tested in tests/browser; here the payloads are checked against
the model (the same paths as ``run``, the same grid as ``surface.f``, the same axis limits as
the matplotlib view) and the traffic is counted: a slider sends one message, scrubbing and
hyperparameter moves repack only what changed, and a click on the map moves the start.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from ipywidgets.widgets.widget import _remove_buffers

from course_utils import plotting, surfaces
from course_utils.explorer import explore
from course_utils.explorer.canvas import (
    CanvasView,
    ExplorerCanvas,
    band_shades,
    path_payload,
    surface_payload,
)
from course_utils.explorer.panels import panel_limits
from course_utils.explorer.view import auto_backend

from .helpers import demo, expected_run


def f32(data: bytes, *shape: int) -> np.ndarray:
    return np.frombuffer(data, "<f4").reshape(*shape) if shape else np.frombuffer(data, "<f4")


class Recorder:
    """Counts the update messages a widget sends (as the kernel's comm would send them)."""

    def __init__(self, widget: ExplorerCanvas) -> None:
        self.messages: list[dict] = []
        self.bytes = 0
        real = widget._send

        def send(msg, buffers=None):
            self.messages.append(msg)
            self.bytes += len(json.dumps(msg)) + sum(len(bytes(b)) for b in buffers or ())
            return real(msg, buffers)

        widget._send = send

    def keys(self) -> list[set]:
        return [set(m["state"]) for m in self.messages if m.get("method") == "update"]


@pytest.fixture
def canvas_app():
    return explore("ravine", ("sgd", "momentum", "adam"), steps=60, inspect="adam",
                   backend="canvas")


def test_the_canvas_is_the_default_view():
    assert auto_backend() == "canvas"
    app = explore("ravine", ("sgd",), steps=5)
    assert isinstance(app.view, CanvasView) and isinstance(app.view.widget, ExplorerCanvas)
    assert app.view.widget in app.controls.right.children
    assert app.image not in app.controls.right.children
    # the kernel's Play, scrubber and inside table are hidden: the canvas has its own
    assert app.play.layout.display == app.step_slider.layout.display == "none"
    with pytest.raises(ValueError, match="backend must be one of 'auto', 'canvas'"):
        explore("ravine", backend="svg")


def test_paths_sent_are_the_runs_in_float32(canvas_app):
    ravine = surfaces.get("ravine")
    sent = {p["name"]: p for p in canvas_app.view.widget.paths}
    assert list(sent) == ["sgd", "momentum", "adam"]
    for name, payload in sent.items():
        traj = expected_run(name, ravine, demo("ravine", name), 60)
        np.testing.assert_array_equal(f32(payload["xy"], -1, 2), traj.points.astype("<f4"))
        np.testing.assert_allclose(f32(payload["loss"]), traj.losses, rtol=1e-6)
        np.testing.assert_allclose(f32(payload["gap"]), traj.losses - ravine.f_min, rtol=1e-5,
                                   atol=1e-30)
        np.testing.assert_allclose(f32(payload["grad"]), traj.grad_norms, rtol=1e-6)
        eig = f32(payload["eig"], -1, 6)
        w, v = np.linalg.eigh(ravine.hess(traj.points))
        np.testing.assert_allclose(eig[:, :2], w, rtol=1e-5)
        # each eigenvector up to its sign
        for i, cols in enumerate(((2, 3), (4, 5))):
            np.testing.assert_allclose(np.abs(np.sum(eig[:, cols] * v[:, :, i], axis=1)), 1.0,
                                       rtol=1e-5)
        assert payload["steps"] == 60 and payload["diverged_at"] == -1
        assert payload["label"] and payload["color"].startswith("#")


def test_a_diverged_path_is_sent_with_its_exit_and_nan_after_it():
    app = explore("ravine", ("sgd",), steps=30, sgd={"learning_rate": 100.0}, backend="canvas")
    path = app.model.path("sgd")
    payload = app.view.widget.paths[0]
    assert payload["diverged_at"] == path.diverged_at >= 0
    np.testing.assert_allclose(payload["exit"], path.exit)
    loss = f32(payload["loss"])
    assert np.isnan(loss[path.diverged_at:]).all() and np.isfinite(loss[:path.diverged_at]).all()
    np.testing.assert_array_equal(f32(payload["xy"], -1, 2), path.xy.astype("<f4"))


def test_the_grid_is_f_on_the_plot_box_with_the_matplotlib_levels():
    surf = surfaces.get("rosenbrock")
    sent = surface_payload(surf, "k")
    nx, ny = sent["nx"], sent["ny"]
    z = f32(sent["z"], ny, nx)
    xs = np.linspace(*surf.xlim, nx)
    ys = np.linspace(*surf.ylim, ny)
    for j, i in [(0, 0), (ny - 1, 0), (0, nx - 1), (ny // 3, nx // 2)]:  # row 0 is the bottom
        assert z[j, i] == pytest.approx(surf.f(np.array([xs[i], ys[j]])), rel=1e-6)
    _, _, grid = surf.grid(nx)
    levels = plotting.contour_levels(grid, 22, log_scale=surf.log_scale, z_min=surf.f_min)
    np.testing.assert_allclose(sent["levels"], np.unique(levels))
    shades = sent["shade"]
    assert len(shades) == len(sent["levels"]) and 0 <= shades[0] < shades[-1] <= 1
    assert all(a <= b for a, b in zip(shades, shades[1:], strict=False))  # darker uphill
    assert sent["minima"] == [[1.0, 1.0]] and sent["xlim"] == list(surf.xlim)
    json.dumps({k: v for k, v in sent.items() if k != "z"})  # plain JSON besides the bytes


def test_band_shades_follow_the_log_norm_of_a_log_scaled_surface():
    surf = surfaces.get("ravine")
    _, _, z = surf.grid(50)
    levels = np.unique(plotting.contour_levels(z, 22, log_scale=True, z_min=surf.f_min))
    shades = band_shades(levels, z, surf)
    assert len(shades) == len(levels)  # the band above each level
    # geometric levels, log norm: the bands' shades are evenly spaced, not bunched at the top
    steps = np.diff(shades[:-1])
    assert steps.min() > 0 and steps.max() / steps.min() < 4  # not bunched at the top


def test_limits_and_titles_are_the_matplotlib_views(canvas_app):
    w = canvas_app.view.widget
    paths = canvas_app.model.paths
    expected = panel_limits(paths, 60, ("adam", canvas_app.model.inside("adam")))
    assert w.limits == {k: list(v) for k, v in expected.items()}
    assert w.eff_title == "effective learning rate of Adam"
    assert tuple(canvas_app.ax_loss.get_ylim()) == pytest.approx(expected["loss"])
    assert tuple(canvas_app.ax_eff.get_ylim()) == pytest.approx(expected["eff"])


def test_inside_rows_are_the_series(canvas_app):
    series = canvas_app.model.inside("adam")
    sent = canvas_app.view.widget.inside
    assert sent["name"] == "adam" and sent["label"] == series.label
    assert [r["label"] for r in sent["rows"]] == [label for label, _ in series.rows]
    for row, (_, values) in zip(sent["rows"], series.rows, strict=True):
        np.testing.assert_allclose(f32(row["values"], -1, 2), values, rtol=1e-6, atol=1e-30)
    np.testing.assert_allclose(f32(sent["eff"], -1, 2), series.effective_lr, rtol=1e-6)
    assert sent["velocity"] is None and sent["lookahead"] is None
    canvas_app.inspect_dropdown.value = "momentum"
    assert canvas_app.view.widget.inside["name"] == "momentum"
    assert canvas_app.view.widget.inside["velocity"] is not None


def test_one_slider_move_is_one_message_and_repacks_one_path(canvas_app):
    w = canvas_app.view.widget
    before = {p["name"]: p for p in w.paths}
    record = Recorder(w)
    canvas_app.sliders["adam"]["learning_rate"].value = 0.02
    assert len(record.keys()) == 1 and "paths" in record.keys()[0]
    after = {p["name"]: p for p in w.paths}
    assert after["sgd"] is before["sgd"] and after["momentum"] is before["momentum"]
    assert after["adam"] is not before["adam"]
    assert "surface" not in record.keys()[0]  # the grid travels once per surface


def test_the_step_travels_both_ways_and_scrubbing_sends_nothing_else(canvas_app):
    w = canvas_app.view.widget
    record = Recorder(w)
    canvas_app.step_slider.value = 17  # e.g. a notebook cell or a test sets it
    assert w.step == 17 and record.keys() == [{"step"}]
    w.step = 33  # the browser, when Play stops
    assert canvas_app.step_slider.value == 33 and canvas_app.controls.read()["step"] == 33
    assert json.loads(canvas_app.state())["step"] == 33


def test_a_click_on_the_map_moves_the_start(canvas_app):
    w = canvas_app.view.widget
    w.start_request = [2.5, -1.25, 1]
    assert canvas_app.last_error is None
    assert [s.value for s in canvas_app.start_sliders] == [2.5, -1.25]
    for payload in w.paths:
        np.testing.assert_array_equal(f32(payload["xy"], -1, 2)[0], [2.5, -1.25])
    w.start_request = [50.0, 0.0, 2]  # outside the sliders' range: they grow to it
    assert canvas_app.start_sliders[0].value == 50.0 and canvas_app.start_sliders[0].max >= 50
    assert "outside the plot box" in canvas_app.message.value


def test_speed_and_presenter_reach_the_canvas(canvas_app):
    w = canvas_app.view.widget
    assert (w.interval, w.stride) == (100, 1)
    canvas_app.speed.value = "very fast"
    assert (w.interval, w.stride) == (40, 5)
    canvas_app.presenter_toggle.value = True
    assert w.presenter is True
    assert canvas_app.step_text.get_fontsize() > 9  # the twin follows for snapshots


def test_the_whole_state_serializes_as_the_browser_receives_it(canvas_app):
    state, paths, buffers = _remove_buffers(canvas_app.view.widget.get_state())
    json.dumps(state)  # no numpy scalar or array left in the JSON part
    assert buffers and all(isinstance(b, (bytes, memoryview)) for b in buffers)
    assert ["surface", "z"] in paths and ["paths", 0, "xy"] in paths
    assert canvas_app.view.widget._esm.strip().startswith(("//", "/*", "export", "const",
                                                           "import", "\"use"))


def test_the_surface_slider_sends_a_new_grid_and_paths_in_one_message(canvas_app):
    w = canvas_app.view.widget
    record = Recorder(w)
    canvas_app.surface_controls["condition"].value = 80.0
    keys = record.keys()
    assert len(keys) == 1 and {"surface", "paths", "limits"} <= keys[0]
    assert "condition = 80" in w.surface["title"]
    ravine = surfaces.get("ravine", condition=80.0)
    traj = expected_run("sgd", ravine, demo("ravine", "sgd"), 60)
    np.testing.assert_array_equal(f32(w.paths[0]["xy"], -1, 2), traj.points.astype("<f4"))


def test_path_payload_of_a_registered_look():
    app = explore("beale", ("rmsprop",), steps=5, backend="canvas")
    payload = path_payload(app.model.path("rmsprop"))
    from course_utils import optimizers

    assert (payload["color"], payload["marker"], payload["dash"]) == tuple(
        optimizers.info("rmsprop").style)
