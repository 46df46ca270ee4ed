"""The optimizers since the lecture against keras.optimizers in float64, and by hand.

AdamW, Lion, Lamb, Adafactor and schedule-free AdamW agree with Keras on vectors (60 steps on
random quadratics, several settings each). Adafactor's factored form and Muon are compared
on a matrix-shaped variable, where Keras uses them; Muon on a 2-D point (where Keras would run
AdamW instead) is checked against the paper's equations by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import optimizers, run, surfaces
from course_utils.optimizers import modern

from ..keras_reference import keras_trajectory, our_trajectory, random_quadratic

STEPS = 60


def _keras():
    return pytest.importorskip("keras")


def _close(ours: np.ndarray, theirs: np.ndarray, rtol: float = 1e-5) -> None:
    assert np.max(np.abs(theirs[-1] - theirs[0])) > 1e-2, "the run must move"
    err = np.max(np.abs(ours - theirs)) / np.max(np.abs(theirs))
    assert err < rtol, f"largest difference relative to the trajectory scale: {err:.2e}"


VECTOR_CASES = [
    ("adamw", {"learning_rate": 0.05}, "AdamW", {"learning_rate": 0.05}),
    ("adamw", {"learning_rate": 0.05, "weight_decay": 0.5, "beta_1": 0.8, "epsilon": 1e-4},
     "AdamW", {"learning_rate": 0.05, "weight_decay": 0.5, "beta_1": 0.8, "epsilon": 1e-4}),
    ("adamw", {"learning_rate": 0.05, "weight_decay": 0.1, "amsgrad": True}, "AdamW",
     {"learning_rate": 0.05, "weight_decay": 0.1, "amsgrad": True}),
    ("lion", {"learning_rate": 0.01}, "Lion", {"learning_rate": 0.01}),
    ("lion", {"learning_rate": 0.02, "beta_1": 0.5, "beta_2": 0.9, "weight_decay": 0.3},
     "Lion", {"learning_rate": 0.02, "beta_1": 0.5, "beta_2": 0.9, "weight_decay": 0.3}),
    ("lamb", {"learning_rate": 0.05}, "Lamb", {"learning_rate": 0.05}),
    ("lamb", {"learning_rate": 0.02, "beta_1": 0.7, "epsilon": 1e-3, "weight_decay": 0.2},
     "Lamb", {"learning_rate": 0.02, "beta_1": 0.7, "epsilon": 1e-3, "weight_decay": 0.2}),
    ("adafactor", {"learning_rate": 0.5}, "Adafactor", {"learning_rate": 0.5}),
    ("adafactor", {"learning_rate": 0.05, "clip_threshold": 0.3, "epsilon_2": 0.05,
                   "beta_2_decay": -0.5, "weight_decay": 0.1},
     "Adafactor", {"learning_rate": 0.05, "clip_threshold": 0.3, "epsilon_2": 0.05,
                   "beta_2_decay": -0.5, "weight_decay": 0.1}),
    ("adafactor", {"learning_rate": 0.2, "relative_step": False}, "Adafactor",
     {"learning_rate": 0.2, "relative_step": False}),
]


@pytest.mark.parametrize(("name", "ours", "keras_name", "theirs"), VECTOR_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(VECTOR_CASES)])
def test_agrees_with_keras_float64(name, ours, keras_name, theirs):
    keras = _keras()
    a, b, x0 = random_quadratic(dim=5, seed=len(name) + len(ours))
    expected = keras_trajectory(getattr(keras.optimizers, keras_name)(**theirs), a, b, x0, STEPS)
    got = our_trajectory(getattr(modern, name)(**ours), a, b, x0, STEPS)
    _close(got, expected)


def _keras_matrix_trajectory(keras_opt, a, b, x0, shape, steps, dtype="float64"):
    import keras

    var = keras.Variable(x0.reshape(shape).copy(), dtype=dtype)
    out = [x0.copy()]
    for _ in range(steps):
        x = np.asarray(var.numpy(), dtype=np.float64).reshape(-1)
        grad = keras.ops.convert_to_tensor((a @ x + b).reshape(shape), dtype=dtype)
        keras_opt.apply_gradients([(grad, var)])
        out.append(np.asarray(var.numpy(), dtype=np.float64).reshape(-1).copy())
    return np.array(out)


@pytest.mark.parametrize(("name", "ours", "keras_name", "theirs"), [
    ("adafactor", {"learning_rate": 0.5}, "Adafactor", {"learning_rate": 0.5}),
    ("adafactor", {"learning_rate": 0.1, "clip_threshold": 0.5}, "Adafactor",
     {"learning_rate": 0.1, "clip_threshold": 0.5}),
    ("muon", {"learning_rate": 0.05}, "Muon", {"learning_rate": 0.05}),
    ("muon", {"learning_rate": 0.1, "momentum": 0.8, "nesterov": False, "ns_steps": 3,
              "weight_decay": 0.2, "rms_rate": 0.5},
     "Muon", {"learning_rate": 0.1, "momentum": 0.8, "nesterov": False, "ns_steps": 3,
              "weight_decay": 0.2, "rms_rate": 0.5}),
])
@pytest.mark.parametrize("shape", [(3, 4), (4, 3)])
def test_matrix_forms_agree_with_keras(name, ours, keras_name, theirs, shape):
    """On a weight matrix Keras uses the factored second moment and Muon's orthogonalization.

    Keras's Muon runs in float32 only (its update scale is a float32 tensor that TensorFlow
    will not multiply with a float64 variable), so Muon is compared in float32, to 1e-4.
    """
    keras = _keras()
    a, b, x0 = random_quadratic(dim=12, seed=5)
    dtype = "float32" if name == "muon" else "float64"
    expected = _keras_matrix_trajectory(getattr(keras.optimizers, keras_name)(**theirs),
                                        a, b, x0, shape, STEPS, dtype)
    got = our_trajectory(getattr(modern, name)(shape=shape, **ours), a, b, x0, STEPS)
    _close(got, expected, rtol=1e-4 if dtype == "float32" else 1e-5)


def test_adafactor_factored_state_is_rows_plus_columns():
    opt = modern.adafactor(shape=(30, 40))
    state = opt.init(np.zeros(1200))
    assert optimizers.state_size(state) == 30 + 40
    assert optimizers.state_size(modern.adafactor().init(np.zeros(1200))) == 1200
    assert optimizers.state_size(modern.lion().init(np.zeros(1200))) == 1200
    assert optimizers.state_size(modern.adamw().init(np.zeros(1200))) == 2400


def test_newton_schulz_approximately_orthogonalizes():
    rng = np.random.default_rng(0)
    g = rng.standard_normal((6, 4)) @ np.diag([3.0, 1.0, 0.3, 0.1]) @ rng.standard_normal(
        (4, 4))
    s = np.linalg.svd(modern.newton_schulz(g, steps=5), compute_uv=False)
    assert np.all((s > 0.6) & (s < 1.25)), s  # every direction gets about the same step
    u, _, vt = np.linalg.svd(g, full_matrices=False)
    # the same singular vectors as g: NS only changes the singular values
    projected = u.T @ modern.newton_schulz(g, steps=5) @ vt.T
    np.testing.assert_allclose(projected, np.diag(np.diag(projected)), atol=1e-9)


def test_muon_on_a_point_is_normalized_nesterov_sgd():
    """Muon's reduction on the course's 2-D points, written out from the paper by hand."""
    lr, mu, rate = 0.3, 0.95, 0.2
    surf = surfaces.get("ravine")
    traj = run(modern.muon(learning_rate=lr, momentum=mu, rms_rate=rate, weight_decay=0.0),
               surf, steps=30)
    x, m = surf.start.copy(), np.zeros(2)
    s = 1.0 / (1.0 + 1e-7 / 1.0)
    for expected in traj.points[1:]:
        g = surf.grad(x)
        m = mu * m + g
        direction = g + mu * m
        norm = np.linalg.norm(direction)
        s = norm / (norm + 1e-7)
        for _ in range(5):
            s = 3.4445 * s - 4.7750 * s**3 + 2.0315 * s**5
        x = x - lr * np.sqrt(2) * rate * s * direction / norm
        np.testing.assert_allclose(x, expected, rtol=1e-12, atol=1e-14)
    # the step length is fixed (about 0.2 lr), whatever the gradient's size
    lengths = np.linalg.norm(np.diff(traj.points, axis=0), axis=1)
    np.testing.assert_allclose(lengths, 0.6964 * np.sqrt(2) * rate * lr, rtol=1e-3)


def test_lion_moves_every_coordinate_by_the_learning_rate():
    traj = run(modern.lion(learning_rate=0.01), surfaces.get("ravine"), steps=20)
    np.testing.assert_allclose(np.abs(np.diff(traj.points, axis=0)), 0.01, rtol=1e-12)


def test_lamb_step_is_a_fixed_fraction_of_the_weights():
    traj = run(modern.lamb(learning_rate=0.05), surfaces.get("ravine"), steps=20)
    steps = np.linalg.norm(np.diff(traj.points, axis=0), axis=1)
    np.testing.assert_allclose(steps, 0.05 * np.linalg.norm(traj.points[:-1], axis=1),
                               rtol=1e-9)


def test_decoupled_decay_differs_from_l2_in_the_gradient():
    """AdamW's decay is not Adam on f + λ/2 |θ|²: the adaptive scaling treats them apart."""
    surf = surfaces.get("ravine")
    lam = 0.5
    decoupled = run(modern.adamw(learning_rate=0.05, weight_decay=lam), surf, steps=300)
    l2 = optimizers.adam(learning_rate=0.05)
    x, state = surf.start.copy(), l2.init(surf.start)
    for _ in range(300):
        updates, state = l2.update(surf.grad(x) + lam * x, state, x)
        x = x + updates
    assert np.linalg.norm(decoupled.points[-1] - x) > 0.1


