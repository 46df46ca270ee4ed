"""Solutions to the exercises of notebook 02, *Why training deep networks is hard*.

The notebook imports this module with ``importlib.import_module`` (its name starts with a
digit) and runs the same checks on these functions as on the student's.
"""

from __future__ import annotations

import numpy as np


def clip_by_norm(g, max_norm):
    """Rescale ``g`` (shape (..., d)) so that its norm over the last axis is at most ``max_norm``.

    Gradients already shorter than ``max_norm`` are returned unchanged, so the zero gradient
    needs no division.
    """
    g = np.asarray(g, dtype=float)
    norm = np.linalg.norm(g, axis=-1, keepdims=True)
    scale = max_norm / np.maximum(norm, max_norm)  # 1 when norm <= max_norm, else v / ||g||
    return g * scale


def predicted_change(g, H, learning_rate):
    """Second-order Taylor prediction of J(θ − ε g) − J(θ): −ε gᵀg + ½ ε² gᵀHg."""
    g = np.asarray(g, dtype=float)
    return -learning_rate * (g @ g) + 0.5 * learning_rate**2 * (g @ H @ g)
