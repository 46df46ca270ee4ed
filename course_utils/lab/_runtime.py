"""What every module of the labs needs first: Keras and TensorFlow, loaded quietly, and the
null object that lets a lab run without its data.

* Environment defaults: ``KERAS_BACKEND=tensorflow`` and ``TF_CPP_MIN_LOG_LEVEL=2`` (unless
  set already), then ``keras`` and ``tf`` imported with TensorFlow's C++ start-up lines held
  back (:func:`quiet_native_logs`).
* :class:`MissingData` and :func:`needs_data`: when MNIST cannot be loaded the labs get a
  ``MissingData``, and every helper that needs data prints "skipped" and returns it.

This module imports nothing else of ``course_utils``; every other module of the labs
imports it, so there is exactly one place where TensorFlow is loaded.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


@contextlib.contextmanager
def quiet_native_logs() -> Iterator[None]:
    """Hold back what TensorFlow's C++ code writes to file descriptor 2 while loading.

    TensorFlow 2.21 logs through absl before ``TF_CPP_MIN_LOG_LEVEL`` takes effect ("oneDNN
    custom operations are on", "Could not find cuda drivers", "failed call to cuInit" on
    machines without a GPU), and Jupyter shows those lines under the cell. They are dropped
    unless ``TF_CPP_MIN_LOG_LEVEL`` is 0, or the block fails, in which case they are printed.
    """
    if os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0") == "0":
        yield
        return
    try:
        saved = os.dup(2)
    except OSError:  # pragma: no cover - no file descriptor 2
        yield
        return
    with tempfile.TemporaryFile(mode="w+b") as sink:
        sys.stderr.flush()
        os.dup2(sink.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            sink.seek(0)
            sys.stderr.write(sink.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


with quiet_native_logs():
    import keras
    import tensorflow as tf

    # Enumerating the devices loads the CUDA plugin, which on a machine without a GPU logs
    # "failed call to cuInit"; do it here, held back, instead of at the first tensor.
    tf.config.list_physical_devices()

import numpy as np  # noqa: E402

__all__ = ["keras", "tf", "quiet_native_logs", "MissingData", "stands_in_for", "needs_data",
           "skip_notice"]

#: Attribute names a :class:`MissingData` answers (with itself): those of the types it stands
#: in for. NumPy arrays are among them (``gradient_norms(...).round(2)``); the lab's records
#: add theirs with :func:`stands_in_for`.
_STAND_IN_ATTRIBUTES: set[str] = {n for n in dir(np.ndarray) if not n.startswith("_")}
_STAND_IN_TYPES: list[str] = ["ndarray"]


def stands_in_for(cls: type) -> type:
    """Class decorator: a :class:`MissingData` may stand in for ``cls``, so it answers the
    public attribute names of ``cls`` (dataclass fields, methods, properties) with itself."""
    names = set(getattr(cls, "__dataclass_fields__", {}))
    names |= {n for n in dir(cls) if not n.startswith("_")}
    _STAND_IN_ATTRIBUTES.update(names)
    _STAND_IN_TYPES.append(cls.__name__)
    return cls


class MissingData:
    """Stands in for :class:`~course_utils.lab.data.LabData` (and for every result made from
    it) when MNIST could not be loaded: a *null object*.

    It is falsy and empty; an item or a call on it gives the same object back, and so does
    any attribute that one of the types it stands in for has (``x_train``, ``trajectory``,
    ``best_epoch``, ``round``, ...; see :func:`stands_in_for`). A misspelt name such as
    ``data.x_trian`` raises ``AttributeError`` as it would on the real object. The helpers
    of the labs that need data print a one-line "skipped" notice and return it when it is
    among their arguments (:func:`needs_data`). So a lab without its data file still runs
    every cell that does not need MNIST.
    """

    def __init__(self, reason: str) -> None:
        self.reason = str(reason)

    def __bool__(self) -> bool:
        return False

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Any:
        return iter(())

    def __getattr__(self, name: str) -> Any:
        if name not in _STAND_IN_ATTRIBUTES:
            raise AttributeError(f"{name!r}: no such attribute on the data or results this "
                                 f"MissingData stands in for ({', '.join(_STAND_IN_TYPES)})")
        return self

    def __getitem__(self, key: Any) -> MissingData:
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> MissingData:
        return self

    def __repr__(self) -> str:
        return "(skipped: MNIST is not available)"

    def __format__(self, spec: str) -> str:
        return repr(self)

    def _propagate(self, *other: Any) -> MissingData:
        """Arithmetic with a missing value gives the missing value, as NaN does."""
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _propagate
    __truediv__ = __rtruediv__ = __pow__ = __rpow__ = __neg__ = __abs__ = _propagate


def _missing_in(values: Iterable[Any], depth: int = 0) -> MissingData | None:
    for v in values:
        if isinstance(v, MissingData):
            return v
        if depth < 2 and isinstance(v, (list, tuple)):
            found = _missing_in(v, depth + 1)
        elif depth < 2 and isinstance(v, Mapping):
            found = _missing_in(v.values(), depth + 1)
        else:
            found = None
        if found is not None:
            return found
    return None


def skip_notice(what: str, missing: MissingData) -> str:
    """The line a helper prints when it skips ``what`` for lack of data."""
    first = missing.reason.split(". ")[0]
    return f"skipped {what}: MNIST is not available ({first})."


def needs_data(fn: Callable | None = None, *, returns: int = 1) -> Callable:
    """Decorator: when an argument (or an item of a list, tuple or dict argument) is a
    :class:`MissingData`, print "skipped ..." and return it instead of calling ``fn`` -- or a
    tuple of ``returns`` copies of it, for functions whose result is unpacked."""

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            missing = _missing_in(list(args) + list(kwargs.values()))
            if missing is None:
                return func(*args, **kwargs)
            print(skip_notice(f"{func.__name__}()", missing))
            return missing if returns == 1 else (missing,) * returns

        return wrapper

    return decorate(fn) if fn is not None else decorate
