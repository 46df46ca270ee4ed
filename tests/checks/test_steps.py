"""The exercise checkers: right answers pass, typical wrong answers get the right hint."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import checks
from course_utils.checks import check_schedule, check_step, steps


def momentum_ok(theta, v, g, learning_rate, momentum):
    v = momentum * v - learning_rate * g
    return theta + v, v


def momentum_plus(theta, v, g, learning_rate, momentum):
    v = momentum * v + learning_rate * g
    return theta + v, v


def momentum_no_memory(theta, v, g, learning_rate, momentum):
    v = -learning_rate * g
    return theta + v, v


def nesterov_ok(theta, v, grad_fn, learning_rate, momentum):
    v = momentum * v - learning_rate * grad_fn(theta + momentum * v)
    return theta + v, v


def nesterov_plain(theta, v, grad_fn, learning_rate, momentum):
    v = momentum * v - learning_rate * grad_fn(theta)
    return theta + v, v


def adagrad_ok(theta, r, g, learning_rate, delta):
    r = r + g * g
    return theta - learning_rate * g / (delta + np.sqrt(r)), r


def adagrad_inside(theta, r, g, learning_rate, delta):
    r = r + g * g
    return theta - learning_rate * g / np.sqrt(delta + r), r


def rmsprop_ok(theta, r, g, learning_rate, rho, delta):
    r = rho * r + (1 - rho) * g * g
    return theta - learning_rate * g / np.sqrt(delta + r), r


def rmsprop_adagrad(theta, r, g, learning_rate, rho, delta):
    r = r + g * g
    return theta - learning_rate * g / np.sqrt(delta + r), r


def adam_ok(theta, s, r, t, g, learning_rate, rho1, rho2, delta):
    s = rho1 * s + (1 - rho1) * g
    r = rho2 * r + (1 - rho2) * g * g
    s_hat = s / (1 - rho1**t)
    r_hat = r / (1 - rho2**t)
    return theta - learning_rate * s_hat / (np.sqrt(r_hat) + delta), s, r


def adam_no_correction(theta, s, r, t, g, learning_rate, rho1, rho2, delta):
    s = rho1 * s + (1 - rho1) * g
    r = rho2 * r + (1 - rho2) * g * g
    return theta - learning_rate * s / (np.sqrt(r) + delta), s, r


def adam_multiplies(theta, s, r, t, g, learning_rate, rho1, rho2, delta):
    s = rho1 * s + (1 - rho1) * g
    r = rho2 * r + (1 - rho2) * g * g
    s_hat = s * (1 - rho1**t)
    r_hat = r * (1 - rho2**t)
    return theta - learning_rate * s_hat / (np.sqrt(r_hat) + delta), s, r


def adam_eps_inside(theta, s, r, t, g, learning_rate, rho1, rho2, delta):
    s = rho1 * s + (1 - rho1) * g
    r = rho2 * r + (1 - rho2) * g * g
    s_hat = s / (1 - rho1**t)
    r_hat = r / (1 - rho2**t)
    return theta - learning_rate * s_hat / np.sqrt(r_hat + delta), s, r


def adam_swapped(theta, s, r, t, g, learning_rate, rho1, rho2, delta):
    return adam_ok(theta, s, r, t, g, learning_rate, rho2, rho1, delta)


def adam_weird(theta, s, r, t, g, learning_rate, rho1, rho2, delta):
    theta, s, r = adam_ok(theta, s, r, t, g, learning_rate, rho1, rho2, delta)
    return theta * 1.001, s, r


@pytest.mark.parametrize(
    ("fn", "exercise"),
    [(momentum_ok, "momentum"), (nesterov_ok, "nesterov"), (adagrad_ok, "adagrad"),
     (rmsprop_ok, "rmsprop"), (adam_ok, "adam"),
     (lambda theta, g, learning_rate: theta - learning_rate * g, "sgd")],
)
def test_correct_answers_pass(fn, exercise):
    result = check_step(fn, exercise)
    assert result.passed, result.message
    assert result.message.startswith("✓")


@pytest.mark.parametrize(
    ("fn", "exercise", "step", "hint_words"),
    [
        (momentum_plus, "momentum", 1, "uphill"),
        (momentum_no_memory, "momentum", 2, "does not remember"),
        (nesterov_plain, "nesterov", 2, "look-ahead"),
        (adagrad_inside, "adagrad", 1, "inside the square root"),
        (rmsprop_adagrad, "rmsprop", 1, "This is AdaGrad"),
        (adam_no_correction, "adam", 1, "bias correction is missing"),
        (adam_multiplies, "adam", 1, "must divide, not multiply"),
        (adam_eps_inside, "adam", 1, "delta is inside the square root"),
        (adam_swapped, "adam", 1, "swapped"),
    ],
)
def test_typical_mistakes_get_the_right_hint(fn, exercise, step, hint_words):
    result = check_step(fn, exercise)
    assert not result.passed
    assert result.first_bad_step == step
    assert hint_words in result.hint
    assert "yours:" in result.message and "expected:" in result.message


def test_unknown_mistake_gets_a_generic_pointer():
    result = check_step(adam_weird, "adam")
    assert not result.passed and result.hint is None
    assert "No typical mistake matches" in result.message


def test_wrong_signature_and_crashing_code_are_reported_not_raised():
    def wrong(x, v, g, lr, mu):
        return x, v

    result = check_step(wrong, "momentum")
    assert not result.passed and "expects (theta, v, g, learning_rate, momentum)" in result.message

    def crashes(theta, v, g, learning_rate, momentum):
        raise ZeroDivisionError("oops")

    result = check_step(crashes, "momentum")
    assert not result.passed and "ZeroDivisionError" in result.message

    def wrong_return(theta, v, g, learning_rate, momentum):
        return theta

    assert "return 2 arrays" in check_step(wrong_return, "momentum").message


def test_templates_and_bad_arguments():
    for name in checks.exercises():
        text = checks.template(name)
        assert text.startswith(f"def {name}_step(theta")
    with pytest.raises(ValueError, match="unknown exercise"):
        check_step(momentum_ok, "lion")
    with pytest.raises(ValueError, match="unknown hyperparameters"):
        check_step(momentum_ok, "momentum", beta=0.9)


def test_reference_matches_the_package_steppers():
    """The lecture's momentum and RMSProp are course_utils.optimizers' sgd and rmsprop."""
    from course_utils import optimizers

    a, b, theta0 = steps._problem(0)
    opt = optimizers.sgd(learning_rate=0.05, momentum=0.9)
    theta, state = theta0.copy(), opt.init(theta0)
    theta_ref, v = theta0.copy(), np.zeros(3)
    for _ in range(20):
        u, state = opt.update(a @ theta - b, state, theta)
        theta = theta + u
        theta_ref, v = momentum_ok(theta_ref, v, a @ theta_ref - b, 0.05, 0.9)
    np.testing.assert_allclose(theta, theta_ref, rtol=1e-12)
    opt = optimizers.rmsprop(learning_rate=0.05, rho=0.9, epsilon=1e-6)
    theta, state = theta0.copy(), opt.init(theta0)
    theta_ref, r = theta0.copy(), np.zeros(3)
    for _ in range(20):
        u, state = opt.update(a @ theta - b, state, theta)
        theta = theta + u
        theta_ref, r = rmsprop_ok(theta_ref, r, a @ theta_ref - b, 0.05, 0.9, 1e-6)
    np.testing.assert_allclose(theta, theta_ref, rtol=1e-12)


# ---------------------------------------------------------------- schedules


def _linear_ok(k, initial_learning_rate, final_learning_rate, tau):
    alpha = min(k / tau, 1.0)
    return (1 - alpha) * initial_learning_rate + alpha * final_learning_rate


def test_a_correct_schedule_passes():
    result = check_schedule(_linear_ok)
    assert result.passed and result.message.startswith("✓")
    assert result.steps == (3 * 100 + 1) + (3 * 7 + 1)


@pytest.mark.parametrize(
    ("fn", "first_bad_step", "hint_words"),
    [
        (lambda k, e0, et, tau: (1 - k / tau) * e0 + k / tau * et, 101, "stays at the final"),
        (lambda k, e0, et, tau: min(k / tau, 1) * e0 + (1 - min(k / tau, 1)) * et, 0,
         "must start at the initial rate"),
        (lambda k, e0, et, tau: (1 - min(k // tau, 1)) * e0 + min(k // tau, 1) * et, 1,
         "not //"),
        (lambda k, e0, et, tau: _linear_ok(k + 1, e0, et, tau), 0, "not (k + 1) / tau"),
    ],
)
def test_typical_schedule_mistakes_get_their_hint(fn, first_bad_step, hint_words):
    result = check_schedule(fn, "linear_decay")
    assert not result.passed and result.first_bad_step == first_bad_step
    assert hint_words in result.hint and f"step k={first_bad_step} " in result.message


def test_schedule_problems_are_reported_not_raised():
    odd = check_schedule(lambda k, e0, et, tau: 0.5 * e0)
    assert not odd.passed and odd.hint is None and "No typical mistake" in odd.message
    crash = check_schedule(lambda k, e0, et, tau: _linear_ok(k, e0, et, tau) / (k != 3))
    assert not crash.passed and "ZeroDivisionError" in crash.message
    short = check_schedule(lambda k, e0: e0)
    assert not short.passed and "(k, initial_learning_rate, final_learning_rate, tau)" in (
        short.message)
    with pytest.raises(ValueError, match="unknown schedule exercise"):
        check_schedule(_linear_ok, "cosine")


def test_the_schedule_reference_and_its_mistakes_are_the_package_formula():
    from course_utils import schedules
    from course_utils.checks.steps import _linear_decay

    for e0, et, tau in [(0.1, 0.001, 100), (2.0, 0.5, 7), (1.0, 0.0, 3)]:
        package = schedules.linear_decay(e0, et, tau)
        for k in range(4 * tau):
            assert _linear_decay(k, e0, et, tau) == pytest.approx(float(package(k)), rel=1e-12)
            assert _linear_decay(k, e0, et, tau, one_ahead=True) == pytest.approx(
                float(package(k + 1)), rel=1e-12)
