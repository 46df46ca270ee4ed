"""Matplotlib helpers shared by the notebooks, the explorer and the Keras labs.

Every function takes an ``ax`` and returns the artists it made; none calls ``plt.show()``
or touches rcParams. Import this module explicitly (``from course_utils import plotting``):
``import course_utils`` alone does not load matplotlib.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.colors as mcolors
import numpy as np
from matplotlib.axes import Axes

__all__ = [
    "PALETTE",
    "MARKERS",
    "color_for",
    "contour_levels",
    "contour",
    "surface_contour",
    "path",
]

# Colour-blind-safe palette (Paul Tol's "bright" scheme) with distinct markers, so paths stay
# distinguishable in grey-scale prints and for colour-blind students.
PALETTE = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB",
           "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def color_for(index: int) -> tuple[str, str]:
    """The colour and marker of the ``index``-th path."""
    return PALETTE[index % len(PALETTE)], MARKERS[index % len(MARKERS)]


def contour_levels(z: np.ndarray, n: int = 30, *, log_scale: bool = False,
                   z_min: float | None = None) -> np.ndarray:
    """Contour levels spread over the finite values of ``z``.

    With ``log_scale`` the levels are geometric in ``z - z_min`` (``z_min`` defaults to the
    smallest value), which shows both the steep walls and the flat floor of a ravine.
    """
    finite = np.asarray(z)[np.isfinite(z)]
    if finite.size == 0:
        return np.linspace(0.0, 1.0, n)
    lo = float(finite.min()) if z_min is None else float(z_min)
    hi = float(finite.max())
    if hi <= lo:
        return np.array([lo])
    if log_scale:
        span = hi - lo
        # start at the 0.5th percentile of the gap, so the floor of a valley gets lines too
        positive = finite[finite > lo] - lo
        first = np.percentile(positive, 0.5) if positive.size else span * 1e-6
        gaps = np.geomspace(max(first, span * 1e-9), span, n)
        return lo + gaps
    return np.linspace(lo, hi, n)


def contour(ax: Axes, X: np.ndarray, Y: np.ndarray, Z: np.ndarray, *, levels: Any = 30,
            log_scale: bool = False, z_min: float | None = None, filled: bool = True,
            cmap: str = "viridis", alpha: float = 0.85, lines: bool = True) -> list:
    """Draw a (filled) contour map of ``Z`` on ``ax``; return the artists.

    ``levels`` is a number of levels or explicit values. Log-scaled levels use a logarithmic
    colour norm, so the colours match the spacing of the lines.
    """
    if np.ndim(levels) == 0:
        levels = contour_levels(Z, int(levels), log_scale=log_scale, z_min=z_min)
    levels = np.unique(np.asarray(levels, dtype=float))
    artists = []
    norm = None
    if log_scale and len(levels) > 1:
        finite = np.asarray(Z)[np.isfinite(Z)]
        floor = float(z_min) if z_min is not None else float(finite.min(initial=levels[0]))
        floor = min(floor, levels[0])
        tiny = max((levels[0] - floor) / 2.0, np.finfo(float).tiny)
        shown_levels = np.maximum(levels - floor, tiny)
        shown = np.maximum(Z - floor, tiny)
        norm = mcolors.LogNorm(vmin=shown_levels[0], vmax=shown_levels[-1])
    else:
        shown, shown_levels = Z, levels
    if filled and len(shown_levels) > 1:
        artists.append(ax.contourf(X, Y, shown, levels=shown_levels, cmap=cmap, norm=norm,
                                   alpha=alpha, extend="both"))
    if lines and len(shown_levels) > 1:
        artists.append(ax.contour(X, Y, shown, levels=shown_levels, colors="k",
                                  linewidths=0.4, alpha=0.35))
    return artists


def surface_contour(ax: Axes, surface: Any, *, n: int = 200, levels: Any = 30,
                    show_minima: bool = True, show_saddles: bool = True, **kwargs: Any) -> list:
    """Contour map of a :class:`course_utils.surfaces.Surface` over its plot box.

    Marks known minima with white stars and saddles with white crosses; sets the limits and
    an equal aspect ratio. Returns the artists.
    """
    X, Y, Z = surface.grid(n)
    artists = contour(ax, X, Y, Z, levels=levels, log_scale=surface.log_scale,
                      z_min=surface.f_min, **kwargs)
    if show_minima and len(surface.minima):
        artists.append(ax.scatter(surface.minima[:, 0], surface.minima[:, 1], marker="*",
                                  s=160, c="white", edgecolors="k", zorder=4, label="minimum"))
    if show_saddles and len(surface.saddles):
        artists.append(ax.scatter(surface.saddles[:, 0], surface.saddles[:, 1], marker="X",
                                  s=90, c="white", edgecolors="k", zorder=4, label="saddle"))
    ax.set_xlim(surface.xlim)
    ax.set_ylim(surface.ylim)
    ax.set_aspect("equal", adjustable="box")
    return artists


def path(ax: Axes, points: np.ndarray, *, index: int = 0, label: str | None = None,
         color: str | None = None, marker: str | None = None, markevery: Any = None,
         lw: float = 1.8, ms: float = 4.0, **kwargs: Any) -> list:
    """Draw one trajectory (``points`` of shape ``(steps + 1, 2)``) with a start marker.

    Returns ``[line, start_marker]``; update them later with ``line.set_data(x, y)``.
    """
    pts = np.asarray(points, dtype=float)
    default_color, default_marker = color_for(index)
    color = color or default_color
    marker = marker or default_marker
    (line,) = ax.plot(pts[:, 0], pts[:, 1], color=color, marker=marker, lw=lw, ms=ms,
                      markevery=markevery, label=label, zorder=3, **kwargs)
    (start,) = ax.plot(pts[:1, 0], pts[:1, 1], "o", color="white", mec=color, ms=7, zorder=5)
    return [line, start]


def legend_outside(ax: Axes, handles: Sequence | None = None, **kwargs: Any):
    """A compact legend above the axes; returns it."""
    if handles is None:
        return ax.legend(loc="lower left", bbox_to_anchor=(0, 1.02), ncol=4, frameon=False,
                         fontsize="small", **kwargs)
    return ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.02), ncol=4,
                     frameon=False, fontsize="small", **kwargs)
