r"""Checkers for the notebooks' exercises: the student writes one update step, we test it.

Each exercise asks for a plain function that performs *one* step of an optimizer in the
lecture's notation, for example momentum::

    def momentum_step(theta, v, g, learning_rate, momentum):
        v = momentum * v - learning_rate * g
        return theta + v, v

:func:`check_step` runs the student's function and a reference side by side on a small
random ill-conditioned quadratic, from the same start, for a number of steps. When they
disagree it reports the first step and coordinate that differ, and compares the student's
numbers with a list of typical mistakes (a sign error, the bias correction left out, epsilon
inside the square root ...) to give a precise hint.

The exercises and the signatures they expect (``t`` counts steps from 1):

===============  ==================================================================
``sgd``          ``step(theta, g, learning_rate) -> theta``
``momentum``     ``step(theta, v, g, learning_rate, momentum) -> (theta, v)``
``nesterov``     ``step(theta, v, grad_fn, learning_rate, momentum) -> (theta, v)``
``adagrad``      ``step(theta, r, g, learning_rate, delta) -> (theta, r)``
``rmsprop``      ``step(theta, r, g, learning_rate, rho, delta) -> (theta, r)``
``adam``         ``step(theta, s, r, t, g, learning_rate, rho1, rho2, delta) -> (theta, s, r)``
``adamw``        ``step(theta, s, r, t, g, learning_rate, rho1, rho2, delta, weight_decay)``
                 ``-> (theta, s, r)`` (notebook 10: Adam plus decoupled weight decay)
===============  ==================================================================

:func:`check_schedule` does the same for a learning-rate schedule written as a function of
the step ``k``: ``linear_decay(k, initial_learning_rate, final_learning_rate, tau)`` (eq. 8.14),
compared with :mod:`course_utils.schedules` for ``k = 0 ... 3 tau``.

The forms are the lecture's (Goodfellow et al., Algorithms 8.2-8.5 and 8.7): AdaGrad
divides by :math:`\delta + \sqrt r`, RMSProp by :math:`\sqrt{\delta + r}`, Adam by
:math:`\sqrt{\hat r} + \delta` with bias-corrected moments :math:`\hat s, \hat r`.
The checks use :math:`\delta = 10^{-3}` rather than the usual 1e-7 or 1e-8, so that putting it
in the wrong place changes the numbers visibly.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

__all__ = ["CheckResult", "check_schedule", "check_step", "exercises", "template"]


@dataclass
class CheckResult:
    """Outcome of a check: ``passed``, a one-paragraph ``message`` and the details."""

    passed: bool
    message: str
    exercise: str
    steps: int
    first_bad_step: int | None = None
    largest_difference: float = 0.0
    hint: str | None = None
    details: dict = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return self.message

    def _repr_html_(self) -> str:
        colour = "#228833" if self.passed else "#CC3311"
        text = self.message.replace("&", "&amp;").replace("<", "&lt;").replace("\n", "<br>")
        return (f'<div style="border-left: 4px solid {colour}; padding: 4px 10px;">'
                f"{text}</div>")


# --------------------------------------------------------------------------- problems


def _problem(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An ill-conditioned quadratic in 3-D and a start point: ``g = A theta - b``."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    a = (q * np.array([0.2, 1.0, 4.0])) @ q.T
    b = rng.standard_normal(3)
    theta0 = rng.standard_normal(3) * 2.0
    return a, b, theta0


# --------------------------------------------------------------------------- references
# Each reference is a pure step in the exercise's own signature, with keyword flags for the
# typical mistakes so that a mismatch can be diagnosed.


def _sgd(theta, g, learning_rate, *, sign=1.0):
    return theta - sign * learning_rate * g


def _momentum(theta, v, g, learning_rate, momentum, *, sign=1.0, forget_velocity=False,
              swap=False):
    if forget_velocity:
        v = -learning_rate * g
    elif swap:
        v = learning_rate * v - momentum * g
    else:
        v = momentum * v - sign * learning_rate * g
    return theta + v, v


def _nesterov(theta, v, grad_fn, learning_rate, momentum, *, lookahead=True, sign=1.0):
    point = theta + momentum * v if lookahead else theta
    v = momentum * v - sign * learning_rate * grad_fn(point)
    return theta + v, v


def _adagrad(theta, r, g, learning_rate, delta, *, inside=False, no_square=False, sign=1.0,
             no_sqrt=False):
    r = r + (np.abs(g) if no_square else g * g)
    if no_sqrt:
        denominator = delta + r
    elif inside:
        denominator = np.sqrt(delta + r)
    else:
        denominator = delta + np.sqrt(r)
    return theta - sign * learning_rate * g / denominator, r


def _rmsprop(theta, r, g, learning_rate, rho, delta, *, outside=False, swap_rho=False,
             accumulate=False, sign=1.0):
    if accumulate:
        r = r + g * g
    elif swap_rho:
        r = (1 - rho) * r + rho * g * g
    else:
        r = rho * r + (1 - rho) * g * g
    denominator = delta + np.sqrt(r) if outside else np.sqrt(delta + r)
    return theta - sign * learning_rate * g / denominator, r


def _adam(theta, s, r, t, g, learning_rate, rho1, rho2, delta, *, no_correction=False,
          multiply=False, inside=False, sign=1.0, swap_betas=False, t_from_zero=False,
          no_square=False):
    if swap_betas:
        rho1, rho2 = rho2, rho1
    s = rho1 * s + (1 - rho1) * g
    r = rho2 * r + (1 - rho2) * (np.abs(g) if no_square else g * g)
    tt = t - 1 if t_from_zero else t
    with np.errstate(divide="ignore", invalid="ignore"):
        if no_correction:
            s_hat, r_hat = s, r
        elif multiply:
            s_hat, r_hat = s * (1 - rho1**tt), r * (1 - rho2**tt)
        else:
            s_hat, r_hat = s / (1 - rho1**tt), r / (1 - rho2**tt)
        denominator = np.sqrt(r_hat + delta) if inside else np.sqrt(r_hat) + delta
        theta = theta - sign * learning_rate * s_hat / denominator
    return theta, s, r


def _adamw(theta, s, r, t, g, learning_rate, rho1, rho2, delta, weight_decay, *,
           l2_in_gradient=False, decay_after=False, decay_without_lr=False, decay_sign=1.0,
           **adam_flags):
    """AdamW: theta <- theta - lr * wd * theta, then Adam's step with the loss gradient g."""
    if l2_in_gradient:
        return _adam(theta, s, r, t, g + weight_decay * theta, learning_rate, rho1, rho2, delta,
                     **adam_flags)
    scale = 1.0 if decay_without_lr else learning_rate
    if not decay_after:
        decayed = theta - decay_sign * scale * weight_decay * theta
        step, s, r = _adam(theta, s, r, t, g, learning_rate, rho1, rho2, delta, **adam_flags)
        return decayed + (step - theta), s, r
    step, s, r = _adam(theta, s, r, t, g, learning_rate, rho1, rho2, delta, **adam_flags)
    return step - decay_sign * scale * weight_decay * step, s, r


