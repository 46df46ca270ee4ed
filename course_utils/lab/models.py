"""The labs' networks: fully connected classifiers and data augmentation, as Keras layers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._validate import check_int, check_scalar
from ._runtime import keras

__all__ = ["augmentation", "build_mlp", "lecture_model", "modern_model"]


# --------------------------------------------------------------------------- models


def augmentation(shift: float = 0.1, rotation_degrees: float = 10.0, *,
                 seed: int | None = None) -> keras.Sequential:
    """Random shifts and rotations of 28 x 28 images, as Keras layers (active only in training).

    Takes flattened images (784,) and returns flattened images: ``Reshape -> RandomTranslation
    -> RandomRotation -> Flatten``. ``shift`` is a fraction of the image size (0.1 = 2.8 px).
    """
    shift = check_scalar("shift", shift, low=0.0, high=0.5)
    rotation_degrees = check_scalar("rotation_degrees", rotation_degrees, low=0.0, high=180.0)
    return keras.Sequential([
        keras.layers.Reshape((28, 28, 1)),
        keras.layers.RandomTranslation(shift, shift, fill_mode="constant", seed=seed),
        keras.layers.RandomRotation(rotation_degrees / 360.0, fill_mode="constant", seed=seed),
        keras.layers.Flatten(),
    ], name="augmentation")


def build_mlp(hidden: Sequence[int] = (32,), *, activation: str = "sigmoid",
              kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
              batch_norm: bool = False, dropout: float = 0.0, input_dropout: float = 0.0,
              kernel_regularizer: Any = None, kernel_constraint: Any = None,
              augment: keras.layers.Layer | None = None, bn_momentum: float = 0.9,
              input_dim: int = 784, n_classes: int = 10, seed: int | None = 0,
              name: str = "mlp") -> keras.Sequential:
    """A fully connected classifier: ``input_dim -> hidden... -> n_classes`` softmax.

    Parameters
    ----------
    hidden : sequence of int, each >= 1
        Widths of the hidden layers.
    activation : str
        Any Keras activation name: ``sigmoid``, ``tanh``, ``relu``, ``leaky_relu``, ``elu`` ...
    kernel_initializer, bias_initializer : str or keras initializer
        For the hidden layers and the output layer.
    batch_norm : bool
        Insert ``BatchNormalization`` between each hidden ``Dense`` and its activation (the
        lecture's place: just before the activation); the Dense then has no bias, since BN's
        shift :math:`\\beta` plays that role. ``bn_momentum`` is the momentum of BN's running
        mean and variance used at test time (0.9 rather than Keras's 0.99, so that the short
        runs of the lab already have good running statistics).
    dropout, input_dropout : float in [0, 1)
        Dropout rate after each hidden layer / on the inputs.
    kernel_regularizer, kernel_constraint
        Passed to every hidden ``Dense`` (e.g. ``keras.regularizers.L2(1e-3)``,
        ``keras.constraints.MaxNorm(2.0)``).
    augment : keras layer, optional
        Put first (e.g. :func:`augmentation`); Keras runs it only while training.
    seed : int or None
        Seeds ``keras.utils.set_random_seed`` before the weights are drawn, so the same seed
        gives the same initial weights. None draws from the current random state.
    name : str

    Returns
    -------
    keras.Sequential
        Built (weights exist), not compiled. The output layer is float32 even under mixed
        precision.
    """
    hidden = [check_int("hidden[i]", h, low=1) for h in hidden]
    dropout = check_scalar("dropout", dropout, low=0.0, high=0.99)
    bn_momentum = check_scalar("bn_momentum", bn_momentum, low=0.0, high=0.9999)
    input_dropout = check_scalar("input_dropout", input_dropout, low=0.0, high=0.99)
    input_dim = check_int("input_dim", input_dim, low=1)
    n_classes = check_int("n_classes", n_classes, low=2)
    if seed is not None:
        keras.utils.set_random_seed(check_int("seed", seed, low=0, high=2**32 - 1))
    layers: list[keras.layers.Layer] = [keras.Input((input_dim,))]
    if augment is not None:
        layers.append(augment)
    if input_dropout:
        layers.append(keras.layers.Dropout(input_dropout))
    for i, width in enumerate(hidden, start=1):
        common = {"kernel_initializer": keras.initializers.get(kernel_initializer),
                  "bias_initializer": keras.initializers.get(bias_initializer),
                  "kernel_regularizer": kernel_regularizer,
                  "kernel_constraint": kernel_constraint}
        if batch_norm:
            common.pop("bias_initializer")
            layers.append(keras.layers.Dense(width, use_bias=False, name=f"dense_{i}", **common))
            layers.append(keras.layers.BatchNormalization(momentum=bn_momentum,
                                                          name=f"bn_{i}"))
            layers.append(keras.layers.Activation(activation, name=f"act_{i}"))
        else:
            layers.append(keras.layers.Dense(width, activation=activation, name=f"dense_{i}",
                                             **common))
        if dropout:
            layers.append(keras.layers.Dropout(dropout, name=f"dropout_{i}"))
    layers.append(keras.layers.Dense(n_classes, activation="softmax", dtype="float32",
                                     kernel_initializer=keras.initializers.get(kernel_initializer),
                                     name="output"))
    return keras.Sequential(layers, name=name)


def lecture_model(seed: int | None = 0) -> keras.Sequential:
    """The lecture's network: 784 -> 32 sigmoid -> 10 softmax (Glorot-uniform weights, Keras's
    default), 25,450 parameters."""
    return build_mlp((32,), activation="sigmoid", kernel_initializer="glorot_uniform",
                     seed=seed, name="lecture")


def modern_model(seed: int | None = 0, hidden: Sequence[int] = (128,)) -> keras.Sequential:
    """A modern baseline: 784 -> 128 ReLU (He-normal weights) -> 10 softmax."""
    return build_mlp(hidden, activation="relu", kernel_initializer="he_normal", seed=seed,
                     name="modern")
