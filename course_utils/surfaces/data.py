"""A real empirical risk: logistic regression on one MNIST feature."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate import check_int
from .base import (
    Surface,
    _chunks,
    _dsigmoid,
    _hess,
    _points,
    _readonly,
    _sigmoid,
    _softplus,
)


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
    from ..mnist import load_mnist

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

