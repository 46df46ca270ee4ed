"""AdaGrad, RMSProp, AdaDelta and Rprop: per-coordinate step sizes (notebook 05)."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .base import (
    GradientTransformation,
    Inside,
    _batch_shape,
    _check_grads,
    _full,
    _learning_rate,
    _make,
    _momentum,
    _per_point,
    _stored,
    _zeros_like,
    rate_column,
    stack_states,
)


class AdagradState(NamedTuple):
    """AdaGrad's running sum of squared gradients ``r``."""

    count: int
    accumulator: np.ndarray


class RmspropState(NamedTuple):
    """RMSProp: ``square_avg`` is the decaying mean of g² (Keras ``velocity``);
    ``grad_avg`` the decaying mean of g (centered only); ``velocity`` the momentum
    buffer (momentum > 0 only)."""

    count: int
    square_avg: np.ndarray
    grad_avg: np.ndarray | None
    velocity: np.ndarray | None


class RmspropNesterovState(NamedTuple):
    """RMSProp with Nesterov momentum: ``square_avg`` (r) and ``velocity`` (v)."""

    count: int
    square_avg: np.ndarray
    velocity: np.ndarray


class AdadeltaState(NamedTuple):
    """AdaDelta: decaying means of squared gradients and of squared updates."""

    count: int
    accum_grad: np.ndarray
    accum_delta: np.ndarray

class RpropState(NamedTuple):
    """Rprop: a step size per parameter, the sign of the previous gradient (0 after a
    backtracked step) and, with ``backtracking=True``, the previous update."""

    count: int
    step_size: np.ndarray
    prev_sign: np.ndarray
    prev_update: np.ndarray | None = None

def adagrad(
    learning_rate: Any = 0.001, initial_accumulator_value: Any = 0.1, epsilon: Any = 1e-7
) -> GradientTransformation:
    r"""AdaGrad as in Keras (``keras.optimizers.Adagrad``).

    .. math::
        r \leftarrow r + g \odot g, \qquad
        \theta \leftarrow \theta - \frac{\epsilon_{lr}\, g}{\sqrt{r + \varepsilon}},
        \qquad r_0 = \texttt{initial\_accumulator\_value}.

    The lecture (and Duchi et al.) start from :math:`r_0 = 0` and put the small
    constant *outside* the square root, :math:`\epsilon/(\delta + \sqrt{r})`:
    see :func:`adagrad_textbook`. Because :math:`r` only grows, the effective step
    :math:`\epsilon_{lr}/\sqrt{r}` shrinks towards zero over a long run.
    """
    lr_at, lr = _learning_rate(learning_rate)
    r0 = _per_point("initial_accumulator_value", initial_accumulator_value, low=0.0)
    eps = _per_point("epsilon", epsilon, low=0.0)

    def init(params: Any) -> AdagradState:
        zeros = _zeros_like(params, _batch_shape(lr, r0, eps))
        return AdagradState(count=0, accumulator=zeros + r0)

    def update(grads: Any, state: AdagradState, params: Any = None, **extra: Any):
        g = _check_grads(grads, state.accumulator)
        accumulator = state.accumulator + g * g
        updates = -lr_at(state.count, g.shape) * g / np.sqrt(accumulator + _full(eps, g.shape))
        return updates, AdagradState(count=state.count + 1, accumulator=accumulator)

    hyper = {"learning_rate": lr, "initial_accumulator_value": r0, "epsilon": eps}
    return _make("adagrad", init, update, {k: _stored(v) for k, v in hyper.items()})