@dataclass(frozen=True)
class _Exercise:
    reference: Callable
    state: tuple[str, ...]           # names of the state arrays besides theta
    hyper: dict[str, float]          # default hyperparameters for the check
    uses_t: bool = False
    uses_grad_fn: bool = False
    mistakes: tuple[tuple[dict, str], ...] = ()


_SIGN = ({"sign": -1.0}, "The step goes uphill: subtract the learning rate times the gradient "
                         "(theta - lr * g), do not add it.")

_EXERCISES: dict[str, _Exercise] = {
    "sgd": _Exercise(_sgd, (), {"learning_rate": 0.1}, mistakes=(_SIGN,)),
    "momentum": _Exercise(
        _momentum, ("v",), {"learning_rate": 0.05, "momentum": 0.9},
        mistakes=(
            _SIGN,
            ({"forget_velocity": True}, "The velocity does not remember the past: it should be "
             "v = momentum * v - learning_rate * g, not just -learning_rate * g."),
            ({"swap": True}, "Momentum and learning rate are swapped: the old velocity is "
             "multiplied by the momentum, the gradient by the learning rate."),
        )),
    "nesterov": _Exercise(
        _nesterov, ("v",), {"learning_rate": 0.05, "momentum": 0.9}, uses_grad_fn=True,
        mistakes=(
            ({"lookahead": False}, "This is plain momentum: Nesterov takes the gradient at the "
             "look-ahead point theta + momentum * v, i.e. grad_fn(theta + momentum * v)."),
            _SIGN,
        )),
    "adagrad": _Exercise(
        _adagrad, ("r",), {"learning_rate": 0.5, "delta": 1e-3},
        mistakes=(
            ({"inside": True}, "delta sits inside the square root: the lecture's AdaGrad "
             "divides by delta + sqrt(r). (Keras puts it inside; here we follow the lecture.)"),
            ({"no_square": True}, "r must accumulate the *squared* gradient, g * g."),
            ({"no_sqrt": True}, "Divide by delta + sqrt(r), not by delta + r."),
            _SIGN,
        )),
    "rmsprop": _Exercise(
        _rmsprop, ("r",), {"learning_rate": 0.05, "rho": 0.9, "delta": 1e-3},
        mistakes=(
            ({"outside": True}, "delta sits outside the square root: RMSProp (Alg. 8.5) "
             "divides by sqrt(delta + r)."),
            ({"swap_rho": True}, "rho and 1 - rho are swapped: keep rho of the old average, "
             "r = rho * r + (1 - rho) * g * g."),
            ({"accumulate": True}, "This is AdaGrad: RMSProp forgets old gradients, "
             "r = rho * r + (1 - rho) * g * g."),
            _SIGN,
        )),
    "adam": _Exercise(
        _adam, ("s", "r"), {"learning_rate": 0.1, "rho1": 0.9, "rho2": 0.999, "delta": 1e-3},
        uses_t=True,
        mistakes=(
            ({"no_correction": True}, "The bias correction is missing: divide s by "
             "(1 - rho1**t) and r by (1 - rho2**t) before the step."),
            ({"multiply": True}, "The bias correction must divide, not multiply: "
             "s_hat = s / (1 - rho1**t). Multiplying shrinks the early steps instead of "
             "enlarging them."),
            ({"inside": True}, "delta is inside the square root: the step is "
             "s_hat / (sqrt(r_hat) + delta)."),
            ({"swap_betas": True}, "rho1 and rho2 are swapped: rho1 (0.9) decays the first "
             "moment s, rho2 (0.999) the second moment r."),
            ({"t_from_zero": True}, "t starts at 1 at the first step; with t = 0 the "
             "correction divides by zero."),
            ({"no_square": True}, "The second moment r averages the *squared* gradient."),
            _SIGN,
        )),
    "adamw": _Exercise(
        _adamw, ("s", "r"),
        {"learning_rate": 0.1, "rho1": 0.9, "rho2": 0.999, "delta": 1e-3, "weight_decay": 0.1},
        uses_t=True,
        mistakes=(
            ({"l2_in_gradient": True}, "This is Adam with L2 regularization: adding "
             "weight_decay * theta to the gradient sends the decay through the moments, where "
             "sqrt(r_hat) rescales it. AdamW keeps g the loss gradient and subtracts "
             "learning_rate * weight_decay * theta from theta separately."),
            ({"decay_after": True}, "The decay uses the new theta: decay the theta you were "
             "given (theta - learning_rate * weight_decay * theta), then add Adam's step."),
            ({"decay_without_lr": True}, "The decay is scaled by the learning rate too: "
             "theta - learning_rate * weight_decay * theta (as Keras and PyTorch do)."),
            ({"decay_sign": -1.0}, "The decay pushes theta away from 0: subtract "
             "learning_rate * weight_decay * theta."),
            ({"no_correction": True}, "Adam's bias correction is missing: divide s by "
             "(1 - rho1**t) and r by (1 - rho2**t)."),
            ({"inside": True}, "delta is inside the square root: the step is "
             "s_hat / (sqrt(r_hat) + delta)."),
            _SIGN,
        )),
}


