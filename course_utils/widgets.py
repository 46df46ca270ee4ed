r"""The trajectory explorer, optimizer races, phase diagrams and 3-D views.

* :func:`explore` returns an :class:`Explorer`: one ipywidgets app with every optimizer of the
  lecture on every surface, live sliders for all hyperparameters, gradient noise, clipping,
  learning-rate schedules, a Play button and step scrubber, an "inside the optimizer" view,
  the curvature along the path and an optional phase diagram. ``app.state()`` is the whole
  setup as JSON, and ``explore(config=...)`` restores it exactly.
* :func:`race` animates several optimizers together; ``.to_html()`` plays without a kernel,
  ``.save_gif()`` writes a GIF for slides.
* :func:`phase_diagram` maps an outcome (steps to a tolerance, final loss, divergence) over a
  grid of two hyperparameters in one vectorized :func:`course_utils.sweep`.
* :func:`surface3d` draws a surface in 3-D with paths on it.

Rendering
---------
The explorer draws into a matplotlib ``Figure`` with an Agg canvas, built once. A change
updates the artists' data (``set_data``, ``set_offsets``, ``set_segments``), the static
background (contours, axes, legend) is drawn only when it changes and kept as a bitmap, and
the frame is sent to a ``widgets.Image`` as a PNG. With ``%matplotlib widget`` (ipympl) the
figure is an interactive canvas instead and a click on the map sets the start point.

Demo learning rates
-------------------
Keras's defaults (``adam`` 0.001) barely move on a 2-D surface in a few hundred steps, so the
sliders start from per-surface demo values (:func:`demo_hyperparameters`), picked from a
sweep of each optimizer over learning rates 1e-3 ... 10 on each surface (200 steps): a value
that moves visibly and mostly converges, the same one for the SGD family so that plain SGD
and momentum compare at equal step size, and the paper's ``learning_rate=1`` for AdaDelta.
All other hyperparameters start at their Keras defaults.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import html
import io
import json
import math
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from . import optimizers as _optimizers
from . import plotting
from . import schedules as _schedules
from . import surfaces as _surfaces
from .runner import SweepResult, Trajectory, run, sweep

__all__ = [
    "explore",
    "Explorer",
    "race",
    "Race",
    "phase_diagram",
    "PhaseDiagram",
    "surface3d",
    "demo_hyperparameters",
    "make_optimizer",
    "make_transform",
    "ScaledSchedule",
    "normalize_state",
    "LABELS",
    "STATE_VERSION",
]

STATE_VERSION = 1

# --------------------------------------------------------------------------- optimizers

#: The order in which optimizers are listed (the most compared ones first).
_PREFERRED_ORDER = (
    "sgd", "momentum", "nesterov", "adam", "rmsprop", "adagrad", "rprop", "nadam", "adamax",
    "adadelta", "newton", "saddle_free_newton", "nesterov_lookahead", "adagrad_textbook",
    "rmsprop_nesterov",
)

#: Short display names.
LABELS = {
    "sgd": "SGD",
    "momentum": "momentum",
    "nesterov": "Nesterov (Keras)",
    "nesterov_lookahead": "Nesterov (look-ahead)",
    "adagrad": "AdaGrad (Keras)",
    "adagrad_textbook": "AdaGrad (textbook)",
    "rmsprop": "RMSProp",
    "rmsprop_nesterov": "RMSProp + Nesterov",
    "adadelta": "AdaDelta",
    "adam": "Adam",
    "adamax": "Adamax",
    "nadam": "Nadam",
    "rprop": "Rprop",
    "newton": "Newton",
    "saddle_free_newton": "saddle-free Newton",
}

_PARAM_LABELS = {
    "learning_rate": "learning rate ε",
    "momentum": "momentum μ",
    "nesterov": "Nesterov",
    "beta_1": "β₁",
    "beta_2": "β₂",
    "rho": "ρ",
    "epsilon": "ε (stability)",
    "amsgrad": "AMSGrad",
    "centered": "centered",
    "initial_accumulator_value": "r₀",
    "initial_step": "initial step U₀",
    "eta_plus": "η⁺",
    "eta_minus": "η⁻",
    "min_step": "min step",
    "max_step": "max step",
    "damping": "damping λ",
}

# Demo learning rates (``initial_step`` for Rprop): see the module docstring.
_DEMO_BASE = {
    "sgd": 0.1, "momentum": 0.1, "nesterov": 0.1, "nesterov_lookahead": 0.1,
    "adagrad": 1.0, "adagrad_textbook": 1.0, "rmsprop": 0.03, "rmsprop_nesterov": 0.003,
    "adadelta": 1.0, "adam": 0.1, "adamax": 0.1, "nadam": 0.1, "rprop": 0.01,
    "newton": 1.0, "saddle_free_newton": 1.0,
}
_SGD_FAMILY = ("sgd", "momentum", "nesterov", "nesterov_lookahead")
_DEMO_SURFACE = {
    "ravine": {**dict.fromkeys(_SGD_FAMILY, 0.3), "rmsprop": 0.1, "rmsprop_nesterov": 0.01,
               "adam": 0.3, "adamax": 0.3, "nadam": 0.3, "rprop": 0.1},
    "rosenbrock": {**dict.fromkeys(_SGD_FAMILY, 0.001), "rmsprop": 0.01,
                   "adam": 0.3, "adamax": 0.3, "nadam": 0.3},
    "beale": {"sgd": 0.01, **dict.fromkeys(_SGD_FAMILY[1:], 0.003), "adamax": 0.3,
              "saddle_free_newton": 0.3},
    "himmelblau": {"sgd": 0.01, **dict.fromkeys(_SGD_FAMILY[1:], 0.003), "adagrad": 0.3,
                   "adagrad_textbook": 0.3, "saddle_free_newton": 0.3},
    "saddle": {"sgd": 0.05, **dict.fromkeys(_SGD_FAMILY[1:], 0.01), "adagrad": 0.1,
               "adagrad_textbook": 0.1, "rmsprop": 0.01, "rmsprop_nesterov": 0.001,
               "adam": 0.01, "adamax": 0.03, "nadam": 0.01, "saddle_free_newton": 0.1},
    "saddle_plateau": {"adagrad": 0.3, "adagrad_textbook": 0.3, "saddle_free_newton": 0.3},
    "plateau": {**dict.fromkeys(_SGD_FAMILY, 1.0), "adagrad_textbook": 0.3,
                "saddle_free_newton": 0.3},
    "cliff": {"sgd": 0.1, **dict.fromkeys(_SGD_FAMILY[1:], 0.01), "adagrad": 0.3,
              "adagrad_textbook": 0.3},
    "local_minima": {"sgd": 0.3, "saddle_free_newton": 0.3, "rmsprop_nesterov": 0.01},
    "logistic": {"sgd": 1.0, **dict.fromkeys(_SGD_FAMILY[1:], 0.3), "rmsprop_nesterov": 0.01},
}


def _ordered_names() -> list[str]:
    known = _optimizers.names()
    return [n for n in _PREFERRED_ORDER if n in known] + [n for n in known
                                                         if n not in _PREFERRED_ORDER]


#: Colour, marker and line style of each optimizer, the same in every plot and table. The
#: first ten get the ten path colours (:data:`course_utils.plotting.PATH_COLORS`) and solid
#: lines; the other five reuse the colour of an optimizer they are rarely shown with, with
#: another marker and a dashed line. No two optimizers share a colour and a marker.
_STYLES = {
    "sgd": ("#4477AA", "o", "-"),
    "momentum": ("#EE6677", "s", "-"),
    "nesterov": ("#228833", "^", "-"),
    "adam": ("#AA3377", "D", "-"),
    "rmsprop": ("#000000", "v", "-"),
    "adagrad": ("#CCBB44", "P", "-"),
    "rprop": ("#66CCEE", "X", "-"),
    "nadam": ("#EE7733", "*", "-"),
    "adamax": ("#009988", "o", "-"),
    "adadelta": ("#882255", "s", "-"),
    "newton": ("#66CCEE", "s", "--"),  # Rprop's colour
    "saddle_free_newton": ("#882255", "^", "--"),  # AdaDelta's
    "nesterov_lookahead": ("#CCBB44", "v", "--"),  # AdaGrad (Keras)'s
    "adagrad_textbook": ("#009988", "D", "--"),  # Adamax's
    "rmsprop_nesterov": ("#228833", "P", "--"),  # Nesterov (Keras)'s
}


def _full_style(name: str) -> tuple[str, str, str]:
    """``(colour, marker, linestyle)`` of optimizer ``name``, stable whatever else is shown."""
    if name in _STYLES:
        return _STYLES[name]
    names = _ordered_names()
    index = names.index(name) if name in names else len(names)
    color, marker = plotting.path_style(index)
    return color, marker, plotting.path_linestyle(index)


def _style(name: str) -> tuple[str, str]:
    return _full_style(name)[:2]


def _marker_svg(marker: str, cx: float, cy: float, r: float) -> str:
    """An SVG shape for a matplotlib marker (those of :data:`plotting.MARKERS`)."""
    def polygon(points: Sequence[tuple[float, float]]) -> str:
        coords = " ".join(f"{cx + r * x:.2f},{cy - r * y:.2f}" for x, y in points)
        return f"<polygon points='{coords}'/>"

    if marker == "o":
        return f"<circle cx='{cx}' cy='{cy}' r='{0.85 * r:.2f}'/>"
    if marker == "s":
        return polygon([(-0.8, -0.8), (0.8, -0.8), (0.8, 0.8), (-0.8, 0.8)])
    if marker == "^":
        return polygon([(0, 1), (0.95, -0.75), (-0.95, -0.75)])
    if marker == "v":
        return polygon([(0, -1), (0.95, 0.75), (-0.95, 0.75)])
    if marker == "D":
        return polygon([(0, 1), (0.8, 0), (0, -1), (-0.8, 0)])
    if marker in ("P", "X"):
        a, b = 0.3, 0.95
        plus = [(-a, b), (a, b), (a, a), (b, a), (b, -a), (a, -a), (a, -b), (-a, -b),
                (-a, -a), (-b, -a), (-b, a), (-a, a)]
        if marker == "X":
            c = math.sqrt(0.5)
            plus = [(c * (x - y), c * (x + y)) for x, y in plus]
        return polygon(plus)
    if marker == "*":
        return polygon([(math.sin(k * math.pi / 5) * (1.0 if k % 2 == 0 else 0.42),
                         math.cos(k * math.pi / 5) * (1.0 if k % 2 == 0 else 0.42))
                        for k in range(10)])
    return f"<circle cx='{cx}' cy='{cy}' r='{0.85 * r:.2f}'/>"


_SVG_DASHES = {"-": "", "--": "5,3", ":": "1.5,2.5", "-.": "5,2.5,1.5,2.5"}


def _swatch(name: str, height: float = 14.0) -> str:
    """Inline SVG of optimizer ``name``'s line and marker, as in the plots (for HTML tables)."""
    color, marker, linestyle = _full_style(name)
    width = 2.2 * height
    mid = height / 2
    dash = _SVG_DASHES.get(linestyle, "")
    dash_attr = f" stroke-dasharray='{dash}'" if dash else ""
    return (f"<svg class='cu-swatch' data-marker='{html.escape(marker)}' "
            f"data-linestyle='{html.escape(linestyle)}' width='{width:g}' "
            f"height='{height:g}' viewBox='0 0 {width:g} {height:g}' role='img' "
            f"aria-label='{html.escape(_label(name))}' style='vertical-align:middle'>"
            f"<line x1='1' y1='{mid:g}' x2='{width - 1:g}' y2='{mid:g}' stroke='{color}' "
            f"stroke-width='2'{dash_attr}/>"
            f"<g fill='{color}' stroke='black' stroke-width='0.7'>"
            f"{_marker_svg(marker, width / 2, mid, 0.42 * height)}</g></svg>")


def _label(name: str) -> str:
    return LABELS.get(name, name)


def _lr_key(name: str) -> str:
    return "initial_step" if name == "rprop" else "learning_rate"


def demo_hyperparameters(surface: str, optimizer: str) -> dict[str, Any]:
    """The explorer's starting hyperparameters for ``optimizer`` on ``surface``.

    Keras's defaults, except the learning rate (Rprop: ``initial_step``), which is a demo value
    that moves visibly in 100-300 steps on that surface (see the module docstring).

    Examples
    --------
    >>> demo_hyperparameters("ravine", "adam")["learning_rate"]
    0.3
    """
    specs = _optimizers.parameters(optimizer)
    hyper = {key: spec.default for key, spec in specs.items()}
    lr = _DEMO_SURFACE.get(surface, {}).get(optimizer, _DEMO_BASE.get(optimizer))
    if lr is not None:
        hyper[_lr_key(optimizer)] = lr
    return hyper


class ScaledSchedule:
    """A learning rate times a schedule: ``lr_k = learning_rate * schedule(k)``.

    The explorer's schedules are *shapes* (they start at 1) that multiply each optimizer's own
    learning rate, so one schedule applies to optimizers with very different step sizes.
    ``learning_rate`` may be an array (a hyperparameter grid).
    """

    def __init__(self, learning_rate: Any, schedule: Callable[[int], Any]) -> None:
        self.learning_rate = learning_rate
        self.schedule = schedule

    def __call__(self, count: Any) -> Any:
        return self.learning_rate * self.schedule(count)

    def __repr__(self) -> str:
        return f"ScaledSchedule({self.learning_rate!r}, {self.schedule!r})"


def make_optimizer(name: str, hyper: Mapping[str, Any], schedule: Any = None
                   ) -> _optimizers.GradientTransformation:
    """Build optimizer ``name`` from hyperparameters, with an optional schedule shape.

    With ``schedule`` (a callable of the step, e.g. from :mod:`course_utils.schedules`) the
    learning rate becomes ``learning_rate * schedule(k)`` (:class:`ScaledSchedule`). Rprop has
    no learning rate, so the schedule does not apply to it.
    """
    hyper = dict(hyper)
    if schedule is not None and "learning_rate" in hyper:
        hyper["learning_rate"] = ScaledSchedule(hyper["learning_rate"], schedule)
    return _optimizers.get(name, **hyper)


