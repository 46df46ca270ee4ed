"""The steppers: agreement with keras.optimizers, the lecture's formulas, and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from course_utils import optimizers as opt_mod
from course_utils import schedules
from course_utils.optimizers import (
    adagrad_textbook,
    add_noise,
    chain,
    clip_by_norm,
    clip_by_value,
    nesterov_lookahead,
    newton,
    rmsprop_nesterov,
    rprop,
    saddle_free_newton,
    sgd,
)

from ..keras_reference import keras_trajectory, our_trajectory, random_quadratic

STEPS = 60


def _keras():
    return pytest.importorskip("keras")


# (our optimizer name, our kwargs, keras class name, keras kwargs)
KERAS_CASES = [
    ("sgd", {"learning_rate": 0.05}, "SGD", {"learning_rate": 0.05}),
    ("sgd", {"learning_rate": 0.03, "momentum": 0.9}, "SGD",
     {"learning_rate": 0.03, "momentum": 0.9}),
    ("sgd", {"learning_rate": 0.03, "momentum": 0.5, "nesterov": True}, "SGD",
     {"learning_rate": 0.03, "momentum": 0.5, "nesterov": True}),
    ("momentum", {"learning_rate": 0.02, "momentum": 0.99}, "SGD",
     {"learning_rate": 0.02, "momentum": 0.99}),
    ("nesterov", {"learning_rate": 0.02, "momentum": 0.9}, "SGD",
     {"learning_rate": 0.02, "momentum": 0.9, "nesterov": True}),
    ("adagrad", {}, "Adagrad", {}),
    ("adagrad", {"learning_rate": 0.3, "initial_accumulator_value": 0.0, "epsilon": 1e-4},
     "Adagrad", {"learning_rate": 0.3, "initial_accumulator_value": 0.0, "epsilon": 1e-4}),
    ("rmsprop", {"learning_rate": 0.01}, "RMSprop", {"learning_rate": 0.01}),
    ("rmsprop", {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.9}, "RMSprop",
     {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.9}),
    ("rmsprop", {"learning_rate": 0.005, "centered": True}, "RMSprop",
     {"learning_rate": 0.005, "centered": True}),
    ("rmsprop", {"learning_rate": 0.005, "momentum": 0.5, "centered": True, "epsilon": 1e-3},
     "RMSprop", {"learning_rate": 0.005, "momentum": 0.5, "centered": True, "epsilon": 1e-3}),
    ("adadelta", {"learning_rate": 1.0}, "Adadelta", {"learning_rate": 1.0}),
    ("adadelta", {"learning_rate": 0.5, "rho": 0.9, "epsilon": 1e-6}, "Adadelta",
     {"learning_rate": 0.5, "rho": 0.9, "epsilon": 1e-6}),
    ("adam", {"learning_rate": 0.05}, "Adam", {"learning_rate": 0.05}),
    ("adam", {"learning_rate": 0.05, "amsgrad": True}, "Adam",
     {"learning_rate": 0.05, "amsgrad": True}),
    ("adam", {"learning_rate": 0.02, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3}, "Adam",
     {"learning_rate": 0.02, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3}),
    ("adamax", {"learning_rate": 0.05}, "Adamax", {"learning_rate": 0.05}),
    ("adamax", {"learning_rate": 0.02, "beta_1": 0.7, "beta_2": 0.99}, "Adamax",
     {"learning_rate": 0.02, "beta_1": 0.7, "beta_2": 0.99}),
    ("nadam", {"learning_rate": 0.05}, "Nadam", {"learning_rate": 0.05}),
    ("nadam", {"learning_rate": 0.02, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-4},
     "Nadam", {"learning_rate": 0.02, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-4}),
]


def _assert_close_relative(ours: np.ndarray, theirs: np.ndarray, rtol: float = 1e-5) -> None:
    scale = np.max(np.abs(theirs))
    err = np.max(np.abs(ours - theirs)) / scale
    assert err < rtol, f"largest difference relative to the trajectory scale: {err:.2e}"


@pytest.mark.parametrize(("name", "ours", "keras_name", "theirs"), KERAS_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(KERAS_CASES)])
def test_agrees_with_keras_float64(name, ours, keras_name, theirs):
    keras = _keras()
    a, b, x0 = random_quadratic(dim=5, seed=len(name) + len(ours))
    expected = keras_trajectory(getattr(keras.optimizers, keras_name)(**theirs), a, b, x0, STEPS)
    got = our_trajectory(opt_mod.get(name, **ours), a, b, x0, STEPS)
    # the run must actually move, or agreement would prove nothing
    assert np.max(np.abs(expected[-1] - expected[0])) > 1e-2
    _assert_close_relative(got, expected)


@pytest.mark.parametrize(
    ("name", "keras_name", "kwargs"),
    [("sgd", "SGD", {"momentum": 0.9}), ("adam", "Adam", {}), ("rmsprop", "RMSprop", {})],
)
def test_agrees_with_keras_under_schedules(name, keras_name, kwargs):
    keras = _keras()
    a, b, x0 = random_quadratic(dim=4, seed=7)
    ours_schedule = schedules.exponential_decay(0.05, decay_steps=10, decay_rate=0.5)
    theirs_schedule = keras.optimizers.schedules.ExponentialDecay(0.05, 10, 0.5)
    expected = keras_trajectory(
        getattr(keras.optimizers, keras_name)(learning_rate=theirs_schedule, **kwargs),
        a, b, x0, STEPS)
    got = our_trajectory(opt_mod.get(name, learning_rate=ours_schedule, **kwargs), a, b, x0,
                         STEPS)
    _assert_close_relative(got, expected)
    # and the schedule mattered: a constant rate gives another path
    constant = our_trajectory(opt_mod.get(name, learning_rate=0.05, **kwargs), a, b, x0, STEPS)
    assert np.max(np.abs(constant - expected)) > 1e-3


def test_inverse_time_decay_is_keras2_decay_argument():
    keras = _keras()
    a, b, x0 = random_quadratic(dim=3, seed=3)
    decay = 0.05
    ours = opt_mod.sgd(schedules.inverse_time_decay(0.1, decay_steps=1, decay_rate=decay),
                       momentum=0.9)
    theirs = keras.optimizers.SGD(
        keras.optimizers.schedules.InverseTimeDecay(0.1, 1, decay), momentum=0.9)
    _assert_close_relative(our_trajectory(ours, a, b, x0, STEPS),
                           keras_trajectory(theirs, a, b, x0, STEPS))


# ---------------------------------------------------------------- equivalences


def test_momentum_zero_is_sgd_exactly():
    a, b, x0 = random_quadratic(dim=3, seed=1)
    plain = our_trajectory(sgd(0.1), a, b, x0, 40)
    zero_array = our_trajectory(sgd(0.1, momentum=np.array([0.0])), a, b, x0[None], 40)
    np.testing.assert_array_equal(zero_array[:, 0], plain)


def test_lookahead_nesterov_equals_keras_form_after_change_of_variable():
    """Keras's theta is the lecture's look-ahead point theta + mu v."""
    a, b, x0 = random_quadratic(dim=4, seed=2)
    mu, lr = 0.9, 0.05
    keras_form = our_trajectory(opt_mod.nesterov(lr, mu), a, b, x0, 50)
    look = nesterov_lookahead(lr, mu)
    theta, state = x0.copy(), look.init(x0)
    shifted = [theta.copy()]
    for _ in range(50):
        point = look.eval_point(theta, state)
        updates, state = look.update(a @ point + b, state, theta)
        theta = theta + updates
        shifted.append(theta + mu * state.velocity)
    np.testing.assert_allclose(np.array(shifted), keras_form, rtol=1e-12, atol=1e-12)
    # without the look-ahead it is plain momentum, which differs
    plain = our_trajectory(opt_mod.momentum(lr, mu), a, b, x0, 50)
    assert np.max(np.abs(plain - keras_form)) > 1e-3


def _run_with_lookahead(opt, a, b, x0, steps):
    x, state = x0.copy(), opt.init(x0)
    out = [x.copy()]
    for _ in range(steps):
        point = opt.eval_point(x, state) if opt.eval_point is not None else x
        updates, state = opt.update(point @ a + b, state, x)
        x = x + updates
        out.append(x.copy())
    return np.array(out)


MOMENTUM_TAKERS = ["momentum", "nesterov", "nesterov_lookahead", "rmsprop", "rmsprop_nesterov"]


@pytest.mark.parametrize("name", MOMENTUM_TAKERS)
def test_a_constant_momentum_schedule_is_the_plain_momentum(name):
    a, b, x0 = random_quadratic(dim=3, seed=11)
    plain = _run_with_lookahead(opt_mod.get(name, learning_rate=0.05, momentum=0.8), a, b, x0, 40)
    scheduled = _run_with_lookahead(
        opt_mod.get(name, learning_rate=0.05, momentum=lambda count: 0.8), a, b, x0, 40)
    np.testing.assert_array_equal(scheduled, plain)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_annealing_by_hand(nesterov):
    """v_k = mu_k v_{k-1} - eps g; theta += v_k (or mu_k v_k - eps g, Keras's Nesterov form),
    with mu_k the schedule at the number of steps already taken."""
    a, b, x0 = random_quadratic(dim=2, seed=12)
    ramp = lambda count: min(0.5 + 0.1 * count, 0.95)  # noqa: E731
    ours = our_trajectory(sgd(0.05, momentum=ramp, nesterov=nesterov), a, b, x0, 12)
    x, v = x0.copy(), np.zeros(2)
    for k in range(12):
        g = x @ a + b
        v = ramp(k) * v - 0.05 * g
        x = x + (ramp(k) * v - 0.05 * g if nesterov else v)
        np.testing.assert_allclose(ours[k + 1], x, rtol=1e-14, atol=1e-14)
    constant = our_trajectory(sgd(0.05, momentum=0.5, nesterov=nesterov), a, b, x0, 12)
    assert np.max(np.abs(constant - ours)) > 1e-6


def test_a_momentum_schedule_can_give_a_grid():
    a, b, x0 = random_quadratic(dim=2, seed=13)
    finals = np.array([0.5, 0.9])
    grid = sgd(0.05, momentum=lambda count: np.minimum(0.1 * count, finals))
    x = np.broadcast_to(x0, (2, 2)).copy()
    state = grid.init(x)
    for _ in range(20):
        updates, state = grid.update(x @ a + b, state, x)
        x = x + updates
    for i, final in enumerate(finals):
        single = our_trajectory(sgd(0.05, momentum=lambda count, f=final: min(0.1 * count, f)),
                                a, b, x0, 20)
        np.testing.assert_allclose(x[i], single[-1], rtol=1e-13, atol=1e-13)


def test_a_momentum_schedule_out_of_range_names_the_step():
    opt = sgd(0.1, momentum=lambda count: 0.5 + 0.2 * count)  # reaches 1.1 at step 3
    x, state = np.zeros(2), opt.init(np.zeros(2))
    for _ in range(3):
        updates, state = opt.update(np.ones(2), state, x)
    with pytest.raises(ValueError, match=r"momentum \(its schedule's value at step 3\) must be "
                                         r"in \[0, 1\), got 1.1"):
        opt.update(np.ones(2), state, x)


def test_grid_of_hyperparameters_equals_single_runs():
    a, b, x0 = random_quadratic(dim=2, seed=4)
    lrs = np.array([[0.01, 0.05], [0.1, 0.2]])
    mus = np.array([[0.0, 0.5], [0.9, 0.99]])
    for name in ["sgd", "rmsprop", "adam"]:
        kw = {"momentum": mus} if name != "adam" else {"beta_1": mus}
        grid = opt_mod.get(name, learning_rate=lrs, **kw)
        assert grid.batch_shape == (2, 2)
        x = np.broadcast_to(x0, (2, 2, 2)).copy()
        state = grid.init(x)
        for _ in range(30):
            updates, state = grid.update(x @ a + b, state, x)
            x = x + updates
        for i in range(2):
            for j in range(2):
                kw1 = {k: float(v[i, j]) for k, v in kw.items()}
                single = our_trajectory(opt_mod.get(name, learning_rate=lrs[i, j], **kw1),
                                        a, b, x0, 30)
                np.testing.assert_allclose(x[i, j], single[-1], rtol=1e-13, atol=1e-13)


def test_update_does_not_mutate_state():
    a, b, x0 = random_quadratic(dim=3, seed=5)
    for name in opt_mod.names():
        if name in ("newton", "saddle_free_newton"):
            continue
        opt = opt_mod.get(name)
        state = opt.init(x0)
        _, state = opt.update(a @ x0 + b, state, x0)
        before = [np.copy(f) if isinstance(f, np.ndarray) else f for f in state]
        opt.update(a @ x0 + b, state, x0)
        for old, now in zip(before, state, strict=True):
            if isinstance(old, np.ndarray):
                np.testing.assert_array_equal(old, now)
            else:
                assert old == now


# ---------------------------------------------------------------- lecture forms by hand


def test_adagrad_textbook_by_hand():
    opt = adagrad_textbook(learning_rate=0.5, epsilon=1e-7)
    x = np.array([1.0, -2.0])
    state = opt.init(x)
    g1, g2 = np.array([3.0, 4.0]), np.array([1.0, -2.0])
    u1, state = opt.update(g1, state, x)
    np.testing.assert_allclose(u1, -0.5 * g1 / (1e-7 + np.abs(g1)))
    u2, state = opt.update(g2, state, x)
    r = g1**2 + g2**2
    np.testing.assert_allclose(u2, -0.5 * g2 / (1e-7 + np.sqrt(r)))
    np.testing.assert_allclose(state.accumulator, r)


def test_rmsprop_nesterov_by_hand():
    """Goodfellow et al. Alg. 8.6 with epsilon=0 on f(x) = x^2 / 2 per coordinate."""
    lr, rho, alpha = 0.1, 0.9, 0.5
    opt = rmsprop_nesterov(learning_rate=lr, rho=rho, momentum=alpha, epsilon=0.0)
    theta = np.array([2.0, -1.0])
    state = opt.init(theta)
    r, v, th = np.zeros(2), np.zeros(2), theta.copy()
    for _ in range(5):
        interim = th + alpha * v
        g = interim  # gradient of x^2/2
        r = rho * r + (1 - rho) * g * g
        v = alpha * v - lr / np.sqrt(r) * g
        th = th + v
        point = opt.eval_point(theta, state)
        np.testing.assert_allclose(point, interim)
        updates, state = opt.update(point, state, theta)
        theta = theta + updates
        np.testing.assert_allclose(theta, th, rtol=1e-14)


def test_rprop_lecture_steps_by_hand():
    opt = rprop()  # eta+ 1.2, eta- 0.5, initial step 0.01, bounds [1e-6, 50]
    x = np.zeros(1)
    state = opt.init(x)
    grads = [0.3, 0.2, 0.5, -0.1, -0.4]
    expected_updates = [-0.01, -0.01, -0.012, +0.0144, +0.0072]
    for g, expected in zip(grads, expected_updates, strict=True):
        u, state = opt.update(np.array([g]), state, x)
        np.testing.assert_allclose(u, [expected], rtol=1e-12)
    np.testing.assert_allclose(state.step_size, [0.0072 * 1.2])


def test_rprop_step_bounds():
    opt = rprop(initial_step=40.0)
    state = opt.init(np.zeros(1))
    for _ in range(5):
        _, state = opt.update(np.array([1.0]), state)
    assert state.step_size[0] == 50.0
    opt = rprop(initial_step=1e-5)
    state = opt.init(np.zeros(1))
    for k in range(10):
        _, state = opt.update(np.array([(-1.0) ** k]), state)
    assert state.step_size[0] == 1e-6


def test_rprop_fails_with_minibatches_where_sgd_cancels():
    """Nine gradients of +0.1 and one of -0.9: SGD stays put, Rprop walks away."""
    grads = [0.1] * 9 + [-0.9]
    for opt, moves in [(sgd(0.01), False), (rprop(), True)]:
        x = np.zeros(1)
        state = opt.init(x)
        for g in grads:
            u, state = opt.update(np.array([g]), state, x)
            x = x + u
        assert (abs(x[0]) > 1e-3) == moves, (opt.name, x)


# ---------------------------------------------------------------- transformations


def test_clip_by_norm_and_by_value():
    g = np.array([[3.0, 4.0], [0.3, 0.4], [-6.0, 8.0]])
    clipped, _ = clip_by_norm(1.0).update(g, clip_by_norm(1.0).init(g))
    norms = np.linalg.norm(clipped, axis=-1)
    np.testing.assert_allclose(norms, [1.0, 0.5, 1.0])
    # direction kept, each point independent
    np.testing.assert_allclose(clipped[0], [0.6, 0.8])
    np.testing.assert_allclose(clipped[1], g[1])
    by_value, _ = clip_by_value(0.5).update(g, clip_by_value(0.5).init(g))
    np.testing.assert_array_equal(by_value, np.clip(g, -0.5, 0.5))
    # clipping by value turns the direction
    assert not np.allclose(by_value[0] / np.linalg.norm(by_value[0]), [0.6, 0.8])


def test_chain_clips_before_stepping():
    opt = chain(clip_by_norm(1.0), sgd(0.1))
    x = np.zeros(2)
    u, state = opt.update(np.array([30.0, 40.0]), opt.init(x), x)
    np.testing.assert_allclose(u, [-0.06, -0.08])
    assert isinstance(state, tuple) and len(state) == 2
    assert opt.name == "clip_by_norm+sgd"


def test_add_noise_is_seeded_and_has_the_standard_error():
    g = np.zeros((20000, 2))
    noisy = add_noise(stddev=2.0, batch_size=16, seed=3)
    a, state_a = noisy.update(g, noisy.init(g))
    b, _ = noisy.update(g, noisy.init(g))
    c, _ = noisy.update(g, state_a)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    assert abs(a.std() - 2.0 / 4.0) < 0.01


def test_newton_jumps_to_stationary_point_and_saddle_free_escapes():
    a, b, x0 = random_quadratic(dim=2, seed=9)
    opt = newton()
    u, _ = opt.update(a @ x0 + b, opt.init(x0), x0, hessian=a)
    np.testing.assert_allclose(x0 + u, np.linalg.solve(a, -b), rtol=1e-10)
    # on the saddle f = x^2 - y^2 Newton goes straight to the saddle point
    h = np.diag([2.0, -2.0])
    x = np.array([1.0, 0.5])
    grad = np.array([2.0, -1.0])
    u, _ = opt.update(grad, opt.init(x), x, hessian=h)
    np.testing.assert_allclose(x + u, [0.0, 0.0], atol=1e-12)
    sfn = saddle_free_newton(damping=0.0)
    u, _ = sfn.update(grad, sfn.init(x), x, hessian=h)
    np.testing.assert_allclose(x + u, [0.0, 1.0], atol=1e-12)
    with pytest.raises(ValueError, match="needs the Hessian"):
        opt.update(grad, opt.init(x), x)


# ---------------------------------------------------------------- registry and bad input


def test_names_cover_the_lecture():
    required = {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam",
                "adamax", "nadam", "rprop", "rmsprop_nesterov", "adagrad_textbook",
                "nesterov_lookahead", "newton", "saddle_free_newton"}
    assert required <= set(opt_mod.names())
    for name in opt_mod.names():
        specs = opt_mod.parameters(name)
        built = opt_mod.get(name, **{k: s.default for k, s in specs.items()})
        assert built.hyperparams.keys() >= set(specs) - {"nesterov"}
        for s in specs.values():
            if s.low is not None:
                assert s.low <= s.default <= s.high


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sgd(-0.1), "learning_rate"),
        (lambda: sgd(float("nan")), "learning_rate"),
        (lambda: sgd(float("inf")), "learning_rate"),
        (lambda: sgd(0.1, momentum=1.0), r"momentum must be in \[0, 1\)"),
        (lambda: sgd(0.1, momentum=-0.5), "momentum"),
        (lambda: sgd(np.array([0.1, -1.0])), "learning_rate"),
        (lambda: opt_mod.adam(beta_1=1.0), "beta_1"),
        (lambda: opt_mod.adam(beta_2=1.5), "beta_2"),
        (lambda: opt_mod.adam(epsilon=-1e-8), "epsilon"),
        (lambda: opt_mod.rmsprop(rho=1.0), "rho"),
        (lambda: opt_mod.adadelta(epsilon=0.0), "epsilon"),
        (lambda: rprop(eta_minus=1.5), "eta_minus"),
        (lambda: rprop(min_step=1.0, max_step=0.5), "min_step"),
        (lambda: clip_by_norm(0.0), "max_norm"),
        (lambda: opt_mod.get("adamm"), "known optimizers are: sgd"),
        (lambda: opt_mod.get("adam", beta1=0.9), "beta1"),
        (lambda: opt_mod.get("sgd", learning_rate="fast"), "learning_rate"),
        (lambda: sgd(np.ones(3), momentum=np.zeros(4) + 0.5), "broadcast"),
    ],
)
def test_bad_hyperparameters_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_mismatched_shapes_raise_value_error():
    opt = opt_mod.adam()
    state = opt.init(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="do not match the optimizer state"):
        opt.update(np.zeros((3, 2)), state)
    with pytest.raises(ValueError, match="hyperparameter grid"):
        sgd(np.ones(3)).init(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="scalar"):
        sgd(0.1).init(3.0)


def test_extreme_values_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ["sgd", "adam", "rmsprop", "adagrad", "nadam"]:
            opt = opt_mod.get(name, learning_rate=0.1)
            x = np.array([1e300, -1e300])
            with np.errstate(all="ignore"):
                u, _ = opt.update(np.array([1e300, np.inf]), opt.init(x), x)
            assert u.shape == (2,)


def test_state_size_follows_the_memory_rule():
    x = np.zeros(100)
    sizes = {name: opt_mod.state_size(opt_mod.get(name).init(x))
             for name in ["sgd", "momentum", "adagrad", "rmsprop", "adam"]}
    assert sizes == {"sgd": 0, "momentum": 100, "adagrad": 100, "rmsprop": 100, "adam": 200}
