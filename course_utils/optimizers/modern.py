r"""The optimizers that came after the lecture (notebook 10): AdamW, Lion, Lamb, Adafactor,
schedule-free AdamW and Muon, as Keras 3 computes them.

Weight decay
------------
Keras applies weight decay *decoupled* from the gradient, before the step, for every optimizer
that takes ``weight_decay``:

.. math:: \theta \leftarrow \theta - \epsilon\,\alpha\,\theta

(``variable - variable * weight_decay * learning_rate``), then the method's own step with the
gradient taken at the old point. This is Loshchilov & Hutter's decoupled decay; adding
:math:`\tfrac{\alpha}{2}\lVert\theta\rVert^2` to the loss instead (L2 regularization) puts
:math:`\alpha\theta` into the gradient, where an adaptive method divides it by
:math:`\sqrt{v}`, so weights with large gradients are decayed less.

Matrix-shaped parameters
------------------------
The course's points are vectors (shape ``(..., d)``). Adafactor and Muon treat a weight
*matrix* differently from a vector; ``shape=(m, n)`` (with ``m * n = d``) makes them read each
point's ``d`` coordinates as an ``m x n`` matrix, as Keras does for a ``Dense`` kernel.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .._validate import check_int
from .adam import AdamState, adam, inside_adam
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


class LionState(NamedTuple):
    """Lion keeps one buffer: the momentum ``m`` (Keras ``momentums``)."""

    count: int
    m: np.ndarray


class LambState(NamedTuple):
    """Lamb: Adam's moments ``m`` and ``v``."""

    count: int
    m: np.ndarray
    v: np.ndarray


class AdafactorState(NamedTuple):
    """Adafactor: ``v`` (vectors), or the row and column means ``r`` and ``c`` (matrices)."""

    count: int
    v: np.ndarray | None
    r: np.ndarray | None
    c: np.ndarray | None


class ScheduleFreeState(NamedTuple):
    """Schedule-free AdamW: the base sequence ``z`` (Keras ``momentum``) and Adam's ``v``.

    The parameters themselves are :math:`y`, where the gradient is taken; the averaged point
    :math:`x` is recovered as :math:`(y - (1-\\beta_1) z)/\\beta_1`
    (:func:`schedule_free_average`).
    """

    count: int
    z: np.ndarray
    v: np.ndarray


class MuonState(NamedTuple):
    """Muon: the momentum buffer ``m`` that is orthogonalized at each step."""

    count: int
    m: np.ndarray


def _decay(name: str, value: Any) -> Hyper:
    return _per_point(name, value, low=0.0)


def _decayed(inner: GradientTransformation, lr_at: Callable, wd: Hyper, name: str,
             hyper: dict[str, Any]) -> GradientTransformation:
    """``inner`` preceded by Keras's decoupled weight decay ``-lr * wd * params``."""

    def update(grads: Any, state: Any, params: Any = None, **extra: Any):
        updates, new_state = inner.update(grads, state, params, **extra)
        if params is None:
            raise ValueError(f"{name} needs params for its weight decay: update(grads, state, "
                             "params)")
        p = np.asarray(params, dtype=np.float64)
        return updates - lr_at(state.count, updates.shape) * _full(wd, updates.shape) * p, \
            new_state

    return _make(name, inner.init, update, hyper)


def adamw(
    learning_rate: Any = 0.001,
    weight_decay: Any = 0.004,
    beta_1: Any = 0.9,
    beta_2: Any = 0.999,
    epsilon: Any = 1e-7,
    amsgrad: bool = False,
) -> GradientTransformation:
    r"""AdamW (Loshchilov & Hutter 2019) as in Keras (``keras.optimizers.AdamW``).

    .. math::
        \theta \leftarrow \theta - \epsilon\alpha\theta,\qquad
        \theta \leftarrow \theta - \epsilon\,\frac{\hat m}{\sqrt{\hat v} + \hat\delta}

    with Adam's moments of the gradient :math:`g` of the loss alone (see :func:`adam`). The
    decay is scaled by the learning rate :math:`\epsilon` (the paper scales it by the schedule
    multiplier only; Keras and PyTorch multiply by the whole learning rate).
    """
    lr_at, lr = _learning_rate(learning_rate)
    wd = _decay("weight_decay", weight_decay)
    inner = adam(learning_rate, beta_1, beta_2, epsilon, amsgrad)
    hyper = {**inner.hyperparams, "weight_decay": _stored(wd)}
    return _decayed(inner, lr_at, wd, "adamw", hyper)