def make_transform(surface: Any, noise: Mapping[str, Any] | None = None,
                   clip: Mapping[str, Any] | None = None
                   ) -> tuple[_optimizers.GradientTransformation | None, dict[str, Any]]:
    """The gradient transformation and extra :func:`run` arguments for noise and clipping.

    Returns ``(transform, run_kwargs)``. Noise (``{"enabled", "stddev", "batch_size",
    "seed"}``) comes first: on a data surface (``logistic``) it is the real minibatch gradient
    (``run_kwargs = {"batch_size": ..., "seed": ...}``), elsewhere
    :func:`course_utils.optimizers.add_noise`. Clipping (``{"mode": "none" | "value" |
    "norm", "threshold"}``) follows: ``chain(add_noise(...), clip_by_norm(c))``.
    """
    parts: list = []
    kwargs: dict[str, Any] = {}
    if noise and noise.get("enabled"):
        if getattr(surface, "minibatch_grad", None) is not None:
            n = len(getattr(surface, "features", ())) or int(noise["batch_size"])
            kwargs = {"batch_size": min(int(noise["batch_size"]), n), "seed": int(noise["seed"])}
        else:
            parts.append(_optimizers.add_noise(noise["stddev"], noise["batch_size"],
                                               int(noise["seed"])))
    mode = (clip or {}).get("mode", "none")
    if mode == "value":
        parts.append(_optimizers.clip_by_value(clip["threshold"]))
    elif mode == "norm":
        parts.append(_optimizers.clip_by_norm(clip["threshold"]))
    elif mode != "none":
        raise ValueError(f"clip mode must be 'none', 'value' or 'norm', got {mode!r}")
    if not parts:
        return None, kwargs
    return (parts[0] if len(parts) == 1 else _optimizers.chain(*parts)), kwargs


def _steps_to_tol(losses: np.ndarray, f_min: float, tol: float, diverged_at: int) -> int:
    """First step with ``loss - f_min <= tol`` before any divergence (as in ``sweep``), or -1."""
    end = len(losses) if diverged_at < 0 else int(diverged_at)
    with np.errstate(invalid="ignore"):
        hit = np.flatnonzero(losses[:end] <= f_min + tol)
    return int(hit[0]) if hit.size else -1


def _as_surface(surface: Any) -> _surfaces.Surface:
    if isinstance(surface, _surfaces.Surface):
        return surface
    if isinstance(surface, str):
        return _surfaces.get(surface)
    raise ValueError(f"surface must be a surface name or a Surface, got {surface!r}")


def _fig_canvas(figsize: tuple[float, float], dpi: float = 100) -> Figure:
    """A Figure with an Agg canvas, outside pyplot (no stray inline figure)."""
    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure, **kwargs: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", **kwargs)
    return buf.getvalue()


# --------------------------------------------------------------------------- phase diagram

_METRICS = ("steps_to_tol", "final_loss", "diverged")


