"""The optimizer registry: one descriptor per optimizer, holding everything the tools need.

An optimizer is registered once, with :func:`register`; the explorer, the races, the phase
diagrams and the Keras labs read what they need from its :class:`OptimizerInfo` and nowhere
else::

    from course_utils import optimizers

    def heavy_ball(learning_rate=0.05, momentum=0.5):
        return optimizers.sgd(learning_rate, momentum)

    optimizers.register("heavy_ball", heavy_ball, label="heavy ball")

Everything but the name and the factory is optional. Left out, the hyperparameters come from
the factory's signature (a ``learning_rate`` gets a log slider, a default in (0, 1) a linear
slider on [0, 0.999], a bool a checkbox), the style is the first colour/marker/line style no
registered optimizer uses, and the demo learning rate is the factory's default.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from .._validate import ParamSpec, check_unknown
from .base import GradientTransformation, Inside

__all__ = [
    "Style",
    "KerasSpec",
    "OptimizerInfo",
    "PATH_COLORS",
    "MARKERS",
    "LINESTYLES",
    "path_style",
    "path_linestyle",
    "register",
    "unregister",
    "info",
    "names",
    "parameters",
    "get",
]

#: Colours for paths on a light contour map: Paul Tol's colour-blind-safe "bright" palette
#: without its light grey, then black and three colours of his vibrant and muted schemes.
PATH_COLORS = ("#4477AA", "#EE6677", "#228833", "#AA3377", "#000000", "#CCBB44", "#66CCEE",
               "#EE7733", "#009988", "#882255")
#: Markers that stay distinct in grey-scale prints.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: Line styles of successive rounds of the colours.
LINESTYLES = ("-", "--", ":", "-.")

InsideFn = Callable[..., Inside]


def path_style(index: int) -> tuple[str, str]:
    """Colour and marker of the ``index``-th path; unique pairs for the first 40 indices.

    Colours cycle through :data:`PATH_COLORS` (10) and markers through :data:`MARKERS` (8), so
    the first ten paths have distinct colours and two of the first 40 never share both.
    """
    return PATH_COLORS[index % len(PATH_COLORS)], MARKERS[index % len(MARKERS)]


def path_linestyle(index: int) -> str:
    """Line style of the ``index``-th path: a new style each time the colours wrap around."""
    return LINESTYLES[(index // len(PATH_COLORS)) % len(LINESTYLES)]


@dataclasses.dataclass(frozen=True)
class Style:
    """How an optimizer looks in every plot and table of the course."""

    color: str
    marker: str
    linestyle: str = "-"

    def __iter__(self):  # ``color, marker, linestyle = info.style``
        return iter((self.color, self.marker, self.linestyle))


@dataclasses.dataclass(frozen=True)
class KerasSpec:
    """The Keras optimizer that computes the same method.

    ``class_name`` names a class of ``keras.optimizers``; ``fixed`` are constructor arguments
    that make it this method (``{"momentum": 0.9, "nesterov": True}`` for ``nesterov``);
    ``arguments`` renames the course's hyperparameters where Keras's names differ;
    ``ignored`` are course-only hyperparameters Keras does not take (left out);
    ``lab_learning_rate`` is the rate the Keras labs train MNIST with (``None``: the optimizer
    is not in the labs' comparisons). ``same_path_on_points=False`` says that Keras's path on
    the course's 2-D points differs from the course's stepper, and why in ``note`` (Muon: Keras
    runs AdamW on every variable that is not a matrix).
    """

    class_name: str
    fixed: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    arguments: Mapping[str, str] = dataclasses.field(default_factory=dict)
    lab_learning_rate: float | None = None
    ignored: tuple[str, ...] = ()
    same_path_on_points: bool = True
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "fixed", MappingProxyType(dict(self.fixed)))
        object.__setattr__(self, "arguments", MappingProxyType(dict(self.arguments)))
        object.__setattr__(self, "ignored", tuple(self.ignored))

    def kwargs(self, **hyper: Any) -> dict[str, Any]:
        """Keras constructor arguments: ``fixed``, then ``hyper`` under Keras's names."""
        return {**self.fixed, **{self.arguments.get(k, k): v for k, v in hyper.items()
                                 if k not in self.ignored}}


@dataclasses.dataclass(frozen=True)
class OptimizerInfo:
    """Everything the course's tools know about one optimizer (see :func:`register`)."""

    name: str
    factory: Callable[..., GradientTransformation]
    label: str
    hyperparameters: Mapping[str, ParamSpec]
    step_size: str | None
    style: Style
    demo_learning_rate: float | None
    demo_learning_rates: Mapping[str, float]
    keras: KerasSpec | None
    inside: InsideFn | None
    phase_axes: tuple[str | None, str | None]
    family: str
    description: str

    def build(self, **hyper: Any) -> GradientTransformation:
        """The stepper with these hyperparameters (the others at their defaults)."""
        check_unknown(f"hyperparameter for {self.name}:", hyper, list(self.hyperparameters))
        return self.factory(**hyper)

    def demo_hyperparameters(self, surface: str | None = None) -> dict[str, Any]:
        """Defaults, with the demo step size for ``surface`` (a surface name) where one is set.

        The demo rate moves visibly in 100-300 steps on that surface, where Keras's default
        (``adam``'s 0.001) would barely move.
        """
        hyper = {key: spec.default for key, spec in self.hyperparameters.items()}
        rate = self.demo_learning_rates.get(surface, self.demo_learning_rate) \
            if surface is not None else self.demo_learning_rate
        if rate is not None and self.step_size is not None:
            hyper[self.step_size] = rate
        return hyper


_REGISTRY: dict[str, OptimizerInfo] = {}

#: Short slider labels of common hyperparameter names, for optimizers registered without them.
_COMMON_LABELS = {
    "learning_rate": "learning rate ε",
    "momentum": "momentum μ",
    "beta_1": "β₁",
    "beta_2": "β₂",
    "rho": "ρ",
    "epsilon": "δ (epsilon)",
    "weight_decay": "weight decay α",
    "damping": "damping α",
}
_PHASE_Y = ("momentum", "beta_1", "rho", "eta_plus", "initial_accumulator_value", "damping",
            "epsilon")


def _derived_spec(key: str, default: Any) -> ParamSpec | None:
    """A slider range for a factory argument with no spec: see the module docstring."""
    label = _COMMON_LABELS.get(key, key.replace("_", " "))
    if isinstance(default, bool):
        return ParamSpec(default, None, None, False, key.replace("_", " "), label)
    if isinstance(default, int):
        return ParamSpec(default, 0, max(10, 10 * default), False, key.replace("_", " "), label)
    if not isinstance(default, float) or not math.isfinite(default):
        return None
    if key == "learning_rate" or key.endswith("_rate") or key.endswith("step"):
        return ParamSpec(default, 1e-4, 10.0, True, key.replace("_", " "), label)
    if 0.0 < default < 1.0 and key not in ("epsilon",):
        return ParamSpec(default, 0.0, 0.999, False, key.replace("_", " "), label)
    if default > 0:
        return ParamSpec(default, default / 100.0, default * 100.0, True,
                         key.replace("_", " "), label)
    return ParamSpec(default, -1.0, 1.0, False, key.replace("_", " "), label)


def _specs_from(name: str, factory: Callable, given: Mapping[str, ParamSpec] | None
                ) -> dict[str, ParamSpec]:
    signature = inspect.signature(factory)
    given = dict(given or {})
    check_unknown(f"hyperparameter spec for {name}:", given, list(signature.parameters))
    specs: dict[str, ParamSpec] = {}
    for key, param in signature.parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if param.default is param.empty:
            raise ValueError(f"the factory of {name} needs a default for {key!r}: the tools "
                             "build it with its defaults")
        if key in given:
            spec = given[key]
            spec = spec._replace(default=param.default,
                                 label=spec.label or _COMMON_LABELS.get(key, key))
        else:
            spec = _derived_spec(key, param.default)
            if spec is None:
                continue
        specs[key] = spec
    return specs


def _free_style() -> Style:
    """The first look no registered optimizer has: its colour and marker, and its colour and
    line style (curves without markers), are both new."""
    markers = {(s.style.color, s.style.marker) for s in _REGISTRY.values()}
    lines = {(s.style.color, s.style.linestyle) for s in _REGISTRY.values()}
    for linestyle in LINESTYLES:
        for i, color in enumerate(PATH_COLORS):
            if (color, linestyle) in lines:
                continue
            for j in range(len(MARKERS)):
                marker = MARKERS[(i + j) % len(MARKERS)]
                if (color, marker) not in markers:
                    return Style(color, marker, linestyle)
    return Style(PATH_COLORS[len(_REGISTRY) % len(PATH_COLORS)], "o", "-")  # 40 taken


def _default_phase_axes(specs: Mapping[str, ParamSpec], step_size: str | None
                        ) -> tuple[str | None, str | None]:
    numeric = [k for k, s in specs.items()
               if s.low is not None and not isinstance(s.default, bool)]
    x = step_size if step_size in numeric else (numeric[0] if numeric else None)
    for y in _PHASE_Y:
        if y in numeric and y != x:
            return x, y
    rest = [k for k in numeric if k != x]
    return x, (rest[0] if rest else None)


_UNSET: Any = object()


def register(name: str, factory: Callable[..., GradientTransformation], *,
             label: str | None = None,
             hyperparameters: Mapping[str, ParamSpec] | None = None,
             step_size: str | None = _UNSET,
             style: Style | tuple[str, str] | tuple[str, str, str] | None = None,
             demo_learning_rate: float | None = _UNSET,
             demo_learning_rates: Mapping[str, float] | None = None,
             keras: KerasSpec | None = None,
             inside: InsideFn | None = None,
             phase_axes: tuple[str | None, str | None] | None = None,
             family: str = "custom",
             description: str = "",
             replace: bool = False) -> OptimizerInfo:
    """Register optimizer ``name``: from then on every tool of the course offers it.

    Parameters
    ----------
    name
        The key used everywhere (``optimizers.get(name)``, the explorer's setup JSON).
    factory
        ``factory(**hyper) -> GradientTransformation``; every argument needs a default.
    label
        Display name (default: ``name``).
    hyperparameters
        ``{argument: ParamSpec}`` with ranges and slider labels; arguments left out get one
        derived from their default (see the module docstring).
    step_size
        The argument that sets the step size (default ``"learning_rate"`` when the factory
        has one); the demo rates and schedules apply to it.
    style
        ``Style(colour, marker, linestyle)`` (default: the first one no optimizer uses).
    demo_learning_rate, demo_learning_rates
        The explorer's starting step size, and per-surface overrides ``{surface: rate}``
        (default: the factory's own default).
    keras
        A :class:`KerasSpec` when Keras has the same method (used by the labs and the tests).
    inside
        ``inside(points, states, hyper, learning_rate) -> Inside`` for the explorer's "inside
        the optimizer" view (default: the explorer shows ``|Δθ| / |g|``).
    phase_axes
        The phase diagram's default ``(x, y)`` hyperparameters.
    replace
        Allow replacing an optimizer registered before (otherwise that is an error).
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"an optimizer name must be an identifier such as 'heavy_ball', "
                         f"got {name!r}")
    if not callable(factory):
        raise ValueError(f"factory must be callable, got {factory!r}")
    if name in _REGISTRY and not replace:
        raise ValueError(f"optimizer {name!r} is already registered; pass replace=True to "
                         "replace it")
    specs = _specs_from(name, factory, hyperparameters)
    if step_size is _UNSET:
        step_size = "learning_rate" if "learning_rate" in specs else None
    elif step_size is not None and step_size not in specs:
        raise ValueError(f"step_size must be one of the hyperparameters of {name} "
                         f"({', '.join(specs)}), got {step_size!r}")
    if demo_learning_rate is _UNSET:
        demo_learning_rate = specs[step_size].default if step_size is not None else None
    old = _REGISTRY.pop(name, None)
    if style is None:
        style = old.style if old is not None else _free_style()
    elif not isinstance(style, Style):
        style = Style(*style)
    descriptor = OptimizerInfo(
        name=name,
        factory=factory,
        label=label or name,
        hyperparameters=MappingProxyType(specs),
        step_size=step_size,
        style=style,
        demo_learning_rate=demo_learning_rate,
        demo_learning_rates=MappingProxyType(dict(demo_learning_rates or {})),
        keras=keras,
        inside=inside,
        phase_axes=tuple(phase_axes) if phase_axes else _default_phase_axes(specs, step_size),
        family=family,
        description=description,
    )
    _REGISTRY[name] = descriptor
    return descriptor


def unregister(name: str) -> None:
    """Remove optimizer ``name`` (one that a notebook or a test registered)."""
    info(name)
    del _REGISTRY[name]


def names() -> list[str]:
    """Names accepted by :func:`get`, in the order the course lists them."""
    return list(_REGISTRY)


def info(name: str) -> OptimizerInfo:
    """The descriptor of optimizer ``name``."""
    if not isinstance(name, str) or name not in _REGISTRY:
        raise ValueError(f"unknown optimizer {name!r}; known optimizers are: {', '.join(names())}")
    return _REGISTRY[name]


def parameters(name: str) -> dict[str, ParamSpec]:
    """The hyperparameters of optimizer ``name`` with defaults and suggested slider ranges."""
    return dict(info(name).hyperparameters)


def get(name: str, **hyper: Any) -> GradientTransformation:
    """Build optimizer ``name`` with Keras-named hyperparameters, e.g. ``get("adam", beta_1=0.8)``.

    Unknown names and unknown hyperparameters raise ``ValueError`` listing the valid ones.
    """
    descriptor = info(name)
    allowed = list(inspect.signature(descriptor.factory).parameters)
    check_unknown(f"hyperparameter for {name}:", hyper, allowed)
    return descriptor.factory(**hyper)
