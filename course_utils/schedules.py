r"""Learning-rate schedules: the step size :math:`\varepsilon_k` as a pure function of the step.

A schedule maps the number ``k`` of updates already applied (``k = 0`` at the first update) to the
learning rate used for the next update. This is exactly how Keras 3 uses a
``keras.optimizers.schedules.LearningRateSchedule``: the optimizer calls
``schedule(optimizer.iterations)`` before it increments ``iterations``. The optimizer steppers of
this course call ``schedule(count)`` the same way.

Every schedule is a frozen dataclass that

* is called with a Python int, a NumPy integer or an integer NumPy array of steps ``k >= 0``
  (vectorized: a ``float`` for a scalar step, a float64 array of the same shape for an array);
* checks its arguments when it is built (``ValueError`` naming the argument and its valid range);
* has a ``name`` (its key in :func:`get`) and a JSON-able :meth:`Schedule.to_config`, undone
  exactly by :func:`from_config`.

Schedules (key of :func:`get`: formula -- Keras 3 class in ``keras.optimizers.schedules``):

* ``constant``: :math:`\varepsilon` -- a plain float in Keras.
* ``exponential_decay``: :math:`\varepsilon_0 r^{k/s}` -- ``ExponentialDecay``.
* ``inverse_time_decay``: :math:`\varepsilon_0 / (1 + r k/s)` -- ``InverseTimeDecay``.
* ``piecewise_constant_decay``: :math:`v_i` for :math:`b_{i-1} < k \le b_i` --
  ``PiecewiseConstantDecay``.
* ``step_decay``: :math:`\varepsilon_0 f^{\lfloor k/s \rfloor}` -- ``ExponentialDecay`` with
  ``staircase=True``.
* ``natural_exp_decay``: :math:`\varepsilon_0 e^{-c k}` -- (``ExponentialDecay`` with
  ``decay_steps=1``).
* ``linear_decay``: :math:`(1-\alpha)\varepsilon_0 + \alpha\varepsilon_\tau`, :math:`\alpha =
  \min(k/\tau, 1)` -- ``PolynomialDecay`` with ``power=1``.
* ``cosine_decay``: half a cosine, optional linear warm-up -- ``CosineDecay``.
* ``linear_warmup``: linear ramp, then constant or another schedule -- none.
* ``polynomial_decay``: :math:`(\varepsilon_0-\varepsilon_e)(1-k/s)^p+\varepsilon_e` --
  ``PolynomialDecay``.

The Keras-compatible schedules give the values of their Keras classes (Keras computes in float32,
these in float64). :func:`sum_conditions` returns the partial sums
:math:`\sum_{k<t}\varepsilon_k` and :math:`\sum_{k<t}\varepsilon_k^2` of the classical convergence
conditions of SGD, :math:`\sum_k \varepsilon_k = \infty` and :math:`\sum_k \varepsilon_k^2 < \infty`
(Goodfellow, Bengio and Courville, *Deep Learning*, eq. 8.12 and 8.13).

Examples
--------
>>> from course_utils import schedules
>>> s = schedules.get("step_decay", initial_learning_rate=0.1, step_size=10, factor=0.5)
>>> s(25)
0.025
>>> schedules.from_config(s.to_config()) == s
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np

from ._validate import ParamSpec, check_int, check_real, check_unknown

__all__ = [
    "ParamSpec",
    "Schedule",
    "Constant",
    "ExponentialDecay",
    "InverseTimeDecay",
    "PiecewiseConstantDecay",
    "StepDecay",
    "NaturalExpDecay",
    "LinearDecay",
    "CosineDecay",
    "LinearWarmup",
    "PolynomialDecay",
    "constant",
    "exponential_decay",
    "inverse_time_decay",
    "piecewise_constant_decay",
    "step_decay",
    "natural_exp_decay",
    "linear_decay",
    "cosine_decay",
    "linear_warmup",
    "polynomial_decay",
    "get",
    "names",
    "parameters",
    "from_config",
    "is_schedule",
    "resolve",
    "sum_conditions",
]

StepLike = int | np.integer | np.ndarray




# --------------------------------------------------------------------------- argument checks


def _set(obj: Any, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


def _real(name: str, value: Any, **bounds: Any) -> float:
    """A single finite real number in the given range (no arrays, no strings)."""
    if isinstance(value, (str, bytes)):
        raise ValueError(f"{name} must be a real number, got the string {value!r}")
    if np.ndim(value) != 0:
        raise ValueError(f"{name} must be a single real number, got an array of shape "
                         f"{np.shape(value)}")
    return float(check_real(name, value, **bounds))


def _lr(name: str, value: Any, *, zero_ok: bool = False) -> float:
    """A learning rate: finite and > 0 (or >= 0 if ``zero_ok``)."""
    return _real(name, value, low=0.0, low_open=not zero_ok)


def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _check_steps(step: Any, name: str = "step") -> np.ndarray:
    """Integer step(s) >= 0 as a NumPy integer array (0-d for a scalar)."""
    if isinstance(step, (bool, np.bool_)):
        raise ValueError(f"{name} must be an integer >= 0 (or an integer array), got {step!r}")
    arr = np.asarray(step)
    if arr.dtype.kind not in "iu":
        raise ValueError(
            f"{name} must be an integer >= 0 (or an integer array), got {step!r} "
            f"of dtype {arr.dtype}"
        )
    if arr.size and arr.min() < 0:
        raise ValueError(f"{name} must be >= 0, got {int(arr.min())}")
    return arr


# --------------------------------------------------------------------------- base class


@dataclasses.dataclass(frozen=True)
class Schedule:
    """Base class: a learning rate :math:`\\varepsilon_k` as a function of the step ``k``.

    Subclasses implement ``_value(k)`` for a float64 array ``k`` of steps; ``__call__`` checks
    the step and returns a float (scalar step) or a float64 array of the step's shape.
    """

    name: ClassVar[str] = "schedule"
    _params: ClassVar[dict[str, ParamSpec]] = {}

    def __call__(self, step: StepLike) -> float | np.ndarray:
        """Learning rate for ``step`` updates already applied (``step >= 0``, integer)."""
        k = _check_steps(step)
        with np.errstate(over="ignore", under="ignore"):
            out = np.asarray(self._value(k.astype(np.float64)), dtype=np.float64)
        out = np.broadcast_to(out, k.shape)
        return float(out) if k.ndim == 0 else out.copy()

    def _value(self, k: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_config(self) -> dict[str, Any]:
        """JSON-able ``{"name": ..., <argument>: <value>, ...}``; see :func:`from_config`."""
        cfg: dict[str, Any] = {"name": self.name}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Schedule):
                value = value.to_config()
            cfg[f.name] = value
        return cfg


# --------------------------------------------------------------------------- schedules


@dataclasses.dataclass(frozen=True)
class Constant(Schedule):
    r"""Constant learning rate, :math:`\varepsilon_k = \varepsilon`.

    Parameters
    ----------
    learning_rate : float
        :math:`\varepsilon > 0`.

    Notes
    -----
    Keras takes a plain float for this. With a constant step SGD does not converge to a minimum
    of a stochastic objective: :math:`\sum_k \varepsilon^2 = \infty`, so the gradient noise keeps
    the iterate moving in a ball whose size scales with :math:`\varepsilon`.
    """

    learning_rate: float
    name: ClassVar[str] = "constant"
    _params: ClassVar[dict[str, ParamSpec]] = {
        "learning_rate": ParamSpec(0.1, 1e-4, 1.0, True, "learning rate ε"),
    }

    def __post_init__(self) -> None:
        _set(self, "learning_rate", _lr("learning_rate", self.learning_rate))

    def _value(self, k: np.ndarray) -> np.ndarray:
        return np.full(k.shape, self.learning_rate)


@dataclasses.dataclass(frozen=True)
class ExponentialDecay(Schedule):
    r"""Exponential decay, ``keras.optimizers.schedules.ExponentialDecay``.

    .. math::
        \varepsilon_k = \varepsilon_0 \, r^{\,k/s}
        \qquad\text{or, with ``staircase``,}\qquad
        \varepsilon_k = \varepsilon_0 \, r^{\,\lfloor k/s \rfloor}.

    Parameters
    ----------
    initial_learning_rate : float
        :math:`\varepsilon_0 > 0`.
    decay_steps : float
        :math:`s > 0`: the rate is multiplied by :math:`r` every :math:`s` steps.
    decay_rate : float
        :math:`r \ge 0` (``r > 1`` grows the rate, as in a learning-rate range test).
    staircase : bool
        Floor the exponent, giving a piecewise-constant schedule (see :class:`StepDecay`).

    Notes
    -----
    With ``decay_steps=1`` and ``decay_rate=exp(-c)`` this is :class:`NaturalExpDecay`.
    """

    initial_learning_rate: float
    decay_steps: float
    decay_rate: float
    staircase: bool = False
    name: ClassVar[str] = "exponential_decay"
    _params: ClassVar[dict[str, ParamSpec]] = {
        "initial_learning_rate": ParamSpec(0.1, 1e-4, 1.0, True, "initial learning rate ε₀"),
        "decay_steps": ParamSpec(100.0, 1.0, 1e4, True, "steps s per factor r"),
        "decay_rate": ParamSpec(0.5, 0.01, 1.0, False, "factor r per s steps"),
        "staircase": ParamSpec(False, False, True, False, "floor the exponent k/s"),
    }

    def __post_init__(self) -> None:
        _set(self, "initial_learning_rate",
             _lr("initial_learning_rate", self.initial_learning_rate))
        _set(self, "decay_steps", _real("decay_steps", self.decay_steps, low=0.0, low_open=True))
        _set(self, "decay_rate", _real("decay_rate", self.decay_rate, low=0.0))
        _set(self, "staircase", _bool("staircase", self.staircase))

    def _value(self, k: np.ndarray) -> np.ndarray:
        p = k / self.decay_steps
        if self.staircase:
            p = np.floor(p)
        return self.initial_learning_rate * np.power(self.decay_rate, p)


@dataclasses.dataclass(frozen=True)
class InverseTimeDecay(Schedule):
    r"""Inverse-time decay, ``keras.optimizers.schedules.InverseTimeDecay``.

    .. math::
        \varepsilon_k = \frac{\varepsilon_0}{1 + r\, k/s}
        \qquad\text{(} k/s \text{ replaced by } \lfloor k/s \rfloor \text{ with ``staircase``).}

    Parameters
    ----------
    initial_learning_rate : float
        :math:`\varepsilon_0 > 0`.
    decay_steps : float
        :math:`s > 0`.
    decay_rate : float
        :math:`r \ge 0`.
    staircase : bool
        Floor :math:`k/s`.

    Notes
    -----
    This is exactly what the old Keras 2 optimizer argument ``decay=d`` did,
    :math:`\varepsilon_0 / (1 + d\cdot\text{iterations})`: ``decay_steps=1, decay_rate=d``. It is
    also the lecture's :math:`\alpha_0/(1 + k t)` with ``decay_steps=1, decay_rate=k``.
    It satisfies both convergence conditions: :math:`\sum_k \varepsilon_k` grows like
    :math:`(\varepsilon_0 s/r)\ln t` while :math:`\sum_k \varepsilon_k^2` converges.
    """

    initial_learning_rate: float
    decay_steps: float
    decay_rate: float
    staircase: bool = False
    name: ClassVar[str] = "inverse_time_decay"
    _params: ClassVar[dict[str, ParamSpec]] = {
        "initial_learning_rate": ParamSpec(0.1, 1e-4, 1.0, True, "initial learning rate ε₀"),
        "decay_steps": ParamSpec(1.0, 1.0, 1e4, True, "time scale s"),
        "decay_rate": ParamSpec(0.01, 1e-4, 10.0, True, "rate r (Keras 2 decay= with s=1)"),
        "staircase": ParamSpec(False, False, True, False, "floor k/s"),
    }

    def __post_init__(self) -> None:
        _set(self, "initial_learning_rate",
             _lr("initial_learning_rate", self.initial_learning_rate))
        _set(self, "decay_steps", _real("decay_steps", self.decay_steps, low=0.0, low_open=True))
        _set(self, "decay_rate", _real("decay_rate", self.decay_rate, low=0.0))
        _set(self, "staircase", _bool("staircase", self.staircase))

    def _value(self, k: np.ndarray) -> np.ndarray:
        p = k / self.decay_steps
        if self.staircase:
            p = np.floor(p)
        return self.initial_learning_rate / (1.0 + self.decay_rate * p)


@dataclasses.dataclass(frozen=True)
class PiecewiseConstantDecay(Schedule):
    r"""Piecewise constant, ``keras.optimizers.schedules.PiecewiseConstantDecay``.

    .. math::
        \varepsilon_k = \begin{cases}
            v_0 & k \le b_0 \\
            v_i & b_{i-1} < k \le b_i \\
            v_n & k > b_{n-1}
        \end{cases}

    Each boundary belongs to the piece on its left, as in Keras: with ``boundaries=[100]`` the
    rate changes at step 101, not 100.

    Parameters
    ----------
    boundaries : sequence of int
        :math:`0 \le b_0 < b_1 < \dots < b_{n-1}` (strictly increasing integers).
    values : sequence of float
        :math:`n + 1` learning rates :math:`v_i \ge 0`.
    """

    boundaries: tuple[int, ...]
    values: tuple[float, ...]
    name: ClassVar[str] = "piecewise_constant_decay"
    _params: ClassVar[dict[str, ParamSpec]] = {
        "boundaries": ParamSpec((100, 200), None, None, False, "steps where the rate changes"),
        "values": ParamSpec((0.1, 0.01, 0.001), None, None, False, "len(boundaries)+1 rates"),
    }

    def __post_init__(self) -> None:
        b, v = self.boundaries, self.values
        if isinstance(b, (str, bytes)) or not isinstance(b, (Sequence, np.ndarray)) or not len(b):
            raise ValueError(f"boundaries must be a non-empty sequence of integers, got {b!r}")
        if isinstance(v, (str, bytes)) or not isinstance(v, (Sequence, np.ndarray)):
            raise ValueError(f"values must be a sequence of floats, got {v!r}")
        bounds = tuple(check_int(f"boundaries[{i}]", x, low=0) for i, x in enumerate(b))
        for i in range(1, len(bounds)):
            if bounds[i] <= bounds[i - 1]:
                raise ValueError(
                    f"boundaries must be strictly increasing, got boundaries[{i - 1}]="
                    f"{bounds[i - 1]} >= boundaries[{i}]={bounds[i]}"
                )
        if len(v) != len(bounds) + 1:
            raise ValueError(
                f"values must have len(boundaries) + 1 = {len(bounds) + 1} elements, "
                f"got {len(v)}"
            )
        vals = tuple(_lr(f"values[{i}]", x, zero_ok=True) for i, x in enumerate(v))
        _set(self, "boundaries", bounds)
        _set(self, "values", vals)

    def _value(self, k: np.ndarray) -> np.ndarray:
        # number of boundaries b < k: piece 0 for k <= b_0, ..., piece n for k > b_{n-1}
        idx = np.searchsorted(np.asarray(self.boundaries, dtype=np.float64), k, side="left")
        return np.asarray(self.values)[idx]


@dataclasses.dataclass(frozen=True)
class StepDecay(Schedule):
    r"""Step decay (the lecture's form): multiply by ``factor`` every ``step_size`` steps.

    .. math::
        \varepsilon_k = \varepsilon_0 \, f^{\lfloor k / s \rfloor}.

    Parameters
    ----------
    initial_learning_rate : float
        :math:`\varepsilon_0 > 0`.
    step_size : int
        :math:`s \ge 1` steps per drop.
    factor : float
        :math:`f \ge 0`, typically 0.1 to 0.5.

    Notes
    -----
    Equal to ``ExponentialDecay(initial_learning_rate, step_size, factor, staircase=True)``.
    """

    initial_learning_rate: float
    step_size: int
    factor: float
    name: ClassVar[str] = "step_decay"
    _params: ClassVar[dict[str, ParamSpec]] = {
        "initial_learning_rate": ParamSpec(0.1, 1e-4, 1.0, True, "initial learning rate ε₀"),
        "step_size": ParamSpec(30, 1, 1000, True, "steps s between drops"),
        "factor": ParamSpec(0.5, 0.01, 1.0, False, "factor f applied at each drop"),
    }

    def __post_init__(self) -> None:
        _set(self, "initial_learning_rate",
             _lr("initial_learning_rate", self.initial_learning_rate))
        _set(self, "step_size", check_int("step_size", self.step_size, low=1))
        _set(self, "factor", _real("factor", self.factor, low=0.0))

    def _value(self, k: np.ndarray) -> np.ndarray:
        return self.initial_learning_rate * np.power(self.factor, np.floor(k / self.step_size))


@dataclasses.dataclass(frozen=True)
class NaturalExpDecay(Schedule):
    r"""Exponential decay in the lecture's form, :math:`\varepsilon_k = \varepsilon_0 e^{-c k}`.

    Parameters
    ----------
    initial_learning_rate : float
        :math:`\varepsilon_0 > 0` (the lecture's :math:`\alpha_0`).
    k : float
        Decay constant :math:`c \ge 0` per step (the lecture's :math:`k` in
        :math:`\alpha_0 e^{-kt}`).

    Notes
    -----
    Equal to ``ExponentialDecay(initial_learning_rate, 1, exp(-k))``. Here
    :math:`\sum_k \varepsilon_k = \varepsilon_0/(1-e^{-c})` is finite: the total distance SGD can
    travel is bounded, so the first convergence condition fails.
    """

    initial_learning_rate: float
    k: float
    name: ClassVar[str] = "natural_exp_decay"
    _params: ClassVar[dict[str, ParamSpec]] = {
        "initial_learning_rate": ParamSpec(0.1, 1e-4, 1.0, True, "initial learning rate α₀"),
        "k": ParamSpec(0.01, 1e-5, 1.0, True, "decay constant k per step"),
    }

    def __post_init__(self) -> None:
        _set(self, "initial_learning_rate",
             _lr("initial_learning_rate", self.initial_learning_rate))
        _set(self, "k", _real("k", self.k, low=0.0))

    def _value(self, k: np.ndarray) -> np.ndarray:
        return self.initial_learning_rate * np.exp(-self.k * k)


@dataclasses.dataclass(frozen=True)
class LinearDecay(Schedule):
    r"""Linear decay to a floor, Goodfellow et al., *Deep Learning*, eq. 8.14.

    .. math::
        \varepsilon_k = (1 - \alpha)\,\varepsilon_0 + \alpha\,\varepsilon_\tau,
        \quad \alpha = k/\tau \quad (k \le \tau), \qquad
        \varepsilon_k = \varepsilon_\tau \quad (k > \tau).

    Parameters
    ----------
    initial_learning_rate : float
        :math:`\varepsilon_0 > 0`.
    final_learning_rate : float
        :math:`\varepsilon_\tau \ge 0`; Goodfellow et al. suggest about 1 % of
        :math:`\varepsilon_0`.
    tau : int
        :math:`\tau \ge 1` steps, typically a few hundred passes through the training set.

    Notes
    -----
    Equal to Keras ``PolynomialDecay(initial_learning_rate, tau, final_learning_rate, power=1)``.
    """

    initial_learning_rate: float
    final_learning_rate: float
    tau: int
    name: ClassVar[str] = "linear_decay"
    _params: ClassVar[dict[str, ParamSpec]] = {
        "initial_learning_rate": ParamSpec(0.1, 1e-4, 1.0, True, "initial learning rate ε₀"),
        "final_learning_rate": ParamSpec(0.001, 1e-6, 1.0, True, "final learning rate ε_τ"),
        "tau": ParamSpec(1000, 1, 100_000, True, "steps τ to reach ε_τ"),
    }

    def __post_init__(self) -> None:
        _set(self, "initial_learning_rate",
             _lr("initial_learning_rate", self.initial_learning_rate))
        _set(self, "final_learning_rate",
             _lr("final_learning_rate", self.final_learning_rate, zero_ok=True))
        _set(self, "tau", check_int("tau", self.tau, low=1))

    def _value(self, k: np.ndarray) -> np.ndarray:
        alpha = np.minimum(k / self.tau, 1.0)
        return (1.0 - alpha) * self.initial_learning_rate + alpha * self.final_learning_rate


@dataclasses.dataclass(frozen=True)
class CosineDecay(Schedule):
    r"""Cosine decay with optional linear warm-up, ``keras.optimizers.schedules.CosineDecay``.

    Without warm-up (``warmup_target=None``), with :math:`\bar k = \min(k, s)`:

    .. math::
        \varepsilon_k = \varepsilon_0\Big[(1-a)\,\tfrac12\big(1 + \cos(\pi \bar k / s)\big)
        + a\Big].

    With warm-up (``warmup_target`` :math:`= \varepsilon^*` given, :math:`w` =
    ``warmup_steps``), with :math:`\bar k = \min(k, s + w)`:

    .. math::
        \varepsilon_k = \begin{cases}
            \varepsilon_0 + (\varepsilon^* - \varepsilon_0)\, \bar k / w & \bar k < w \\
            \varepsilon^*\Big[(1-a)\,\tfrac12\big(1 + \cos(\pi (\bar k - w)/s)\big) + a\Big]
                & \bar k \ge w.
        \end{cases}

    Parameters
    ----------
    initial_learning_rate : float
        :math:`\varepsilon_0`: the start of the decay (> 0) or, with warm-up, the start of the
        warm-up (>= 0; Keras' example uses 0).
    decay_steps : float
        :math:`s > 0` steps of the cosine part.
    alpha : float
        :math:`a \in [0, 1]`: the floor as a fraction of the peak rate.
    warmup_target : float or None
        :math:`\varepsilon^* > 0`, the rate reached at the end of warm-up; ``None`` for no warm-up.
    warmup_steps : int
        :math:`w \ge 0`. As in Keras it is ignored when ``warmup_target`` is ``None``.

    Notes
    -----
    As in Keras the warm-up starts at :math:`\varepsilon_0` itself, so with
    ``initial_learning_rate=0`` the first update has a zero learning rate.
    """

    initial_learning_rate: float
    decay_steps: float
    alpha: float = 0.0
    warmup_target: float | None = None
    warmup_steps: int = 0
    name: ClassVar[str] = "cosine_decay"
    _params: ClassVar[dict[str, ParamSpec]] = {
        "initial_learning_rate": ParamSpec(0.1, 1e-4, 1.0, True, "initial learning rate ε₀"),
        "decay_steps": ParamSpec(1000.0, 1.0, 1e5, True, "steps s of the cosine"),
        "alpha": ParamSpec(0.0, 0.0, 1.0, False, "floor, fraction of the peak rate"),
        "warmup_target": ParamSpec(None, 1e-4, 1.0, True, "peak rate after warm-up (or None)"),
        "warmup_steps": ParamSpec(0, 0, 10_000, False, "warm-up steps w"),
    }

    def __post_init__(self) -> None:
        if self.warmup_target is not None:
            _set(self, "warmup_target", _lr("warmup_target", self.warmup_target))
        _set(self, "initial_learning_rate",
             _lr("initial_learning_rate", self.initial_learning_rate,
                 zero_ok=self.warmup_target is not None))
        _set(self, "decay_steps", _real("decay_steps", self.decay_steps, low=0.0, low_open=True))
        _set(self, "alpha", _real("alpha", self.alpha, low=0.0, high=1.0))
        _set(self, "warmup_steps", check_int("warmup_steps", self.warmup_steps, low=0))

    def _cosine(self, k: np.ndarray, peak: float) -> np.ndarray:
        decayed = 0.5 * (1.0 + np.cos(np.pi * k / self.decay_steps))
        return peak * ((1.0 - self.alpha) * decayed + self.alpha)

    def _value(self, k: np.ndarray) -> np.ndarray:
        if self.warmup_target is None:
            return self._cosine(np.minimum(k, self.decay_steps), self.initial_learning_rate)
        w = self.warmup_steps
        k = np.minimum(k, self.decay_steps + w)
        out = self._cosine(np.maximum(k - w, 0.0), self.warmup_target)
        if w > 0:
            lr0 = self.initial_learning_rate
            ramp = lr0 + (self.warmup_target - lr0) * (k / w)
            out = np.where(k < w, ramp, out)
        return out


@dataclasses.dataclass(frozen=True)
class LinearWarmup(Schedule):
    r"""Linear warm-up to a target rate, then constant or another schedule.

    .. math::
        \varepsilon_k = \begin{cases}
            \varepsilon_0 + (\varepsilon^* - \varepsilon_0)\, k / w & k < w \\
            \varepsilon^* & k \ge w \text{ (no ``then``)} \\
            \text{then}(k - w) & k \ge w \text{ (with ``then``)}.
        \end{cases}

    Parameters
    ----------
    target_learning_rate : float
        :math:`\varepsilon^* > 0`, reached at step :math:`w`.
    warmup_steps : int
        :math:`w \ge 0`.
    initial_learning_rate : float
        :math:`\varepsilon_0 \ge 0` at step 0 (so with the default 0 the first update is empty,
        as with Keras ``CosineDecay`` warm-up).
    then : Schedule, config dict or None
        Schedule continued after warm-up, restarted at its own step 0 (shifted by :math:`w`).
        It should start at ``target_learning_rate`` for a continuous schedule; this is not
        enforced.

    Notes
    -----
    ``LinearWarmup(t, w, 0.0, then=CosineDecay(t, s, a))`` equals Keras
    ``CosineDecay(0.0, s, a, warmup_target=t, warmup_steps=w)``.
    """

    target_learning_rate: float
    warmup_steps: int
    initial_learning_rate: float = 0.0
    then: Schedule | None = None
    name: ClassVar[str] = "linear_warmup"
    _params: ClassVar[dict[str, ParamSpec]] = {
        "target_learning_rate": ParamSpec(0.1, 1e-4, 1.0, True, "rate ε* after warm-up"),
        "warmup_steps": ParamSpec(100, 0, 10_000, False, "warm-up steps w"),
        "initial_learning_rate": ParamSpec(0.0, 0.0, 1.0, False, "rate ε₀ at step 0"),
        "then": ParamSpec(None, None, None, False, "schedule after warm-up (None: constant)"),
    }

    def __post_init__(self) -> None:
        _set(self, "target_learning_rate",
             _lr("target_learning_rate", self.target_learning_rate))
        _set(self, "warmup_steps", check_int("warmup_steps", self.warmup_steps, low=0))
        _set(self, "initial_learning_rate",
             _lr("initial_learning_rate", self.initial_learning_rate, zero_ok=True))
        then = self.then
        if isinstance(then, dict):
            then = from_config(then)
        if then is not None and not isinstance(then, Schedule):
            raise ValueError(
                f"then must be a Schedule, a schedule config dict or None, got {then!r}"
            )
        _set(self, "then", then)

    def _value(self, k: np.ndarray) -> np.ndarray:
        w = self.warmup_steps
        after = k >= w
        if self.then is None:
            out = np.full(k.shape, self.target_learning_rate)
        else:
            out = np.zeros(k.shape)
            out[after] = self.then._value(k[after] - w)
        if w > 0:
            lr0 = self.initial_learning_rate
            ramp = lr0 + (self.target_learning_rate - lr0) * (k / w)
            out = np.where(after, out, ramp)
        return out


@dataclasses.dataclass(frozen=True)
class PolynomialDecay(Schedule):
    r"""Polynomial decay, ``keras.optimizers.schedules.PolynomialDecay``.

    .. math::
        \varepsilon_k = (\varepsilon_0 - \varepsilon_e)\,(1 - \bar k / \bar s)^{p} + \varepsilon_e

    with :math:`\bar k = \min(k, s)`, :math:`\bar s = s` or, with ``cycle``,
    :math:`\bar k = k` and :math:`\bar s = s \lceil k/s \rceil` (:math:`\bar s = s` at
    :math:`k = 0`), which restarts the decay from a lower peak every :math:`s` steps.

    Parameters
    ----------
    initial_learning_rate : float
        :math:`\varepsilon_0 > 0`.
    decay_steps : float
        :math:`s > 0`.
    end_learning_rate : float
        :math:`\varepsilon_e \ge 0` (Keras' default 1e-4).
    power : float
        :math:`p > 0`; ``power=1`` is :class:`LinearDecay`.
    cycle : bool
        Restart after :math:`s` steps.
    """

    initial_learning_rate: float
    decay_steps: float
    end_learning_rate: float = 0.0001
    power: float = 1.0
    cycle: bool = False
    name: ClassVar[str] = "polynomial_decay"
    _params: ClassVar[dict[str, ParamSpec]] = {
        "initial_learning_rate": ParamSpec(0.1, 1e-4, 1.0, True, "initial learning rate ε₀"),
        "decay_steps": ParamSpec(1000.0, 1.0, 1e5, True, "steps s to reach ε_e"),
        "end_learning_rate": ParamSpec(0.0001, 1e-6, 1.0, True, "end learning rate ε_e"),
        "power": ParamSpec(1.0, 0.1, 10.0, True, "power p"),
        "cycle": ParamSpec(False, False, True, False, "restart every s steps"),
    }

    def __post_init__(self) -> None:
        _set(self, "initial_learning_rate",
             _lr("initial_learning_rate", self.initial_learning_rate))
        _set(self, "decay_steps", _real("decay_steps", self.decay_steps, low=0.0, low_open=True))
        _set(self, "end_learning_rate",
             _lr("end_learning_rate", self.end_learning_rate, zero_ok=True))
        _set(self, "power", _real("power", self.power, low=0.0, low_open=True))
        _set(self, "cycle", _bool("cycle", self.cycle))

    def _value(self, k: np.ndarray) -> np.ndarray:
        s = self.decay_steps
        if self.cycle:
            span = s * np.where(k == 0, 1.0, np.ceil(k / s))
        else:
            k, span = np.minimum(k, s), s
        frac = np.maximum(1.0 - k / span, 0.0)
        lr0, lre = self.initial_learning_rate, self.end_learning_rate
        return (lr0 - lre) * np.power(frac, self.power) + lre


# snake_case names, as used by get() and the notebooks
constant = Constant
exponential_decay = ExponentialDecay
inverse_time_decay = InverseTimeDecay
piecewise_constant_decay = PiecewiseConstantDecay
step_decay = StepDecay
natural_exp_decay = NaturalExpDecay
linear_decay = LinearDecay
cosine_decay = CosineDecay
linear_warmup = LinearWarmup
polynomial_decay = PolynomialDecay

_REGISTRY: dict[str, type[Schedule]] = {
    cls.name: cls
    for cls in (
        Constant, ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, StepDecay,
        NaturalExpDecay, LinearDecay, CosineDecay, LinearWarmup, PolynomialDecay,
    )
}


# --------------------------------------------------------------------------- registry


def names() -> list[str]:
    """Names of all schedules, the keys of :func:`get`."""
    return list(_REGISTRY)


def _lookup(name: Any) -> type[Schedule]:
    if not isinstance(name, str) or name not in _REGISTRY:
        raise ValueError(f"unknown schedule {name!r}; known schedules are: {', '.join(_REGISTRY)}")
    return _REGISTRY[name]


def get(name: str, **kwargs: Any) -> Schedule:
    """Build the schedule ``name`` (see :func:`names`) from keyword arguments.

    Raises
    ------
    ValueError
        For an unknown name (listing the known names), an unknown or missing argument (listing
        the valid ones) or an argument out of range.
    """
    cls = _lookup(name)
    fields = dataclasses.fields(cls)
    check_unknown(f"argument(s) for schedule {name!r}:", kwargs, [f.name for f in fields])
    missing = [
        f.name for f in fields
        if f.default is dataclasses.MISSING and f.name not in kwargs
    ]
    if missing:
        raise ValueError(
            f"schedule {name!r} needs argument(s) {', '.join(missing)}; its arguments are: "
            f"{', '.join(f.name for f in fields)}"
        )
    return cls(**kwargs)


def parameters(name: str) -> dict[str, ParamSpec]:
    """Default and suggested slider range of every argument of schedule ``name``.

    Defaults of required arguments are suggestions; ``get(name, **{a: p.default ...})`` is valid.
    """
    return dict(_lookup(name)._params)


def from_config(config: dict[str, Any]) -> Schedule:
    """Inverse of :meth:`Schedule.to_config`: ``from_config(s.to_config()) == s``."""
    if not isinstance(config, dict) or "name" not in config:
        raise ValueError(f"config must be a dict with a 'name' key, got {config!r}")
    kwargs = dict(config)
    return get(kwargs.pop("name"), **kwargs)


def is_schedule(obj: Any) -> bool:
    """Whether ``obj`` is a schedule of this module."""
    return isinstance(obj, Schedule)


def resolve(learning_rate: Any) -> Callable[[StepLike], Any]:
    """The learning rate of an optimizer as a callable of the step.

    A float becomes :class:`Constant` (checked > 0), a config dict goes through
    :func:`from_config`, a schedule or any other callable (e.g. a user function or a Keras
    schedule) is returned unchanged.
    """
    if isinstance(learning_rate, Schedule):
        return learning_rate
    if isinstance(learning_rate, dict):
        return from_config(learning_rate)
    if callable(learning_rate):
        return learning_rate
    return Constant(learning_rate)


# --------------------------------------------------------------------------- convergence sums


def _evaluate(fn: Callable[[Any], Any], k: np.ndarray) -> np.ndarray:
    if isinstance(fn, Schedule):
        return np.asarray(fn(k))
    try:
        out = np.asarray(fn(k), dtype=np.float64)
        if out.shape == k.shape:
            return out
    except Exception:  # a scalar-only user function: evaluate step by step
        pass
    return np.array([float(np.asarray(fn(int(i)))) for i in k], dtype=np.float64)


def sum_conditions(
    schedule: Any, steps: StepLike, *, chunk: int = 1 << 20
) -> tuple[float, float] | tuple[np.ndarray, np.ndarray]:
    r"""Partial sums :math:`\sum_{k<t}\varepsilon_k` and :math:`\sum_{k<t}\varepsilon_k^2`.

    The classical sufficient conditions for SGD to converge are
    :math:`\sum_{k=0}^\infty \varepsilon_k = \infty` and
    :math:`\sum_{k=0}^\infty \varepsilon_k^2 < \infty` (Goodfellow et al., eq. 8.12 and 8.13);
    plot these partial sums against :math:`t` to see which holds.

    Parameters
    ----------
    schedule : Schedule, float or callable
        Anything :func:`resolve` accepts.
    steps : int or integer array
        :math:`t \ge 0`: the number of terms (steps ``0 .. t-1``).
    chunk : int
        Steps evaluated at once (memory bound; the sums are carried across chunks).

    Returns
    -------
    (S1, S2) : floats for a scalar ``steps``, float64 arrays of its shape otherwise.
    """
    fn = resolve(schedule)
    t = _check_steps(steps, "steps")
    chunk = check_int("chunk", chunk, low=1)
    flat = t.ravel()
    s1 = np.zeros(flat.shape)
    s2 = np.zeros(flat.shape)
    n_max = int(flat.max()) if flat.size else 0
    carry1 = carry2 = 0.0
    with np.errstate(over="ignore"):
        for start in range(0, n_max, chunk):
            stop = min(start + chunk, n_max)
            eps = _evaluate(fn, np.arange(start, stop))
            c1 = carry1 + np.cumsum(eps)
            c2 = carry2 + np.cumsum(eps * eps)
            sel = (flat > start) & (flat <= stop)
            s1[sel] = c1[flat[sel] - start - 1]
            s2[sel] = c2[flat[sel] - start - 1]
            carry1, carry2 = float(c1[-1]), float(c2[-1])
    if t.ndim == 0:
        return float(s1[0]), float(s2[0])
    return s1.reshape(t.shape), s2.reshape(t.shape)

