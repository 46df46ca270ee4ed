"""Fixtures of the explorer tests: the figures draw on Agg canvases, never on a screen."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from course_utils import explorer  # noqa: E402


@pytest.fixture(params=["canvas", "image"])
def app(request):
    """SGD, momentum and Adam on the ravine, 60 steps, drawn by the browser (the default
    canvas, whose matplotlib twin gives the artists) and by matplotlib (PNG images)."""
    return explorer.explore("ravine", ("sgd", "momentum", "adam"), steps=60,
                            backend=request.param)