def adagrad_textbook(learning_rate: Any = 0.01, epsilon: Any = 1e-7) -> GradientTransformation:
    r"""AdaGrad as in the lecture (Goodfellow et al., Alg. 8.4). Not in Keras.

    .. math::
        r \leftarrow r + g \odot g, \qquad
        \Delta\theta = -\frac{\epsilon}{\delta + \sqrt{r}} \odot g,
        \qquad r_0 = 0,\ \delta = 10^{-7}.

    ``epsilon`` here is the lecture's :math:`\delta`, added *outside* the square root;
    Keras adds it inside and starts from :math:`r_0 = 0.1` (:func:`adagrad`).
    """
    lr_at, lr = _learning_rate(learning_rate)
    eps = _per_point("epsilon", epsilon, low=0.0)

    def init(params: Any) -> AdagradState:
        return AdagradState(count=0, accumulator=_zeros_like(params, _batch_shape(lr, eps)))

    def update(grads: Any, state: AdagradState, params: Any = None, **extra: Any):
        g = _check_grads(grads, state.accumulator)
        accumulator = state.accumulator + g * g
        updates = -lr_at(state.count, g.shape) * g / (_full(eps, g.shape) + np.sqrt(accumulator))
        return updates, AdagradState(count=state.count + 1, accumulator=accumulator)

    return _make(
        "adagrad_textbook", init, update, {"learning_rate": _stored(lr), "epsilon": _stored(eps)}
    )


def rmsprop(
    learning_rate: Any = 0.001,
    rho: Any = 0.9,
    momentum: Any = 0.0,
    epsilon: Any = 1e-7,
    centered: bool = False,
) -> GradientTransformation:
    r"""RMSProp as in Keras (``keras.optimizers.RMSprop``).

    .. math::
        r \leftarrow \rho r + (1-\rho) g\odot g, \qquad
        \Delta = \frac{\epsilon_{lr}\, g}{\sqrt{r + \varepsilon}}, \qquad
        \theta \leftarrow \theta - \Delta.

    With ``momentum`` :math:`\mu > 0`: :math:`v \leftarrow \mu v + \Delta`,
    :math:`\theta \leftarrow \theta - v`. With ``centered=True`` the mean gradient
    :math:`\bar g \leftarrow \rho \bar g + (1-\rho) g` is tracked too and the
    denominator becomes :math:`\sqrt{r - \bar g^2 + \varepsilon}` (a variance estimate).

    The lecture (Goodfellow et al., Alg. 8.5) has the same form with
    :math:`\delta = 10^{-6}` inside the square root; cs231n's slide puts it outside.
    """
    lr_at, lr = _learning_rate(learning_rate)
    rho_ = _per_point("rho", rho, low=0.0, high=1.0, high_open=True)
    mu_at, mu = _momentum(momentum)
    eps = _per_point("epsilon", epsilon, low=0.0)
    centered = bool(centered)
    use_momentum = callable(mu) or isinstance(mu, np.ndarray) or mu > 0

    def init(params: Any) -> RmspropState:
        zeros = _zeros_like(params, _batch_shape(lr, rho_, mu, eps))
        return RmspropState(
            count=0,
            square_avg=zeros,
            grad_avg=zeros if centered else None,
            velocity=zeros if use_momentum else None,
        )

    def update(grads: Any, state: RmspropState, params: Any = None, **extra: Any):
        g = _check_grads(grads, state.square_avg)
        rho_f, eps_f = _full(rho_, g.shape), _full(eps, g.shape)
        square_avg = rho_f * state.square_avg + (1.0 - rho_f) * (g * g)
        grad_avg = None
        if centered:
            grad_avg = rho_f * state.grad_avg + (1.0 - rho_f) * g
            denominator = square_avg - grad_avg * grad_avg + eps_f
        else:
            denominator = square_avg + eps_f
        increment = lr_at(state.count, g.shape) * g / np.sqrt(denominator)
        velocity = None
        if use_momentum:
            velocity = mu_at(state.count, g.shape) * state.velocity + increment
            updates = -velocity
        else:
            updates = -increment
        new_state = RmspropState(state.count + 1, square_avg, grad_avg, velocity)
        return updates, new_state

    hyper = {"learning_rate": lr, "rho": rho_, "momentum": mu, "epsilon": eps,
             "centered": centered}
    return _make("rmsprop", init, update, {k: _stored(v) for k, v in hyper.items()})


