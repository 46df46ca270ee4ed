"""Solutions to the exercises of notebook 01, *Learning is not pure optimization*.

The notebook imports this module with ``importlib.import_module`` (its name starts with a
digit) and runs the same checks on these functions as on the student's.
"""

from __future__ import annotations

import numpy as np


def sgd_step(theta, g, learning_rate):
    """One step of plain SGD: move against the gradient, θ ← θ − ε g."""
    return theta - learning_rate * g


def minibatch_gradient(theta, x, y, batch_size, rng):
    """Mean cross-entropy gradient of ``batch_size`` distinct random examples, shape (2,).

    For logistic regression with logit z = w x + b, one example's gradient is
    (σ(z) − y) (x, 1). Drawing without replacement makes the full batch exact.
    """
    batch = rng.choice(len(x), size=batch_size, replace=False)
    z = theta[0] * x[batch] + theta[1]
    residual = 0.5 * (1.0 + np.tanh(z / 2.0)) - y[batch]  # σ(z) − y, overflow-free
    return np.array([np.mean(residual * x[batch]), np.mean(residual)])
