"""Old import path of the explorer: a façade over :mod:`course_utils.explorer`.

New code imports ``from course_utils import explorer`` (``widgets`` usually names
ipywidgets). Every name that ``course_utils.widgets`` offered still works here.
"""

from .explorer import (
                       LABELS,
                       STATE_VERSION,
                       Explorer,
                       PhaseDiagram,
                       Race,
                       demo_hyperparameters,
                       explore,
                       normalize_state,
                       phase_diagram,
                       race,
                       surface3d,
)
from .explorer.steppers import ScaledSchedule, make_transform
from .explorer.steppers import make_stepper as make_optimizer

__all__ = [
    "explore",
    "Explorer",
    "race",
    "Race",
    "phase_diagram",
    "PhaseDiagram",
    "surface3d",
    "demo_hyperparameters",
    "make_optimizer",
    "make_transform",
    "ScaledSchedule",
    "normalize_state",
    "LABELS",
    "STATE_VERSION",
]
