"""The course's ten surfaces, registered in teaching order."""

from __future__ import annotations

from .._validate import ParamSpec
from .classic import _beale, _himmelblau, _ravine, _rosenbrock
from .data import _logistic
from .landscapes import _cliff, _local_minima, _plateau, _saddle, _saddle_plateau
from .registry import register

_BUILT_IN = {
    "ravine": (
        _ravine,
        {
            "condition": ParamSpec(
                20.0, 1.0, 1000.0, True, "condition number κ: steep/shallow curvature ratio"
            ),
            "angle": ParamSpec(
                0.0, -90.0, 90.0, False, "direction of the shallow axis, degrees from the x axis"
            ),
        },
    ),
    "rosenbrock": (
        _rosenbrock,
        {
            "a": ParamSpec(1.0, -1.5, 1.5, False, "minimum at (a, a²)"),
            "b": ParamSpec(100.0, 1.0, 1000.0, True, "steepness of the valley walls"),
        },
    ),
    "beale": (_beale, {}),
    "himmelblau": (_himmelblau, {}),
    "saddle": (
        _saddle,
        {
            "curvature_ratio": ParamSpec(
                1.0, 0.05, 10.0, True, "c: curvature -c along y (escape) against 1 along x"
            ),
        },
    ),
    "saddle_plateau": (
        _saddle_plateau,
        {
            "curvature": ParamSpec(
                0.05, 0.005, 0.5, True, "ε: curvature ±ε at the saddle (smaller = flatter)"
            ),
            "depth": ParamSpec(1.0, 0.1, 5.0, True, "D: depth of the two wells"),
        },
    ),
    "plateau": (
        _plateau,
        {"width": ParamSpec(1.0, 0.5, 3.0, True, "s: width of the Gaussian basin")},
    ),
    "cliff": (
        _cliff,
        {"steepness": ParamSpec(300.0, 1.0, 1000.0, True, "H: slope (and height) of the wall")},
    ),
    "local_minima": (
        _local_minima,
        {"bowl": ParamSpec(0.1, 0.0, 0.5, False, "β: curvature of the weak quadratic bowl")},
    ),
    "logistic": (
        _logistic,
        {
            "digits": ParamSpec((0, 1), 0, 9, False, "the two MNIST digits (label 0, label 1)"),
            "n_examples": ParamSpec(
                2000, 100, 11000, True, "how many examples (the first ones of the two digits)"
            ),
        },
    ),
}

for _name, (_builder, _specs) in _BUILT_IN.items():
    register(_name, _builder, parameters=_specs)
