r"""Optimizer steppers as pure functions, in the style of optax.

Every optimizer is a :class:`GradientTransformation`: a factory such as
``adam(learning_rate=0.01)`` captures the hyperparameters and returns

* ``init(params) -> state``: the optimizer's memory for these parameters;
* ``update(grads, state, params=None, **extra) -> (updates, new_state)``:
  the step to *add* to the parameters, ``params_next = params + updates``.

States are ``NamedTuple`` objects whose fields carry the names of the
mathematics (``velocity``, ``m``, ``v``, ``accum_grad`` ...). Nothing is
mutated in place, so a state can be kept, compared and replayed.

Shapes and grids
----------------
Parameters have shape ``(..., d)``: the last axis holds the coordinates of one
point (``d = 2`` on the course's surfaces), the leading axes are a batch of
independent trajectories. Every real hyperparameter may be a float or an array
whose shape broadcasts against the *batch* shape ``params.shape[:-1]``: one call
then runs a whole grid, e.g. 256 learning rates x 256 momenta::

    lr, mu = np.meshgrid(np.geomspace(1e-3, 2, 256), np.linspace(0, 0.99, 256))
    opt = sgd(learning_rate=lr, momentum=mu)        # batch shape (256, 256)

``learning_rate`` may also be a schedule from :mod:`course_utils.schedules`
(any callable of the step count), evaluated at ``count``, the number of updates
already applied (0 at the first update), as Keras does with ``iterations``.

Keras
-----
Names and defaults follow ``keras.optimizers`` (Keras 3), and with default
settings the numbers agree with Keras run in float64 (the test-suite checks a
relative 1e-5; Keras keeps ``learning_rate`` as a float32 variable, so the
agreement is near 1e-7, not 1e-15). Where the lecture's textbook form differs
from Keras, the docstring says how.

Composition
-----------
``chain(clip_by_norm(1.0), sgd(0.1))`` clips the gradient, then steps.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from ._validate import ParamSpec, check_real, check_unknown

__all__ = [
    "GradientTransformation",
    "ParamSpec",
    "sgd",
    "momentum",
    "nesterov",
    "nesterov_lookahead",
    "adagrad",
    "adagrad_textbook",
    "rmsprop",
    "rmsprop_nesterov",
    "adadelta",
    "adam",
    "adamax",
    "nadam",
    "rprop",
    "newton",
    "saddle_free_newton",
    "clip_by_value",
    "clip_by_norm",
    "add_noise",
    "scale_by_schedule",
    "chain",
    "get",
    "names",
    "parameters",
    "apply_updates",
    "state_size",
]

Hyper = float | np.ndarray
Schedule = Callable[[int], Any]


class GradientTransformation(NamedTuple):
    """A stepper: ``init(params) -> state``, ``update(grads, state, params) -> (updates, state)``.

    Attributes
    ----------
    init, update
        The two pure functions.
    name
        Short name, e.g. ``"adam"``.
    hyperparams
        The hyperparameters as given (read-only), for display and for saving a setup.
    batch_shape
        Broadcast shape of all array-valued hyperparameters (``()`` when all are scalars).
    eval_point
        ``None``, or ``eval_point(params, state) -> point`` where the gradient must be
        taken (Nesterov's look-ahead point ``theta + alpha v`` in the textbook forms).
        :func:`course_utils.run` honours it; a hand-written loop must too.
    needs_hessian
        If true, ``update`` needs the keyword ``hessian=H(params)``, shape ``(..., d, d)``.
    """

    init: Callable[[np.ndarray], Any]
    update: Callable[..., tuple[np.ndarray, Any]]
    name: str = "transformation"
    hyperparams: Mapping[str, Any] = MappingProxyType({})
    batch_shape: tuple[int, ...] = ()
    eval_point: Callable[[np.ndarray, Any], np.ndarray] | None = None
    needs_hessian: bool = False




# --------------------------------------------------------------------------- helpers


def _per_point(name: str, value: Any, **limits: Any) -> Hyper:
    """Validate a real hyperparameter; arrays get a trailing axis for the coordinates."""
    checked = check_real(name, value, **limits)
    if isinstance(checked, np.ndarray):
        return checked[..., None]
    return checked


_FULL_CACHE: dict[tuple[int, tuple[int, ...]], tuple[np.ndarray, np.ndarray]] = {}


def _full(h: Any, shape: tuple[int, ...]) -> Any:
    """``h`` broadcast to the full parameter ``shape`` as a contiguous array (cached).

    numpy is slow when a (..., 1) array meets a (..., 2) one: its inner loop then runs over
    the last axis of length 2. A contiguous copy of the hyperparameter grid at the full
    shape keeps every update at full speed. Floats pass through unchanged.
    """
    if not isinstance(h, np.ndarray) or h.shape == shape:
        return h
    shape = tuple(np.broadcast_shapes(h.shape, shape))
    key = (id(h), shape)
    hit = _FULL_CACHE.get(key)
    if hit is None or hit[0] is not h:
        if len(_FULL_CACHE) >= 16:
            _FULL_CACHE.clear()
        hit = (h, np.ascontiguousarray(np.broadcast_to(h, shape)))
        _FULL_CACHE[key] = hit
    return hit[1]


def _batch_shape(*values: Any) -> tuple[int, ...]:
    shapes = [np.shape(v)[:-1] for v in values if isinstance(v, np.ndarray)]
    try:
        return tuple(np.broadcast_shapes(*shapes)) if shapes else ()
    except ValueError:
        raise ValueError(
            "array-valued hyperparameters must broadcast against each other, got shapes "
            + ", ".join(str(s) for s in shapes)
        ) from None


def _learning_rate(value: Any, name: str = "learning_rate"
                   ) -> tuple[Callable[[int, tuple[int, ...]], Hyper], Any]:
    """Return ``(lr_at(count, shape), stored)`` for a float, an array or a schedule."""
    if callable(value):
        schedule = value

        def lr_at(count: int, shape: tuple[int, ...]) -> Hyper:
            lr = schedule(count)
            if isinstance(lr, np.ndarray) and lr.ndim:
                return np.broadcast_to(lr[..., None], shape)
            return lr

        return lr_at, schedule
    lr = _per_point(name, value, low=0.0, low_open=True)
    return (lambda count, shape: _full(lr, shape)), lr


def _momentum(value: Any, name: str = "momentum"
              ) -> tuple[Callable[[int, tuple[int, ...]], Hyper], Any]:
    """Return ``(mu_at(count, shape), stored)`` for a momentum in [0, 1): a float, an array or
    a schedule (any callable of the step count, checked at every step; Keras has no such
    option, its ``momentum`` is a plain float)."""
    if callable(value):
        schedule = value

        def mu_at(count: int, shape: tuple[int, ...]) -> Hyper:
            mu = check_real(f"{name} (its schedule's value at step {count})", schedule(count),
                            low=0.0, high=1.0, high_open=True)
            if isinstance(mu, np.ndarray) and mu.ndim:
                return np.broadcast_to(mu[..., None], shape)
            return mu

        return mu_at, schedule
    mu = _per_point(name, value, low=0.0, high=1.0, high_open=True)
    return (lambda count, shape: _full(mu, shape)), mu


def _as_float_array(name: str, x: Any) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 0:
        raise ValueError(f"{name} must have shape (..., d) with the coordinates last, got a scalar")
    return arr


def _check_grads(grads: Any, state_like: np.ndarray | None = None) -> np.ndarray:
    g = _as_float_array("grads", grads)
    if state_like is not None and g.shape != state_like.shape:
        try:
            np.broadcast_shapes(g.shape, state_like.shape)
        except ValueError:
            raise ValueError(
                f"grads of shape {g.shape} do not match the optimizer state of shape "
                f"{state_like.shape} (was init called with parameters of another shape?)"
            ) from None
    return g


def _zeros_like(params: Any, batch_shape: tuple[int, ...]) -> np.ndarray:
    p = _as_float_array("params", params)
    try:
        shape = np.broadcast_shapes(p.shape, (*batch_shape, 1))
    except ValueError:
        raise ValueError(
            f"params of shape {p.shape} do not broadcast against the hyperparameter grid of "
            f"shape {batch_shape} (the grid applies to params.shape[:-1])"
        ) from None
    return np.zeros(shape)


def _make(
    name: str,
    init: Callable,
    update: Callable,
    hyper: dict[str, Any],
    *,
    eval_point: Callable | None = None,
    needs_hessian: bool = False,
) -> GradientTransformation:
    return GradientTransformation(
        init=init,
        update=update,
        name=name,
        hyperparams=MappingProxyType(dict(hyper)),
        batch_shape=tuple(
            np.broadcast_shapes(*[v.shape for v in hyper.values() if isinstance(v, np.ndarray)])
        ),
        eval_point=eval_point,
        needs_hessian=needs_hessian,
    )


def _stored(value: Any) -> Any:
    """What ``hyperparams`` keeps: arrays without the coordinate axis, floats as floats."""
    if isinstance(value, np.ndarray):
        return value[..., 0]
    return value


def apply_updates(params: Any, updates: Any) -> np.ndarray:
    """``params + updates`` (a new array)."""
    return np.asarray(params, dtype=np.float64) + updates


# --------------------------------------------------------------------------- states


class SgdState(NamedTuple):
    """Plain SGD keeps only the number of updates applied."""

    count: int


class MomentumState(NamedTuple):
    """Momentum methods keep a velocity ``v`` (Keras calls it ``momentum``)."""

    count: int
    velocity: np.ndarray


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


class RpropState(NamedTuple):
    """Rprop: a step size per parameter and the sign of the previous gradient."""

    count: int
    step_size: np.ndarray
    prev_sign: np.ndarray


class NoiseState(NamedTuple):
    """Gradient noise: the seed and the number of draws so far (pure: no RNG object)."""

    count: int
    seed: int


class CountState(NamedTuple):
    count: int


# --------------------------------------------------------------------------- SGD family


def sgd(learning_rate: Any = 0.01, momentum: Any = 0.0, nesterov: bool = False
        ) -> GradientTransformation:
    r"""Stochastic gradient descent, with optional (Nesterov) momentum. Keras: ``SGD``.

    Without momentum: :math:`\theta \leftarrow \theta - \epsilon g`.

    With momentum :math:`\mu` (the lecture's :math:`\alpha`), velocity :math:`v_0 = 0`:

    .. math::
        v \leftarrow \mu v - \epsilon g, \qquad \theta \leftarrow \theta + v.

    With ``nesterov=True`` Keras applies the *reparametrised* Nesterov update

    .. math::
        v \leftarrow \mu v - \epsilon g(\theta), \qquad
        \theta \leftarrow \theta + \mu v - \epsilon g(\theta).

    The lecture's form takes the gradient at the look-ahead point
    :math:`\tilde\theta = \theta + \mu v` (see :func:`nesterov_lookahead`).
    The two are the same algorithm: Keras's :math:`\theta` is the lecture's look-ahead
    point :math:`\theta + \mu v`, so Keras never needs a second point.

    Parameters
    ----------
    learning_rate : float, array or schedule, > 0
    momentum : float, array or schedule, in [0, 1)
        A schedule (a callable of the step count, e.g. rising from 0.5 to 0.99) anneals the
        momentum; Keras's ``momentum`` is a plain float in [0, 1].
    nesterov : bool
    """
    lr_at, lr = _learning_rate(learning_rate)
    mu_at, mu = _momentum(momentum)
    nesterov = bool(nesterov)
    hyper = {"learning_rate": lr, "momentum": mu, "nesterov": nesterov}
    plain = not callable(mu) and not isinstance(mu, np.ndarray) and mu == 0.0
    name = "nesterov" if nesterov else ("sgd" if plain else "momentum")

    if plain:

        def init(params: Any) -> SgdState:
            _zeros_like(params, _batch_shape(lr))
            return SgdState(count=0)

        def update(grads: Any, state: SgdState, params: Any = None, **extra: Any):
            g = _check_grads(grads)
            return -lr_at(state.count, g.shape) * g, SgdState(count=state.count + 1)

    else:

        def init(params: Any) -> MomentumState:
            return MomentumState(count=0, velocity=_zeros_like(params, _batch_shape(lr, mu)))

        def update(grads: Any, state: MomentumState, params: Any = None, **extra: Any):
            g = _check_grads(grads, state.velocity)
            mu_ = mu_at(state.count, g.shape)
            step = lr_at(state.count, g.shape) * g
            velocity = mu_ * state.velocity - step
            updates = mu_ * velocity - step if nesterov else velocity
            return updates, MomentumState(count=state.count + 1, velocity=velocity)

    return _make(name, init, update, {k: _stored(v) for k, v in hyper.items()})


def momentum(learning_rate: Any = 0.01, momentum: Any = 0.9) -> GradientTransformation:
    """Preset: :func:`sgd` with ``momentum`` (default 0.9), Keras ``SGD(momentum=0.9)``."""
    opt = sgd(learning_rate=learning_rate, momentum=momentum)
    return opt._replace(name="momentum")


def nesterov(learning_rate: Any = 0.01, momentum: Any = 0.9) -> GradientTransformation:
    """Preset: :func:`sgd` with ``momentum=0.9, nesterov=True`` (Keras's form)."""
    opt = sgd(learning_rate=learning_rate, momentum=momentum, nesterov=True)
    return opt._replace(name="nesterov")


def nesterov_lookahead(learning_rate: Any = 0.01, momentum: Any = 0.9) -> GradientTransformation:
    r"""Nesterov momentum as in the lecture (Goodfellow et al., Alg. 8.3). Not in Keras.

    .. math::
        \tilde\theta = \theta + \mu v, \quad
        v \leftarrow \mu v - \epsilon\, g(\tilde\theta), \quad
        \theta \leftarrow \theta + v.

    The gradient must be taken at the look-ahead point ``eval_point(params, state)``;
    :func:`course_utils.run` does that. Keras's ``SGD(nesterov=True)`` is the same method
    written for :math:`\phi = \theta + \mu v`; the test-suite checks that the two
    trajectories coincide after that change of variable.
    """
    lr_at, lr = _learning_rate(learning_rate)
    mu_at, mu = _momentum(momentum)

    def init(params: Any) -> MomentumState:
        return MomentumState(count=0, velocity=_zeros_like(params, _batch_shape(lr, mu)))

    def eval_point(params: Any, state: MomentumState) -> np.ndarray:
        return np.asarray(params, dtype=np.float64) + mu_at(
            state.count, state.velocity.shape) * state.velocity

    def update(grads: Any, state: MomentumState, params: Any = None, **extra: Any):
        g = _check_grads(grads, state.velocity)
        velocity = mu_at(state.count, g.shape) * state.velocity - lr_at(state.count, g.shape) * g
        return velocity, MomentumState(count=state.count + 1, velocity=velocity)

    return _make(
        "nesterov_lookahead",
        init,
        update,
        {"learning_rate": _stored(lr), "momentum": _stored(mu)},
        eval_point=eval_point,
    )


# --------------------------------------------------------------------------- AdaGrad family


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


# --------------------------------------------------------------------------- Adam family


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


# --------------------------------------------------------------------------- Rprop


def rprop(
    initial_step: Any = 0.01,
    eta_plus: Any = 1.2,
    eta_minus: Any = 0.5,
    min_step: Any = 1e-6,
    max_step: Any = 50.0,
) -> GradientTransformation:
    r"""Resilient propagation (Riedmiller & Braun 1993) in the lecture's three steps. Not in Keras.

    Every parameter has its own step size :math:`U` (initially 0.01); only the sign of
    the gradient is used:

    1. :math:`\theta \leftarrow \theta - U \odot \operatorname{sign}(g_t)`;
    2. :math:`U \leftarrow U\eta^+` where :math:`\operatorname{sign}(g_t)` equals the
       previous sign, :math:`U \leftarrow U\eta^-` where it differs, then clip :math:`U`
       to ``[min_step, max_step]``;
    3. remember :math:`\operatorname{sign}(g_t)`.

    At the first step there is no previous sign, so :math:`U` is left unchanged.
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

    def init(params: Any) -> RpropState:
        zeros = _zeros_like(params, _batch_shape(u0, inc, dec, lo, hi))
        return RpropState(count=0, step_size=zeros + u0, prev_sign=zeros)

    def update(grads: Any, state: RpropState, params: Any = None, **extra: Any):
        g = _check_grads(grads, state.step_size)
        sign = np.sign(g)
        updates = -state.step_size * sign
        inc_f, dec_f = _full(inc, g.shape), _full(dec, g.shape)
        factor = np.where(state.prev_sign == 0, 1.0,
                          np.where(sign == state.prev_sign, inc_f, dec_f))
        step_size = np.clip(state.step_size * factor, _full(lo, g.shape), _full(hi, g.shape))
        return updates, RpropState(state.count + 1, step_size, sign)

    hyper = {"initial_step": u0, "eta_plus": inc, "eta_minus": dec, "min_step": lo,
             "max_step": hi}
    return _make("rprop", init, update, {k: _stored(v) for k, v in hyper.items()})


# --------------------------------------------------------------------------- second order


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


# --------------------------------------------------------------------------- transforms


def clip_by_value(clip_value: Any) -> GradientTransformation:
    r"""Clip every gradient coordinate to ``[-clip_value, clip_value]`` (Keras ``clipvalue``).

    Clipping by value changes the *direction* of the gradient when one coordinate is clipped
    more than another; clipping by norm (:func:`clip_by_norm`) keeps the direction.
    """
    c = _per_point("clip_value", clip_value, low=0.0, low_open=True)

    def init(params: Any) -> CountState:
        return CountState(count=0)

    def update(grads: Any, state: CountState, params: Any = None, **extra: Any):
        g = _check_grads(grads)
        return np.clip(g, -c, c), CountState(state.count + 1)

    return _make("clip_by_value", init, update, {"clip_value": _stored(c)})


def clip_by_norm(max_norm: Any) -> GradientTransformation:
    r"""Rescale the gradient so that its norm is at most ``max_norm`` (Keras ``clipnorm``).

    .. math:: g \leftarrow g \cdot \min\left(1, \frac{c}{\lVert g\rVert}\right)

    The norm is over the last axis, so each point of a batch is clipped on its own. (Keras's
    ``clipnorm`` clips each variable's gradient separately and ``global_clipnorm`` all of
    them together; for one 2-D parameter vector the two coincide.)
    """
    c = _per_point("max_norm", max_norm, low=0.0, low_open=True)

    def init(params: Any) -> CountState:
        return CountState(count=0)

    def update(grads: Any, state: CountState, params: Any = None, **extra: Any):
        g = _check_grads(grads)
        norm = np.sqrt(np.sum(g * g, axis=-1, keepdims=True))
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(norm > c, c / norm, 1.0)
        return g * scale, CountState(state.count + 1)

    return _make("clip_by_norm", init, update, {"max_norm": _stored(c)})


def add_noise(stddev: Any = 1.0, batch_size: Any = 1, seed: int = 0) -> GradientTransformation:
    r"""Add seeded Gaussian noise of standard deviation ``stddev / sqrt(batch_size)``.

    This mimics a minibatch gradient on an analytic surface: if one example's gradient
    has standard deviation :math:`\sigma` around the true gradient, the mean of :math:`n`
    independent examples has standard error :math:`\sigma/\sqrt n`. The draws are a pure
    function of ``(seed, count)``, so a run is reproducible.
    """
    sd = _per_point("stddev", stddev, low=0.0)
    n = _per_point("batch_size", batch_size, low=1.0)
    seed = int(seed)

    def init(params: Any) -> NoiseState:
        return NoiseState(count=0, seed=seed)

    def update(grads: Any, state: NoiseState, params: Any = None, **extra: Any):
        g = _check_grads(grads)
        rng = np.random.default_rng([state.seed, state.count])
        noise = rng.standard_normal(g.shape) * (sd / np.sqrt(n))
        return g + noise, NoiseState(state.count + 1, state.seed)

    return _make("add_noise", init, update,
                 {"stddev": _stored(sd), "batch_size": _stored(n), "seed": seed})


def scale_by_schedule(schedule: Schedule) -> GradientTransformation:
    """Multiply the incoming updates by ``schedule(count)`` (for building custom chains)."""

    def init(params: Any) -> CountState:
        return CountState(count=0)

    def update(grads: Any, state: CountState, params: Any = None, **extra: Any):
        factor = schedule(state.count)
        if isinstance(factor, np.ndarray) and factor.ndim:
            factor = factor[..., None]
        return _check_grads(grads) * factor, CountState(state.count + 1)

    return _make("scale_by_schedule", init, update, {"schedule": schedule})


def chain(*transforms: GradientTransformation) -> GradientTransformation:
    """Apply transformations one after the other: ``chain(clip_by_norm(1.0), sgd(0.1))``.

    The state is the tuple of the parts' states. A look-ahead ``eval_point`` or the need
    for a Hessian is inherited from the part that has it.
    """
    if not transforms:
        raise ValueError("chain needs at least one transformation")
    for t in transforms:
        if not isinstance(t, GradientTransformation):
            raise ValueError(f"chain takes GradientTransformation objects, got {t!r}")
    lookahead = [(i, t) for i, t in enumerate(transforms) if t.eval_point is not None]
    if len(lookahead) > 1:
        raise ValueError("chain can hold at most one look-ahead (Nesterov textbook) optimizer")

    def init(params: Any) -> tuple:
        return tuple(t.init(params) for t in transforms)

    def update(grads: Any, state: tuple, params: Any = None, **extra: Any):
        new_states = []
        for t, s in zip(transforms, state, strict=True):
            grads, s = t.update(grads, s, params, **extra)
            new_states.append(s)
        return grads, tuple(new_states)

    eval_point = None
    if lookahead:
        index, part = lookahead[0]

        def eval_point(params: Any, state: tuple) -> np.ndarray:
            return part.eval_point(params, state[index])

    hyper: dict[str, Any] = {}
    for t in transforms:
        for key, value in t.hyperparams.items():
            hyper[f"{t.name}.{key}"] = value
    shapes = [t.batch_shape for t in transforms]
    try:
        batch_shape = tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise ValueError(f"the chained hyperparameter grids do not broadcast: {shapes}") from None
    return GradientTransformation(
        init=init,
        update=update,
        name="+".join(t.name for t in transforms),
        hyperparams=MappingProxyType(hyper),
        batch_shape=batch_shape,
        eval_point=eval_point,
        needs_hessian=any(t.needs_hessian for t in transforms),
    )


# --------------------------------------------------------------------------- registry

_LR = ParamSpec(0.01, 1e-4, 10.0, True, "learning rate ε")
_MU = ParamSpec(0.9, 0.0, 0.999, False, "momentum μ (friction 1 − μ)")
_EPS = ParamSpec(1e-7, 1e-10, 1e-1, True, "ε: small constant against division by zero")
_B1 = ParamSpec(0.9, 0.0, 0.999, False, "β₁: decay of the first moment m")
_B2 = ParamSpec(0.999, 0.5, 0.9999, False, "β₂: decay of the second moment v")
_RHO = ParamSpec(0.9, 0.0, 0.999, False, "ρ: decay rate of the mean of g²")

_REGISTRY: dict[str, tuple[Callable[..., GradientTransformation], dict[str, ParamSpec]]] = {
    "sgd": (sgd, {"learning_rate": _LR, "momentum": _MU._replace(default=0.0),
                  "nesterov": ParamSpec(False, None, None, False, "Nesterov (Keras form)")}),
    "momentum": (momentum, {"learning_rate": _LR, "momentum": _MU}),
    "nesterov": (nesterov, {"learning_rate": _LR, "momentum": _MU}),
    "nesterov_lookahead": (nesterov_lookahead, {"learning_rate": _LR, "momentum": _MU}),
    "adagrad": (adagrad, {
        "learning_rate": _LR._replace(default=0.001),
        "initial_accumulator_value": ParamSpec(0.1, 0.0, 1.0, False, "r₀: starting sum of g²"),
        "epsilon": _EPS}),
    "adagrad_textbook": (adagrad_textbook, {"learning_rate": _LR, "epsilon": _EPS}),
    "rmsprop": (rmsprop, {
        "learning_rate": _LR._replace(default=0.001), "rho": _RHO,
        "momentum": _MU._replace(default=0.0), "epsilon": _EPS,
        "centered": ParamSpec(False, None, None, False, "divide by the variance, not E[g²]")}),
    "rmsprop_nesterov": (rmsprop_nesterov, {
        "learning_rate": _LR._replace(default=0.001), "rho": _RHO, "momentum": _MU,
        "epsilon": _EPS}),
    "adadelta": (adadelta, {
        "learning_rate": _LR._replace(default=0.001, high=10.0), "rho": _RHO._replace(
            default=0.95), "epsilon": _EPS}),
    "adam": (adam, {"learning_rate": _LR._replace(default=0.001), "beta_1": _B1, "beta_2": _B2,
                    "epsilon": _EPS,
                    "amsgrad": ParamSpec(False, None, None, False, "AMSGrad: max of v")}),
    "adamax": (adamax, {"learning_rate": _LR._replace(default=0.001), "beta_1": _B1,
                        "beta_2": _B2, "epsilon": _EPS}),
    "nadam": (nadam, {"learning_rate": _LR._replace(default=0.001), "beta_1": _B1,
                      "beta_2": _B2, "epsilon": _EPS}),
    "rprop": (rprop, {
        "initial_step": ParamSpec(0.01, 1e-4, 1.0, True, "initial step size U₀"),
        "eta_plus": ParamSpec(1.2, 1.0, 2.0, False, "η⁺: growth on equal signs"),
        "eta_minus": ParamSpec(0.5, 0.05, 1.0, False, "η⁻: shrink on a sign change"),
        "min_step": ParamSpec(1e-6, 0.0, 1e-2, False, "smallest step"),
        "max_step": ParamSpec(50.0, 1e-2, 100.0, True, "largest step")}),
    "newton": (newton, {"learning_rate": _LR._replace(default=1.0),
                        "damping": ParamSpec(0.0, 0.0, 10.0, False, "λ added to H")}),
    "saddle_free_newton": (saddle_free_newton, {
        "learning_rate": _LR._replace(default=1.0),
        "damping": ParamSpec(1e-3, 0.0, 10.0, False, "λ added to |eigenvalues|")}),
}


def names() -> list[str]:
    """Names accepted by :func:`get`."""
    return list(_REGISTRY)


def parameters(name: str) -> dict[str, ParamSpec]:
    """The hyperparameters of optimizer ``name`` with defaults and suggested slider ranges."""
    if name not in _REGISTRY:
        raise ValueError(f"unknown optimizer {name!r}; known optimizers are: {', '.join(names())}")
    factory, specs = _REGISTRY[name]
    sig = inspect.signature(factory)
    return {k: specs[k]._replace(default=sig.parameters[k].default) for k in specs}


def get(name: str, **hyper: Any) -> GradientTransformation:
    """Build optimizer ``name`` with Keras-named hyperparameters, e.g. ``get("adam", beta_1=0.8)``.

    Unknown names and unknown hyperparameters raise ``ValueError`` listing the valid ones.
    """
    if not isinstance(name, str) or name not in _REGISTRY:
        raise ValueError(f"unknown optimizer {name!r}; known optimizers are: {', '.join(names())}")
    factory, _ = _REGISTRY[name]
    allowed = list(inspect.signature(factory).parameters)
    check_unknown(f"hyperparameter for {name}:", hyper, allowed)
    return factory(**hyper)


def _arrays(tree: Any) -> list[np.ndarray]:
    if isinstance(tree, np.ndarray):
        return [tree]
    if isinstance(tree, tuple):
        return [a for item in tree for a in _arrays(item)]
    return []


def state_size(state: Any) -> int:
    """Number of floats an optimizer state holds (for the 1x / 2x / 3x memory rule)."""
    return int(sum(a.size for a in _arrays(state)))
