"""What each optimizer's ``inside`` function says about its state, checked against the steps.

The explorer shows an "effective learning rate" per coordinate. For the methods whose step is
that rate times the gradient (or times Adam's m̂), the drawn path must agree with it exactly:
otherwise the view would teach a wrong picture of the method.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import optimizers, run, surfaces

STEPS = 25


def _inside(name: str, surface: str = "ravine", **hyper):
    info = optimizers.info(name)
    full = info.demo_hyperparameters(surface)
    full.update(hyper)
    traj = run(info.build(**full), surfaces.get(surface), steps=STEPS, record_states=True)
    lr = None
    if "learning_rate" in full:
        lr = np.full(STEPS + 1, float(full["learning_rate"]))
        lr[0] = np.nan
    view = info.inside(traj.points, traj.states, full, lr)
    return traj, view, surfaces.get(surface)


def _row(view, label: str) -> np.ndarray:
    return dict(view.rows)[label]


@pytest.mark.parametrize("name", ["sgd", "adagrad", "adagrad_textbook", "rmsprop", "adadelta"])
def test_step_is_effective_rate_times_gradient(name):
    traj, view, surf = _inside(name)
    steps = np.diff(traj.points, axis=0)
    grads = surf.grad(traj.points[:-1])
    np.testing.assert_allclose(steps, -view.effective_lr[1:] * grads, rtol=1e-9, atol=1e-15)
    assert view.label == "effective learning rate"


@pytest.mark.parametrize(("name", "hyper"), [("adam", {}), ("adam", {"amsgrad": True}),
                                           ("adamax", {})])
def test_adam_step_is_effective_rate_times_first_moment(name, hyper):
    traj, view, _ = _inside(name, **hyper)
    steps = np.diff(traj.points, axis=0)
    m_hat = _row(view, "m̂ (mean of g)")[1:]
    np.testing.assert_allclose(steps, -view.effective_lr[1:] * m_hat, rtol=1e-9, atol=1e-15)


def test_rprop_effective_rate_is_its_step_size():
    traj, view, _ = _inside("rprop")
    steps = np.abs(np.diff(traj.points, axis=0))
    moved = steps > 0
    np.testing.assert_allclose(steps[moved], view.effective_lr[1:][moved], rtol=1e-12)
    assert view.label == "step size U"


@pytest.mark.parametrize("name", ["momentum", "nesterov", "nesterov_lookahead",
                                  "rmsprop_nesterov"])
def test_momentum_methods_show_their_velocity(name):
    traj, view, _ = _inside(name)
    assert view.velocity is not None
    assert view.velocity.shape == traj.points.shape
    if name == "momentum":  # Keras form: the step is the velocity
        np.testing.assert_allclose(np.diff(traj.points, axis=0), view.velocity[1:], rtol=1e-12)


@pytest.mark.parametrize("name", ["nesterov_lookahead", "rmsprop_nesterov"])
def test_lookahead_point_is_where_the_gradient_is_taken(name):
    traj, view, _ = _inside(name)
    np.testing.assert_allclose(view.lookahead[:-1], traj.eval_points, rtol=1e-12, atol=1e-15)


def test_rmsprop_centered_and_momentum_rows():
    _, view, _ = _inside("rmsprop", centered=True, momentum=0.5)
    labels = [label for label, _ in view.rows]
    assert labels == ["√r (RMS of g)", "mean gradient ḡ", "velocity v"]
    _, plain, _ = _inside("rmsprop")
    assert [label for label, _ in plain.rows] == ["√r (RMS of g)"] and plain.velocity is None
