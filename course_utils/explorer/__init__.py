"""The trajectory explorer, optimizer races, phase diagrams and 3-D views (ipywidgets +
matplotlib).

* :func:`explore` returns an :class:`Explorer`, the interactive app; its computations are a
  headless :class:`ExplorerModel` (``app.model``).
* :func:`race` animates several optimizers together (:class:`Race`).
* :func:`phase_diagram` maps an outcome over a grid of two hyperparameters in one vectorized
  sweep (:class:`PhaseDiagram`).
* :func:`surface3d` draws a surface in 3-D with paths on it.

Every optimizer registered with :func:`course_utils.optimizers.register` and every surface
registered with :func:`course_utils.surfaces.register` appears in all of them: labels, looks,
demo learning rates and phase-diagram axes come from ``optimizers.info(name)``.
"""

from .app import Explorer, explore
from .model import ExplorerModel
from .phase import PhaseDiagram, phase_diagram
from .race import Race, race
from .settings import STATE_VERSION, demo_hyperparameters, normalize_state
from .styles import LABELS
from .surface3d import surface3d

__all__ = [
    "explore",
    "Explorer",
    "ExplorerModel",
    "race",
    "Race",
    "phase_diagram",
    "PhaseDiagram",
    "surface3d",
    "demo_hyperparameters",
    "normalize_state",
    "STATE_VERSION",
    "LABELS",
]
