"""Checkers for the exercises of notebook 02, *Why training deep networks is hard*.

``check_clip_by_norm`` compares a student's gradient clipping by norm with
:func:`course_utils.optimizers.clip_by_norm`; ``check_predicted_change`` compares a student's
second-order Taylor prediction of a gradient step's effect with the exact change on ravines.
Both return a :class:`~course_utils.checks.steps.CheckResult` and, when the answer is wrong,
name the typical mistake it matches (the tables ``CLIP_MISTAKES`` and ``CHANGE_MISTAKES``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import optimizers, surfaces
from .steps import CheckResult

__all__ = ["CHANGE_MISTAKES", "CLIP_MISTAKES", "check_clip_by_norm", "check_predicted_change"]

MAX_NORM = 1.5


def _norms(g: np.ndarray) -> np.ndarray:
    return np.linalg.norm(g, axis=-1, keepdims=True)


# Each typical mistake: (name, the wrong answer it gives for gradients g and threshold v, hint).
CLIP_MISTAKES: list[tuple[str, Callable[[np.ndarray, float], np.ndarray], str]] = [
    ("unchanged", lambda g, v: g,
     "the gradient came back unchanged although its norm exceeds max_norm: rescale it to "
     "g · max_norm / ‖g‖"),
    ("by_value", lambda g, v: np.clip(g, -v, v),
     "this is clipping by value (each coordinate to [−v, v]), which changes the direction; "
     "rescale the whole vector instead"),
    ("always_rescale", lambda g, v: g * v / np.where(_norms(g) == 0, 1.0, _norms(g)),
     "you rescale every gradient to norm max_norm; gradients that are already shorter must "
     "stay unchanged"),
    ("one_norm_for_batch", lambda g, v: g * min(1.0, v / max(np.linalg.norm(g), 1e-300)),
     "you clipped the whole batch with one norm; clip each row on its own: "
     "np.linalg.norm(g, axis=-1, keepdims=True)"),
    ("inverted_ratio", lambda g, v: g * np.where(_norms(g) > v, _norms(g) / v, 1.0),
     "the ratio is upside down: multiply by max_norm / ‖g‖, which is below 1 when clipping"),
]


def _clip_cases(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "one large gradient": np.array([3.0, -4.0]),
        "one small gradient": np.array([0.3, -0.4]),
        "a batch of 100 gradients": rng.normal(0, 2, (100, 2)),
        "the zero gradient": np.zeros(2),
    }


def check_clip_by_norm(student: Callable, *, seed: int = 0) -> CheckResult:
    """Compare ``student(g, max_norm)`` with ``optimizers.clip_by_norm`` on four cases."""
    reference = optimizers.clip_by_norm(MAX_NORM)
    cases = _clip_cases(seed)
    for i, (name, g) in enumerate(cases.items()):
        expected, _ = reference.update(g, reference.init(g))
        with np.errstate(all="ignore"):
            got = np.asarray(student(g.copy(), MAX_NORM), dtype=float)

        def fail(message: str, hint: str | None = None, case: int = i, case_name: str = name,
                 ) -> CheckResult:
            return CheckResult(False, f"✗ {case_name}: {message}", "clip_by_norm", len(cases),
                               first_bad_step=case, hint=hint, details={"case": case_name})

        if got.shape != g.shape:
            return fail(f"returned shape {got.shape}, expected {g.shape}")
        if not np.all(np.isfinite(got)):
            return fail("the result contains nan or inf. A zero gradient has norm 0: only "
                        "rescale when the norm exceeds max_norm", hint="division_by_zero")
        if np.allclose(got, expected, rtol=1e-10, atol=1e-12):
            continue
        for mistake, wrong, hint in CLIP_MISTAKES:
            with np.errstate(all="ignore"):
                candidate = wrong(g, MAX_NORM)
            if np.allclose(got, candidate, rtol=1e-10, atol=1e-12):
                return fail(hint, hint=mistake)
        return fail(f"expected {np.round(expected, 6)}, got {np.round(got, 6)}")
    return CheckResult(True, "✓ clip_by_norm: matches course_utils.optimizers.clip_by_norm on "
                       "all cases.", "clip_by_norm", len(cases))


# Each typical mistake: (name, the wrong prediction from g, H, ε, hint).
CHANGE_MISTAKES: list[tuple[str, Callable[[np.ndarray, np.ndarray, float], float], str]] = [
    ("sign", lambda g, h, e: e * g @ g - 0.5 * e**2 * g @ h @ g,
     "the sign is flipped: the slope term lowers the cost, −ε gᵀg, and the curvature term "
     "raises it, +½ ε² gᵀHg"),
    ("no_half", lambda g, h, e: -e * g @ g + e**2 * g @ h @ g,
     "the curvature term needs the factor ½: +½ ε² gᵀHg"),
    ("first_order", lambda g, h, e: -e * g @ g,
     "the curvature term is missing: add +½ ε² gᵀHg, the price of the curvature along g"),
    ("epsilon_not_squared", lambda g, h, e: -e * g @ g + 0.5 * e * g @ h @ g,
     "the step is ε g, so the curvature term is quadratic in ε: +½ ε² gᵀHg, not ½ ε gᵀHg"),
]


def check_predicted_change(student: Callable, *, seed: int = 0) -> CheckResult:
    """Compare ``student(g, H, learning_rate)`` with the exact change on two ravines.

    On a quadratic the second-order expansion is exact, so the prediction must equal
    J(θ − ε g) − J(θ); the learning rates include uphill steps (ε = 2.5).
    """
    rng = np.random.default_rng(seed)
    checked = 0
    for condition in (5.0, 50.0):
        surface = surfaces.get("ravine", condition=condition, angle=30.0)
        for learning_rate in (1.9, 0.5, 2.5):  # at 0.5, ε² and ½ ε coincide
            theta = rng.uniform(-5, 5, 2)
            g, hess = surface.grad(theta), surface.hess(theta)
            actual = float(surface.f(theta - learning_rate * g) - surface.f(theta))
            got = float(student(g, hess, learning_rate))
            if np.isclose(got, actual, rtol=1e-9, atol=1e-12):
                checked += 1
                continue
            setting = f"κ = {condition:g}, ε = {learning_rate}"
            for mistake, wrong, hint in CHANGE_MISTAKES:
                if np.isclose(got, wrong(g, hess, learning_rate), rtol=1e-9, atol=1e-12):
                    return CheckResult(False, f"✗ {setting}: {hint}", "predicted_change",
                                       checked + 1, first_bad_step=checked, hint=mistake,
                                       largest_difference=abs(got - actual))
            return CheckResult(False, f"✗ {setting}: predicted {got:.6g}, the true change is "
                               f"{actual:.6g}", "predicted_change", checked + 1,
                               first_bad_step=checked, largest_difference=abs(got - actual))
    return CheckResult(True, "✓ predicted_change: exact on the ravine for every κ and ε tried, "
                       "including the uphill steps at ε = 2.5.", "predicted_change", checked)
