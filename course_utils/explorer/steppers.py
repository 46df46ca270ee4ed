"""Building the explorer's numpy optimizers: a schedule shape on the learning rate, and the
gradient transformation for noise and clipping."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .. import optimizers as _optimizers
from .._validate import check_choice

__all__ = ["ScaledSchedule", "make_stepper", "make_transform"]


class ScaledSchedule:
    """A learning rate times a schedule: ``lr_k = learning_rate * schedule(k)``.

    The explorer's schedules are *shapes* (they start at 1) that multiply each optimizer's own
    learning rate, so one schedule applies to optimizers with very different step sizes.
    ``learning_rate`` may be an array (a hyperparameter grid).
    """

    def __init__(self, learning_rate: Any, schedule: Callable[[int], Any]) -> None:
        self.learning_rate = learning_rate
        self.schedule = schedule

    def __call__(self, count: Any) -> Any:
        return self.learning_rate * self.schedule(count)

    def __repr__(self) -> str:
        return f"ScaledSchedule({self.learning_rate!r}, {self.schedule!r})"


def make_stepper(name: str, hyper: Mapping[str, Any], schedule: Any = None
                 ) -> _optimizers.GradientTransformation:
    """The numpy optimizer ``name`` with ``hyper``, and an optional schedule shape.

    With ``schedule`` (a callable of the step, e.g. from :mod:`course_utils.schedules`) the
    learning rate becomes ``learning_rate * schedule(k)`` (:class:`ScaledSchedule`). An
    optimizer without a ``learning_rate`` (Rprop) is left as it is.
    """
    hyper = dict(hyper)
    if schedule is not None and "learning_rate" in hyper:
        hyper["learning_rate"] = ScaledSchedule(hyper["learning_rate"], schedule)
    return _optimizers.get(name, **hyper)


def make_transform(surface: Any, noise: Mapping[str, Any] | None = None,
                   clip: Mapping[str, Any] | None = None
                   ) -> tuple[_optimizers.GradientTransformation | None, dict[str, Any]]:
    """The gradient transformation and extra :func:`~course_utils.run` arguments for noise
    and clipping.

    Returns ``(transform, run_kwargs)``. Noise (``{"enabled", "stddev", "batch_size",
    "seed"}``) comes first: on a data surface (``logistic``) it is the real minibatch gradient
    (``run_kwargs = {"batch_size": ..., "seed": ...}``), elsewhere
    :func:`course_utils.optimizers.add_noise`. Clipping (``{"mode": "none" | "value" |
    "norm", "threshold"}``) follows: ``chain(add_noise(...), clip_by_norm(c))``.
    """
    parts: list = []
    kwargs: dict[str, Any] = {}
    if noise and noise.get("enabled"):
        if getattr(surface, "minibatch_grad", None) is not None:
            n = len(getattr(surface, "features", ())) or int(noise["batch_size"])
            kwargs = {"batch_size": min(int(noise["batch_size"]), n), "seed": int(noise["seed"])}
        else:
            parts.append(_optimizers.add_noise(noise["stddev"], noise["batch_size"],
                                               int(noise["seed"])))
    mode = check_choice("clip mode", (clip or {}).get("mode", "none"), ("none", "value", "norm"))
    if mode == "value":
        parts.append(_optimizers.clip_by_value(clip["threshold"]))
    elif mode == "norm":
        parts.append(_optimizers.clip_by_norm(clip["threshold"]))
    if not parts:
        return None, kwargs
    return (parts[0] if len(parts) == 1 else _optimizers.chain(*parts)), kwargs
