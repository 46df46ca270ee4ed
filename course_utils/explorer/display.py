"""Which view draws the explorer, and where it sits in the app (:class:`Display`).

Three views draw the same model: the canvas (:class:`~.canvas.CanvasView`, drawn by the browser:
the default), the matplotlib PNG (:class:`~.view.ExplorerView` with ``backend="image"``) and
ipympl's interactive figure. With the canvas, the app's Play and scrubber widgets are hidden
(the canvas has its own, which run in the browser) and follow the canvas's step, and a
matplotlib *twin* of the canvas, brought up to date when asked for, serves ``snapshot()`` and
the matplotlib artists (``app.figure``, ``app.lines``, ...).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .controls import ExplorerControls
from .settings import SPEEDS
from .view import ExplorerView

if TYPE_CHECKING:  # imported when used: anywidget may be missing (then the PNG view)
    from .canvas import CanvasView

__all__ = ["Display"]


class Display:
    """The explorer's view for ``backend`` (``"canvas"``, ``"image"`` or ``"ipympl"``).

    ``view`` is the current view; ``widget()`` the widget that shows it in the app. Created
    before the app's layout; :meth:`attach` then fits the controls to the view.
    """

    def __init__(self, backend: str, controls: ExplorerControls, *, presenter: bool,
                 size: tuple[float, float], on_click: Callable[[Any], None],
                 on_start_request: Callable[[Any], None]) -> None:
        self.backend = backend
        self.controls = controls
        self.presenter = presenter
        self._on_click = on_click
        self._on_start_request = on_start_request
        self._twin: ExplorerView | None = None
        self.view: ExplorerView | CanvasView = self._new_view(size)

    @property
    def is_canvas(self) -> bool:
        return self.view.backend == "canvas"

    def _new_view(self, size: tuple[float, float]) -> ExplorerView | CanvasView:
        if self.backend == "canvas":
            try:
                from .canvas import CanvasView
            except ImportError as exc:
                raise ValueError("backend='canvas' needs anywidget (pip install anywidget); "
                                 "backend='image' draws PNGs without it") from exc
            view = CanvasView(self.controls.names, presenter=self.presenter)
            view.widget.observe(self._on_start_request, names="start_request")
            return view
        return ExplorerView(self.controls.names, size=size, presenter=self.presenter,
                            backend=self.backend, on_click=self._on_click)

    def widget(self) -> widgets.Widget:
        """The widget showing the view: the canvas, ipympl's canvas, or the PNG image."""
        if self.is_canvas:
            return self.view.widget
        return self.view.canvas_widget if self.backend == "ipympl" else self.controls.image

    def attach(self) -> None:
        """Canvas: hide the kernel's Play, scrubber and inside table (the browser shows its
        own) and link the scrubber's value to the canvas's step (one message when Play stops
        or a scrub ends, none per frame)."""
        if not self.is_canvas:
            return
        c = self.controls
        for w in (c.play, c.step_slider, c.inside):
            w.layout.display = "none"
        self._step_link = widgets.link((c.step_slider, "value"), (self.view.widget, "step"))
        self.set_speed(c.speed.value)

    def batch(self) -> contextlib.AbstractContextManager:
        """Send every change made inside as one message (canvas; else nothing to do)."""
        return self.view.widget.hold_sync() if self.is_canvas else contextlib.nullcontext()

    def set_speed(self, speed: str) -> None:
        """Play's speed (a key of :data:`~.settings.SPEEDS`) for the canvas's own Play."""
        if self.is_canvas:
            self.view.set_speed(*SPEEDS[speed])

    def set_presenter(self, on: bool, size: tuple[float, float]) -> None:
        """Large fonts for a projector: the canvas restyles itself; a figure is rebuilt."""
        self.presenter = on
        if self.is_canvas:
            self.view.set_presenter(on)
            return
        self._rebuild(size)

    def fit(self, size: tuple[float, float]) -> None:
        """A matplotlib figure takes the surface's size (the canvas sizes itself)."""
        if isinstance(self.view, ExplorerView) \
                and tuple(self.view.figure.get_size_inches()) != size:
            self._rebuild(size)

    def _rebuild(self, size: tuple[float, float]) -> None:
        old = self.widget()
        self.view = self._new_view(size)
        right = getattr(self.controls, "right", None)
        if right is not None and self.backend == "ipympl":
            new = self.widget()
            right.children = tuple(new if c is old else c for c in right.children)

    def figure_view(self, size: tuple[float, float],
                    show: Callable[[ExplorerView], None]) -> ExplorerView:
        """The matplotlib view: the app's own, or the canvas's twin, to which ``show``
        brings the app's current frame."""
        if isinstance(self.view, ExplorerView):
            return self.view
        twin = self._twin
        if twin is None or twin.presenter != self.presenter \
                or tuple(twin.figure.get_size_inches()) != size:
            twin = self._twin = ExplorerView(self.controls.names, size=size,
                                             presenter=self.presenter, backend="image")
        show(twin)
        return twin
