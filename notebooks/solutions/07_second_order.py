"""Reference solutions for notebook 07 (second-order methods).

Both functions take the current parameters ``theta``, the gradient ``g`` and the Hessian ``H``
at ``theta`` and return the new parameters after one full step.
"""

import numpy as np


def newton_step(theta, g, H):
    """Newton: solve H s = g (never invert H explicitly), then step to theta - s."""
    s = np.linalg.solve(H, g)
    return theta - s


def saddle_free_newton_step(theta, g, H):
    """Saddle-free Newton: theta - |H|^{-1} g with |H| = Q |Lambda| Q^T."""
    eigenvalues, vectors = np.linalg.eigh(H)
    coordinates = vectors.T @ g
    return theta - vectors @ (coordinates / np.abs(eigenvalues))
