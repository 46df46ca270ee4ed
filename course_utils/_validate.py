"""Validation helpers shared by the modules of ``course_utils``.

Every public factory checks its arguments when it is built, so that a wrong
hyperparameter fails at once with a message that names the parameter and its
valid range, instead of producing a silently wrong picture later.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "ParamSpec",
    "check_real",
    "check_scalar",
    "check_int",
    "check_bool",
    "check_choice",
    "check_unknown",
    "check_keys",
    "check_json_real",
    "check_json_int",
]


class ParamSpec(NamedTuple):
    """One parameter of a surface, optimizer or schedule: enough to build a slider.

    ``default`` is the value used when the parameter is omitted; ``low`` and ``high`` bound the
    suggested range (``None`` for parameters that are not single numbers, such as booleans,
    sequences or schedules); ``log`` says whether a slider should move on a log scale. An
    ``int`` default means an integer parameter. ``label`` is the short name a slider shows
    (``"learning rate ε"``, ``"β₁"``); empty means the parameter's own name.
    """

    default: Any
    low: float | None
    high: float | None
    log: bool
    description: str
    label: str = ""


def _describe_range(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    return f"{left}{lo}, {hi}{right}"


def check_real(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> np.ndarray | float:
    """Check that ``value`` is a finite real (scalar or array) inside a range.

    Returns the value as a Python float (scalars) or a float64 array.
    Raises ``ValueError`` naming ``name`` and the valid range otherwise.
    """
    where = _describe_range(low, high, low_open, high_open)
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a real number in {where}, got the bool {value!r}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number in {where}, got {value!r}") from None
    if arr.size == 0:
        raise ValueError(f"{name} must be a real number in {where}, got an empty array")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite and in {where}, got {value!r}")
    bad = np.zeros(arr.shape, dtype=bool)
    if low is not None:
        bad |= (arr <= low) if low_open else (arr < low)
    if high is not None:
        bad |= (arr >= high) if high_open else (arr > high)
    if np.any(bad):
        shown = arr[bad].flat[0]
        raise ValueError(f"{name} must be in {where}, got {shown:g}")
    return float(arr) if arr.ndim == 0 else arr


def check_scalar(name: str, value: Any, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False) -> float:
    """Like :func:`check_real`, for a parameter that is one number (not an array)."""
    checked = check_real(name, value, low=low, high=high, low_open=low_open,
                         high_open=high_open)
    if not isinstance(checked, float):
        raise ValueError(f"{name} must be a single real number, got an array of shape "
                         f"{checked.shape}")
    return checked


def check_int(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """Check that ``value`` is an integer in ``[low, high]`` and return it as ``int``."""
    where = _describe_range(low, high, False, False)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        else:
            raise ValueError(f"{name} must be an integer in {where}, got {value!r}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be an integer in {where}, got {value}")
    return value


def check_unknown(what: str, given: dict[str, Any], allowed: set[str] | list[str]) -> None:
    """Raise ``ValueError`` if ``given`` has keys outside ``allowed``."""
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise ValueError(
            f"unknown {what} {', '.join(map(repr, unknown))}; valid names are: "
            f"{', '.join(sorted(allowed))}"
        )


def check_bool(name: str, value: Any) -> bool:
    """Check that ``value`` is a bool (``numpy.bool_`` too) and return it as ``bool``."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """Check that ``value`` is one of ``choices`` and return it."""
    choices = tuple(choices)
    try:
        ok = value in choices
    except TypeError:  # e.g. an unhashable value against a set-like container
        ok = False
    if not ok:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


def check_keys(where: str, given: Any, allowed: Sequence[str]) -> Mapping[str, Any]:
    """Check that ``given`` is a mapping whose keys are all in ``allowed``; return it."""
    if not isinstance(given, Mapping):
        raise ValueError(f"{where} must be a JSON object, got {given!r}")
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise ValueError(f"unknown key(s) in {where}: {', '.join(map(repr, unknown))}; valid "
                         f"keys are: {', '.join(allowed)}")
    return given


def _json_number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def check_json_real(name: str, value: Any, low: float, high: float) -> float:
    """A number read from JSON: a finite int or float (not a bool) in ``[low, high]``."""
    value = _json_number(name, value)
    if not low <= value <= high:
        raise ValueError(f"{name} must be in [{low:g}, {high:g}], got {value:g}")
    return value


def check_json_int(name: str, value: Any, low: int, high: int) -> int:
    """An integer read from JSON (``3`` or ``3.0``, not ``True``) in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be an integer in [{low}, {high}], got {value!r}")
    number = _json_number(name, value)
    if not number.is_integer():
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if not low <= int(number) <= high:
        raise ValueError(f"{name} must be in [{low}, {high}], got {int(number)}")
    return int(number)
