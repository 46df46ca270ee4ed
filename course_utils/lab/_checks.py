"""The one argument check the labs add to :mod:`course_utils._validate`: a single real number
in a range (``check_real`` also accepts arrays, which no lab parameter is)."""

from __future__ import annotations

from typing import Any

from .._validate import check_real

__all__ = ["check_scalar"]


def check_scalar(name: str, value: Any, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a float if it is one finite real number in the range (``ValueError``
    naming ``name`` and the range otherwise, worded by ``check_real``)."""
    checked = check_real(name, value, low=low, high=high, low_open=low_open,
                         high_open=high_open)
    if not isinstance(checked, float):
        raise ValueError(f"{name} must be a single real number, got an array of shape "
                         f"{checked.shape}")
    return checked
