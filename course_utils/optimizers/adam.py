"""Adam and its relatives Adamax and Nadam (notebook 05)."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .base import (
    GradientTransformation,
    Hyper,
    Inside,
    _batch_shape,
    _check_grads,
    _full,
    _learning_rate,
    _make,
    _per_point,
    _stored,
    _zeros_like,
    rate_column,
    stack_states,
)


class AdamState(NamedTuple):
    """Adam: first moment ``m``, second moment ``v``; ``v_hat`` is AMSGrad's running max."""

    count: int
    m: np.ndarray
    v: np.ndarray
    v_hat: np.ndarray | None


class AdamaxState(NamedTuple):
    """Adamax: first moment ``m`` and the exponentially weighted infinity norm ``u``."""

    count: int
    m: np.ndarray
    u: np.ndarray


class NadamState(NamedTuple):
    """Nadam: moments ``m``, ``v`` and the product of the momentum schedule ``u_product``."""

    count: int
    m: np.ndarray
    v: np.ndarray
    u_product: Hyper

def _betas(beta_1: Any, beta_2: Any) -> tuple[Hyper, Hyper]:
    b1 = _per_point("beta_1", beta_1, low=0.0, high=1.0, high_open=True)
    b2 = _per_point("beta_2", beta_2, low=0.0, high=1.0, high_open=True)
    return b1, b2


def adam(
    learning_rate: Any = 0.001,
    beta_1: Any = 0.9,
    beta_2: Any = 0.999,
    epsilon: Any = 1e-7,
    amsgrad: bool = False,
) -> GradientTransformation:
    r"""Adam (Kingma & Ba 2015) as in Keras (``keras.optimizers.Adam``).

    At step :math:`t = \text{count} + 1`:

    .. math::
        m \leftarrow \beta_1 m + (1-\beta_1) g,\quad
        v \leftarrow \beta_2 v + (1-\beta_2) g\odot g,\quad
        \alpha_t = \epsilon_{lr}\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t},\quad
        \theta \leftarrow \theta - \alpha_t \frac{m}{\sqrt{v} + \hat\varepsilon}.

    The lecture's form divides the moments first, :math:`\hat m = m/(1-\beta_1^t)`,
    :math:`\hat v = v/(1-\beta_2^t)`, and steps :math:`-\epsilon\,\hat m/(\sqrt{\hat v}+\delta)`.
    Both are the same except for where the small constant sits: Keras's
    :math:`\hat\varepsilon` equals :math:`\delta\sqrt{1-\beta_2^t}` of the lecture (the
    "epsilon hat" of the Adam paper, section 2). The bias correction *divides* by
    :math:`1-\beta^t` (it enlarges the early, zero-biased moments); it matters only in the
    first :math:`\sim 1/(1-\beta)` steps. ``amsgrad=True`` uses the running maximum
    :math:`\hat v = \max(\hat v, v)` in place of :math:`v`.

    .. warning::
        Keras evaluates the powers :math:`\beta^t` of the bias correction with the betas
        rounded to float32 (0.999 becomes 0.99900001), even for float64 variables, while
        the moments use the exact values. We compute the exact formula, so the two differ
        by a few 1e-6 (relative) in the first steps; the test-suite allows 1e-5.
    """
    lr_at, lr = _learning_rate(learning_rate)
    b1, b2 = _betas(beta_1, beta_2)
    eps = _per_point("epsilon", epsilon, low=0.0)
    amsgrad = bool(amsgrad)

    def init(params: Any) -> AdamState:
        zeros = _zeros_like(params, _batch_shape(lr, b1, b2, eps))
        return AdamState(count=0, m=zeros, v=zeros, v_hat=zeros if amsgrad else None)

    def update(grads: Any, state: AdamState, params: Any = None, **extra: Any):
        g = _check_grads(grads, state.m)
        t = state.count + 1
        b1f, b2f, eps_f = _full(b1, g.shape), _full(b2, g.shape), _full(eps, g.shape)
        alpha = lr_at(state.count, g.shape) * np.sqrt(1.0 - b2f**t) / (1.0 - b1f**t)
        m = state.m + (g - state.m) * (1.0 - b1f)
        v = state.v + (g * g - state.v) * (1.0 - b2f)
        v_hat = None
        denominator_v = v
        if amsgrad:
            v_hat = np.maximum(state.v_hat, v)
            denominator_v = v_hat
        updates = -(m * alpha) / (np.sqrt(denominator_v) + eps_f)
        return updates, AdamState(t, m, v, v_hat)

    hyper = {"learning_rate": lr, "beta_1": b1, "beta_2": b2, "epsilon": eps, "amsgrad": amsgrad}
    return _make("adam", init, update, {k: _stored(v) for k, v in hyper.items()})