def lion(
    learning_rate: Any = 0.001,
    beta_1: Any = 0.9,
    beta_2: Any = 0.99,
    weight_decay: Any = 0.0,
) -> GradientTransformation:
    r"""Lion (Chen et al. 2023, "Symbolic discovery of optimization algorithms"), as in Keras.

    .. math::
        \theta \leftarrow \theta - \epsilon\,\operatorname{sign}\big(\beta_1 m
        + (1-\beta_1) g\big),\qquad m \leftarrow \beta_2 m + (1-\beta_2) g

    Every coordinate moves by exactly :math:`\epsilon` (or 0): the update has a larger norm
    than Adam's, whose coordinates are :math:`|\hat m|/\sqrt{\hat v} \le 1`, so Lion needs a
    learning rate 3-10 times smaller (and, the paper says, a weight decay 3-10 times larger).
    One buffer :math:`m` instead of Adam's two. ``weight_decay`` is decoupled, as in Keras.
    """
    lr_at, lr = _learning_rate(learning_rate)
    b1 = _per_point("beta_1", beta_1, low=0.0, high=1.0)
    b2 = _per_point("beta_2", beta_2, low=0.0, high=1.0, high_open=True)
    wd = _decay("weight_decay", weight_decay)

    def init(params: Any) -> LionState:
        return LionState(0, _zeros_like(params, _batch_shape(lr, b1, b2, wd)))

    def update(grads: Any, state: LionState, params: Any = None, **extra: Any):
        g = _check_grads(grads, state.m)
        b1f, b2f = _full(b1, g.shape), _full(b2, g.shape)
        updates = -lr_at(state.count, g.shape) * np.sign(state.m * b1f + g * (1.0 - b1f))
        return updates, LionState(state.count + 1, state.m * b2f + g * (1.0 - b2f))

    hyper = {"learning_rate": lr, "beta_1": b1, "beta_2": b2, "weight_decay": wd}
    inner = _make("lion", init, update, {k: _stored(v) for k, v in hyper.items()})
    return _decayed(inner, lr_at, wd, "lion", dict(inner.hyperparams))


