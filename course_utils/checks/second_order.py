r"""Checkers for notebook 07's exercises: one full Newton or saddle-free Newton step.

The student writes ``step(theta, g, H) -> new theta``:

======================  =====================================================================
``newton``              :math:`\theta - H^{-1} g`, computed by solving :math:`H s = g`
``saddle_free_newton``  :math:`\theta - |H|^{-1} g` with :math:`|H| = Q |\Lambda| Q^\top`
======================  =====================================================================

:func:`check_step` compares the function with ``optimizers.newton()`` and
``optimizers.saddle_free_newton(damping=0.0)`` at random points of three surfaces (the rotated
ravine, Rosenbrock and Beale: positive definite, and indefinite Hessians). When the answers
differ it looks for a typical mistake that gives the student's numbers at *every* point (a
sign error, multiplying by :math:`H`, returning the step instead of the new parameters, the
elementwise absolute value of :math:`H` ...) and shows its hint.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .steps import CheckResult

__all__ = ["check_step", "exercises", "mistakes", "template"]

Step = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def _solve(h, g):
    return np.linalg.solve(h, g)


def _abs_solve(h, g):
    eigenvalues, vectors = np.linalg.eigh(h)
    return vectors @ ((vectors.T @ g) / np.abs(eigenvalues))


def _abs_multiply(h, g):
    eigenvalues, vectors = np.linalg.eigh(h)
    return vectors @ ((vectors.T @ g) * np.abs(eigenvalues))


def _abs_solve_unrotated(h, g):
    eigenvalues, vectors = np.linalg.eigh(h)
    return (vectors.T @ g) / np.abs(eigenvalues)


# Each mistake: (key, the wrong step as a function of (theta, g, H), hint).
_NEWTON_MISTAKES: tuple[tuple[str, Step, str], ...] = (
    ("sign", lambda t, g, h: t + _solve(h, g),
     "the step goes the wrong way: return theta - s, not theta + s."),
    ("multiplied", lambda t, g, h: t - h @ g,
     "you multiplied g by H; Newton divides by the curvature: solve H s = g instead."),
    ("gradient_step", lambda t, g, h: t - g,
     "that is a gradient step with ε = 1: the Hessian must enter through H s = g."),
    ("returned_step", lambda t, g, h: _solve(h, g),
     "you returned the step s; return the new parameters theta - s."),
    ("returned_minus_step", lambda t, g, h: -_solve(h, g),
     "you returned the change -s; return the new parameters theta - s."),
    ("diagonal_only", lambda t, g, h: t - g / np.diag(h),
     "you divided g by the diagonal of H: that ignores the off-diagonal entries (the "
     "rotation). Solve the whole system H s = g."),
)

_SADDLE_FREE_MISTAKES: tuple[tuple[str, Step, str], ...] = (
    ("plain_newton", lambda t, g, h: t - _solve(h, g),
     "that is Newton's step: take the absolute values of the eigenvalues before dividing."),
    ("elementwise_abs", lambda t, g, h: t - _solve(np.abs(h), g),
     "|H| is not the entrywise absolute value np.abs(H): decompose H = Q Λ Q^T with "
     "np.linalg.eigh and use Q |Λ| Q^T."),
    ("no_rotation_back", lambda t, g, h: t - _abs_solve_unrotated(h, g),
     "the step is still in eigenvector coordinates: map it back with Q, "
     "s = Q (Q^T g / |λ|)."),
    ("multiplied", lambda t, g, h: t - _abs_multiply(h, g),
     "you multiplied by |λ|; the step divides each coordinate by |λ|."),
    ("sign", lambda t, g, h: t + _abs_solve(h, g),
     "the step goes the wrong way: return theta - |H|^{-1} g."),
    ("returned_step", lambda t, g, h: _abs_solve(h, g),
     "you returned the step s; return the new parameters theta - s."),
)


def _reference(exercise: str):
    from .. import optimizers

    if exercise == "newton":
        return optimizers.newton()
    return optimizers.saddle_free_newton(damping=0.0)


_EXERCISES = {"newton": _NEWTON_MISTAKES, "saddle_free_newton": _SADDLE_FREE_MISTAKES}


def exercises() -> list[str]:
    """Names of the exercises :func:`check_step` knows."""
    return list(_EXERCISES)


def mistakes(exercise: str) -> list[str]:
    """The keys of an exercise's typical mistakes, in the order they are tried."""
    return [key for key, _, _ in _mistakes(exercise)]


