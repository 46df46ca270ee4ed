"""Lab 09's diagnostics of deep networks: gradient size and activation spread per layer,
distinct hidden units, the full-batch gradient norm, and what gradient clipping does."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .._validate import check_int, check_scalar
from ._runtime import keras, needs_data, tf
from .data import LabData

__all__ = ["gradient_norms", "activation_stats", "distinct_units", "full_gradient_norm",
           "clip_demo"]


def _dense_layers(model: keras.Model) -> list[keras.layers.Dense]:
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]


@needs_data
def gradient_norms(model: keras.Model, data: LabData, *, n: int = 256) -> np.ndarray:
    r"""Size of the loss gradient at each Dense layer, first layer first.

    For layer :math:`l` with kernel :math:`W_l` (:math:`N_l` entries) it returns the root mean
    square of :math:`\partial L/\partial W_l`, :math:`\|\nabla_{W_l} L\| / \sqrt{N_l}`, so that
    layers of different sizes compare; computed on the first ``n`` training images.
    """
    n = check_int("n", n, low=1)
    x = tf.constant(data.x_train[:n])
    y = tf.constant(data.y_train[:n])
    kernels = [layer.kernel for layer in _dense_layers(model)]
    with tf.GradientTape() as tape:
        loss = keras.losses.sparse_categorical_crossentropy(y, model(x, training=True))
        loss = tf.reduce_mean(loss)
    grads = tape.gradient(loss, kernels)
    return np.array([float(tf.norm(g)) / math.sqrt(int(np.prod(g.shape))) for g in grads])


@needs_data
def activation_stats(model: keras.Model, data: LabData, *, n: int = 512) -> np.ndarray:
    """Standard deviation of each hidden layer's output (after its activation) on the first
    ``n`` training images, first layer first; the output layer is left out.

    A hidden layer's output is that of its ``Dense`` layer, or of the ``Activation`` layer that
    follows its batch normalization.
    """
    n = check_int("n", n, low=1)
    h = tf.constant(data.x_train[:n])
    stds = []
    for layer in model.layers:
        h = layer(h, training=False)
        hidden_dense = (isinstance(layer, keras.layers.Dense) and layer.name != "output"
                        and layer.activation is not keras.activations.linear)
        if hidden_dense or isinstance(layer, keras.layers.Activation):
            stds.append(float(tf.math.reduce_std(h)))
    return np.array(stds)


def distinct_units(kernel: np.ndarray, *, decimals: int = 6) -> int:
    """Number of different hidden units: distinct columns of ``kernel`` (n_in, n_units)
    after rounding to ``decimals``. Units that started equal and stayed equal count once."""
    kernel = np.asarray(kernel)
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be a 2-D weight matrix, got shape {kernel.shape}")
    return int(len(np.unique(np.round(kernel.T, decimals), axis=0)))


@needs_data
def full_gradient_norm(model: keras.Model, data: LabData, *, n: int | None = None,
                       batch_size: int = 2048) -> float:
    r"""Norm of the gradient of the mean training loss over the first ``n`` training images
    (all by default), :math:`\|\nabla_\theta J(\theta)\|`, accumulated over batches."""
    batch_size = check_int("batch_size", batch_size, low=1)
    x, y = data.x_train, data.y_train
    if n is not None:
        n = check_int("n", n, low=1, high=len(x))
        x, y = x[:n], y[:n]
    variables = model.trainable_variables
    total = [tf.zeros_like(v) for v in variables]
    for i in range(0, len(x), batch_size):
        xb = tf.constant(x[i:i + batch_size])
        yb = tf.constant(y[i:i + batch_size])
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(keras.losses.sparse_categorical_crossentropy(
                yb, model(xb, training=False)))
        grads = tape.gradient(loss, variables)
        total = [a + g for a, g in zip(total, grads, strict=True)]
    return float(tf.sqrt(sum(tf.reduce_sum(tf.square(t)) for t in total))) / len(x)


def clip_demo(gradient: Sequence[float] = (0.9, 100.0), *, clipvalue: float = 1.0,
              clipnorm: float = 1.0) -> dict[str, np.ndarray]:
    """What Keras's ``clipvalue`` and ``clipnorm`` do to one gradient.

    An ``SGD(learning_rate=1.0)`` step from 0 moves a variable by minus the gradient it was
    given, so the step shows the clipped gradient. Returns ``{"gradient", "clipvalue",
    "clipnorm"}``.
    """
    clipvalue = check_scalar("clipvalue", clipvalue, low=0.0, low_open=True)
    clipnorm = check_scalar("clipnorm", clipnorm, low=0.0, low_open=True)
    g = np.asarray(gradient, dtype=np.float32)
    out = {"gradient": g}
    for key, kwargs in (("clipvalue", {"clipvalue": clipvalue}),
                        ("clipnorm", {"clipnorm": clipnorm})):
        var = keras.Variable(np.zeros_like(g))
        keras.optimizers.SGD(learning_rate=1.0, **kwargs).apply_gradients(
            [(tf.constant(g), var)])
        out[key] = -var.numpy()
    return out
