"""Shared helpers of the explorer tests: what a path should be, computed with ``run``."""

from __future__ import annotations

import numpy as np

from course_utils import optimizers, run
from course_utils.explorer import demo_hyperparameters

PNG = b"\x89PNG\r\n\x1a\n"


def line_xy(line) -> np.ndarray:
    """The (x, y) data of a matplotlib line as an (n, 2) array."""
    x, y = line.get_data()
    return np.column_stack([np.asarray(x, float), np.asarray(y, float)])


def expected_run(name, surface, hyper, steps, start=None, **kwargs):
    """``course_utils.run`` of optimizer ``name`` with ``hyper``: what the explorer must draw."""
    opt = optimizers.get(name, **hyper)
    return run(opt, surface, surface.start if start is None else start, steps, **kwargs)


def demo(surface_name, name, **changes):
    """The explorer's demo hyperparameters of ``name`` on a surface, with ``changes``."""
    return {**demo_hyperparameters(surface_name, name), **changes}


def shown_png(app) -> bytes:
    """The frame the app shows as PNG: the image widget's, or the canvas twin's rendering."""
    if app.view.backend == "image":
        return bytes(app.image.value)
    return app.render()


def canvas_rows(app) -> dict:
    """The canvas's "inside" rows as ``{label: (steps + 1, 2) float32 array}``."""
    return {row["label"]: np.frombuffer(row["values"], "<f4").reshape(-1, 2)
            for row in app.view.widget.inside["rows"]}
