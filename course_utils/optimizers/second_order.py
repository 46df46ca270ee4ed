"""Newton's method and saddle-free Newton (notebook 07)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import (
    CountState,
    GradientTransformation,
    _batch_shape,
    _check_grads,
    _learning_rate,
    _make,
    _per_point,
    _stored,
    _zeros_like,
)


def _newton_like(name: str, learning_rate: Any, damping: Any, absolute: bool
                 ) -> GradientTransformation:
    lr_at, lr = _learning_rate(learning_rate)
    damp = _per_point("damping", damping, low=0.0)

    def init(params: Any) -> CountState:
        _zeros_like(params, _batch_shape(lr, damp))
        return CountState(count=0)

    def update(grads: Any, state: CountState, params: Any = None, *, hessian: Any = None,
               **extra: Any):
        if hessian is None:
            raise ValueError(f"{name} needs the Hessian: call update(..., hessian=H)")
        g = _check_grads(grads)
        h = np.asarray(hessian, dtype=np.float64)
        if h.shape[-2:] != (g.shape[-1], g.shape[-1]):
            raise ValueError(f"hessian must have shape (..., {g.shape[-1]}, {g.shape[-1]}), "
                             f"got {h.shape}")
        eigenvalues, vectors = np.linalg.eigh(h)
        if absolute:
            eigenvalues = np.abs(eigenvalues)
        denom = eigenvalues + damp
        coords = np.einsum("...ji,...j->...i", vectors, g)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.einsum("...ij,...j->...i", vectors, coords / denom)
        return -lr_at(state.count, g.shape) * step, CountState(state.count + 1)

    return _make(name, init, update, {"learning_rate": _stored(lr), "damping": _stored(damp)},
                 needs_hessian=True)


def newton(learning_rate: Any = 1.0, damping: Any = 0.0) -> GradientTransformation:
    r"""Newton's method: :math:`\theta \leftarrow \theta - \epsilon (H + \lambda I)^{-1} g`.

    With :math:`\epsilon = 1` it jumps to the stationary point of the local quadratic
    model, :math:`\theta^* = \theta_0 - H^{-1}\nabla J(\theta_0)`: a minimum, *or a saddle*
    (Newton is attracted to saddle points). Needs ``hessian=`` in ``update``; where
    :math:`H + \lambda I` is singular the step is infinite and the run marks divergence.
    """
    return _newton_like("newton", learning_rate, damping, absolute=False)


def saddle_free_newton(learning_rate: Any = 1.0, damping: Any = 1e-3) -> GradientTransformation:
    r"""Saddle-free Newton (Dauphin et al. 2014).

    .. math:: \theta \leftarrow \theta - \epsilon |H|^{-1} g

    :math:`|H| = Q|\Lambda|Q^\top` takes the absolute value of each eigenvalue, so
    negative-curvature directions are descended instead of climbed: saddles repel.
    ``damping`` (added to :math:`|\lambda|`) keeps flat directions from giving huge steps.
    """
    return _newton_like("saddle_free_newton", learning_rate, damping, absolute=True)
