"""The explorer's picture: one matplotlib figure, built once and updated in place.

:class:`ExplorerView` draws the map (contours, paths, current points, ✕ of diverged paths,
the inspected optimizer's step, velocity, look-ahead and Hessian eigen-directions) and four
panels against the step (loss gap, gradient norm, condition number, effective learning rate).

Rendering is fast because little is drawn: a change updates the artists' data
(``set_data``, ``set_offsets``, ``set_segments``); the static background (contours, axes,
legends) is drawn only when it changes and kept as a bitmap; the moving artists are drawn on
a copy of it (blitting) and the frame is encoded as a PNG with fast zlib settings. With the
ipympl backend the figure is an interactive canvas instead, and a click on the map calls
``on_click``.
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from .. import plotting
from .inside import InsideSeries
from .panels import MAP_LEVELS, map_grid_size, map_labels, panel_limits, panel_title
from .paths import PathArtists, PathData, show_step
from .styles import label, style

__all__ = ["ExplorerView", "auto_backend", "figure_size", "phase_png"]


def figure_size(surface: Any, presenter: bool) -> tuple[float, float]:
    """Figure size: fixed width, height fitted to the surface's plot box (equal aspect)."""
    width = 14.0 if presenter else 11.0
    aspect = 1.0 if surface is None else (surface.ylim[1] - surface.ylim[0]) / (
        surface.xlim[1] - surface.xlim[0])
    height = width * 0.5 * aspect / 0.8
    return width, float(np.clip(round(height * 4) / 4, 0.46 * width, 0.56 * width))


def auto_backend() -> str:
    """``"canvas"`` (drawn in the browser) when anywidget is installed; else ``"ipympl"``
    under ``%matplotlib widget`` when ipympl is installed, else ``"image"``."""
    if importlib.util.find_spec("anywidget") is not None:
        return "canvas"
    try:
        import matplotlib

        backend = matplotlib.get_backend(auto_select=False) or ""
    except Exception:  # very old matplotlib: stay with images
        return "image"
    if "ipympl" in backend.lower() or backend.lower() == "widget":
        try:
            import ipympl.backend_nbagg  # noqa: F401
        except ImportError:
            return "image"
        return "ipympl"
    return "image"


def encode_png(canvas: FigureCanvasAgg) -> bytes:
    """The Agg buffer as a PNG (fast zlib level, no alpha channel)."""
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    image = image.convert("RGB")  # the figure is opaque; RGB encodes faster
    buf = io.BytesIO()
    image.save(buf, format="png", compress_level=1)
    return buf.getvalue()


def phase_png(diagram: Any, mark: tuple[float, float], presenter: bool) -> bytes:
    """A phase diagram with a star at the current setting, as PNG (the explorer's panel)."""
    fig = plotting.new_figure((8.0, 5.6) if presenter else (6.4, 4.4))
    fig.set_layout_engine("constrained")  # room for the footer below the x label
    diagram.plot(fig.add_subplot(), mark=mark, fontsize=13.0 if presenter else 9.0)
    return plotting.png_bytes(fig)


