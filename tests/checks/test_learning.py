"""Notebook 01's exercise (a minibatch gradient): the right answer passes, each typical mistake
gets its own hint. The wrong answers are written the way a student would write them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from course_utils import surfaces
from course_utils.checks import learning


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(z / 2.0))


def right(theta, x, y, batch_size, rng):
    batch = rng.choice(len(x), size=batch_size, replace=False)
    z = theta[0] * x[batch] + theta[1]
    residual = sigmoid(z) - y[batch]
    return np.array([np.mean(residual * x[batch]), np.mean(residual)])


def right_by_permutation(theta, x, y, batch_size, rng):
    batch = rng.permutation(len(x))[:batch_size]
    xb, yb = x[batch], y[batch]
    residual = 1 / (1 + np.exp(-(theta[0] * xb + theta[1]))) - yb
    return np.array([residual @ xb, residual.sum()]) / batch_size


def _student(*, draw=None, logit=None, sigma=sigmoid, reduce=None):
    """A student's function with one part replaced by a typical mistake."""
    def student(theta, x, y, batch_size, rng):
        if draw:
            batch = draw(len(x), batch_size, rng)
        else:
            batch = rng.choice(len(x), size=batch_size, replace=False)
        xb, yb = x[batch], y[batch]
        z = logit(theta, xb) if logit else theta[0] * xb + theta[1]
        residual = sigma(z) - yb
        if reduce:
            return reduce(residual, xb, len(x), batch_size)
        return np.array([np.mean(residual * xb), np.mean(residual)])
    return student


def _class_balanced(theta, x, y, batch_size, rng):
    # each class drawn equally often: a biased estimate of the gradient of the mean loss
    weights = np.where(y == 1, 1 / np.sum(y == 1), 1 / np.sum(y == 0))
    batch = rng.choice(len(x), size=batch_size, replace=False, p=weights / weights.sum())
    residual = sigmoid(theta[0] * x[batch] + theta[1]) - y[batch]
    return np.array([np.mean(residual * x[batch]), np.mean(residual)])


def _same_every_time(theta, x, y, batch_size, rng):
    return right(theta, x, y, batch_size, np.random.default_rng(0))  # a new generator each call


WRONG = {
    "shape": _student(reduce=lambda r, xb, m, b: np.stack([r * xb, r], axis=1)),  # no mean
    "sign": _student(reduce=lambda r, xb, m, b: np.array([np.mean(-r * xb), np.mean(-r)])),
    "summed": _student(reduce=lambda r, xb, m, b: np.array([np.sum(r * xb), np.sum(r)])),
    "no_bias": _student(logit=lambda theta, xb: theta[0] * xb),
    "sigmoid": _student(sigma=lambda z: 1 / (1 + np.exp(z))),
    "missing_x": _student(reduce=lambda r, xb, m, b: np.array([np.mean(r), np.mean(r)])),
    "swapped": _student(reduce=lambda r, xb, m, b: np.array([np.mean(r), np.mean(r * xb)])),
    "with_replacement": _student(draw=lambda m, b, rng: rng.integers(0, m, size=b)),
    "full_batch": _student(draw=lambda m, b, rng: rng.permutation(m)),
    "first_examples": _student(draw=lambda m, b, rng: rng.choice(b, size=b, replace=False)),
    "same_batch": _same_every_time,
    "global_rng": _student(  # the legacy global generator is the mistake under test
        draw=lambda m, b, rng: np.random.choice(m, size=b, replace=False)),  # noqa: NPY002
    "divided_by_m": _student(reduce=lambda r, xb, m, b: np.array([r @ xb, r.sum()]) / m),
    "biased": _class_balanced,
}

HINTS = {name: hint for name, _, hint in learning.FULL_BATCH_MISTAKES} | learning.BATCH_MISTAKES


def test_every_hint_has_a_wrong_student():
    assert set(WRONG) == set(HINTS) | {"shape"}


@pytest.fixture(scope="module")
def logistic():
    return surfaces.get("logistic")


@pytest.mark.parametrize("mistake", sorted(WRONG))
def test_each_mistake_gets_its_hint(mistake, logistic):
    result = learning.check_minibatch_gradient(WRONG[mistake], logistic)
    assert not result.passed and not result
    assert result.hint == mistake
    assert result.message.startswith("✗")
    if mistake == "shape":
        assert "shape (2,)" in result.message and result.first_bad_step == 0
    else:
        assert HINTS[mistake] in result.message
    # the full-batch mistakes show at the first point, the others only with small batches
    full_batch = {name for name, _, _ in learning.FULL_BATCH_MISTAKES} | {"shape"}
    assert result.first_bad_step == (0 if mistake in full_batch else 2)


def test_an_unknown_mistake_gets_the_numbers(logistic):
    result = learning.check_minibatch_gradient(lambda theta, x, y, b, rng: np.zeros(2), logistic)
    assert not result.passed and result.hint is None
    assert "exact gradient" in result.message and "replace=False" in result.message
    np.testing.assert_allclose(result.details["expected"], logistic.grad(logistic.start))


def test_a_mistake_away_from_the_start_shows_at_the_second_point(logistic):
    """A student right at the start but wrong elsewhere is caught at the second point."""
    def wrong_elsewhere(theta, x, y, batch_size, rng):
        g = right(theta, x, y, batch_size, rng)
        return g if theta[0] == logistic.start[0] else -g

    result = learning.check_minibatch_gradient(wrong_elsewhere, logistic)
    assert result.hint == "sign" and result.first_bad_step == 1
    assert "θ = (-3, 1)" in result.message


@pytest.mark.parametrize("student", [right, right_by_permutation])
@pytest.mark.parametrize("seed", [0, 1])
def test_right_answers_pass(student, seed, logistic):
    result = learning.check_minibatch_gradient(student, logistic, seed=seed)
    assert result.passed and bool(result) and result.hint is None
    assert result.message.startswith("✓ minibatch_gradient") and result.steps == 3
    assert str(result) == result.message


def test_the_default_surface_is_the_notebooks():
    assert learning.default_surface() is surfaces.get("logistic")
    assert learning.check_minibatch_gradient(right).passed


def test_course_solution_passes(logistic):
    path = Path(__file__).parents[2] / "notebooks" / "solutions" / "01_learning_vs_optimization.py"
    spec = importlib.util.spec_from_file_location("solutions_01_learning", path)
    solution = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(solution)
    result = learning.check_minibatch_gradient(solution.minibatch_gradient, logistic)
    assert result.passed, result.message
    assert str(result) == ("✓ minibatch_gradient: equals surface.grad with the full batch, and "
                           "its average over 2,000 batches of 10 is unbiased.")