def _schedule_free_by_hand(a, b, x0, steps, lr, b1=0.9, b2=0.999, eps=1e-8, warmup=0,
                           z_after_update=False):
    """The paper's schedule-free AdamW (Defazio et al. 2024, Algorithm 1, uniform weights c = 1/t).

    ``z_after_update=True`` recovers x_t from z_{t+1} instead of z_t, as Keras 3's TensorFlow
    backend does (``momentum_old = momentum.value`` keeps a reference to the variable).
    """
    y, z, v = x0.copy(), x0.copy(), np.zeros_like(x0)
    out = [y.copy()]
    for t in range(1, steps + 1):
        g = a @ y + b
        rate = lr * min(t / warmup, 1.0) if warmup else lr
        v = v + (g * g - v) * (1 - b2)
        z_new = z - rate * g / (np.sqrt(v / (1 - b2**t)) + eps)
        x = (y - (1 - b1) * (z_new if z_after_update else z)) / b1
        x = (1 - 1 / t) * x + z_new / t
        y, z = (1 - b1) * z_new + b1 * x, z_new
        out.append(y.copy())
    return np.array(out)


@pytest.mark.parametrize("hyper", [{"lr": 0.05}, {"lr": 0.1, "b1": 0.8, "warmup": 10}])
def test_schedule_free_follows_the_paper(hyper):
    a, b, x0 = random_quadratic(dim=5, seed=3)
    opt = modern.schedule_free_adamw(learning_rate=hyper["lr"], beta_1=hyper.get("b1", 0.9),
                                     warmup_steps=hyper.get("warmup", 0))
    got = our_trajectory(opt, a, b, x0, STEPS)
    _close(got, _schedule_free_by_hand(a, b, x0, STEPS, **hyper), rtol=1e-12)