def adamax(
    learning_rate: Any = 0.001, beta_1: Any = 0.9, beta_2: Any = 0.999, epsilon: Any = 1e-7
) -> GradientTransformation:
    r"""Adamax (Adam with the infinity norm) as in Keras (``keras.optimizers.Adamax``).

    .. math::
        m \leftarrow \beta_1 m + (1-\beta_1) g,\quad
        u \leftarrow \max(\beta_2 u, |g|),\quad
        \theta \leftarrow \theta - \frac{\epsilon_{lr}}{1-\beta_1^t}\,\frac{m}{u + \varepsilon}.

    The paper has no :math:`\varepsilon`; Keras adds it to avoid 0/0 when :math:`g = 0`.
    """
    lr_at, lr = _learning_rate(learning_rate)
    b1, b2 = _betas(beta_1, beta_2)
    eps = _per_point("epsilon", epsilon, low=0.0)

    def init(params: Any) -> AdamaxState:
        zeros = _zeros_like(params, _batch_shape(lr, b1, b2, eps))
        return AdamaxState(count=0, m=zeros, u=zeros)

    def update(grads: Any, state: AdamaxState, params: Any = None, **extra: Any):
        g = _check_grads(grads, state.m)
        t = state.count + 1
        b1f, b2f, eps_f = _full(b1, g.shape), _full(b2, g.shape), _full(eps, g.shape)
        m = state.m + (g - state.m) * (1.0 - b1f)
        u = np.maximum(b2f * state.u, np.abs(g))
        updates = -(lr_at(state.count, g.shape) * m) / ((1.0 - b1f**t) * (u + eps_f))
        return updates, AdamaxState(t, m, u)

    hyper = {"learning_rate": lr, "beta_1": b1, "beta_2": b2, "epsilon": eps}
    return _make("adamax", init, update, {k: _stored(v) for k, v in hyper.items()})