def _axis_spec(optimizer: str, spec: Any, which: str) -> tuple[str, float, float, bool]:
    params = _optimizers.parameters(optimizer)
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
    result: SweepResult
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
            ax = _fig_canvas((6.2, 4.6)).add_subplot()
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
        plotting.phase_heatmap(
            ax, self.x, self.y, values,
            diverged=self.diverged if self.metric != "diverged" else None,
            missing=missing, x_log=self.x_log, y_log=self.y_log,
            log_color=self.metric == "final_loss",
            cmap="viridis_r" if self.metric != "diverged" else "magma",
            label=label, missing_label=missing_label, fontsize=fontsize,
            color_range=color_range, caption=self.description(), note=self.note())
        ax.set_xlabel(_PARAM_LABELS.get(self.x_name, self.x_name), fontsize=fontsize)
        ax.set_ylabel(_PARAM_LABELS.get(self.y_name, self.y_name), fontsize=fontsize)
        if fontsize:
            ax.tick_params(labelsize=fontsize)
        if mark is not None:
            ax.plot([mark[0]], [mark[1]], marker="*", ms=16, color="white", mec="black",
                    mew=1.2, linestyle="none", zorder=5)
        return ax.figure

    def description(self) -> str:
        """What was swept, e.g. ``"momentum on ravine, 200 steps"`` (the plot's caption)."""
        return f"{_label(self.optimizer)} on {self.surface}, {self.steps} steps"

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
        return _png(fig, dpi=90)


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
        :func:`make_optimizer`).
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
    surf = _as_surface(surface)
    if not isinstance(optimizer, str):
        raise ValueError(f"optimizer must be a name, got {optimizer!r}")
    _optimizers.parameters(optimizer)  # validates the name
    if metric not in _METRICS:
        raise ValueError(f"metric must be one of {', '.join(_METRICS)}, got {metric!r}")
    xs = _axis_spec(optimizer, x, "x")
    ys = _axis_spec(optimizer, y, "y")
    if xs[0] == ys[0]:
        raise ValueError(f"x and y must be different hyperparameters, both are {xs[0]!r}")
    if isinstance(resolution, (tuple, list)):
        nx, ny = (int(r) for r in resolution)
    else:
        nx = ny = int(resolution)
    if not (2 <= nx <= 1024 and 2 <= ny <= 1024):
        raise ValueError(f"resolution must be between 2 and 1024 per axis, got {resolution!r}")
    fixed = dict(fixed or {})
    for key in (xs[0], ys[0]):
        fixed.pop(key, None)

    def axis(lo: float, hi: float, log: bool, n: int) -> np.ndarray:
        return np.geomspace(lo, hi, n) if log else np.linspace(lo, hi, n)

    xv, yv = axis(*xs[1:], nx), axis(*ys[1:], ny)
    X, Y = np.meshgrid(xv, yv)
    opt = make_optimizer(optimizer, {**fixed, xs[0]: X, ys[0]: Y}, schedule)
    result = sweep(opt, surf, surf.start if start is None else start, steps, tol=tol,
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


# --------------------------------------------------------------------------- 3-D view


def _named_trajectories(trajectories: Any) -> list[tuple[str, np.ndarray]]:
    if trajectories is None:
        return []
    if isinstance(trajectories, Explorer):
        trajectories = trajectories.trajectories
    if isinstance(trajectories, Trajectory):
        trajectories = [trajectories]
    if isinstance(trajectories, Mapping):
        items = list(trajectories.items())
    else:
        items = [(t.optimizer or f"path {i}", t) for i, t in enumerate(trajectories)]
    out = []
    for label, t in items:
        pts = t.points if isinstance(t, Trajectory) else np.asarray(t, dtype=float)
        if pts.ndim != 2 or pts.shape[-1] != 2:
            raise ValueError(f"surface3d draws single paths of shape (steps + 1, 2), got "
                             f"{pts.shape} for {label!r}")
        out.append((_label(label), pts))
    return out


def surface3d(surface: Any = "ravine", trajectories: Any = None, *, ax: Any = None,
              n: int = 80, log: bool | None = None, elev: float = 35.0, azim: float = -60.0,
              figsize: tuple[float, float] = (7.0, 5.5), fontsize: float | None = None) -> Any:
    """A 3-D view of a surface with optimizer paths on it.

    Parameters
    ----------
    surface : name or Surface
    trajectories : a :class:`~course_utils.Trajectory`, a list of them, a mapping
        ``{label: trajectory}`` or an :class:`Explorer` (its current paths).
    ax : a ``projection="3d"`` axes to draw on; by default a new Agg figure.
    log : draw ``log10(f - f_min)`` (default: the surface's ``log_scale`` hint).

    Returns
    -------
    matplotlib.figure.Figure
        ``ax.figure``. In a notebook pass ``ax=plt.figure().add_subplot(projection="3d")``
        and end the cell with ``plt.show()``.
    """
    surf = _as_surface(surface)
    if ax is None:
        ax = _fig_canvas(figsize).add_subplot(projection="3d")
    named = _named_trajectories(trajectories)
    artists = plotting.surface3d(ax, surf, named, n=n, log=log, fontsize=fontsize)
    for (label, _), line in zip(named, artists[1:], strict=True):
        key = _key_for_label(label)
        if key in _ordered_names():
            color, marker, ls = _full_style(key)
            line.set_color(color)
            line.set_marker(marker)
            line.set_linestyle(ls)
    ax.view_init(elev=elev, azim=azim)
    if named:
        ax.legend(loc="upper left", fontsize=fontsize or "small", frameon=False)
    ax.set_title(surf.name, fontsize=fontsize)
    return ax.figure


def _key_for_label(label: str) -> str:
    for key, value in LABELS.items():
        if value == label:
            return key
    return label


# --------------------------------------------------------------------------- races

_PLAYER = """<div id="race-$uid" style="font-family:sans-serif;max-width:${width}px">
<img id="race-$uid-img" src="data:image/png;base64,$last" alt="$alt"
 style="width:100%;height:auto;display:block">
<div style="display:flex;align-items:center;gap:6px;flex-wrap:wrap;margin-top:4px">
<button type="button" title="first frame" onclick="race_$uid.go(0)">$icon_first</button>
<button type="button" title="previous frame"
 onclick="race_$uid.go(race_$uid.i - 1)">$icon_previous</button>
<button type="button" title="play" onclick="race_$uid.play()">$icon_play play</button>
<button type="button" title="pause" onclick="race_$uid.pause()">$icon_pause</button>
<button type="button" title="next frame"
 onclick="race_$uid.go(race_$uid.i + 1)">$icon_next</button>
<button type="button" title="last frame" onclick="race_$uid.go(race_$uid.n - 1)">$icon_last</button>
<input id="race-$uid-range" type="range" min="0" max="$maxframe" value="$maxframe"
 style="flex:1;min-width:120px" oninput="race_$uid.go(+this.value)">
<span id="race-$uid-label" style="min-width:7em">step $laststep</span>
<label><input type="checkbox" id="race-$uid-loop" $checked> loop</label>
</div>
<script>
var race_$uid = (function () {
  var frames = [$frames];
  var steps = [$steps];
  var img = document.getElementById("race-$uid-img");
  var range = document.getElementById("race-$uid-range");
  var label = document.getElementById("race-$uid-label");
  var loop = document.getElementById("race-$uid-loop");
  var self = {i: frames.length - 1, n: frames.length, timer: null};
  self.go = function (i) {
    i = Math.max(0, Math.min(self.n - 1, i));
    self.i = i;
    img.src = "data:image/png;base64," + frames[i];
    range.value = i;
    label.textContent = "step " + steps[i];
  };
  self.pause = function () {
    if (self.timer !== null) { clearInterval(self.timer); self.timer = null; }
  };
  self.play = function () {
    self.pause();
    if (self.i >= self.n - 1) { self.go(0); }
    self.timer = setInterval(function () {
      if (self.i < self.n - 1) { self.go(self.i + 1); }
      else if (loop.checked) { self.go(0); }
      else { self.pause(); }
    }, $interval);
  };
  return self;
})();
</script>
</div>"""


# The player's icons are inline SVG: media-control characters such as U+23EE are missing from
# many fonts (Debian's default ones among them) and would show as empty boxes.
_ICON_PATHS = {
    "first": "M1 1h2v10H1zM11 1v10L4 6z",
    "previous": "M8 1v10L1 6zM9 1h2v10H9z",
    "play": "M2 1v10l9-5z",
    "pause": "M2 1h3v10H2zM7 1h3v10H7z",
    "next": "M1 1h2v10H1zM4 1v10l7-5z",
    "last": "M1 1v10l7-5zM9 1h2v10H9z",
}
_ICONS = {f"icon_{name}": ('<svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" '
                           f'style="vertical-align:-1px"><path d="{path}" fill="currentColor"/>'
                           "</svg>") for name, path in _ICON_PATHS.items()}


def _player_html(frames: Sequence[bytes], steps: Sequence[int], *, fps: float, loop: bool,
                 width: int, alt: str) -> str:
    """A self-contained HTML animation: PNG frames embedded as base64, a few lines of
    JavaScript for play / pause / step / scrub. No external file, font or script."""
    import base64
    import string
    import uuid

    encoded = [base64.b64encode(f).decode("ascii") for f in frames]
    return string.Template(_PLAYER).substitute(
        uid=uuid.uuid4().hex[:12], width=int(width), alt=html.escape(alt),
        last=encoded[-1], maxframe=len(encoded) - 1, laststep=int(steps[-1]),
        checked="checked" if loop else "", frames=",".join(f'"{e}"' for e in encoded),
        steps=",".join(str(int(k)) for k in steps), interval=max(10, int(1000.0 / fps)), **_ICONS)


def _split_hyper(names: Sequence[str], hyper: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    per: dict[str, dict[str, Any]] = {n: {} for n in names}
    shared = {}
    for key, value in hyper.items():
        if key in _optimizers.names():
            if key not in per:
                raise ValueError(f"hyperparameters given for {key!r}, which is not racing")
            if not isinstance(value, Mapping):
                raise ValueError(f"{key}= must be a dict of hyperparameters, got {value!r}")
            per[key].update(value)
        else:
            shared[key] = value
    for key, value in shared.items():
        takers = [n for n in names if key in _optimizers.parameters(n)]
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
    frames : the steps shown, one per frame.
    figure : the Agg figure the frames are drawn on.
    """

    def __init__(self, surface: Any, optimizers: Sequence[str], steps: int, *,
                 start: Any = None, frames: int = 60, fps: float = 12.0,
                 presenter: bool = False, tol: float = 1e-6,
                 hyper: Mapping[str, Any] | None = None) -> None:
        self.surface = _as_surface(surface)
        if isinstance(optimizers, str):
            optimizers = [optimizers]
        names = list(dict.fromkeys(optimizers))
        if not names:
            raise ValueError("race needs at least one optimizer")
        for n in names:
            _optimizers.parameters(n)
        steps = int(steps)
        if steps < 0:
            raise ValueError(f"steps must be >= 0, got {steps}")
        frames = int(frames)
        if frames < 1:
            raise ValueError(f"frames must be >= 1, got {frames}")
        self.fps = float(fps)
        if not (self.fps > 0):
            raise ValueError(f"fps must be > 0, got {fps!r}")
        per = _split_hyper(names, hyper or {})
        self.hyperparameters = {n: {**demo_hyperparameters(self.surface.name, n), **per[n]}
                                for n in names}
        begin = self.surface.start if start is None else start
        self.trajectories = {
            n: run(_optimizers.get(n, **self.hyperparameters[n]), self.surface, begin, steps)
            for n in names}
        self.steps = steps
        self.tol = float(tol)
        self.frames = np.unique(np.linspace(0, steps, min(frames, steps + 1)).round()
                                ).astype(int)
        self.presenter = bool(presenter)
        self._frames_cache: list | None = None
        self.figure = self._build()

    # drawing ---------------------------------------------------------------------------
    def _build(self) -> Figure:
        fs = 13 if self.presenter else 9
        fig = _fig_canvas((11, 5.2) if self.presenter else (8.4, 4.0), dpi=100)
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
        self._artists = {}
        gaps = []
        for name, traj in self.trajectories.items():
            color, marker, ls = _full_style(name)
            d = int(traj.diverged_at)
            xy, cross = plotting.drawn_path(traj.points, d, self.surface.xlim, self.surface.ylim)
            gap = _gap(traj.losses, self.surface.f_min, d)
            gaps.append(gap)
            line, start = plotting.path(ax, traj.points[:1], color=color, marker=marker,
                                        markevery=max(1, self.steps // 20),
                                        lw=2.4 if self.presenter else 1.8,
                                        label=_label(name), ls=ls)
            self._artists[name] = {
                "line": line, "xy": xy, "cross_at": cross, "d": d, "gap": gap,
                "point": plotting.point_marker(ax, color=color, marker=marker),
                "cross": plotting.cross_marker(ax, color=color),
                "loss": plotting.curve(axl, color=color, lw=2.0, marker=marker, ls=ls,
                                       markevery=max(1, self.steps // 10), ms=4),
            }
        lo, hi = _log_limits(np.concatenate(gaps) if gaps else np.ones(1))
        axl.set_ylim(lo, hi)
        self._loss_top = hi
        fig.legend(handles=[a["line"] for a in self._artists.values()], loc="upper left",
                   bbox_to_anchor=(0.05, 1.0), ncol=min(len(self._artists), 5), frameon=False,
                   fontsize=fs)
        self._text = ax.text(0.98, 0.02, "", transform=ax.transAxes, ha="right", va="bottom",
                             fontsize=fs, bbox={"facecolor": "white", "alpha": 0.8,
                                                "edgecolor": "none"})
        self._draw_frame(self.steps)
        return fig

    def _draw_frame(self, k: int) -> list:
        changed = []
        for art in self._artists.values():
            _show_step(art, k)
            changed += [art["line"], art["point"], art["cross"], art["loss"]]
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
            dynamic = [a for art in self._artists.values()
                       for a in (art["line"], art["point"], art["cross"], art["loss"])]
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
               + ", ".join(_label(n) for n in self.trajectories))
        return _player_html(frames, list(self.frames), fps=self.fps,
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
    optimizers : optimizer names.
    steps : number of updates.
    start : start point (default: the surface's).
    frames, fps : at most ``frames`` frames (evenly spaced steps, the last one included),
        played at ``fps``.
    presenter : larger figure and fonts for a projector.
    **hyper : per optimizer, ``adam={"learning_rate": 0.05}``; or a hyperparameter for every
        optimizer that has it, ``learning_rate=0.01``. The rest are the explorer's demo
        defaults (:func:`demo_hyperparameters`).

    Returns
    -------
    Race
        ``.to_html()`` (plays without a kernel), ``.save_gif(path)``, ``.save_mp4(path)``.
    """
    return Race(surface, optimizers, steps, start=start, frames=frames, fps=fps,
                presenter=presenter, hyper=hyper)


# --------------------------------------------------------------------------- drawing helpers


def _gap(losses: np.ndarray, f_min: float, diverged_at: int) -> np.ndarray:
    """``f - f_min`` up to the divergence (NaN after it), floored at 1e-300 for log axes."""
    with np.errstate(invalid="ignore", over="ignore"):
        gap = np.asarray(losses, dtype=float) - f_min
    gap = np.where(np.isfinite(gap), np.maximum(gap, 1e-300), np.nan)
    if diverged_at >= 0:
        gap[int(diverged_at):] = np.nan
    return gap


def _decade_label(value: float, pos: Any = None) -> str:
    """Plain-text labels for log axes ("0.01", "1", "1e-06"): faster to draw than mathtext."""
    if not value > 0:
        return ""
    if 1e-2 <= value <= 1e3:
        return f"{value:g}"
    return f"1e{round(math.log10(value))}"


def _log_limits(values: np.ndarray, *, floor_ratio: float = 1e-15) -> tuple[float, float]:
    """Decade-rounded limits for a log axis (stable under small changes of the data)."""
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


def _show_step(art: Mapping[str, Any], k: int) -> None:
    """Show a path (line, current point, ✕, loss curve) as it is after ``k`` steps."""
    d, xy = art["d"], art["xy"]
    alive = d < 0 or k < d
    n = k + 1 if alive else len(xy)
    art["line"].set_data(xy[:n, 0], xy[:n, 1])
    if alive and k < len(xy):
        art["point"].set_data([xy[k, 0]], [xy[k, 1]])
        art["point"].set_visible(True)
    else:
        art["point"].set_visible(False)
    cross = art["cross_at"]
    if cross is not None and not alive:
        art["cross"].set_data([cross[0]], [cross[1]])
        art["cross"].set_visible(True)
    else:
        art["cross"].set_visible(False)
    gap = art["gap"]
    m = min(k + 1, len(gap))
    art["loss"].set_data(np.arange(m), gap[:m])


# --------------------------------------------------------------------------- explorer: state

_STATE_KEYS = ("version", "surface", "optimizers", "steps", "start", "tol", "noise", "clip",
               "schedule", "step", "inspect", "speed", "presenter", "phase")
_MAX_STEPS = 1000
_BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
_SPEEDS = {"slow": (250, 1), "normal": (100, 1), "fast": (60, 2), "very fast": (40, 5)}
_NOISE_DEFAULT = {"enabled": False, "stddev": 1.0, "batch_size": 16, "seed": 0}
_CLIP_DEFAULT = {"mode": "none", "threshold": 1.0}
_CLIP_MODES = ("none", "value", "norm")
_PHASE_DEFAULT = {"enabled": False, "metric": "steps_to_tol", "resolution": 64}
_LR_RANGE = (1e-4, 100.0)  # wider than the registry's, so that "a learning rate of 100" is a
#                            value a student can set (and see diverge)
_NOISE_STDDEV_RANGE = (1e-3, 1e2)
_CLIP_RANGE = (1e-3, 1e3)
_TOL_RANGE = (1e-12, 1.0)
# Schedules are shapes that multiply each optimizer's learning rate: their rates start at 1.
_SCHEDULE_UI_DEFAULTS = {
    "learning_rate": 1.0, "initial_learning_rate": 1.0, "target_learning_rate": 1.0,
    "values": (1.0, 0.1, 0.01), "boundaries": (80, 160), "final_learning_rate": 0.01,
    "end_learning_rate": 0.01, "decay_steps": 100.0, "tau": 200, "step_size": 50,
    "warmup_steps": 20,
}
# Schedule arguments the explorer does not offer (they must stay at their defaults).
_SCHEDULE_HIDDEN = {("cosine_decay", "warmup_target"), ("cosine_decay", "warmup_steps"),
                    ("linear_warmup", "then")}


def _spec_kind(spec: _optimizers.ParamSpec) -> str:
    d = spec.default
    if isinstance(d, bool) or (spec.low is False and spec.high is True):
        return "bool"
    if isinstance(d, tuple):
        return "tuple"
    if d is None or spec.low is None:
        return "none"
    if isinstance(d, int):
        return "int"
    return "float"


def _opt_specs(name: str) -> dict[str, _optimizers.ParamSpec]:
    specs = _optimizers.parameters(name)
    if "learning_rate" in specs:
        specs["learning_rate"] = specs["learning_rate"]._replace(low=_LR_RANGE[0],
                                                                 high=_LR_RANGE[1])
    return specs


def _schedule_specs(name: str) -> dict[str, _optimizers.ParamSpec]:
    out = {}
    for key, spec in _schedules.parameters(name).items():
        if (name, key) in _SCHEDULE_HIDDEN or _spec_kind(spec) == "none":
            continue
        if key in _SCHEDULE_UI_DEFAULTS:
            spec = spec._replace(default=_SCHEDULE_UI_DEFAULTS[key])
        if name == "linear_warmup" and key == "warmup_steps":
            spec = spec._replace(high=1000)
        out[key] = spec
    return out


def _check_value(where: str, spec: _optimizers.ParamSpec, value: Any) -> Any:
    """Validate one JSON value against a parameter's widget (type and range)."""
    kind = _spec_kind(spec)
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{where} must be true or false, got {value!r}")
        return value
    if kind == "tuple":
        if not isinstance(value, (list, tuple)) or not value:
            raise ValueError(f"{where} must be a list of numbers, got {value!r}")
        as_int = all(isinstance(v, int) for v in spec.default)
        out = []
        for v in value:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or \
                    not math.isfinite(v) or (as_int and not float(v).is_integer()):
                raise ValueError(f"{where} must be a list of {'integers' if as_int else 'numbers'}"
                                 f", got {value!r}")
            out.append(int(v) if as_int else float(v))
        return tuple(out)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value):
        raise ValueError(f"{where} must be a finite number, got {value!r}")
    if kind == "int":
        if not float(value).is_integer():
            raise ValueError(f"{where} must be an integer, got {value!r}")
        value = int(value)
    else:
        value = float(value)
    if not spec.low <= value <= spec.high:
        raise ValueError(f"{where} must be in [{spec.low:g}, {spec.high:g}], got {value:g}")
    return value


def _check_keys(where: str, given: Mapping[str, Any], allowed: Sequence[str]) -> None:
    if not isinstance(given, Mapping):
        raise ValueError(f"{where} must be a JSON object, got {given!r}")
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise ValueError(f"unknown key(s) in {where}: {', '.join(map(repr, unknown))}; valid "
                         f"keys are: {', '.join(allowed)}")


def _reject_constant(name: str) -> None:
    raise ValueError(f"the setup contains {name}, which is not a number JSON allows")


def _parse_config(config: Any) -> dict:
    """A setup as a plain dict: JSON text is parsed with ``json.loads`` only (never eval)."""
    if isinstance(config, (str, bytes)):
        try:
            data = json.loads(config, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            raise ValueError(f"the setup is not valid JSON: {exc}") from None
    elif isinstance(config, Mapping):
        try:
            data = json.loads(json.dumps(config, allow_nan=False),
                              parse_constant=_reject_constant)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"the setup must hold JSON values only: {exc}") from None
    else:
        raise ValueError(f"config must be a JSON string or a dict, got {type(config).__name__}")
    if not isinstance(data, dict):
        raise ValueError("the setup must be a JSON object {...}")
    return data


def _int_in(where: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value) or not float(value).is_integer():
        raise ValueError(f"{where} must be an integer, got {value!r}")
    if not lo <= int(value) <= hi:
        raise ValueError(f"{where} must be in [{lo}, {hi}], got {int(value)}")
    return int(value)


def _real_in(where: str, value: Any, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value):
        raise ValueError(f"{where} must be a finite number, got {value!r}")
    if not lo <= float(value) <= hi:
        raise ValueError(f"{where} must be in [{lo:g}, {hi:g}], got {float(value):g}")
    return float(value)


def _phase_axes(name: str) -> tuple[str | None, str | None]:
    numeric = [k for k, s in _opt_specs(name).items() if _spec_kind(s) in ("float", "int")]
    x = _lr_key(name) if _lr_key(name) in numeric else (numeric[0] if numeric else None)
    for y in ("momentum", "beta_1", "rho", "eta_plus", "initial_accumulator_value", "damping",
              "epsilon"):
        if y in numeric and y != x:
            return x, y
    rest = [k for k in numeric if k != x]
    return x, (rest[0] if rest else None)


def normalize_state(raw: Mapping[str, Any]) -> dict:
    """Validate an explorer setup and fill in every default; raise ``ValueError`` if invalid.

    Accepts what :meth:`Explorer.state` writes (parsed), possibly partial: a missing key takes
    its default, an optimizer listed without ``"enabled"`` is enabled, and hyperparameters not
    given take the surface's demo values. Unknown keys and out-of-range values are errors
    whose message names them.
    """
    _check_keys("the setup", raw, _STATE_KEYS)
    version = raw.get("version", STATE_VERSION)
    if version != STATE_VERSION:
        raise ValueError(f"this explorer reads setups of version {STATE_VERSION}, got "
                         f"version {version!r}")
    surf_raw = raw.get("surface", {"name": "ravine"})
    if isinstance(surf_raw, str):
        surf_raw = {"name": surf_raw}
    _check_keys("surface", surf_raw, ("name", "params"))
    name = surf_raw.get("name", "ravine")
    if not isinstance(name, str) or name not in _surfaces.names():
        raise ValueError(f"unknown surface {name!r}; known surfaces are: "
                         f"{', '.join(_surfaces.names())}")
    params_raw = surf_raw.get("params", {}) or {}
    specs = _surfaces.parameters(name)
    _check_keys(f"surface {name!r} params", params_raw, list(specs))
    params = {k: _check_value(f"surface parameter {k!r}", specs[k], v)
              for k, v in params_raw.items()}
    surf = _surfaces.get(name, **params)
    state: dict[str, Any] = {"version": STATE_VERSION,
                             "surface": {"name": name, "params": _jsonable(surf.params)}}

    opts_raw = raw.get("optimizers", {"sgd": {}, "momentum": {}, "adam": {}})
    if isinstance(opts_raw, (list, tuple)):
        opts_raw = {n: {} for n in opts_raw}
    _check_keys("optimizers", opts_raw, _ordered_names())
    optimizers_state = {}
    for n in _ordered_names():
        given = opts_raw.get(n)
        entry: dict[str, Any] = {"enabled": given is not None}
        entry.update(demo_hyperparameters(name, n))
        if given is not None:
            specs_n = _opt_specs(n)
            _check_keys(f"optimizers.{n}", given, ["enabled", *specs_n])
            for key, value in given.items():
                if key == "enabled":
                    if not isinstance(value, bool):
                        raise ValueError(f"optimizers.{n}.enabled must be true or false")
                    entry["enabled"] = value
                else:
                    entry[key] = _check_value(f"optimizers.{n}.{key}", specs_n[key], value)
            hyper = {k: v for k, v in entry.items() if k != "enabled"}
            try:
                _optimizers.get(n, **hyper)
            except ValueError as exc:
                raise ValueError(f"optimizers.{n}: {exc}") from None
        optimizers_state[n] = entry
    state["optimizers"] = optimizers_state

    steps = _int_in("steps", raw.get("steps", 200), 0, _MAX_STEPS)
    state["steps"] = steps
    start = raw.get("start", [float(v) for v in surf.start])
    if not isinstance(start, (list, tuple)) or len(start) != 2:
        raise ValueError(f"start must be a list [x, y], got {start!r}")
    state["start"] = [_real_in(f"start[{i}]", v, -1e6, 1e6) for i, v in enumerate(start)]
    state["tol"] = _real_in("tol", raw.get("tol", 1e-6), *_TOL_RANGE)

    noise = {**_NOISE_DEFAULT, **_mapping("noise", raw.get("noise", {}), _NOISE_DEFAULT)}
    if not isinstance(noise["enabled"], bool):
        raise ValueError("noise.enabled must be true or false")
    noise["stddev"] = _real_in("noise.stddev", noise["stddev"], *_NOISE_STDDEV_RANGE)
    if noise["batch_size"] not in _BATCH_SIZES or isinstance(noise["batch_size"], bool):
        raise ValueError(f"noise.batch_size must be one of {', '.join(map(str, _BATCH_SIZES))}"
                         f", got {noise['batch_size']!r}")
    noise["batch_size"] = int(noise["batch_size"])
    noise["seed"] = _int_in("noise.seed", noise["seed"], 0, 2**31 - 1)
    state["noise"] = noise

    clip = {**_CLIP_DEFAULT, **_mapping("clip", raw.get("clip", {}), _CLIP_DEFAULT)}
    if clip["mode"] not in _CLIP_MODES:
        raise ValueError(f"clip.mode must be one of {', '.join(_CLIP_MODES)}, got "
                         f"{clip['mode']!r}")
    clip["threshold"] = _real_in("clip.threshold", clip["threshold"], *_CLIP_RANGE)
    state["clip"] = clip

    schedule = raw.get("schedule")
    if schedule is not None:
        if not isinstance(schedule, Mapping) or not isinstance(schedule.get("name"), str):
            raise ValueError(f"schedule must be null or a schedule config with a 'name', got "
                             f"{schedule!r}")
        sname = schedule["name"]
        if sname not in _schedules.names():
            raise ValueError(f"unknown schedule {sname!r}; known schedules are: "
                             f"{', '.join(_schedules.names())}")
        visible = _schedule_specs(sname)
        full = {f.name: f.default for f in dataclasses.fields(_schedules._lookup(sname))}
        _check_keys(f"schedule {sname!r}", schedule, ["name", *full])
        for key, value in schedule.items():
            if key == "name" or key in visible:
                continue
            if value != full[key]:
                raise ValueError(f"the explorer cannot show schedule argument {key!r}; leave "
                                 f"it at {full[key]!r}")
        for key, spec in visible.items():
            if key in schedule:
                _check_value(f"schedule.{key}", spec, schedule[key])
        try:
            built = _schedules.from_config({k: v for k, v in schedule.items()})
        except (ValueError, TypeError) as exc:
            raise ValueError(f"schedule: {exc}") from None
        schedule = _jsonable(built.to_config())
    state["schedule"] = schedule

    state["step"] = _int_in("step", raw.get("step", steps), 0, steps)
    enabled = [n for n in _ordered_names() if optimizers_state[n]["enabled"]]
    listed = [n for n in opts_raw if optimizers_state[n]["enabled"]]
    default_inspect = listed[-1] if listed else None  # the last one named: often the newest
    inspect = raw.get("inspect", default_inspect)
    if inspect is not None and inspect not in enabled:
        raise ValueError(f"inspect must be one of the enabled optimizers "
                         f"({', '.join(enabled) or 'none'}), got {inspect!r}")
    if inspect is None and enabled:
        inspect = default_inspect
    state["inspect"] = inspect
    speed = raw.get("speed", "normal")
    if speed not in _SPEEDS:
        raise ValueError(f"speed must be one of {', '.join(_SPEEDS)}, got {speed!r}")
    state["speed"] = speed
    presenter = raw.get("presenter", False)
    if not isinstance(presenter, bool):
        raise ValueError("presenter must be true or false")
    state["presenter"] = presenter

    default_x, default_y = _phase_axes(inspect) if inspect else (None, None)
    phase = {**_PHASE_DEFAULT, "x": default_x, "y": default_y}
    phase.update(_mapping("phase", raw.get("phase", {}), phase))
    if not isinstance(phase["enabled"], bool):
        raise ValueError("phase.enabled must be true or false")
    if phase["metric"] not in _METRICS:
        raise ValueError(f"phase.metric must be one of {', '.join(_METRICS)}, got "
                         f"{phase['metric']!r}")
    phase["resolution"] = _int_in("phase.resolution", phase["resolution"], 16, 160)
    if inspect is not None:
        numeric = [k for k, s in _opt_specs(inspect).items() if _spec_kind(s) != "bool"]
        for axis in ("x", "y"):
            if phase[axis] not in numeric:
                raise ValueError(f"phase.{axis} must be a numeric hyperparameter of {inspect} "
                                 f"({', '.join(numeric)}), got {phase[axis]!r}")
        if phase["x"] == phase["y"]:
            raise ValueError("phase.x and phase.y must differ")
    state["phase"] = phase
    return state


def _mapping(where: str, value: Any, allowed: Mapping[str, Any]) -> dict:
    _check_keys(where, value, list(allowed))
    return dict(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


# --------------------------------------------------------------------------- explorer: widgets


def _param_widget(spec: _optimizers.ParamSpec, description: str, *,
                  continuous: bool) -> widgets.Widget:
    """A control for one parameter: checkbox, text (lists), int or float (log) slider."""
    style = {"description_width": "118px"}
    layout = widgets.Layout(width="330px")
    kind = _spec_kind(spec)
    tip = spec.description
    if kind == "bool":
        return widgets.Checkbox(value=bool(spec.default), description=description, indent=False,
                                tooltip=tip, layout=widgets.Layout(width="300px"))
    if kind == "tuple":
        return widgets.Text(value=_format_tuple(spec.default), description=description,
                            continuous_update=False, style=style, layout=layout, tooltip=tip)
    if kind == "int":
        lo, hi = int(spec.low), int(spec.high)
        if hi - lo <= 20000:
            return widgets.IntSlider(value=int(spec.default), min=lo, max=hi,
                                     description=description, continuous_update=continuous,
                                     style=style, layout=layout, tooltip=tip)
        return widgets.BoundedIntText(value=int(spec.default), min=lo, max=hi,
                                      description=description, style=style, layout=layout,
                                      tooltip=tip)
    lo, hi = float(spec.low), float(spec.high)
    if spec.log and lo > 0:
        return widgets.FloatLogSlider(value=float(spec.default), base=10,
                                      min=math.log10(lo), max=math.log10(hi), step=0.01,
                                      readout_format=".3g", description=description,
                                      continuous_update=continuous, style=style, layout=layout,
                                      tooltip=tip)
    return widgets.FloatSlider(value=float(spec.default), min=lo, max=hi, step=(hi - lo) / 500,
                               readout_format=".4g", description=description,
                               continuous_update=continuous, style=style, layout=layout,
                               tooltip=tip)


def _format_tuple(values: Sequence[Any]) -> str:
    return ", ".join(repr(v) if isinstance(v, float) else str(v) for v in values)


def _read_widget(widget: widgets.Widget, spec: _optimizers.ParamSpec, where: str) -> Any:
    if isinstance(widget, widgets.Text):
        parts = [p.strip() for p in widget.value.replace(";", ",").split(",") if p.strip()]
        as_int = all(isinstance(v, int) for v in spec.default)
        try:
            values = [int(p) if as_int else float(p) for p in parts]
        except ValueError:
            raise ValueError(f"{where} must be a comma-separated list of "
                             f"{'integers' if as_int else 'numbers'}, got "
                             f"{widget.value!r}") from None
        if not values or not all(math.isfinite(v) for v in values):
            raise ValueError(f"{where} must be a list of finite numbers, got {widget.value!r}")
        return tuple(values)
    if isinstance(widget, widgets.Checkbox):
        return bool(widget.value)
    if isinstance(widget, (widgets.IntSlider, widgets.BoundedIntText)):
        return int(widget.value)
    return float(widget.value)


def _write_widget(widget: widgets.Widget, value: Any) -> None:
    if isinstance(widget, widgets.Text):
        widget.value = _format_tuple(value)
    else:
        widget.value = value


def _set_range(slider: widgets.Widget, lo: float, hi: float, value: float) -> None:
    """Set a float slider's range and value in an order that never trips its validation."""
    lo, hi = min(lo, value), max(hi, value)
    if lo > slider.max:
        slider.max = hi
        slider.min = lo
    else:
        slider.min = lo
        slider.max = hi
    slider.step = (hi - lo) / 400
    slider.value = value


def _guarded(method: Callable) -> Callable:
    """Run a callback; any exception becomes a short message in the app, never a traceback."""

    @functools.wraps(method)
    def wrapper(self: Explorer, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # shown in place: the app must keep working
            self._show_error(exc)
            return None

    return wrapper


# --------------------------------------------------------------------------- explorer


def _auto_backend() -> str:
    """``"ipympl"`` under ``%matplotlib widget`` when ipympl is installed, else ``"image"``."""
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


_EXPLORER_CSS = """<style>
.cu-explorer .widget-tab > .lm-TabBar .lm-TabBar-tab,
.cu-explorer .widget-tab > .p-TabBar .p-TabBar-tab {
  flex: 1 1 auto; min-width: 0; padding-left: 6px; padding-right: 6px;
}
</style>"""


class Explorer:
    """The trajectory explorer app (build it with :func:`explore`).

    Every control is an attribute, so a notebook or a test can drive the app by setting
    ``.value`` on it, exactly as a student's click does:

    ``surface_dropdown``, ``surface_controls[param]``, ``optimizer_checks[name]``,
    ``sliders[name][param]``, ``steps_slider``, ``start_sliders`` (x, y), ``tol_slider``,
    ``noise_check``, ``noise_stddev``, ``noise_batch``, ``noise_seed``, ``clip_mode``,
    ``clip_threshold``, ``schedule_dropdown``, ``schedule_controls[param]``, ``play``,
    ``step_slider``, ``speed``, ``inspect_dropdown``, ``presenter_toggle``, ``phase_check``,
    ``phase_metric``, ``phase_resolution``, ``phase_x``, ``phase_y``, ``setup_text``.

    Output: ``image`` (the rendered figure), ``message`` (problems and notes, in place),
    ``table`` (per optimizer: final loss, steps to the tolerance, divergence), ``inside`` (the
    inspected optimizer's state at the current step), ``phase_image``. The matplotlib
    ``figure`` and its artists: ``lines[name]`` (paths), ``points[name]`` (current points),
    ``crosses[name]`` (✕ of diverged paths), ``loss_lines``, ``grad_lines``, ``cond_lines``,
    ``eff_lines`` (x, y), ``step_arrow``, ``velocity_arrow``, ``lookahead``, ``eigen``.
    ``widget`` is the whole app as one ipywidgets container.
    """

    def __init__(self, surface: Any = "ravine",
                 optimizers: Sequence[str] = ("sgd", "momentum", "adam"), *,
                 config: Any = None, presenter: bool | None = None, backend: str = "auto",
                 **initial: Any) -> None:
        self.last_error: Exception | None = None
        self._holding = 0
        self._cache: dict[str, dict] = {}
        self._surface: _surfaces.Surface | None = None
        self._surface_key: str | None = None
        self._bg = None
        self._bg_dirty = True
        self._limits: dict[str, tuple] = {}
        self._legend_names: tuple = ()
        self._phase_key: Any = None
        self._phase: PhaseDiagram | None = None
        self._phase_mark_key: Any = None
        self._notes: list[str] = []
        if backend not in ("auto", "image", "ipympl"):
            raise ValueError(f"backend must be 'auto', 'image' or 'ipympl', got {backend!r}")
        self._backend = _auto_backend() if backend == "auto" else backend
        state = normalize_state(self._initial_raw(surface, optimizers, config, presenter,
                                                  initial))
        self._build_controls()
        self._presenter = state["presenter"]
        self._build_figure(self._figsize(_surfaces.get(state["surface"]["name"],
                                                       **state["surface"]["params"])))
        self._apply_state(state, update=False)
        self._connect()
        self._layout()
        self._update()

    # ----------------------------------------------------------------- construction
    @staticmethod
    def _initial_raw(surface: Any, optimizers: Any, config: Any, presenter: bool | None,
                     initial: Mapping[str, Any]) -> dict:
        if config is not None:
            raw = _parse_config(config)
        else:
            if isinstance(surface, _surfaces.Surface):
                surface = {"name": surface.name, "params": _jsonable(surface.params)}
            elif isinstance(surface, str):
                surface = {"name": surface}
            else:
                raise ValueError(f"surface must be a name or a Surface, got {surface!r}")
            if isinstance(optimizers, str):
                optimizers = [optimizers]
            raw = {"surface": surface, "optimizers": {n: {} for n in optimizers or ()}}
        raw.setdefault("optimizers", {})
        raw.setdefault("surface", {"name": "ravine"})
        if isinstance(raw["surface"], str):
            raw["surface"] = {"name": raw["surface"]}
        surface_name = raw["surface"].get("name", "ravine") if isinstance(
            raw["surface"], Mapping) else "ravine"
        surface_params = (_surfaces.parameters(surface_name)
                          if surface_name in _surfaces.names() else {})
        for key, value in initial.items():
            if key in _optimizers.names():
                if not isinstance(value, Mapping):
                    raise ValueError(f"{key}= must be a dict of hyperparameters, got {value!r}")
                raw["optimizers"] = dict(raw["optimizers"])
                raw["optimizers"][key] = {**raw["optimizers"].get(key, {}), **value}
            elif key in surface_params:
                raw["surface"] = dict(raw["surface"])
                raw["surface"]["params"] = {**raw["surface"].get("params", {}), key: value}
            elif key in _STATE_KEYS and key not in ("version", "surface", "optimizers"):
                raw[key] = value
            else:
                raise ValueError(
                    f"unknown setting {key!r}; pass optimizer hyperparameters as "
                    f"adam={{'learning_rate': 0.1}}, surface parameters by name, or one of: "
                    f"{', '.join(k for k in _STATE_KEYS if k not in ('version',))}")
        if presenter is not None:
            raw["presenter"] = bool(presenter)
        return _parse_config(raw)

    def _build_controls(self) -> None:
        W = widgets
        style = {"description_width": "118px"}
        lay = W.Layout(width="330px")
        self.header = W.HTML()
        self.surface_dropdown = W.Dropdown(options=_surfaces.names(), value="ravine",
                                           description="surface", style=style, layout=lay)
        self._surface_widgets: dict[str, dict[str, widgets.Widget]] = {}
        self.surface_controls: dict[str, widgets.Widget] = {}
        self._surface_box = W.VBox()
        self._names = _ordered_names()
        self.optimizer_checks = {
            n: W.Checkbox(value=False, description=_label(n), indent=False,
                          layout=W.Layout(width="auto"))
            for n in self._names}
        self.sliders: dict[str, dict[str, widgets.Widget]] = {}
        self._specs: dict[str, dict[str, _optimizers.ParamSpec]] = {}
        for n in self._names:
            self._specs[n] = _opt_specs(n)
            self.sliders[n] = {p: _param_widget(s, _PARAM_LABELS.get(p, p), continuous=True)
                               for p, s in self._specs[n].items()}
        self._hyper_accordion = W.Accordion()
        self.steps_slider = W.IntSlider(value=200, min=0, max=_MAX_STEPS, description="steps",
                                        continuous_update=False, style=style, layout=lay)
        self.start_sliders = (
            W.FloatSlider(description="start x", continuous_update=False, style=style,
                          layout=lay, readout_format=".3g"),
            W.FloatSlider(description="start y", continuous_update=False, style=style,
                          layout=lay, readout_format=".3g"))
        self.tol_slider = W.FloatLogSlider(value=1e-6, base=10, min=-12, max=0, step=0.5,
                                           description="tolerance", readout_format=".0e",
                                           style=style, layout=lay)
        self.noise_check = W.Checkbox(value=False, description="gradient noise", indent=False)
        self.noise_stddev = W.FloatLogSlider(value=1.0, base=10, min=-3, max=2, step=0.05,
                                             description="σ of one example",
                                             readout_format=".3g", style=style, layout=lay)
        self.noise_batch = W.SelectionSlider(options=list(_BATCH_SIZES), value=16,
                                             description="batch size", style=style, layout=lay)
        self.noise_seed = W.BoundedIntText(value=0, min=0, max=2**31 - 1, description="seed",
                                           style=style, layout=lay)
        self.clip_mode = W.ToggleButtons(options=[("none", "none"), ("by value", "value"),
                                                  ("by norm", "norm")], value="none",
                                         description="clipping", style={
                                             "description_width": "60px",
                                             "button_width": "80px"})
        self.clip_threshold = W.FloatLogSlider(value=1.0, base=10, min=-3, max=3, step=0.05,
                                               description="threshold", readout_format=".3g",
                                               style=style, layout=lay)
        self.schedule_dropdown = W.Dropdown(
            options=[("none", "none")] + [(s.replace("_", " "), s)
                                          for s in _schedules.names()],
            value="none", description="lr schedule", style=style, layout=lay)
        self._schedule_widgets: dict[str, dict[str, widgets.Widget]] = {}
        self.schedule_controls: dict[str, widgets.Widget] = {}
        self._schedule_box = W.VBox()
        self.play = W.Play(value=0, min=0, max=200, step=1, interval=100, description="play",
                           show_repeat=False)
        self.step_slider = W.IntSlider(value=0, min=0, max=200, description="step",
                                       continuous_update=True,
                                       layout=W.Layout(width="360px"))
        self._play_link = W.link((self.play, "value"), (self.step_slider, "value"))
        # stable CSS classes for the browser tests and for custom styling
        self.play.add_class("cu-explorer-play")
        self.step_slider.add_class("cu-explorer-step")
        self.speed = W.Dropdown(options=list(_SPEEDS), value="normal", description="speed",
                                layout=W.Layout(width="170px"),
                                style={"description_width": "45px"})
        self.inspect_dropdown = W.Dropdown(description="inside", layout=W.Layout(width="230px"),
                                           style={"description_width": "45px"})
        self.presenter_toggle = W.ToggleButton(value=False, description="presenter",
                                               icon="desktop",
                                               tooltip="larger figure and fonts for a projector",
                                               layout=W.Layout(width="110px"))
        self.phase_check = W.Checkbox(value=False, description="show the phase diagram",
                                      indent=False)
        self.phase_metric = W.Dropdown(options=[("steps to tolerance", "steps_to_tol"),
                                                ("final loss", "final_loss"),
                                                ("diverged at step", "diverged")],
                                       value="steps_to_tol", description="colour = ",
                                       style=style, layout=lay)
        self.phase_resolution = W.IntSlider(value=64, min=16, max=160, step=8,
                                            description="resolution", continuous_update=False,
                                            style=style, layout=lay)
        self.phase_x = W.Dropdown(description="x axis", style=style, layout=lay)
        self.phase_y = W.Dropdown(description="y axis", style=style, layout=lay)
        self.setup_text = W.Textarea(placeholder="setup JSON", layout=W.Layout(
            width="330px", height="180px"))
        self.save_button = W.Button(description="save setup ↓", tooltip="write app.state()")
        self.load_button = W.Button(description="load setup ↑", tooltip="restore the setup")
        self.message = W.HTML()
        self.table = W.HTML()
        self.inside = W.HTML()
        self.image = W.Image(format="png", layout=W.Layout(width="100%", max_width="1100px",
                                                           height="auto"))
        self.phase_image = W.Image(format="png", layout=W.Layout(width="100%",
                                                                 max_width="560px",
                                                                 height="auto",
                                                                 display="none"))

    def _layout(self) -> None:
        W = widgets
        grid = W.GridBox(list(self.optimizer_checks.values()),
                         layout=W.Layout(grid_template_columns="max-content max-content",
                                         grid_gap="0 10px"))
        tab_opt = W.VBox([W.HTML("<b>Optimizers</b>"), grid,
                          W.HTML("<b>Hyperparameters</b>"), self._hyper_accordion])
        tab_surface = W.VBox([self.surface_dropdown, self._surface_box, self.steps_slider,
                              *self.start_sliders, self.tol_slider])
        tab_grad = W.VBox([self.noise_check, self.noise_stddev, self.noise_batch,
                           self.noise_seed, W.HTML("<hr style='margin:4px 0'>"),
                           self.clip_mode, self.clip_threshold,
                           W.HTML("<hr style='margin:4px 0'>"), self.schedule_dropdown,
                           self._schedule_box])
        tab_phase = W.VBox([self.phase_check, self.phase_metric, self.phase_x, self.phase_y,
                            self.phase_resolution])
        tab_setup = W.VBox([W.HBox([self.save_button, self.load_button]), self.setup_text])
        self.tabs = W.Tab(children=[tab_opt, tab_surface, tab_grad, tab_phase, tab_setup],
                          titles=["optimizers", "surface", "gradient", "phase", "setup"],
                          layout=W.Layout(width="390px"))
        bar = W.HBox([self.play, self.step_slider, self.speed, self.inspect_dropdown,
                      self.presenter_toggle], layout=W.Layout(flex_flow="row wrap"))
        display = self._display_widget()
        right = W.VBox([bar, display, self.message, self.table, self.inside, self.phase_image],
                       layout=W.Layout(flex="1 1 600px", min_width="0"))
        self._right = right
        # the tab labels size to their text (ipywidgets gives every tab the same width, which
        # cuts "optimizers" short); the style element itself takes no room
        style = W.HTML(_EXPLORER_CSS, layout=W.Layout(display="none"))
        self.widget = W.VBox([style, self.header, W.HBox([self.tabs, right],
                                                         layout=W.Layout(flex_flow="row wrap"))])
        self.widget.add_class("cu-explorer")
        self.image.add_class("cu-explorer-image")

    def _display_widget(self) -> widgets.Widget:
        return self._canvas_widget if self._backend == "ipympl" else self.image

    # ----------------------------------------------------------------- figure
    @property
    def _fs(self) -> float:
        return 13.0 if self._presenter else 9.0

    def _figsize(self, surf: _surfaces.Surface | None) -> tuple[float, float]:
        """Figure size: fixed width, height fitted to the surface's plot box (equal aspect)."""
        width = 14.0 if self._presenter else 11.0
        aspect = 1.0 if surf is None else (surf.ylim[1] - surf.ylim[0]) / (
            surf.xlim[1] - surf.xlim[0])
        height = width * 0.5 * aspect / 0.8
        return width, float(np.clip(round(height * 4) / 4, 0.46 * width, 0.56 * width))

    def _build_figure(self, size: tuple[float, float] | None = None) -> None:
        fs = self._fs
        if size is None:
            size = self._figsize(self._surface)
        old_display = self._display_widget() if hasattr(self, "widget") else None
        fig = Figure(figsize=size, dpi=100)
        if self._backend == "ipympl":
            from ipympl.backend_nbagg import new_figure_manager_given_figure

            manager = new_figure_manager_given_figure(id(fig), fig)
            self._canvas_widget = manager.canvas
            self._canvas_widget.header_visible = False
            self._canvas_widget.mpl_connect("button_press_event", self._on_click)
        else:
            FigureCanvasAgg(fig)
        self.figure = fig
        top = 1.0 - (0.75 if not self._presenter else 1.0) / size[1]
        bottom = 0.5 / size[1] if not self._presenter else 0.65 / size[1]
        gs = fig.add_gridspec(4, 2, width_ratios=[1.45, 1], left=0.05, right=0.985,
                              top=top, bottom=bottom, hspace=0.42, wspace=0.13)
        self.ax_map = fig.add_subplot(gs[:, 0])
        self.ax_map.set_anchor("N")
        self.ax_loss = fig.add_subplot(gs[0, 1])
        self.ax_grad = fig.add_subplot(gs[1, 1])
        self.ax_cond = fig.add_subplot(gs[2, 1])
        self.ax_eff = fig.add_subplot(gs[3, 1])
        self._step_axes = (self.ax_loss, self.ax_grad, self.ax_cond, self.ax_eff)
        titles = {self.ax_loss: "loss gap f − f*", self.ax_grad: "gradient norm ‖∇f‖",
                  self.ax_cond: "condition number κ = |λ|max / |λ|min along the path",
                  self.ax_eff: ""}
        # an explicit y keeps matplotlib from placing the titles by measuring every tick
        title_texts = {ax: ax.set_title(title, loc="left", fontsize=fs, pad=3, y=1.0)
                       for ax, title in titles.items()}
        self._eff_title = title_texts[self.ax_eff]
        for ax in self._step_axes:
            ax.set_yscale("log")
            ax.yaxis.set_major_locator(LogLocator(numticks=4))
            ax.yaxis.set_minor_locator(NullLocator())
            ax.yaxis.set_major_formatter(FuncFormatter(_decade_label))  # no slow mathtext
            ax.tick_params(labelsize=fs - 1)
            ax.grid(True, which="major", alpha=0.3)
        for ax in (self.ax_loss, self.ax_grad, self.ax_cond):
            ax.tick_params(labelbottom=False)
        self.ax_eff.set_xlabel("step", fontsize=fs)
        self.ax_map.tick_params(labelsize=fs - 1)
        lw = 2.4 if self._presenter else 1.7
        self.lines, self.starts, self.points, self.crosses = {}, {}, {}, {}
        self.loss_lines, self.grad_lines, self.cond_lines, self.loss_crosses = {}, {}, {}, {}
        for n in self._names:
            color, marker, ls = _full_style(n)
            line, start = plotting.path(self.ax_map, np.full((1, 2), np.nan), color=color,
                                        marker=marker, lw=lw, ms=4 + (self._presenter * 2),
                                        label=_label(n), ls=ls)
            self.lines[n], self.starts[n] = line, start
            self.points[n] = plotting.point_marker(self.ax_map, color=color, marker=marker,
                                                   ms=10 if self._presenter else 8)
            self.crosses[n] = plotting.cross_marker(self.ax_map, color=color,
                                                    ms=16 if self._presenter else 13)
            self.loss_lines[n] = plotting.curve(self.ax_loss, color=color, lw=lw, ls=ls)
            self.grad_lines[n] = plotting.curve(self.ax_grad, color=color, lw=lw, ls=ls)
            self.cond_lines[n] = plotting.curve(self.ax_cond, color=color, lw=lw, ls=ls)
            self.loss_crosses[n] = plotting.cross_marker(self.ax_loss, color=color, ms=9)
        self.eff_lines = (plotting.curve(self.ax_eff, color="black", lw=lw, label="x"),
                          plotting.curve(self.ax_eff, color="black", lw=lw, ls="--", label="y"))
        self.base_lr_line = plotting.curve(self.ax_eff, color="#555555", lw=1.2, ls=":",
                                           label="ε")
        self.cursors = [ax.axvline(0, color="#444444", lw=0.8, ls="-", alpha=0.6)
                        for ax in (self.ax_loss, self.ax_grad, self.ax_cond, self.ax_eff)]
        self.eigen = plotting.eigen_bars(self.ax_map, lw=7.0 if self._presenter else 5.0,
                                         zorder=2.5)  # translucent bands under the paths
        self.velocity_arrow = plotting.arrow(self.ax_map, color="white", edgecolor="black",
                                             linewidth=0.8, width=0.007)
        self.step_arrow = plotting.arrow(self.ax_map, color="black", width=0.005)
        (self.lookahead,) = self.ax_map.plot([], [], linestyle="none", marker="o", ms=9,
                                             mfc="none", mec="black", mew=1.8, zorder=8)
        self.step_text = self.ax_map.text(
            0.985, 0.015, "", transform=self.ax_map.transAxes, ha="right", va="bottom",
            fontsize=fs, zorder=9, bbox={"facecolor": "white", "alpha": 0.8,
                                         "edgecolor": "none", "pad": 2})
        self._map_text = self.ax_map.text(
            0.015, 0.985, "", transform=self.ax_map.transAxes, ha="left", va="top",
            fontsize=fs, zorder=9, bbox={"facecolor": "white", "alpha": 0.8,
                                         "edgecolor": "none", "pad": 2})
        self._legend = None
        self._eff_legend = None
        self._contours: list = []
        self._dynamic = [*self.lines.values(), *self.starts.values(), *self.points.values(),
                         *self.crosses.values(), *self.loss_lines.values(),
                         *self.grad_lines.values(), *self.cond_lines.values(),
                         *self.loss_crosses.values(), *self.eff_lines, self.base_lr_line,
                         *self.cursors, self.eigen, self.velocity_arrow, self.step_arrow,
                         self.lookahead, self.step_text]
        self._dynamic.sort(key=lambda artist: artist.get_zorder())  # blitting draws in order
        animated = self._backend != "ipympl"
        for artist in self._dynamic:
            artist.set_animated(animated)
        self._bg = None
        self._bg_dirty = True
        self._limits = {}
        self._legend_names = ()
        self._surface_key = None  # contours are drawn again on this figure
        if old_display is not None and self._backend == "ipympl":
            self._right.children = tuple(self._canvas_widget if c is old_display else c
                                         for c in self._right.children)

    # ----------------------------------------------------------------- observers
    def _connect(self) -> None:
        def on(widget: widgets.Widget, handler: Callable) -> None:
            widget.observe(handler, names="value")

        on(self.surface_dropdown, self._on_surface_name)
        for n in self._names:
            on(self.optimizer_checks[n], self._on_toggle)
            for w in self.sliders[n].values():
                on(w, self._on_change)
        for w in (self.start_sliders[0], self.start_sliders[1], self.tol_slider,
                  self.noise_check, self.noise_stddev, self.noise_batch, self.noise_seed,
                  self.clip_mode, self.clip_threshold, self.phase_check, self.phase_metric,
                  self.phase_resolution, self.phase_x, self.phase_y):
            on(w, self._on_change)
        on(self.steps_slider, self._on_steps)
        on(self.step_slider, self._on_step)
        on(self.schedule_dropdown, self._on_schedule_name)
        on(self.inspect_dropdown, self._on_inspect)
        on(self.speed, self._on_speed)
        on(self.presenter_toggle, self._on_presenter)
        self.save_button.on_click(self._on_save)
        self.load_button.on_click(self._on_load)

    @contextlib.contextmanager
    def _hold(self) -> Iterator[None]:
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1

    def _on_change(self, change: Any = None) -> None:
        if not self._holding:
            self._update()

    @_guarded
    def _on_surface_name(self, change: Any) -> None:
        if self._holding:
            return
        name = change["new"]
        surf = _surfaces.get(name)
        with self._hold():
            self._show_surface_controls(name, {})
            self._set_start(surf.start, surf)
            for n in self._names:
                for key, value in demo_hyperparameters(name, n).items():
                    _write_widget(self.sliders[n][key], value)
        self._update()

    @_guarded
    def _on_toggle(self, change: Any) -> None:
        if self._holding:
            return
        with self._hold():
            self._sync_optimizer_views()
        self._update()

    @_guarded
    def _on_steps(self, change: Any) -> None:
        if self._holding:
            return
        old, new = change["old"], change["new"]
        with self._hold():
            at_end = self.step_slider.value >= old
            self._set_step_range(new, new if at_end else min(self.step_slider.value, new))
        self._update()

    def _on_step(self, change: Any) -> None:
        if not self._holding:
            self._update_step()

    @_guarded
    def _on_schedule_name(self, change: Any) -> None:
        if self._holding:
            return
        with self._hold():
            self._show_schedule_controls(change["new"], None)
        self._update()

    @_guarded
    def _on_inspect(self, change: Any) -> None:
        if self._holding:
            return
        with self._hold():
            self._sync_phase_axes(change["new"], None, None)
        self._update()

    def _on_speed(self, change: Any) -> None:
        interval, step = _SPEEDS[change["new"]]
        self.play.interval = interval
        self.play.step = step

    @_guarded
    def _on_presenter(self, change: Any) -> None:
        if self._holding:
            return
        self._set_presenter(bool(change["new"]))
        self._update()

    def _set_presenter(self, on: bool) -> None:
        if on == self._presenter and hasattr(self, "figure"):
            return
        self._presenter = on
        self._build_figure()
        self.image.layout.max_width = "1400px" if on else "1100px"

    @_guarded
    def _on_save(self, button: Any = None) -> None:
        self.setup_text.value = self.state()

    @_guarded
    def _on_load(self, button: Any = None) -> None:
        self.set_state(self.setup_text.value)

    @_guarded
    def _on_click(self, event: Any) -> None:
        """ipympl only: a left click on the map (outside zoom/pan mode) moves the start."""
        toolbar = getattr(self.figure.canvas, "toolbar", None)
        if getattr(toolbar, "mode", "") not in ("", None):
            return
        if event.inaxes is not self.ax_map or event.button != 1 or event.xdata is None:
            return
        with self._hold():
            for slider, v in zip(self.start_sliders, (event.xdata, event.ydata), strict=True):
                _set_range(slider, slider.min, slider.max, float(v))
        self._update()

    # ----------------------------------------------------------------- widget helpers
    def _show_surface_controls(self, name: str, values: Mapping[str, Any]) -> None:
        specs = _surfaces.parameters(name)
        if name not in self._surface_widgets:
            made = {k: _param_widget(s, k.replace("_", " "), continuous=False)
                    for k, s in specs.items()}
            for w in made.values():
                w.observe(self._on_change, names="value")
            self._surface_widgets[name] = made
        self.surface_controls = self._surface_widgets[name]
        for key, spec in specs.items():
            _write_widget(self.surface_controls[key], values.get(key, spec.default))
        self.surface_dropdown.value = name
        self._surface_box.children = tuple(self.surface_controls.values())

    def _show_schedule_controls(self, name: str, config: Mapping[str, Any] | None) -> None:
        self.schedule_dropdown.value = name
        if name == "none":
            self.schedule_controls = {}
            self._schedule_box.children = ()
            return
        specs = _schedule_specs(name)
        if name not in self._schedule_widgets:
            made = {k: _param_widget(s, k.replace("_", " "), continuous=False)
                    for k, s in specs.items()}
            for w in made.values():
                w.observe(self._on_change, names="value")
            self._schedule_widgets[name] = made
        self.schedule_controls = self._schedule_widgets[name]
        for key, spec in specs.items():
            value = spec.default if config is None else config.get(key, spec.default)
            _write_widget(self.schedule_controls[key], value)
        self._schedule_box.children = (widgets.HTML(
            "<small>The schedule multiplies each optimizer's learning rate (its rates start "
            "at 1). Rprop has none.</small>"), *self.schedule_controls.values())

    def _set_start(self, start: Sequence[float], surf: _surfaces.Surface) -> None:
        for slider, lim, v in zip(self.start_sliders, (surf.xlim, surf.ylim), start,
                                  strict=True):
            pad = 0.25 * (lim[1] - lim[0])
            _set_range(slider, lim[0] - pad, lim[1] + pad, float(v))

    def _set_step_range(self, steps: int, step: int) -> None:
        for w in (self.step_slider, self.play):
            if step > w.max:
                w.max = steps
                w.value = step
            else:
                w.value = step
                w.max = steps

    def _enabled(self) -> list[str]:
        return [n for n in self._names if self.optimizer_checks[n].value]

    def _sync_optimizer_views(self, inspect: str | None = None) -> None:
        enabled = self._enabled()
        current = inspect if inspect is not None else self.inspect_dropdown.value
        self.inspect_dropdown.options = [(_label(n), n) for n in enabled]
        new = current if current in enabled else (enabled[0] if enabled else None)
        self.inspect_dropdown.value = new
        if new != current or inspect is not None:
            self._sync_phase_axes(new, None, None)
        sections = []
        for n in enabled:
            sections.append(widgets.VBox(list(self.sliders[n].values())))
        self._hyper_accordion.children = sections
        self._hyper_accordion.titles = tuple(_label(n) for n in enabled)

    def _sync_phase_axes(self, name: str | None, x: str | None, y: str | None) -> None:
        if name is None:
            self.phase_x.options, self.phase_y.options = [], []
            return
        numeric = [(_PARAM_LABELS.get(k, k), k) for k, s in self._specs[name].items()
                   if _spec_kind(s) != "bool"]
        dx, dy = _phase_axes(name)
        self.phase_x.options = numeric
        self.phase_y.options = numeric
        self.phase_x.value = x or dx
        self.phase_y.value = y or dy

    # ----------------------------------------------------------------- state
    def _apply_state(self, state: Mapping[str, Any], *, update: bool = True) -> None:
        with self._hold():
            surf = _surfaces.get(state["surface"]["name"], **state["surface"]["params"])
            self._show_surface_controls(surf.name, state["surface"]["params"])
            for n in self._names:
                entry = state["optimizers"][n]
                self.optimizer_checks[n].value = entry["enabled"]
                for key, value in entry.items():
                    if key != "enabled":
                        _write_widget(self.sliders[n][key], value)
            self.steps_slider.value = state["steps"]
            self._set_step_range(state["steps"], state["step"])
            self._set_start(state["start"], surf)
            self.tol_slider.value = state["tol"]
            noise = state["noise"]
            self.noise_check.value = noise["enabled"]
            self.noise_stddev.value = noise["stddev"]
            self.noise_batch.value = noise["batch_size"]
            self.noise_seed.value = noise["seed"]
            self.clip_mode.value = state["clip"]["mode"]
            self.clip_threshold.value = state["clip"]["threshold"]
            schedule = state["schedule"]
            self._show_schedule_controls("none" if schedule is None else schedule["name"],
                                         schedule)
            self._sync_optimizer_views(inspect=state["inspect"])
            phase = state["phase"]
            self._sync_phase_axes(state["inspect"], phase["x"], phase["y"])
            self.phase_check.value = phase["enabled"]
            self.phase_metric.value = phase["metric"]
            self.phase_resolution.value = phase["resolution"]
            self.speed.value = state["speed"]
            self._on_speed({"new": state["speed"]})
            self.presenter_toggle.value = state["presenter"]
            if state["presenter"] != self._presenter:
                self._set_presenter(state["presenter"])
        if update:
            self._update()

    def _settings(self) -> dict:
        """The current setup read from the widgets (the body of :meth:`state`)."""
        name = self.surface_dropdown.value
        specs = _surfaces.parameters(name)
        params = {k: _read_widget(self.surface_controls[k], s, f"surface parameter {k!r}")
                  for k, s in specs.items()}
        optimizers_state = {}
        for n in self._names:
            entry: dict[str, Any] = {"enabled": bool(self.optimizer_checks[n].value)}
            for key, spec in self._specs[n].items():
                entry[key] = _read_widget(self.sliders[n][key], spec, f"{n}.{key}")
            optimizers_state[n] = entry
        schedule = None
        if self.schedule_dropdown.value != "none":
            sname = self.schedule_dropdown.value
            schedule = {"name": sname}
            for key, spec in _schedule_specs(sname).items():
                schedule[key] = _read_widget(self.schedule_controls[key], spec,
                                             f"schedule {key}")
        return {
            "version": STATE_VERSION,
            "surface": {"name": name, "params": _jsonable(params)},
            "optimizers": optimizers_state,
            "steps": int(self.steps_slider.value),
            "start": [float(s.value) for s in self.start_sliders],
            "tol": float(self.tol_slider.value),
            "noise": {"enabled": bool(self.noise_check.value),
                      "stddev": float(self.noise_stddev.value),
                      "batch_size": int(self.noise_batch.value),
                      "seed": int(self.noise_seed.value)},
            "clip": {"mode": self.clip_mode.value,
                     "threshold": float(self.clip_threshold.value)},
            "schedule": _jsonable(schedule),
            "step": int(self.step_slider.value),
            "inspect": self.inspect_dropdown.value,
            "speed": self.speed.value,
            "presenter": bool(self._presenter),
            "phase": {"enabled": bool(self.phase_check.value),
                      "metric": self.phase_metric.value,
                      "resolution": int(self.phase_resolution.value),
                      "x": self.phase_x.value, "y": self.phase_y.value},
        }

    def state(self) -> str:
        """The whole setup as a JSON string; ``explore(config=app.state())`` restores it.

        Optimizers appear if they are enabled or their hyperparameters differ from the
        surface's demo values; the schedule is its ``to_config()``.
        """
        settings = self._settings()
        name = settings["surface"]["name"]
        kept = {}
        for n, entry in settings["optimizers"].items():
            demo = demo_hyperparameters(name, n)
            changed = {k: v for k, v in entry.items() if k != "enabled" and v != demo.get(k)}
            if entry["enabled"] or changed:
                kept[n] = {"enabled": entry["enabled"],
                           **{k: v for k, v in entry.items() if k != "enabled"}}
        settings["optimizers"] = kept
        if settings["schedule"] is not None:
            schedule = _schedules.from_config(dict(settings["schedule"]))
            settings["schedule"] = _jsonable(schedule.to_config())
        return json.dumps(_jsonable(settings), indent=1, ensure_ascii=False, allow_nan=False)

    def set_state(self, config: Any) -> None:
        """Restore a setup (JSON text or dict, as :meth:`state` writes); ``ValueError`` if bad."""
        state = normalize_state(_parse_config(config))
        self._apply_state(state)

    # ----------------------------------------------------------------- computing
    def _show_error(self, exc: Exception) -> None:
        self.last_error = exc
        text = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
        if len(text) > 400:
            text = text[:400] + "…"
        notes = "".join(f"<div>{note}</div>" for note in self._notes)
        self.message.value = (f"<div style='color:#b00020'><b>⚠ {html.escape(text)}</b> "
                              f"(the rest of the app keeps the last good picture)</div>{notes}")

    def _ensure_surface(self, spec: Mapping[str, Any]) -> _surfaces.Surface:
        key = json.dumps(spec, sort_keys=True)
        if key != self._surface_key or self._surface is None:
            surf = _surfaces.get(spec["name"], **spec["params"])
            size = self._figsize(surf)
            if tuple(self.figure.get_size_inches()) != size:
                self._build_figure(size)
            for artist in self._contours:
                artist.remove()
            n = 90 if surf.minibatch_grad is not None else 160
            self._contours = plotting.surface_contour(self.ax_map, surf, n=n, levels=22,
                                                      cmap="Greys", alpha=0.3)
            self.ax_map.set_xlabel("x" if surf.name != "logistic" else "w (weight)",
                                   fontsize=self._fs)
            self.ax_map.set_ylabel("y" if surf.name != "logistic" else "b (bias)",
                                   fontsize=self._fs)
            params = ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}"
                               for k, v in surf.params.items())
            self._map_text.set_text(surf.name + (f" ({params})" if params else ""))
            self.header.value = (f"<div style='font-size:{'1.35em' if self._presenter else '1em'}'>"
                                 f"<b>{html.escape(surf.name)}</b>: "
                                 f"{html.escape(surf.lesson)}</div>")
            self._surface, self._surface_key = surf, key
            self._cache.clear()
            self._phase_key = None
            self._bg_dirty = True
        return self._surface

    def _compute(self, settings: Mapping[str, Any]) -> list[str]:
        """Run every enabled optimizer whose inputs changed (the rest come from the cache)."""
        surf = self._surface
        problems: list[str] = []
        schedule = (None if settings["schedule"] is None
                    else _schedules.from_config(dict(settings["schedule"])))
        transform, run_kwargs = make_transform(surf, settings["noise"], settings["clip"])
        common = json.dumps([self._surface_key, settings["steps"], settings["start"],
                             settings["noise"], settings["clip"], settings["schedule"]],
                            sort_keys=True)
        for n in self._enabled():
            hyper = {k: v for k, v in settings["optimizers"][n].items() if k != "enabled"}
            key = common + json.dumps(_jsonable(hyper), sort_keys=True)
            entry = self._cache.get(n)
            if entry is not None and entry["key"] == key:
                continue
            try:
                opt = make_optimizer(n, hyper, schedule)
                traj = run(opt, surf, np.array(settings["start"], dtype=float),
                           settings["steps"], transform=transform, record_states=True,
                           **run_kwargs)
            except ValueError as exc:
                self._cache.pop(n, None)
                problems.append(f"{_label(n)}: {exc}")
                continue
            self._cache[n] = self._derive(n, key, traj, hyper, schedule, transform)
        return problems

    def _derive(self, name: str, key: str, traj: Trajectory, hyper: Mapping[str, Any],
                schedule: Any, transform: Any) -> dict:
        surf = self._surface
        d = int(traj.diverged_at)
        xy, cross = plotting.drawn_path(traj.points, d, surf.xlim, surf.ylim)
        alive = slice(None) if d < 0 else slice(0, d)
        with np.errstate(all="ignore"):
            pts = traj.points
            gnorm = np.where(np.isfinite(traj.grad_norms), traj.grad_norms, np.nan)
            gnorm = np.maximum(gnorm, 1e-300)
            eig, vec = np.linalg.eigh(np.nan_to_num(surf.hess(pts[alive])))
            absw = np.abs(eig)
            cond = absw.max(axis=-1) / absw.min(axis=-1)
        cond = np.where(np.isfinite(cond), cond, np.nan)
        if d >= 0:
            gnorm = gnorm.copy()
            gnorm[d:] = np.nan
        return {"key": key, "traj": traj, "hyper": dict(hyper), "schedule": schedule,
                "chained": transform is not None, "xy": xy, "cross_at": cross, "d": d,
                "gap": _gap(traj.losses, surf.f_min, d), "gnorm": gnorm, "cond": cond,
                "eig": eig, "vec": vec, "inside": None}

    @property
    def trajectories(self) -> dict[str, Trajectory]:
        """``{name: Trajectory}`` of the enabled optimizers, as drawn."""
        return {n: self._cache[n]["traj"] for n in self._enabled() if n in self._cache}

    @property
    def surface(self) -> _surfaces.Surface | None:
        """The surface being explored."""
        return self._surface

    def steps_to_tol(self, name: str) -> int:
        """First step at which ``name``'s loss is within the tolerance of ``f_min`` (or -1)."""
        entry = self._cache[name]
        return _steps_to_tol(entry["traj"].losses, self._surface.f_min,
                             float(self.tol_slider.value), entry["d"])

    # ----------------------------------------------------------------- inside the optimizer
    def inside_series(self, name: str) -> dict:
        """The "inside the optimizer" quantities of ``name`` along its path.

        Returns a dict with ``"eff"`` (steps + 1, 2): the effective learning rate per
        coordinate of the step that arrived at each point (NaN at step 0); ``"eff_label"``;
        ``"base_lr"`` (steps + 1,): the learning rate used (schedule included) or None;
        ``"rows"``: ``[(label, array (steps + 1, 2))]`` for the table (m̂, √v̂, velocity, ...);
        ``"velocity"`` (steps + 1, 2) displacement-like momentum or None; ``"lookahead"``
        (steps + 1, 2) Nesterov's look-ahead point or None.

        Effective learning rates: for the SGD family the learning rate itself; for adaptive
        methods the factor that multiplies their (averaged) gradient, e.g. Adam
        ``ε / (√v̂ + ε̂)`` on ``m̂``; for Rprop the step size ``U``; for Newton's methods the
        ratio ``|Δθᵢ| / |gᵢ|`` of step to gradient.
        """
        entry = self._cache[name]
        if entry["inside"] is None:
            entry["inside"] = _inside_series(name, entry, self._surface)
        return entry["inside"]

    # ----------------------------------------------------------------- updating
    @_guarded
    def _update(self) -> None:
        """Recompute what changed, update the artists and redraw (a slider moved)."""
        self._notes = []
        settings = self._settings()
        surf = self._ensure_surface(settings["surface"])
        problems = self._compute(settings)
        enabled = [n for n in self._enabled() if n in self._cache]
        self._update_data(enabled, settings)
        notes = self._notes_for(enabled, settings, surf)
        self._update_table(enabled, settings)
        phase_problem = self._update_phase(settings)
        if phase_problem:
            problems.append(phase_problem)
        self._update_step(render=False)
        self._render()
        self.last_error = None if not problems else ValueError("; ".join(problems))
        self._notes = notes
        body = "".join(f"<div style='color:#b00020'><b>⚠ {html.escape(p)}</b></div>"
                       for p in problems)
        body += "".join(f"<div>{note}</div>" for note in notes)
        self.message.value = body

    def _notes_for(self, enabled: list[str], settings: Mapping[str, Any],
                   surf: _surfaces.Surface) -> list[str]:
        notes = []
        if not self._enabled():
            notes.append("Select at least one optimizer (tab <i>optimizers</i>) to see a path.")
        x, y = settings["start"]
        if not (surf.xlim[0] <= x <= surf.xlim[1] and surf.ylim[0] <= y <= surf.ylim[1]):
            notes.append(f"The start point ({x:.3g}, {y:.3g}) lies outside the plot box; paths "
                         "may enter it later, or never.")
        diverged = [f"{_label(n)} at step {self._cache[n]['d']}" for n in enabled
                    if self._cache[n]["d"] >= 0]
        if diverged:
            notes.append("Diverged (✕ where the path leaves the plot): " + ", ".join(diverged)
                         + ". A smaller learning rate or clipping helps.")
        if settings["steps"] == 0:
            notes.append("Zero steps: only the start points are shown.")
        if settings["schedule"] is not None and "rprop" in enabled:
            notes.append("Rprop has no learning rate, so the schedule does not change it.")
        noise = settings["noise"]
        if noise["enabled"] and surf.minibatch_grad is not None:
            n_ex = len(surf.features)
            bs = min(noise["batch_size"], n_ex)
            notes.append(f"Noise on this surface is the true minibatch gradient: {bs} of "
                         f"{n_ex} examples per step (σ does not apply).")
        return notes

    def _update_data(self, enabled: list[str], settings: Mapping[str, Any]) -> None:
        steps = settings["steps"]
        every = max(1, round(steps / 15))  # about 15 markers per path
        for n in self._names:
            on = n in enabled
            for artist in (self.lines[n], self.starts[n], self.loss_lines[n],
                           self.grad_lines[n], self.cond_lines[n]):
                artist.set_visible(on)
            if not on:
                self.points[n].set_visible(False)
                self.crosses[n].set_visible(False)
                self.loss_crosses[n].set_visible(False)
                continue
            entry = self._cache[n]
            p0 = entry["traj"].points[0]
            self.starts[n].set_data([p0[0]], [p0[1]])
            self.lines[n].set_markevery(every)
        # limits of the step plots: decades, so that small changes keep the background
        def collect(key: str) -> np.ndarray:
            arrays = [self._cache[n][key] for n in enabled]
            return np.concatenate(arrays) if arrays else np.ones(1)

        limits = {"x": (0, max(steps, 1)), "loss": _log_limits(collect("gap")),
                  "grad": _log_limits(collect("gnorm")),
                  "cond": _log_limits(collect("cond"), floor_ratio=1e-3)}
        inspect = self.inspect_dropdown.value if self.inspect_dropdown.value in enabled else None
        eff_title = ""
        if inspect is not None:
            series = self.inside_series(inspect)
            vals = [series["eff"].ravel()]
            if series["base_lr"] is not None:
                vals.append(series["base_lr"])
            limits["eff"] = _log_limits(np.concatenate(vals), floor_ratio=1e-6)
            eff_title = f"{series['eff_label']} of {_label(inspect)}"
        else:
            limits["eff"] = (1e-3, 1e1)
        limits["cond"] = (max(limits["cond"][0], 0.5), max(limits["cond"][1], 10.0))
        if limits != self._limits:
            for ax in self._step_axes:
                ax.set_xlim(*limits["x"])
            self.ax_loss.set_ylim(*limits["loss"])
            self.ax_grad.set_ylim(*limits["grad"])
            self.ax_cond.set_ylim(*limits["cond"])
            self.ax_eff.set_ylim(*limits["eff"])
            self._limits = limits
            self._bg_dirty = True
        if self._eff_title.get_text() != eff_title:
            self._eff_title.set_text(eff_title)
            if self._eff_legend is not None:
                self._dynamic.remove(self._eff_legend)
                self._eff_legend.remove()
                self._eff_legend = None
            if inspect is not None:
                color, _ = _style(inspect)
                for line in self.eff_lines:
                    line.set_color(color)
                handles = list(self.eff_lines)
                if self.inside_series(inspect)["base_lr"] is not None:
                    handles.append(self.base_lr_line)
                # drawn with the moving artists, on top of the curves
                self._eff_legend = self.ax_eff.legend(
                    handles=handles, loc="lower right", ncol=len(handles),
                    fontsize=self._fs - 1, framealpha=0.85, edgecolor="none",
                    handlelength=1.8, borderaxespad=0.2, columnspacing=1.0)
                self._eff_legend.set_zorder(20)
                self._eff_legend.set_animated(self._backend != "ipympl")
                self._dynamic.append(self._eff_legend)
            self._bg_dirty = True
        if tuple(enabled) != self._legend_names:
            if self._legend is not None:
                self._legend.remove()
            self._legend = None
            if enabled:
                self._legend = self.figure.legend(
                    handles=[self.lines[n] for n in enabled], loc="upper left",
                    bbox_to_anchor=(0.04, 1.0), ncol=min(len(enabled), 6), frameon=False,
                    fontsize=self._fs, handlelength=2.2, columnspacing=1.4,
                    borderaxespad=0.2)
            self._legend_names = tuple(enabled)
            self._bg_dirty = True
        for n in enabled:
            top = self._limits["loss"][1]
            d = self._cache[n]["d"]
            self.loss_crosses[n].set_data([d], [top / 2.0])

    def _update_step(self, render: bool = True) -> None:
        """Show every path as it is after ``step`` updates (Play and the scrubber)."""
        k = int(self.step_slider.value)
        enabled = [n for n in self._enabled() if n in self._cache]
        for n in enabled:
            entry = self._cache[n]
            art = {"line": self.lines[n], "point": self.points[n], "cross": self.crosses[n],
                   "loss": self.loss_lines[n], **entry}
            _show_step(art, k)
            m = min(k + 1, len(entry["gnorm"]))
            self.grad_lines[n].set_data(np.arange(m), entry["gnorm"][:m])
            mc = min(k + 1, len(entry["cond"]))
            self.cond_lines[n].set_data(np.arange(mc), entry["cond"][:mc])
            self.loss_crosses[n].set_visible(entry["d"] >= 0 and k >= entry["d"])
        for c in self.cursors:
            c.set_xdata([k, k])
        steps = int(self.steps_slider.value)
        self.step_text.set_text(f"step {k} / {steps}")
        self._update_inside(k, enabled)
        if render:
            self._render()

    def _update_inside(self, k: int, enabled: list[str]) -> None:
        name = self.inspect_dropdown.value
        for artist in (self.eigen, self.velocity_arrow, self.step_arrow, self.lookahead,
                       *self.eff_lines, self.base_lr_line):
            artist.set_visible(False)
        if name not in enabled:
            self.inside.value = ""
            return
        entry = self._cache[name]
        series = self.inside_series(name)
        color, _ = _style(name)
        steps = entry["traj"].steps
        upto = slice(0, min(k, steps) + 1)
        xs = np.arange(steps + 1)[upto]
        for i, line in enumerate(self.eff_lines):
            line.set_color(color)
            line.set_data(xs, series["eff"][upto, i])
            line.set_visible(True)
        if series["base_lr"] is not None:
            self.base_lr_line.set_data(xs, series["base_lr"][upto])
            self.base_lr_line.set_visible(True)
        d = entry["d"]
        alive = (d < 0 or k < d) and k <= steps
        point = entry["traj"].points[min(k, steps)]
        surf = self._surface
        size = 0.11 * max(surf.xlim[1] - surf.xlim[0], surf.ylim[1] - surf.ylim[0])
        if alive:
            w, v = entry["eig"][k], entry["vec"][k]
            if np.all(np.isfinite(w)):
                self.eigen.set_segments(plotting.eigen_segments(point, w, v, size))
                self.eigen.set_colors([(0.8, 0.2, 0.07, 0.6) if wi < 0 else (0.2, 0.2, 0.2, 0.4)
                                       for wi in w])
                self.eigen.set_visible(True)
            if k < steps:
                step = entry["traj"].points[k + 1] - point
                if np.all(np.isfinite(step)):
                    self.step_arrow.set_offsets([point])
                    self.step_arrow.set_UVC([step[0]], [step[1]])
                    self.step_arrow.set_visible(True)
            if series["velocity"] is not None:
                vel = series["velocity"][k]
                if np.all(np.isfinite(vel)):
                    self.velocity_arrow.set_offsets([point])
                    self.velocity_arrow.set_UVC([vel[0]], [vel[1]])
                    self.velocity_arrow.set_visible(True)
            if series["lookahead"] is not None and np.all(np.isfinite(series["lookahead"][k])):
                la = series["lookahead"][k]
                self.lookahead.set_data([la[0]], [la[1]])
                self.lookahead.set_visible(True)
        self.inside.value = _inside_html(name, k, entry, series, alive, self._presenter)

    def _update_table(self, enabled: list[str], settings: Mapping[str, Any]) -> None:
        if not enabled:
            self.table.value = ""
            return
        tol = settings["tol"]
        surf = self._surface
        rows = []
        for n in enabled:
            entry = self._cache[n]
            traj, d = entry["traj"], entry["d"]
            last = traj.points[-1] if d < 0 else traj.points[max(d - 1, 0)]
            with np.errstate(all="ignore"):
                final = float(surf.f(last))
            reach = _steps_to_tol(traj.losses, surf.f_min, tol, d)
            status = (f"<span style='color:#b00020'>✕ diverged at step {d}</span>" if d >= 0
                      else "ok")
            rows.append(
                f"<tr><td>{_swatch(n, 18.0 if self._presenter else 14.0)} "
                f"{html.escape(_label(n))}</td><td>{final - surf.f_min:.3g}</td>"
                f"<td>{reach if reach >= 0 else '—'}</td><td>{status}</td></tr>")
        size = "1.25em" if self._presenter else "0.92em"
        self.table.value = (
            f"<table style='font-size:{size};border-collapse:collapse' cellpadding='3'>"
            f"<tr style='border-bottom:1px solid #999'><th align='left'>optimizer</th>"
            f"<th>final f − f*</th><th>steps to f − f* ≤ {tol:.0e}</th><th>status</th></tr>"
            + "".join(rows) + "</table>")

    def _update_phase(self, settings: Mapping[str, Any]) -> str | None:
        phase = settings["phase"]
        name = settings["inspect"]
        if not phase["enabled"] or name is None or name not in self._cache:
            self.phase_image.layout.display = "none"
            return None
        if self.play.playing:
            return None
        self.phase_image.layout.display = None
        surf = self._surface
        hyper = {k: v for k, v in settings["optimizers"][name].items() if k != "enabled"}
        xname, yname = phase["x"], phase["y"]
        fixed = {k: v for k, v in hyper.items() if k not in (xname, yname)}
        res = phase["resolution"]
        if surf.minibatch_grad is not None:  # every cell sums over all examples
            budget = 4e8 / max(len(surf.features) * max(settings["steps"], 1), 1)
            res = max(8, min(res, int(math.sqrt(budget))))
        key = json.dumps([self._surface_key, name, fixed, xname, yname, phase["metric"], res,
                          settings["steps"], settings["start"], settings["tol"],
                          settings["clip"], settings["schedule"]], sort_keys=True)
        if key != self._phase_key:
            schedule = (None if settings["schedule"] is None
                        else _schedules.from_config(dict(settings["schedule"])))
            transform, _ = make_transform(surf, None, settings["clip"])
            self._phase = phase_diagram(
                surf, name, x=(xname, *self._phase_range(name, xname)),
                y=(yname, *self._phase_range(name, yname)), metric=phase["metric"],
                resolution=res, steps=settings["steps"], start=settings["start"],
                tol=settings["tol"], fixed=fixed, schedule=schedule, transform=transform)
            self._phase_key = key
            self._phase_mark_key = None
        mark = (hyper[xname], hyper[yname])
        if (key, mark) != self._phase_mark_key:
            fs = self._fs
            fig = _fig_canvas((6.4, 4.4) if not self._presenter else (8.0, 5.6))
            fig.set_layout_engine("constrained")  # room for the footer below the x label
            ax = fig.add_subplot()
            self._phase.plot(ax, mark=mark, fontsize=fs)
            self.phase_image.value = _png(fig)
            self._phase_mark_key = (key, mark)
        return None

    def _phase_range(self, name: str, param: str) -> tuple[float, float, bool]:
        spec = self._specs[name][param]
        if param == _lr_key(name):
            demo = demo_hyperparameters(self._surface.name, name)[param]
            lo, hi = max(spec.low, demo / 100.0), min(spec.high, demo * 30.0)
            return lo, hi, True
        if param in ("momentum", "beta_1", "rho"):
            return 0.0, 0.99, False
        if param == "beta_2":
            return 0.5, 0.9999, False
        return float(spec.low), float(spec.high), bool(spec.log and spec.low > 0)

    # ----------------------------------------------------------------- rendering
    def render(self) -> bytes:
        """Draw the current frame and return it as PNG bytes (also shown in ``image``)."""
        self._render()
        return bytes(self.image.value)

    def _render(self) -> None:
        if self._backend == "ipympl":
            self.figure.canvas.draw_idle()
            return
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
        self.image.value = _encode_png(canvas)

    def snapshot(self, path: str | Path | None = None) -> bytes:
        """PNG bytes of the current frame, also written to ``path`` if given."""
        data = self.render() if self._backend != "ipympl" else _png(self.figure)
        if path is not None:
            Path(path).write_bytes(data)
        return data

    # ----------------------------------------------------------------- exports
    def race(self, *, frames: int = 60, fps: float = 12.0) -> Race:
        """The current setup as a :class:`Race` (noise, clipping and schedule left out)."""
        settings = self._settings()
        enabled = self._enabled()
        if not enabled:
            raise ValueError("select at least one optimizer to race")
        hyper = {n: {k: v for k, v in settings["optimizers"][n].items() if k != "enabled"}
                 for n in enabled}
        return Race(self._surface, enabled, settings["steps"], start=settings["start"],
                    frames=frames, fps=fps, presenter=self._presenter, hyper=hyper)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        surf = self._surface.name if self._surface is not None else "?"
        return f"<Explorer {surf}: {', '.join(self._enabled()) or 'no optimizer'}>"


def _encode_png(canvas: FigureCanvasAgg) -> bytes:
    """The Agg buffer as a PNG (fast zlib level, no alpha channel)."""
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    image = image.convert("RGB")  # the figure is opaque; RGB encodes faster
    buf = io.BytesIO()
    image.save(buf, format="png", compress_level=1)
    return buf.getvalue()


def _stack(states: Sequence[Any], field: str) -> np.ndarray:
    return np.array([np.asarray(getattr(s, field), dtype=float) for s in states])


def _inside_series(name: str, entry: Mapping[str, Any], surf: _surfaces.Surface) -> dict:
    traj = entry["traj"]
    hyper = entry["hyper"]
    states = [s[-1] if type(s) is tuple else s for s in traj.states]
    steps = traj.steps
    k = np.arange(steps + 1)
    t = k[:, None].astype(float)
    base_lr = None
    if "learning_rate" in hyper:
        lr = hyper["learning_rate"]
        counts = np.maximum(k - 1, 0)
        base = (lr * np.asarray(entry["schedule"](counts), dtype=float)
                if entry["schedule"] is not None else np.full(steps + 1, float(lr)))
        base_lr = base.astype(float)
        base_lr[0] = np.nan
    lrk = base_lr[:, None] if base_lr is not None else None
    eps = hyper.get("epsilon", 0.0)
    rows: list[tuple[str, np.ndarray]] = []
    velocity = lookahead = None
    label = "effective learning rate"
    with np.errstate(all="ignore"):
        if name in ("sgd", "momentum", "nesterov", "nesterov_lookahead"):
            eff = np.broadcast_to(lrk, (steps + 1, 2)).copy()
            if hasattr(states[0], "velocity"):
                velocity = _stack(states, "velocity")
                rows.append(("velocity v", velocity))
                if name == "nesterov_lookahead":
                    lookahead = traj.points + hyper["momentum"] * velocity
                    rows.append(("look-ahead θ + μv", lookahead))
        elif name in ("adagrad", "adagrad_textbook"):
            r = _stack(states, "accumulator")
            rows.append(("r = Σ g²", r))
            eff = lrk / np.sqrt(r + eps) if name == "adagrad" else lrk / (eps + np.sqrt(r))
        elif name == "rmsprop":
            r = _stack(states, "square_avg")
            rows.append(("√r (RMS of g)", np.sqrt(r)))
            denom = r + eps
            if states[0].grad_avg is not None:
                gbar = _stack(states, "grad_avg")
                denom = r - gbar * gbar + eps
                rows.append(("mean gradient ḡ", gbar))
            eff = lrk / np.sqrt(denom)
            if states[0].velocity is not None:
                velocity = -_stack(states, "velocity")
                rows.append(("velocity v", velocity))
        elif name == "rmsprop_nesterov":
            r = _stack(states, "square_avg")
            rows.append(("√r (RMS of g)", np.sqrt(r)))
            eff = lrk / np.sqrt(eps + r)
            velocity = _stack(states, "velocity")
            rows.append(("velocity v", velocity))
            lookahead = traj.points + hyper["momentum"] * velocity
            rows.append(("look-ahead θ + μv", lookahead))
        elif name == "adadelta":
            eg, ed = _stack(states, "accum_grad"), _stack(states, "accum_delta")
            rows += [("RMS[g]", np.sqrt(eg + eps)), ("RMS[Δθ]", np.sqrt(ed + eps))]
            prev = np.concatenate([ed[:1], ed[:-1]])
            eff = lrk * np.sqrt(prev + eps) / np.sqrt(eg + eps)
        elif name in ("adam", "nadam"):
            m, v = _stack(states, "m"), _stack(states, "v")
            b1, b2 = hyper["beta_1"], hyper["beta_2"]
            if name == "adam" and hyper.get("amsgrad"):
                v = _stack(states, "v_hat")
            c1, c2 = 1.0 - b1**t, 1.0 - b2**t
            m_hat, v_hat = m / c1, v / c2
            rows += [("m̂ (mean of g)", m_hat), ("√v̂ (RMS of g)", np.sqrt(v_hat))]
            if name == "adam":
                eff = lrk / (np.sqrt(v_hat) + eps / np.sqrt(c2))
            else:
                eff = lrk / (np.sqrt(v_hat) + eps)
        elif name == "adamax":
            m, u = _stack(states, "m"), _stack(states, "u")
            rows += [("m̂ (mean of g)", m / (1.0 - hyper["beta_1"] ** t)), ("u (max |g|)", u)]
            eff = lrk / (u + eps)
        elif name == "rprop":
            eff = _stack(states, "step_size")
            label = "step size U"
            rows.append(("step size U", eff))
        else:  # Newton's methods and anything new: the ratio of step to gradient
            g_prev = surf.grad(traj.points[:-1] if traj.eval_points is None
                               else traj.eval_points)
            step = np.abs(np.diff(traj.points, axis=0))
            eff = np.concatenate([np.full((1, 2), np.nan), step / np.abs(g_prev)])
            label = "|Δθ| / |g|"
        eff = np.array(eff, dtype=float)
        eff[0] = np.nan
        eff = np.where(np.isfinite(eff) & (eff > 0), eff, np.nan)
        d = entry["d"]
        if d >= 0:
            eff[d:] = np.nan
        grads = surf.grad(traj.points)
    rows = [("θ", traj.points), ("∇f(θ)", grads), *rows]
    return {"eff": eff, "eff_label": label, "base_lr": base_lr, "rows": rows,
            "velocity": velocity, "lookahead": lookahead}


def _fmt(v: float) -> str:
    return "—" if not np.isfinite(v) else f"{v:.3g}"


def _inside_html(name: str, k: int, entry: Mapping[str, Any], series: Mapping[str, Any],
                 alive: bool, presenter: bool) -> str:
    size = "1.2em" if presenter else "0.9em"
    if not alive:
        return (f"<div style='font-size:{size}'><b>Inside {html.escape(_label(name))}</b>: "
                f"the path diverged at step {entry['d']}; move the step scrubber back.</div>")
    rows = []
    for label, values in series["rows"]:
        x, y = values[k]
        rows.append(f"<tr><td>{html.escape(label)}</td><td>{_fmt(x)}</td><td>{_fmt(y)}</td></tr>")
    ex, ey = series["eff"][k]
    rows.append(f"<tr><td>{html.escape(series['eff_label'])}</td><td>{_fmt(ex)}</td>"
                f"<td>{_fmt(ey)}</td></tr>")
    w = entry["eig"][k] if k < len(entry["eig"]) else (np.nan, np.nan)
    rows.append(f"<tr><td>Hessian eigenvalues λ</td><td>{_fmt(w[0])}</td><td>{_fmt(w[1])}</td>"
                "</tr>")
    kappa = entry["cond"][k] if k < len(entry["cond"]) else np.nan
    rows.append(f"<tr><td>condition number κ</td><td colspan='2'>{_fmt(kappa)}</td></tr>")
    legend = ("Map: black arrow = the next step; grey bands = the Hessian's eigen-directions "
              "(longer = flatter; red = negative curvature)")
    if series["velocity"] is not None:
        legend += "; white arrow = the velocity v"
    if series["lookahead"] is not None:
        legend += "; ring = the look-ahead point where the gradient is taken"
    return (f"<div style='font-size:{size}'><b>Inside {html.escape(_label(name))} at step "
            f"{k}</b><table cellpadding='2' style='border-collapse:collapse'>"
            f"<tr style='border-bottom:1px solid #999'><th></th><th>x</th><th>y</th></tr>"
            + "".join(rows) + f"</table><small>{legend}.</small></div>")


def explore(surface: Any = "ravine", optimizers: Sequence[str] = ("sgd", "momentum", "adam"),
            config: Any = None, **initial: Any) -> Explorer:
    """Open the trajectory explorer.

    Parameters
    ----------
    surface : a surface name (:func:`course_utils.surfaces.names`) or Surface.
    optimizers : the optimizers enabled at first.
    config : a setup from :meth:`Explorer.state` (JSON text or dict) to restore exactly; then
        ``surface`` and ``optimizers`` are ignored. It is read with ``json.loads`` only; an
        unknown key or a bad value raises ``ValueError`` naming it.
    **initial : settings on top: hyperparameters per optimizer (``adam={"learning_rate":
        0.05}``, which also enables it), surface parameters by name (``condition=100``),
        ``steps``, ``start=(x, y)``, ``tol``, ``noise={...}``, ``clip={"mode": "norm",
        "threshold": 1.0}``, ``schedule={"name": "step_decay", ...}``, ``step``, ``inspect``,
        ``speed``, ``phase={...}``, ``presenter=True`` (large fonts for a projector),
        ``backend="auto" | "image" | "ipympl"``.

    Returns
    -------
    Explorer
        Display it (last expression of a cell); ``app.state()`` gives the setup as JSON.
    """
    presenter = initial.pop("presenter", None)
    backend = initial.pop("backend", "auto")
    return Explorer(surface, optimizers, config=config, presenter=presenter, backend=backend,
                    **initial)
