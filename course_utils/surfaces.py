r"""Two-parameter loss surfaces with analytic gradients and Hessians.

Every surface is a function :math:`f:\mathbb{R}^2\to\mathbb{R}` of a point
:math:`p = (x, y)` together with its gradient :math:`\nabla f(p)` and Hessian
:math:`\nabla^2 f(p)`, all in closed form and all vectorized: they take an array of points of
shape ``(..., 2)`` (a single point has shape ``(2,)``) and return shapes ``(...)``,
``(..., 2)`` and ``(..., 2, 2)``. The math runs in float64 inside ``np.errstate(all="ignore")``
with overflow-free forms (``np.logaddexp``, bounded exponents), so points far outside the plot
box give large or infinite values but no warnings.

Use :func:`get` to build a surface, :func:`names` to list them and :func:`parameters` to see each
surface's own parameters (default, range, log-scale hint and description, e.g. for sliders):

=================  ==========================================================================
name               what it teaches
=================  ==========================================================================
``ravine``         ill-conditioning: zig-zag across a steep valley, crawl along its floor
``rosenbrock``     a narrow curved valley with a flat floor
``beale``          flat arms and sharp ridges: gradients over many orders of magnitude
``himmelblau``     four equally good minima: the start decides
``saddle``         a strict saddle that attracts plain gradient descent for a while
``saddle_plateau`` a saddle inside a wide flat plateau, with two deep wells beyond it
``plateau``        vanishing gradients far from the basin
``cliff``          exploding gradients on a steep wall; clipping
``local_minima``   basins of different depth
``logistic``       a real empirical risk: logistic regression on one MNIST feature
=================  ==========================================================================

Built surfaces are cached per (name, parameters), so ``get("logistic")`` loads MNIST once.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validate import ParamSpec, check_int, check_real, check_unknown

__all__ = ["LogisticSurface", "ParamSpec", "Surface", "get", "names", "parameters"]

# Evaluate the logistic surface on at most this many (point, example) pairs at a time
# (8 MB per float64 temporary), so that a 200 x 200 grid against thousands of examples
# stays far below 200 MB.
_CHUNK = 1 << 20


# --------------------------------------------------------------------------------------------
# The Surface type
# --------------------------------------------------------------------------------------------




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


@dataclass(frozen=True, eq=False, repr=False, kw_only=True)
class LogisticSurface(Surface):
    r"""The empirical risk of a two-parameter logistic regression (see :func:`get`).

    Extra attributes
    ----------------
    features : ndarray, shape (n,)
        The standardized scalar feature :math:`x_i` of each example.
    labels : ndarray of int, shape (n,)
        :math:`y_i = 1` for the second digit of ``params["digits"]``, 0 for the first.
    indices : ndarray of int, shape (n,)
        Positions of the examples in the MNIST training set.
    feature_mean, feature_std : float
        Mean and standard deviation of the raw feature (mean pixel intensity in ``[0, 1]``)
        used for the standardization :math:`x_i = (m_i - \text{mean}) / \text{std}`.
    """

    features: np.ndarray
    labels: np.ndarray
    indices: np.ndarray
    feature_mean: float
    feature_std: float

    def _flat_points(self, p: Any) -> tuple[np.ndarray, tuple[int, ...]]:
        pts = _points(p)
        return pts.reshape(-1, 2), pts.shape[:-1]

    def zero_one(self, p: Any) -> np.ndarray:
        r"""The 0-1 loss: the fraction of examples misclassified by the rule
        :math:`\hat y = [w x + b > 0]`, at points of shape ``(..., 2)``; shape ``(...)``.

        It is piecewise constant in :math:`(w, b)`: its gradient is zero almost everywhere,
        which is why one minimizes the cross-entropy instead.
        """
        flat, shape = self._flat_points(p)
        positive = self.labels == 1
        out = np.empty(len(flat))
        for lo, hi in _chunks(len(flat), len(self.features)):
            with np.errstate(all="ignore"):
                z = flat[lo:hi, :1] * self.features + flat[lo:hi, 1:]
            out[lo:hi] = np.mean((z > 0) != positive, axis=-1)
        return out.reshape(shape)

    def per_example_grad(self, p: Any) -> np.ndarray:
        r"""Gradients :math:`\nabla_p \ell_i(p)` of every example's loss, shape ``(..., n, 2)``.

        :math:`\ell_i = \log(1 + e^{s_i z_i})` with :math:`z_i = w x_i + b` and
        :math:`s_i = 1 - 2y_i`, so :math:`\nabla \ell_i = (\sigma(z_i) - y_i)(x_i, 1)`.
        Their mean is :meth:`grad`. Meant for a few points: at most 50 million numbers.
        """
        flat, shape = self._flat_points(p)
        n = len(self.features)
        if 2 * len(flat) * n > 50_000_000:
            raise ValueError(
                f"per_example_grad would return {len(flat)} x {n} x 2 numbers; pass fewer points"
            )
        with np.errstate(all="ignore"):
            z = flat[:, :1] * self.features + flat[:, 1:]
            r = _dloss(z, self._sign)
            out = np.stack([r * self.features, r], axis=-1)
        return out.reshape(*shape, n, 2)

    @property
    def _sign(self) -> np.ndarray:
        return 1.0 - 2.0 * self.labels  # +1 for y = 0, -1 for y = 1


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
# The surfaces
# --------------------------------------------------------------------------------------------


def _ravine(condition: float, angle: float) -> Surface:
    r"""Ill-conditioned quadratic :math:`f(p) = \tfrac12 p^\top A p`.

    :math:`A = R_\theta \operatorname{diag}(1/\kappa, 1) R_\theta^\top` with :math:`\kappa`
    = ``condition`` and :math:`R_\theta` the rotation by ``angle`` degrees, so the shallow
    eigenvector :math:`(\cos\theta, \sin\theta)` has curvature :math:`1/\kappa` and the steep
    one curvature 1. :math:`\nabla f = A p`, :math:`\nabla^2 f = A`. Gradient descent
    :math:`p \leftarrow p - \varepsilon A p` multiplies the component along an eigenvector
    with eigenvalue :math:`\lambda` by :math:`1 - \varepsilon\lambda`: it is stable exactly
    for :math:`0 < \varepsilon < 2/\lambda_{max} = 2` whatever :math:`\kappa`, zig-zags on the
    steep axis for :math:`\varepsilon > 1`, and shrinks the shallow component only by
    :math:`1 - \varepsilon/\kappa` per step.
    """
    t = math.radians(angle)
    c, s = math.cos(t), math.sin(t)
    lo, hi = 1.0 / condition, 1.0
    axx, axy, ayy = lo * c * c + hi * s * s, (lo - hi) * c * s, lo * s * s + hi * c * c
    return _make(
        "ravine",
        lambda x, y: 0.5 * (axx * x * x + 2.0 * axy * x * y + ayy * y * y),
        lambda x, y: _grad(axx * x + axy * y, axy * x + ayy * y),
        lambda x, y: _hess(axx, axy, ayy, like=x),
        xlim=(-10.0, 10.0),
        ylim=(-6.0, 6.0),
        start=(-8.0, 3.0),
        minima=[[0.0, 0.0]],
        saddles=[],
        f_min=0.0,
        lesson=(
            "Ill-conditioning: a learning rate safe for the steep direction crawls along the "
            "shallow one, so gradient descent zig-zags across the ravine and creeps along it."
        ),
        log_scale=True,
    )


def _rosenbrock(a: float, b: float) -> Surface:
    r"""Rosenbrock's banana :math:`f = (a - x)^2 + b (y - x^2)^2`.

    :math:`\nabla f = (-2(a - x) - 4 b x (y - x^2),\ 2 b (y - x^2))`,
    :math:`\nabla^2 f = \begin{pmatrix} 2 - 4 b y + 12 b x^2 & -4 b x \\ -4 b x & 2 b
    \end{pmatrix}`. Unique minimum :math:`(a, a^2)` with :math:`f = 0`.
    """

    def f(x, y):
        return (a - x) ** 2 + b * (y - x * x) ** 2

    def g(x, y):
        return _grad(-2.0 * (a - x) - 4.0 * b * x * (y - x * x), 2.0 * b * (y - x * x))

    def h(x, y):
        return _hess(2.0 - 4.0 * b * y + 12.0 * b * x * x, -4.0 * b * x, 2.0 * b)

    return _make(
        "rosenbrock",
        f,
        g,
        h,
        xlim=(-2.0, 2.0),
        ylim=(-1.0, 3.0),
        start=(-1.5, 2.0),
        minima=[[a, a * a]],
        saddles=[],
        f_min=0.0,
        lesson=(
            "A narrow curved valley: finding it is easy, following its nearly flat floor to "
            "the minimum is slow; momentum and adaptive steps help."
        ),
        log_scale=True,
    )


def _beale() -> Surface:
    r"""Beale's function :math:`f = \sum_{i=1}^3 (c_i - x + x y^i)^2`,
    :math:`c = (1.5, 2.25, 2.625)`.

    With :math:`t_i = c_i - x + x y^i`: :math:`\partial_x f = \sum 2 t_i (y^i - 1)`,
    :math:`\partial_y f = \sum 2 t_i\, i x y^{i-1}`,
    :math:`\partial_{xx} f = \sum 2 (y^i - 1)^2`,
    :math:`\partial_{xy} f = \sum 2 [i x y^{i-1} (y^i - 1) + t_i\, i y^{i-1}]`,
    :math:`\partial_{yy} f = \sum 2 [(i x y^{i-1})^2 + t_i\, i (i-1) x y^{i-2}]`.
    Global minimum :math:`(3, 0.5)` with :math:`f = 0`; a saddle at :math:`(0, 1)` on the line
    :math:`x = 0` where :math:`f` is constant.
    """

    def terms(x, y):
        y2 = y * y
        y3 = y2 * y
        return (1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y3), (y, y2, y3)

    def f(x, y):
        (t1, t2, t3), _ = terms(x, y)
        return t1 * t1 + t2 * t2 + t3 * t3

    def g(x, y):
        (t1, t2, t3), (y1, y2, y3) = terms(x, y)
        gx = 2.0 * (t1 * (y1 - 1.0) + t2 * (y2 - 1.0) + t3 * (y3 - 1.0))
        gy = 2.0 * x * (t1 + 2.0 * y1 * t2 + 3.0 * y2 * t3)
        return _grad(gx, gy)

    def h(x, y):
        (t1, t2, t3), (y1, y2, y3) = terms(x, y)
        hxx = 2.0 * ((y1 - 1.0) ** 2 + (y2 - 1.0) ** 2 + (y3 - 1.0) ** 2)
        hxy = 2.0 * (
            x * (y1 - 1.0)
            + t1
            + 2.0 * x * y1 * (y2 - 1.0)
            + 2.0 * y1 * t2
            + 3.0 * x * y2 * (y3 - 1.0)
            + 3.0 * y2 * t3
        )
        hyy = 2.0 * (
            x * x + 4.0 * x * x * y2 + 2.0 * x * t2 + 9.0 * x * x * y2 * y2 + 6.0 * x * y1 * t3
        )
        return _hess(hxx, hxy, hyy)

    return _make_searched(
        "beale",
        f,
        g,
        h,
        xlim=(-4.5, 4.5),
        ylim=(-4.5, 4.5),
        start=(1.0, 1.5),
        known_minima=[[3.0, 0.5]],
        f_min=0.0,
        lesson=(
            "Flat arms and sharp ridges: gradients span orders of magnitude, so one learning "
            "rate is too big somewhere and too small elsewhere; adaptive methods cope."
        ),
        log_scale=True,
    )


def _himmelblau() -> Surface:
    r"""Himmelblau's function :math:`f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2`.

    With :math:`u = x^2 + y - 11`, :math:`v = x + y^2 - 7`:
    :math:`\nabla f = (4 x u + 2 v,\ 2 u + 4 y v)`,
    :math:`\nabla^2 f = \begin{pmatrix} 12 x^2 + 4 y - 42 & 4 (x + y) \\ 4 (x + y) &
    12 y^2 + 4 x - 26 \end{pmatrix}`. Four global minima with :math:`f = 0`, one of them
    :math:`(3, 2)`; four saddles and one local maximum between them.
    """

    def f(x, y):
        return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2

    def g(x, y):
        u, v = x * x + y - 11.0, x + y * y - 7.0
        return _grad(4.0 * x * u + 2.0 * v, 2.0 * u + 4.0 * y * v)

    def h(x, y):
        return _hess(12.0 * x * x + 4.0 * y - 42.0, 4.0 * (x + y), 12.0 * y * y + 4.0 * x - 26.0)

    return _make_searched(
        "himmelblau",
        f,
        g,
        h,
        xlim=(-5.0, 5.0),
        ylim=(-5.0, 5.0),
        start=(0.0, -1.0),
        known_minima=[[3.0, 2.0]],
        f_min=0.0,
        lesson=(
            "Four equally good minima: which one you reach depends on the starting point and "
            "on the optimizer's path, not on the quality of the minimum."
        ),
        log_scale=True,
    )


def _saddle(curvature_ratio: float) -> Surface:
    r"""The strict saddle :math:`f = \tfrac12 (x^2 - c\, y^2)`, :math:`c` = ``curvature_ratio``.

    :math:`\nabla f = (x, -c y)`, :math:`\nabla^2 f = \operatorname{diag}(1, -c)`. Gradient
    descent maps :math:`(x, y) \mapsto ((1-\varepsilon) x, (1+\varepsilon c) y)`: started at
    :math:`y_0 \approx 0` it first slides to the saddle, then leaves it only after about
    :math:`\log(1/|y_0|) / \log(1 + \varepsilon c)` steps; noise shortens the wait. Newton's
    step :math:`-(\nabla^2 f)^{-1} \nabla f = -p` jumps straight onto the saddle.
    There is no minimum: ``f_min`` is the minimum over the plot box, :math:`-2c` at
    :math:`(0, \pm 2)`.
    """
    c = curvature_ratio
    return _make(
        "saddle",
        lambda x, y: 0.5 * (x * x - c * y * y),
        lambda x, y: _grad(x, -c * y),
        lambda x, y: _hess(1.0, 0.0, -c, like=x),
        xlim=(-2.0, 2.0),
        ylim=(-2.0, 2.0),
        start=(-1.5, 1e-4),
        minima=np.zeros((0, 2)),
        saddles=[[0.0, 0.0]],
        f_min=-2.0 * c,
        lesson=(
            "A saddle point: gradient descent started near its attracting axis slows down next "
            "to it and escapes only slowly; gradient noise escapes sooner."
        ),
        log_scale=False,
    )


def _saddle_plateau(curvature: float, depth: float) -> Surface:
    r"""A saddle in the middle of a flat plateau, with two deep wells beyond it.

    .. math::

        f(x, y) = \varepsilon\Big(\frac{x^2}{2} - \frac{y^2}{2} + \frac{y^4}{4 m^2}\Big)
                  - D \sum_{\pm} \exp\Big(-\frac{x^2 + (y \mp m)^2}{2 w^2}\Big)

    with :math:`\varepsilon` = ``curvature``, :math:`D` = ``depth``, :math:`m = 2.5`,
    :math:`w = 0.4`. The background (first term) is a gentle double well with a saddle at the
    origin (curvatures :math:`\pm\varepsilon`) and minima at :math:`(0, \pm m)`, where the
    narrow Gaussian wells sit, so the minima are the well bottoms (refined by Newton). In the
    band :math:`|y| \lesssim 1` the gradient is about :math:`\varepsilon |p|`, below a tenth
    of the wells' peak slope :math:`D e^{-1/2}/w`, while the wells' curvature
    :math:`D/w^2` caps a stable learning rate at about :math:`2w^2/D` (0.32): plain gradient
    descent drifts to the saddle and lingers there for hundreds of steps before falling into a
    well. Every stationary point lies on :math:`x = 0` (each term of :math:`\partial_x f` has
    the sign of :math:`x`), and there are exactly three: the saddle and the two minima.
    """
    eps, dep, m, w = curvature, depth, 2.5, 0.4
    k = 1.0 / (2.0 * w * w)

    def wells(x, y):
        e1 = dep * np.exp(-k * (x * x + (y - m) ** 2))
        e2 = dep * np.exp(-k * (x * x + (y + m) ** 2))
        return e1, e2

    def f(x, y):
        e1, e2 = wells(x, y)
        return eps * (0.5 * x * x - 0.5 * y * y + y**4 / (4.0 * m * m)) - e1 - e2

    def g(x, y):
        e1, e2 = wells(x, y)
        gx = eps * x + 2.0 * k * x * (e1 + e2)
        gy = eps * (-y + y**3 / (m * m)) + 2.0 * k * ((y - m) * e1 + (y + m) * e2)
        return _grad(gx, gy)

    def h(x, y):
        e1, e2 = wells(x, y)
        s = e1 + e2
        hxx = eps + 2.0 * k * s - 4.0 * k * k * x * x * s
        hxy = -4.0 * k * k * x * ((y - m) * e1 + (y + m) * e2)
        hyy = (
            eps * (-1.0 + 3.0 * y * y / (m * m))
            + 2.0 * k * s
            - 4.0 * k * k * ((y - m) ** 2 * e1 + (y + m) ** 2 * e2)
        )
        return _hess(hxx, hxy, hyy)

    gfun = _vectorize(g, "")
    hfun = _vectorize(h, "")
    top = _newton(gfun, hfun, np.array([[0.0, m]]), iters=20, max_step=0.1)[0]
    top[0] = 0.0
    minima = np.array([top, [0.0, -top[1]]])
    return _make(
        "saddle_plateau",
        f,
        g,
        h,
        xlim=(-3.5, 3.5),
        ylim=(-3.5, 3.5),
        start=(-3.0, 0.02),
        minima=minima,
        saddles=[[0.0, 0.0]],
        f_min=None,
        lesson=(
            "A saddle on a plateau: the gradient is tiny over a wide region, so plain gradient "
            "descent stalls for hundreds of steps; momentum and adaptive steps get out faster."
        ),
        log_scale=False,
    )


def _plateau(width: float) -> Surface:
    r"""A Gaussian basin in a flat plain, :math:`f = 1 - e^{-r^2 / (2 s^2)}`,
    :math:`r = |p|`, :math:`s` = ``width``.

    :math:`\nabla f = e^{-r^2/(2s^2)}\, p / s^2`,
    :math:`\nabla^2 f = e^{-r^2/(2s^2)} (I - p p^\top / s^2) / s^2`. The slope
    :math:`(r/s^2) e^{-r^2/(2s^2)}` peaks at :math:`r = s` with value :math:`e^{-1/2}/s` and
    decays like a Gaussian: at the default start (:math:`r = 4.75`, width 1) it is about
    :math:`10^{-4}` of the peak. Minimum 0 at the origin.
    """
    q = 1.0 / (2.0 * width * width)

    def f(x, y):
        return -np.expm1(-q * (x * x + y * y))

    def g(x, y):
        e = np.exp(-q * (x * x + y * y)) * 2.0 * q
        return _grad(e * x, e * y)

    def h(x, y):
        e = np.exp(-q * (x * x + y * y)) * 2.0 * q
        return _hess(e * (1.0 - 2.0 * q * x * x), -e * 2.0 * q * x * y, e * (1.0 - 2.0 * q * y * y))

    return _make(
        "plateau",
        f,
        g,
        h,
        xlim=(-5.0, 5.0),
        ylim=(-5.0, 5.0),
        start=(-3.8, 2.85),
        minima=[[0.0, 0.0]],
        saddles=[],
        f_min=0.0,
        lesson=(
            "A plateau: far from the basin the loss is flat and the gradient vanishes, so "
            "gradient descent barely moves although the loss is far from its minimum."
        ),
        log_scale=False,
    )


def _cliff(steepness: float) -> Surface:
    r"""A gentle valley that runs into a steep wall (a smoothed cliff, as in Goodfellow et al.,
    *Deep Learning*, fig. 8.3).

    .. math::

        f(p) = \tfrac12 (x - 4)^2 + y^2 + H\, S(n^\top p - 1),\qquad
        S(u) = \tfrac1k\big[\operatorname{sp}(k u) - \operatorname{sp}(k (u - 1))\big]

    with :math:`H` = ``steepness``, :math:`\operatorname{sp}(t) = \log(1 + e^t)`, corner
    sharpness :math:`k = 200` and wall normal :math:`n = (\cos 20^\circ, \sin 20^\circ)`.
    :math:`S` is a smoothed ramp: 0 before the wall, slope 1 on it (:math:`0 < u < 1`), 1 on
    top, so the wall rises by :math:`H` with slope :math:`H`.
    :math:`S'(u) = \sigma(ku) - \sigma(k(u - 1))`,
    :math:`S''(u) = k[\sigma'(ku) - \sigma'(k(u-1))]`, hence
    :math:`\nabla f = (x - 4, 2y) + H S'(u)\, n` and
    :math:`\nabla^2 f = \operatorname{diag}(1, 2) + H S''(u)\, n n^\top`.

    The valley's centre (4, 0) lies behind the wall (just outside the plot box, on the
    plateau on top), so descent runs into the wall's foot, where the only minimum in the box
    sits (found by Newton); the valley's slope there is about 3. Plain gradient descent with
    learning rate :math:`\varepsilon \approx 0.1` arrives with steps of about
    :math:`3\varepsilon`, lands on the wall, and its next step, of length
    :math:`\approx \varepsilon H` (30 by default), throws it several box widths away.
    Clipping the gradient norm at 1 keeps every step at most :math:`\varepsilon` long, and
    the iterate settles at the foot.
    """
    H, k, a, b, xq, c = steepness, 200.0, 1.0, 2.0, 4.0, 1.0
    t = math.radians(20.0)
    nx, ny = math.cos(t), math.sin(t)

    def f(x, y):
        u = nx * x + ny * y - c
        ramp = (_softplus(k * u) - _softplus(k * (u - 1.0))) / k
        return 0.5 * a * (x - xq) ** 2 + 0.5 * b * y * y + H * ramp

    def g(x, y):
        u = nx * x + ny * y - c
        d1 = H * (_sigmoid(k * u) - _sigmoid(k * (u - 1.0)))
        return _grad(a * (x - xq) + d1 * nx, b * y + d1 * ny)

    def h(x, y):
        u = nx * x + ny * y - c
        d2 = H * k * (_dsigmoid(k * u) - _dsigmoid(k * (u - 1.0)))
        return _hess(a + d2 * nx * nx, d2 * nx * ny, b + d2 * ny * ny)

    return _make_searched(
        "cliff",
        f,
        g,
        h,
        xlim=(-4.5, 3.5),
        ylim=(-3.0, 3.0),
        start=(-3.5, 2.0),
        known_minima=None,
        f_min=None,
        lesson=(
            "A cliff: on the steep wall the gradient is huge, so one plain gradient step "
            "catapults the parameters far away; clipping the gradient keeps the step sensible."
        ),
        log_scale=True,
        seeds=[[c / nx - 0.05, 0.0]],
    )


# (centre x, centre y, depth, width) of the Gaussian wells of ``local_minima``
_WELLS = np.array(
    [
        [-2.0, 1.5, 1.6, 0.9],
        [1.8, 1.6, 1.2, 0.8],
        [-1.2, -2.0, 1.0, 0.7],
        [2.0, -1.6, 0.8, 0.9],
    ]
)


def _local_minima(bowl: float) -> Surface:
    r"""Gaussian wells of different depth in a weak quadratic bowl.

    .. math::

        f(p) = \tfrac{\beta}{2} |p|^2 - \sum_i d_i \exp\Big(-\frac{|p - c_i|^2}{2 s_i^2}\Big)

    with :math:`\beta` = ``bowl`` and four wells (centres :math:`c_i`, depths :math:`d_i`,
    widths :math:`s_i`) listed in ``_WELLS``. With :math:`e_i` the i-th term,
    :math:`\nabla f = \beta p + \sum_i e_i (p - c_i)/s_i^2` and
    :math:`\nabla^2 f = \beta I + \sum_i e_i [I - (p - c_i)(p - c_i)^\top / s_i^2] / s_i^2`.
    The minima (and the saddles between basins) are found at build time by Newton's method
    from a grid of seeds and listed sorted by :math:`f`.
    """
    cx, cy, d, s = (_WELLS[:, j] for j in range(4))
    inv = 1.0 / (s * s)

    def terms(x, y):
        dx, dy = x[..., None] - cx, y[..., None] - cy
        e = d * np.exp(-0.5 * (dx * dx + dy * dy) * inv)
        return dx, dy, e

    def f(x, y):
        _, _, e = terms(x, y)
        return 0.5 * bowl * (x * x + y * y) - e.sum(-1)

    def g(x, y):
        dx, dy, e = terms(x, y)
        return _grad(bowl * x + (e * inv * dx).sum(-1), bowl * y + (e * inv * dy).sum(-1))

    def h(x, y):
        dx, dy, e = terms(x, y)
        w = e * inv
        return _hess(
            bowl + (w * (1.0 - dx * dx * inv)).sum(-1),
            -(w * dx * dy * inv).sum(-1),
            bowl + (w * (1.0 - dy * dy * inv)).sum(-1),
        )

    return _make_searched(
        "local_minima",
        f,
        g,
        h,
        xlim=(-4.0, 4.0),
        ylim=(-4.0, 4.0),
        start=(3.6, -3.6),
        known_minima=None,
        f_min=None,
        lesson=(
            "Local minima of different depth: the start, the learning rate and the gradient "
            "noise decide which basin you end in, and most are not the best one."
        ),
        log_scale=False,
        seeds=_WELLS[:, :2],
    )


def _logistic(digits: tuple[int, int], n_examples: int) -> LogisticSurface:
    r"""Mean cross-entropy of a two-parameter logistic regression on MNIST.

    Data: the first ``n_examples`` images of the MNIST training set whose label is one of
    ``digits = (d0, d1)``, in file order; label :math:`y_i = 1` for ``d1`` and 0 for ``d0``.
    Feature: the mean pixel intensity :math:`m_i \in [0, 1]` of image :math:`i`, standardized
    on these examples, :math:`x_i = (m_i - \bar m) / \operatorname{std}(m)`.

    Model :math:`P(y = 1 \mid x) = \sigma(w x + b)`, parameters :math:`p = (w, b)`, and with
    :math:`z_i = w x_i + b`, :math:`s_i = 1 - 2 y_i`:

    .. math::

        f(p) = \frac1n \sum_i \log\big(1 + e^{s_i z_i}\big), \quad
        \nabla f = \frac1n \sum_i (\sigma(z_i) - y_i) (x_i, 1), \quad
        \nabla^2 f = \frac1n \sum_i \sigma(z_i)\sigma(-z_i)
        \begin{pmatrix} x_i^2 & x_i \\ x_i & 1 \end{pmatrix}.

    :math:`f` is convex; since the two classes overlap on this single feature the minimum is
    finite (pairs and sizes whose classes are separable raise ValueError). The minimum
    :math:`(w^*, b^*)` is found at build time by Newton steps with backtracking. The plot box
    is :math:`[w^* - 7, w^* + 7] \times [b^* - 5, b^* + 5]` rounded outwards to integers and
    the start is :math:`(w^* + 6, b^* + 4)` rounded to integers. Sums over examples run over
    chunks of points, so a 200 x 200 grid needs only tens of megabytes.
    """
    from .mnist import load_mnist

    (x_train, y_train), _ = load_mnist()
    chosen = np.flatnonzero((y_train == digits[0]) | (y_train == digits[1]))
    if len(chosen) < n_examples:
        raise ValueError(
            f"n_examples must be at most {len(chosen)} for digits {digits}, got {n_examples}"
        )
    idx = chosen[:n_examples]
    raw = x_train[idx].reshape(n_examples, -1).mean(axis=1, dtype=np.float64) / 255.0
    mean, std = float(raw.mean()), float(raw.std())
    xs = (raw - mean) / std
    ys = (y_train[idx] == digits[1]).astype(np.int64)
    sign = 1.0 - 2.0 * ys
    n = n_examples
    lo0, hi0 = xs[ys == 0].min(initial=np.inf), xs[ys == 0].max(initial=-np.inf)
    lo1, hi1 = xs[ys == 1].min(initial=np.inf), xs[ys == 1].max(initial=-np.inf)
    if hi0 < lo1 or hi1 < lo0:
        raise ValueError(
            f"with digits={digits} and n_examples={n_examples} the two classes are separable on "
            "the feature (or one is missing), so the cross-entropy has no finite minimum; use "
            "more examples or another pair of digits"
        )

    def over_points(p, per_chunk):
        flat = p.reshape(-1, 2)
        results = [per_chunk(flat[lo:hi]) for lo, hi in _chunks(len(flat), n)]
        out = np.concatenate(results) if results else per_chunk(flat)
        return out.reshape(p.shape[:-1] + out.shape[1:])

    def z_of(q):
        return q[:, :1] * xs + q[:, 1:]

    def f_chunk(q):
        return _softplus(sign * z_of(q)).mean(axis=-1)

    def g_chunk(q):
        r = _dloss(z_of(q), sign)
        return np.stack([r @ xs, r.sum(axis=-1)], axis=-1) / n

    def h_chunk(q):
        v = _dsigmoid(z_of(q))
        hxx, hxy, hyy = v @ (xs * xs), v @ xs, v.sum(axis=-1)
        return _hess(hxx, hxy, hyy) / n

    def wrap(per_chunk, doc):
        def fn(p):
            pts = _points(p)
            with np.errstate(all="ignore"):
                return over_points(pts, per_chunk)

        fn.__doc__ = doc
        return fn

    f = wrap(f_chunk, "Mean cross-entropy at points of shape (..., 2).")
    grad = wrap(g_chunk, "Gradient of the mean cross-entropy, shape (..., 2).")
    hess = wrap(h_chunk, "Hessian of the mean cross-entropy, shape (..., 2, 2).")

    def minibatch_grad(p: Any, batch_size: int, rng: Any = None) -> np.ndarray:
        r"""Gradient of the mean loss over a random minibatch, at points of shape (..., 2).

        For each point independently, ``batch_size`` distinct examples are drawn uniformly
        without replacement (``rng``: a ``np.random.Generator``, a seed or None) and the
        gradient of their mean loss is returned, shape (..., 2). It is an unbiased estimate of
        :meth:`grad` whose standard deviation shrinks like
        :math:`\sqrt{(n - B)/(n - 1)} / \sqrt{B}` for batch size :math:`B`.
        """
        pts = _points(p)
        bs = check_int("batch_size", batch_size, low=1, high=n)
        gen = np.random.default_rng(rng)
        flat = pts.reshape(-1, 2)
        out = np.empty_like(flat)
        for lo, hi in _chunks(len(flat), n):
            if bs < n:  # bs smallest of n uniform keys per point: a uniform subset
                keys = gen.random((hi - lo, n))
                pick = np.argpartition(keys, bs - 1, axis=-1)[:, :bs]
            else:
                pick = np.broadcast_to(np.arange(n), (hi - lo, n))
            xb, sb = xs[pick], sign[pick]
            with np.errstate(all="ignore"):
                r = _dloss(flat[lo:hi, :1] * xb + flat[lo:hi, 1:], sb)
            out[lo:hi, 0] = np.mean(r * xb, axis=-1)
            out[lo:hi, 1] = np.mean(r, axis=-1)
        return out.reshape(pts.shape)

    # Newton's method with backtracking on f (convex problem) from the origin.
    p = np.zeros(2)
    for _ in range(100):
        gp, hp = grad(p), hess(p)
        step = np.linalg.solve(hp, gp)
        t, f0 = 1.0, f(p)
        while f(p - t * step) > f0 - 0.25 * t * gp @ step and t > 1e-10:
            t *= 0.5
        p = p - t * step
        if np.linalg.norm(gp) < 1e-15:
            break
    w_star, b_star = p
    xlim = (math.floor(w_star - 7.0), math.ceil(w_star + 7.0))
    ylim = (math.floor(b_star - 5.0), math.ceil(b_star + 5.0))
    start = (round(w_star + 6.0), round(b_star + 4.0))
    return LogisticSurface(
        name="logistic",
        f=f,
        grad=grad,
        hess=hess,
        xlim=(float(xlim[0]), float(xlim[1])),
        ylim=(float(ylim[0]), float(ylim[1])),
        start=_readonly(start),
        minima=_readonly([p]),
        saddles=_readonly(np.zeros((0, 2))),
        f_min=float(f(p)),
        lesson=(
            "A real empirical risk: the cross-entropy of logistic regression on MNIST is a "
            "smooth convex surrogate of the 0-1 loss, and minibatch gradients are noisy, "
            "unbiased estimates of its gradient."
        ),
        params={},
        log_scale=True,
        minibatch_grad=minibatch_grad,
        features=_readonly(xs),
        labels=_readonly_int(ys),
        indices=_readonly_int(idx),
        feature_mean=mean,
        feature_std=std,
    )


def _readonly_int(a: Any) -> np.ndarray:
    arr = np.array(a, dtype=np.int64)
    arr.flags.writeable = False
    return arr


def _dloss(z: np.ndarray, sign: np.ndarray) -> np.ndarray:
    r""":math:`d\ell/dz = \sigma(z) - y = s\,\sigma(s z)` with :math:`s = 1 - 2y`.

    For :math:`y = 0` (:math:`s = 1`) it is :math:`\sigma(z)`; for :math:`y = 1`
    (:math:`s = -1`) it is :math:`\sigma(z) - 1 = -\sigma(-z)`. Both are computed from a
    sigmoid that never overflows, so there is no cancellation.
    """
    return sign * _sigmoid(sign * z)


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


# --------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------

_REGISTRY: dict[str, tuple[Callable[..., Surface], dict[str, ParamSpec]]] = {
    "ravine": (
        _ravine,
        {
            "condition": ParamSpec(
                20.0, 1.0, 1000.0, True, "condition number κ: steep/shallow curvature ratio"
            ),
            "angle": ParamSpec(
                0.0, -90.0, 90.0, False, "direction of the shallow axis, degrees from the x axis"
            ),
        },
    ),
    "rosenbrock": (
        _rosenbrock,
        {
            "a": ParamSpec(1.0, -1.5, 1.5, False, "minimum at (a, a²)"),
            "b": ParamSpec(100.0, 1.0, 1000.0, True, "steepness of the valley walls"),
        },
    ),
    "beale": (_beale, {}),
    "himmelblau": (_himmelblau, {}),
    "saddle": (
        _saddle,
        {
            "curvature_ratio": ParamSpec(
                1.0, 0.05, 10.0, True, "c: curvature -c along y (escape) against 1 along x"
            ),
        },
    ),
    "saddle_plateau": (
        _saddle_plateau,
        {
            "curvature": ParamSpec(
                0.05, 0.005, 0.5, True, "ε: curvature ±ε at the saddle (smaller = flatter)"
            ),
            "depth": ParamSpec(1.0, 0.1, 5.0, True, "D: depth of the two wells"),
        },
    ),
    "plateau": (
        _plateau,
        {"width": ParamSpec(1.0, 0.5, 3.0, True, "s: width of the Gaussian basin")},
    ),
    "cliff": (
        _cliff,
        {"steepness": ParamSpec(300.0, 1.0, 1000.0, True, "H: slope (and height) of the wall")},
    ),
    "local_minima": (
        _local_minima,
        {"bowl": ParamSpec(0.1, 0.0, 0.5, False, "β: curvature of the weak quadratic bowl")},
    ),
    "logistic": (
        _logistic,
        {
            "digits": ParamSpec((0, 1), 0, 9, False, "the two MNIST digits (label 0, label 1)"),
            "n_examples": ParamSpec(
                2000, 100, 11000, True, "how many examples (the first ones of the two digits)"
            ),
        },
    ),
}


def names() -> list[str]:
    """The names of all surfaces, in teaching order."""
    return list(_REGISTRY)


def parameters(name: str) -> dict[str, ParamSpec]:
    """The parameters of surface ``name``: ``{parameter: ParamSpec}`` (may be empty)."""
    _check_name(name)
    return dict(_REGISTRY[name][1])


def get(name: str, **params: Any) -> Surface:
    """Build (or fetch from the cache) the surface ``name`` with the given parameters.

    Parameters
    ----------
    name : str
        One of :func:`names`.
    **params
        The surface's own parameters (see :func:`parameters`); omitted ones take their
        defaults.

    Raises
    ------
    ValueError
        Unknown name, unknown parameter, or a parameter outside its range (the message names
        it and gives the range).
    """
    _check_name(name)
    specs = _REGISTRY[name][1]
    if params and not specs:
        raise ValueError(
            f"surface {name!r} takes no parameters, got {', '.join(map(repr, sorted(params)))}"
        )
    check_unknown(f"{name} parameter", params, specs)
    values: dict[str, Any] = {}
    for key, spec in specs.items():
        value = params.get(key, spec.default)
        if isinstance(spec.default, tuple):
            value = _check_digits(key, value, spec)
        elif isinstance(spec.default, int):
            value = check_int(key, value, low=int(spec.low), high=int(spec.high))
        else:
            if np.ndim(value) != 0:
                raise ValueError(f"{key} must be a single number, got {value!r}")
            value = float(check_real(key, value, low=spec.low, high=spec.high))
        values[key] = value
    return _build(name, tuple(values.items()))


def _check_name(name: Any) -> None:
    if not isinstance(name, str):
        raise ValueError(f"surface name must be a string, one of {', '.join(names())}")
    check_unknown("surface", {name: None}, names())


def _check_digits(key: str, value: Any, spec: ParamSpec) -> tuple[int, int]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise ValueError(f"{key} must be a pair of two different digits 0-9, got {value!r}")
    pair = tuple(
        check_int(f"{key}[{i}]", v, low=int(spec.low), high=int(spec.high))
        for i, v in enumerate(value)
    )
    if pair[0] == pair[1]:
        raise ValueError(f"{key} must be two different digits, got {pair}")
    return pair  # type: ignore[return-value]


@functools.lru_cache(maxsize=64)
def _build(name: str, items: tuple[tuple[str, Any], ...]) -> Surface:
    builder = _REGISTRY[name][0]
    return dataclasses.replace(builder(**dict(items)), params=dict(items))
