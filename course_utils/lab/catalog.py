"""The optimizers of the labs, read from the optimizer descriptors
(:func:`course_utils.optimizers.info`): no table of the labs names an optimizer.

An optimizer takes part in the labs when its descriptor has a
:class:`~course_utils.optimizers.KerasSpec` with a ``lab_learning_rate``. The two views below
are live: an optimizer registered later (``optimizers.register(..., keras=KerasSpec(...))``)
joins the labs' comparisons at once, and one unregistered leaves them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, overload

from .. import optimizers
from .._validate import check_choice
from ._runtime import keras

__all__ = ["OPTIMIZER_NAMES", "MODERN_OPTIMIZER_NAMES", "LAB_LEARNING_RATES",
           "lab_optimizer_names", "keras_spec", "build_keras_optimizer"]


def lab_optimizer_names(modern: bool | None = None) -> tuple[str, ...]:
    """Registered optimizers with a Keras class and a lab learning rate, in registry order.

    ``modern=False``: the benchmark's optimizers (the lecture's, and any an instructor
    registers); ``True``: those since the lecture (family ``"modern"``, lab 08's section "since
    the lecture"); ``None``: all of them.
    """
    out = []
    for name in optimizers.names():
        info = optimizers.info(name)
        if info.keras is None or info.keras.lab_learning_rate is None:
            continue
        if modern is None or (info.family == "modern") == modern:
            out.append(name)
    return tuple(out)


def keras_spec(name: str, *, lab_only: bool = True) -> Any:
    """The :class:`~course_utils.optimizers.KerasSpec` of optimizer ``name``; ``ValueError``
    naming the choices if it has none (or, with ``lab_only``, no lab learning rate)."""
    if lab_only:
        check_choice("name", name, lab_optimizer_names())
    else:
        check_choice("name", name, [n for n in optimizers.names()
                                    if optimizers.info(n).keras is not None])
    return optimizers.info(name).keras


def build_keras_optimizer(name: str, **hyper: Any) -> keras.optimizers.Optimizer:
    """``keras.optimizers.<class_name>(**spec.kwargs(**hyper))`` for optimizer ``name``: the
    descriptor's fixed arguments (e.g. ``momentum=0.9``) merged with ``hyper``."""
    spec = keras_spec(name, lab_only=False)
    return getattr(keras.optimizers, spec.class_name)(**spec.kwargs(**hyper))


class _LabOptimizerNames(Sequence[str]):
    """A tuple-like live view of :func:`lab_optimizer_names`."""

    def __init__(self, modern: bool | None = None) -> None:
        self._modern = modern

    def _names(self) -> tuple[str, ...]:
        return lab_optimizer_names(self._modern)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...

    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        return self._names()[index]

    def __len__(self) -> int:
        return len(self._names())

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (_LabOptimizerNames, tuple, list)):
            return self._names() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._names())

    def __repr__(self) -> str:
        return repr(self._names())


class _LabLearningRates(Mapping[str, float]):
    """A dict-like live view ``{name: KerasSpec.lab_learning_rate}`` of the lab optimizers."""

    def __getitem__(self, name: str) -> float:
        if name not in lab_optimizer_names():
            raise KeyError(name)
        return float(optimizers.info(name).keras.lab_learning_rate)

    def __len__(self) -> int:
        return len(lab_optimizer_names())

    def __iter__(self) -> Iterator[str]:
        return iter(lab_optimizer_names())

    def __repr__(self) -> str:
        return repr(dict(self))


#: The optimizers of the labs' benchmark, with the lecture's names, in registry order (a live
#: view: ``tuple(OPTIMIZER_NAMES)`` takes a snapshot).
OPTIMIZER_NAMES: Sequence[str] = _LabOptimizerNames(modern=False)

#: The optimizers since the lecture that lab 08 trains (AdamW, Lion, Lamb, Adafactor, Muon,
#: schedule-free AdamW), a live view like :data:`OPTIMIZER_NAMES`.
MODERN_OPTIMIZER_NAMES: Sequence[str] = _LabOptimizerNames(modern=True)

#: The lab's learning rate of each of them (``KerasSpec.lab_learning_rate``): the lecture's
#: values (Keras defaults, ``Adadelta(1.0)``, ``Adamax/Nadam(0.002)``) except Adagrad, whose
#: Keras default 0.001 barely moves in 10 epochs.
LAB_LEARNING_RATES: Mapping[str, float] = _LabLearningRates()
