"""The surface registry: :func:`register` a builder once, then :func:`get` builds it.

A surface is registered with its builder (``builder(**params) -> Surface``) and the specs of
its parameters (ranges for the explorer's sliders). Built surfaces are cached per (name,
parameters), so ``get("logistic")`` loads MNIST once; registering again under the same name
(``replace=True``) empties the cache.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .._validate import ParamSpec, check_int, check_real, check_unknown
from .base import Surface

_REGISTRY: dict[str, tuple[Callable[..., Surface], dict[str, ParamSpec]]] = {}


def register(name: str, builder: Callable[..., Surface], *,
             parameters: Mapping[str, ParamSpec] | None = None, replace: bool = False) -> None:
    """Register surface ``name``: from then on :func:`get`, the explorer and the races offer it.

    ``builder(**params)`` returns a :class:`Surface` (see :func:`from_functions`);
    ``parameters`` maps each of its arguments to a :class:`ParamSpec` (default and slider
    range). ``replace=True`` replaces a surface registered before.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"a surface name must be an identifier such as 'bowl', got {name!r}")
    if not callable(builder):
        raise ValueError(f"builder must be callable, got {builder!r}")
    if name in _REGISTRY and not replace:
        raise ValueError(f"surface {name!r} is already registered; pass replace=True to "
                         "replace it")
    specs = dict(parameters or {})
    for key, spec in specs.items():
        if not isinstance(spec, ParamSpec):
            raise ValueError(f"parameters[{key!r}] must be a ParamSpec, got {spec!r}")
    _REGISTRY[name] = (builder, specs)
    _build.cache_clear()


def unregister(name: str) -> None:
    """Remove surface ``name`` (one that a notebook or a test registered)."""
    _check_name(name)
    del _REGISTRY[name]
    _build.cache_clear()


def names() -> list[str]:
    """The names of all surfaces, in teaching order."""
    return list(_REGISTRY)


def parameters(name: str) -> dict[str, ParamSpec]:
    """The parameters of surface ``name``: ``{parameter: ParamSpec}`` (may be empty)."""
    _check_name(name)
    return dict(_REGISTRY[name][1])


def get(name: str, **params: Any) -> Surface:
    """Build (or fetch from the cache) the surface ``name`` with the given parameters.

    Parameters
    ----------
    name : str
        One of :func:`names`.
    **params
        The surface's own parameters (see :func:`parameters`); omitted ones take their
        defaults.

    Raises
    ------
    ValueError
        Unknown name, unknown parameter, or a parameter outside its range (the message names
        it and gives the range).
    """
    _check_name(name)
    specs = _REGISTRY[name][1]
    if params and not specs:
        raise ValueError(
            f"surface {name!r} takes no parameters, got {', '.join(map(repr, sorted(params)))}"
        )
    check_unknown(f"{name} parameter", params, specs)
    values: dict[str, Any] = {}
    for key, spec in specs.items():
        value = params.get(key, spec.default)
        if isinstance(spec.default, tuple):
            value = _check_digits(key, value, spec)
        elif isinstance(spec.default, int):
            value = check_int(key, value, low=int(spec.low), high=int(spec.high))
        else:
            if np.ndim(value) != 0:
                raise ValueError(f"{key} must be a single number, got {value!r}")
            value = float(check_real(key, value, low=spec.low, high=spec.high))
        values[key] = value
    return _build(name, tuple(values.items()))


def _check_name(name: Any) -> None:
    if not isinstance(name, str):
        raise ValueError(f"surface name must be a string, one of {', '.join(names())}")
    check_unknown("surface", {name: None}, names())


def _check_digits(key: str, value: Any, spec: ParamSpec) -> tuple[int, int]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise ValueError(f"{key} must be a pair of two different digits 0-9, got {value!r}")
    pair = tuple(
        check_int(f"{key}[{i}]", v, low=int(spec.low), high=int(spec.high))
        for i, v in enumerate(value)
    )
    if pair[0] == pair[1]:
        raise ValueError(f"{key} must be two different digits, got {pair}")
    return pair  # type: ignore[return-value]


@functools.lru_cache(maxsize=64)
def _build(name: str, items: tuple[tuple[str, Any], ...]) -> Surface:
    builder = _REGISTRY[name][0]
    return dataclasses.replace(builder(**dict(items)), params=dict(items))
