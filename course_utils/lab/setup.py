"""Setting up a lab: fast or full mode, devices, XLA, mixed precision, seeds, and the sizes
and epochs of each mode.

* :func:`fast_mode` reads ``COURSE_FAST``;
* :func:`keras_setup` reports the TensorFlow and Keras versions and the devices, chooses GPU or
  CPU and how many replicas train data-parallel, and sets memory growth, XLA, mixed
  precision, seeds and determinism (:class:`KerasSetup`);
* :func:`lab_settings` gives the data sizes and epochs of the full and the fast lab
  (:class:`LabSettings`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .._validate import check_bool, check_choice, check_int
from ._runtime import keras, quiet_native_logs, tf
from .catalog import lab_optimizer_names
from .distribute import REPLICAS_ENV, mirrored_strategy, replica_count, requested_replicas, scope

__all__ = ["FAST_ENV", "DEVICE_ENV", "REPLICAS_ENV", "CPU_NOTE", "fast_mode", "KerasSetup",
           "keras_setup", "choose_device", "LabSettings", "lab_settings"]

#: Environment variable that switches the labs to their fast (CI) size; ``make test`` sets it.
FAST_ENV = "COURSE_FAST"
#: Environment variable that forces the device: ``cpu`` or ``gpu`` (default: automatic).
DEVICE_ENV = "COURSE_DEVICE"

#: The note of a setup without a GPU.
CPU_NOTE = ("No GPU: TensorFlow runs on the CPU. Everything in the lab works; the full lab "
            "takes minutes instead of seconds.")



# --------------------------------------------------------------------------- setup


def fast_mode() -> bool:
    """Whether the labs run in their fast (CI) size: ``COURSE_FAST`` is set and not 0/false/no."""
    value = os.environ.get(FAST_ENV, "").strip().lower()
    return value not in ("", "0", "false", "no", "off")


@dataclass(frozen=True)
class KerasSetup:
    """What :func:`keras_setup` found and chose.

    Attributes
    ----------
    tensorflow_version, keras_version : str
    devices : tuple of str
        The physical devices TensorFlow sees, e.g. ``("CPU:0",)`` or ``("CPU:0", "GPU:0 ...")``.
    gpu : bool
        Training runs on a GPU.
    jit_compile : bool
        Models are compiled with XLA (``model.compile(jit_compile=True)``).
    mixed_precision : bool
        The global Keras dtype policy is ``mixed_float16`` (float16 compute, float32 weights).
    deterministic : bool
        ``tf.config.experimental.enable_op_determinism()`` is on.
    seed : int
    fast : bool
        :func:`fast_mode` at setup time.
    steps_per_execution : int
        Training steps Keras runs per call into the compiled graph (fewer Python round trips).
    notes : tuple of str
        Human-readable remarks (no GPU, GPU out of memory, ...).
    replicas : int
        Devices that train data-parallel (1: one device). With several, every step trains on
        ``replicas x batch_size`` images, ``batch_size`` on each device (:meth:`global_batch_size`).
    replica_devices : tuple of str
        The devices of the replicas (empty for one device).
    strategy : tf.distribute.MirroredStrategy or None
        The strategy :func:`~course_utils.lab.training.train` builds and trains the model
        copies under (:meth:`scope`); None for one device.
    """

    tensorflow_version: str
    keras_version: str
    devices: tuple[str, ...]
    gpu: bool
    jit_compile: bool
    mixed_precision: bool
    deterministic: bool
    seed: int
    fast: bool
    steps_per_execution: int
    notes: tuple[str, ...] = ()
    replicas: int = 1
    replica_devices: tuple[str, ...] = ()
    strategy: Any = field(default=None, repr=False, compare=False)

    def global_batch_size(self, batch_size: int) -> int:
        """Images per training step when each replica takes ``batch_size``."""
        return batch_size * self.replicas

    def scope(self) -> Any:
        """The strategy's scope (models and optimizers made in it are mirrored); a context that
        does nothing for one device."""
        return scope(self.strategy)

    @property
    def compile_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``model.compile``: ``jit_compile`` and ``steps_per_execution``."""
        return {"jit_compile": self.jit_compile, "steps_per_execution": self.steps_per_execution}

    def summary(self) -> str:
        """The report :func:`keras_setup` prints."""
        lines = [
            f"TensorFlow {self.tensorflow_version}, Keras {self.keras_version} "
            f"(backend {keras.backend.backend()})",
            f"devices: {', '.join(self.devices)}",
            f"training on: {'GPU' if self.gpu else 'CPU'}; XLA jit_compile={self.jit_compile}; "
            f"mixed precision={'mixed_float16' if self.mixed_precision else 'off (float32)'}; "
            f"steps_per_execution={self.steps_per_execution}",
            f"seed={self.seed}; deterministic ops={self.deterministic}; "
            f"mode={'FAST (COURSE_FAST=1: small data, few epochs)' if self.fast else 'full'}",
            (f"replicas: {self.replicas}, data-parallel on {', '.join(self.replica_devices)} "
             f"(tf.distribute.MirroredStrategy): a training step takes {self.replicas} x the "
             "batch size" if self.replicas > 1 else "replicas: 1 (one device)"),
        ]
        return "\n".join(lines + [f"note: {n}" for n in self.notes])

    def __str__(self) -> str:
        return self.summary()


