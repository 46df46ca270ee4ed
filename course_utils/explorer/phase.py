"""Phase diagrams: an outcome of one optimizer over a grid of two hyperparameters.

:func:`phase_diagram` runs every cell of the grid in one vectorized :func:`course_utils.sweep`
(array-valued hyperparameters, never a Python loop over cells) and returns a
:class:`PhaseDiagram`, which draws itself as a heatmap.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import optimizers as _optimizers
from .. import runner
from .._validate import check_choice, check_int
from .settings import PHASE_METRICS, as_surface
from .steppers import make_stepper
from .styles import label, param_label


def _plotting():
    """matplotlib is loaded when a diagram is drawn, so the headless model stays numpy-only."""
    from .. import plotting

    return plotting

__all__ = ["PhaseDiagram", "phase_diagram"]


def _axis_spec(optimizer: str, spec: Any, which: str) -> tuple[str, float, float, bool]:
    params = _optimizers.info(optimizer).hyperparameters
    if isinstance(spec, str):
        spec = (spec,)
    if not isinstance(spec, (tuple, list)) or not 1 <= len(spec) <= 4 or \
            not isinstance(spec[0], str):
        raise ValueError(f"{which} must be a hyperparameter name or (name, low, high[, log]), "
                         f"got {spec!r}")
    name = spec[0]
    if name not in params:
        raise ValueError(f"{which}: {optimizer} has no hyperparameter {name!r}; its "
                         f"hyperparameters are: {', '.join(params)}")
    p = params[name]
    if isinstance(p.default, bool) or p.low is None:
        raise ValueError(f"{which}: {name!r} is not a number and cannot be an axis")
    lo = float(spec[1]) if len(spec) > 1 else float(p.low)
    hi = float(spec[2]) if len(spec) > 2 else float(p.high)
    log = bool(spec[3]) if len(spec) > 3 else bool(p.log)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"{which}: need finite low < high, got {lo!r}, {hi!r}")
    if log and lo <= 0:
        raise ValueError(f"{which}: a log axis needs low > 0, got {lo!r}")
    return name, lo, hi, log


@dataclasses.dataclass(frozen=True, eq=False)
class PhaseDiagram:
    """The outcome of one optimizer over a grid of two hyperparameters.

    Attributes
    ----------
    surface, optimizer : names.
    x_name, y_name : the two hyperparameters; ``x`` (nx,) and ``y`` (ny,) their values.
    x_log, y_log : whether the axes are logarithmic.
    metric : ``"steps_to_tol"``, ``"final_loss"`` or ``"diverged"``.
    values : (ny, nx) float, the metric per cell (NaN where it has no value: never reached the
        tolerance, diverged, or never diverged for ``"diverged"``). Cell ``[i, j]`` is
        ``y[i]``, ``x[j]``.
    result : the :class:`course_utils.SweepResult` of the one vectorized sweep.
    steps, tol, fixed : the run's length, tolerance and the other hyperparameters.
    """

    surface: str
    optimizer: str
    x_name: str
    y_name: str
    x: np.ndarray
    y: np.ndarray
    x_log: bool
    y_log: bool
    metric: str
    values: np.ndarray
    result: runner.SweepResult
    steps: int
    tol: float
    fixed: dict

    @property
    def diverged(self) -> np.ndarray:
        """(ny, nx) bool: cells whose run diverged."""
        return self.result.diverged_at >= 0

    def hyperparameters(self, i: int, j: int) -> dict[str, Any]:
        """The hyperparameters of cell ``[i, j]``, e.g. to rerun it with :func:`run`."""
        return {**self.fixed, self.x_name: float(self.x[j]), self.y_name: float(self.y[i])}

    def _missing(self) -> tuple[np.ndarray, str]:
        res = self.result
        if self.metric == "steps_to_tol":
            return (res.steps_to_tol < 0) & (res.diverged_at < 0), \
                f"not within {self.tol:g} in {self.steps} steps"
        if self.metric == "diverged":
            return res.diverged_at < 0, "never diverged"
        return np.zeros(self.values.shape, bool), ""

    def plot(self, ax: Any = None, *, mark: tuple[float, float] | None = None,
             fontsize: float | None = None) -> Any:
        """Draw the heatmap on ``ax`` (a new Agg figure if ``None``); return ``ax.figure``.

        ``mark=(x, y)`` draws a white star at a hyperparameter setting (the explorer's current
        one). Diverged cells are dark and hatched, cells without a value light grey. What was
        swept ("momentum on ravine, 200 steps") and the legend of the grey cells go in a
        footer below the x-axis label, so the titles above the axes are left to the caller.

        The colour scale is fixed by the run, not by the best cell: steps from 0 to ``steps``,
        the final loss on a log scale down to at least ``tol``. A diagram whose cells all have
        (nearly) the same value says so in a note on the map ("every cell: f − f* = 14.2
        after 100 steps") instead of looking like a field of good settings.
        """
        if ax is None:
            ax = _plotting().new_figure((6.2, 4.6)).add_subplot()
        missing, missing_label = self._missing()
        label = {
            "steps_to_tol": f"steps until f − f* ≤ {self.tol:g}",
            "final_loss": f"f − f* after {self.steps} steps",
            "diverged": "diverged at step",
        }[self.metric]
        values = self.values
        if self.metric == "final_loss":
            values = np.maximum(values, 1e-16)
            color_range = (max(min(self.tol, 1.0), 1e-16),) * 2
        else:
            color_range = (0.0, float(max(self.steps, 1)))
        _plotting().phase_heatmap(
            ax, self.x, self.y, values,
            diverged=self.diverged if self.metric != "diverged" else None,
            missing=missing, x_log=self.x_log, y_log=self.y_log,
            log_color=self.metric == "final_loss",
            cmap="viridis_r" if self.metric != "diverged" else "magma",
            label=label, missing_label=missing_label, fontsize=fontsize,
            color_range=color_range, caption=self.description(), note=self.note())
        ax.set_xlabel(param_label(self.optimizer, self.x_name), fontsize=fontsize)
        ax.set_ylabel(param_label(self.optimizer, self.y_name), fontsize=fontsize)
        if fontsize:
            ax.tick_params(labelsize=fontsize)
        if mark is not None:
            ax.plot([mark[0]], [mark[1]], marker="*", ms=16, color="white", mec="black",
                    mew=1.2, linestyle="none", zorder=5)
        return ax.figure

    def description(self) -> str:
        """What was swept, e.g. ``"momentum on ravine, 200 steps"`` (the plot's caption)."""
        return f"{label(self.optimizer)} on {self.surface}, {self.steps} steps"

    def note(self) -> str:
        """A sentence for a diagram whose coloured cells all (nearly) agree, else ``""``.

        ``"every cell: f − f* = 14.2 after 100 steps"``, ``"every coloured cell: f − f* ≤ 1e-06
        after 23 steps"``, ``"no run reached f − f* ≤ 1e-06 in 200 steps"`` and the like: a
        uniform colour alone would read as "all good" (or "all bad") whatever the value.
        """
        values = np.asarray(self.values, dtype=float)
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            return {"steps_to_tol": f"no run reached f − f* ≤ {self.tol:g} in {self.steps} "
                                    "steps",
                    "final_loss": "every run diverged",
                    "diverged": f"no run diverged in {self.steps} steps"}[self.metric]
        lo, hi = float(finite.min()), float(finite.max())
        if finite.size < 2 or hi - lo > 1e-3 * max(abs(hi), abs(lo), 1e-12):
            return ""
        which = "every cell" if finite.size == values.size else "every coloured cell"
        if self.metric == "steps_to_tol":
            steps = f"{lo:.0f}" if hi == lo else f"{lo:.0f}–{hi:.0f}"
            return f"{which}: f − f* ≤ {self.tol:g} after {steps} steps"
        if self.metric == "final_loss":
            return f"{which}: f − f* = {lo:.3g} after {self.steps} steps"
        return f"{which} diverged at step {lo:.0f}"

    def _repr_png_(self) -> bytes:
        fig = self.plot()
        fig.tight_layout()
        return _plotting().png_bytes(fig, dpi=90)


def phase_diagram(surface: Any = "ravine", optimizer: str = "momentum",
                  x: Any = ("learning_rate", 1e-3, 3.0), y: Any = ("momentum", 0.0, 0.99),
                  metric: str = "steps_to_tol", resolution: int | tuple[int, int] = 96, *,
                  steps: int = 200, start: Any = None, tol: float = 1e-6,
                  fixed: Mapping[str, Any] | None = None, schedule: Any = None,
                  transform: _optimizers.GradientTransformation | None = None
                  ) -> PhaseDiagram:
    """Map an outcome of ``optimizer`` over a grid of two hyperparameters, in one sweep.

    Parameters
    ----------
    surface : name or Surface
    optimizer : an optimizer name (:func:`course_utils.optimizers.names`).
    x, y : ``"name"`` or ``(name, low, high)`` or ``(name, low, high, log)``; the range and
        the log scale default to the hyperparameter's slider range
        (:func:`course_utils.optimizers.parameters`).
    metric : ``"steps_to_tol"`` (first step with ``f - f_min <= tol``), ``"final_loss"``
        (``f - f_min`` after ``steps``) or ``"diverged"`` (the step it diverged at).
    resolution : cells per axis, or ``(nx, ny)``.
    steps, start, tol : as in :func:`course_utils.sweep` (``start`` defaults to the surface's).
    fixed : the optimizer's other hyperparameters.
    schedule : an optional schedule shape multiplying the learning rate (see
        :func:`~course_utils.explorer.steppers.make_stepper`).
    transform : an optional gradient transformation, e.g. ``clip_by_norm(1.0)``.

    Returns
    -------
    PhaseDiagram
        Display it in a notebook as is, or draw it with ``.plot(ax)``.

    Notes
    -----
    All ``nx * ny`` runs are one vectorized :func:`course_utils.sweep` with array-valued
    hyperparameters, never a Python loop over cells: a 96 x 96 grid of momentum on the ravine
    takes about 0.05 s. Each cell equals a single :func:`course_utils.run` with that cell's
    hyperparameters (without gradient noise, which a sweep draws per cell).
    """
    surf = as_surface(surface)
    if not isinstance(optimizer, str):
        raise ValueError(f"optimizer must be a name, got {optimizer!r}")
    _optimizers.info(optimizer)  # validates the name
    check_choice("metric", metric, PHASE_METRICS)
    xs = _axis_spec(optimizer, x, "x")
    ys = _axis_spec(optimizer, y, "y")
    if xs[0] == ys[0]:
        raise ValueError(f"x and y must be different hyperparameters, both are {xs[0]!r}")
    if isinstance(resolution, (tuple, list)):
        nx, ny = (int(r) for r in resolution)
    else:
        nx = ny = resolution
    nx = check_int("resolution (cells per axis)", nx, low=2, high=1024)
    ny = check_int("resolution (cells per axis)", ny, low=2, high=1024)
    fixed = dict(fixed or {})
    for key in (xs[0], ys[0]):
        fixed.pop(key, None)

    def axis(lo: float, hi: float, log: bool, n: int) -> np.ndarray:
        return np.geomspace(lo, hi, n) if log else np.linspace(lo, hi, n)

    xv, yv = axis(*xs[1:], nx), axis(*ys[1:], ny)
    X, Y = np.meshgrid(xv, yv)
    opt = make_stepper(optimizer, {**fixed, xs[0]: X, ys[0]: Y}, schedule)
    result = runner.sweep(opt, surf, surf.start if start is None else start, steps, tol=tol,
                   transform=transform)
    if metric == "steps_to_tol":
        values = np.where(result.steps_to_tol >= 0, result.steps_to_tol, np.nan).astype(float)
    elif metric == "final_loss":
        with np.errstate(invalid="ignore"):
            values = np.where(result.diverged_at < 0, result.final_losses - surf.f_min, np.nan)
    else:
        values = np.where(result.diverged_at >= 0, result.diverged_at, np.nan).astype(float)
    return PhaseDiagram(surface=surf.name, optimizer=optimizer, x_name=xs[0], y_name=ys[0],
                        x=xv, y=yv, x_log=xs[3], y_log=ys[3], metric=metric, values=values,
                        result=result, steps=int(steps), tol=float(tol), fixed=fixed)