def exercises() -> list[str]:
    """Names of the exercises :func:`check_step` knows."""
    return list(_EXERCISES)


def template(exercise: str) -> str:
    """The function header a student should fill in, as text."""
    ex = _get(exercise)
    args = ["theta", *ex.state]
    if ex.uses_t:
        args.append("t")
    args.append("grad_fn" if ex.uses_grad_fn else "g")
    args.extend(ex.hyper)
    returns = ", ".join(["theta", *ex.state]) if ex.state else "theta"
    return f"def {exercise}_step({', '.join(args)}):\n    ...\n    return {returns}\n"


def _get(exercise: str) -> _Exercise:
    if exercise not in _EXERCISES:
        raise ValueError(f"unknown exercise {exercise!r}; known: {', '.join(_EXERCISES)}")
    return _EXERCISES[exercise]


def _simulate(step: Callable, ex: _Exercise, hyper: dict[str, float], steps: int, seed: int,
              flags: dict | None = None) -> list[tuple[np.ndarray, ...]]:
    """Run ``step`` (the student's or the reference with ``flags``); record every state."""
    a, b, theta = _problem(seed)

    def grad_fn(point: np.ndarray) -> np.ndarray:
        return a @ point - b

    state = [np.zeros_like(theta) for _ in ex.state]
    history = []
    for t in range(1, steps + 1):
        args: list[Any] = [theta.copy(), *[s.copy() for s in state]]
        if ex.uses_t:
            args.append(t)
        args.append(grad_fn if ex.uses_grad_fn else grad_fn(theta))
        out = step(*args, **hyper, **(flags or {}))
        if ex.state:
            if not isinstance(out, tuple) or len(out) != 1 + len(ex.state):
                raise TypeError(f"return {1 + len(ex.state)} arrays: "
                                f"({', '.join(['theta', *ex.state])})")
            theta, *state = (np.asarray(o, dtype=float) for o in out)
        else:
            if isinstance(out, tuple):
                raise TypeError("return only the new theta")
            theta = np.asarray(out, dtype=float)
        if theta.shape != (3,):
            raise TypeError(f"theta came back with shape {theta.shape}, expected (3,)")
        history.append((theta, *state))
    return history