def lamb(
    learning_rate: Any = 0.001,
    beta_1: Any = 0.9,
    beta_2: Any = 0.999,
    epsilon: Any = 1e-7,
    weight_decay: Any = 0.0,
) -> GradientTransformation:
    r"""LAMB (You et al. 2020, "Large batch optimization for deep learning"), as in Keras.

    Adam's direction :math:`r = \hat m / (\sqrt{\hat v} + \delta)`, rescaled per layer by the
    trust ratio :math:`\lVert\theta\rVert / \lVert r\rVert` (1 when either norm is 0):

    .. math:: \theta \leftarrow \theta - \epsilon\,\frac{\lVert\theta\rVert}{\lVert r\rVert}\,r

    so every layer moves by the same *fraction* :math:`\epsilon` of its own norm, whatever the
    scale of its gradients: the point of the method for very large batches. Here a "layer" is
    one point of the batch (the norms run over the last axis). The paper adds
    :math:`\alpha\theta` to :math:`r` before the ratio; Keras (and this function) decays
    decoupled, before the step.
    """
    lr_at, lr = _learning_rate(learning_rate)
    b1 = _per_point("beta_1", beta_1, low=0.0, high=1.0, high_open=True)
    b2 = _per_point("beta_2", beta_2, low=0.0, high=1.0, high_open=True)
    eps = _per_point("epsilon", epsilon, low=0.0)
    wd = _decay("weight_decay", weight_decay)

    def init(params: Any) -> LambState:
        zeros = _zeros_like(params, _batch_shape(lr, b1, b2, eps, wd))
        return LambState(0, zeros, zeros)

    def update(grads: Any, state: LambState, params: Any = None, **extra: Any):
        if params is None:
            raise ValueError("lamb needs params for its trust ratio: update(grads, state, params)")
        g = _check_grads(grads, state.m)
        t = state.count + 1
        b1f, b2f, eps_f = _full(b1, g.shape), _full(b2, g.shape), _full(eps, g.shape)
        m = state.m + (g - state.m) * (1.0 - b1f)
        v = state.v + (g * g - state.v) * (1.0 - b2f)
        direction = (m / (1.0 - b1f**t)) / (np.sqrt(v / (1.0 - b2f**t)) + eps_f)
        # Keras decays first, then takes the norm of the decayed weights
        lr_now = lr_at(state.count, g.shape)
        theta = np.asarray(params, dtype=np.float64) * (1.0 - lr_now * _full(wd, g.shape))
        w_norm = np.sqrt(np.sum(theta * theta, axis=-1, keepdims=True))
        r_norm = np.sqrt(np.sum(direction * direction, axis=-1, keepdims=True))
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where((w_norm > 0) & (r_norm > 0), w_norm / r_norm, 1.0)
        return -ratio * lr_now * direction, LambState(t, m, v)

    hyper = {"learning_rate": lr, "beta_1": b1, "beta_2": b2, "epsilon": eps,
             "weight_decay": wd}
    inner = _make("lamb", init, update, {k: _stored(v) for k, v in hyper.items()})
    return _decayed(inner, lr_at, wd, "lamb", dict(inner.hyperparams))


def _matrix_shape(shape: Any, name: str) -> tuple[int, int] | None:
    if shape is None:
        return None
    if not isinstance(shape, (tuple, list)) or len(shape) != 2:
        raise ValueError(f"{name} must be None or a pair (rows, columns), got {shape!r}")
    return (check_int(f"{name}[0]", shape[0], low=1), check_int(f"{name}[1]", shape[1], low=1))


def _as_matrices(x: np.ndarray, shape: tuple[int, int] | None) -> np.ndarray:
    if shape is None:
        return x
    if x.shape[-1] != shape[0] * shape[1]:
        raise ValueError(f"shape={shape} needs {shape[0] * shape[1]} coordinates per point, "
                         f"got {x.shape[-1]}")
    return x.reshape(*x.shape[:-1], *shape)


def _rms(x: np.ndarray) -> np.ndarray:
    """The root mean square of each point (all its coordinates, vector or matrix alike)."""
    return np.sqrt(np.mean(x * x, axis=-1, keepdims=True))


