"""The :class:`Surface` type, the vectorization helpers and the search for stationary points."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate import check_int, check_real

# Evaluate the logistic surface on at most this many (point, example) pairs at a time
# (8 MB per float64 temporary), so that a 200 x 200 grid against thousands of examples
# stays far below 200 MB.
_CHUNK = 1 << 20


@dataclass(frozen=True, eq=False, repr=False)
class Surface:
    r"""A loss surface on the plane with its derivatives and plotting hints.

    Attributes
    ----------
    name : str
        The registry name (see :func:`names`).
    f, grad, hess : callable
        :math:`f(p)`, :math:`\nabla f(p)` and :math:`\nabla^2 f(p)` for points of shape
        ``(..., 2)``; they return shapes ``(...)``, ``(..., 2)`` and ``(..., 2, 2)``.
    xlim, ylim : (float, float)
        The plot box.
    start : ndarray, shape (2,)
        A default starting point inside the box, not stationary, chosen for a good demo.
    minima : ndarray, shape (k, 2)
        Known local minima inside the box (exact stationary points), the global one first.
        May be empty (shape ``(0, 2)``).
    saddles : ndarray, shape (j, 2)
        Known saddle points inside the box, possibly shape ``(0, 2)``.
    f_min : float
        The global minimum value, so that ``f(p) - f_min >= 0`` is the optimality gap. For a
        surface without a minimum (``saddle``) it is the minimum of ``f`` over the plot box.
    lesson : str
        One line: what the surface teaches.
    params : dict
        The parameters it was built with (all defaults filled in), for reproducibility.
    log_scale : bool
        Plotting hint: draw contour levels on a log scale of ``f - f_min``.
    minibatch_grad : callable or None
        Only for empirical risks (``logistic``): ``minibatch_grad(p, batch_size, rng)``.

    The arrays are read-only because surfaces are cached and shared: copy ``start`` before
    updating it in place.
    """

    name: str
    f: Callable[[Any], np.ndarray]
    grad: Callable[[Any], np.ndarray]
    hess: Callable[[Any], np.ndarray]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    start: np.ndarray
    minima: np.ndarray
    saddles: np.ndarray
    f_min: float
    lesson: str
    params: dict[str, Any]
    log_scale: bool
    minibatch_grad: Callable[..., np.ndarray] | None = None

    def contains(self, p: Any) -> np.ndarray:
        """Whether points of shape ``(..., 2)`` lie in the closed plot box; shape ``(...)``."""
        pts = _points(p)
        x, y = pts[..., 0], pts[..., 1]
        return (x >= self.xlim[0]) & (x <= self.xlim[1]) & (y >= self.ylim[0]) & (y <= self.ylim[1])

    def grid(self, n: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sample the surface on an ``n x n`` grid over the plot box.

        Returns ``X, Y, Z`` of shape ``(n, n)`` as from ``np.meshgrid(xs, ys)`` (rows follow
        ``y``), with ``Z = f(X, Y)``, ready for ``plt.contour(X, Y, Z)``.
        """
        n = check_int("n", n, low=2, high=4000)
        xs = np.linspace(self.xlim[0], self.xlim[1], n)
        ys = np.linspace(self.ylim[0], self.ylim[1], n)
        X, Y = np.meshgrid(xs, ys)
        Z = self.f(np.stack([X, Y], axis=-1))
        return X, Y, Z

    def hess_eigen(self, p: Any) -> tuple[np.ndarray, np.ndarray]:
        r"""Eigen-decomposition of the Hessian at points of shape ``(..., 2)``.

        Returns ``(w, v)`` from ``np.linalg.eigh``: eigenvalues ``w`` of shape ``(..., 2)`` in
        ascending order and unit eigenvectors as the columns of ``v``, shape ``(..., 2, 2)``,
        so that :math:`\nabla^2 f(p)\, v_{:, i} = w_i\, v_{:, i}`.
        """
        return np.linalg.eigh(self.hess(p))

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.params.items())
        return f"{type(self).__name__}({self.name!r}{args})"


# --------------------------------------------------------------------------------------------
# Vectorization helpers
# --------------------------------------------------------------------------------------------