def nadam(
    learning_rate: Any = 0.001, beta_1: Any = 0.9, beta_2: Any = 0.999, epsilon: Any = 1e-7
) -> GradientTransformation:
    r"""Nadam (Dozat 2016): Adam with Nesterov momentum, as in Keras (``keras.optimizers.Nadam``).

    Keras follows Dozat's momentum schedule :math:`\mu_t = \beta_1(1 - \tfrac12 0.96^{t})`
    with the running product :math:`\Pi_t = \prod_{i\le t}\mu_i`:

    .. math::
        m \leftarrow \beta_1 m + (1-\beta_1) g,\quad v \leftarrow \beta_2 v + (1-\beta_2) g^2,

        \hat m = \frac{\mu_{t+1} m}{1 - \Pi_t \mu_{t+1}} + \frac{(1-\mu_t) g}{1-\Pi_t},\quad
        \hat v = \frac{v}{1-\beta_2^t},\quad
        \theta \leftarrow \theta - \epsilon_{lr}\frac{\hat m}{\sqrt{\hat v} + \varepsilon}.

    The first term looks one step ahead with the *next* momentum coefficient: that is
    Nesterov's idea inside Adam. The lecture's simpler form uses a constant
    :math:`\mu_t = \beta_1`.
    """
    lr_at, lr = _learning_rate(learning_rate)
    b1, b2 = _betas(beta_1, beta_2)
    eps = _per_point("epsilon", epsilon, low=0.0)

    def init(params: Any) -> NadamState:
        zeros = _zeros_like(params, _batch_shape(lr, b1, b2, eps))
        return NadamState(count=0, m=zeros, v=zeros, u_product=1.0)

    def update(grads: Any, state: NadamState, params: Any = None, **extra: Any):
        g = _check_grads(grads, state.m)
        t = state.count + 1
        b1f, b2f, eps_f = _full(b1, g.shape), _full(b2, g.shape), _full(eps, g.shape)
        u_t = b1f * (1.0 - 0.5 * 0.96**t)
        u_next = b1f * (1.0 - 0.5 * 0.96 ** (t + 1))
        u_product = state.u_product * u_t
        m = state.m + (g - state.m) * (1.0 - b1f)
        v = state.v + (g * g - state.v) * (1.0 - b2f)
        m_hat = u_next * m / (1.0 - u_product * u_next) + (1.0 - u_t) * g / (1.0 - u_product)
        v_hat = v / (1.0 - b2f**t)
        updates = -(m_hat * lr_at(state.count, g.shape)) / (np.sqrt(v_hat) + eps_f)
        return updates, NadamState(t, m, v, u_product)

    hyper = {"learning_rate": lr, "beta_1": b1, "beta_2": b2, "epsilon": eps}
    return _make("nadam", init, update, {k: _stored(v) for k, v in hyper.items()})


# --------------------------------------------------------------------------- inside the optimizer


def _moments(states: list, hyper: dict[str, Any], second: str
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    t = np.arange(len(states), dtype=float)[:, None]
    m, v = stack_states(states, "m"), stack_states(states, second)
    c1, c2 = 1.0 - hyper["beta_1"] ** t, 1.0 - hyper["beta_2"] ** t
    return m, v, c1, c2


def inside_adam(points: np.ndarray, states: list, hyper: dict[str, Any],
                learning_rate: np.ndarray | None) -> Inside:
    """Adam: m̂, √v̂ and the step size ε / (√v̂ + δ/√(1 − β₂ᵗ)) (Keras's form of δ)."""
    with np.errstate(all="ignore"):
        m, v, c1, c2 = _moments(states, hyper, "v_hat" if hyper.get("amsgrad") else "v")
        m_hat, v_hat = m / c1, v / c2
        eff = rate_column(learning_rate) / (
            np.sqrt(v_hat) + hyper.get("epsilon", 0.0) / np.sqrt(c2))
    return Inside(eff, rows=(("m̂ (mean of g)", m_hat), ("√v̂ (RMS of g)", np.sqrt(v_hat))))


def inside_nadam(points: np.ndarray, states: list, hyper: dict[str, Any],
                 learning_rate: np.ndarray | None) -> Inside:
    """Nadam: m̂, √v̂ and the step size ε / (√v̂ + δ)."""
    with np.errstate(all="ignore"):
        m, v, c1, c2 = _moments(states, hyper, "v")
        m_hat, v_hat = m / c1, v / c2
        eff = rate_column(learning_rate) / (
            np.sqrt(v_hat) + hyper.get("epsilon", 0.0))
    return Inside(eff, rows=(("m̂ (mean of g)", m_hat), ("√v̂ (RMS of g)", np.sqrt(v_hat))))


def inside_adamax(points: np.ndarray, states: list, hyper: dict[str, Any],
                  learning_rate: np.ndarray | None) -> Inside:
    """Adamax: m̂, the infinity norm u and the step size ε / (u + δ)."""
    t = np.arange(len(states), dtype=float)[:, None]
    m, u = stack_states(states, "m"), stack_states(states, "u")
    with np.errstate(all="ignore"):
        eff = rate_column(learning_rate) / (u + hyper.get("epsilon", 0.0))
        m_hat = m / (1.0 - hyper["beta_1"] ** t)
    return Inside(eff, rows=(("m̂ (mean of g)", m_hat), ("u (max |g|)", u)))