def rmsprop_nesterov(
    learning_rate: Any = 0.001, rho: Any = 0.9, momentum: Any = 0.9, epsilon: Any = 1e-7
) -> GradientTransformation:
    r"""RMSProp with Nesterov momentum (Goodfellow et al., Alg. 8.6). Not in Keras.

    .. math::
        \tilde\theta = \theta + \alpha v,\quad g = \nabla J(\tilde\theta),\quad
        r \leftarrow \rho r + (1-\rho) g\odot g,\quad
        v \leftarrow \alpha v - \frac{\epsilon}{\sqrt{\delta + r}} \odot g,\quad
        \theta \leftarrow \theta + v.

    Alg. 8.6 writes :math:`\epsilon/\sqrt{r}`; we add the :math:`\delta` of Alg. 8.5
    inside the square root (``epsilon``) so a zero gradient at the first step does not
    divide 0 by 0. ``epsilon=0`` gives the literal algorithm. The gradient is taken at
    the look-ahead point ``eval_point(params, state)``.
    """
    lr_at, lr = _learning_rate(learning_rate)
    rho_ = _per_point("rho", rho, low=0.0, high=1.0, high_open=True)
    mu_at, mu = _momentum(momentum)
    eps = _per_point("epsilon", epsilon, low=0.0)

    def init(params: Any) -> RmspropNesterovState:
        zeros = _zeros_like(params, _batch_shape(lr, rho_, mu, eps))
        return RmspropNesterovState(count=0, square_avg=zeros, velocity=zeros)

    def eval_point(params: Any, state: RmspropNesterovState) -> np.ndarray:
        return np.asarray(params, dtype=np.float64) + mu_at(
            state.count, state.velocity.shape) * state.velocity

    def update(grads: Any, state: RmspropNesterovState, params: Any = None, **extra: Any):
        g = _check_grads(grads, state.square_avg)
        rho_f = _full(rho_, g.shape)
        square_avg = rho_f * state.square_avg + (1.0 - rho_f) * (g * g)
        step = lr_at(state.count, g.shape) * g / np.sqrt(_full(eps, g.shape) + square_avg)
        velocity = mu_at(state.count, g.shape) * state.velocity - step
        return velocity, RmspropNesterovState(state.count + 1, square_avg, velocity)

    hyper = {"learning_rate": lr, "rho": rho_, "momentum": mu, "epsilon": eps}
    return _make(
        "rmsprop_nesterov", init, update, {k: _stored(v) for k, v in hyper.items()},
        eval_point=eval_point,
    )


def adadelta(learning_rate: Any = 0.001, rho: Any = 0.95, epsilon: Any = 1e-7
             ) -> GradientTransformation:
    r"""AdaDelta (Zeiler 2012) as in Keras (``keras.optimizers.Adadelta``).

    With :math:`\mathrm{RMS}[x] = \sqrt{x + \varepsilon}`:

    .. math::
        E[g^2] \leftarrow \rho E[g^2] + (1-\rho) g^2,\quad
        \Delta = -\frac{\mathrm{RMS}[E[\Delta^2]]}{\mathrm{RMS}[E[g^2]]}\, g,\quad
        E[\Delta^2] \leftarrow \rho E[\Delta^2] + (1-\rho)\Delta^2,\quad
        \theta \leftarrow \theta + \epsilon_{lr} \Delta.

    The ratio of RMS values has the units of :math:`\theta` (the Newton intuition:
    :math:`\Delta\theta \approx (\partial f/\partial\theta)/(\partial^2 f/\partial\theta^2)`),
    so the original method has *no* global learning rate: that is ``learning_rate=1.0``,
    the lecture's ``Adadelta(learning_rate=1.0, rho=0.95)`` and Keras 2's default. Keras 3
    defaults to 0.001, which we follow here; pass 1.0 for the paper's method.
    """
    lr_at, lr = _learning_rate(learning_rate)
    rho_ = _per_point("rho", rho, low=0.0, high=1.0, high_open=True)
    eps = _per_point("epsilon", epsilon, low=0.0, low_open=True)

    def init(params: Any) -> AdadeltaState:
        zeros = _zeros_like(params, _batch_shape(lr, rho_, eps))
        return AdadeltaState(count=0, accum_grad=zeros, accum_delta=zeros)

    def update(grads: Any, state: AdadeltaState, params: Any = None, **extra: Any):
        g = _check_grads(grads, state.accum_grad)
        rho_f, eps_f = _full(rho_, g.shape), _full(eps, g.shape)
        accum_grad = rho_f * state.accum_grad + (1.0 - rho_f) * (g * g)
        delta = -np.sqrt(state.accum_delta + eps_f) / np.sqrt(accum_grad + eps_f) * g
        accum_delta = rho_f * state.accum_delta + (1.0 - rho_f) * (delta * delta)
        updates = lr_at(state.count, g.shape) * delta
        return updates, AdadeltaState(state.count + 1, accum_grad, accum_delta)

    hyper = {"learning_rate": lr, "rho": rho_, "epsilon": eps}
    return _make("adadelta", init, update, {k: _stored(v) for k, v in hyper.items()})

