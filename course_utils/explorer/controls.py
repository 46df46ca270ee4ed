"""The explorer's controls: every ipywidget, their layout, and settings in and out.

:class:`ExplorerControls` builds the widgets (sliders from each optimizer's and surface's
``ParamSpec``, labelled with ``ParamSpec.label``), lays them out in tabs, reads the current
settings (:meth:`~ExplorerControls.read`, the body of ``Explorer.state()``) and writes a
normalized setup back (:meth:`~ExplorerControls.write`). It computes and draws nothing; the
app observes the widgets.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets

from .. import optimizers as _optimizers
from .. import schedules as _schedules
from .. import surfaces as _surfaces
from .._validate import ParamSpec
from .html import EXPLORER_CSS, schedule_hint
from .settings import (
    BATCH_SIZES,
    MAX_STEPS,
    SPEEDS,
    STATE_VERSION,
    jsonable,
    optimizer_specs,
    phase_axes,
    schedule_specs,
    spec_kind,
)
from .styles import label, param_label

__all__ = ["ExplorerControls"]

_STYLE = {"description_width": "118px"}


def _layout() -> widgets.Layout:
    return widgets.Layout(width="330px")


# --------------------------------------------------------------------------- one parameter

def param_widget(spec: ParamSpec, description: str, *, continuous: bool) -> widgets.Widget:
    """A control for one parameter: checkbox, text (lists), int or float (log) slider."""
    kind = spec_kind(spec)
    tip = spec.description
    if kind == "bool":
        return widgets.Checkbox(value=bool(spec.default), description=description, indent=False,
                                tooltip=tip, layout=widgets.Layout(width="300px"))
    if kind == "tuple":
        return widgets.Text(value=_format_tuple(spec.default), description=description,
                            continuous_update=False, style=_STYLE, layout=_layout(),
                            tooltip=tip)
    if kind == "int":
        lo, hi = int(spec.low), int(spec.high)
        if hi - lo <= 20000:
            return widgets.IntSlider(value=int(spec.default), min=lo, max=hi,
                                     description=description, continuous_update=continuous,
                                     style=_STYLE, layout=_layout(), tooltip=tip)
        return widgets.BoundedIntText(value=int(spec.default), min=lo, max=hi,
                                      description=description, style=_STYLE, layout=_layout(),
                                      tooltip=tip)
    lo, hi = float(spec.low), float(spec.high)
    if spec.log and lo > 0:
        return widgets.FloatLogSlider(value=float(spec.default), base=10,
                                      min=math.log10(lo), max=math.log10(hi), step=0.01,
                                      readout_format=".3g", description=description,
                                      continuous_update=continuous, style=_STYLE,
                                      layout=_layout(), tooltip=tip)
    return widgets.FloatSlider(value=float(spec.default), min=lo, max=hi, step=(hi - lo) / 500,
                               readout_format=".4g", description=description,
                               continuous_update=continuous, style=_STYLE, layout=_layout(),
                               tooltip=tip)


def _format_tuple(values: Sequence[Any]) -> str:
    return ", ".join(repr(v) if isinstance(v, float) else str(v) for v in values)


def read_widget(widget: widgets.Widget, spec: ParamSpec, where: str) -> Any:
    """The value of a :func:`param_widget` (``ValueError`` naming ``where`` if unreadable)."""
    if isinstance(widget, widgets.Text):
        parts = [p.strip() for p in widget.value.replace(";", ",").split(",") if p.strip()]
        as_int = all(isinstance(v, int) for v in spec.default)
        try:
            values = [int(p) if as_int else float(p) for p in parts]
        except ValueError:
            raise ValueError(f"{where} must be a comma-separated list of "
                             f"{'integers' if as_int else 'numbers'}, got "
                             f"{widget.value!r}") from None
        if not values or not all(math.isfinite(v) for v in values):
            raise ValueError(f"{where} must be a list of finite numbers, got {widget.value!r}")
        return tuple(values)
    if isinstance(widget, widgets.Checkbox):
        return bool(widget.value)
    if isinstance(widget, (widgets.IntSlider, widgets.BoundedIntText)):
        return int(widget.value)
    return float(widget.value)


def write_widget(widget: widgets.Widget, value: Any) -> None:
    """Show ``value`` in a :func:`param_widget`."""
    widget.value = _format_tuple(value) if isinstance(widget, widgets.Text) else value


def set_range(slider: widgets.Widget, lo: float, hi: float, value: float) -> None:
    """Set a float slider's range and value in an order that never trips its validation."""
    lo, hi = min(lo, value), max(hi, value)
    if lo > slider.max:
        slider.max = hi
        slider.min = lo
    else:
        slider.min = lo
        slider.max = hi
    slider.step = (hi - lo) / 400
    slider.value = value


