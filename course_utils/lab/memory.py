"""Memory of training a network: parameters, weights, gradients, activations and each
optimizer's state, measured on a real Keras model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .._validate import check_int
from ._runtime import keras, tf

__all__ = ["parameter_count", "OptimizerMemory", "MemoryReport", "memory_report"]


def parameter_count(layer_sizes: Sequence[int]) -> int:
    r"""Weights and biases of a fully connected network with these layer widths.

    :math:`\sum_l (n_{l-1} n_l + n_l)`; the lecture's example
    ``parameter_count([784, 32, 20, 10])`` is
    :math:`784\cdot32+32+32\cdot20+20+20\cdot10+10 = 25{,}990`.
    """
    sizes = [check_int("layer_sizes[i]", s, low=1) for s in layer_sizes]
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes needs at least an input and an output width, got {sizes}")
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=False))


#: The lecture's words for weights + gradients + state, by slots of state per parameter.
_LECTURE_RULE = {0: "2x: weights + gradients", 1: "3x: 'triples' the layer",
                 2: "4x: 'quadruples' the layer"}


@dataclass(frozen=True)
class OptimizerMemory:
    """The state one optimizer keeps for a model (a row of :class:`MemoryReport`).

    Attributes
    ----------
    name : str
    state_floats : int
        Numbers of per-parameter state (velocity, moments, accumulators).
    slots : float
        ``state_floats`` / parameters: 0 for SGD, 1 for momentum, 2 for Adam.
    state_bytes : int
    scalar_names : tuple of str
        The optimizer's scalar variables (``iteration``, ``learning_rate``, ...), which do not
        grow with the model.
    """

    name: str
    state_floats: int
    slots: float
    state_bytes: int
    scalar_names: tuple[str, ...]

    @property
    def scalars(self) -> int:
        """Number of scalar variables."""
        return len(self.scalar_names)

    @property
    def total_multiple(self) -> float:
        """Weights + gradients + state, in multiples of the weights."""
        return 2 + self.slots

    @property
    def lecture(self) -> str:
        """The lecture's wording of that multiple ("3x: 'triples' the layer"), if it has one."""
        return _LECTURE_RULE.get(round(self.slots), "")


@dataclass(frozen=True)
class MemoryReport:
    """Bytes of weights, gradients, activations and each optimizer's state (see
    :func:`memory_report`); ``rows`` holds one :class:`OptimizerMemory` per optimizer."""

    n_params: int
    weight_bytes: int
    gradient_bytes: int
    activation_bytes: int
    batch_size: int
    rows: tuple[OptimizerMemory, ...]

    def __str__(self) -> str:
        width = max([10, *(len(r.name) for r in self.rows)])
        out = [
            f"parameters: {self.n_params:,} -> weights {self.weight_bytes:,} bytes, "
            f"gradients {self.gradient_bytes:,} bytes (measured)",
            f"activations kept for backpropagation, batch of {self.batch_size}: "
            f"{self.activation_bytes:,} bytes (measured)",
            "",
            f"{'optimizer':<{width}} {'state floats':>12} {'x params':>8} {'state bytes':>12} "
            f"{'scalars':>7}  {'weights+grads+state':>19}  lecture",
        ]
        for r in self.rows:
            out.append(f"{r.name:<{width}} {r.state_floats:>12,} {r.slots:>8.4g} "
                       f"{r.state_bytes:>12,} {r.scalars:>7}  "
                       f"{r.total_multiple:>18.4g}x  {r.lecture}")
        return "\n".join(out)


def memory_report(model: keras.Model, optimizers: Mapping[str, keras.optimizers.Optimizer],
                  *, batch_size: int = 128) -> MemoryReport:
    """Measure the memory of training ``model`` with each optimizer.

    * weights: ``model.trainable_variables``; gradients: one real ``tf.GradientTape`` gradient
      on a batch of zeros (same shapes, same bytes);
    * activations: the outputs of every layer for one batch of ``batch_size`` (what
      backpropagation keeps), measured by running the layers;
    * optimizer state: ``optimizer.variables`` after ``optimizer.build`` on the model's
      weights. Variables shaped like a weight are *per-parameter* state (velocity, moments,
      accumulators); the rest are scalars (``iteration``, ``learning_rate``, Nadam's
      ``u_product``), listed apart because they do not grow with the model.

    ``slots`` = state floats / parameters; the lecture's rule counts weights + gradients +
    state: SGD 2x, momentum / AdaGrad / RMSProp 3x ("triple"), Adam / Adadelta 4x
    ("quadruple").
    """
    batch_size = check_int("batch_size", batch_size, low=1)
    variables = model.trainable_variables
    n_params = int(sum(int(np.prod(v.shape)) for v in variables))
    weight_bytes = int(sum(int(np.prod(v.shape)) * np.dtype(v.dtype).itemsize for v in variables))
    input_shape = (batch_size, *model.inputs[0].shape[1:])
    x = tf.zeros(input_shape)
    y = tf.zeros((batch_size,), dtype=tf.int32)
    with tf.GradientTape() as tape:
        out = model(x, training=True)
        loss = keras.losses.sparse_categorical_crossentropy(y, out)
    grads = tape.gradient(loss, variables)
    gradient_bytes = int(sum(g.numpy().nbytes for g in grads))
    activation_bytes = int(x.numpy().nbytes)
    h = x
    for layer in model.layers:
        h = layer(h, training=True)
        activation_bytes += int(h.numpy().nbytes)
    shapes = {tuple(v.shape) for v in variables}
    rows = []
    for name, opt in optimizers.items():
        opt.build(variables)
        per_param = [v for v in opt.variables if tuple(v.shape) in shapes and len(v.shape)]
        scalars = [v for v in opt.variables if not (tuple(v.shape) in shapes and len(v.shape))]
        floats = int(sum(int(np.prod(v.shape)) for v in per_param))
        nbytes = int(sum(int(np.prod(v.shape)) * np.dtype(v.dtype).itemsize for v in per_param))
        rows.append(OptimizerMemory(name, floats, floats / n_params, nbytes,
                                    tuple(v.name for v in scalars)))
    return MemoryReport(n_params, weight_bytes, gradient_bytes, activation_bytes, batch_size,
                        tuple(rows))