def template(exercise: str) -> str:
    """The function header a student should fill in, as text."""
    _mistakes(exercise)
    return f"def {exercise}_step(theta, g, H):\n    ...\n    return theta_new\n"


def _mistakes(exercise: str):
    if exercise not in _EXERCISES:
        raise ValueError(f"unknown exercise {exercise!r}; known: {', '.join(_EXERCISES)}")
    return _EXERCISES[exercise]


def _test_points(points_per_surface: int, seed: int):
    """(surface name, theta, g, H) at random points of the three test surfaces."""
    from .. import surfaces

    rng = np.random.default_rng(seed)
    cases = []
    for surface in (surfaces.get("ravine", condition=50, angle=30), surfaces.get("rosenbrock"),
                    surfaces.get("beale")):
        low, high = np.array([surface.xlim, surface.ylim]).T
        for theta in rng.uniform(low, high, size=(points_per_surface, 2)):
            cases.append((surface.name, theta, surface.grad(theta), surface.hess(theta)))
    return cases


def _close(a, b) -> bool:
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-8, atol=1e-10)


def check_step(student: Step, exercise: str, *, points_per_surface: int = 5,
               seed: int = 0) -> CheckResult:
    """Check ``student(theta, g, H) -> new theta`` against the reference step.

    ``exercise`` is ``"newton"`` or ``"saddle_free_newton"`` (undamped). The function is called
    at ``points_per_surface`` random points of each of three surfaces; ``details`` of the result
    holds ``mistake``, the key of the typical mistake that matched (or ``None``).
    """
    mistake_list = _mistakes(exercise)
    reference = _reference(exercise)
    cases = _test_points(points_per_surface, seed)
    total = len(cases)
    expected, got = [], []
    for index, (_, theta, g, hessian) in enumerate(cases):
        step, _ = reference.update(g, reference.init(theta), theta, hessian=hessian)
        expected.append(theta + step)
        try:
            with np.errstate(all="ignore"):
                out = np.asarray(student(theta.copy(), g.copy(), hessian.copy()), dtype=float)
        except Exception as err:  # the student's code failed: show it, do not stop the notebook
            return CheckResult(False, f"✗ {exercise}: your function raised "
                                      f"{type(err).__name__}: {err}", exercise, total,
                               first_bad_step=index + 1, details={"mistake": "raised"})
        if out.shape != theta.shape:
            hint = f"return the new theta, an array of shape {theta.shape}."
            return CheckResult(False, f"✗ {exercise}: got shape {out.shape}.\nHint: {hint}",
                               exercise, total, first_bad_step=index + 1, hint=hint,
                               details={"mistake": "shape"})
        got.append(out)
    bad = [i for i in range(total) if not _close(got[i], expected[i])]
    worst = max(float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1.0)))
                for a, b in zip(got, expected, strict=True))
    if not bad:
        return CheckResult(True, f"✓ {exercise}: matches optimizers.{reference.name} at "
                                 f"{points_per_surface} points on each of 3 surfaces.",
                           exercise, total, largest_difference=worst, details={"mistake": None})
    first = bad[0]
    name, theta = cases[first][0], cases[first][1]
    hint, key = None, None
    for mistake_key, wrong, text in mistake_list:
        with np.errstate(all="ignore"):
            if all(_close(got[i], np.asarray(wrong(t, g, h), dtype=float))
                   for i, (_, t, g, h) in enumerate(cases)):
                hint, key = text, mistake_key
                break
    message = (f"✗ {exercise}: on {name} at θ = {np.round(theta, 3)}\n"
               f"  yours:    {np.round(got[first], 6)}\n"
               f"  expected: {np.round(expected[first], 6)}")
    message += (f"\nHint: {hint}" if hint else
                "\nNo typical mistake matches; compare your lines with the formula one by one.")
    return CheckResult(False, message, exercise, total, first_bad_step=first + 1,
                       largest_difference=worst, hint=hint, details={"mistake": key})