class _ParamGroup:
    """The controls of one surface's or schedule's parameters, made once per name."""

    def __init__(self, box: widgets.Box, on_change: Callable) -> None:
        self.box = box
        self._made: dict[str, dict[str, widgets.Widget]] = {}
        self._on_change = on_change

    def controls(self, name: str, specs: Mapping[str, ParamSpec]) -> dict[str, widgets.Widget]:
        if name not in self._made:
            made = {k: param_widget(s, k.replace("_", " "), continuous=False)
                    for k, s in specs.items()}
            for w in made.values():
                w.observe(self._on_change, names="value")
            self._made[name] = made
        return self._made[name]


# --------------------------------------------------------------------------- the controls

class ExplorerControls:
    """Every widget of the explorer, and the settings they hold.

    ``on_change`` observes the widgets made later (a surface's or schedule's parameters);
    the app observes the others itself. The optimizers offered are those registered when
    the controls are built (:func:`course_utils.optimizers.names`).
    """

    def __init__(self, on_change: Callable[[Any], None]) -> None:
        W = widgets
        self._on_change = on_change
        self.names = _optimizers.names()
        self.specs = {n: optimizer_specs(n) for n in self.names}
        self.header = W.HTML()
        self.surface_dropdown = W.Dropdown(options=_surfaces.names(), value="ravine",
                                           description="surface", style=_STYLE,
                                           layout=_layout())
        self._surfaces = _ParamGroup(W.VBox(), self._on_change)
        self.surface_controls: dict[str, widgets.Widget] = {}
        self.optimizer_checks = {
            n: W.Checkbox(value=False, description=label(n), indent=False,
                          layout=W.Layout(width="auto"))
            for n in self.names}
        self.sliders = {n: {p: param_widget(s, param_label(n, p), continuous=True)
                            for p, s in self.specs[n].items()} for n in self.names}
        self.hyper_accordion = W.Accordion()
        self.steps_slider = W.IntSlider(value=200, min=0, max=MAX_STEPS, description="steps",
                                        continuous_update=False, style=_STYLE, layout=_layout())
        self.start_sliders = tuple(
            W.FloatSlider(description=f"start {axis}", continuous_update=False, style=_STYLE,
                          layout=_layout(), readout_format=".3g") for axis in "xy")
        self.tol_slider = W.FloatLogSlider(value=1e-6, base=10, min=-12, max=0, step=0.5,
                                           description="tolerance", readout_format=".0e",
                                           style=_STYLE, layout=_layout())
        self._build_gradient_controls()
        self.play = W.Play(value=0, min=0, max=200, step=1, interval=100, description="play",
                           show_repeat=False)
        self.step_slider = W.IntSlider(value=0, min=0, max=200, description="step",
                                       continuous_update=True, layout=W.Layout(width="360px"))
        self._play_link = W.link((self.play, "value"), (self.step_slider, "value"))
        # stable CSS classes for the browser tests and for custom styling
        self.play.add_class("cu-explorer-play")
        self.step_slider.add_class("cu-explorer-step")
        self.speed = W.Dropdown(options=list(SPEEDS), value="normal", description="speed",
                                layout=W.Layout(width="170px"),
                                style={"description_width": "45px"})
        self.inspect_dropdown = W.Dropdown(description="inside", layout=W.Layout(width="230px"),
                                           style={"description_width": "45px"})
        self.presenter_toggle = W.ToggleButton(value=False, description="presenter",
                                               icon="desktop",
                                               tooltip="larger figure and fonts for a projector",
                                               layout=W.Layout(width="110px"))
        self._build_phase_and_setup_controls()
        self.message = W.HTML()
        self.table = W.HTML()
        self.inside = W.HTML()
        self.image = W.Image(format="png", layout=W.Layout(width="100%", max_width="1100px",
                                                           height="auto"))
        self.image.add_class("cu-explorer-image")
        self.phase_image = W.Image(format="png", layout=W.Layout(
            width="100%", max_width="560px", height="auto", display="none"))

    def _build_gradient_controls(self) -> None:
        W = widgets
        self.noise_check = W.Checkbox(value=False, description="gradient noise", indent=False)
        self.noise_stddev = W.FloatLogSlider(value=1.0, base=10, min=-3, max=2, step=0.05,
                                             description="σ of one example",
                                             readout_format=".3g", style=_STYLE,
                                             layout=_layout())
        self.noise_batch = W.SelectionSlider(options=list(BATCH_SIZES), value=16,
                                             description="batch size", style=_STYLE,
                                             layout=_layout())
        self.noise_seed = W.BoundedIntText(value=0, min=0, max=2**31 - 1, description="seed",
                                           style=_STYLE, layout=_layout())
        self.clip_mode = W.ToggleButtons(options=[("none", "none"), ("by value", "value"),
                                                  ("by norm", "norm")], value="none",
                                         description="clipping", style={
                                             "description_width": "60px",
                                             "button_width": "80px"})
        self.clip_threshold = W.FloatLogSlider(value=1.0, base=10, min=-3, max=3, step=0.05,
                                               description="threshold", readout_format=".3g",
                                               style=_STYLE, layout=_layout())
        self.schedule_dropdown = W.Dropdown(
            options=[("none", "none")] + [(s.replace("_", " "), s)
                                          for s in _schedules.names()],
            value="none", description="lr schedule", style=_STYLE, layout=_layout())
        self._schedules = _ParamGroup(W.VBox(), self._on_change)
        self.schedule_controls: dict[str, widgets.Widget] = {}

    def _build_phase_and_setup_controls(self) -> None:
        W = widgets
        self.phase_check = W.Checkbox(value=False, description="show the phase diagram",
                                      indent=False)
        self.phase_metric = W.Dropdown(options=[("steps to tolerance", "steps_to_tol"),
                                                ("final loss", "final_loss"),
                                                ("diverged at step", "diverged")],
                                       value="steps_to_tol", description="colour = ",
                                       style=_STYLE, layout=_layout())
        self.phase_resolution = W.IntSlider(value=64, min=16, max=160, step=8,
                                            description="resolution", continuous_update=False,
                                            style=_STYLE, layout=_layout())
        self.phase_x = W.Dropdown(description="x axis", style=_STYLE, layout=_layout())
        self.phase_y = W.Dropdown(description="y axis", style=_STYLE, layout=_layout())
        self.setup_text = W.Textarea(placeholder="setup JSON", layout=W.Layout(
            width="330px", height="180px"))
        self.save_button = W.Button(description="save setup ↓", tooltip="write app.state()")
        self.load_button = W.Button(description="load setup ↑", tooltip="restore the setup")

    def layout(self, display: widgets.Widget) -> widgets.Box:
        """The whole app as one container, with ``display`` (the figure) on the right."""
        W = widgets
        grid = W.GridBox(list(self.optimizer_checks.values()),
                         layout=W.Layout(grid_template_columns="max-content max-content",
                                         grid_gap="0 10px"))
        hr = "<hr style='margin:4px 0'>"
        tab_opt = W.VBox([W.HTML("<b>Optimizers</b>"), grid,
                          W.HTML("<b>Hyperparameters</b>"), self.hyper_accordion])
        tab_surface = W.VBox([self.surface_dropdown, self._surfaces.box, self.steps_slider,
                              *self.start_sliders, self.tol_slider])
        tab_grad = W.VBox([self.noise_check, self.noise_stddev, self.noise_batch,
                           self.noise_seed, W.HTML(hr), self.clip_mode, self.clip_threshold,
                           W.HTML(hr), self.schedule_dropdown, self._schedules.box])
        tab_phase = W.VBox([self.phase_check, self.phase_metric, self.phase_x, self.phase_y,
                            self.phase_resolution])
        tab_setup = W.VBox([W.HBox([self.save_button, self.load_button]), self.setup_text])
        self.tabs = W.Tab(children=[tab_opt, tab_surface, tab_grad, tab_phase, tab_setup],
                          titles=["optimizers", "surface", "gradient", "phase", "setup"],
                          layout=W.Layout(width="390px"))
        bar = W.HBox([self.play, self.step_slider, self.speed, self.inspect_dropdown,
                      self.presenter_toggle], layout=W.Layout(flex_flow="row wrap"))
        self.right = W.VBox([bar, display, self.message, self.table, self.inside,
                             self.phase_image], layout=W.Layout(flex="1 1 600px", min_width="0"))
        # the style element itself takes no room
        css = W.HTML(EXPLORER_CSS, layout=W.Layout(display="none"))
        self.widget = W.VBox([css, self.header, W.HBox([self.tabs, self.right],
                                                       layout=W.Layout(flex_flow="row wrap"))])
        self.widget.add_class("cu-explorer")
        return self.widget

    # ----------------------------------------------------------------- helpers
    def enabled(self) -> list[str]:
        """The ticked optimizers, in display order."""
        return [n for n in self.names if self.optimizer_checks[n].value]

    def show_surface_controls(self, name: str, values: Mapping[str, Any]) -> None:
        """Select surface ``name`` and show its parameters' controls with ``values``."""
        specs = _surfaces.parameters(name)
        self.surface_controls = self._surfaces.controls(name, specs)
        for key, spec in specs.items():
            write_widget(self.surface_controls[key], values.get(key, spec.default))
        self.surface_dropdown.value = name
        self._surfaces.box.children = tuple(self.surface_controls.values())

    def show_schedule_controls(self, name: str, config: Mapping[str, Any] | None) -> None:
        """Select schedule ``name`` (or ``"none"``) and show its controls with ``config``."""
        self.schedule_dropdown.value = name
        if name == "none":
            self.schedule_controls = {}
            self._schedules.box.children = ()
            return
        specs = schedule_specs(name)
        self.schedule_controls = self._schedules.controls(name, specs)
        for key, spec in specs.items():
            value = spec.default if config is None else config.get(key, spec.default)
            write_widget(self.schedule_controls[key], value)
        without = [n for n in self.names if "learning_rate" not in self.specs[n]]
        self._schedules.box.children = (widgets.HTML(schedule_hint(without)),
                                        *self.schedule_controls.values())

    def set_start(self, start: Sequence[float], surf: _surfaces.Surface) -> None:
        """Start sliders over the surface's box (and a quarter more), at ``start``."""
        for slider, lim, v in zip(self.start_sliders, (surf.xlim, surf.ylim), start,
                                  strict=True):
            pad = 0.25 * (lim[1] - lim[0])
            set_range(slider, lim[0] - pad, lim[1] + pad, float(v))

    def set_step_range(self, steps: int, step: int) -> None:
        """The scrubber and Play over ``0..steps``, at ``step``."""
        for w in (self.step_slider, self.play):
            if step > w.max:
                w.max = steps
                w.value = step
            else:
                w.value = step
                w.max = steps

    def set_speed(self, speed: str) -> None:
        """Play's interval and stride for a speed of :data:`~.settings.SPEEDS`."""
        self.play.interval, self.play.step = SPEEDS[speed]

    def sync_optimizer_views(self, inspect: str | None = None) -> None:
        """The "inside" choices and the hyperparameter sections follow the ticked optimizers."""
        enabled = self.enabled()
        current = inspect if inspect is not None else self.inspect_dropdown.value
        self.inspect_dropdown.options = [(label(n), n) for n in enabled]
        new = current if current in enabled else (enabled[0] if enabled else None)
        self.inspect_dropdown.value = new
        if new != current or inspect is not None:
            self.sync_phase_axes(new, None, None)
        self.hyper_accordion.children = [widgets.VBox(list(self.sliders[n].values()))
                                         for n in enabled]
        self.hyper_accordion.titles = tuple(label(n) for n in enabled)

    def sync_phase_axes(self, name: str | None, x: str | None, y: str | None) -> None:
        """The phase diagram's axis choices: the numeric hyperparameters of ``name``."""
        if name is None:
            self.phase_x.options, self.phase_y.options = [], []
            return
        numeric = [(param_label(name, k), k) for k, s in self.specs[name].items()
                   if spec_kind(s) != "bool"]
        dx, dy = phase_axes(name)
        self.phase_x.options = numeric
        self.phase_y.options = numeric
        self.phase_x.value = x or dx
        self.phase_y.value = y or dy

    # ----------------------------------------------------------------- settings
    def write(self, state: Mapping[str, Any]) -> None:
        """Show a normalized setup (the caller holds the observers)."""
        surf = _surfaces.get(state["surface"]["name"], **state["surface"]["params"])
        self.show_surface_controls(surf.name, state["surface"]["params"])
        for n in self.names:
            entry = state["optimizers"][n]
            self.optimizer_checks[n].value = entry["enabled"]
            for key, value in entry.items():
                if key != "enabled":
                    write_widget(self.sliders[n][key], value)
        self.steps_slider.value = state["steps"]
        self.set_step_range(state["steps"], state["step"])
        self.set_start(state["start"], surf)
        self.tol_slider.value = state["tol"]
        noise = state["noise"]
        self.noise_check.value = noise["enabled"]
        self.noise_stddev.value = noise["stddev"]
        self.noise_batch.value = noise["batch_size"]
        self.noise_seed.value = noise["seed"]
        self.clip_mode.value = state["clip"]["mode"]
        self.clip_threshold.value = state["clip"]["threshold"]
        schedule = state["schedule"]
        self.show_schedule_controls("none" if schedule is None else schedule["name"], schedule)
        self.sync_optimizer_views(inspect=state["inspect"])
        phase = state["phase"]
        self.sync_phase_axes(state["inspect"], phase["x"], phase["y"])
        self.phase_check.value = phase["enabled"]
        self.phase_metric.value = phase["metric"]
        self.phase_resolution.value = phase["resolution"]
        self.speed.value = state["speed"]
        self.set_speed(state["speed"])
        self.presenter_toggle.value = state["presenter"]

    def read(self) -> dict:
        """The current settings (a normalized setup, as :func:`~.settings.normalize_state`
        returns); ``ValueError`` naming a control whose text cannot be read."""
        name = self.surface_dropdown.value
        params = {k: read_widget(self.surface_controls[k], s, f"surface parameter {k!r}")
                  for k, s in _surfaces.parameters(name).items()}
        optimizers_state = {}
        for n in self.names:
            entry: dict[str, Any] = {"enabled": bool(self.optimizer_checks[n].value)}
            for key, spec in self.specs[n].items():
                entry[key] = read_widget(self.sliders[n][key], spec, f"{n}.{key}")
            optimizers_state[n] = entry
        schedule = None
        if self.schedule_dropdown.value != "none":
            sname = self.schedule_dropdown.value
            schedule = {"name": sname}
            for key, spec in schedule_specs(sname).items():
                schedule[key] = read_widget(self.schedule_controls[key], spec,
                                            f"schedule {key}")
        return {
            "version": STATE_VERSION,
            "surface": {"name": name, "params": jsonable(params)},
            "optimizers": optimizers_state,
            "steps": int(self.steps_slider.value),
            "start": [float(s.value) for s in self.start_sliders],
            "tol": float(self.tol_slider.value),
            "noise": {"enabled": bool(self.noise_check.value),
                      "stddev": float(self.noise_stddev.value),
                      "batch_size": int(self.noise_batch.value),
                      "seed": int(self.noise_seed.value)},
            "clip": {"mode": self.clip_mode.value,
                     "threshold": float(self.clip_threshold.value)},
            "schedule": jsonable(schedule),
            "step": int(self.step_slider.value),
            "inspect": self.inspect_dropdown.value,
            "speed": self.speed.value,
            "presenter": bool(self.presenter_toggle.value),
            "phase": {"enabled": bool(self.phase_check.value),
                      "metric": self.phase_metric.value,
                      "resolution": int(self.phase_resolution.value),
                      "x": self.phase_x.value, "y": self.phase_y.value},
        }
