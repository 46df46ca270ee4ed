"""Optimizer races: several optimizers on one surface, animated together.

:func:`race` returns a :class:`Race`; ``.to_html()`` plays without a kernel (the player of
:mod:`._player`), ``.save_gif()`` writes a GIF for slides, ``.save_mp4()`` a video.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .. import optimizers as _optimizers
from .. import plotting, runner
from .._validate import check_int, check_real
from ._player import player_html
from .paths import PathArtists, PathData, path_data, show_step
from .settings import as_surface, demo_hyperparameters
from .styles import label, style

__all__ = ["Race", "race", "split_hyper"]


def split_hyper(names: Sequence[str], hyper: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per-optimizer hyperparameters from ``race(...)``'s keywords.

    ``adam={"learning_rate": 0.05}`` goes to Adam; ``learning_rate=0.01`` to every racing
    optimizer that has a learning rate (an explicit per-optimizer value wins).
    """
    per: dict[str, dict[str, Any]] = {n: {} for n in names}
    shared = {}
    known = _optimizers.names()
    for key, value in hyper.items():
        if key in known:
            if key not in per:
                raise ValueError(f"hyperparameters given for {key!r}, which is not racing")
            if not isinstance(value, Mapping):
                raise ValueError(f"{key}= must be a dict of hyperparameters, got {value!r}")
            per[key].update(value)
        else:
            shared[key] = value
    for key, value in shared.items():
        takers = [n for n in names if key in _optimizers.info(n).hyperparameters]
        if not takers:
            raise ValueError(f"no racing optimizer has a hyperparameter {key!r}")
        for n in takers:
            per[n].setdefault(key, value)
    return per


