"""The stepper type, its shared helpers and what the explorer shows of an optimizer's state.

Every optimizer is a :class:`GradientTransformation` (``init``, ``update`` and metadata). The
helpers here validate hyperparameters (floats, arrays over a grid, or schedules) and build the
tuple; :class:`Inside` is what an optimizer's ``inside`` function returns for the explorer's
"inside the optimizer" view.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from .._validate import check_real

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


class CountState(NamedTuple):
    count: int


@dataclasses.dataclass(frozen=True)
class Inside:
    """What the explorer shows inside an optimizer along a path (one row per point).

    ``effective_lr`` (shape ``(steps + 1, d)``) is the step size each coordinate really gets
    (``ε / √r`` for AdaGrad, Rprop's ``U``), named by ``label``; ``rows`` are the named state
    series shown in the table (``("velocity v", array)``); ``velocity`` and ``lookahead`` are
    drawn on the map when the method has them.
    """

    effective_lr: np.ndarray
    label: str = "effective learning rate"
    rows: tuple[tuple[str, np.ndarray], ...] = ()
    velocity: np.ndarray | None = None
    lookahead: np.ndarray | None = None


def rate_column(learning_rate: Any, points: np.ndarray | None = None) -> np.ndarray:
    """The learning rate per step as a column ``(steps + 1, 1)`` (broadcast to ``points``'
    shape when given, a fresh array; NaN everywhere when there is no learning rate)."""
    if learning_rate is None:
        column = np.full((len(points), 1), np.nan)
    else:
        column = np.asarray(learning_rate, dtype=float)[:, None]
    return column if points is None else np.broadcast_to(column, points.shape).copy()


def stack_states(states: Sequence[Any], field: str) -> np.ndarray:
    """One field of a list of states as an array of shape ``(len(states), ...)``."""
    return np.array([np.asarray(getattr(s, field), dtype=float) for s in states])


def _arrays(tree: Any) -> list[np.ndarray]:
    if isinstance(tree, np.ndarray):
        return [tree]
    if isinstance(tree, tuple):
        return [a for item in tree for a in _arrays(item)]
    return []


def state_size(state: Any) -> int:
    """Number of floats an optimizer state holds (for the 1x / 2x / 3x memory rule)."""
    return int(sum(a.size for a in _arrays(state)))

