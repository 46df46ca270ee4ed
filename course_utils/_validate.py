"""Validation helpers shared by the modules of ``course_utils``.

Every public factory checks its arguments when it is built, so that a wrong
hyperparameter fails at once with a message that names the parameter and its
valid range, instead of producing a silently wrong picture later.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

__all__ = ["ParamSpec", "check_real", "check_int", "check_unknown"]


class ParamSpec(NamedTuple):
    """One parameter of a surface, optimizer or schedule: enough to build a slider.

    ``default`` is the value used when the parameter is omitted; ``low`` and ``high`` bound the
    suggested range (``None`` for parameters that are not single numbers, such as booleans,
    sequences or schedules); ``log`` says whether a slider should move on a log scale. An
    ``int`` default means an integer parameter.
    """

    default: Any
    low: float | None
    high: float | None
    log: bool
    description: str


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
