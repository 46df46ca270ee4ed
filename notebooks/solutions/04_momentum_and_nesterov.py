"""Reference solutions for notebook 04 (momentum and Nesterov momentum).

Both functions perform one step in the lecture's notation (Goodfellow et al., Algorithms 8.2
and 8.3) on NumPy arrays of any shape. The notebook checks them with
``course_utils.checks.check_step``.
"""


def momentum_step(theta, v, g, learning_rate, momentum):
    """Momentum: decay the velocity, add the gradient force, then move by the velocity."""
    v = momentum * v - learning_rate * g
    theta = theta + v
    return theta, v


def nesterov_step(theta, v, grad_fn, learning_rate, momentum):
    """Nesterov momentum: the same as momentum, with the gradient at theta + momentum * v."""
    g = grad_fn(theta + momentum * v)
    v = momentum * v - learning_rate * g
    theta = theta + v
    return theta, v
