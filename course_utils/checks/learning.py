r"""Checker for notebook 01's exercise, *Learning is not pure optimization*: a minibatch gradient.

The student writes ``minibatch_gradient(theta, x, y, batch_size, rng)`` for the two-parameter
logistic regression of :func:`course_utils.surfaces.get` ``("logistic")``: draw ``batch_size``
distinct examples with the generator ``rng`` and return the mean of their gradients
:math:`(\sigma(z_i) - y_i)(x_i, 1)`, :math:`z_i = w x_i + b`, as an array of shape ``(2,)``.

:func:`check_minibatch_gradient` tests it in two stages and returns a
:class:`~course_utils.checks.steps.CheckResult`:

1. with ``batch_size`` equal to all :math:`m` examples, at two points, the estimate must equal
   the surface's exact gradient. A wrong answer is compared with the typical mistakes of
   ``FULL_BATCH_MISTAKES``: a flipped sign, a sum instead of the mean, the bias left out of the
   logit, :math:`\sigma(-z)` for :math:`\sigma(z)`, the factor :math:`x` left out of
   :math:`\partial J/\partial w`, the components swapped, examples drawn with replacement
   (replayed from the same generator state);
2. over 2,000 batches of 10 the estimates must vary, be drawn with ``rng``, and average to the
   exact gradient. The typical mistakes there (``BATCH_MISTAKES``): ``batch_size`` ignored (the
   full gradient every time), always the first examples, always the same batch, another
   random generator than ``rng``, a division by :math:`m` instead of ``batch_size``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from .steps import CheckResult

__all__ = ["BATCH_MISTAKES", "FULL_BATCH_MISTAKES", "check_minibatch_gradient",
           "default_surface"]

EXERCISE = "minibatch_gradient"
#: The second stage: this many batches of this size, at the surface's start.
N_BATCHES, SMALL_BATCH = 2000, 10
#: The points of the first stage besides the start: the bias b is never 0, so leaving it out shows.
OTHER_POINT = (-3.0, 1.0)


def default_surface():
    """The exercise's surface: logistic regression on MNIST zeros and ones, one feature."""
    from .. import surfaces

    return surfaces.get("logistic")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(z / 2.0))  # = 1 / (1 + exp(-z)), without overflow


def _mean_gradient(theta: np.ndarray, x: np.ndarray, y: np.ndarray, *, bias: bool = True,
                   flip_sigmoid: bool = False, x_factor: bool = True) -> np.ndarray:
    """The mean of (σ(z) − y)(x, 1) over the given examples, with optional typical mistakes."""
    z = theta[0] * x + (theta[1] if bias else 0.0)
    residual = _sigmoid(-z if flip_sigmoid else z) - y
    return np.array([np.mean(residual * (x if x_factor else 1.0)), np.mean(residual)])


def _with_replacement(theta, x, y, rng):
    batch = rng.choice(len(x), size=len(x))  # replace=True, the default; = rng.integers(0, m, m)
    return _mean_gradient(theta, x[batch], y[batch])


# Each typical mistake with the full batch: (name, the wrong answer for theta, x, y and the
# generator in the state the student's function got it, hint).
FULL_BATCH_MISTAKES: list[tuple[str, Callable[..., np.ndarray], str]] = [
    ("sign", lambda theta, x, y, rng: -_mean_gradient(theta, x, y),
     "the sign is flipped: the gradient of the cross-entropy is (σ(z) − y)(x, 1), "
     "not (y − σ(z))(x, 1)"),
    ("summed", lambda theta, x, y, rng: len(x) * _mean_gradient(theta, x, y),
     "you summed the gradients of the batch: divide by batch_size to get their mean"),
    ("no_bias", lambda theta, x, y, rng: _mean_gradient(theta, x, y, bias=False),
     "the logit lacks the bias term: z = w x + b, with (w, b) = theta"),
    ("sigmoid", lambda theta, x, y, rng: _mean_gradient(theta, x, y, flip_sigmoid=True),
     "you computed 1/(1 + exp(z)), which is σ(−z); the sigmoid is σ(z) = 1/(1 + exp(−z))"),
    ("missing_x", lambda theta, x, y, rng: _mean_gradient(theta, x, y, x_factor=False),
     "dJ/dw lacks the factor x: by the chain rule ∂z/∂w = x, so dJ/dw is the mean of "
     "(σ(z) − y) x, while dJ/db is the mean of (σ(z) − y)"),
    ("swapped", lambda theta, x, y, rng: _mean_gradient(theta, x, y)[::-1],
     "the two components are swapped: return (dJ/dw, dJ/db), in the order of theta = (w, b)"),
    ("with_replacement", _with_replacement,
     "you drew the examples with replacement, so some come twice and others not at all: draw "
     "distinct ones, rng.choice(len(x), size=batch_size, replace=False)"),
]

