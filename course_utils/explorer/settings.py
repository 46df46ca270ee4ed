"""The explorer's setup: its JSON schema, defaults and validation (no widgets, no drawing).

A *setup* is what :meth:`Explorer.state` writes and ``explore(config=...)`` reads: a JSON object
with the surface, every optimizer's hyperparameters, steps, start point, tolerance, noise,
clipping, schedule, the current step and the panels' options. :func:`normalize_state` checks
one (unknown keys and bad values raise ``ValueError`` naming them, with the words of
:mod:`course_utils._validate`) and fills in every default; its result is the *settings* dict
that :class:`~course_utils.explorer.model.ExplorerModel` computes from. The format is
``STATE_VERSION = 1``; saved setups keep loading.

Demo learning rates: Keras's defaults (``adam`` 0.001) barely move on a 2-D surface in a few
hundred steps, so the sliders start from each optimizer's demo step size for the surface
(``optimizers.info(name).demo_hyperparameters(surface)``). All other hyperparameters start at
their defaults.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import optimizers as _optimizers
from .. import schedules as _schedules
from .. import surfaces as _surfaces
from .._validate import (
    ParamSpec,
    check_bool,
    check_choice,
    check_json_int,
    check_json_real,
    check_keys,
)

__all__ = [
    "STATE_VERSION",
    "normalize_state",
    "parse_config",
    "initial_setup",
    "demo_hyperparameters",
    "optimizer_specs",
    "schedule_specs",
    "phase_axes",
    "numeric_parameters",
    "as_surface",
    "setup_json",
]

STATE_VERSION = 1
STATE_KEYS = ("version", "surface", "optimizers", "steps", "start", "tol", "noise", "clip",
              "schedule", "step", "inspect", "speed", "presenter", "phase")
MAX_STEPS = 1000
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
#: Play speeds: (milliseconds per frame, steps per frame).
SPEEDS = {"slow": (250, 1), "normal": (100, 1), "fast": (60, 2), "very fast": (40, 5)}
NOISE_DEFAULT = {"enabled": False, "stddev": 1.0, "batch_size": 16, "seed": 0}
CLIP_DEFAULT = {"mode": "none", "threshold": 1.0}
CLIP_MODES = ("none", "value", "norm")
PHASE_DEFAULT = {"enabled": False, "metric": "steps_to_tol", "resolution": 64}
PHASE_METRICS = ("steps_to_tol", "final_loss", "diverged")
LR_RANGE = (1e-4, 100.0)  # wider than the registry's, so that "a learning rate of 100" is a
#                           value a student can set (and see diverge)
NOISE_STDDEV_RANGE = (1e-3, 1e2)
CLIP_RANGE = (1e-3, 1e3)
TOL_RANGE = (1e-12, 1.0)
# Schedules are shapes that multiply each optimizer's learning rate: their rates start at 1.
_SCHEDULE_UI_DEFAULTS = {
    "learning_rate": 1.0, "initial_learning_rate": 1.0, "target_learning_rate": 1.0,
    "values": (1.0, 0.1, 0.01), "boundaries": (80, 160), "final_learning_rate": 0.01,
    "end_learning_rate": 0.01, "decay_steps": 100.0, "tau": 200, "step_size": 50,
    "warmup_steps": 20,
}
# Schedule arguments the explorer does not offer (they must stay at their defaults).
_SCHEDULE_HIDDEN = {("cosine_decay", "warmup_target"), ("cosine_decay", "warmup_steps"),
                    ("linear_warmup", "then")}


# --------------------------------------------------------------------------- parameters

def spec_kind(spec: ParamSpec) -> str:
    """What control a parameter gets: ``"bool"``, ``"tuple"``, ``"int"``, ``"float"`` or
    ``"none"`` (not offered)."""
    d = spec.default
    if isinstance(d, bool) or (spec.low is False and spec.high is True):
        return "bool"
    if isinstance(d, tuple):
        return "tuple"
    if d is None or spec.low is None:
        return "none"
    if isinstance(d, int):
        return "int"
    return "float"


def optimizer_specs(name: str) -> dict[str, ParamSpec]:
    """The hyperparameters of optimizer ``name`` as the explorer offers them (its sliders)."""
    specs = dict(_optimizers.info(name).hyperparameters)
    if "learning_rate" in specs:
        specs["learning_rate"] = specs["learning_rate"]._replace(low=LR_RANGE[0],
                                                                 high=LR_RANGE[1])
    return specs


def numeric_parameters(name: str) -> list[str]:
    """The hyperparameters of ``name`` that can be an axis of a phase diagram."""
    return [k for k, s in optimizer_specs(name).items() if spec_kind(s) in ("float", "int")]


def schedule_specs(name: str) -> dict[str, ParamSpec]:
    """The arguments of schedule ``name`` the explorer offers, with its shape defaults."""
    out = {}
    for key, spec in _schedules.parameters(name).items():
        if (name, key) in _SCHEDULE_HIDDEN or spec_kind(spec) == "none":
            continue
        if key in _SCHEDULE_UI_DEFAULTS:
            spec = spec._replace(default=_SCHEDULE_UI_DEFAULTS[key])
        if name == "linear_warmup" and key == "warmup_steps":
            spec = spec._replace(high=1000)
        out[key] = spec
    return out


def demo_hyperparameters(surface: str, optimizer: str) -> dict[str, Any]:
    """The explorer's starting hyperparameters for ``optimizer`` on ``surface``.

    The optimizer's defaults, except its step size (``learning_rate``; Rprop's
    ``initial_step``), which is a demo value that moves visibly in 100-300 steps on that
    surface (``optimizers.info(optimizer).demo_hyperparameters(surface)``).

    Examples
    --------
    >>> demo_hyperparameters("ravine", "adam")["learning_rate"]
    0.3
    """
    return dict(_optimizers.info(optimizer).demo_hyperparameters(surface))


def phase_axes(name: str) -> tuple[str | None, str | None]:
    """The phase diagram's default (x, y) hyperparameters for optimizer ``name``."""
    numeric = numeric_parameters(name)
    x, y = _optimizers.info(name).phase_axes
    if x not in numeric:
        step = _optimizers.info(name).step_size
        x = step if step in numeric else (numeric[0] if numeric else None)
    if y not in numeric or y == x:
        rest = [k for k in numeric if k != x]
        y = rest[0] if rest else None
    return x, y


