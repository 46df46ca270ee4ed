"""Classic test functions: the ravine (a rotated quadratic), Rosenbrock, Beale, Himmelblau."""

from __future__ import annotations

import math

from .base import (
    Surface,
    _grad,
    _hess,
    _make,
    _make_searched,
)


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