#: The typical mistakes found over many small batches: name -> hint.
BATCH_MISTAKES: dict[str, str] = {
    "full_batch": "every batch of 10 gives the full gradient: you use all the examples; draw "
                  "only batch_size of them",
    "first_examples": "every batch of 10 is the first 10 examples: draw the indices from all "
                      "len(x) examples, rng.choice(len(x), size=batch_size, replace=False)",
    "same_batch": "every batch of 10 gives the same result: draw new examples at every call, "
                  "with the generator rng",
    "global_rng": "your batches are random, but not drawn with rng: use the generator you are "
                  "given (rng.choice(...), not np.random), so that its seed reproduces the run",
    "divided_by_m": "the estimates are batch_size/len(x) times too small on average: you "
                    "divided by len(x), the number of all examples; the mean over a minibatch "
                    "divides by batch_size",
    "biased": "the mean of many small batches is not the true gradient: the estimate is "
              "biased. Draw the batch uniformly at random from all examples",
}


def _call(student: Callable, theta: np.ndarray, x: np.ndarray, y: np.ndarray, batch_size: int,
          rng: np.random.Generator) -> tuple[np.ndarray, np.random.Generator, bool]:
    """The student's answer, the generator as it was before the call, and whether it was used."""
    before = copy.deepcopy(rng)
    with np.errstate(all="ignore"):
        got = np.asarray(student(theta.copy(), x, y, batch_size, rng), dtype=float)
    return got, before, rng.bit_generator.state != before.bit_generator.state


def check_minibatch_gradient(student: Callable, surface: Any = None, *,
                             seed: int = 0) -> CheckResult:
    """Check ``student(theta, x, y, batch_size, rng)`` on a logistic surface (see the module).

    ``surface`` defaults to :func:`default_surface`; it needs ``features``, ``labels``,
    ``start`` and ``grad``. ``steps`` counts the three cases (two full batches, then the small
    batches) and ``first_bad_step`` is the 0-based failing one.
    """
    surface = default_surface() if surface is None else surface
    x, y, m = surface.features, surface.labels, len(surface.labels)
    rng = np.random.default_rng(seed)
    cases = 3

    def fail(case: int, message: str, hint: str | None = None, **details: Any) -> CheckResult:
        return CheckResult(False, f"✗ {message}", EXERCISE, case + 1, first_bad_step=case,
                           hint=hint, details=details)

    start = np.array(surface.start, dtype=float)
    for case, theta in enumerate((start, np.array(OTHER_POINT))):
        where = f"θ = ({theta[0]:g}, {theta[1]:g}), batch_size = all {m} examples"
        got, before, _ = _call(student, theta, x, y, m, rng)
        exact = np.asarray(surface.grad(theta), dtype=float)
        if got.shape != (2,):
            return fail(case, f"{where}: return an array of shape (2,), (dJ/dw, dJ/db); got "
                              f"shape {got.shape}", "shape", theta=theta)
        if np.allclose(got, exact, rtol=1e-9, atol=1e-12):
            continue
        for name, wrong, hint in FULL_BATCH_MISTAKES:
            with np.errstate(all="ignore"):
                candidate = wrong(theta, x, y, copy.deepcopy(before))
            if np.allclose(got, candidate, rtol=1e-9, atol=1e-12):
                return fail(case, f"{where}: {hint}", name, theta=theta, got=got, expected=exact)
        return fail(case, f"{where}: you should get the exact gradient {exact.round(6)}, but got "
                          f"{got.round(6)}. Draw distinct examples (rng.choice(len(x), "
                          "size=batch_size, replace=False)) and check the formula.",
                    theta=theta, got=got, expected=exact)

    exact = np.asarray(surface.grad(start), dtype=float)
    draws, used_rng = np.empty((N_BATCHES, 2)), False
    for k in range(N_BATCHES):
        got, _, used = _call(student, start, x, y, SMALL_BATCH, rng)
        if got.shape != (2,):
            return fail(2, f"batch_size = {SMALL_BATCH}: return an array of shape (2,); got "
                           f"shape {got.shape}", "shape")
        draws[k], used_rng = got, used_rng or used
    mean = draws.mean(axis=0)
    spread = draws.std(axis=0) / np.sqrt(N_BATCHES)
    details = {"mean": mean, "expected": exact, "standard_error": spread}
    if np.allclose(draws, draws[0]):
        first = _mean_gradient(start, x[:SMALL_BATCH], y[:SMALL_BATCH])
        name = ("full_batch" if np.allclose(draws[0], exact, rtol=1e-9, atol=1e-12) else
                "first_examples" if np.allclose(draws[0], first, rtol=1e-9, atol=1e-12) else
                "same_batch")
        return fail(2, BATCH_MISTAKES[name], name, **details)
    if not used_rng:
        return fail(2, BATCH_MISTAKES["global_rng"], "global_rng", **details)
    if np.any(np.abs(mean - exact) > 5 * spread):
        scaled = SMALL_BATCH / m * exact
        name = "divided_by_m" if np.all(np.abs(mean - scaled) <= 5 * spread) else "biased"
        return fail(2, BATCH_MISTAKES[name], name, **details)
    return CheckResult(True, "✓ minibatch_gradient: equals surface.grad with the full batch, and "
                       f"its average over {N_BATCHES:,} batches of {SMALL_BATCH} is unbiased.",
                       EXERCISE, cases, details=details)
