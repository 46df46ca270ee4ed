"""Façade: the old import path of the loss landscapes, now :mod:`course_utils.lab.landscape`.

``from course_utils import landscape`` keeps working with every public name it had. New code:
``from course_utils import lab`` and ``lab.landscape.interpolate(...)``.
"""

from .lab.landscape import (
    LossEvaluator,
    LossSlice,
    PCADirections,
    WeightRecorder,
    Weights,
    flatten,
    get_weights,
    interpolate,
    loss_surface,
    pca_directions,
    pca_slice,
    plot_interpolation,
    plot_slice,
    random_direction,
    random_slice,
    unflatten,
)

__all__ = [
    "Weights",
    "WeightRecorder",
    "PCADirections",
    "get_weights",
    "flatten",
    "unflatten",
    "random_direction",
    "pca_directions",
    "LossEvaluator",
    "interpolate",
    "loss_surface",
    "LossSlice",
    "random_slice",
    "pca_slice",
    "plot_interpolation",
    "plot_slice",
]