class ExplorerView:
    """The explorer's figure and its artists, for optimizers ``names``.

    Artists (public, updated in place): ``lines[name]`` (paths), ``starts[name]``,
    ``points[name]`` (current points), ``crosses[name]`` (✕ of diverged paths),
    ``loss_lines``, ``grad_lines``, ``cond_lines``, ``loss_crosses``, ``eff_lines`` (x, y),
    ``base_lr_line``, ``cursors``, ``step_arrow``, ``velocity_arrow``, ``lookahead``,
    ``eigen``, ``step_text``; axes ``ax_map``, ``ax_loss``, ``ax_grad``, ``ax_cond``,
    ``ax_eff``; ``contours`` (the surface's contour artists); ``figure``.
    """

    def __init__(self, names: Sequence[str], *, size: tuple[float, float], presenter: bool,
                 backend: str = "image", on_click: Callable[[Any], None] | None = None) -> None:
        self.names = list(names)
        self.presenter = presenter
        self.backend = backend
        self.fontsize = 13.0 if presenter else 9.0
        fig = Figure(figsize=size, dpi=100)
        self.canvas_widget = None
        if backend == "ipympl":
            from ipympl.backend_nbagg import new_figure_manager_given_figure

            self.canvas_widget = new_figure_manager_given_figure(id(fig), fig).canvas
            self.canvas_widget.header_visible = False
            if on_click is not None:
                self.canvas_widget.mpl_connect("button_press_event", on_click)
        else:
            FigureCanvasAgg(fig)
        self.figure = fig
        self._build_axes(size)
        self._build_artists()
        self.surface_key: str | None = None
        self.contours: list = []
        self._bg = None
        self._bg_dirty = True
        self._limits: dict[str, tuple] = {}
        self._legend = None
        self._legend_names: tuple = ()
        self._eff_legend = None

    def _build_axes(self, size: tuple[float, float]) -> None:
        fig, fs = self.figure, self.fontsize
        top = 1.0 - (1.0 if self.presenter else 0.75) / size[1]
        bottom = (0.65 if self.presenter else 0.5) / size[1]
        gs = fig.add_gridspec(4, 2, width_ratios=[1.45, 1], left=0.05, right=0.985,
                              top=top, bottom=bottom, hspace=0.42, wspace=0.13)
        self.ax_map = fig.add_subplot(gs[:, 0])
        self.ax_map.set_anchor("N")
        self.ax_loss = fig.add_subplot(gs[0, 1])
        self.ax_grad = fig.add_subplot(gs[1, 1])
        self.ax_cond = fig.add_subplot(gs[2, 1])
        self.ax_eff = fig.add_subplot(gs[3, 1])
        self.step_axes = (self.ax_loss, self.ax_grad, self.ax_cond, self.ax_eff)
        titles = {self.ax_loss: "loss gap f − f*", self.ax_grad: "gradient norm ‖∇f‖",
                  self.ax_cond: "condition number κ = |λ|max / |λ|min along the path",
                  self.ax_eff: ""}
        # an explicit y keeps matplotlib from placing the titles by measuring every tick
        title_texts = {ax: ax.set_title(title, loc="left", fontsize=fs, pad=3, y=1.0)
                       for ax, title in titles.items()}
        self._eff_title = title_texts[self.ax_eff]
        for ax in self.step_axes:
            ax.set_yscale("log")
            ax.yaxis.set_major_locator(LogLocator(numticks=4))
            ax.yaxis.set_minor_locator(NullLocator())
            ax.yaxis.set_major_formatter(FuncFormatter(plotting.decade_label))  # no mathtext
            ax.tick_params(labelsize=fs - 1)
            ax.grid(True, which="major", alpha=0.3)
        for ax in (self.ax_loss, self.ax_grad, self.ax_cond):
            ax.tick_params(labelbottom=False)
        self.ax_eff.set_xlabel("step", fontsize=fs)
        self.ax_map.tick_params(labelsize=fs - 1)

    def _build_artists(self) -> None:
        big = self.presenter
        lw = 2.4 if big else 1.7
        ax_map = self.ax_map
        self.lines, self.starts, self.points, self.crosses = {}, {}, {}, {}
        self.loss_lines, self.grad_lines, self.cond_lines, self.loss_crosses = {}, {}, {}, {}
        for n in self.names:
            color, marker, ls = style(n)
            self.lines[n], self.starts[n] = plotting.path(
                ax_map, np.full((1, 2), np.nan), color=color, marker=marker, lw=lw,
                ms=6 if big else 4, label=label(n), ls=ls)
            self.points[n] = plotting.point_marker(ax_map, color=color, marker=marker,
                                                   ms=10 if big else 8)
            self.crosses[n] = plotting.cross_marker(ax_map, color=color, ms=16 if big else 13)
            self.loss_lines[n] = plotting.curve(self.ax_loss, color=color, lw=lw, ls=ls)
            self.grad_lines[n] = plotting.curve(self.ax_grad, color=color, lw=lw, ls=ls)
            self.cond_lines[n] = plotting.curve(self.ax_cond, color=color, lw=lw, ls=ls)
            self.loss_crosses[n] = plotting.cross_marker(self.ax_loss, color=color, ms=9)
        self.eff_lines = (plotting.curve(self.ax_eff, color="black", lw=lw, label="x"),
                          plotting.curve(self.ax_eff, color="black", lw=lw, ls="--", label="y"))
        self.base_lr_line = plotting.curve(self.ax_eff, color="#555555", lw=1.2, ls=":",
                                           label="ε")
        self.cursors = [ax.axvline(0, color="#444444", lw=0.8, ls="-", alpha=0.6)
                        for ax in self.step_axes]
        self.eigen = plotting.eigen_bars(ax_map, lw=7.0 if big else 5.0,
                                         zorder=2.5)  # translucent bands under the paths
        self.velocity_arrow = plotting.arrow(ax_map, color="white", edgecolor="black",
                                             linewidth=0.8, width=0.007)
        self.step_arrow = plotting.arrow(ax_map, color="black", width=0.005)
        (self.lookahead,) = ax_map.plot([], [], linestyle="none", marker="o", ms=9,
                                        mfc="none", mec="black", mew=1.8, zorder=8)
        box = {"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 2}
        self.step_text = ax_map.text(0.985, 0.015, "", transform=ax_map.transAxes, ha="right",
                                     va="bottom", fontsize=self.fontsize, zorder=9, bbox=box)
        self._map_text = ax_map.text(0.015, 0.985, "", transform=ax_map.transAxes, ha="left",
                                     va="top", fontsize=self.fontsize, zorder=9, bbox=box)
        self._dynamic = [*self.lines.values(), *self.starts.values(), *self.points.values(),
                         *self.crosses.values(), *self.loss_lines.values(),
                         *self.grad_lines.values(), *self.cond_lines.values(),
                         *self.loss_crosses.values(), *self.eff_lines, self.base_lr_line,
                         *self.cursors, self.eigen, self.velocity_arrow, self.step_arrow,
                         self.lookahead, self.step_text]
        self._dynamic.sort(key=lambda artist: artist.get_zorder())  # blitting draws in order
        for artist in self._dynamic:
            artist.set_animated(self.backend != "ipympl")

    # ----------------------------------------------------------------- data
    def invalidate(self) -> None:
        """Draw the static background again at the next render."""
        self._bg_dirty = True

    def set_surface(self, surface: Any, key: str) -> None:
        """Contours, axis labels and title of ``surface`` (nothing if ``key`` is drawn)."""
        if key == self.surface_key:
            return
        for artist in self.contours:
            artist.remove()
        self.contours = plotting.surface_contour(self.ax_map, surface, n=map_grid_size(surface),
                                                 levels=MAP_LEVELS,
                                                 cmap="Greys", alpha=0.3)
        title, xlabel, ylabel = map_labels(surface)
        self.ax_map.set_xlabel(xlabel, fontsize=self.fontsize)
        self.ax_map.set_ylabel(ylabel, fontsize=self.fontsize)
        self._map_text.set_text(title)
        self.surface_key = key
        self._bg_dirty = True

    def show(self, paths: Mapping[str, PathData], steps: int,
             inspected: tuple[str, InsideSeries] | None) -> None:
        """Show ``paths`` (the others hidden): visibility, axis limits and legends."""
        every = max(1, round(steps / 15))  # about 15 markers per path
        for n in self.names:
            on = n in paths
            for artist in (self.lines[n], self.starts[n], self.loss_lines[n],
                           self.grad_lines[n], self.cond_lines[n]):
                artist.set_visible(on)
            if not on:
                for artist in (self.points[n], self.crosses[n], self.loss_crosses[n]):
                    artist.set_visible(False)
                continue
            p0 = paths[n].trajectory.points[0]
            self.starts[n].set_data([p0[0]], [p0[1]])
            self.lines[n].set_markevery(every)

        limits = panel_limits(paths, steps, inspected)
        eff_title = panel_title(inspected)
        if limits != self._limits:
            for ax in self.step_axes:
                ax.set_xlim(*limits["x"])
            for ax, key in ((self.ax_loss, "loss"), (self.ax_grad, "grad"),
                            (self.ax_cond, "cond"), (self.ax_eff, "eff")):
                ax.set_ylim(*limits[key])
            self._limits = limits
            self._bg_dirty = True
        if self._eff_title.get_text() != eff_title:
            self._eff_title.set_text(eff_title)
            self._set_eff_legend(inspected)
        if tuple(paths) != self._legend_names:
            if self._legend is not None:
                self._legend.remove()
            self._legend = None
            if paths:
                self._legend = self.figure.legend(
                    handles=[self.lines[n] for n in paths], loc="upper left",
                    bbox_to_anchor=(0.04, 1.0), ncol=min(len(paths), 6), frameon=False,
                    fontsize=self.fontsize, handlelength=2.2, columnspacing=1.4,
                    borderaxespad=0.2)
            self._legend_names = tuple(paths)
            self._bg_dirty = True
        for n, path in paths.items():
            self.loss_crosses[n].set_data([path.diverged_at], [self._limits["loss"][1] / 2.0])

    def _set_eff_legend(self, inspected: tuple[str, InsideSeries] | None) -> None:
        if self._eff_legend is not None:
            self._dynamic.remove(self._eff_legend)
            self._eff_legend.remove()
            self._eff_legend = None
        if inspected is not None:
            name, series = inspected
            for line in self.eff_lines:
                line.set_color(style(name)[0])
            handles = list(self.eff_lines)
            if series.learning_rate is not None:
                handles.append(self.base_lr_line)
            # drawn with the moving artists, on top of the curves
            self._eff_legend = self.ax_eff.legend(
                handles=handles, loc="lower right", ncol=len(handles),
                fontsize=self.fontsize - 1, framealpha=0.85, edgecolor="none",
                handlelength=1.8, borderaxespad=0.2, columnspacing=1.0)
            self._eff_legend.set_zorder(20)
            self._eff_legend.set_animated(self.backend != "ipympl")
            self._dynamic.append(self._eff_legend)
        self._bg_dirty = True

    def show_step(self, k: int, steps: int, paths: Mapping[str, PathData], surface: Any,
                  inspected: tuple[PathData, InsideSeries] | None) -> None:
        """Show every path as it is after ``k`` steps, and inside the inspected one."""
        for n, path in paths.items():
            show_step(PathArtists(self.lines[n], self.points[n], self.crosses[n],
                                  self.loss_lines[n]), path, k)
            m = min(k + 1, len(path.grad_norm))
            self.grad_lines[n].set_data(np.arange(m), path.grad_norm[:m])
            mc = min(k + 1, len(path.condition))
            self.cond_lines[n].set_data(np.arange(mc), path.condition[:mc])
            self.loss_crosses[n].set_visible(not path.alive(k))
        for c in self.cursors:
            c.set_xdata([k, k])
        self.step_text.set_text(f"step {k} / {steps}")
        for artist in (self.eigen, self.velocity_arrow, self.step_arrow, self.lookahead,
                       *self.eff_lines, self.base_lr_line):
            artist.set_visible(False)
        if inspected is not None:
            self._show_inside(k, *inspected, surface)

    def _show_inside(self, k: int, path: PathData, series: InsideSeries, surface: Any) -> None:
        steps = path.trajectory.steps
        upto = slice(0, min(k, steps) + 1)
        xs = np.arange(steps + 1)[upto]
        for i, line in enumerate(self.eff_lines):
            line.set_color(style(path.name)[0])
            line.set_data(xs, series.effective_lr[upto, i])
            line.set_visible(True)
        if series.learning_rate is not None:
            self.base_lr_line.set_data(xs, series.learning_rate[upto])
            self.base_lr_line.set_visible(True)
        if not (path.alive(k) and k <= steps):
            return
        points = path.trajectory.points
        point = points[min(k, steps)]
        size = 0.11 * max(surface.xlim[1] - surface.xlim[0], surface.ylim[1] - surface.ylim[0])
        w, v = path.eigenvalues[k], path.eigenvectors[k]
        if np.all(np.isfinite(w)):
            self.eigen.set_segments(plotting.eigen_segments(point, w, v, size))
            self.eigen.set_colors([(0.8, 0.2, 0.07, 0.6) if wi < 0 else (0.2, 0.2, 0.2, 0.4)
                                   for wi in w])
            self.eigen.set_visible(True)
        if k < steps:
            self._place_arrow(self.step_arrow, point, points[k + 1] - point)
        if series.velocity is not None:
            self._place_arrow(self.velocity_arrow, point, series.velocity[k])
        if series.lookahead is not None and np.all(np.isfinite(series.lookahead[k])):
            la = series.lookahead[k]
            self.lookahead.set_data([la[0]], [la[1]])
            self.lookahead.set_visible(True)

    @staticmethod
    def _place_arrow(arrow: Any, tail: np.ndarray, vector: np.ndarray) -> None:
        if np.all(np.isfinite(vector)):
            arrow.set_offsets([tail])
            arrow.set_UVC([vector[0]], [vector[1]])
            arrow.set_visible(True)

    # ----------------------------------------------------------------- rendering
    def render(self) -> bytes | None:
        """Draw the current frame; PNG bytes (image backend) or ``None`` (ipympl draws itself).

        The background is redrawn only when it changed; otherwise it is restored from the
        cached bitmap and only the moving artists are drawn on it.
        """
        if self.backend == "ipympl":
            self.figure.canvas.draw_idle()
            return None
        canvas = self.figure.canvas
        if self._bg is None or self._bg_dirty:
            canvas.draw()
            self._bg = canvas.copy_from_bbox(self.figure.bbox)
            self._bg_dirty = False
        else:
            canvas.restore_region(self._bg)
        for artist in self._dynamic:
            if artist.get_visible():
                self.figure.draw_artist(artist)
        return encode_png(canvas)

    def png(self) -> bytes:
        """The whole figure as PNG (any backend; slower than :meth:`render`)."""
        return plotting.png_bytes(self.figure)
