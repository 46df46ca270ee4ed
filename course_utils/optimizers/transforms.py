"""Gradient transformations that compose with any optimizer: clipping, noise, schedules,
:func:`chain`."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from .base import (
    CountState,
    GradientTransformation,
    Schedule,
    _check_grads,
    _make,
    _per_point,
    _stored,
)


class NoiseState(NamedTuple):
    """Gradient noise: the seed and the number of draws so far (pure: no RNG object)."""

    count: int
    seed: int


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