def adafactor(
    learning_rate: Any = 0.001,
    beta_2_decay: Any = -0.8,
    epsilon_1: Any = 1e-30,
    epsilon_2: Any = 1e-3,
    clip_threshold: Any = 1.0,
    relative_step: bool = True,
    weight_decay: Any = 0.0,
    shape: tuple[int, int] | None = None,
) -> GradientTransformation:
    r"""Adafactor (Shazeer & Stern 2018), as in Keras (``keras.optimizers.Adafactor``).

    At step :math:`t`, with :math:`\hat\beta_{2,t} = 1 - t^{c}` (``beta_2_decay`` :math:`c`,
    so :math:`\hat\beta_{2,1} = 0`) and :math:`\rho_t = \min(\epsilon, 1/\sqrt t)`:

    .. math::
        v \leftarrow \hat\beta_{2,t} v + (1-\hat\beta_{2,t})(g^2 + \delta_1),\quad
        u = g/\sqrt{v},\quad \hat u = u / \max\big(1, \operatorname{RMS}(u)/d\big),\quad
        \theta \leftarrow \theta - \max\big(\delta_2, \operatorname{RMS}(\theta)\big)\rho_t\,\hat u

    The step is *relative*: a fraction :math:`\rho_t` of the parameters' own RMS (at least
    :math:`\delta_2`), and the update is clipped to RMS :math:`d` (``clip_threshold``).

    For an :math:`n\times m` weight matrix (``shape=(n, m)``) the second moment is *factored*:
    only the row means :math:`r` (:math:`n` numbers) and column means :math:`c` (:math:`m`) of
    :math:`g^2 + \delta_1` are kept, and :math:`v = r c^\top / \operatorname{mean}(r)`: memory
    :math:`n + m` instead of :math:`nm`. On vectors (the default) :math:`v` is kept whole.
    ``relative_step=False`` does not cap the learning rate at :math:`1/\sqrt t`; Keras still
    does in :math:`\rho_t`, so the two differ only when the learning rate is a schedule.
    """
    lr_at, lr = _learning_rate(learning_rate)
    c_decay = _per_point("beta_2_decay", beta_2_decay, high=0.0)
    e1 = _per_point("epsilon_1", epsilon_1, low=0.0)
    e2 = _per_point("epsilon_2", epsilon_2, low=0.0)
    clip = _per_point("clip_threshold", clip_threshold, low=0.0, low_open=True)
    wd = _decay("weight_decay", weight_decay)
    matrix = _matrix_shape(shape, "shape")
    capped = bool(relative_step) and not callable(learning_rate)

    def init(params: Any) -> AdafactorState:
        zeros = _zeros_like(params, _batch_shape(lr, c_decay, e1, e2, clip, wd))
        if matrix is None:
            return AdafactorState(0, zeros, None, None)
        mats = _as_matrices(zeros, matrix)
        return AdafactorState(0, None, mats[..., 0] * 0.0, mats[..., 0, :] * 0.0)

    def update(grads: Any, state: AdafactorState, params: Any = None, **extra: Any):
        if params is None:
            raise ValueError("adafactor needs params for its relative step: "
                             "update(grads, state, params)")
        g = _check_grads(grads)
        p = np.asarray(params, dtype=np.float64)
        t = state.count + 1
        lr_raw = lr_at(state.count, g.shape)
        # Keras decays with the raw learning rate, before the step
        decay = -lr_raw * _full(wd, g.shape) * p
        lr_now = np.minimum(lr_raw, 1.0 / np.sqrt(t)) if capped else lr_raw
        rho = np.minimum(lr_now, 1.0 / np.sqrt(t))
        alpha = np.maximum(_full(e2, g.shape), _rms(p + decay)) * rho
        beta = 1.0 - float(t) ** _full(c_decay, g.shape)
        square = g * g + _full(e1, g.shape)
        if matrix is None:
            v = beta * state.v + (1.0 - beta) * square
            new_state = AdafactorState(t, v, None, None)
        else:
            sq = _as_matrices(square, matrix)
            b = beta if np.ndim(beta) == 0 else beta[..., :1]
            r = b * state.r + (1.0 - b) * sq.mean(axis=-1)
            c = b * state.c + (1.0 - b) * sq.mean(axis=-2)
            v = ((r / r.mean(axis=-1, keepdims=True))[..., :, None] * c[..., None, :])
            v = v.reshape(g.shape)
            new_state = AdafactorState(t, None, r, c)
        u = g / np.sqrt(v)
        u_hat = u / np.maximum(1.0, _rms(u) / _full(clip, g.shape))
        return decay - alpha * u_hat, new_state

    hyper = {"learning_rate": lr, "beta_2_decay": c_decay, "epsilon_1": e1, "epsilon_2": e2,
             "clip_threshold": clip, "relative_step": bool(relative_step), "weight_decay": wd,
             "shape": matrix}
    return _make("adafactor", init, update, {k: _stored(v) for k, v in hyper.items()})


