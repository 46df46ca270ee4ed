"""Run real ``keras.optimizers`` in float64 on a quadratic, for comparison with our steppers."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402


def random_quadratic(dim: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A random positive-definite quadratic ``f(x) = x^T A x / 2 + b^T x`` and a start point."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
    eigenvalues = np.geomspace(0.1, 5.0, dim)
    a = (q * eigenvalues) @ q.T
    b = rng.standard_normal(dim)
    x0 = rng.standard_normal(dim) * 2.0
    return a, b, x0


def keras_trajectory(keras_opt, a: np.ndarray, b: np.ndarray, x0: np.ndarray, steps: int
                     ) -> np.ndarray:
    """Apply ``keras_opt`` for ``steps`` updates to a float64 variable; return all iterates."""
    import keras

    var = keras.Variable(x0.copy(), dtype="float64")
    out = [x0.copy()]
    for _ in range(steps):
        x = np.asarray(var.numpy())
        grad = keras.ops.convert_to_tensor(a @ x + b, dtype="float64")
        keras_opt.apply_gradients([(grad, var)])
        out.append(np.asarray(var.numpy()).copy())
    return np.array(out)


def our_trajectory(opt, a: np.ndarray, b: np.ndarray, x0: np.ndarray, steps: int) -> np.ndarray:
    """The same run with a ``course_utils`` stepper (gradient at the current point)."""
    x = x0.copy()
    state = opt.init(x)
    out = [x.copy()]
    for _ in range(steps):
        updates, state = opt.update(x @ a + b, state, x)  # a is symmetric
        x = x + updates
        out.append(x.copy())
    return np.array(out)
