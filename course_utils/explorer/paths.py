"""One optimizer's path as the explorer and the races draw it (:class:`PathData`).

:func:`path_data` derives from a :class:`~course_utils.Trajectory` everything the figures show:
the polyline to draw (a diverged path stops at the edge of the plot box, where its ✕ goes),
the loss gap ``f - f*``, the gradient norm and the Hessian's eigen-decomposition along the
path. :func:`show_step` puts one path's artists in the state they have after ``k`` steps.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..runner import Trajectory, drawn_path

__all__ = ["PathData", "PathArtists", "loss_gap", "path_data", "show_step"]


def loss_gap(losses: np.ndarray, f_min: float, diverged_at: int) -> np.ndarray:
    """``f - f_min`` up to the divergence (NaN after it), floored at 1e-300 for log axes."""
    with np.errstate(invalid="ignore", over="ignore"):
        gap = np.asarray(losses, dtype=float) - f_min
    gap = np.where(np.isfinite(gap), np.maximum(gap, 1e-300), np.nan)
    if diverged_at >= 0:
        gap[int(diverged_at):] = np.nan
    return gap


@dataclasses.dataclass(frozen=True, eq=False)
class PathData:
    """One optimizer's run on the explorer's surface, with what the figures draw of it.

    Attributes
    ----------
    name : the optimizer.
    key : the inputs it was computed from (JSON text); equal keys mean an equal run.
    trajectory : the :class:`~course_utils.Trajectory` (states recorded).
    hyper : the hyperparameters it ran with (without a schedule).
    schedule : the schedule shape multiplying the learning rate, or ``None``.
    xy : (n, 2) the polyline to draw: the points up to the divergence, then the exit point.
    exit : (2,) where a diverged path leaves the plot box (its ✕), or ``None``.
    diverged_at : the step at which it diverged, or -1.
    gap : (steps + 1,) ``f - f*`` (NaN after the divergence, at least 1e-300).
    grad_norm : (steps + 1,) ``‖∇f‖`` (NaN after the divergence, at least 1e-300).
    condition : (n,) ``|λ|max / |λ|min`` of the Hessian at each point before the divergence.
    eigenvalues, eigenvectors : (n, 2) and (n, 2, 2), the Hessian's eigen-decomposition there.
    """

    name: str
    key: str
    trajectory: Trajectory
    hyper: Mapping[str, Any]
    schedule: Any
    xy: np.ndarray
    exit: np.ndarray | None
    diverged_at: int
    gap: np.ndarray
    grad_norm: np.ndarray
    condition: np.ndarray
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray

    def alive(self, k: int) -> bool:
        """Whether the path has not diverged yet after ``k`` steps."""
        return self.diverged_at < 0 or k < self.diverged_at

    def steps_to_tol(self, f_min: float, tol: float) -> int:
        """First step with ``loss - f_min <= tol`` before any divergence, or -1 (as ``sweep``)."""
        losses = self.trajectory.losses
        end = len(losses) if self.diverged_at < 0 else self.diverged_at
        with np.errstate(invalid="ignore"):
            hit = np.flatnonzero(losses[:end] <= f_min + tol)
        return int(hit[0]) if hit.size else -1


def path_data(name: str, key: str, trajectory: Trajectory, hyper: Mapping[str, Any],
              schedule: Any, surface: Any) -> PathData:
    """Derive the drawn path, loss gap, gradient norm and curvature of one run."""
    d = int(trajectory.diverged_at)
    xy, exit_ = drawn_path(trajectory.points, d, surface.xlim, surface.ylim)
    alive = slice(None) if d < 0 else slice(0, d)
    with np.errstate(all="ignore"):
        points = trajectory.points
        grad_norm = np.where(np.isfinite(trajectory.grad_norms), trajectory.grad_norms, np.nan)
        grad_norm = np.maximum(grad_norm, 1e-300)
        eigenvalues, eigenvectors = np.linalg.eigh(np.nan_to_num(surface.hess(points[alive])))
        magnitudes = np.abs(eigenvalues)
        condition = magnitudes.max(axis=-1) / magnitudes.min(axis=-1)
    condition = np.where(np.isfinite(condition), condition, np.nan)
    if d >= 0:
        grad_norm = grad_norm.copy()
        grad_norm[d:] = np.nan
    return PathData(name=name, key=key, trajectory=trajectory, hyper=dict(hyper),
                    schedule=schedule, xy=xy, exit=exit_, diverged_at=d,
                    gap=loss_gap(trajectory.losses, surface.f_min, d), grad_norm=grad_norm,
                    condition=condition, eigenvalues=eigenvalues, eigenvectors=eigenvectors)


@dataclasses.dataclass(frozen=True)
class PathArtists:
    """The matplotlib artists of one path: line, current point, ✕ and loss curve."""

    line: Any
    point: Any
    cross: Any
    loss: Any

    def all(self) -> tuple:
        return self.line, self.point, self.cross, self.loss


def show_step(artists: PathArtists, data: PathData, k: int) -> None:
    """Show a path (line, current point, ✕, loss curve) as it is after ``k`` steps."""
    xy = data.xy
    alive = data.alive(k)
    n = k + 1 if alive else len(xy)
    artists.line.set_data(xy[:n, 0], xy[:n, 1])
    if alive and k < len(xy):
        artists.point.set_data([xy[k, 0]], [xy[k, 1]])
        artists.point.set_visible(True)
    else:
        artists.point.set_visible(False)
    if data.exit is not None and not alive:
        artists.cross.set_data([data.exit[0]], [data.exit[1]])
        artists.cross.set_visible(True)
    else:
        artists.cross.set_visible(False)
    m = min(k + 1, len(data.gap))
    artists.loss.set_data(np.arange(m), data.gap[:m])