def _first_difference(ours: list, theirs: list, rtol: float) -> tuple[int | None, int, float]:
    """(first differing step from 1 or None, index of the differing quantity, worst rel. diff)"""
    worst = 0.0
    for k, (mine, ref) in enumerate(zip(ours, theirs, strict=True)):
        for name_index, (x, y) in enumerate(zip(mine, ref, strict=True)):
            diff = np.abs(x - y)
            scale = np.maximum(np.abs(y), 1e-12)
            rel = np.where(np.isfinite(diff), diff / scale, np.inf)
            worst = max(worst, float(np.max(rel)))
            if np.any(~(rel <= rtol)):
                return k + 1, name_index, float(np.max(rel))
    return None, 0, worst


def check_step(student: Callable, exercise: str, *, steps: int = 25, seed: int = 0,
               rtol: float = 1e-9, **hyper: float) -> CheckResult:
    """Check a student's one-step function against the lecture's algorithm.

    Parameters
    ----------
    student : the function; its parameters must be named as in :func:`template`.
    exercise : one of :func:`exercises`.
    steps, seed : how many steps of the random quadratic problem to compare, and its seed.
    rtol : relative tolerance per number.
    hyper : override the exercise's hyperparameters (e.g. ``learning_rate=0.01``).
    """
    ex = _get(exercise)
    unknown = set(hyper) - set(ex.hyper)
    if unknown:
        raise ValueError(f"unknown hyperparameters {sorted(unknown)} for {exercise}; "
                         f"valid: {sorted(ex.hyper)}")
    params = {**ex.hyper, **hyper}
    expected_args = ["theta", *ex.state, *(["t"] if ex.uses_t else []),
                     "grad_fn" if ex.uses_grad_fn else "g", *ex.hyper]
    try:
        names = list(inspect.signature(student).parameters)
    except (TypeError, ValueError):
        names = expected_args
    if names[: len(expected_args)] != expected_args:
        return CheckResult(
            False,
            f"✗ {exercise}: the function's parameters are ({', '.join(names)}), but the "
            f"exercise expects ({', '.join(expected_args)}).\n{template(exercise)}",
            exercise, steps)
    reference = _simulate(ex.reference, ex, params, steps, seed)
    try:
        with np.errstate(all="ignore"):
            got = _simulate(student, ex, params, steps, seed)
    except Exception as err:  # the student's code failed: show it, do not crash the notebook
        return CheckResult(False, f"✗ {exercise}: your function raised "
                                  f"{type(err).__name__}: {err}", exercise, steps)
    bad_step, which, worst = _first_difference(got, reference, rtol)
    if bad_step is None:
        return CheckResult(True, f"✓ {exercise}: correct. It matches the lecture's algorithm for "
                                 f"{steps} steps (largest relative difference {worst:.1e}).",
                           exercise, steps, largest_difference=worst)
    names_out = ["theta", *ex.state]
    mine = got[bad_step - 1][which]
    ref = reference[bad_step - 1][which]
    hint = None
    for flags, text in ex.mistakes:
        with np.errstate(all="ignore"):
            mutant = _simulate(ex.reference, ex, params, steps, seed, flags)
        if _first_difference(got, mutant, 1e-9)[0] is None:
            hint = text
            break
    message = (f"✗ {exercise}: step {bad_step} differs from the lecture's algorithm in "
               f"{names_out[which]}.\n  yours:    {np.array2string(mine, precision=6)}\n"
               f"  expected: {np.array2string(ref, precision=6)}")
    if hint:
        message += f"\nHint: {hint}"
    else:
        message += ("\nNo typical mistake matches; compare your lines with the algorithm one "
                    "by one, starting with the update of " + names_out[which] + ".")
    return CheckResult(False, message, exercise, steps, first_bad_step=bad_step,
                       largest_difference=worst, hint=hint,
                       details={"yours": mine, "expected": ref, "quantity": names_out[which]})


# --------------------------------------------------------------------------- schedules


