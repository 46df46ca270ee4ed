"""The "inside the optimizer" series along a path: effective learning rates and state.

What an optimizer's state *means* belongs to the optimizer: its registration may give an
``inside(points, states, hyper, learning_rate) -> optimizers.Inside`` function
(``optimizers.info(name).inside``). This module adds the generic parts: the learning rate
actually used at each step (schedule included), NaN at step 0 and after a divergence, the
θ and ∇f rows, and, for optimizers without an ``inside`` function (Newton's methods, anything
newly registered), the ratio ``|Δθ| / |g|`` of step to gradient.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from .. import optimizers as _optimizers
from .paths import PathData

__all__ = ["InsideSeries", "inside_series"]


@dataclasses.dataclass(frozen=True, eq=False)
class InsideSeries:
    """The "inside the optimizer" quantities of one path, one row per point.

    Attributes
    ----------
    effective_lr : (steps + 1, 2) the effective learning rate per coordinate of the step that
        arrived at each point (NaN at step 0, after a divergence and where not positive): for
        the SGD family the learning rate itself; for adaptive methods the factor multiplying
        their (averaged) gradient, e.g. Adam's ``ε / (√v̂ + ε̂)`` on ``m̂``; Rprop's step size
        ``U``; otherwise ``|Δθᵢ| / |gᵢ|``.
    label : what ``effective_lr`` is (``"effective learning rate"``, ``"step size U"``).
    learning_rate : (steps + 1,) the learning rate used (schedule included; NaN at step 0),
        or ``None`` for an optimizer without one.
    rows : ``((label, (steps + 1, 2) array), ...)`` for the table: θ, ∇f(θ), then the
        optimizer's own (m̂, √v̂, the velocity, ...).
    velocity : (steps + 1, 2) a displacement-like momentum, or ``None``.
    lookahead : (steps + 1, 2) the look-ahead point where the gradient is taken, or ``None``.
    """

    effective_lr: np.ndarray
    label: str
    learning_rate: np.ndarray | None
    rows: tuple[tuple[str, np.ndarray], ...]
    velocity: np.ndarray | None
    lookahead: np.ndarray | None


def _learning_rates(path: PathData, steps: int) -> np.ndarray | None:
    """The learning rate of each step (the one that arrived at point k), NaN at step 0."""
    if "learning_rate" not in path.hyper:
        return None
    lr = path.hyper["learning_rate"]
    k = np.arange(steps + 1)
    if path.schedule is not None:
        rates = lr * np.asarray(path.schedule(np.maximum(k - 1, 0)), dtype=float)
    else:
        rates = np.full(steps + 1, float(lr))
    rates = rates.astype(float)
    rates[0] = np.nan
    return rates


def _step_over_gradient(path: PathData, surface: Any) -> _optimizers.Inside:
    """The fallback: ``|Δθ| / |g|``, with g the gradient that made each step."""
    traj = path.trajectory
    g_prev = surface.grad(traj.points[:-1] if traj.eval_points is None else traj.eval_points)
    step = np.abs(np.diff(traj.points, axis=0))
    ratio = np.concatenate([np.full((1, traj.points.shape[-1]), np.nan), step / np.abs(g_prev)])
    return _optimizers.Inside(ratio, label="|Δθ| / |g|")


def inside_series(path: PathData, surface: Any) -> InsideSeries:
    """The "inside the optimizer" series of one computed path on ``surface``."""
    traj = path.trajectory
    states = [s[-1] if type(s) is tuple else s for s in traj.states]  # unwrap chain()
    rates = _learning_rates(path, traj.steps)
    describe = _optimizers.info(path.name).inside
    with np.errstate(all="ignore"):
        if describe is not None:
            inside = describe(traj.points, states, dict(path.hyper), rates)
        else:
            inside = _step_over_gradient(path, surface)
        shape = traj.points.shape
        eff = np.array(np.broadcast_to(np.asarray(inside.effective_lr, dtype=float), shape))
        eff[0] = np.nan
        eff = np.where(np.isfinite(eff) & (eff > 0), eff, np.nan)
        if path.diverged_at >= 0:
            eff[path.diverged_at:] = np.nan
        grads = surface.grad(traj.points)
    rows = (("θ", traj.points), ("∇f(θ)", grads), *inside.rows)
    return InsideSeries(effective_lr=eff, label=inside.label, learning_rate=rates,
                        rows=tuple(rows), velocity=inside.velocity, lookahead=inside.lookahead)
