"""Plain SGD and the momentum methods (notebooks 03 and 04)."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .base import (
    GradientTransformation,
    Inside,
    _batch_shape,
    _check_grads,
    _learning_rate,
    _make,
    _momentum,
    _stored,
    _zeros_like,
    rate_column,
    stack_states,
)


class SgdState(NamedTuple):
    """Plain SGD keeps only the number of updates applied."""

    count: int


class MomentumState(NamedTuple):
    """Momentum methods keep a velocity ``v`` (Keras calls it ``momentum``)."""

    count: int
    velocity: np.ndarray

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


# --------------------------------------------------------------------------- inside the optimizer


def inside_momentum(points: np.ndarray, states: list, hyper: dict[str, Any],
                    learning_rate: np.ndarray | None) -> Inside:
    """SGD and Keras-form momentum: the step size is ε itself; the velocity v when kept."""
    if not hasattr(states[0], "velocity"):
        return Inside(rate_column(learning_rate, points))
    velocity = stack_states(states, "velocity")
    return Inside(rate_column(learning_rate, points), rows=(("velocity v", velocity),),
                  velocity=velocity)


def inside_lookahead(points: np.ndarray, states: list, hyper: dict[str, Any],
                     learning_rate: np.ndarray | None) -> Inside:
    """Textbook Nesterov: the velocity, and the look-ahead point θ + μv where g is taken."""
    velocity = stack_states(states, "velocity")
    lookahead = points + hyper["momentum"] * velocity
    return Inside(rate_column(learning_rate, points),
                  rows=(("velocity v", velocity), ("look-ahead θ + μv", lookahead)),
                  velocity=velocity, lookahead=lookahead)