def schedule_free_adamw(
    learning_rate: Any = 0.0025,
    beta_1: Any = 0.9,
    beta_2: Any = 0.999,
    epsilon: Any = 1e-8,
    warmup_steps: int = 0,
    weight_decay: Any = 0.0,
) -> GradientTransformation:
    r"""Schedule-free AdamW (Defazio et al. 2024, "The road less scheduled"), as in Keras.

    Three sequences: :math:`z` takes Adam-scaled gradient steps with a *constant* rate,
    :math:`x` is the running average of the :math:`z`'s, and the gradient is taken at the
    interpolation :math:`y`:

    .. math::
        z_{t+1} = z_t - \epsilon_t \frac{g(y_t)}{\sqrt{\hat v_t} + \delta},\quad
        x_{t+1} = (1 - c_{t+1})\, x_t + c_{t+1} z_{t+1},\quad
        y_{t+1} = (1-\beta_1) z_{t+1} + \beta_1 x_{t+1}

    with :math:`c_{t+1} = 1/(t+1)` (uniform averaging) and :math:`\epsilon_t` warmed up
    linearly over ``warmup_steps``. The parameters the optimizer moves are :math:`y` (Keras
    keeps :math:`y` in the model and :math:`z` in the optimizer); :math:`x` is the point to
    *evaluate* (``model.eval``-time weights in the paper's PyTorch code), recovered by
    :func:`schedule_free_average`. The paper weights the average by :math:`\epsilon_t^2`
    during warm-up; Keras (and this function) average uniformly. Weight decay is decoupled,
    at :math:`y`, as for every Keras optimizer; the paper's decays inside the :math:`z` step.
    """
    lr_at, lr = _learning_rate(learning_rate)
    b1 = _per_point("beta_1", beta_1, low=0.0, high=1.0, low_open=True)
    b2 = _per_point("beta_2", beta_2, low=0.0, high=1.0, high_open=True)
    eps = _per_point("epsilon", epsilon, low=0.0)
    warmup = check_int("warmup_steps", warmup_steps, low=0)
    wd = _decay("weight_decay", weight_decay)

    def init(params: Any) -> ScheduleFreeState:
        zeros = _zeros_like(params, _batch_shape(lr, b1, b2, eps, wd))
        return ScheduleFreeState(0, zeros + np.asarray(params, dtype=np.float64), zeros)

    def update(grads: Any, state: ScheduleFreeState, params: Any = None, **extra: Any):
        if params is None:
            raise ValueError("schedule_free_adamw needs params (the point y): "
                             "update(grads, state, params)")
        g = _check_grads(grads, state.z)
        t = state.count + 1
        lr_now = lr_at(state.count, g.shape)
        y = np.asarray(params, dtype=np.float64) * (1.0 - lr_now * _full(wd, g.shape))
        if warmup > 0:
            lr_now = lr_now * min(t / warmup, 1.0)
        b1f, b2f, eps_f = _full(b1, g.shape), _full(b2, g.shape), _full(eps, g.shape)
        v = state.v + (g * g - state.v) * (1.0 - b2f)
        z = state.z - lr_now * g / (np.sqrt(v / (1.0 - b2f**t)) + eps_f)
        x_old = (y - (1.0 - b1f) * state.z) / b1f
        x_new = (1.0 - 1.0 / t) * x_old + z / t
        y_new = (1.0 - b1f) * z + b1f * x_new
        return y_new - np.asarray(params, dtype=np.float64), ScheduleFreeState(t, z, v)

    hyper = {"learning_rate": lr, "beta_1": b1, "beta_2": b2, "epsilon": eps,
             "warmup_steps": warmup, "weight_decay": wd}
    return _make("schedule_free_adamw", init, update, {k: _stored(v) for k, v in hyper.items()})