def _points(p: Any) -> np.ndarray:
    """Points as a float64 array of shape ``(..., 2)``; ValueError otherwise."""
    try:
        arr = np.asarray(p, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"points must be a real array of shape (..., 2), got {type(p).__name__}"
        ) from None
    if arr.ndim == 0 or arr.shape[-1] != 2:
        raise ValueError(
            f"points must have shape (..., 2) (a single point has shape (2,)), "
            f"got shape {arr.shape}"
        )
    return arr


def _vectorize(fn: Callable[[np.ndarray, np.ndarray], np.ndarray], doc: str) -> Callable:
    """Turn ``fn(x, y)`` into ``g(p)`` for points ``p`` of shape ``(..., 2)``, quietly."""

    def wrapped(p: Any) -> np.ndarray:
        pts = _points(p)
        with np.errstate(all="ignore"):
            return fn(pts[..., 0], pts[..., 1])

    wrapped.__doc__ = doc
    return wrapped


def _grad(gx: Any, gy: Any) -> np.ndarray:
    """Stack the two partial derivatives into shape ``(..., 2)``."""
    shape = np.shape(gx) if np.shape(gx) == np.shape(gy) else np.broadcast_shapes(
        np.shape(gx), np.shape(gy))
    out = np.empty((*shape, 2))
    out[..., 0] = gx
    out[..., 1] = gy
    return out


def _hess(hxx: Any, hxy: Any, hyy: Any, like: Any = 0.0) -> np.ndarray:
    """Assemble the symmetric Hessian, shape ``(..., 2, 2)``; constants take ``like``'s shape."""
    shape = np.broadcast_shapes(np.shape(hxx), np.shape(hxy), np.shape(hyy), np.shape(like))
    hxx, hxy, hyy = (
        np.broadcast_to(np.asarray(v, dtype=np.float64), shape) for v in (hxx, hxy, hyy)
    )
    return np.stack([np.stack([hxx, hxy], axis=-1), np.stack([hxy, hyy], axis=-1)], axis=-2)


