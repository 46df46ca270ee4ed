"""The explorer's computations, headless: settings in, paths out (no widgets, no drawing).

:class:`ExplorerModel` holds the surface and one cached :class:`~.paths.PathData` per
optimizer, keyed by everything the run depends on, so that moving one optimizer's slider
reruns that optimizer only. It can be used and timed on its own::

    model = ExplorerModel()
    result = model.compute(normalize_state({"surface": "ravine", "optimizers": ["adam"]}))
    result.paths["adam"].trajectory.losses[-1]
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import optimizers as _optimizers
from .. import runner
from .. import schedules as _schedules
from .. import surfaces as _surfaces
from .inside import InsideSeries, inside_series
from .paths import PathData, path_data
from .phase import PhaseDiagram, phase_diagram
from .settings import demo_hyperparameters, jsonable, optimizer_specs
from .steppers import make_stepper, make_transform
from .styles import label

__all__ = ["Computation", "ExplorerModel", "enabled_optimizers", "gradient_key"]


def enabled_optimizers(settings: Mapping[str, Any]) -> list[str]:
    """The optimizers ticked in ``settings``, in display order."""
    return [n for n, entry in settings["optimizers"].items() if entry["enabled"]]


def _hyper(settings: Mapping[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in settings["optimizers"][name].items() if k != "enabled"}


def _schedule(settings: Mapping[str, Any]) -> Any:
    config = settings["schedule"]
    return None if config is None else _schedules.from_config(dict(config))


def gradient_key(surface: _surfaces.Surface, settings: Mapping[str, Any]) -> tuple[Any, Any]:
    """``(noise, clip)`` as far as they change the gradients: ``None`` when off, so that
    moving a control that is switched off reruns nothing (σ does not apply to the real
    minibatch gradient of a data surface either)."""
    noise, clip = settings["noise"], settings["clip"]
    if not noise["enabled"]:
        noise = None
    elif surface.minibatch_grad is not None:
        noise = {k: v for k, v in noise.items() if k != "stddev"}
    return noise, (None if clip["mode"] == "none" else clip)


@dataclasses.dataclass(frozen=True, eq=False)
class Computation:
    """What :meth:`ExplorerModel.compute` found for one setup.

    ``paths``: ``{name: PathData}`` of the enabled optimizers that ran, in display order;
    ``problems``: one message per optimizer that could not run (bad hyperparameters);
    ``notes``: remarks for the student (HTML snippets: divergence, zero steps, ...);
    ``surface_changed``: whether the surface is new since the last call.
    """

    surface: _surfaces.Surface
    surface_changed: bool
    paths: Mapping[str, PathData]
    problems: tuple[str, ...]
    notes: tuple[str, ...]


class ExplorerModel:
    """The surface and every optimizer's run for the explorer's settings, cached.

    ``settings`` are a normalized setup (:func:`~.settings.normalize_state`, or
    ``Explorer.controls.read()``).
    """

    def __init__(self) -> None:
        self.surface: _surfaces.Surface | None = None
        self.surface_key: str | None = None
        self._paths: dict[str, PathData] = {}
        self._inside: dict[str, tuple[PathData, InsideSeries]] = {}
        self._phase_key: str | None = None
        self.phase_diagram: PhaseDiagram | None = None  # the last one computed

    def clear(self) -> None:
        """Forget every cached run and phase diagram (the next compute starts from scratch)."""
        self._paths.clear()
        self._inside.clear()
        self._phase_key = None
        self.phase_diagram = None

    def set_surface(self, spec: Mapping[str, Any]) -> bool:
        """Use surface ``{"name", "params"}``; return whether it changed (then caches clear)."""
        key = json.dumps(spec, sort_keys=True)
        if key == self.surface_key and self.surface is not None:
            return False
        surface = _surfaces.get(spec["name"], **spec["params"])
        self.clear()
        self.surface, self.surface_key = surface, key
        return True

    # ----------------------------------------------------------------- paths
    def compute(self, settings: Mapping[str, Any]) -> Computation:
        """Run every enabled optimizer whose inputs changed (the rest come from the cache)."""
        changed = self.set_surface(settings["surface"])
        surf = self.surface
        problems: list[str] = []
        schedule = _schedule(settings)
        transform, run_kwargs = make_transform(surf, settings["noise"], settings["clip"])
        common = json.dumps([self.surface_key, settings["start"],
                             *gradient_key(surf, settings), settings["schedule"]],
                            sort_keys=True)
        steps = settings["steps"]
        enabled = enabled_optimizers(settings)
        for n in enabled:
            hyper = _hyper(settings, n)
            run_key = common + json.dumps(jsonable(hyper), sort_keys=True)  # all but the steps
            key = f"{run_key} steps={steps}"
            cached = self._paths.get(n)
            if cached is not None and cached.key == key:
                continue
            try:
                stepper = make_stepper(n, hyper, schedule)
                if cached is not None and not run_kwargs \
                        and cached.key == f"{run_key} steps={cached.trajectory.steps}":
                    # only the number of steps changed: cut the run, or compute the new steps
                    traj = runner.extend(cached.trajectory, stepper, surf, steps,
                                         transform=transform)
                else:
                    traj = runner.run(stepper, surf, np.array(settings["start"], dtype=float),
                                      steps, transform=transform, record_states=True,
                                      **run_kwargs)
            except ValueError as exc:
                self._paths.pop(n, None)
                problems.append(f"{label(n)}: {exc}")
                continue
            self._paths[n] = path_data(n, key, traj, hyper, schedule, surf)
        paths = {n: self._paths[n] for n in enabled if n in self._paths}
        return Computation(surface=surf, surface_changed=changed, paths=paths,
                           problems=tuple(problems), notes=tuple(self._notes(paths, settings)))

    @property
    def paths(self) -> dict[str, PathData]:
        """Every cached path, ``{name: PathData}`` (enabled or not)."""
        return dict(self._paths)

    def path(self, name: str) -> PathData:
        """The last computed path of optimizer ``name`` (``KeyError`` if it never ran)."""
        return self._paths[name]

    def steps_to_tol(self, name: str, tol: float) -> int:
        """First step at which ``name``'s loss is within ``tol`` of ``f_min``, or -1."""
        return self._paths[name].steps_to_tol(self.surface.f_min, tol)

    def inside(self, name: str) -> InsideSeries:
        """The "inside the optimizer" series of ``name``'s last path (computed once)."""
        path = self._paths[name]
        cached = self._inside.get(name)
        if cached is None or cached[0] is not path:
            cached = (path, inside_series(path, self.surface))
            self._inside[name] = cached
        return cached[1]

    def _notes(self, paths: Mapping[str, PathData], settings: Mapping[str, Any]) -> list[str]:
        surf = self.surface
        notes = []
        enabled = enabled_optimizers(settings)
        if not enabled:
            notes.append("Select at least one optimizer (tab <i>optimizers</i>) to see a path.")
        x, y = settings["start"]
        if not (surf.xlim[0] <= x <= surf.xlim[1] and surf.ylim[0] <= y <= surf.ylim[1]):
            notes.append(f"The start point ({x:.3g}, {y:.3g}) lies outside the plot box; paths "
                         "may enter it later, or never.")
        diverged = [f"{label(n)} at step {p.diverged_at}" for n, p in paths.items()
                    if p.diverged_at >= 0]
        if diverged:
            notes.append("Diverged (✕ where the path leaves the plot): " + ", ".join(diverged)
                         + ". A smaller learning rate or clipping helps.")
        if settings["steps"] == 0:
            notes.append("Zero steps: only the start points are shown.")
        unscheduled = [label(n) for n in paths if "learning_rate" not in paths[n].hyper]
        if settings["schedule"] is not None and unscheduled:
            one = len(unscheduled) == 1
            notes.append(f"{', '.join(unscheduled)} {'has' if one else 'have'} no learning "
                         f"rate, so the schedule does not change {'it' if one else 'them'}.")
        noise = settings["noise"]
        if noise["enabled"] and surf.minibatch_grad is not None:
            n_ex = len(surf.features)
            bs = min(noise["batch_size"], n_ex)
            notes.append(f"Noise on this surface is the true minibatch gradient: {bs} of "
                         f"{n_ex} examples per step (σ does not apply).")
        return notes

    # ----------------------------------------------------------------- phase diagram
    def phase(self, settings: Mapping[str, Any]) -> PhaseDiagram | None:
        """The phase diagram of the inspected optimizer (``None`` if off or not computed).

        Computed again only when something it depends on changed; the other hyperparameters
        are fixed at their current values, and the ranges come from :meth:`phase_range`.
        """
        phase = settings["phase"]
        name = settings["inspect"]
        if not phase["enabled"] or name is None or name not in self._paths:
            return None
        surf = self.surface
        hyper = _hyper(settings, name)
        xname, yname = phase["x"], phase["y"]
        fixed = {k: v for k, v in hyper.items() if k not in (xname, yname)}
        res = phase["resolution"]
        if surf.minibatch_grad is not None:  # every cell sums over all examples
            budget = 4e8 / max(len(surf.features) * max(settings["steps"], 1), 1)
            res = max(8, min(res, int(math.sqrt(budget))))
        key = json.dumps([self.surface_key, name, fixed, xname, yname, phase["metric"], res,
                          settings["steps"], settings["start"], settings["tol"],
                          gradient_key(surf, settings)[1], settings["schedule"]],
                         sort_keys=True)
        if key != self._phase_key or self.phase_diagram is None:
            transform, _ = make_transform(surf, None, settings["clip"])
            self.phase_diagram = phase_diagram(
                surf, name, x=(xname, *self.phase_range(name, xname)),
                y=(yname, *self.phase_range(name, yname)), metric=phase["metric"],
                resolution=res, steps=settings["steps"], start=settings["start"],
                tol=settings["tol"], fixed=fixed, schedule=_schedule(settings),
                transform=transform)
            self._phase_key = key
        return self.phase_diagram

    def phase_range(self, name: str, param: str) -> tuple[float, float, bool]:
        """The range ``(low, high, log)`` the phase panel sweeps ``param`` of ``name`` over.

        The step size: from a hundredth to 30 times the surface's demo value, on a log axis.
        A decay rate in [0, 1) (range up to 0.999): 0 to 0.99. Else the slider's range.
        """
        spec = optimizer_specs(name)[param]
        if param == _optimizers.info(name).step_size:
            demo = demo_hyperparameters(self.surface.name, name)[param]
            return max(spec.low, demo / 100.0), min(spec.high, demo * 30.0), True
        if spec.low == 0 and 0.99 < spec.high < 1:
            return 0.0, 0.99, False
        return float(spec.low), float(spec.high), bool(spec.log and spec.low > 0)