def schedule_free_average(params: Any, state: ScheduleFreeState, beta_1: Any = 0.9
                          ) -> np.ndarray:
    r"""The averaged point :math:`x = (y - (1-\beta_1) z)/\beta_1` to evaluate the model at."""
    b1 = np.asarray(beta_1, dtype=np.float64)
    if b1.ndim:
        b1 = b1[..., None]
    return _average(np.asarray(params, dtype=np.float64), state.z, b1)


def _average(y: np.ndarray, z: np.ndarray, beta_1: Any) -> np.ndarray:
    """x from y = (1 - β₁) z + β₁ x."""
    return (y - (1.0 - beta_1) * z) / beta_1


#: Keras's coefficients of the quintic Newton-Schulz iteration (Jordan et al. 2024).
MUON_COEFFICIENTS = (3.4445, -4.7750, 2.0315)


def newton_schulz(x: np.ndarray, steps: int = 5,
                  coefficients: tuple[float, float, float] = MUON_COEFFICIENTS) -> np.ndarray:
    r"""Approximately orthogonalize matrices ``x`` (shape ``(..., m, n)``), as Keras's Muon.

    :math:`X \leftarrow X/(\lVert X\rVert_F + 10^{-7})`, then ``steps`` times
    :math:`X \leftarrow aX + (bA + cA^2)X` with :math:`A = XX^\top`. Each singular value
    :math:`s` maps to :math:`as + bs^3 + cs^5`, which pushes every one of them towards 1
    (into roughly [0.7, 1.2]) without an SVD: the result is close to :math:`UV^\top`.
    """
    a, b, c = coefficients
    tall = x.shape[-2] > x.shape[-1]
    if tall:
        x = np.swapaxes(x, -1, -2)
    x = x / (np.linalg.norm(x, axis=(-2, -1), keepdims=True) + 1e-7)
    for _ in range(steps):
        gram = x @ np.swapaxes(x, -1, -2)
        x = a * x + (b * gram + c * gram @ gram) @ x
    return np.swapaxes(x, -1, -2) if tall else x


def muon(
    learning_rate: Any = 0.001,
    momentum: Any = 0.95,
    nesterov: bool = True,
    ns_steps: int = 5,
    rms_rate: Any = 0.2,
    weight_decay: Any = 0.004,
    shape: tuple[int, int] | None = None,
) -> GradientTransformation:
    r"""Muon (Jordan et al. 2024): momentum, orthogonalized by Newton-Schulz, for weight matrices.

    .. math::
        m \leftarrow \mu m + g,\quad G = g + \mu m \text{ (Nesterov) or } m,\quad
        \theta \leftarrow \theta - \epsilon\,\sqrt{\max(n_r, n_c)}\;\rho\;
        \operatorname{NS}_5(G)

    :func:`newton_schulz` replaces :math:`G = U\Sigma V^\top` by about :math:`UV^\top`: every
    direction of the matrix gets a step of the same size, however unequal the gradient's
    singular values. The factor :math:`\sqrt{\max(n_r, n_c)}\,\rho` (``rms_rate``, Moonlight)
    gives the update the RMS of an Adam update. This is Keras's ``Muon`` on a 2-D weight
    (``shape=(n_r, n_c)``); Keras runs AdamW on every other variable.

    On the course's 2-D points (``shape=None``) a point is a :math:`1\times 2` matrix, whose
    only singular direction is the gradient's own: :math:`\operatorname{NS}_5(G)` is
    :math:`G/\lVert G\rVert` times 0.70 (five steps of the quintic from :math:`s=1`:
    1 → 0.70 → 1.11 → 0.72 → 1.09 → 0.70), so Muon *is* normalized SGD with Nesterov momentum
    there, with the fixed step length :math:`0.70\,\sqrt2\,\rho\,\epsilon \approx 0.2\,\epsilon`.
    Keras itself would run AdamW on such a vector.
    """
    lr_at, lr = _learning_rate(learning_rate)
    mu = _per_point("momentum", momentum, low=0.0, high=1.0, high_open=True)
    steps = check_int("ns_steps", ns_steps, low=0, high=20)
    rate = _per_point("rms_rate", rms_rate, low=0.0, low_open=True)
    wd = _decay("weight_decay", weight_decay)
    matrix = _matrix_shape(shape, "shape")
    nesterov = bool(nesterov)

    def init(params: Any) -> MuonState:
        return MuonState(0, _zeros_like(params, _batch_shape(lr, mu, rate, wd)))

    def update(grads: Any, state: MuonState, params: Any = None, **extra: Any):
        if params is None:
            raise ValueError("muon needs params for its weight decay: update(grads, state, "
                             "params)")
        g = _check_grads(grads, state.m)
        muf = _full(mu, g.shape)
        m = state.m * muf + g
        direction = g + muf * m if nesterov else m
        mats = _as_matrices(direction, matrix) if matrix else direction[..., None, :]
        ortho = newton_schulz(mats, steps).reshape(g.shape)
        rows, cols = matrix if matrix else (1, g.shape[-1])
        lr_now = lr_at(state.count, g.shape)
        scale = np.sqrt(max(rows, cols)) * _full(rate, g.shape)
        decay = -lr_now * _full(wd, g.shape) * np.asarray(params, dtype=np.float64)
        return decay - lr_now * scale * ortho, MuonState(state.count + 1, m)

    hyper = {"learning_rate": lr, "momentum": mu, "nesterov": nesterov, "ns_steps": steps,
             "rms_rate": rate, "weight_decay": wd, "shape": matrix}
    return _make("muon", init, update, {k: _stored(v) for k, v in hyper.items()})


