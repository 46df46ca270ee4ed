"""Matplotlib helpers shared by the notebooks, the explorer and the Keras labs.

Every function takes an ``ax`` and returns the artists it made; none calls ``plt.show()``
or touches rcParams. Import this module explicitly (``from course_utils import plotting``):
``import course_utils`` alone does not load matplotlib.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

import matplotlib.colors as mcolors
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .optimizers.registry import LINESTYLES, MARKERS, PATH_COLORS, path_linestyle, path_style
from .runner import drawn_path, exit_point

__all__ = [
    "PALETTE",
    "MARKERS",
    "color_for",
    "contour_levels",
    "contour",
    "surface_contour",
    "path",
    "legend_outside",
    "PATH_COLORS",
    "path_style",
    "LINESTYLES",
    "path_linestyle",
    "exit_point",
    "drawn_path",
    "point_marker",
    "cross_marker",
    "curve",
    "arrow",
    "eigen_segments",
    "eigen_bars",
    "phase_heatmap",
    "footer",
    "MISSING_COLOR",
    "DIVERGED_COLOR",
    "surface_height",
    "surface3d",
    "new_figure",
    "png_bytes",
    "log_limits",
    "decade_label",
]

# Colour-blind-safe palette (Paul Tol's "bright" scheme, then black and three colours of his
# vibrant and muted schemes) with distinct markers, so paths stay distinguishable in grey-scale
# prints and for colour-blind students.
PALETTE = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB",
           "#000000", "#EE7733", "#009988", "#882255")


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


# --------------------------------------------------------------------------- explorer helpers
# Used by course_utils.explorer (explorer, races, phase diagrams, 3-D views). Like the functions
# above they take an ``ax`` and return artists, which the caller updates with set_data & co.



def point_marker(ax: Axes, *, color: str, marker: str = "o", ms: float = 9.0,
                 zorder: float = 6, **kwargs: Any):
    """An empty marker for the current point of a path; move it with ``set_data([x], [y])``."""
    (artist,) = ax.plot([], [], linestyle="none", marker=marker, color=color, ms=ms,
                        mec="black", mew=1.0, zorder=zorder, **kwargs)
    return artist


def cross_marker(ax: Axes, *, color: str, ms: float = 14.0, zorder: float = 7, **kwargs: Any):
    """An empty ✕ marker (a diverged path); place it with ``set_data([x], [y])``."""
    (artist,) = ax.plot([], [], linestyle="none", marker="X", color=color, ms=ms, mec="black",
                        mew=1.2, zorder=zorder, **kwargs)
    return artist


def curve(ax: Axes, *, color: str, lw: float = 1.5, **kwargs: Any):
    """An empty line for a quantity against the step; fill it with ``set_data(steps, values)``."""
    (artist,) = ax.plot([], [], color=color, lw=lw, **kwargs)
    return artist


def arrow(ax: Axes, *, color: str = "black", width: float = 0.006, zorder: float = 8,
          **kwargs: Any):
    """One arrow in data units (a quiver of one); update with ``set_offsets`` and ``set_UVC``.

    Starts at the origin with zero length; ``quiver.set_offsets([[x, y]])`` moves its tail
    and ``quiver.set_UVC([u], [v])`` sets the displacement it shows.
    """
    return ax.quiver([0.0], [0.0], [0.0], [0.0], angles="xy", scale_units="xy", scale=1.0,
                     color=color, width=width, zorder=zorder, **kwargs)


def eigen_segments(point: Any, eigenvalues: Any, eigenvectors: Any, size: float) -> np.ndarray:
    """Two segments centred on ``point`` along the Hessian's eigen-directions.

    The half-length along eigenvector ``i`` is proportional to ``1 / sqrt(|λ_i|)``, like the
    axes of the local quadratic model's level ellipse, scaled so that the longer is ``size``
    (and the shorter at least ``size / 12``). Returns shape ``(2, 2, 2)`` for a LineCollection.
    """
    p = np.asarray(point, dtype=float)
    w = np.abs(np.asarray(eigenvalues, dtype=float))
    v = np.asarray(eigenvectors, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = 1.0 / np.sqrt(w)
    inv = np.where(np.isfinite(inv), inv, np.nan)
    if np.all(np.isnan(inv)):
        lengths = np.full(2, size)
    else:
        biggest = np.nanmax(inv)
        lengths = np.where(np.isnan(inv), size, inv / biggest * size)
    lengths = np.clip(lengths, size / 12.0, size)
    segments = np.empty((2, 2, 2))
    for i in range(2):
        half = v[:, i] * lengths[i]
        segments[i] = [p - half, p + half]
    return segments


def eigen_bars(ax: Axes, *, lw: float = 2.5, zorder: float = 7):
    """An empty LineCollection for :func:`eigen_segments`; update with ``set_segments``."""
    from matplotlib.collections import LineCollection

    bars = LineCollection([], linewidths=lw, zorder=zorder, capstyle="round")
    ax.add_collection(bars)
    return bars


#: Cells of a phase diagram without a value (light grey) and diverged ones (dark, hatched).
MISSING_COLOR = "#d9d9d9"
DIVERGED_COLOR = "#5a5a5a"


def phase_heatmap(ax: Axes, x: np.ndarray, y: np.ndarray, values: np.ndarray, *,
                  diverged: np.ndarray | None = None, missing: np.ndarray | None = None,
                  x_log: bool = False, y_log: bool = False, log_color: bool = False,
                  cmap: str = "viridis", label: str = "", missing_label: str = "no value",
                  fontsize: float | None = None, color_range: Sequence[float] | None = None,
                  caption: str = "", note: str = "") -> dict:
    """Heatmap of a hyperparameter grid: ``values[i, j]`` at ``(x[j], y[i])``.

    Cells in ``diverged`` are drawn dark grey and hatched, cells in ``missing`` (e.g. never
    reached the tolerance) light grey. ``x_log`` / ``y_log`` put the axes on a log scale (cell
    edges at geometric midpoints). ``color_range=(low, high)``: the colour scale spans at least
    this range, so that a (nearly) constant field gets the colour of its value on a fixed
    scale instead of the colour of the best value.

    Nothing is drawn above the axes, which stay free for the caller's titles: the ``caption``
    (e.g. what was swept) and the legend of the grey cells go in a footer below the x-axis
    label, and ``note`` (e.g. "every cell: ...") in a box in the middle of the map. Returns a
    dict of the artists: ``mesh``, ``colorbar``, ``diverged``, ``missing``, ``legend`` (the
    footer, an ``AnnotationBbox``, or ``None``), ``legend_labels`` (its entries' texts) and
    ``note`` (a Text or ``None``).
    """
    vals = np.ma.masked_invalid(np.asarray(values, dtype=float))
    ny, nx = vals.shape
    shape = (ny, nx)
    div = np.zeros(shape, bool) if diverged is None else np.asarray(diverged, bool)
    miss = np.zeros(shape, bool) if missing is None else np.asarray(missing, bool)
    xe, ye = _edges(np.asarray(x, float), x_log), _edges(np.asarray(y, float), y_log)
    finite = vals.compressed()
    bounds = [] if color_range is None else [float(v) for v in color_range]
    norm: mcolors.Normalize | None = None
    if log_color:
        vals = np.ma.masked_where(~(vals > 0), vals)
        positive = [v for v in (*finite[finite > 0], *bounds) if v > 0]
        if positive:
            lo, hi = min(positive), max(positive)
            norm = mcolors.LogNorm(vmin=lo, vmax=max(hi, lo * 10))
    else:
        span = [*finite, *bounds]
        if span:
            lo, hi = min(span), max(span)
            norm = mcolors.Normalize(vmin=lo, vmax=hi if hi > lo else lo + 1.0)
    artists: dict = {}
    artists["mesh"] = ax.pcolormesh(xe, ye, vals, cmap=cmap, norm=norm, shading="flat")
    grey = mcolors.ListedColormap([MISSING_COLOR])
    dark = mcolors.ListedColormap([DIVERGED_COLOR])
    artists["missing"] = ax.pcolormesh(xe, ye, np.ma.masked_where(~miss, np.ones(shape)),
                                       cmap=grey, shading="flat")
    # pcolor (polygons) rather than pcolormesh: only polygons can be hatched
    artists["diverged"] = ax.pcolor(xe, ye, np.ma.masked_where(~div, np.ones(shape)),
                                    cmap=dark, hatch="xxx", edgecolor="#a0a0a0",
                                    linewidth=0.0)
    if x_log:
        ax.set_xscale("log")
    if y_log:
        ax.set_yscale("log")
    ax.set_xlim(xe[0], xe[-1])
    ax.set_ylim(ye[0], ye[-1])
    fig = ax.figure
    artists["colorbar"] = fig.colorbar(artists["mesh"], ax=ax, pad=0.02)
    artists["colorbar"].set_label(label, fontsize=fontsize)
    if fontsize:
        artists["colorbar"].ax.tick_params(labelsize=fontsize)
    entries = []
    if miss.any():
        entries.append((MISSING_COLOR, "#999999", None, missing_label))
    if div.any():
        entries.append((DIVERGED_COLOR, "#9a9a9a", "xx", "diverged"))
    artists["legend_labels"] = [entry[-1] for entry in entries]
    artists["legend"] = footer(ax, caption, entries, fontsize=fontsize) \
        if caption or entries else None
    artists["note"] = None
    if note:
        artists["note"] = ax.text(0.5, 0.5, note, transform=ax.transAxes, ha="center",
                                  va="center", fontsize=fontsize, zorder=6, wrap=True,
                                  bbox={"facecolor": "white", "alpha": 0.9,
                                        "edgecolor": "#666666", "boxstyle": "round,pad=0.4"})
    return artists


def footer(ax: Axes, caption: str = "", entries: Sequence[tuple] = (), *,
           fontsize: float | None = None):
    """A caption and a row of legend patches below the x-axis label of ``ax``; returns it.

    ``entries`` are ``(facecolor, edgecolor, hatch, label)``. The footer is anchored to the
    x-axis label, so it never overlaps the tick labels, the axis label or anything the caller
    puts above the axes (titles); ``tight_layout``, ``layout="constrained"`` and
    ``bbox_inches="tight"`` make room for it. Returns the ``AnnotationBbox``.
    """
    from matplotlib.font_manager import FontProperties
    from matplotlib.offsetbox import AnnotationBbox, DrawingArea, HPacker, TextArea, VPacker
    from matplotlib.patches import Rectangle

    size = FontProperties(size=fontsize or "small").get_size_in_points()
    text = {"fontsize": size}
    items: list = []
    for face, edge, hatch, label in entries:
        box = DrawingArea(1.8 * size, 0.9 * size)
        box.add_artist(Rectangle((0, 0), 1.8 * size, 0.9 * size, facecolor=face,
                                 edgecolor=edge, hatch=hatch, linewidth=0.8))
        items.append(HPacker(children=[box, TextArea(label, textprops=text)], sep=0.4 * size,
                             pad=0, align="center"))
    rows: list = [TextArea(caption, textprops=text)] if caption else []
    if items:
        rows.append(HPacker(children=items, sep=1.2 * size, pad=0, align="center"))
    packed = VPacker(children=rows, sep=0.3 * size, pad=0, align="left")
    artist = AnnotationBbox(packed, (0.0, 0.0), xycoords=("axes fraction", ax.xaxis.label),
                            xybox=(0.0, -0.3 * size), boxcoords="offset points",
                            box_alignment=(0.0, 1.0), frameon=False, pad=0.0,
                            annotation_clip=False)
    ax.add_artist(artist)
    return artist


def _edges(centres: np.ndarray, log: bool) -> np.ndarray:
    """Cell edges around sorted cell centres (geometric midpoints on a log axis)."""
    c = np.log(centres) if log else centres
    if c.size == 1:
        half = 0.5 if not log else np.log(2.0)
        e = np.array([c[0] - half, c[0] + half])
    else:
        mid = (c[1:] + c[:-1]) / 2
        e = np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])
    return np.exp(e) if log else e


def surface_height(surface: Any, points: np.ndarray, *, log: bool,
                   delta: float | None = None) -> np.ndarray:
    """Height of points for a 3-D view: ``f`` or, with ``log``, ``log10(f - f_min + δ)``.

    ``δ`` defaults to a millionth of the range of ``f - f_min`` over the plot box, so the
    minimum is a finite floor instead of minus infinity.
    """
    z = np.asarray(surface.f(points), dtype=float)
    if not log:
        return z
    if delta is None:
        _, _, zz = surface.grid(60)
        span = float(np.nanmax(zz) - surface.f_min)
        delta = max(span * 1e-6, 1e-12)
    with np.errstate(invalid="ignore"):
        return np.log10(np.maximum(z - surface.f_min, 0.0) + delta)


def surface3d(ax: Any, surface: Any, trajectories: Sequence[tuple[str, np.ndarray]] = (), *,
              n: int = 80, log: bool | None = None, cmap: str = "viridis",
              alpha: float = 0.6, fontsize: float | None = None) -> list:
    """A 3-D view of ``surface`` with paths lifted onto it, on a ``projection="3d"`` axes.

    ``trajectories`` are ``(label, points)`` pairs with ``points`` of shape ``(steps + 1, 2)``;
    points outside the plot box are left out. ``log`` (default: the surface's ``log_scale``)
    draws ``log10(f - f_min + δ)`` so that flat floors and steep walls both show. Returns the
    artists: the surface, then one line per path.
    """
    log = surface.log_scale if log is None else bool(log)
    xs = np.linspace(*surface.xlim, n)
    ys = np.linspace(*surface.ylim, n)
    X, Y = np.meshgrid(xs, ys)
    Z0 = np.asarray(surface.f(np.stack([X, Y], axis=-1)), dtype=float)
    delta = max(float(np.nanmax(Z0) - surface.f_min) * 1e-6, 1e-12)
    if log:
        with np.errstate(invalid="ignore"):
            Z = np.log10(np.maximum(Z0 - surface.f_min, 0.0) + delta)
    else:
        Z = Z0
    artists = [ax.plot_surface(X, Y, Z, cmap=cmap, alpha=alpha, linewidth=0,
                               antialiased=True, rcount=n, ccount=n)]
    for index, (label, points) in enumerate(trajectories):
        pts = np.asarray(points, dtype=float)
        keep = np.all(np.isfinite(pts), axis=-1)
        keep &= (pts[:, 0] >= surface.xlim[0]) & (pts[:, 0] <= surface.xlim[1])
        keep &= (pts[:, 1] >= surface.ylim[0]) & (pts[:, 1] <= surface.ylim[1])
        pts = pts[keep]
        color, marker = path_style(index)
        z = surface_height(surface, pts, log=log, delta=delta) if len(pts) else np.zeros(0)
        (line,) = ax.plot(pts[:, 0], pts[:, 1], z, color=color, marker=marker, ms=3, lw=2,
                          ls=path_linestyle(index), label=label, zorder=10)
        artists.append(line)
    ax.set_xlim(surface.xlim)
    ax.set_ylim(surface.ylim)
    # few, short, small tick labels: the default ones on a tilted 3-D axis run together
    # ("−10.0−7.5−5.0") and into the axis labels
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        axis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 5, 10]))
    tick_size = 0.8 * fontsize if fontsize else "small"
    ax.tick_params(axis="both", labelsize=tick_size, pad=0)
    ax.tick_params(axis="z", labelsize=tick_size, pad=2)
    ax.set_xlabel("x", fontsize=fontsize, labelpad=2)
    ax.set_ylabel("y", fontsize=fontsize, labelpad=2)
    ax.set_zlabel("log₁₀(f − f*)" if log else "f", fontsize=fontsize, labelpad=6)
    return artists


# --------------------------------------------------------------------------- figures, log axes


def new_figure(figsize: tuple[float, float], dpi: float = 100) -> Figure:
    """A Figure with its own Agg canvas, outside pyplot (so no stray inline figure appears)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig: Figure, **kwargs: Any) -> bytes:
    """``fig`` saved as PNG, as bytes (``kwargs`` go to ``savefig``)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", **kwargs)
    return buf.getvalue()


def decade_label(value: float, pos: Any = None) -> str:
    """Plain-text labels for log axes ("0.01", "1", "1e-06"): faster to draw than mathtext."""
    if not value > 0:
        return ""
    if 1e-2 <= value <= 1e3:
        return f"{value:g}"
    return f"1e{round(math.log10(value))}"


def log_limits(values: Any, *, floor_ratio: float = 1e-15) -> tuple[float, float]:
    """Decade-rounded limits for a log axis over the positive finite ``values``.

    Rounded to whole decades, the limits stay put under small changes of the data, so a
    cached background can be reused. ``floor_ratio`` bounds how far below the largest value
    the axis may reach; without any positive value the answer is ``(1e-3, 10)``.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return 1e-3, 1e1
    hi = 10.0 ** math.ceil(math.log10(v.max()) + 0.05)
    lo = max(v.min(), v.max() * floor_ratio, 1e-300)
    lo = 10.0 ** math.floor(math.log10(lo) - 0.05)
    if lo >= hi:
        lo = hi / 10.0
    return lo, hi