def check_value(where: str, spec: ParamSpec, value: Any) -> Any:
    """Validate one JSON value against a parameter's control (type and range); return it."""
    kind = spec_kind(spec)
    if kind == "bool":
        return check_bool(where, value)
    if kind == "tuple":
        if not isinstance(value, (list, tuple)) or not value:
            raise ValueError(f"{where} must be a list of numbers, got {value!r}")
        if all(isinstance(v, int) for v in spec.default):
            return tuple(check_json_int(f"{where}[{i}]", v, -2**63, 2**63)
                         for i, v in enumerate(value))
        return tuple(check_json_real(f"{where}[{i}]", v, -float("inf"), float("inf"))
                     for i, v in enumerate(value))
    if kind == "int":
        return check_json_int(where, value, int(spec.low), int(spec.high))
    return check_json_real(where, value, spec.low, spec.high)


# --------------------------------------------------------------------------- JSON

def _reject_constant(name: str) -> None:
    raise ValueError(f"the setup contains {name}, which is not a number JSON allows")


def parse_config(config: Any) -> dict:
    """A setup as a plain dict: JSON text is parsed with ``json.loads`` only (never eval)."""
    if isinstance(config, (str, bytes)):
        try:
            data = json.loads(config, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            raise ValueError(f"the setup is not valid JSON: {exc}") from None
    elif isinstance(config, Mapping):
        try:
            data = json.loads(json.dumps(config, allow_nan=False),
                              parse_constant=_reject_constant)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"the setup must hold JSON values only: {exc}") from None
    else:
        raise ValueError(f"config must be a JSON string or a dict, got {type(config).__name__}")
    if not isinstance(data, dict):
        raise ValueError("the setup must be a JSON object {...}")
    return data