# --------------------------------------------------------------------------- inside the optimizer


def inside_adamw(points: np.ndarray, states: list, hyper: dict[str, Any],
                 learning_rate: np.ndarray | None) -> Inside:
    """AdamW: Adam's view (m̂, √v̂, its step size), and the decay step −εαθ as its own row."""
    adam_view = inside_adam(points, states, hyper, learning_rate)
    decay = -rate_column(learning_rate) * hyper["weight_decay"] * points
    return dataclasses.replace(adam_view, rows=(*adam_view.rows, ("decay step −εαθ", decay)))


def inside_lion(points: np.ndarray, states: list, hyper: dict[str, Any],
                learning_rate: np.ndarray | None) -> Inside:
    """Lion: the momentum m; every coordinate steps by exactly ε."""
    return Inside(rate_column(learning_rate, points), label="step per coordinate ε",
                  rows=(("momentum m", stack_states(states, "m")),))


def inside_schedule_free(points: np.ndarray, states: list, hyper: dict[str, Any],
                         learning_rate: np.ndarray | None) -> Inside:
    """Schedule-free: y (the path), z (the base sequence) and the average x to evaluate."""
    z = stack_states(states, "z")
    x = _average(points, z, hyper["beta_1"])
    t = np.arange(len(states), dtype=float)[:, None]
    with np.errstate(all="ignore"):
        v_hat = stack_states(states, "v") / (1.0 - hyper["beta_2"] ** t)
        eff = rate_column(learning_rate) / (
            np.sqrt(v_hat) + hyper.get("epsilon", 0.0))
    return Inside(eff, rows=(("z (base sequence)", z), ("x (average: evaluate here)", x)),
                  lookahead=x)


def inside_muon(points: np.ndarray, states: list, hyper: dict[str, Any],
                learning_rate: np.ndarray | None) -> Inside:
    """Muon on a point: the momentum m; the step length is fixed, its direction is m's."""
    m = stack_states(states, "m")
    return Inside(rate_column(learning_rate, points), rows=(("momentum m", m),), velocity=-m)


__all__ = ["AdamState", "adamw", "lion", "lamb", "adafactor", "schedule_free_adamw",
           "schedule_free_average", "muon", "newton_schulz", "LionState", "LambState",
           "AdafactorState", "ScheduleFreeState", "MuonState", "MUON_COEFFICIENTS"]
