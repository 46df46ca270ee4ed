"""Helpers for the course *Optimization for Training Deep Models*.

Light on import: numpy only. The core is ``surfaces``, ``optimizers``, ``schedules`` and
``runner`` (:func:`run`, :func:`sweep`); ``plotting`` (matplotlib), ``explorer`` (ipywidgets)
and ``lab`` (Keras) build on it and are imported explicitly. See ``docs/architecture.md``.
"""

from . import optimizers, schedules, surfaces
from .mnist import load_mnist
from .optimizers import chain, clip_by_norm, clip_by_value
from .runner import SweepResult, Trajectory, run, sweep

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