def jsonable(value: Any) -> Any:
    """``value`` with tuples as lists and numpy scalars as Python numbers (for ``json``)."""
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _section(where: str, value: Any, defaults: Mapping[str, Any]) -> dict:
    """A sub-object of the setup (``noise``, ``clip``, ``phase``) over its defaults."""
    return {**defaults, **check_keys(where, value, list(defaults))}


def initial_setup(surface: Any, optimizers: Any, config: Any, presenter: bool | None,
                  initial: Mapping[str, Any]) -> dict:
    """The raw setup of ``explore(surface, optimizers, config=..., presenter=..., **initial)``.

    ``config`` (a saved setup) replaces ``surface`` and ``optimizers``; ``initial`` adds
    hyperparameters per optimizer (``adam={...}``), surface parameters by name and any other
    setup key. The result still goes through :func:`normalize_state`.
    """
    if config is not None:
        raw = parse_config(config)
    else:
        if isinstance(surface, _surfaces.Surface):
            surface = {"name": surface.name, "params": jsonable(surface.params)}
        elif isinstance(surface, str):
            surface = {"name": surface}
        else:
            raise ValueError(f"surface must be a name or a Surface, got {surface!r}")
        if isinstance(optimizers, str):
            optimizers = [optimizers]
        raw = {"surface": surface, "optimizers": {n: {} for n in optimizers or ()}}
    raw.setdefault("optimizers", {})
    raw.setdefault("surface", {"name": "ravine"})
    if isinstance(raw["surface"], str):
        raw["surface"] = {"name": raw["surface"]}
    surface_name = raw["surface"].get("name", "ravine") if isinstance(
        raw["surface"], Mapping) else "ravine"
    surface_params = (_surfaces.parameters(surface_name)
                      if surface_name in _surfaces.names() else {})
    for key, value in initial.items():
        if key in _optimizers.names():
            if not isinstance(value, Mapping):
                raise ValueError(f"{key}= must be a dict of hyperparameters, got {value!r}")
            raw["optimizers"] = dict(raw["optimizers"])
            raw["optimizers"][key] = {**raw["optimizers"].get(key, {}), **value}
        elif key in surface_params:
            raw["surface"] = dict(raw["surface"])
            raw["surface"]["params"] = {**raw["surface"].get("params", {}), key: value}
        elif key in STATE_KEYS and key not in ("version", "surface", "optimizers"):
            raw[key] = value
        else:
            raise ValueError(
                f"unknown setting {key!r}; pass optimizer hyperparameters as "
                f"adam={{'learning_rate': 0.1}}, surface parameters by name, or one of: "
                f"{', '.join(k for k in STATE_KEYS if k not in ('version',))}")
    if presenter is not None:
        raw["presenter"] = bool(presenter)
    return parse_config(raw)


# --------------------------------------------------------------------------- normalize

