"""Reference solutions for notebook 03 (SGD and learning rates).

``sgd_step`` is one update of Algorithm 8.1 (Goodfellow et al.); ``linear_decay`` is the
learning rate of eq. 8.14, linear from ``initial_learning_rate`` to ``final_learning_rate`` over
``tau`` steps and constant afterwards. The notebook checks the first with
``course_utils.checks.check_step`` and the second with ``course_utils.checks.check_schedule``.
"""


def sgd_step(theta, g, learning_rate):
    """One SGD step: move against the gradient estimate, θ − ε g."""
    return theta - learning_rate * g


def linear_decay(k, initial_learning_rate, final_learning_rate, tau):
    """Learning rate at step k: (1 − α) ε₀ + α ε_τ with α = min(k / τ, 1)."""
    alpha = min(k / tau, 1.0)
    return (1 - alpha) * initial_learning_rate + alpha * final_learning_rate