def test_keras_schedule_free_reads_the_updated_z():
    """Why Keras's ScheduleFreeAdamW (TensorFlow backend) leaves the paper after one step.

    If this fails, Keras has changed: update the descriptor's note and the notebook.
    """
    keras = _keras()
    a, b, x0 = random_quadratic(dim=5, seed=3)
    theirs = keras_trajectory(keras.optimizers.ScheduleFreeAdamW(learning_rate=0.05), a, b, x0,
                              STEPS)
    ours = our_trajectory(modern.schedule_free_adamw(learning_rate=0.05), a, b, x0, STEPS)
    np.testing.assert_allclose(ours[:2], theirs[:2], rtol=1e-6)  # the first step agrees
    assert np.max(np.abs(ours - theirs)) / np.max(np.abs(theirs)) > 1e-3
    _close(_schedule_free_by_hand(a, b, x0, STEPS, 0.05, z_after_update=True), theirs)


def test_schedule_free_average_is_the_mean_of_the_base_sequence():
    """x_t = (y_t - (1 - β₁) z_t) / β₁ is the uniform average of z_1 ... z_t (Keras's c = 1/t)."""
    opt = modern.schedule_free_adamw(learning_rate=0.1, beta_1=0.9)
    surf = surfaces.get("ravine")
    y, state = surf.start.copy(), opt.init(surf.start)
    zs = []
    for _ in range(40):
        updates, state = opt.update(surf.grad(y), state, y)
        y = y + updates
        zs.append(state.z)
        np.testing.assert_allclose(modern.schedule_free_average(y, state, 0.9),
                                   np.mean(zs, axis=0), rtol=1e-10, atol=1e-12)
    # the gradient point y sits between z and x: y = 0.1 z + 0.9 x
    x = modern.schedule_free_average(y, state, 0.9)
    np.testing.assert_allclose(y, 0.1 * state.z + 0.9 * x, rtol=1e-12)
    assert np.linalg.norm(x - state.z) > 1e-3  # the average lags behind z