def normalize_state(raw: Mapping[str, Any]) -> dict:
    """Validate an explorer setup and fill in every default; raise ``ValueError`` if invalid.

    Accepts what :meth:`Explorer.state` writes (parsed), possibly partial: a missing key takes
    its default, an optimizer listed without ``"enabled"`` is enabled, and hyperparameters not
    given take the surface's demo values. Unknown keys and out-of-range values are errors
    whose message names them.
    """
    check_keys("the setup", raw, STATE_KEYS)
    check_choice("version", raw.get("version", STATE_VERSION), (STATE_VERSION,))
    state: dict[str, Any] = {"version": STATE_VERSION}
    surf = _normalize_surface(raw.get("surface", {"name": "ravine"}), state)
    opts_raw = raw.get("optimizers", {"sgd": {}, "momentum": {}, "adam": {}})
    if isinstance(opts_raw, (list, tuple)):
        opts_raw = {n: {} for n in opts_raw}
    state["optimizers"] = _normalize_optimizers(opts_raw, surf.name)

    steps = check_json_int("steps", raw.get("steps", 200), 0, MAX_STEPS)
    state["steps"] = steps
    start = raw.get("start", [float(v) for v in surf.start])
    if not isinstance(start, (list, tuple)) or len(start) != 2:
        raise ValueError(f"start must be a list [x, y], got {start!r}")
    state["start"] = [check_json_real(f"start[{i}]", v, -1e6, 1e6) for i, v in enumerate(start)]
    state["tol"] = check_json_real("tol", raw.get("tol", 1e-6), *TOL_RANGE)

    noise = _section("noise", raw.get("noise", {}), NOISE_DEFAULT)
    check_bool("noise.enabled", noise["enabled"])
    noise["stddev"] = check_json_real("noise.stddev", noise["stddev"], *NOISE_STDDEV_RANGE)
    noise["batch_size"] = check_choice(
        "noise.batch_size", check_json_int("noise.batch_size", noise["batch_size"], 1, 2**31),
        BATCH_SIZES)
    noise["seed"] = check_json_int("noise.seed", noise["seed"], 0, 2**31 - 1)
    state["noise"] = noise

    clip = _section("clip", raw.get("clip", {}), CLIP_DEFAULT)
    check_choice("clip.mode", clip["mode"], CLIP_MODES)
    clip["threshold"] = check_json_real("clip.threshold", clip["threshold"], *CLIP_RANGE)
    state["clip"] = clip
    state["schedule"] = _normalize_schedule(raw.get("schedule"))

    state["step"] = check_json_int("step", raw.get("step", steps), 0, steps)
    names = _optimizers.names()
    enabled = [n for n in names if state["optimizers"][n]["enabled"]]
    listed = [n for n in opts_raw if state["optimizers"][n]["enabled"]]
    default_inspect = listed[-1] if listed else None  # the last one named: often the newest
    inspect = raw.get("inspect", default_inspect)
    if inspect is not None:
        check_choice("inspect (one of the enabled optimizers)", inspect, enabled)
    if inspect is None and enabled:
        inspect = default_inspect
    state["inspect"] = inspect
    state["speed"] = check_choice("speed", raw.get("speed", "normal"), tuple(SPEEDS))
    state["presenter"] = check_bool("presenter", raw.get("presenter", False))
    state["phase"] = _normalize_phase(raw.get("phase", {}), inspect)
    return state


def _normalize_surface(surf_raw: Any, state: dict) -> _surfaces.Surface:
    if isinstance(surf_raw, str):
        surf_raw = {"name": surf_raw}
    check_keys("surface", surf_raw, ("name", "params"))
    name = check_choice("surface", surf_raw.get("name", "ravine"), _surfaces.names())
    params_raw = surf_raw.get("params", {}) or {}
    specs = _surfaces.parameters(name)
    check_keys(f"surface {name!r} params", params_raw, list(specs))
    params = {k: check_value(f"surface parameter {k!r}", specs[k], v)
              for k, v in params_raw.items()}
    surf = _surfaces.get(name, **params)
    state["surface"] = {"name": name, "params": jsonable(surf.params)}
    return surf


