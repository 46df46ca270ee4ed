"""Reference solution for lab 09's exercise (the scale of a layer's initial weights).

``init_std`` returns the standard deviation of a zero-mean normal initialization, Glorot's rule
for sigmoid, tanh and linear units and He's for ReLU-like units. The notebook checks it with
``course_utils.checks.deep.check_init_std``.
"""

import math


def init_std(fan_in, fan_out, activation):
    """Glorot: sigma^2 = 1/fan_avg, fan_avg = (fan_in + fan_out)/2; He: sigma^2 = 2/fan_in."""
    if activation in ("relu", "leaky_relu", "elu"):
        return math.sqrt(2 / fan_in)
    fan_avg = (fan_in + fan_out) / 2
    return math.sqrt(1 / fan_avg)
