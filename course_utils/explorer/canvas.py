"""The explorer drawn in the browser: the kernel sends numbers, the browser draws every frame.

:class:`ExplorerCanvas` is an `anywidget <https://anywidget.dev>`_ widget whose JavaScript
(``canvas/*.js``, one file per responsibility joined into one ES module by
:func:`esm_source`, shipped in the package: no CDN, no build step) draws the map, the paths and the
four panels against the step on an HTML canvas. The kernel sends data, not pictures: the
surface's grid of ``f`` once per surface, and each path's points and series as float32 binary
buffers once per change. Play, the step scrubber and hovering then run in the browser alone,
with no kernel message per frame; the step is sent back only when Play stops or a scrub ends.

:class:`CanvasView` is the explorer's view for this widget, with the interface of the
matplotlib :class:`~.view.ExplorerView` (``set_surface``, ``show``, ``show_step``, ``render``),
so the app drives either. The payload functions (:func:`surface_payload`,
:func:`path_payload`, :func:`inside_payload`) are pure and tested on their own; the axis
limits come from :mod:`.panels`, as in the matplotlib view, so both views show the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import anywidget
import numpy as np
import traitlets as t
from matplotlib import colormaps
from matplotlib.colors import LogNorm, Normalize

from .. import plotting
from .inside import InsideSeries
from .panels import MAP_LEVELS, map_grid_size, map_labels, panel_limits, panel_title
from .paths import PathData
from .styles import label, style

__all__ = ["CanvasView", "ExplorerCanvas", "inside_payload", "path_payload", "surface_payload"]

HERE = Path(__file__).parent
#: The browser side's source files in ``canvas/``, one responsibility each, in the order
#: :func:`esm_source` joins them (one module scope: a file's top-level code may use only what
#: the files before it define; only the last one exports, the anywidget ``render``).
CANVAS_PARTS = ("format.js", "dom.js", "shapes.js", "data.js", "layout.js", "surface.js",
                "map.js", "panels.js", "inside.js", "readout.js", "playbar.js", "widget.js")


def esm_source() -> str:
    """The widget's ES module (``_esm``): the files of :data:`CANVAS_PARTS`, joined in order.

    No build step: plain concatenation, each part preceded by a ``// --- name ---`` comment.
    """
    folder = HERE / "canvas"
    parts = [f"// --- {name} ---\n{(folder / name).read_text(encoding='utf-8').rstrip()}\n"
             for name in CANVAS_PARTS]
    return "\n".join(parts)


def f32(values: Any) -> bytes:
    """``values`` as little-endian float32 bytes (non-finite values stay NaN / inf)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.ascontiguousarray(np.asarray(values, dtype="<f4")).tobytes()


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def band_shades(levels: np.ndarray, z: np.ndarray, surface: Any) -> list[float]:
    """Darkness (0 white .. 1 black) of the band above each level, as matplotlib fills it.

    The same norm as :func:`course_utils.plotting.contour` (log-spaced in ``f - f*`` when the
    surface is log-scaled) and the ``Greys`` colour map at the middle of each band; above the
    top level the map's top colour. One value per level.
    """
    cmap = colormaps["Greys"]
    if len(levels) < 2:
        return [0.0] * len(levels)
    if surface.log_scale:
        finite = z[np.isfinite(z)]
        floor = min(float(surface.f_min) if surface.f_min is not None
                    else float(finite.min(initial=levels[0])), float(levels[0]))
        tiny = max((levels[0] - floor) / 2.0, np.finfo(float).tiny)
        shown = np.maximum(levels - floor, tiny)
        norm: Normalize = LogNorm(vmin=shown[0], vmax=shown[-1])
    else:
        shown = levels
        norm = Normalize(vmin=levels[0], vmax=levels[-1])
    middles = 0.5 * (shown[:-1] + shown[1:])
    grey = cmap(norm(middles))[:, 0]
    return [float(1.0 - g) for g in grey] + [float(1.0 - cmap(1.0)[0])]


def surface_payload(surface: Any, key: str) -> dict[str, Any]:
    """The ``surface`` trait: the plot box, labels, the grid of ``f``, contour levels and shades.

    ``z`` holds ``f`` on an ``ny x nx`` grid over the plot box, row 0 at ``ylim[0]``, as
    float32 bytes; ``levels`` are the contour levels the matplotlib view draws.
    """
    n = map_grid_size(surface)
    _, _, z = surface.grid(n)
    z = np.where(np.isfinite(z), z, np.nan)
    f_min = getattr(surface, "f_min", None)
    levels = np.unique(plotting.contour_levels(z, MAP_LEVELS, log_scale=surface.log_scale,
                                               z_min=f_min))
    title, xlabel, ylabel = map_labels(surface)
    return {
        "key": key,
        "name": surface.name,
        "title": title,
        "xlim": [float(v) for v in surface.xlim],
        "ylim": [float(v) for v in surface.ylim],
        "xlabel": xlabel,
        "ylabel": ylabel,
        "nx": n,
        "ny": n,
        "z": f32(z),
        "levels": [float(v) for v in levels],
        "shade": band_shades(levels, z, surface),
        "log_scale": bool(surface.log_scale),
        "f_min": None if f_min is None else _finite_or_none(float(f_min)),
        "minima": np.asarray(surface.minima, dtype=float).reshape(-1, 2).tolist(),
        "saddles": np.asarray(surface.saddles, dtype=float).reshape(-1, 2).tolist(),
    }


