"""Helpers for the course *Optimization for Training Deep Models*.

Light on import: numpy only. Plotting, widgets and Keras helpers live in the submodules
``course_utils.plotting``, ``course_utils.widgets`` and ``course_utils.keras_utils``.
"""

from . import optimizers, schedules, surfaces
from . import run as _run_module
from .mnist import load_mnist
from .optimizers import chain, clip_by_norm, clip_by_value
from .run import SweepResult, Trajectory, run, sweep

__all__ = [
    "optimizers",
    "schedules",
    "surfaces",
    "load_mnist",
    "chain",
    "clip_by_norm",
    "clip_by_value",
    "run",
    "sweep",
    "Trajectory",
    "SweepResult",
]
__version__ = "0.1.0"
del _run_module


def __getattr__(name: str):
    """Heavy helpers load on first use: ``course_utils.keras_setup()`` imports TensorFlow."""
    if name == "keras_setup":
        from .keras_utils import keras_setup

        return keras_setup
    raise AttributeError(f"module 'course_utils' has no attribute {name!r}")