def rprop(
    initial_step: Any = 0.01,
    eta_plus: Any = 1.2,
    eta_minus: Any = 0.5,
    min_step: Any = 1e-6,
    max_step: Any = 50.0,
    backtracking: bool = False,
) -> GradientTransformation:
    r"""Resilient propagation (Riedmiller & Braun 1993) in the lecture's three steps. Not in Keras.

    Every parameter has its own step size :math:`U` (initially 0.01); only the sign of
    the gradient is used:

    1. :math:`\theta \leftarrow \theta - U \odot \operatorname{sign}(g_t)`;
    2. :math:`U \leftarrow U\eta^+` where :math:`\operatorname{sign}(g_t)` equals the
       previous sign, :math:`U \leftarrow U\eta^-` where it differs, then clip :math:`U`
       to ``[min_step, max_step]``;
    3. remember :math:`\operatorname{sign}(g_t)`.

    At the first step there is no previous sign, so :math:`U` is left unchanged; so it is
    whenever the product :math:`g_{t-1} g_t` is zero (Riedmiller & Braun's rule: a zero
    gradient component neither grows nor shrinks its step, and does not move).

    ``backtracking=True`` adds the paper's weight backtracking (lecture 002): where the sign
    flips, the previous step is undone (:math:`\Delta\theta_t = -\Delta\theta_{t-1}`) instead of
    taking a new one, :math:`U` shrinks, and the sign is forgotten, so the next step neither
    grows nor shrinks :math:`U`.
    PyTorch's ``Rprop`` adapts :math:`U` *before* stepping and skips the step after a
    sign change; the lecture's order steps first, so it lags one step behind.
    With minibatches Rprop fails: an epoch of nine gradients of +0.1 and one of -0.9
    cancels for SGD, but Rprop takes nine steps one way and one back, and its step size grows
    (eight agreements ×1.2, two flips ×0.5: ×1.07 per epoch).
    """
    u0 = _per_point("initial_step", initial_step, low=0.0, low_open=True)
    inc = _per_point("eta_plus", eta_plus, low=1.0)
    dec = _per_point("eta_minus", eta_minus, low=0.0, high=1.0, low_open=True)
    lo = _per_point("min_step", min_step, low=0.0)
    hi = _per_point("max_step", max_step, low=0.0, low_open=True)
    if np.any(np.asarray(lo) > np.asarray(hi)):
        raise ValueError("min_step must be <= max_step")

    backtracking = bool(backtracking)

    def init(params: Any) -> RpropState:
        zeros = _zeros_like(params, _batch_shape(u0, inc, dec, lo, hi))
        return RpropState(count=0, step_size=zeros + u0, prev_sign=zeros,
                          prev_update=zeros if backtracking else None)

    def update(grads: Any, state: RpropState, params: Any = None, **extra: Any):
        g = _check_grads(grads, state.step_size)
        sign = np.sign(g)
        product = sign * state.prev_sign
        updates = -state.step_size * sign
        inc_f, dec_f = _full(inc, g.shape), _full(dec, g.shape)
        factor = np.where(product > 0, inc_f, np.where(product < 0, dec_f, 1.0))
        step_size = np.clip(state.step_size * factor, _full(lo, g.shape), _full(hi, g.shape))
        if not backtracking:
            return updates, RpropState(state.count + 1, step_size, sign)
        flipped = product < 0
        updates = np.where(flipped, -state.prev_update, updates)
        return updates, RpropState(state.count + 1, step_size, np.where(flipped, 0.0, sign),
                                   updates)

    hyper = {"initial_step": u0, "eta_plus": inc, "eta_minus": dec, "min_step": lo,
             "max_step": hi, "backtracking": backtracking}
    return _make("rprop", init, update, {k: _stored(v) for k, v in hyper.items()})