def path_payload(path: PathData) -> dict[str, Any]:
    """One entry of the ``paths`` trait: the path's look and its series as float32 bytes."""
    color, marker, dash = style(path.name)
    traj = path.trajectory
    losses = np.array(traj.losses, dtype=float)
    if path.diverged_at >= 0:
        losses[path.diverged_at:] = np.nan
    vectors = np.asarray(path.eigenvectors, dtype=float).reshape(-1, 2, 2)
    eig = np.concatenate([np.asarray(path.eigenvalues, dtype=float).reshape(-1, 2),
                          vectors[:, :, 0], vectors[:, :, 1]], axis=1)
    return {
        "name": path.name,
        "label": label(path.name),
        "color": color,
        "marker": marker,
        "dash": dash,
        "steps": int(traj.steps),
        "diverged_at": int(path.diverged_at),
        "exit": None if path.exit is None else [float(v) for v in path.exit],
        "xy": f32(path.xy),
        "loss": f32(losses),
        "gap": f32(path.gap),
        "grad": f32(path.grad_norm),
        "cond": f32(path.condition),
        "eig": f32(eig),
    }


def inside_payload(name: str, series: InsideSeries) -> dict[str, Any]:
    """The ``inside`` trait: the inspected optimizer's series along its path."""

    def optional(values: np.ndarray | None) -> bytes | None:
        return None if values is None else f32(values)

    return {
        "name": name,
        "label": series.label,
        "eff": f32(series.effective_lr),
        "lr": optional(series.learning_rate),
        "rows": [{"label": row_label, "values": f32(values)} for row_label, values in series.rows],
        "velocity": optional(series.velocity),
        "lookahead": optional(series.lookahead),
    }


class ExplorerCanvas(anywidget.AnyWidget):
    """The explorer's picture, drawn by the browser (``canvas/*.js``) from the data in its traits.

    Python sets ``surface``, ``paths``, ``inside``, ``limits``, ``eff_title``, ``steps``,
    ``interval`` / ``stride`` (Play's speed) and ``presenter``. Both sides set ``step`` (the
    browser when Play stops or a scrub ends, never per frame) and ``playing``. The browser sets
    ``start_request`` (``[x, y, counter]``) when the map is clicked. The format of every trait
    is in the docstrings of the payload functions of this module.
    """

    _esm = esm_source()
    if (HERE / "canvas.css").exists():  # the stylesheet is optional
        _css = HERE / "canvas.css"

    presenter = t.Bool(False).tag(sync=True)
    surface = t.Dict().tag(sync=True)
    paths = t.List().tag(sync=True)
    inside = t.Dict().tag(sync=True)
    limits = t.Dict().tag(sync=True)
    eff_title = t.Unicode("").tag(sync=True)
    steps = t.Int(0).tag(sync=True)
    step = t.Int(0).tag(sync=True)
    interval = t.Int(100).tag(sync=True)
    stride = t.Int(1).tag(sync=True)
    playing = t.Bool(False).tag(sync=True)
    start_request = t.List().tag(sync=True)


class CanvasView:
    """The explorer's view in the browser: fills an :class:`ExplorerCanvas` from the model.

    Same interface as :class:`~.view.ExplorerView`; ``widget`` is the widget to display.
    Payloads are cached per computed path, so a slider that reruns one optimizer packs one.
    """

    backend = "canvas"

    def __init__(self, names: Sequence[str], *, presenter: bool) -> None:
        self.names = list(names)
        self.presenter = presenter
        self.widget = ExplorerCanvas(presenter=presenter)
        self.surface_key: str | None = None
        self._packed: dict[str, tuple[PathData, dict[str, Any]]] = {}
        self._inside: tuple[InsideSeries, dict[str, Any]] | None = None

    def set_presenter(self, on: bool) -> None:
        self.presenter = on
        self.widget.presenter = on

    def invalidate(self) -> None:
        """Nothing to do: the browser redraws whatever changes."""

    def set_surface(self, surface: Any, key: str) -> None:
        """Send the grid and contour levels of ``surface`` (nothing if ``key`` is shown)."""
        if key == self.surface_key:
            return
        self.widget.surface = surface_payload(surface, key)
        self.surface_key = key
        self._packed.clear()

    def _pack(self, path: PathData) -> dict[str, Any]:
        cached = self._packed.get(path.name)
        if cached is None or cached[0] is not path:
            cached = (path, path_payload(path))
            self._packed[path.name] = cached
        return cached[1]

    def _pack_inside(self, name: str, series: InsideSeries) -> dict[str, Any]:
        if self._inside is None or self._inside[0] is not series:
            self._inside = (series, inside_payload(name, series))
        return self._inside[1]

    def show(self, paths: Mapping[str, PathData], steps: int,
             inspected: tuple[str, InsideSeries] | None) -> None:
        """Send the shown paths, the inspected optimizer's series and the panels' limits."""
        limits = {k: [float(a), float(b)] for k, (a, b) in
                  panel_limits(paths, steps, inspected).items()}
        w = self.widget
        with w.hold_sync():
            w.paths = [self._pack(p) for p in paths.values()]
            w.inside = {} if inspected is None else self._pack_inside(*inspected)
            w.limits = limits
            w.eff_title = panel_title(inspected)
            w.steps = int(steps)

    def show_step(self, k: int, steps: int, paths: Mapping[str, PathData], surface: Any,
                  inspected: tuple[PathData, InsideSeries] | None) -> None:
        """Show step ``k`` (the browser draws it from the data it has)."""
        self.widget.step = int(k)

    def set_speed(self, interval: int, stride: int) -> None:
        """Play's speed: ``stride`` steps every ``interval`` ms."""
        with self.widget.hold_sync():
            self.widget.interval = int(interval)
            self.widget.stride = int(stride)

    def render(self) -> None:
        """Nothing to render in the kernel: the browser draws."""
        return None
