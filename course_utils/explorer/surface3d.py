"""A 3-D view of a surface with optimizer paths on it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import optimizers as _optimizers
from .. import plotting
from ..runner import Trajectory
from .settings import as_surface
from .styles import label, style

__all__ = ["surface3d"]


def _named_paths(trajectories: Any) -> list[tuple[str, np.ndarray]]:
    """``(name, points)`` pairs from a Trajectory, a list or mapping of them, or anything with
    a ``trajectories`` mapping (an explorer)."""
    if trajectories is None:
        return []
    if not isinstance(trajectories, (Mapping, Trajectory)) and \
            isinstance(getattr(trajectories, "trajectories", None), Mapping):
        trajectories = trajectories.trajectories
    if isinstance(trajectories, Trajectory):
        trajectories = [trajectories]
    if isinstance(trajectories, Mapping):
        items = list(trajectories.items())
    else:
        items = [(getattr(t, "optimizer", None) or f"path {i}", t)
                 for i, t in enumerate(trajectories)]
    out = []
    for name, t in items:
        pts = t.points if isinstance(t, Trajectory) else np.asarray(t, dtype=float)
        if pts.ndim != 2 or pts.shape[-1] != 2:
            raise ValueError(f"surface3d draws single paths of shape (steps + 1, 2), got "
                             f"{pts.shape} for {name!r}")
        out.append((name, pts))
    return out


def surface3d(surface: Any = "ravine", trajectories: Any = None, *, ax: Any = None,
              n: int = 80, log: bool | None = None, elev: float = 35.0, azim: float = -60.0,
              figsize: tuple[float, float] = (7.0, 5.5), fontsize: float | None = None) -> Any:
    """A 3-D view of a surface with optimizer paths on it.

    Parameters
    ----------
    surface : name or Surface
    trajectories : a :class:`~course_utils.Trajectory`, a list of them, a mapping
        ``{name: trajectory}`` or anything with such a ``.trajectories`` mapping (an
        :class:`~course_utils.explorer.Explorer`: its current paths). Paths of registered
        optimizers get their label and look.
    ax : a ``projection="3d"`` axes to draw on; by default a new Agg figure.
    log : draw ``log10(f - f_min)`` (default: the surface's ``log_scale`` hint).

    Returns
    -------
    matplotlib.figure.Figure
        ``ax.figure``. In a notebook pass ``ax=plt.figure().add_subplot(projection="3d")``
        and end the cell with ``plt.show()``.
    """
    surf = as_surface(surface)
    if ax is None:
        ax = plotting.new_figure(figsize).add_subplot(projection="3d")
    named = _named_paths(trajectories)
    artists = plotting.surface3d(ax, surf, [(label(k), pts) for k, pts in named], n=n,
                                 log=log, fontsize=fontsize)
    by_label = {label(k): k for k in _optimizers.names()}
    for (name, _), line in zip(named, artists[1:], strict=True):
        key = name if name in by_label.values() else by_label.get(name)
        if key is not None:  # a registered optimizer (by name or label): its own look
            color, marker, linestyle = style(key)
            line.set_color(color)
            line.set_marker(marker)
            line.set_linestyle(linestyle)
    ax.view_init(elev=elev, azim=azim)
    if named:
        ax.legend(loc="upper left", fontsize=fontsize or "small", frameon=False)
    ax.set_title(surf.name, fontsize=fontsize)
    return ax.figure
