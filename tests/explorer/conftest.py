"""Fixtures of the explorer tests: the figures draw on Agg canvases, never on a screen."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from course_utils import explorer  # noqa: E402


@pytest.fixture
def app():
    """SGD, momentum and Adam on the ravine, 60 steps."""
    return explorer.explore("ravine", ("sgd", "momentum", "adam"), steps=60)