def _normalize_optimizers(opts_raw: Any, surface: str) -> dict:
    names = _optimizers.names()
    check_keys("optimizers", opts_raw, names)
    out = {}
    for n in names:
        given = opts_raw.get(n)
        entry: dict[str, Any] = {"enabled": given is not None}
        entry.update(demo_hyperparameters(surface, n))
        if given is not None:
            specs = optimizer_specs(n)
            check_keys(f"optimizers.{n}", given, ["enabled", *specs])
            for key, value in given.items():
                if key == "enabled":
                    entry["enabled"] = check_bool(f"optimizers.{n}.enabled", value)
                else:
                    entry[key] = check_value(f"optimizers.{n}.{key}", specs[key], value)
            hyper = {k: v for k, v in entry.items() if k != "enabled"}
            try:
                _optimizers.get(n, **hyper)
            except ValueError as exc:
                raise ValueError(f"optimizers.{n}: {exc}") from None
        out[n] = entry
    return out


def _normalize_schedule(schedule: Any) -> dict | None:
    if schedule is None:
        return None
    if not isinstance(schedule, Mapping) or not isinstance(schedule.get("name"), str):
        raise ValueError(f"schedule must be null or a schedule config with a 'name', got "
                         f"{schedule!r}")
    sname = check_choice("schedule", schedule["name"], _schedules.names())
    visible = schedule_specs(sname)
    full = {f.name: f.default for f in dataclasses.fields(_schedules._lookup(sname))}
    check_keys(f"schedule {sname!r}", schedule, ["name", *full])
    for key, value in schedule.items():
        if key == "name" or key in visible:
            continue
        if value != full[key]:
            raise ValueError(f"the explorer cannot show schedule argument {key!r}; leave "
                             f"it at {full[key]!r}")
    for key, spec in visible.items():
        if key in schedule:
            check_value(f"schedule.{key}", spec, schedule[key])
    try:
        built = _schedules.from_config(dict(schedule))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"schedule: {exc}") from None
    return jsonable(built.to_config())


def _normalize_phase(raw: Any, inspect: str | None) -> dict:
    default_x, default_y = phase_axes(inspect) if inspect else (None, None)
    phase = _section("phase", raw, {**PHASE_DEFAULT, "x": default_x, "y": default_y})
    check_bool("phase.enabled", phase["enabled"])
    check_choice("phase.metric", phase["metric"], PHASE_METRICS)
    phase["resolution"] = check_json_int("phase.resolution", phase["resolution"], 16, 160)
    if inspect is not None:
        numeric = [k for k, s in optimizer_specs(inspect).items() if spec_kind(s) != "bool"]
        for axis in ("x", "y"):
            check_choice(f"phase.{axis} (a numeric hyperparameter of {inspect})", phase[axis],
                         numeric)
        if phase["x"] == phase["y"]:
            raise ValueError("phase.x and phase.y must differ")
    return phase


def as_surface(surface: Any) -> _surfaces.Surface:
    """A Surface from a name or a Surface."""
    if isinstance(surface, _surfaces.Surface):
        return surface
    if isinstance(surface, str):
        return _surfaces.get(surface)
    raise ValueError(f"surface must be a surface name or a Surface, got {surface!r}")


def setup_json(settings: Mapping[str, Any]) -> str:
    """The JSON text of a setup (what ``Explorer.state()`` returns) from its settings.

    Optimizers are kept if they are enabled or their hyperparameters differ from the
    surface's demo values; the schedule is written as its ``to_config()``.
    """
    settings = dict(settings)
    name = settings["surface"]["name"]
    kept = {}
    for n, entry in settings["optimizers"].items():
        demo = demo_hyperparameters(name, n)
        changed = {k: v for k, v in entry.items() if k != "enabled" and v != demo.get(k)}
        if entry["enabled"] or changed:
            kept[n] = {"enabled": entry["enabled"],
                       **{k: v for k, v in entry.items() if k != "enabled"}}
    settings["optimizers"] = kept
    if settings["schedule"] is not None:
        schedule = _schedules.from_config(dict(settings["schedule"]))
        settings["schedule"] = jsonable(schedule.to_config())
    return json.dumps(jsonable(settings), indent=1, ensure_ascii=False, allow_nan=False)
