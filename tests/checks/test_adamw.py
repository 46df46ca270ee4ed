"""The AdamW exercise of notebook 10: decoupled weight decay, and its typical mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import checks
from course_utils.checks import check_step, steps
from course_utils.optimizers import adamw


def adam_part(theta, s, r, t, g, learning_rate, rho1, rho2, delta):
    s = rho1 * s + (1 - rho1) * g
    r = rho2 * r + (1 - rho2) * g * g
    s_hat, r_hat = s / (1 - rho1**t), r / (1 - rho2**t)
    return theta - learning_rate * s_hat / (np.sqrt(r_hat) + delta), s, r


def adamw_ok(theta, s, r, t, g, learning_rate, rho1, rho2, delta, weight_decay):
    stepped, s, r = adam_part(theta, s, r, t, g, learning_rate, rho1, rho2, delta)
    return stepped - learning_rate * weight_decay * theta, s, r


def adamw_l2(theta, s, r, t, g, learning_rate, rho1, rho2, delta, weight_decay):
    return adam_part(theta, s, r, t, g + weight_decay * theta, learning_rate, rho1, rho2, delta)


def adamw_decay_after(theta, s, r, t, g, learning_rate, rho1, rho2, delta, weight_decay):
    theta, s, r = adam_part(theta, s, r, t, g, learning_rate, rho1, rho2, delta)
    return theta - learning_rate * weight_decay * theta, s, r


def adamw_no_lr(theta, s, r, t, g, learning_rate, rho1, rho2, delta, weight_decay):
    stepped, s, r = adam_part(theta, s, r, t, g, learning_rate, rho1, rho2, delta)
    return stepped - weight_decay * theta, s, r


def adamw_plus(theta, s, r, t, g, learning_rate, rho1, rho2, delta, weight_decay):
    stepped, s, r = adam_part(theta, s, r, t, g, learning_rate, rho1, rho2, delta)
    return stepped + learning_rate * weight_decay * theta, s, r


def test_a_correct_adamw_passes():
    result = check_step(adamw_ok, "adamw")
    assert result.passed, result.message
    assert "adamw" in checks.exercises()
    assert checks.template("adamw").startswith(
        "def adamw_step(theta, s, r, t, g, learning_rate, rho1, rho2, delta, weight_decay)")


@pytest.mark.parametrize(("fn", "hint_words"), [
    (adamw_l2, "This is Adam with L2 regularization"),
    (adamw_decay_after, "The decay uses the new theta"),
    (adamw_no_lr, "scaled by the learning rate too"),
    (adamw_plus, "pushes theta away from 0"),
])
def test_typical_adamw_mistakes_get_their_hint(fn, hint_words):
    result = check_step(fn, "adamw")
    assert not result.passed
    assert result.first_bad_step == 1
    assert hint_words in result.hint


def test_without_decay_the_exercise_is_adam():
    assert check_step(adamw_l2, "adamw", weight_decay=0.0).passed
    assert not check_step(adamw_l2, "adamw").passed


def test_reference_is_the_package_adamw():
    """The lecture-form reference equals optimizers.adamw up to where δ sits (tiny δ here)."""
    a, b, theta0 = steps._problem(0)
    opt = adamw(learning_rate=0.1, weight_decay=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-12)
    theta, state = theta0.copy(), opt.init(theta0)
    ref, s, r = theta0.copy(), np.zeros(3), np.zeros(3)
    for t in range(1, 30):
        updates, state = opt.update(a @ theta - b, state, theta)
        theta = theta + updates
        ref, s, r = adamw_ok(ref, s, r, t, a @ ref - b, 0.1, 0.9, 0.999, 1e-12, 0.1)
    np.testing.assert_allclose(theta, ref, rtol=1e-8)
