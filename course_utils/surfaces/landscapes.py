"""The lecture's obstacles: saddles, plateaus, cliffs and local minima."""

from __future__ import annotations

import math

import numpy as np

from .base import (
    Surface,
    _dsigmoid,
    _grad,
    _hess,
    _make,
    _make_searched,
    _newton,
    _sigmoid,
    _softplus,
    _vectorize,
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