def _gpu_free_memory_mb() -> list[int] | None:
    """Free memory of each NVIDIA GPU in MiB from ``nvidia-smi`` (None if it cannot tell)."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "--query-gpu=memory.free", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=10, check=True).stdout
        return [int(float(v)) for v in out.split()]
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def choose_device(n_gpus: int, free_mb: Sequence[int] | None, min_free_mb: int,
                   requested: str) -> tuple[bool, str | None]:
    """Decide between GPU and CPU. Returns ``(use_gpu, note)``; pure, so it is unit-tested."""
    if requested == "cpu":
        return False, (f"{DEVICE_ENV}=cpu or device='cpu': running on the CPU"
                       + (" although a GPU is present." if n_gpus else "."))
    if n_gpus == 0:
        note = CPU_NOTE
        if requested == "gpu":
            note = "A GPU was requested but TensorFlow sees none. " + note
        return False, note
    if free_mb is not None and len(free_mb) and max(free_mb) < min_free_mb:
        return False, (f"The GPU has only {max(free_mb)} MiB free (the lab wants at least "
                       f"{min_free_mb} MiB): another program holds its memory. Falling back to "
                       "the CPU; close the other program (or its kernel) and restart this "
                       "kernel to use the GPU.")
    return True, None


def _determinism_enabled() -> bool:
    from tensorflow.python.framework import config as tf_config

    return bool(tf_config.is_op_determinism_enabled())


def keras_setup(seed: int = 0, *, device: str | None = None, mixed_precision: bool = False,
                jit_compile: bool | str = "auto", deterministic: bool | str = "auto",
                steps_per_execution: int = 32, min_free_gpu_mb: int = 1024,
                replicas: int | str | None = None, verbose: bool = True) -> KerasSetup:
    r"""Prepare TensorFlow and Keras for the labs and print what was found.

    * prints the TensorFlow and Keras versions and the devices;
    * on a GPU: enables memory growth (TensorFlow takes GPU memory as needed instead of all of
      it), compiles with XLA (``jit_compile``) and, if asked, switches Keras to mixed precision
      (``mixed_float16``: float16 arithmetic, float32 weights; the models of
      :func:`~course_utils.lab.models.build_mlp` keep their softmax output layer in float32 so
      the loss stays accurate);
    * on a CPU it says so plainly; a GPU with less than ``min_free_gpu_mb`` free is not used;
    * with several GPUs it trains on all of them, data-parallel
      (:mod:`course_utils.lab.distribute`): ``replicas`` copies of the model, each step on
      ``replicas x batch_size`` images;
    * seeds Python, NumPy and TensorFlow (``keras.utils.set_random_seed``) and, if
      ``deterministic``, makes TensorFlow's ops deterministic, so a run can be repeated exactly
      on the same machine. Keras ignores ``jit_compile=True`` while op determinism is on, so
      the default (``"auto"``) is deterministic exactly when XLA is off: always on a CPU; on a
      GPU the lab prefers XLA's speed, and reruns agree only up to rounding.

    Parameters
    ----------
    seed : int, >= 0
    device : {"auto", "cpu", "gpu"}, optional
        Default: the environment variable ``COURSE_DEVICE`` or ``"auto"`` (a GPU if one is usable).
    mixed_precision : bool
        Use ``mixed_float16`` on a GPU. Ignored (with a note) on a CPU, where float16 is slower.
    jit_compile : bool or "auto"
        ``"auto"``: XLA on a GPU, not on a CPU (for the lab's small networks XLA gains nothing
        measurable on a CPU and costs compile time per model;
        ``benchmarks/keras_pipeline_benchmark.py --xla`` measures it).
    deterministic : bool or "auto"
        ``"auto"``: ``not jit_compile``. TensorFlow cannot switch determinism off again in a
        running process.
    steps_per_execution : int, >= 1
        Passed to ``model.compile`` through :attr:`KerasSetup.compile_kwargs`.
    min_free_gpu_mb : int, >= 0
    replicas : "auto" or int in [1, 64], optional
        Default: the environment variable ``COURSE_REPLICAS`` or ``"auto"`` (every GPU when
        there are several, else one device). A number forces that many replicas: GPUs, or on
        a CPU that many logical CPU devices (possible only before TensorFlow starts its
        runtime: call ``keras_setup`` first). Keras 3 runs one step per call under
        ``tf.distribute`` (keras-team/keras#19246), so several replicas set
        ``steps_per_execution=1``.
    verbose : bool
        Print :meth:`KerasSetup.summary`.

    Returns
    -------
    KerasSetup
    """
    seed = check_int("seed", seed, low=0, high=2**32 - 1)
    if device is None:
        device = os.environ.get(DEVICE_ENV, "auto").strip().lower() or "auto"
    device = check_choice("device", device, ("auto", "cpu", "gpu"))
    mixed_precision = check_bool("mixed_precision", mixed_precision)
    check_choice("jit_compile", jit_compile, ("auto", True, False))
    check_choice("deterministic", deterministic, ("auto", True, False))
    steps_per_execution = check_int("steps_per_execution", steps_per_execution, low=1,
                                    high=10_000)
    min_free_gpu_mb = check_int("min_free_gpu_mb", min_free_gpu_mb, low=0)
    replicas = requested_replicas(replicas)
    notes: list[str] = []

    with quiet_native_logs():
        gpus = tf.config.list_physical_devices("GPU")
    free = _gpu_free_memory_mb() if gpus else None
    use_gpu, note = choose_device(len(gpus), free, min_free_gpu_mb, device)
    if note:
        notes.append(note)
    if gpus:
        try:
            if use_gpu:
                for gpu in gpus:
                    tf.config.experimental.set_memory_growth(gpu, True)
            else:
                tf.config.set_visible_devices([], "GPU")
        except RuntimeError:
            notes.append("TensorFlow was already initialised in this kernel, so the GPU "
                         "settings could not change; restart the kernel to apply them.")
            use_gpu = bool(tf.config.get_visible_devices("GPU"))
    # before anything starts TensorFlow's runtime: a forced CPU split needs that
    n_replicas, note = replica_count(replicas, len(gpus), use_gpu)
    strategy, replica_devices, strategy_note = mirrored_strategy(n_replicas, use_gpu)
    notes += [n for n in (note, strategy_note) if n]
    n_replicas = strategy.num_replicas_in_sync if strategy is not None else 1
    if n_replicas > 1 and steps_per_execution > 1:
        steps_per_execution = 1
        notes.append("steps_per_execution=1: Keras 3 cannot run several steps per call under "
                     "tf.distribute (keras-team/keras#19246).")

    devices = []
    for d in tf.config.list_physical_devices():
        label = d.name.replace("/physical_device:", "")
        if d.device_type == "GPU":
            details = tf.config.experimental.get_device_details(d)
            label += f" ({details.get('device_name', 'GPU')})"
        devices.append(label)

    if mixed_precision and not use_gpu:
        notes.append("Mixed precision speeds up GPUs with tensor cores; on a CPU it is slower, "
                     "so the lab stays in float32.")
    mixed = bool(mixed_precision and use_gpu)
    keras.mixed_precision.set_global_policy("mixed_float16" if mixed else "float32")
    jit = use_gpu if jit_compile == "auto" else bool(jit_compile)
    if deterministic == "auto":
        deterministic = not jit
    deterministic = bool(deterministic)

    tf.get_logger().setLevel("ERROR")  # e.g. retracing warnings when many models are compiled
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    elif _determinism_enabled():
        deterministic = True
        notes.append("Deterministic ops stay on: TensorFlow cannot switch them off in a running "
                     "kernel (restart it to change this).")
    if jit and deterministic:
        jit = False
        notes.append("XLA is off: Keras ignores jit_compile=True while op determinism is on "
                     "(use deterministic=False for XLA).")

    if use_gpu:
        try:  # a GPU whose memory is taken fails here, with a clear message instead of later
            with tf.device("/GPU:0"):
                probe = tf.zeros((1024, 1024))
                float(tf.reduce_sum(probe))
        except (tf.errors.ResourceExhaustedError, tf.errors.InternalError) as exc:
            notes.append(f"The GPU could not allocate 4 MB ({type(exc).__name__}); restart the "
                         f"kernel with {DEVICE_ENV}=cpu to train on the CPU.")

    setup = KerasSetup(
        tensorflow_version=tf.__version__,
        keras_version=keras.__version__,
        devices=tuple(devices),
        gpu=use_gpu,
        jit_compile=jit,
        mixed_precision=mixed,
        deterministic=deterministic,
        seed=seed,
        fast=fast_mode(),
        steps_per_execution=steps_per_execution,
        notes=tuple(notes),
        replicas=n_replicas,
        replica_devices=replica_devices,
        strategy=strategy,
    )
    if verbose:
        print(setup.summary())
    return setup


@dataclass(frozen=True)
class LabSettings:
    """Sizes and epochs of one mode of the labs (see :func:`lab_settings`)."""

    fast: bool
    n_train: int
    n_val: int
    n_test: int
    epochs: int
    batch_size: int
    accuracy_target: float
    small_train: int
    small_epochs: int
    deep_epochs: int
    landscape_grid: int
    landscape_examples: int
    schedule_optimizers: tuple[str, ...]


def lab_settings(fast: bool) -> LabSettings:
    """Data sizes and epochs of the labs.

    Full mode is the lecture's setting: 54,000 training and 6,000 validation images (Keras's
    ``validation_split=0.1`` keeps the last 10 %), the 10,000 test images, 10 epochs of batch
    128. Fast mode (``COURSE_FAST=1``, for CI) trains on 4,096 images for 3 epochs, which keeps
    every lab under two minutes on a 2-core CPU; its accuracies are far lower and only show
    that everything runs (the stated bands are
    :data:`~course_utils.lab.training.FAST_MODE_BANDS`). It also runs the schedule benchmark
    for three optimizers instead of all the lab's (``schedule_optimizers``).
    """
    if check_bool("fast", fast):
        return LabSettings(fast=True, n_train=4096, n_val=1024, n_test=2048, epochs=3,
                           batch_size=128, accuracy_target=0.85, small_train=512,
                           small_epochs=12, deep_epochs=2, landscape_grid=21,
                           landscape_examples=1024,
                           schedule_optimizers=("sgd", "momentum", "adam"))
    return LabSettings(fast=False, n_train=54_000, n_val=6_000, n_test=10_000, epochs=10,
                       batch_size=128, accuracy_target=0.97, small_train=1000,
                       small_epochs=60, deep_epochs=5, landscape_grid=31,
                       landscape_examples=4096,
                       schedule_optimizers=lab_optimizer_names(modern=False))