def _linear_decay(k, initial_learning_rate, final_learning_rate, tau, *, no_floor=False,
                  reversed_=False, floor_division=False, one_ahead=False):
    alpha = (k + 1 if one_ahead else k) / tau if not floor_division else k // tau
    if not no_floor:
        alpha = min(alpha, 1.0)
    if reversed_:
        alpha = 1.0 - alpha
    return (1 - alpha) * initial_learning_rate + alpha * final_learning_rate


_SCHEDULE_EXERCISES: dict[str, tuple[Callable, tuple[str, ...], tuple, tuple]] = {
    # name: (reference, parameter names, test cases, typical mistakes)
    "linear_decay": (
        _linear_decay,
        ("k", "initial_learning_rate", "final_learning_rate", "tau"),
        ((0.1, 0.001, 100), (2.0, 0.5, 7)),
        (({"no_floor": True}, "after tau steps the rate stays at the final rate: use "
                              "alpha = min(k / tau, 1)."),
         ({"reversed_": True}, "the rate must start at the initial rate (alpha = 0 at k = 0) "
                               "and end at the final one: (1 - alpha) * initial + alpha * final."),
         ({"floor_division": True}, "alpha = k / tau is a fraction between 0 and 1: divide "
                                    "with /, not //."),
         ({"one_ahead": True}, "at k = 0 the rate is exactly the initial rate: alpha = k / tau, "
                               "not (k + 1) / tau.")),
    ),
}


def _same_schedule(student: Callable, other: Callable, hyper: tuple) -> bool:
    try:
        with np.errstate(all="ignore"):
            return all(np.isclose(float(student(k, *hyper)), other(k, *hyper), rtol=1e-9,
                                  atol=1e-15) for k in range(3 * hyper[-1] + 1))
    except Exception:
        return False


def check_schedule(student: Callable, exercise: str = "linear_decay", *,
                   rtol: float = 1e-9) -> CheckResult:
    """Check a student's learning-rate schedule ``student(k, *hyperparameters)``.

    For ``linear_decay`` the function is ``(k, initial_learning_rate, final_learning_rate, tau)``
    and is compared with :class:`course_utils.schedules.LinearDecay` (eq. 8.14) for
    ``k = 0 ... 3 tau`` in two settings. A wrong value is reported with its step and, when it
    matches a typical mistake (no floor after tau, reversed weights, ``//``, one step ahead),
    with a hint.
    """
    from .. import schedules

    if exercise not in _SCHEDULE_EXERCISES:
        raise ValueError(f"unknown schedule exercise {exercise!r}; valid: "
                         f"{sorted(_SCHEDULE_EXERCISES)}")
    reference_fn, expected_args, cases, mistakes = _SCHEDULE_EXERCISES[exercise]
    try:
        names = list(inspect.signature(student).parameters)
    except (TypeError, ValueError):
        names = list(expected_args)
    if len(names) != len(expected_args):
        return CheckResult(False, f"✗ {exercise}: the function takes ({', '.join(names)}), but "
                                  f"the exercise calls it as ({', '.join(expected_args)}).",
                           exercise, 0)
    checked = 0
    for hyper in cases:
        package = schedules.get(exercise, **dict(zip(expected_args[1:], hyper, strict=True)))
        for k in range(3 * hyper[-1] + 1):
            expected = float(package(k))
            try:
                with np.errstate(all="ignore"):
                    got = float(student(k, *hyper))
            except Exception as err:  # show the error, do not stop the notebook
                return CheckResult(False, f"✗ {exercise}: your function raised "
                                          f"{type(err).__name__}: {err}", exercise, checked)
            checked += 1
            if np.isclose(got, expected, rtol=rtol, atol=1e-15):
                continue
            hint = next((text for flags, text in mistakes
                         if _same_schedule(student, partial(reference_fn, **flags), hyper)),
                        None)
            setting = ", ".join(f"{n}={v}" for n, v in zip(expected_args[1:], hyper,
                                                            strict=True))
            message = (f"✗ {exercise}: with {setting}, step k={k} gives {got:.6g}, "
                       f"expected {expected:.6g}.")
            message += (f"\nHint: {hint}" if hint else
                        "\nNo typical mistake matches; check the formula at this step by hand.")
            return CheckResult(False, message, exercise, checked, first_bad_step=k,
                               largest_difference=abs(got - expected) / max(abs(expected), 1e-300),
                               hint=hint, details={"yours": got, "expected": expected,
                                                   "setting": dict(zip(expected_args[1:], hyper,
                                                                       strict=True))})
    return CheckResult(True, f"✓ {exercise}: correct. It matches course_utils.schedules."
                             f"{exercise} at all {checked} steps checked (k = 0 … 3τ).",
                       exercise, checked)
