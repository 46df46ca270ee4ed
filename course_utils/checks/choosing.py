r"""Checker for notebook 06's exercise: choose an optimizer that beats a target.

The student names a first-order optimizer of :mod:`course_utils.optimizers` and its
hyperparameters in a dict::

    my_choice = {"optimizer": "momentum", "learning_rate": 1.0, "momentum": 0.5}

:func:`check_choice` runs it on a surface (by default the rotated ravine, condition number 50,
30 degrees) and passes when :math:`f - f^* \le` ``tol`` within ``target_steps`` steps. When it
fails, the first matching entry of a list of typical mistakes gives the hint: a malformed
choice, a second-order method, an unknown hyperparameter, a divergence, plain SGD (no learning
rate is fast enough on this ravine), a momentum so large that the error can shrink by at most
:math:`\sqrt\mu` per step, or simply too slow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .steps import CheckResult

__all__ = ["check_choice", "default_surface", "mistakes"]

EXERCISE = "choice"


def default_surface():
    """The exercise's surface: the ravine with condition number 50, rotated by 30 degrees."""
    from .. import surfaces

    return surfaces.get("ravine", condition=50, angle=30)


@dataclass(frozen=True)
class _Outcome:
    """What running the choice gave (``None`` fields when it could not run)."""

    name: str | None
    hyper: dict
    error: str | None = None
    diverged_at: int = -1
    reached_at: int = -1
    final_gap: float = np.inf
    target_steps: int = 60


@dataclass(frozen=True)
class _Mistake:
    key: str
    applies: Callable[[Any, _Outcome], bool]
    hint: Callable[[Any, _Outcome], str]


def _is_dict_with_name(choice: Any) -> bool:
    return isinstance(choice, Mapping) and isinstance(choice.get("optimizer"), str)


def _known(name: str | None) -> bool:
    from .. import optimizers

    return name in optimizers.names()


def _family(name: str | None) -> str | None:
    from .. import optimizers

    return optimizers.info(name).family if _known(name) else None


def _setting(outcome: _Outcome) -> str:
    return ", ".join(f"{key}={value}" for key, value in outcome.hyper.items())


_MISTAKES: tuple[_Mistake, ...] = (
    _Mistake("not_a_dict",
             lambda c, o: not _is_dict_with_name(c),
             lambda c, o: 'my_choice must be a dict whose key "optimizer" names the optimizer, '
                          'e.g. {"optimizer": "adam", "learning_rate": 0.1}.'),
    _Mistake("unknown_optimizer",
             lambda c, o: not _known(o.name),
             lambda c, o: f"there is no optimizer {o.name!r} in course_utils.optimizers; "
                          "optimizers.names() lists them all."),
    _Mistake("second_order",
             lambda c, o: _family(o.name) == "second_order",
             lambda c, o: f"{o.name} uses the Hessian: the exercise asks for a first-order "
                          "optimizer, one that sees only the gradient."),
    _Mistake("bad_hyperparameter",
             lambda c, o: o.error is not None,
             lambda c, o: f"{o.error} (optimizers.parameters({o.name!r}) lists them with "
                          "their ranges)."),
    _Mistake("diverged",
             lambda c, o: o.diverged_at >= 0,
             lambda c, o: f"the run diverged at step {o.diverged_at}: lower the learning rate "
                          "(or the momentum)."),
    _Mistake("plain_sgd",
             lambda c, o: o.name == "sgd" and not o.hyper.get("momentum", 0.0),
             lambda c, o: "no learning rate makes plain gradient descent fast enough on this "
                          "ravine (the scoreboard printed its best); add momentum or choose an "
                          "adaptive method."),
    _Mistake("momentum_too_large",
             lambda c, o: (o.name in ("momentum", "sgd")
                           and float(o.hyper.get("momentum", 0.0)) >= 0.9),
             lambda c, o: (f"with momentum μ = {float(o.hyper['momentum']):g}, the error on a "
                           "quadratic shrinks on average by no more than a factor √μ = "
                           f"{np.sqrt(float(o.hyper['momentum'])):.2f} per step (the two roots "
                           "of the step's characteristic equation multiply to μ): too little "
                           f"for {o.target_steps} steps. Lower μ towards the fastest point of "
                           "the phase diagram.")),
    _Mistake("too_slow",
             lambda c, o: True,
             lambda c, o: "find the fast region in the phase diagrams above and take its "
                          "learning rate together with its momentum (or β₁)."),
)


def mistakes() -> list[str]:
    """The keys of the typical mistakes, in the order they are tried."""
    return [m.key for m in _MISTAKES]


def _outcome(choice: Any, surface, target_steps: int, tol: float) -> _Outcome:
    from .. import optimizers
    from ..runner import run

    if not _is_dict_with_name(choice):
        return _Outcome(None, {}, target_steps=target_steps)
    name = choice["optimizer"]
    hyper = {key: value for key, value in choice.items() if key != "optimizer"}
    if not _known(name) or _family(name) == "second_order":
        return _Outcome(name, hyper, target_steps=target_steps)
    try:
        opt = optimizers.get(name, **hyper)
    except (TypeError, ValueError) as err:
        return _Outcome(name, hyper, error=str(err), target_steps=target_steps)
    with np.errstate(all="ignore"):
        traj = run(opt, surface, steps=target_steps)
    end = traj.diverged_at if traj.diverged_at >= 0 else len(traj.losses)
    hits = np.flatnonzero(traj.losses[:end] - surface.f_min <= tol)
    return _Outcome(name, hyper, diverged_at=int(traj.diverged_at),
                    reached_at=int(hits[0]) if hits.size else -1,
                    final_gap=float(traj.losses[-1] - surface.f_min), target_steps=target_steps)


def check_choice(choice: Any, surface=None, *, target_steps: int = 60,
                 tol: float = 1e-6) -> CheckResult:
    """Does ``choice`` reach ``f - f* <= tol`` on ``surface`` within ``target_steps`` steps?

    ``choice`` is a dict: ``{"optimizer": name, **hyperparameters}``. ``surface`` defaults to
    :func:`default_surface`. Returns a :class:`~course_utils.checks.steps.CheckResult`; its
    ``hint`` is the matching typical mistake, ``details`` holds ``reached_at`` (the first step
    within the tolerance, or -1), ``final_gap`` and ``mistake`` (the mistake's key).
    """
    surface = default_surface() if surface is None else surface
    outcome = _outcome(choice, surface, target_steps, tol)
    details = {"reached_at": outcome.reached_at, "final_gap": outcome.final_gap,
               "diverged_at": outcome.diverged_at, "mistake": None}
    label = f"{outcome.name}({_setting(outcome)})" if outcome.name else "my_choice"
    if 0 <= outcome.reached_at <= target_steps:
        return CheckResult(True, f"✓ {label} reaches f − f* ≤ {tol:g} in {outcome.reached_at} "
                                 f"steps (target {target_steps}).", EXERCISE, target_steps,
                           details=details)
    mistake = next(m for m in _MISTAKES if m.applies(choice, outcome))
    details["mistake"] = mistake.key
    hint = mistake.hint(choice, outcome)
    if mistake.key in ("plain_sgd", "momentum_too_large", "too_slow"):
        head = (f"✗ {label} ends at f − f* = {outcome.final_gap:.1e} after {target_steps} "
                f"steps (target: ≤ {tol:g}).")
    else:
        head = f"✗ {label} cannot be checked." if mistake.key != "diverged" else f"✗ {label}:"
    return CheckResult(False, f"{head}\nHint: {hint}", EXERCISE, target_steps, hint=hint,
                       details=details)