def _chunks(n_points: int, n_examples: int) -> list[tuple[int, int]]:
    step = max(1, _CHUNK // max(n_examples, 1))
    return [(lo, min(lo + step, n_points)) for lo in range(0, n_points, step)]


def _softplus(t: np.ndarray) -> np.ndarray:
    r""":math:`\log(1 + e^t)` without overflow."""
    return np.logaddexp(0.0, t)


def _sigmoid(t: np.ndarray) -> np.ndarray:
    r""":math:`\sigma(t) = 1 / (1 + e^{-t})` without overflow, accurate in both tails."""
    return np.exp(-np.logaddexp(0.0, -t))


def _dsigmoid(t: np.ndarray) -> np.ndarray:
    r""":math:`\sigma'(t) = \sigma(t)\sigma(-t)` without overflow."""
    return np.exp(-np.logaddexp(0.0, t) - np.logaddexp(0.0, -t))


def _readonly(a: Any) -> np.ndarray:
    arr = np.array(a, dtype=np.float64)
    arr.flags.writeable = False
    return arr


def _newton(
    grad: Callable, hess: Callable, seeds: np.ndarray, iters: int = 80, max_step: float = 0.5
) -> np.ndarray:
    r"""Newton's method for :math:`\nabla f = 0` from many seeds at once.

    Each step solves :math:`\nabla^2 f\, s = \nabla f` in closed form (2 x 2) and is capped at
    ``max_step`` in length; singular Hessians give no step. Converges quadratically to the
    nearest stationary point of any kind (minimum, saddle or maximum).
    """
    p = np.array(seeds, dtype=np.float64)
    for _ in range(iters):
        g = grad(p)
        h = hess(p)
        a, b, d = h[..., 0, 0], h[..., 0, 1], h[..., 1, 1]
        with np.errstate(all="ignore"):
            det = a * d - b * b
            step = _grad(
                (d * g[..., 0] - b * g[..., 1]) / det, (a * g[..., 1] - b * g[..., 0]) / det
            )
            norm = np.linalg.norm(step, axis=-1, keepdims=True)
            step = step * np.minimum(1.0, max_step / norm)
        step[~np.all(np.isfinite(step), axis=-1)] = 0.0
        p = p - step
    return p


def _stationary_points(
    f: Callable,
    grad: Callable,
    hess: Callable,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    seeds: np.ndarray | None = None,
    n_grid: int = 41,
) -> tuple[np.ndarray, np.ndarray]:
    """All non-degenerate minima and saddles inside the box that Newton finds from seeds.

    Seeds are an ``n_grid x n_grid`` grid over the box plus ``seeds``. Converged points
    (gradient below ``1e-9`` of the gradient scale on the grid) are deduplicated, classified
    by the signs of the Hessian eigenvalues, and sorted by ``f`` (minima: global first).
    """
    xs = np.linspace(*xlim, n_grid)
    ys = np.linspace(*ylim, n_grid)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    scale = float(np.max(np.linalg.norm(grad(grid), axis=-1)))
    size = max(xlim[1] - xlim[0], ylim[1] - ylim[0])
    if seeds is not None:
        grid = np.concatenate([np.asarray(seeds, dtype=np.float64).reshape(-1, 2), grid])
    p = _newton(grad, hess, grid, max_step=0.05 * size)
    p = _newton(grad, hess, p, iters=5, max_step=np.inf)  # polish without a cap
    gnorm = np.linalg.norm(grad(p), axis=-1)
    tol = 1e-6 * size
    inside = (
        (p[:, 0] >= xlim[0] - tol)
        & (p[:, 0] <= xlim[1] + tol)
        & (p[:, 1] >= ylim[0] - tol)
        & (p[:, 1] <= ylim[1] + tol)
    )
    p = p[np.isfinite(gnorm) & (gnorm <= 1e-9 * scale) & inside]
    # deduplicate: keep a point unless an earlier one is within 1e-6 of the box size
    dist = np.linalg.norm(p[:, None, :] - p[None, :, :], axis=-1)
    dup = np.any(np.tril(dist < 1e-6 * size, k=-1), axis=1)
    p = p[~dup]
    eig = np.linalg.eigvalsh(hess(p)).reshape(-1, 2)
    big = np.max(np.abs(eig), axis=-1)
    clear = np.min(np.abs(eig), axis=-1) > 1e-8 * np.maximum(big, 1e-300)
    minima = p[clear & (eig[:, 0] > 0)]
    saddles = p[clear & (eig[:, 0] < 0) & (eig[:, 1] > 0)]
    minima = minima[np.argsort(f(minima), kind="stable")]
    saddles = saddles[np.argsort(f(saddles), kind="stable")]
    return minima.reshape(-1, 2), saddles.reshape(-1, 2)


# --------------------------------------------------------------------------------------------
# Construction helpers
# --------------------------------------------------------------------------------------------


def _make(
    name: str,
    f: Callable,
    g: Callable,
    h: Callable,
    *,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    start: Any,
    minima: Any,
    saddles: Any,
    f_min: float | None,
    lesson: str,
    log_scale: bool,
) -> Surface:
    fv = _vectorize(f, f"{name}: f(p) for points p of shape (..., 2); returns shape (...).")
    gv = _vectorize(g, f"{name}: gradient at points of shape (..., 2); returns shape (..., 2).")
    hv = _vectorize(h, f"{name}: Hessian at points of shape (..., 2); returns (..., 2, 2).")
    minima = np.asarray(minima, dtype=np.float64).reshape(-1, 2)
    if f_min is None:
        f_min = float(fv(minima[0]))
    return Surface(
        name=name,
        f=fv,
        grad=gv,
        hess=hv,
        xlim=(float(xlim[0]), float(xlim[1])),
        ylim=(float(ylim[0]), float(ylim[1])),
        start=_readonly(start),
        minima=_readonly(minima),
        saddles=_readonly(np.asarray(saddles, dtype=np.float64).reshape(-1, 2)),
        f_min=float(f_min),
        lesson=lesson,
        params={},
        log_scale=log_scale,
    )


def _make_searched(
    name: str,
    f: Callable,
    g: Callable,
    h: Callable,
    *,
    known_minima: Any,
    seeds: Any = None,
    **kwargs: Any,
) -> Surface:
    """Like :func:`_make`, but the minima and saddles come from :func:`_stationary_points`.

    ``known_minima`` (exact, e.g. ``(3, 2)`` for Himmelblau) are put first; the search's
    copies of them are dropped.
    """
    fv, gv, hv = (_vectorize(fn, "") for fn in (f, g, h))
    minima, saddles = _stationary_points(fv, gv, hv, kwargs["xlim"], kwargs["ylim"], seeds)
    if known_minima is not None:
        known = np.asarray(known_minima, dtype=np.float64).reshape(-1, 2)
        far = np.all(np.linalg.norm(minima[:, None] - known[None], axis=-1) > 1e-6, axis=1)
        minima = np.concatenate([known, minima[far]])
    return _make(name, f, g, h, minima=minima, saddles=saddles, **kwargs)


def from_functions(
    name: str,
    f: Callable[[np.ndarray, np.ndarray], Any],
    grad: Callable[[np.ndarray, np.ndarray], tuple[Any, Any]],
    hess: Callable[[np.ndarray, np.ndarray], tuple[Any, Any, Any]],
    *,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    start: Any,
    minima: Any = None,
    f_min: float | None = None,
    lesson: str = "",
    log_scale: bool = False,
) -> Surface:
    r"""A :class:`Surface` from three functions of the coordinates ``x`` and ``y`` (arrays).

    ``f(x, y)`` returns the loss, ``grad(x, y)`` the pair :math:`(f_x, f_y)` and
    ``hess(x, y)`` the triple :math:`(f_{xx}, f_{xy}, f_{yy})`. Without ``minima`` the minima
    and saddles inside the box are found by Newton's method from a grid of seeds; with them,
    the saddles still are. Check a new surface's derivatives with finite differences (the
    course's tests do it for every registered surface).

    Examples
    --------
    >>> bowl = from_functions("bowl", lambda x, y: x**2 + 4 * y**2,
    ...                       lambda x, y: (2 * x, 8 * y), lambda x, y: (2.0, 0.0, 8.0),
    ...                       xlim=(-2, 2), ylim=(-2, 2), start=(1.5, 1.0), minima=[(0, 0)])
    >>> float(bowl.f((1.0, 1.0)))
    5.0
    """
    def g(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return _grad(*grad(x, y))

    def h(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return _hess(*hess(x, y), like=x)

    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"a surface name must be an identifier such as 'bowl', got {name!r}")
    return _make_searched(name, f, g, h, xlim=xlim, ylim=ylim, start=start,
                          known_minima=minima, f_min=f_min, lesson=lesson, log_scale=log_scale)


def with_l2(surface: Surface, strength: float) -> Surface:
    r"""``surface`` plus L2 regularization in the loss: :math:`f(\theta) + \tfrac\lambda2
    \lVert\theta\rVert^2`.

    Gradient :math:`\nabla f + \lambda\theta`, Hessian :math:`\nabla^2 f + \lambda I`; the
    minima and saddles move (found again by Newton's method, seeded with the old ones), and
    so does ``f_min``. This is what ``weight_decay`` means for plain SGD, and what it does
    *not* mean for AdamW (notebook 10): compare an optimizer on ``with_l2(s, λ)`` with its
    decoupled ``weight_decay=λ`` on ``s``. A minibatch gradient (``logistic``) gets the same
    :math:`\lambda\theta`.
    """
    lam = float(check_real("strength", strength, low=0.0))

    def f(p: Any) -> np.ndarray:
        q = _points(p)
        with np.errstate(all="ignore"):
            return surface.f(q) + 0.5 * lam * np.sum(q * q, axis=-1)

    def grad(p: Any) -> np.ndarray:
        q = _points(p)
        with np.errstate(all="ignore"):
            return surface.grad(q) + lam * q

    def hess(p: Any) -> np.ndarray:
        q = _points(p)
        return surface.hess(q) + lam * np.eye(2)

    extra: dict[str, Any] = {}
    if surface.minibatch_grad is not None:
        def minibatch_grad(p: Any, batch_size: int, rng: Any = None) -> np.ndarray:
            q = _points(p)
            return surface.minibatch_grad(q, batch_size, rng) + lam * q

        extra["minibatch_grad"] = minibatch_grad
    seeds = np.concatenate([surface.minima, surface.saddles]).reshape(-1, 2)
    # seeded with the old stationary points, which move continuously with λ; a coarse grid
    # catches any that appear
    minima, saddles = _stationary_points(f, grad, hess, surface.xlim, surface.ylim, seeds,
                                         n_grid=11)
    f_min = float(f(minima[0])) if len(minima) else surface.f_min
    return dataclasses.replace(
        surface, name=f"{surface.name}+L2", f=f, grad=grad, hess=hess,
        minima=_readonly(minima), saddles=_readonly(saddles), f_min=f_min,
        params={**surface.params, "l2": lam},
        lesson=f"{surface.lesson} With L2 regularization λ = {lam:g} in the loss.", **extra)