# --------------------------------------------------------------------------- inside the optimizer


def inside_adagrad(points: np.ndarray, states: list, hyper: dict[str, Any],
                   learning_rate: np.ndarray | None) -> Inside:
    """Keras AdaGrad: the sum r = Σ g² and the step size ε / √(r + δ)."""
    r = stack_states(states, "accumulator")
    with np.errstate(all="ignore"):
        eff = rate_column(learning_rate) / np.sqrt(r + hyper.get("epsilon", 0.0))
    return Inside(eff, rows=(("r = Σ g²", r),))


def inside_adagrad_textbook(points: np.ndarray, states: list, hyper: dict[str, Any],
                            learning_rate: np.ndarray | None) -> Inside:
    """Textbook AdaGrad: the step size ε / (δ + √r)."""
    r = stack_states(states, "accumulator")
    with np.errstate(all="ignore"):
        eff = rate_column(learning_rate) / (hyper.get("epsilon", 0.0) + np.sqrt(r))
    return Inside(eff, rows=(("r = Σ g²", r),))


def inside_rmsprop(points: np.ndarray, states: list, hyper: dict[str, Any],
                   learning_rate: np.ndarray | None) -> Inside:
    """RMSProp: √r, the mean gradient when centered, the velocity when momentum > 0."""
    r = stack_states(states, "square_avg")
    eps = hyper.get("epsilon", 0.0)
    rows: list[tuple[str, np.ndarray]] = [("√r (RMS of g)", np.sqrt(r))]
    denom = r + eps
    if states[0].grad_avg is not None:
        grad_avg = stack_states(states, "grad_avg")
        denom = r - grad_avg * grad_avg + eps
        rows.append(("mean gradient ḡ", grad_avg))
    with np.errstate(all="ignore"):
        eff = rate_column(learning_rate) / np.sqrt(denom)
    velocity = None
    if states[0].velocity is not None:
        velocity = -stack_states(states, "velocity")
        rows.append(("velocity v", velocity))
    return Inside(eff, rows=tuple(rows), velocity=velocity)


def inside_rmsprop_nesterov(points: np.ndarray, states: list, hyper: dict[str, Any],
                            learning_rate: np.ndarray | None) -> Inside:
    """RMSProp with textbook Nesterov momentum: √r, the velocity and the look-ahead point."""
    r = stack_states(states, "square_avg")
    velocity = stack_states(states, "velocity")
    lookahead = points + hyper["momentum"] * velocity
    with np.errstate(all="ignore"):
        eff = rate_column(learning_rate) / np.sqrt(hyper.get("epsilon", 0.0) + r)
    return Inside(eff, rows=(("√r (RMS of g)", np.sqrt(r)), ("velocity v", velocity),
                             ("look-ahead θ + μv", lookahead)),
                  velocity=velocity, lookahead=lookahead)


def inside_adadelta(points: np.ndarray, states: list, hyper: dict[str, Any],
                    learning_rate: np.ndarray | None) -> Inside:
    """AdaDelta: RMS[g], RMS[Δθ] and the step size ε · RMS[Δθ]ₜ₋₁ / RMS[g]ₜ."""
    eps = hyper.get("epsilon", 0.0)
    eg, ed = stack_states(states, "accum_grad"), stack_states(states, "accum_delta")
    previous = np.concatenate([ed[:1], ed[:-1]])
    with np.errstate(all="ignore"):
        eff = rate_column(learning_rate) * np.sqrt(previous + eps) / np.sqrt(eg + eps)
    return Inside(eff, rows=(("RMS[g]", np.sqrt(eg + eps)), ("RMS[Δθ]", np.sqrt(ed + eps))))


def inside_rprop(points: np.ndarray, states: list, hyper: dict[str, Any],
                 learning_rate: np.ndarray | None) -> Inside:
    """Rprop: the per-coordinate step size U is the whole state that matters.

    The lecture's order steps first and adapts U after, so step k moves by the U of state
    k - 1; the table's row shows U after step k (the size of the next step).
    """
    step = stack_states(states, "step_size")
    used = np.concatenate([step[:1], step[:-1]])
    return Inside(used, label="step size U", rows=(("step size U", step),))