@pytest.mark.parametrize(("call", "message"), [
    (lambda: modern.adamw(weight_decay=-0.1), "weight_decay"),
    (lambda: modern.lion(beta_2=1.0), "beta_2"),
    (lambda: modern.adafactor(clip_threshold=0.0), "clip_threshold"),
    (lambda: modern.adafactor(beta_2_decay=0.5), "beta_2_decay"),
    (lambda: modern.adafactor(shape=(3,)), "shape"),
    (lambda: modern.muon(ns_steps=-1), "ns_steps"),
    (lambda: modern.muon(shape=(2, 0)), r"shape\[1\]"),
    (lambda: modern.schedule_free_adamw(warmup_steps=1.5), "warmup_steps"),
    (lambda: modern.schedule_free_adamw(beta_1=0.0), "beta_1"),
])
def test_bad_hyperparameters_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_shape_must_match_the_point_and_params_are_required():
    with pytest.raises(ValueError, match="needs 12 coordinates"):
        modern.muon(shape=(3, 4)).update(np.ones(10), modern.muon().init(np.zeros(10)),
                                         np.zeros(10))
    for opt in (modern.adamw(), modern.lamb(), modern.adafactor(), modern.muon(),
                modern.schedule_free_adamw()):
        with pytest.raises(ValueError, match="needs params"):
            opt.update(np.ones(2), opt.init(np.zeros(2)))


def test_grids_of_hyperparameters_equal_single_runs():
    surf = surfaces.get("ravine")
    lrs = np.array([0.01, 0.05, 0.2])
    for factory in (modern.adamw, modern.lion, modern.lamb, modern.adafactor,
                    modern.schedule_free_adamw, modern.muon):
        grid = run(factory(learning_rate=lrs), surf, start=np.broadcast_to(surf.start, (3, 2)),
                   steps=15)
        for i, lr in enumerate(lrs):
            single = run(factory(learning_rate=lr), surf, steps=15)
            np.testing.assert_allclose(grid.points[:, i], single.points, rtol=1e-12,
                                       err_msg=factory.__name__)
