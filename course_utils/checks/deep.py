r"""Checkers for lab 09's exercise: the scale of a layer's initial weights.

The student writes ``init_std(fan_in, fan_out, activation)``: the standard deviation
:math:`\sigma` of a zero-mean normal initialization for a dense layer with ``fan_in`` inputs and
``fan_out`` units,

* **Glorot (Xavier)** for ``"sigmoid"``, ``"tanh"`` and ``"linear"`` units:
  :math:`\sigma^2 = 1/\mathrm{fan_{avg}}` with
  :math:`\mathrm{fan_{avg}} = (\mathrm{fan_{in}} + \mathrm{fan_{out}})/2`, that is
  :math:`\sigma^2 = 2/(\mathrm{fan_{in}} + \mathrm{fan_{out}})`;
* **He** for ``"relu"``, ``"leaky_relu"`` and ``"elu"`` units:
  :math:`\sigma^2 = 2/\mathrm{fan_{in}}`.

:func:`check_init_std` calls the function on a fixed set of layer shapes (with
``fan_in != fan_out``, so that swapping them shows) and compares each family (Glorot, He) with
the reference and with a list of typical mistakes: the variance instead of the standard
deviation, the lecture slides' inverted :math:`\mathrm{fan_{avg}} = 2/(\mathrm{fan_{in}} +
\mathrm{fan_{out}})`, ``fan_out`` in place of ``fan_in``, the uniform limit
:math:`r = \sqrt3\,\sigma` in place of :math:`\sigma`, the other family's rule, or He without
its factor 2. The mistakes are data: ``MISTAKES`` maps each family to ``(formula, hint)`` pairs.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable

from .steps import CheckResult

__all__ = ["ACTIVATIONS", "CASES", "MISTAKES", "check_init_std", "reference_init_std"]

#: The activation names the exercise accepts, by the rule that fits them.
ACTIVATIONS = {"glorot": ("sigmoid", "tanh", "linear"), "he": ("relu", "leaky_relu", "elu")}

#: The layer shapes ``(fan_in, fan_out)`` the checker tries for every activation.
CASES = ((784, 64), (64, 10), (100, 300), (256, 256))

_EXERCISE = "init_std"


def _family(activation: str) -> str:
    for family, names in ACTIVATIONS.items():
        if activation in names:
            return family
    raise ValueError(f"unknown activation {activation!r}; expected one of "
                     f"{sorted(n for names in ACTIVATIONS.values() for n in names)}")


def _glorot(fan_in: int, fan_out: int) -> float:
    fan_avg = (fan_in + fan_out) / 2
    return math.sqrt(1 / fan_avg)


def _he(fan_in: int, fan_out: int) -> float:
    return math.sqrt(2 / fan_in)


def reference_init_std(fan_in: int, fan_out: int, activation: str) -> float:
    """The standard deviation of Glorot's (sigmoid, tanh, linear) or He's (ReLU-like) rule."""
    return (_glorot if _family(activation) == "glorot" else _he)(fan_in, fan_out)


#: Typical mistakes per family: (the wrong formula of fan_in and fan_out, the hint).
MISTAKES: dict[str, list[tuple[Callable[[int, int], float], str]]] = {
    "glorot": [
        (lambda i, o: 2 / (i + o),
         "you return the variance 2/(fan_in + fan_out); the exercise asks for the standard "
         "deviation, its square root."),
        (lambda i, o: math.sqrt((i + o) / 2),
         "you used the slides' fan_avg = 2/(fan_in + fan_out), which is inverted: fan_avg is "
         "the average (fan_in + fan_out)/2, and Glorot's variance is "
         "1/fan_avg = 2/(fan_in + fan_out)."),
        (lambda i, o: (i + o) / 2,
         "you used the slides' inverted fan_avg = 2/(fan_in + fan_out) and returned a variance: "
         "fan_avg = (fan_in + fan_out)/2, sigma^2 = 1/fan_avg, and the answer is sigma."),
        (lambda i, o: math.sqrt(6 / (i + o)),
         "you return the limit r = sqrt(6/(fan_in + fan_out)) of Glorot's *uniform* "
         "distribution; a uniform on [-r, r] has standard deviation r/sqrt(3)."),
        (lambda i, o: math.sqrt(2 / i),
         "for sigmoid, tanh and linear units use Glorot's rule, sigma^2 = 2/(fan_in + fan_out); "
         "2/fan_in is He's rule, for ReLU-like units."),
        (lambda i, o: math.sqrt(1 / i),
         "Glorot averages the two fans: sigma^2 = 2/(fan_in + fan_out). 1/fan_in (LeCun's rule) "
         "keeps only the forward signal's variance."),
    ],
    "he": [
        (lambda i, o: 2 / i,
         "you return the variance 2/fan_in; the exercise asks for the standard deviation, "
         "its square root."),
        (lambda i, o: math.sqrt(2 / o),
         "He's rule divides by fan_in, the number of inputs of a unit, not by fan_out."),
        (lambda i, o: 2 / o,
         "two mistakes: He's rule divides by fan_in (not fan_out), and the answer is the "
         "standard deviation sqrt(2/fan_in), not the variance."),
        (lambda i, o: math.sqrt(2 / (i + o)),
         "for ReLU-like units use He's rule, sigma^2 = 2/fan_in: a ReLU zeroes about half of "
         "its inputs, which Glorot's 2/(fan_in + fan_out) does not allow for."),
        (lambda i, o: math.sqrt(1 / i),
         "He's variance is 2/fan_in, twice LeCun's 1/fan_in: the factor 2 makes up for the half "
         "of the signal a ReLU cuts off."),
        (lambda i, o: math.sqrt(6 / i),
         "you return the limit r = sqrt(6/fan_in) of He's *uniform* distribution; a uniform on "
         "[-r, r] has standard deviation r/sqrt(3)."),
    ],
}


def _close(a: float, b: float, rtol: float) -> bool:
    return abs(a - b) <= rtol * abs(b)


def check_init_std(student: Callable, *, rtol: float = 1e-6) -> CheckResult:
    """Check ``student(fan_in, fan_out, activation) -> sigma`` against Glorot's and He's rules.

    Every accepted activation is tried with every shape in :data:`CASES`. The result's
    ``steps`` is the number of calls, ``first_bad_step`` the 1-based number of the first wrong
    one, ``hint`` the diagnosis of the first wrong family and ``details`` the wrong cases.
    """
    calls = [(i, o, a) for names in ACTIVATIONS.values() for a in names for i, o in CASES]
    n = len(calls)
    params = list(inspect.signature(student).parameters)
    if len(params) != 3:
        return CheckResult(False, f"✗ {_EXERCISE}: the function takes ({', '.join(params)}), but "
                                  "the exercise expects (fan_in, fan_out, activation).",
                           _EXERCISE, n)
    got = []
    for i, o, a in calls:
        try:
            value = float(student(i, o, a))
        except Exception as err:  # noqa: BLE001 - the student's code may raise anything
            return CheckResult(False, f"✗ {_EXERCISE}({i}, {o}, {a!r}) raised "
                                      f"{type(err).__name__}: {err}", _EXERCISE, n)
        got.append(value)
    wrong = [(k, c, g) for k, (c, g) in enumerate(zip(calls, got, strict=True))
             if not (math.isfinite(g) and _close(g, reference_init_std(*c), rtol))]
    if not wrong:
        return CheckResult(True, f"✓ {_EXERCISE}: correct for all {n} layers (Glorot for "
                                 "sigmoid, tanh and linear units, He for ReLU, leaky ReLU "
                                 "and ELU).", _EXERCISE, n)
    k, (i, o, a), g = wrong[0]
    family = _family(a)
    ref = reference_init_std(i, o, a)
    # Diagnose the first wrong family as a whole: a mistake must explain all of its cases.
    family_calls = [(c, v) for c, v in zip(calls, got, strict=True) if _family(c[2]) == family]
    hint = None
    for formula, text in MISTAKES[family]:
        if all(math.isfinite(v) and _close(v, formula(c[0], c[1]), rtol)
               for c, v in family_calls):
            hint = text
            break
    if hint is None:
        # Perhaps right for some activations of the family and wrong for others.
        wrong_acts = sorted({c[2] for _, c, _ in wrong if _family(c[2]) == family})
        if len(wrong_acts) < len(ACTIVATIONS[family]):
            hint = (f"the rule depends only on the family: {', '.join(ACTIVATIONS[family])} all "
                    f"use {'Glorot' if family == 'glorot' else 'He'}'s rule, but your function "
                    f"is wrong only for {', '.join(wrong_acts)}.")
    message = (f"✗ {_EXERCISE}({i}, {o}, {a!r}) returned {g:.6g}; the "
               f"{'Glorot' if family == 'glorot' else 'He'} standard deviation is {ref:.6g}. "
               f"{len(wrong)} of {n} layers are wrong.")
    if hint:
        message += f"\nHint: {hint}"
    return CheckResult(False, message, _EXERCISE, n, first_bad_step=k + 1,
                       largest_difference=max(abs(v - reference_init_std(*c)) for _, c, v in wrong)
                       if all(math.isfinite(v) for _, _, v in wrong) else math.inf,
                       hint=hint, details={"wrong": [(c, v) for _, c, v in wrong]})
