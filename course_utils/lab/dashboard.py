"""The live training dashboard of the labs: loss and accuracy of several runs, drawn while
Keras trains (one callback per run)."""

from __future__ import annotations

import io
import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .._validate import check_choice, check_int, check_scalar
from ._runtime import keras, needs_data
from .plots import run_styles

__all__ = ["Dashboard", "in_ipython_kernel"]


class Dashboard:
    """A live figure of training and validation loss and accuracy for several runs.

    One figure with four panels (training loss, validation loss, training accuracy,
    validation accuracy) and one colour per run, like ConvNetJS's trainer comparison. Every run
    gets a Keras callback from :meth:`callback`; at each epoch end it appends the epoch's
    values to its lines -- the same ``Line2D`` objects all along -- and redraws. With
    ``update_every=n`` the training lines also move every ``n`` batches (a temporary last
    point at the fractional epoch, replaced at the epoch's end by the epoch's value).

    A run that is already trained (e.g. the same run in an earlier dashboard) is drawn from its
    history with :meth:`add_history` instead of training it again.

    In Jupyter the figure is shown once with an IPython display handle and updated in place
    (``handle.update``); elsewhere (a script, a test, a headless ``Agg`` backend) only the
    figure is updated. Redrawing is throttled to one image every ``min_interval`` seconds. At
    the end of a run the image is brought up to date: at once, or, in Jupyter, when the run
    ends within ``min_interval`` of the last image, as soon as the cell has run -- so a cell of
    quick runs shows one image every ``min_interval`` seconds and the complete one at its end.

    Parameters
    ----------
    runs : sequence of str
        Names of the runs, in legend order.
    title : str, optional
    update_every : int, optional
        Also update the training curves every this many batches.
    show : bool, optional
        Display in IPython (default: when running inside an IPython kernel).
    min_interval : float, >= 0
        Seconds between two displayed images. A redraw costs about 0.15 s on a 2-core CPU, as
        much as a fast-mode run's last two epochs; at most one every 2 s keeps drawing to under
        a tenth of the time, and a full-mode epoch still gets its own image.
    log_loss : bool
        Logarithmic loss axes (slower to draw).

    Examples
    --------
    >>> dash = Dashboard(["sgd", "adam"])                              # doctest: +SKIP
    >>> model.fit(ds, epochs=5, callbacks=[dash.callback("adam")])     # doctest: +SKIP
    """

    METRICS = ("loss", "accuracy")
    SPLITS = ("train", "val")

    def __init__(self, runs: Sequence[str], *, title: str | None = None,
                 update_every: int | None = None, show: bool | None = None,
                 min_interval: float = 2.0, log_loss: bool = False) -> None:
        runs = list(runs)
        if not runs or len(set(runs)) != len(runs) or not all(isinstance(r, str) for r in runs):
            raise ValueError(f"runs must be a non-empty list of distinct names, got {runs!r}")
        if update_every is not None:
            update_every = check_int("update_every", update_every, low=1)
        self.min_interval = check_scalar("min_interval", min_interval, low=0.0)
        self.runs = runs
        self.update_every = update_every
        # a fixed layout: constrained layout or log axes would triple the cost of a redraw
        self.figure = Figure(figsize=(9, 5.6))
        legend_rows = math.ceil(len(runs) / 9)
        self.figure.subplots_adjust(left=0.07, right=0.98, bottom=0.08,
                                    top=0.86 - 0.045 * legend_rows, hspace=0.25, wspace=0.18)
        grid = self.figure.subplots(2, 2, sharex=True)
        self.axes: dict[tuple[str, str], Any] = {}
        for i, metric in enumerate(self.METRICS):
            for j, split in enumerate(self.SPLITS):
                ax = grid[i, j]
                self.axes[(metric, split)] = ax
                ax.set_title(f"{'training' if split == 'train' else 'validation'} {metric}",
                             fontsize="medium")
                ax.grid(alpha=0.3)
                if metric == "loss" and log_loss:
                    ax.set_yscale("log")
                if i == 1:
                    ax.set_xlabel("epoch")
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        self.lines: dict[str, dict[tuple[str, str], Any]] = {}
        self._data: dict[str, dict[tuple[str, str], list[float]]] = {}
        styles = run_styles(runs)  # strong colours only; an optimizer keeps its colour
        for run in runs:
            colour, marker, style = styles[run]
            self.lines[run] = {}
            self._data[run] = {}
            for key, ax in self.axes.items():
                (line,) = ax.plot([], [], color=colour, marker=marker, ms=3, lw=1.6, ls=style,
                                  label=run if key == ("loss", "train") else None)
                self.lines[run][key] = line
                self._data[run][key] = []
        self.figure.legend(handles=[self.lines[r][("loss", "train")] for r in runs],
                           loc="upper center", bbox_to_anchor=(0.5, 0.95),
                           ncol=min(len(runs), 9), fontsize="small", frameon=False,
                           handlelength=1.6, columnspacing=1.0)
        if title:
            self.figure.suptitle(title, y=0.99)
        if show is None:
            show = in_ipython_kernel()
        self.show = bool(show)
        self.handle: Any = None
        self.n_draws = 0
        self._last_draw = -math.inf
        self._stale = False  # the lines changed since the last image
        self._cell_end_shell: Any = None  # the IPython shell that redraws when the cell ends

    def callback(self, run: str) -> keras.callbacks.Callback:
        """The Keras callback that draws run ``run``; pass it to ``model.fit(callbacks=[...])``."""
        check_choice("run", run, self.runs)
        return _DashboardCallback(self, run)

    @needs_data
    def add_history(self, run: str, history: Mapping[str, Sequence[float]]) -> None:
        """Draw run ``run`` from a finished run's history (``RunResult.history``, or
        ``History.history`` of ``model.fit``), as its callback would have drawn it. Without
        MNIST (a :class:`~course_utils.lab._runtime.MissingData` history) it says "skipped"."""
        check_choice("run", run, self.runs)
        self._reset(run)
        for epoch in range(len(history.get("loss", ()))):
            self._set_epoch(run, {k: v[epoch] for k, v in history.items() if epoch < len(v)})
        self._finish()

    def values(self, run: str, metric: str, split: str) -> list[float]:
        """The epoch values drawn for ``run`` (e.g. ``values("adam", "loss", "val")``)."""
        return list(self._data[run][(metric, split)])

    # -- internals used by the callback
    def _reset(self, run: str) -> None:
        for key in self.axes:
            self._data[run][key] = []
            self.lines[run][key].set_data([], [])
        self._stale = True

    def _set_epoch(self, run: str, logs: Mapping[str, Any]) -> None:
        for (metric, split), line in self.lines[run].items():
            name = metric if split == "train" else f"val_{metric}"
            if name in logs:
                self._data[run][(metric, split)].append(float(logs[name]))
            ys = self._data[run][(metric, split)]
            line.set_data(np.arange(1, len(ys) + 1), ys)
        self._stale = True

    def _set_partial(self, run: str, epoch_fraction: float, logs: Mapping[str, Any]) -> None:
        for metric in self.METRICS:
            if metric not in logs:
                continue
            ys = self._data[run][(metric, "train")]
            xs = list(np.arange(1, len(ys) + 1)) + [epoch_fraction]
            self.lines[run][(metric, "train")].set_data(xs, ys + [float(logs[metric])])
            self._stale = True

    def redraw(self, *, force: bool = False) -> None:
        """Rescale the axes and, in IPython, update the displayed image (throttled)."""
        now = time.perf_counter()
        if not force and now - self._last_draw < self.min_interval:
            return
        self._last_draw = now
        self._stale = False
        for ax in self.axes.values():
            ax.relim()
            ax.autoscale_view()
        self.n_draws += 1
        if not self.show:
            return
        from IPython.display import Image, display

        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=96)
        image = Image(data=buffer.getvalue(), format="png")
        if self.handle is None:
            self.handle = display(image, display_id=True)
        else:
            self.handle.update(image)

    def _finish(self) -> None:
        """Bring the image up to date at the end of a run: now, or when the IPython cell has
        run if the last image is less than ``min_interval`` old."""
        if not self._stale:
            return
        if time.perf_counter() - self._last_draw < self.min_interval and self._at_cell_end():
            return
        self.redraw(force=True)

    def _at_cell_end(self) -> bool:
        """Have IPython redraw the figure once the running cell ends (``post_run_cell``);
        False where that is not possible (no IPython, or a figure that is not displayed)."""
        if not self.show:
            return False
        if self._cell_end_shell is None:
            try:
                from IPython import get_ipython
            except ImportError:  # pragma: no cover - IPython ships with the lab extras
                return False
            shell = get_ipython()
            if shell is None:
                return False
            shell.events.register("post_run_cell", self._redraw_at_cell_end)
            self._cell_end_shell = shell
        return True

    def _redraw_at_cell_end(self, result: Any = None) -> None:
        shell, self._cell_end_shell = self._cell_end_shell, None
        if shell is not None:
            shell.events.unregister("post_run_cell", self._redraw_at_cell_end)
        if self._stale:
            self.redraw(force=True)


def in_ipython_kernel() -> bool:
    """Whether this code runs in an IPython kernel (Jupyter), where figures can be displayed."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the lab extras
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


class _DashboardCallback(keras.callbacks.Callback):
    """Feeds one run of a :class:`Dashboard`."""

    def __init__(self, dashboard: Dashboard, run: str) -> None:
        super().__init__()
        self.dashboard = dashboard
        self.run = run
        self._epoch = 0
        self._seen = 0

    def on_train_begin(self, logs: Any = None) -> None:
        self.dashboard._reset(self.run)

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self._epoch = epoch
        self._seen = 0

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        every = self.dashboard.update_every
        if not every or not logs:
            return
        if (batch + 1) // every <= self._seen:
            return
        self._seen = (batch + 1) // every
        steps = (self.params or {}).get("steps") or (batch + 1)
        self.dashboard._set_partial(self.run, self._epoch + (batch + 1) / steps, logs)
        self.dashboard.redraw()

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self.dashboard._set_epoch(self.run, logs or {})
        self.dashboard.redraw()

    def on_train_end(self, logs: Any = None) -> None:
        self.dashboard._finish()
