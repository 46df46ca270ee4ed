"""The trajectory explorer app: controls, model and view wired together.

:func:`explore` returns an :class:`Explorer`: one ipywidgets app with every registered
optimizer on every registered surface, live sliders for all hyperparameters, gradient noise,
clipping, learning-rate schedules, a Play button and step scrubber, an "inside the optimizer"
view, the curvature along the path and an optional phase diagram. ``app.state()`` is the
whole setup as JSON, and ``explore(config=...)`` restores it exactly.

A change flows one way: a widget's observer reads the settings from the controls
(:class:`~.controls.ExplorerControls`), the model (:class:`~.model.ExplorerModel`) reruns what
changed, the view (:class:`~.view.ExplorerView`) updates its artists and renders a PNG, and
the HTML parts (:mod:`.html`) are refreshed. Observers are silenced while the app itself sets
several widgets (``_hold``); an exception in a callback becomes a message in the app.

Two views draw the same model. By default the browser draws (:class:`~.canvas.CanvasView`,
an anywidget canvas): the kernel sends the paths as numbers once per change, and Play, the step
scrubber and hovering run in the browser without any kernel message. ``backend="image"`` draws
each frame with matplotlib in the kernel and ships a PNG (:class:`~.view.ExplorerView`). With
the canvas, ``snapshot()``, ``render()`` and the matplotlib artists (``app.figure``,
``app.lines``, ...) come from a matplotlib view of the same model, brought up to date when
they are asked for.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from .. import surfaces as _surfaces
from ..runner import Trajectory
from . import html
from .controls import ExplorerControls, set_range, write_widget
from .display import Display
from .inside import InsideSeries
from .model import ExplorerModel
from .paths import PathData
from .race import Race
from .settings import (
    demo_hyperparameters,
    initial_setup,
    normalize_state,
    parse_config,
    setup_json,
)
from .view import ExplorerView, auto_backend, figure_size, phase_png

__all__ = ["BACKENDS", "Explorer", "explore"]

#: The explorer's views: drawn in the browser (canvas), PNGs from matplotlib (image), ipympl.
BACKENDS = ("auto", "canvas", "image", "ipympl")


def _guarded(method: Callable) -> Callable:
    """Run a callback; any exception becomes a short message in the app, never a traceback."""

    @functools.wraps(method)
    def wrapper(self: Explorer, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # shown in place: the app must keep working
            self._show_error(exc)
            return None

    return wrapper


#: Attributes of the app that are its controls' (``app.sliders`` is ``app.controls.sliders``).
CONTROL_ATTRIBUTES = (
    "header", "surface_dropdown", "surface_controls", "optimizer_checks", "sliders",
    "steps_slider", "start_sliders", "tol_slider", "noise_check", "noise_stddev", "noise_batch",
    "noise_seed", "clip_mode", "clip_threshold", "schedule_dropdown", "schedule_controls",
    "play", "step_slider", "speed", "inspect_dropdown", "presenter_toggle", "phase_check",
    "phase_metric", "phase_resolution", "phase_x", "phase_y", "setup_text", "save_button",
    "load_button", "message", "table", "inside", "image", "phase_image", "tabs", "widget")
#: Attributes of the app that are its view's (``app.lines`` is ``app.view.lines``).
VIEW_ATTRIBUTES = (
    "figure", "ax_map", "ax_loss", "ax_grad", "ax_cond", "ax_eff", "lines", "starts", "points",
    "crosses", "loss_lines", "grad_lines", "cond_lines", "loss_crosses", "eff_lines",
    "base_lr_line", "cursors", "eigen", "velocity_arrow", "step_arrow", "lookahead",
    "step_text", "contours")


class Explorer:
    """The trajectory explorer app (build it with :func:`explore`).

    Every control is an attribute, so a notebook or a test can drive the app by setting
    ``.value`` on it, exactly as a student's click does:

    ``surface_dropdown``, ``surface_controls[param]``, ``optimizer_checks[name]``,
    ``sliders[name][param]``, ``steps_slider``, ``start_sliders`` (x, y), ``tol_slider``,
    ``noise_check``, ``noise_stddev``, ``noise_batch``, ``noise_seed``, ``clip_mode``,
    ``clip_threshold``, ``schedule_dropdown``, ``schedule_controls[param]``, ``play``,
    ``step_slider``, ``speed``, ``inspect_dropdown``, ``presenter_toggle``, ``phase_check``,
    ``phase_metric``, ``phase_resolution``, ``phase_x``, ``phase_y``, ``setup_text``.

    Output: ``image`` (the rendered figure), ``message`` (problems and notes, in place),
    ``table`` (per optimizer: final loss, steps to the tolerance, divergence), ``inside`` (the
    inspected optimizer's state at the current step), ``phase_image``. The matplotlib
    ``figure`` and its artists: ``lines[name]`` (paths), ``points[name]`` (current points),
    ``crosses[name]`` (✕ of diverged paths), ``loss_lines``, ``grad_lines``, ``cond_lines``,
    ``eff_lines`` (x, y), ``step_arrow``, ``velocity_arrow``, ``lookahead``, ``eigen``.
    ``widget`` is the whole app as one ipywidgets container.

    The three parts are public too: ``controls`` (:class:`~.controls.ExplorerControls`),
    ``model`` (:class:`~.model.ExplorerModel`: ``app.model.compute(settings)`` runs without
    any widget) and ``view`` (:class:`~.view.ExplorerView`: ``app.view.render()``).
    """

    def __init__(self, surface: Any = "ravine",
                 optimizers: Sequence[str] = ("sgd", "momentum", "adam"), *,
                 config: Any = None, presenter: bool | None = None, backend: str = "auto",
                 **initial: Any) -> None:
        self.last_error: Exception | None = None
        self._holding = 0
        self._notes: list[str] = []
        self._phase_shown: tuple | None = None
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(map(repr, BACKENDS))}, "
                             f"got {backend!r}")
        self._backend = auto_backend() if backend == "auto" else backend
        state = normalize_state(initial_setup(surface, optimizers, config, presenter, initial))
        self.model = ExplorerModel()
        self.controls = ExplorerControls(self._on_change)
        self._presenter = state["presenter"]
        surf = _surfaces.get(state["surface"]["name"], **state["surface"]["params"])
        self.display = Display(self._backend, self.controls, presenter=self._presenter,
                               size=figure_size(surf, self._presenter), on_click=self._on_click,
                               on_start_request=self._on_start_request)
        self._apply_state(state, update=False)
        self._connect()
        self.controls.layout(self.display.widget())
        self.display.attach()
        self._update()

    # ----------------------------------------------------------------- parts
    @property
    def view(self) -> Any:
        """The view that draws the app (:class:`~.canvas.CanvasView` by default)."""
        return self.display.view

    def _figure_view(self) -> ExplorerView:
        """The matplotlib view: the app's own, or the canvas's twin brought up to date."""
        def show(twin: ExplorerView) -> None:
            twin.set_surface(self.model.surface, self.model.surface_key)
            self._show(twin, self.controls.read(), int(self.controls.step_slider.value))

        return self.display.figure_view(figure_size(self.model.surface, self._presenter), show)

    def _show(self, view: Any, settings: dict, k: int) -> None:
        """Show the cached paths of ``settings`` on ``view``, at step ``k``."""
        paths = self._paths()
        name = settings["inspect"]
        series = self.model.inside(name) if name in paths else None
        view.show(paths, settings["steps"], None if series is None else (name, series))
        view.show_step(k, settings["steps"], paths, self.model.surface,
                       None if series is None else (paths[name], series))

    def _connect(self) -> None:
        c = self.controls

        def on(widget: widgets.Widget, handler: Callable) -> None:
            widget.observe(handler, names="value")

        on(c.surface_dropdown, self._on_surface_name)
        for n in c.names:
            on(c.optimizer_checks[n], self._on_toggle)
            for w in c.sliders[n].values():
                on(w, self._on_change)
        for w in (*c.start_sliders, c.tol_slider, c.noise_check, c.noise_stddev, c.noise_batch,
                  c.noise_seed, c.clip_mode, c.clip_threshold, c.phase_check, c.phase_metric,
                  c.phase_resolution, c.phase_x, c.phase_y):
            on(w, self._on_change)
        on(c.steps_slider, self._on_steps)
        on(c.step_slider, self._on_step)
        on(c.schedule_dropdown, self._on_schedule_name)
        on(c.inspect_dropdown, self._on_inspect)
        on(c.speed, self._on_speed)
        on(c.presenter_toggle, self._on_presenter)
        c.save_button.on_click(self._on_save)
        c.load_button.on_click(self._on_load)

    # ----------------------------------------------------------------- observers
    @contextlib.contextmanager
    def _hold(self) -> Iterator[None]:
        """Silence the observers while the app sets several widgets itself."""
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1

    def _on_change(self, change: Any = None) -> None:
        if not self._holding:
            self._update()

    @_guarded
    def _on_surface_name(self, change: Any) -> None:
        if self._holding:
            return
        name = change["new"]
        surf = _surfaces.get(name)
        c = self.controls
        with self._hold():
            c.show_surface_controls(name, {})
            c.set_start(surf.start, surf)
            for n in c.names:
                for key, value in demo_hyperparameters(name, n).items():
                    write_widget(c.sliders[n][key], value)
        self._update()

    @_guarded
    def _on_toggle(self, change: Any) -> None:
        if self._holding:
            return
        with self._hold():
            self.controls.sync_optimizer_views()
        self._update()

    @_guarded
    def _on_steps(self, change: Any) -> None:
        if self._holding:
            return
        old, new = change["old"], change["new"]
        step = self.controls.step_slider.value
        with self._hold():
            self.controls.set_step_range(new, new if step >= old else min(step, new))
        self._update()

    @_guarded
    def _on_step(self, change: Any) -> None:
        if not self._holding:
            self._update_step()

    @_guarded
    def _on_schedule_name(self, change: Any) -> None:
        if self._holding:
            return
        with self._hold():
            self.controls.show_schedule_controls(change["new"], None)
        self._update()

    @_guarded
    def _on_inspect(self, change: Any) -> None:
        if self._holding:
            return
        with self._hold():
            self.controls.sync_phase_axes(change["new"], None, None)
        self._update()

    def _on_speed(self, change: Any) -> None:
        self.controls.set_speed(change["new"])
        self.display.set_speed(change["new"])

    @_guarded
    def _on_presenter(self, change: Any) -> None:
        if self._holding:
            return
        self._set_presenter(bool(change["new"]))
        self._update()

    def _set_presenter(self, on: bool) -> None:
        if on == self._presenter:
            return
        self._presenter = on
        self.display.set_presenter(on, figure_size(self.model.surface, on))
        self.controls.image.layout.max_width = "1400px" if on else "1100px"

    @_guarded
    def _on_save(self, button: Any = None) -> None:
        self.controls.setup_text.value = self.state()

    @_guarded
    def _on_load(self, button: Any = None) -> None:
        self.set_state(self.controls.setup_text.value)

    @_guarded
    def _on_click(self, event: Any) -> None:
        """ipympl only: a left click on the map (outside zoom/pan mode) moves the start."""
        toolbar = getattr(self.figure.canvas, "toolbar", None)
        if getattr(toolbar, "mode", "") not in ("", None):
            return
        if event.inaxes is not self.view.ax_map or event.button != 1 or event.xdata is None:
            return
        with self._hold():
            for slider, v in zip(self.controls.start_sliders, (event.xdata, event.ydata),
                                 strict=True):
                set_range(slider, slider.min, slider.max, float(v))
        self._update()

    @_guarded
    def _on_start_request(self, change: Any) -> None:
        """Canvas: a click on the map moves the start point there."""
        request = change["new"]
        if self._holding or len(request) < 2:
            return
        with self._hold():
            for slider, v in zip(self.controls.start_sliders, request[:2], strict=True):
                set_range(slider, min(slider.min, float(v)), max(slider.max, float(v)),
                          float(v))
        self._update()

    # ----------------------------------------------------------------- state
    def _apply_state(self, state: dict, *, update: bool = True) -> None:
        with self._hold():
            self.controls.write(state)
            self._set_presenter(state["presenter"])
        if update:
            self._update()

    def state(self) -> str:
        """The whole setup as a JSON string; ``explore(config=app.state())`` restores it.

        Optimizers appear if they are enabled or their hyperparameters differ from the
        surface's demo values; the schedule is its ``to_config()``.
        """
        return setup_json(self.controls.read())

    def set_state(self, config: Any) -> None:
        """Restore a setup (JSON text or dict, as :meth:`state` writes); ``ValueError`` if bad."""
        self._apply_state(normalize_state(parse_config(config)))

    # ----------------------------------------------------------------- results
    def _paths(self) -> dict[str, PathData]:
        cached = self.model.paths
        return {n: cached[n] for n in self.controls.enabled() if n in cached}

    @property
    def trajectories(self) -> dict[str, Trajectory]:
        """``{name: Trajectory}`` of the enabled optimizers, as drawn."""
        return {n: p.trajectory for n, p in self._paths().items()}

    @property
    def surface(self) -> _surfaces.Surface | None:
        """The surface being explored."""
        return self.model.surface

    def steps_to_tol(self, name: str) -> int:
        """First step at which ``name``'s loss is within the tolerance of ``f_min`` (or -1)."""
        return self.model.steps_to_tol(name, float(self.controls.tol_slider.value))

    def inside_series(self, name: str) -> InsideSeries:
        """The "inside the optimizer" quantities of ``name`` along its path
        (:class:`~.inside.InsideSeries`)."""
        return self.model.inside(name)

    # ----------------------------------------------------------------- updating
    def _show_error(self, exc: Exception) -> None:
        self.last_error = exc
        self.controls.message.value = html.error_box(exc, self._notes)

    def _sync_surface(self, surf: _surfaces.Surface) -> None:
        """Contours and header follow the model's surface (the figure is resized if needed)."""
        if self.view.surface_key == self.model.surface_key:
            return
        self.display.fit(figure_size(surf, self._presenter))
        self.view.set_surface(surf, self.model.surface_key)
        self.controls.header.value = html.header(surf, self._presenter)

    @_guarded
    def _update(self) -> None:
        """Recompute what changed, update the artists and redraw (a slider moved)."""
        self._notes = []
        settings = self.controls.read()
        result = self.model.compute(settings)
        if self.display.is_canvas:  # surface, paths and step in one message
            with self.display.batch():
                self._sync_surface(result.surface)
                self._show(self.view, settings, int(self.controls.step_slider.value))
        else:
            self._sync_surface(result.surface)
            inspect = settings["inspect"] if settings["inspect"] in result.paths else None
            self.view.show(result.paths, settings["steps"],
                           None if inspect is None else (inspect, self.model.inside(inspect)))
        self.controls.table.value = html.results_table(result.paths, result.surface,
                                                       settings["tol"], self._presenter)
        self._update_phase(settings)
        if not self.display.is_canvas:
            self._update_step(render=False)
            self._render()
        self.last_error = None if not result.problems else ValueError(
            "; ".join(result.problems))
        self._notes = list(result.notes)
        self.controls.message.value = html.messages(result.problems, result.notes)

    def _update_step(self, render: bool = True) -> None:
        """Show every path as it is after ``step`` updates (Play and the scrubber)."""
        c = self.controls
        k = int(c.step_slider.value)
        paths = self._paths()
        name = c.inspect_dropdown.value
        inspected = (paths[name], self.model.inside(name)) if name in paths else None
        self.view.show_step(k, int(c.steps_slider.value), paths, self.model.surface, inspected)
        if self.display.is_canvas:  # the browser shows the inside table
            return
        c.inside.value = "" if inspected is None else html.inside_table(*inspected, k,
                                                                         self._presenter)
        if render:
            self._render()

    def _update_phase(self, settings: dict) -> None:
        c = self.controls
        phase, name = settings["phase"], settings["inspect"]
        if not phase["enabled"] or name is None or name not in self.model.paths:
            c.phase_image.layout.display = "none"
            return
        if c.play.playing:
            return
        c.phase_image.layout.display = None
        diagram = self.model.phase(settings)
        hyper = settings["optimizers"][name]
        mark = (hyper[phase["x"]], hyper[phase["y"]])
        if self._phase_shown is None or self._phase_shown[0] is not diagram \
                or self._phase_shown[1] != mark:
            c.phase_image.value = phase_png(diagram, mark, self._presenter)
            self._phase_shown = (diagram, mark)

    # ----------------------------------------------------------------- rendering
    def _render(self) -> None:
        png = self.view.render()
        if png is not None:
            self.controls.image.value = png

    def render(self) -> bytes:
        """Draw the current frame with matplotlib and return it as PNG bytes (with the image
        backend also shown in ``image``; with the canvas, drawn by its matplotlib twin)."""
        if self.display.is_canvas:
            return self._figure_view().render()
        self._render()
        return bytes(self.controls.image.value)

    def snapshot(self, path: str | Path | None = None) -> bytes:
        """PNG bytes of the current frame (drawn by matplotlib), also written to ``path``."""
        data = self.render() if self._backend != "ipympl" else self.view.png()
        if path is not None:
            Path(path).write_bytes(data)
        return data

    # ----------------------------------------------------------------- exports
    def race(self, *, frames: int = 60, fps: float = 12.0) -> Race:
        """The current setup as a :class:`Race` (noise, clipping and schedule left out)."""
        settings = self.controls.read()
        enabled = self.controls.enabled()
        if not enabled:
            raise ValueError("select at least one optimizer to race")
        hyper = {n: {k: v for k, v in settings["optimizers"][n].items() if k != "enabled"}
                 for n in enabled}
        return Race(self.model.surface, enabled, settings["steps"], start=settings["start"],
                    frames=frames, fps=fps, presenter=self._presenter, hyper=hyper)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        surf = self.model.surface.name if self.model.surface is not None else "?"
        return f"<Explorer {surf}: {', '.join(self.controls.enabled()) or 'no optimizer'}>"


def _forward(part: str, name: str) -> property:
    return property(lambda self: getattr(getattr(self, part), name),
                    doc=f"``self.{part}.{name}``")


for _name in CONTROL_ATTRIBUTES:
    setattr(Explorer, _name, _forward("controls", _name))
def _forward_figure(name: str) -> property:
    return property(lambda self: getattr(self._figure_view(), name),
                    doc=f"``{name}`` of the matplotlib view (with the canvas: its twin, brought "
                        "up to date)")


for _name in VIEW_ATTRIBUTES:
    setattr(Explorer, _name, _forward_figure(_name))
del _name


def explore(surface: Any = "ravine", optimizers: Sequence[str] = ("sgd", "momentum", "adam"),
            config: Any = None, **initial: Any) -> Explorer:
    """Open the trajectory explorer.

    Parameters
    ----------
    surface : a surface name (:func:`course_utils.surfaces.names`) or Surface.
    optimizers : the optimizers enabled at first (any of
        :func:`course_utils.optimizers.names`, registered ones included).
    config : a setup from :meth:`Explorer.state` (JSON text or dict) to restore exactly; then
        ``surface`` and ``optimizers`` are ignored. It is read with ``json.loads`` only; an
        unknown key or a bad value raises ``ValueError`` naming it.
    **initial : settings on top: hyperparameters per optimizer (``adam={"learning_rate":
        0.05}``, which also enables it), surface parameters by name (``condition=100``),
        ``steps``, ``start=(x, y)``, ``tol``, ``noise={...}``, ``clip={"mode": "norm",
        "threshold": 1.0}``, ``schedule={"name": "step_decay", ...}``, ``step``, ``inspect``,
        ``speed``, ``phase={...}``, ``presenter=True`` (large fonts for a projector),
        ``backend="auto" | "canvas" | "image" | "ipympl"`` (auto: the canvas, drawn in the
        browser, when anywidget is installed, else the matplotlib PNG).

    Returns
    -------
    Explorer
        Display it (last expression of a cell); ``app.state()`` gives the setup as JSON.
    """
    presenter = initial.pop("presenter", None)
    backend = initial.pop("backend", "auto")
    return Explorer(surface, optimizers, config=config, presenter=presenter, backend=backend,
                    **initial)
