"""Reference solutions for notebook 05 (adaptive learning rates).

Each function performs one step in the lecture's notation (Goodfellow et al., Algorithms 8.4,
8.5 and 8.7) and works element-wise on NumPy arrays of any shape. The notebook checks them
with ``course_utils.checks.check_step``.
"""

import numpy as np


def adagrad_step(theta, r, g, learning_rate, delta):
    """AdaGrad: accumulate the squared gradient, divide by delta + sqrt(r)."""
    r = r + g * g
    theta = theta - learning_rate * g / (delta + np.sqrt(r))
    return theta, r


def rmsprop_step(theta, r, g, learning_rate, rho, delta):
    """RMSProp: decaying average of the squared gradient, divide by sqrt(delta + r)."""
    r = rho * r + (1 - rho) * g * g
    theta = theta - learning_rate * g / np.sqrt(delta + r)
    return theta, r


def adam_step(theta, s, r, t, g, learning_rate, rho1, rho2, delta):
    """Adam: both moments, bias-corrected with the step number t (from 1)."""
    s = rho1 * s + (1 - rho1) * g
    r = rho2 * r + (1 - rho2) * g * g
    s_hat = s / (1 - rho1**t)
    r_hat = r / (1 - rho2**t)
    theta = theta - learning_rate * s_hat / (np.sqrt(r_hat) + delta)
    return theta, s, r
