"""What the map and the panels against the step show, the same in every view of the explorer.

:func:`panel_limits` gives the axis limits of the four panels (loss gap, gradient norm,
condition number, effective learning rate) and :func:`panel_title` the fourth one's title; the
matplotlib view (:mod:`.view`) and the browser view (:mod:`.canvas`) both use them, so both
show the same axes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import plotting
from .paths import PathData
from .styles import label

__all__ = ["MAP_LEVELS", "map_grid_size", "map_labels", "panel_limits", "panel_title"]

#: contour levels of the map
MAP_LEVELS = 22



def panel_limits(paths: Mapping[str, PathData], steps: int,
                 inspected: tuple[str, Any] | None) -> dict[str, tuple[float, float]]:
    """The limits of the four panels against the step, the same in every view.

    ``inspected`` is ``(name, InsideSeries)`` of the optimizer looked inside, or ``None``.

    ``{"x": (0, steps), "loss", "grad", "cond", "eff": (low, high)}``: whole decades of the
    log axes (:func:`~course_utils.plotting.log_limits`), so that small changes of the data
    keep them (and a view's cached background).
    """

    def collect(field: str) -> np.ndarray:
        arrays = [getattr(p, field) for p in paths.values()]
        return np.concatenate(arrays) if arrays else np.ones(1)

    cond = plotting.log_limits(collect("condition"), floor_ratio=1e-3)
    limits = {"x": (0, max(int(steps), 1)), "loss": plotting.log_limits(collect("gap")),
              "grad": plotting.log_limits(collect("grad_norm")),
              "cond": (max(cond[0], 0.5), max(cond[1], 10.0)), "eff": (1e-3, 1e1)}
    if inspected is not None:
        series = inspected[1]
        values = [series.effective_lr.ravel()]
        if series.learning_rate is not None:
            values.append(series.learning_rate)
        limits["eff"] = plotting.log_limits(np.concatenate(values), floor_ratio=1e-6)
    return limits


def panel_title(inspected: tuple[str, Any] | None) -> str:
    """The title of the fourth panel: ``"effective learning rate of Adam"`` (or ``""``)."""
    if inspected is None:
        return ""
    name, series = inspected
    return f"{series.label} of {label(name)}"


def map_labels(surface: Any) -> tuple[str, str, str]:
    """``(title, xlabel, ylabel)`` of the map: ``"ravine (condition = 20, angle = 0)"``, and
    ``"w (weight)"``, ``"b (bias)"`` on the logistic surface (a model's parameters, not a point
    in the plane), else ``"x"``, ``"y"``."""
    params = ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}"
                       for k, v in surface.params.items())
    title = surface.name + (f" ({params})" if params else "")
    if surface.name == "logistic":
        return title, "w (weight)", "b (bias)"
    return title, "x", "y"


def map_grid_size(surface: Any) -> int:
    """Grid points per side of the map's contours: fewer on a data surface, where every point
    sums over the examples."""
    return 90 if surface.minibatch_grad is not None else 160