class Race:
    """Several optimizers on one surface, animated together (see :func:`race`).

    Attributes
    ----------
    surface : the Surface.
    trajectories : ``{name: Trajectory}``.
    hyperparameters : ``{name: dict}`` as run.
    paths : ``{name: PathData}``, what is drawn of each run.
    frames : the steps shown, one per frame.
    figure : the Agg figure the frames are drawn on.
    """

    def __init__(self, surface: Any, optimizers: Sequence[str], steps: int, *,
                 start: Any = None, frames: int = 60, fps: float = 12.0,
                 presenter: bool = False, hyper: Mapping[str, Any] | None = None) -> None:
        self.surface = as_surface(surface)
        if isinstance(optimizers, str):
            optimizers = [optimizers]
        names = list(dict.fromkeys(optimizers))
        if not names:
            raise ValueError("race needs at least one optimizer")
        for n in names:
            _optimizers.info(n)  # validates the name
        steps = check_int("steps", steps, low=0)
        frames = check_int("frames", frames, low=1)
        self.fps = check_real("fps", fps, low=0.0, low_open=True)
        per = split_hyper(names, hyper or {})
        self.hyperparameters = {n: {**demo_hyperparameters(self.surface.name, n), **per[n]}
                                for n in names}
        begin = self.surface.start if start is None else start
        self.trajectories = {
            n: runner.run(_optimizers.get(n, **self.hyperparameters[n]), self.surface, begin,
                          steps)
            for n in names}
        self.paths: dict[str, PathData] = {
            n: path_data(n, "", t, self.hyperparameters[n], None, self.surface)
            for n, t in self.trajectories.items()}
        self.steps = steps
        self.frames = np.unique(np.linspace(0, steps, min(frames, steps + 1)).round()
                                ).astype(int)
        self.presenter = bool(presenter)
        self._frames_cache: list | None = None
        self.figure = self._build()

    # drawing ---------------------------------------------------------------------------
    def _build(self) -> Figure:
        fs = 13 if self.presenter else 9
        fig = plotting.new_figure((11, 5.2) if self.presenter else (8.4, 4.0), dpi=100)
        gs = fig.add_gridspec(1, 2, width_ratios=[1.25, 1], left=0.06, right=0.98, top=0.86,
                              bottom=0.12, wspace=0.22)
        ax, axl = fig.add_subplot(gs[0]), fig.add_subplot(gs[1])
        plotting.surface_contour(ax, self.surface, n=150, levels=24, cmap="Greys",
                                 alpha=0.45)
        ax.tick_params(labelsize=fs - 1)
        axl.set_yscale("log")
        axl.set_xlim(0, max(self.steps, 1))
        axl.set_xlabel("step", fontsize=fs)
        axl.set_title("f − f*", fontsize=fs, loc="left")
        axl.tick_params(labelsize=fs - 1)
        axl.grid(True, which="major", alpha=0.3)
        self._artists: dict[str, PathArtists] = {}
        for name, data in self.paths.items():
            color, marker, ls = style(name)
            line, _ = plotting.path(ax, data.trajectory.points[:1], color=color, marker=marker,
                                    markevery=max(1, self.steps // 20),
                                    lw=2.4 if self.presenter else 1.8, label=label(name),
                                    ls=ls)
            self._artists[name] = PathArtists(
                line=line, point=plotting.point_marker(ax, color=color, marker=marker),
                cross=plotting.cross_marker(ax, color=color),
                loss=plotting.curve(axl, color=color, lw=2.0, marker=marker, ls=ls,
                                    markevery=max(1, self.steps // 10), ms=4))
        gaps = [data.gap for data in self.paths.values()]
        lo, hi = plotting.log_limits(np.concatenate(gaps) if gaps else np.ones(1))
        axl.set_ylim(lo, hi)
        fig.legend(handles=[a.line for a in self._artists.values()], loc="upper left",
                   bbox_to_anchor=(0.05, 1.0), ncol=min(len(self._artists), 5), frameon=False,
                   fontsize=fs)
        self._text = ax.text(0.98, 0.02, "", transform=ax.transAxes, ha="right", va="bottom",
                             fontsize=fs, bbox={"facecolor": "white", "alpha": 0.8,
                                                "edgecolor": "none"})
        self._draw_frame(self.steps)
        return fig

    def _draw_frame(self, k: int) -> list:
        changed = []
        for name, artists in self._artists.items():
            show_step(artists, self.paths[name], k)
            changed += artists.all()
        self._text.set_text(f"step {k} / {self.steps}")
        return [*changed, self._text]

    def _animation(self) -> Any:
        from matplotlib.animation import FuncAnimation

        return FuncAnimation(self.figure, self._draw_frame, frames=list(self.frames),
                             interval=1000.0 / self.fps, blit=False, repeat=True)

    def frame_images(self) -> list:
        """Every frame as a PIL RGB image (drawn once, then cached).

        The static background (contours, axes, legend) is drawn once; each frame only draws
        the moving artists on a copy of it, like the explorer.
        """
        if self._frames_cache is None:
            from PIL import Image

            fig = self.figure
            canvas = fig.canvas
            dynamic = [a for artists in self._artists.values() for a in artists.all()]
            dynamic.append(self._text)
            for artist in dynamic:
                artist.set_animated(True)
            try:
                canvas.draw()
                background = canvas.copy_from_bbox(fig.bbox)
                size = canvas.get_width_height(physical=True)
                images = []
                for k in self.frames:
                    canvas.restore_region(background)
                    self._draw_frame(int(k))
                    for artist in dynamic:
                        if artist.get_visible():
                            fig.draw_artist(artist)
                    images.append(Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw",
                                                   "RGBA", 0, 1).convert("RGB"))
            finally:
                for artist in dynamic:
                    artist.set_animated(False)
                self._draw_frame(self.steps)
            self._frames_cache = images
        return self._frames_cache

    def _paletted(self) -> list:
        """The frames on one shared 256-colour palette (that of the last, fullest frame)."""
        from PIL import Image

        images = self.frame_images()
        palette = images[-1].quantize(256, method=Image.Quantize.FASTOCTREE)
        return [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]

    # exports ---------------------------------------------------------------------------
    def to_html(self, *, default_mode: str = "loop") -> str:
        """A self-contained HTML animation that plays the race without a kernel.

        Like matplotlib's ``FuncAnimation.to_jshtml``: every frame is an embedded PNG and a
        few lines of JavaScript give play, pause, step and a scrubber; but nothing is loaded
        from the network (matplotlib's version links an icon font from a CDN). It opens at
        the last frame, so the outcome is visible even where scripts do not run.
        """
        if default_mode not in ("loop", "once"):
            raise ValueError(f"default_mode must be 'loop' or 'once', got {default_mode!r}")
        frames = []
        for image in self._paletted():
            buf = io.BytesIO()
            image.save(buf, format="png", optimize=False, compress_level=6)
            frames.append(buf.getvalue())
        width = self.frame_images()[0].size[0]
        alt = (f"optimizer race on {self.surface.name}: "
               + ", ".join(label(n) for n in self.trajectories))
        return player_html(frames, list(self.frames), fps=self.fps,
                            loop=default_mode == "loop", width=width, alt=alt)

    def _repr_html_(self) -> str:
        return self.to_html()

    def save_gif(self, path: str | Path, *, fps: float | None = None,
                 hold_last: float = 1.5) -> Path:
        """Write the race as an animated, looping GIF; return the path.

        ``hold_last`` seconds pause on the last frame before the loop restarts.
        """
        path = Path(path)
        frames = self._paletted()
        duration = max(20, int(1000.0 / (fps or self.fps)))
        durations = [duration] * (len(frames) - 1) + [max(duration, int(hold_last * 1000))]
        frames[0].save(path, format="GIF", save_all=True, append_images=frames[1:],
                       duration=durations, loop=0, optimize=False)
        return path

    @staticmethod
    def mp4_available() -> bool:
        """Whether ffmpeg is installed, so that :meth:`save_mp4` can work."""
        return shutil.which("ffmpeg") is not None

    def save_mp4(self, path: str | Path, *, fps: float | None = None) -> Path:
        """Write the race as an MP4 video; needs ffmpeg (raises ``RuntimeError`` without it)."""
        if not self.mp4_available():
            raise RuntimeError("saving MP4 needs ffmpeg, which is not installed on this "
                               "machine; use save_gif() or to_html() instead")
        from matplotlib.animation import FFMpegWriter

        path = Path(path)
        self._animation().save(str(path), writer=FFMpegWriter(fps=fps or self.fps),
                               dpi=self.figure.dpi)
        self._draw_frame(self.steps)
        return path


def race(surface: Any = "beale", optimizers: Sequence[str] = ("sgd", "momentum", "adam"),
         steps: int = 200, *, start: Any = None, frames: int = 60, fps: float = 12.0,
         presenter: bool = False, **hyper: Any) -> Race:
    """Animate several optimizers together on one surface.

    Parameters
    ----------
    surface : name or Surface
    optimizers : optimizer names (any registered optimizer).
    steps : number of updates.
    start : start point (default: the surface's).
    frames, fps : at most ``frames`` frames (evenly spaced steps, the last one included),
        played at ``fps``.
    presenter : larger figure and fonts for a projector.
    **hyper : per optimizer, ``adam={"learning_rate": 0.05}``; or a hyperparameter for every
        optimizer that has it, ``learning_rate=0.01``. The rest are the explorer's demo
        defaults (:func:`~course_utils.explorer.demo_hyperparameters`).

    Returns
    -------
    Race
        ``.to_html()`` (plays without a kernel), ``.save_gif(path)``, ``.save_mp4(path)``.
    """
    return Race(surface, optimizers, steps, start=start, frames=frames, fps=fps,
                presenter=presenter, hyper=hyper)
