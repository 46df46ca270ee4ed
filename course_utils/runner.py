"""Run optimizers on surfaces: whole trajectories (:func:`run`) or grid sweeps (:func:`sweep`).

Divergence
----------
A trajectory *diverges* at step ``k`` when its point ``k`` is not finite or lies far
outside the surface's plot box: more than ``escape`` half-widths from the box centre in
some coordinate (``escape=10`` by default, i.e. about five box widths beyond the edge).
``diverged_at`` holds that ``k`` (``-1`` if it never happens). From then on the trajectory
stays frozen at its last finite point. (The optimizer state of a diverged trajectory keeps
being updated, since the batch is stepped as a whole; its recorded states after ``k`` are
meaningless.)
No numpy overflow or invalid-value warnings reach the user: a diverging run is a result,
not an error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validate import check_int, check_real
from .optimizers import GradientTransformation, chain

__all__ = ["Trajectory", "SweepResult", "extend", "run", "sweep"]


@dataclass(frozen=True)
class Trajectory:
    """The history of one run (or a batch of runs).

    Attributes
    ----------
    points : (steps + 1, *batch, 2) positions, ``points[0]`` is the start.
    losses : (steps + 1, *batch) ``f`` at each point.
    grad_norms : (steps + 1, *batch) norm of the exact gradient at each point.
    diverged_at : (*batch) int, first diverged step or -1.
    grads : (steps + 1, *batch, 2) the exact gradient at each point.
    eval_points : (steps, *batch, 2) where the optimizer's gradient was taken
        (the look-ahead point for textbook Nesterov), or ``None`` when that is the point.
    states : list of the optimizer states after 0, 1, ..., steps updates
        (only with ``record_states=True``), else ``None``.
    optimizer, surface : names, for labels.
    """

    points: np.ndarray
    losses: np.ndarray
    grad_norms: np.ndarray
    diverged_at: np.ndarray
    grads: np.ndarray | None = None
    eval_points: np.ndarray | None = None
    states: list | None = None
    optimizer: str = ""
    surface: str = ""

    @property
    def steps(self) -> int:
        return self.points.shape[0] - 1

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_at >= 0

    def first(self, steps: int) -> Trajectory:
        """The trajectory after its first ``steps`` updates, exactly as ``run`` would have
        recorded it with that many steps (a divergence later than ``steps`` is forgotten)."""
        steps = check_int("steps", steps, low=0, high=self.steps)
        d = np.where(self.diverged_at > steps, -1, self.diverged_at)
        return Trajectory(
            points=self.points[: steps + 1], losses=self.losses[: steps + 1],
            grad_norms=self.grad_norms[: steps + 1], diverged_at=d,
            grads=None if self.grads is None else self.grads[: steps + 1],
            eval_points=None if self.eval_points is None else self.eval_points[:steps],
            states=None if self.states is None else self.states[: steps + 1],
            optimizer=self.optimizer, surface=self.surface)

    def status(self) -> str | list:
        """'ok', or 'diverged at step k', per trajectory (nested like the batch)."""
        texts = np.where(
            self.diverged_at >= 0,
            np.char.add("diverged at step ", self.diverged_at.astype(str)),
            "ok",
        )
        return texts.tolist() if texts.ndim else str(texts)


@dataclass(frozen=True)
class SweepResult:
    """Final outcome of every trajectory of a grid, without history.

    Attributes
    ----------
    final_points : (*batch, 2); final_losses : (*batch);
    diverged_at : (*batch) int, -1 if never;
    steps_to_tol : (*batch) int, first step with ``loss - f_min <= tol`` before any
        divergence, -1 if never; tol : the tolerance used.
    """

    final_points: np.ndarray
    final_losses: np.ndarray
    diverged_at: np.ndarray
    steps_to_tol: np.ndarray
    tol: float


def _surface_box(surface: Any) -> tuple[np.ndarray, np.ndarray]:
    lo = np.array([surface.xlim[0], surface.ylim[0]], dtype=np.float64)
    hi = np.array([surface.xlim[1], surface.ylim[1]], dtype=np.float64)
    return (lo + hi) / 2.0, (hi - lo) / 2.0


def _prepare(
    opt: GradientTransformation,
    surface: Any,
    start: Any,
    steps: Any,
    transform: GradientTransformation | None,
    escape: Any,
) -> tuple[GradientTransformation, np.ndarray, int, float]:
    if not isinstance(opt, GradientTransformation):
        raise ValueError(
            f"opt must be an optimizer built by course_utils.optimizers (e.g. sgd(0.1)), "
            f"got {type(opt).__name__}"
        )
    if transform is not None:
        if not isinstance(transform, GradientTransformation):
            raise ValueError(f"transform must be a GradientTransformation, got {transform!r}")
        opt = chain(transform, opt)
    steps = check_int("steps", steps, low=0)
    escape = float(check_real("escape", escape, low=1.0))
    if start is None:
        start = surface.start
    p0 = np.asarray(start, dtype=np.float64)
    if p0.ndim == 0 or p0.shape[-1] != 2:
        raise ValueError(f"start must have shape (2,), (N, 2) or (H, W, 2), got {p0.shape}")
    try:
        batch = np.broadcast_shapes(p0.shape[:-1], opt.batch_shape)
    except ValueError:
        raise ValueError(
            f"start of shape {p0.shape} does not broadcast against the optimizer's "
            f"hyperparameter grid of shape {opt.batch_shape}"
        ) from None
    p0 = np.broadcast_to(p0, (*batch, 2)).copy()
    return opt, p0, steps, escape


def _norm(g: np.ndarray) -> np.ndarray:
    return np.sqrt(np.sum(g * g, axis=-1))


def run(
    opt: GradientTransformation,
    surface: Any,
    start: Any = None,
    steps: int = 100,
    *,
    transform: GradientTransformation | None = None,
    seed: int | None = None,
    batch_size: int | None = None,
    record_states: bool = False,
    escape: float = 10.0,
) -> Trajectory:
    """Run ``opt`` on ``surface`` for ``steps`` updates and keep the whole history.

    Parameters
    ----------
    opt : an optimizer from :mod:`course_utils.optimizers` (a hyperparameter grid is fine).
    surface : a :class:`course_utils.surfaces.Surface`.
    start : (2,), (N, 2) or (H, W, 2) start points; default ``surface.start``.
    steps : number of updates (0 is allowed).
    transform : a gradient transformation applied first, e.g. ``clip_by_norm(1.0)``.
    seed, batch_size : with ``batch_size`` the gradient is a real minibatch gradient
        (``surface.minibatch_grad``; only data-based surfaces have one), drawn with
        ``numpy.random.default_rng(seed)``. On analytic surfaces use
        ``transform=add_noise(...)`` instead.
    record_states : keep every optimizer state (for "inside the optimizer" views).
    escape : divergence threshold in half-widths of the plot box (see the module doc).
    """
    opt, p, steps, escape = _prepare(opt, surface, start, steps, transform, escape)
    minibatch: Callable | None = None
    if batch_size is not None:
        batch_size = check_int("batch_size", batch_size, low=1)
        minibatch = getattr(surface, "minibatch_grad", None)
        if minibatch is None:
            raise ValueError(
                f"surface {surface.name!r} has no data, so batch_size cannot apply; "
                "use transform=add_noise(stddev, batch_size) to mimic minibatch noise"
            )
    return _history(opt, surface, p, steps, escape=escape, record_states=record_states,
                    minibatch=minibatch, batch_size=batch_size,
                    rng=np.random.default_rng(seed))


def extend(traj: Trajectory, opt: GradientTransformation, surface: Any, steps: int, *,
           transform: GradientTransformation | None = None,
           escape: float = 10.0) -> Trajectory:
    """``traj`` continued to ``steps`` updates: the same as ``run`` with ``steps`` from the start.

    ``traj`` must come from ``run(opt, surface, ..., transform=transform, escape=escape,
    record_states=True)`` with these same arguments (its last state is where the run goes
    on; noise from ``add_noise`` continues too, as it is a function of the step count). Only
    the new steps are computed, which is what the explorer's steps slider needs. A smaller
    ``steps`` gives ``traj.first(steps)``. Runs with ``batch_size`` (real minibatches, drawn
    from a generator that is not recorded) cannot be continued: run them again.
    """
    if traj.states is None:
        raise ValueError("extend needs a trajectory recorded with record_states=True")
    opt, p, steps, escape = _prepare(opt, surface, traj.points[0], steps, transform, escape)
    if steps <= traj.steps:
        return traj.first(steps)
    return _history(opt, surface, p, steps, escape=escape, record_states=True, prefix=traj)


def _history(opt: GradientTransformation, surface: Any, p: np.ndarray, steps: int, *,
             escape: float, record_states: bool, minibatch: Callable | None = None,
             batch_size: int | None = None, rng: Any = None,
             prefix: Trajectory | None = None) -> Trajectory:
    """The loop of :func:`run`, from the start or from the end of ``prefix``."""
    centre, half = _surface_box(surface)
    limit = escape * half
    batch = p.shape[:-1]

    points = np.empty((steps + 1, *batch, 2))
    grads = np.empty((steps + 1, *batch, 2))
    eval_points = np.empty((steps, *batch, 2)) if opt.eval_point is not None else None

    with np.errstate(all="ignore"):
        if prefix is None:
            k0 = 0
            diverged_at = np.full(batch, -1, dtype=np.int64)
            state = opt.init(p)
            states = [state] if record_states else None
            alive = np.all(np.abs(p - centre) <= limit, axis=-1)
            diverged_at[~alive] = 0
            g_here = surface.grad(p)
            points[0], grads[0] = p, g_here
        else:
            k0 = prefix.steps
            points[: k0 + 1], grads[: k0 + 1] = prefix.points, prefix.grads
            if eval_points is not None:
                eval_points[:k0] = prefix.eval_points
            diverged_at = np.array(prefix.diverged_at, dtype=np.int64)
            alive = diverged_at < 0
            states = list(prefix.states)
            state = states[-1]
            p, g_here = points[k0].copy(), grads[k0].copy()
        all_alive = bool(alive.all())
        for k in range(k0 + 1, steps + 1):
            q = p if opt.eval_point is None else opt.eval_point(p, state)
            if eval_points is not None:
                eval_points[k - 1] = q
            if minibatch is not None:
                g = minibatch(q, batch_size, rng)
            elif q is p:
                g = g_here
            else:
                g = surface.grad(q)
            extra = {"hessian": surface.hess(q)} if opt.needs_hessian else {}
            updates, state = opt.update(g, state, p, **extra)
            new = p + updates
            ok = (np.abs(new - centre) <= limit).all(-1)
            if all_alive and ok.all():  # the common case: nothing diverges
                p = new
            else:
                newly = alive & ~ok
                diverged_at[newly] = k
                # a newly diverged point is kept if finite (it shows where the step went),
                # then the trajectory is frozen there
                move = alive & (ok | np.isfinite(new).all(-1))
                p = np.where(move[..., None], new, p)
                alive &= ok
                all_alive = bool(alive.all())
            g_here = surface.grad(p)
            points[k], grads[k] = p, g_here
            if states is not None:
                states.append(state)
        # one vectorized evaluation for the whole history
        losses = surface.f(points)
        grad_norms = _norm(grads)

    return Trajectory(
        points=points,
        losses=losses,
        grad_norms=grad_norms,
        diverged_at=diverged_at,
        grads=grads,
        eval_points=eval_points,
        states=states,
        optimizer=opt.name,
        surface=getattr(surface, "name", ""),
    )


def sweep(
    opt: GradientTransformation,
    surface: Any,
    start: Any = None,
    steps: int = 100,
    *,
    tol: float = 1e-6,
    transform: GradientTransformation | None = None,
    escape: float = 10.0,
) -> SweepResult:
    """Run a whole grid of trajectories at once and keep only their outcomes.

    The grid comes from array-valued hyperparameters (``sgd(learning_rate=lr_grid,
    momentum=mu_grid)``) and/or an array of start points; one vectorized run covers it.
    ``steps_to_tol`` counts the first step at which ``loss - surface.f_min <= tol``.
    """
    opt, p, steps, escape = _prepare(opt, surface, start, steps, transform, escape)
    tol = float(check_real("tol", tol, low=0.0))
    if opt.needs_hessian:
        def extra_for(q: np.ndarray) -> dict:
            return {"hessian": surface.hess(q)}
    else:
        def extra_for(q: np.ndarray) -> dict:
            return {}

    centre, half = _surface_box(surface)
    inv_limit = 1.0 / (escape * half)
    threshold = surface.f_min + tol
    batch = p.shape[:-1]
    steps_to_tol = np.full(batch, -1, dtype=np.int64)
    diverged_at = np.full(batch, -1, dtype=np.int64)
    frozen = p.copy()

    def outside(x: np.ndarray) -> np.ndarray:
        # per coordinate: numpy is slow on a last axis of length 2 with broadcasting
        dx = np.abs(x[..., 0] - centre[0]) * inv_limit[0]
        dy = np.abs(x[..., 1] - centre[1]) * inv_limit[1]
        return ~(np.maximum(dx, dy) <= 1.0)

    with np.errstate(all="ignore"):
        state = opt.init(p)
        alive = ~outside(p)
        diverged_at[~alive] = 0
        hit = alive & (surface.f(p) <= threshold)
        steps_to_tol[hit] = 0
        for k in range(1, steps + 1):
            q = p if opt.eval_point is None else opt.eval_point(p, state)
            updates, state = opt.update(surface.grad(q), state, p, **extra_for(q))
            new = p + updates
            bad = outside(new)
            newly = bad & alive
            if newly.any():
                diverged_at[newly] = k
                finite = np.all(np.isfinite(new[newly]), axis=-1)
                frozen[newly] = np.where(finite[:, None], new[newly], p[newly])
                alive &= ~bad
            p = new
            unset = steps_to_tol < 0
            hit = unset & alive & (surface.f(p) <= threshold)
            steps_to_tol[hit] = k
        final = np.where(alive[..., None], p, frozen)
        final_losses = surface.f(final)

    return SweepResult(
        final_points=final,
        final_losses=final_losses,
        diverged_at=diverged_at,
        steps_to_tol=steps_to_tol,
        tol=tol,
    )


# --------------------------------------------------------------------------- drawing a path
# Numpy only, for the explorer's headless model and for plotting: which part of a diverged
# path to draw, and where its ✕ goes on the edge of the plot box.


def exit_point(inside: Any, outside: Any, xlim: Sequence[float],
               ylim: Sequence[float]) -> np.ndarray:
    """Where the segment from ``inside`` towards ``outside`` leaves the box ``xlim x ylim``.

    If ``inside`` is itself outside the box, or ``outside`` is not finite (the direction is
    unknown), the answer is ``inside`` clamped to the box. If ``outside`` lies in the box the
    answer is ``outside``. Used to draw a diverged path up to the edge of the plot.
    """
    p = np.asarray(inside, dtype=float)
    q = np.asarray(outside, dtype=float)
    lo = np.array([xlim[0], ylim[0]], dtype=float)
    hi = np.array([xlim[1], ylim[1]], dtype=float)
    clamped = np.clip(p, lo, hi) if np.all(np.isfinite(p)) else lo + (hi - lo) / 2
    if not (np.all(np.isfinite(p)) and np.all(np.isfinite(q))):
        return clamped
    if np.any(p < lo) or np.any(p > hi):
        return clamped
    if np.all(q >= lo) and np.all(q <= hi):
        return q.copy()
    d = q - p
    t = 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        for axis in range(2):
            if d[axis] > 0:
                t = min(t, (hi[axis] - p[axis]) / d[axis])
            elif d[axis] < 0:
                t = min(t, (lo[axis] - p[axis]) / d[axis])
    return np.clip(p + max(t, 0.0) * d, lo, hi)


def drawn_path(points: np.ndarray, diverged_at: int, xlim: Sequence[float],
               ylim: Sequence[float]) -> tuple[np.ndarray, np.ndarray | None]:
    """The polyline to draw for one trajectory, and where to put its ✕ (or ``None``).

    A trajectory that never diverged (``diverged_at < 0``) is drawn as it is. A diverged one
    (see :func:`course_utils.run`) is drawn up to its last point before divergence and then
    to the edge of the plot box along its last step; the ✕ goes on that edge point. Huge or
    non-finite coordinates never reach the renderer.
    """
    pts = np.asarray(points, dtype=float)
    if diverged_at < 0:
        return pts, None
    k = int(diverged_at)
    if k == 0:
        cross = exit_point(pts[0], pts[0], xlim, ylim)
        return pts[:0], cross
    before = pts[:k]
    edge = exit_point(pts[k - 1], pts[k], xlim, ylim)
    inside_box = (xlim[0] <= pts[k - 1, 0] <= xlim[1]) and (ylim[0] <= pts[k - 1, 1] <= ylim[1])
    if inside_box and not np.array_equal(edge, pts[k - 1]):
        return np.concatenate([before, edge[None]]), edge
    return before, edge
