"""Reference solution for notebook 10 (the optimizers since the lecture).

One step of AdamW in the lecture's notation (Goodfellow et al., Algorithm 8.7 for Adam, plus
Loshchilov & Hutter's decoupled weight decay), on NumPy arrays of any shape. The notebook checks
it with ``course_utils.checks.check_step(adamw_step, "adamw")``.
"""

import numpy as np


def adamw_step(theta, s, r, t, g, learning_rate, rho1, rho2, delta, weight_decay):
    """AdamW: Adam's step from the loss gradient g, and the decay of the theta given."""
    s = rho1 * s + (1 - rho1) * g
    r = rho2 * r + (1 - rho2) * g * g
    s_hat = s / (1 - rho1**t)
    r_hat = r / (1 - rho2**t)
    decay = learning_rate * weight_decay * theta
    theta = theta - decay - learning_rate * s_hat / (np.sqrt(r_hat) + delta)
    return theta, s, r
