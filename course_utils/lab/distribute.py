"""Several devices: data-parallel training with ``tf.distribute.MirroredStrategy``.

When TensorFlow sees more than one GPU, :func:`~course_utils.lab.setup.keras_setup` trains on
all of them: every GPU holds a copy of the weights (*mirrored* variables), each training step
splits a global batch of ``replicas x batch_size`` images into one batch per GPU, and the
gradients are summed across the GPUs before the (identical) update of every copy. Keras 3
supports this on TensorFlow through ``tf.distribute`` (its own ``keras.distribution`` API
is JAX-only there). On a CPU the same code runs on *logical* devices (the CPU split in two,
say), which is how the tests check it without a GPU; it is not faster there.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from .._validate import check_choice, check_int
from ._runtime import tf

__all__ = ["REPLICAS_ENV", "MAX_REPLICAS", "requested_replicas", "replica_count",
           "mirrored_strategy", "scope"]

#: Environment variable that sets the replicas (``auto`` or a number); ``keras_setup`` reads it
#: when its ``replicas`` argument is not given.
REPLICAS_ENV = "COURSE_REPLICAS"
MAX_REPLICAS = 64


def requested_replicas(replicas: int | str | None) -> int | str:
    """``replicas`` checked: ``"auto"`` or an integer in [1, 64]; None reads ``COURSE_REPLICAS``
    (default ``"auto"``)."""
    if replicas is None:
        replicas = os.environ.get(REPLICAS_ENV, "auto").strip().lower() or "auto"
        if replicas.isdigit():
            replicas = int(replicas)
    if isinstance(replicas, str):
        return check_choice("replicas", replicas, ("auto",))
    return check_int("replicas", replicas, low=1, high=MAX_REPLICAS)


def replica_count(requested: int | str, n_gpus: int, use_gpu: bool) -> tuple[int, str | None]:
    """How many replicas to train on, and a note if that is not what was asked for.

    ``"auto"``: every GPU when training on GPUs, else 1. A number: that many GPUs (at most the
    GPUs there are), or that many logical CPU devices when training on the CPU. Pure, so it
    is unit-tested.
    """
    if requested == "auto":
        return (n_gpus if use_gpu and n_gpus > 1 else 1), None
    if use_gpu and requested > n_gpus:
        return n_gpus, (f"{requested} replicas were asked for but TensorFlow sees {n_gpus} "
                        f"GPU(s): training on {n_gpus}.")
    return requested, None


def _split_cpu(n: int) -> bool:
    """Split the CPU into ``n`` logical devices (possible only before TensorFlow starts its
    runtime); True if there are at least ``n`` logical CPUs afterwards."""
    cpu = tf.config.list_physical_devices("CPU")[0]
    configured = tf.config.get_logical_device_configuration(cpu) or []
    if len(configured) < n:
        try:
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(n)])
        except RuntimeError:  # the runtime is running: the devices are what they are
            pass
    return len(tf.config.list_logical_devices("CPU")) >= n


def mirrored_strategy(n: int, use_gpu: bool) -> tuple[Any, tuple[str, ...], str | None]:
    """``(strategy, device names, note)`` for ``n`` data-parallel replicas on the GPUs (or on
    ``n`` logical CPU devices). The strategy is None, with a note, when ``n`` is 1 or the
    devices cannot be had."""
    if n < 2:
        return None, (), None
    kind = "GPU" if use_gpu else "CPU"
    if not use_gpu and not _split_cpu(n):
        return None, (), (f"{n} replicas on the CPU need it split into {n} logical devices "
                          "before TensorFlow starts; restart the kernel and call keras_setup "
                          "first (training on one device).")
    devices = tuple(d.name.replace("/device:", "")
                    for d in tf.config.list_logical_devices(kind)[:n])
    return tf.distribute.MirroredStrategy(devices=list(devices)), devices, None


def scope(strategy: Any) -> Any:
    """``strategy.scope()``, or a context that does nothing when ``strategy`` is None."""
    return contextlib.nullcontext() if strategy is None else strategy.scope()
