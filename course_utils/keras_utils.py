r"""Keras helpers for the labs 08 (optimizer lab) and 09 (training deep networks).

Import this module explicitly (``from course_utils import keras_utils``): it loads TensorFlow and
Keras, which take a few seconds, so ``import course_utils`` alone does not.

What is here
------------
* Setup: :func:`fast_mode`, :func:`keras_setup` (versions, devices, GPU memory growth, XLA,
  mixed precision, seeds, determinism) and :func:`lab_settings` (data sizes and epochs of the
  full and the fast lab).
* Data: :func:`load_lab_data` reads the course's MNIST with :func:`course_utils.load_mnist`
  (never downloads) and :func:`make_dataset` turns arrays into the lab's ``tf.data`` pipeline.
  When the file is missing or damaged, :func:`load_lab_data` returns a :class:`MissingData`
  that says why; every helper below that needs data then prints a one-line "skipped" message
  and returns it again, so the cells that do not need MNIST still run.
* Models and optimizers: :func:`build_mlp`, :func:`lecture_model`, :func:`modern_model`,
  :func:`make_optimizer`, :func:`make_schedule`.
* Training: :func:`train`, :func:`compare`, :class:`RunResult`, :func:`results_table` and the
  live :class:`Dashboard`.
* Memory: :func:`parameter_count`, :func:`memory_report`.
* Writing an optimizer: :func:`train_with_tape`, :func:`check_optimizer`,
  :func:`compare_with_numpy`.
* Deep networks (lab 09): :func:`gradient_norms`, :func:`activation_stats`,
  :func:`distinct_units`, :func:`full_gradient_norm`, :func:`clip_demo`, :func:`augmentation`.

Every function takes its hyperparameters as arguments; nothing reads notebook globals.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


@contextlib.contextmanager
def _quiet_native_logs() -> Iterator[None]:
    """Hold back what TensorFlow's C++ code writes to file descriptor 2 while loading.

    TensorFlow 2.21 logs through absl before ``TF_CPP_MIN_LOG_LEVEL`` takes effect ("oneDNN
    custom operations are on", "Could not find cuda drivers", "failed call to cuInit" on
    machines without a GPU), and Jupyter shows those lines under the cell. They are dropped
    unless ``TF_CPP_MIN_LOG_LEVEL`` is 0, or the block fails, in which case they are printed.
    """
    if os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0") == "0":
        yield
        return
    try:
        saved = os.dup(2)
    except OSError:  # pragma: no cover - no file descriptor 2
        yield
        return
    with tempfile.TemporaryFile(mode="w+b") as sink:
        sys.stderr.flush()
        os.dup2(sink.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            sink.seek(0)
            sys.stderr.write(sink.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


with _quiet_native_logs():
    import keras
    import tensorflow as tf

    # Enumerating the devices loads the CUDA plugin, which on a machine without a GPU logs
    # "failed call to cuInit"; do it here, held back, instead of at the first tensor.
    tf.config.list_physical_devices()

import numpy as np  # noqa: E402

from . import optimizers as np_optimizers  # noqa: E402
from .mnist import MnistFileError, load_mnist  # noqa: E402

__all__ = [
    "FAST_ENV",
    "DEVICE_ENV",
    "OPTIMIZER_NAMES",
    "SCHEDULE_NAMES",
    "LAB_LEARNING_RATES",
    "FAST_MODE_BANDS",
    "KerasSetup",
    "LabSettings",
    "run_styles",
    "LabData",
    "MissingData",
    "needs_data",
    "RunResult",
    "Dashboard",
    "CheckResult",
    "MemoryReport",
    "ToyComparison",
    "fast_mode",
    "keras_setup",
    "lab_settings",
    "load_lab_data",
    "make_dataset",
    "build_mlp",
    "lecture_model",
    "modern_model",
    "augmentation",
    "make_schedule",
    "make_optimizer",
    "train",
    "compare",
    "optimizer_factories",
    "schedule_curves",
    "results_table",
    "check_band",
    "check_bands",
    "pipeline_summary",
    "parameter_count",
    "memory_report",
    "train_with_tape",
    "check_optimizer",
    "compare_with_numpy",
    "gradient_norms",
    "activation_stats",
    "distinct_units",
    "full_gradient_norm",
    "clip_demo",
    "plot_benchmark_grid",
    "plot_layer_curves",
    "plot_histories",
    "plot_augmentation",
]

#: Environment variable that switches the labs to their fast (CI) size; ``make test`` sets it.
FAST_ENV = "COURSE_FAST"
#: Environment variable that forces the device: ``cpu`` or ``gpu`` (default: automatic).
DEVICE_ENV = "COURSE_DEVICE"

#: The nine optimizers of the benchmark, with the lecture's names.
OPTIMIZER_NAMES = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam",
                   "adamax", "nadam")
#: Learning-rate schedules of the benchmark (see :func:`make_schedule`).
SCHEDULE_NAMES = ("constant", "inverse_time", "exponential", "step")

#: The lab's learning rates: the lecture's values (Keras defaults, ``Adadelta(1.0)``,
#: ``Adamax/Nadam(0.002)``) except Adagrad, whose Keras default 0.001 barely moves in 10 epochs.
LAB_LEARNING_RATES: dict[str, float] = {
    "sgd": 0.01,
    "momentum": 0.01,
    "nesterov": 0.01,
    "adagrad": 0.01,
    "rmsprop": 0.001,
    "adadelta": 1.0,
    "adam": 0.001,
    "adamax": 0.002,
    "nadam": 0.002,
}

#: Test accuracy bands of the seeded fast-mode runs (``COURSE_FAST=1``; lab 08's baselines and
#: its constant-rate Adam run), checked by lab 08 and by the tests. Measured on a 2-core CPU:
#: the lab's seeds give 0.205 / 0.635 / 0.873; other seeds (0-5) span 0.20-0.29 / 0.59-0.64 /
#: 0.85-0.87. The bands add a margin for other CPUs and library versions.
FAST_MODE_BANDS: dict[str, tuple[float, float]] = {
    "lecture": (0.12, 0.40),
    "modern": (0.50, 0.72),
    "adam": (0.80, 0.93),
}

_CPU_NOTE = ("No GPU: TensorFlow runs on the CPU. Everything in the lab works; the full lab "
             "takes minutes instead of seconds.")


# --------------------------------------------------------------------------- validation


def _check_int(name: str, value: Any, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if value < low or (high is not None and value > high):
        bound = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name} must be {bound}, got {value}")
    return value


def _check_float(name: str, value: Any, low: float, high: float | None = None, *,
                 low_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    bad = (not math.isfinite(value) or (value <= low if low_open else value < low)
           or (high is not None and value > high))
    if bad:
        left = "(" if low_open else "["
        right = f"{high}]" if high is not None else "inf)"
        raise ValueError(f"{name} must be in {left}{low}, {right}, got {value}")
    return value


def _check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


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


def _choose_device(n_gpus: int, free_mb: Sequence[int] | None, min_free_mb: int,
                   requested: str) -> tuple[bool, str | None]:
    """Decide between GPU and CPU. Returns ``(use_gpu, note)``; pure, so it is unit-tested."""
    if requested == "cpu":
        return False, (f"{DEVICE_ENV}=cpu or device='cpu': running on the CPU"
                       + (" although a GPU is present." if n_gpus else "."))
    if n_gpus == 0:
        note = _CPU_NOTE
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
                verbose: bool = True) -> KerasSetup:
    r"""Prepare TensorFlow and Keras for the labs and print what was found.

    * prints the TensorFlow and Keras versions and the devices;
    * on a GPU: enables memory growth (TensorFlow takes GPU memory as needed instead of all of
      it), compiles with XLA (``jit_compile``) and, if asked, switches Keras to mixed precision
      (``mixed_float16``: float16 arithmetic, float32 weights; the models of
      :func:`build_mlp` keep their softmax output layer in float32 so the loss stays accurate);
    * on a CPU it says so plainly; a GPU with less than ``min_free_gpu_mb`` free is not used;
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
    verbose : bool
        Print :meth:`KerasSetup.summary`.

    Returns
    -------
    KerasSetup
    """
    seed = _check_int("seed", seed, 0, 2**32 - 1)
    if device is None:
        device = os.environ.get(DEVICE_ENV, "auto").strip().lower() or "auto"
    device = _check_choice("device", device, ("auto", "cpu", "gpu"))
    if not isinstance(mixed_precision, bool):
        raise ValueError(f"mixed_precision must be True or False, got {mixed_precision!r}")
    if jit_compile not in ("auto", True, False):
        raise ValueError(f"jit_compile must be True, False or 'auto', got {jit_compile!r}")
    if deterministic not in ("auto", True, False):
        raise ValueError(f"deterministic must be True, False or 'auto', got {deterministic!r}")
    steps_per_execution = _check_int("steps_per_execution", steps_per_execution, 1, 10_000)
    min_free_gpu_mb = _check_int("min_free_gpu_mb", min_free_gpu_mb, 0)
    notes: list[str] = []

    with _quiet_native_logs():
        gpus = tf.config.list_physical_devices("GPU")
    free = _gpu_free_memory_mb() if gpus else None
    use_gpu, note = _choose_device(len(gpus), free, min_free_gpu_mb, device)
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
    that everything runs (the stated bands are :data:`FAST_MODE_BANDS`). It also runs the
    schedule benchmark for three optimizers instead of nine (``schedule_optimizers``).
    """
    if not isinstance(fast, bool):
        raise ValueError(f"fast must be True or False, got {fast!r}")
    if fast:
        return LabSettings(fast=True, n_train=4096, n_val=1024, n_test=2048, epochs=3,
                           batch_size=128, accuracy_target=0.85, small_train=512,
                           small_epochs=12, deep_epochs=2, landscape_grid=21,
                           landscape_examples=1024,
                           schedule_optimizers=("sgd", "momentum", "adam"))
    return LabSettings(fast=False, n_train=54_000, n_val=6_000, n_test=10_000, epochs=10,
                       batch_size=128, accuracy_target=0.97, small_train=1000,
                       small_epochs=60, deep_epochs=5, landscape_grid=31,
                       landscape_examples=4096, schedule_optimizers=OPTIMIZER_NAMES)


# --------------------------------------------------------------------------- data


class MissingData:
    """Stands in for :class:`LabData` (and for every result made from it) when MNIST could not
    be loaded: a *null object*.

    It is falsy and empty; any attribute, item or call on it gives the same object back; and
    the helpers of :mod:`course_utils.keras_utils` and :mod:`course_utils.landscape` that need
    data print a one-line "skipped" notice and return it when it is among their arguments. So
    a lab without its data file still runs every cell that does not need MNIST.
    """

    def __init__(self, reason: str) -> None:
        self.reason = str(reason)

    def __bool__(self) -> bool:
        return False

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Any:
        return iter(())

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __getitem__(self, key: Any) -> MissingData:
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> MissingData:
        return self

    def __repr__(self) -> str:
        return "(skipped: MNIST is not available)"

    def __format__(self, spec: str) -> str:
        return repr(self)


def _missing_in(values: Iterable[Any], depth: int = 0) -> MissingData | None:
    for v in values:
        if isinstance(v, MissingData):
            return v
        if depth < 2 and isinstance(v, (list, tuple)):
            found = _missing_in(v, depth + 1)
        elif depth < 2 and isinstance(v, Mapping):
            found = _missing_in(v.values(), depth + 1)
        else:
            found = None
        if found is not None:
            return found
    return None


def needs_data(fn: Callable | None = None, *, returns: int = 1) -> Callable:
    """Decorator: when an argument (or an item of a list, tuple or dict argument) is a
    :class:`MissingData`, print "skipped ..." and return it instead of calling ``fn`` -- or a
    tuple of ``returns`` copies of it, for functions whose result is unpacked."""
    import functools

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            missing = _missing_in(list(args) + list(kwargs.values()))
            if missing is None:
                return func(*args, **kwargs)
            first = missing.reason.split(". ")[0]
            print(f"skipped {func.__name__}(): MNIST is not available ({first}).")
            return missing if returns == 1 else (missing,) * returns

        return wrapper

    return decorate(fn) if fn is not None else decorate


@dataclass
class LabData:
    """MNIST for the labs: flattened float32 images in ``[0, 1]`` and int32 labels.

    ``x_val, y_val`` are the *last* ``n_val`` images of the MNIST training set, as Keras's
    ``validation_split`` takes them; ``x_train`` comes from its beginning, so the two never
    overlap. ``x_test`` is the start of the MNIST test set.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def __bool__(self) -> bool:
        return True

    def steps_per_epoch(self, batch_size: int) -> int:
        """Number of training batches per epoch (the last one may be smaller)."""
        batch_size = _check_int("batch_size", batch_size, 1)
        return math.ceil(len(self.x_train) / batch_size)

    def train_dataset(self, batch_size: int = 128, *, seed: int = 0,
                      shuffle: bool = True) -> tf.data.Dataset:
        """The training pipeline of :func:`make_dataset`."""
        return make_dataset(self.x_train, self.y_train, batch_size=batch_size, shuffle=shuffle,
                            seed=seed)

    def eval_dataset(self, split: str = "val", batch_size: int = 1024) -> tf.data.Dataset:
        """Validation (``"val"``) or test (``"test"``) images in order, batched and cached."""
        split = _check_choice("split", split, ("val", "test", "train"))
        x, y = {"val": (self.x_val, self.y_val), "test": (self.x_test, self.y_test),
                "train": (self.x_train, self.y_train)}[split]
        return make_dataset(x, y, batch_size=batch_size, shuffle=False)

    def subset(self, n_train: int) -> LabData:
        """The first ``n_train`` training images with the same validation and test sets."""
        n_train = _check_int("n_train", n_train, 1, len(self.x_train))
        return LabData(self.x_train[:n_train], self.y_train[:n_train], self.x_val, self.y_val,
                       self.x_test, self.y_test)

    def __repr__(self) -> str:
        return (f"LabData(train={len(self.x_train)}, val={len(self.x_val)}, "
                f"test={len(self.x_test)}, image shape={self.x_train.shape[1:]})")


def load_lab_data(n_train: int = 54_000, n_val: int = 6_000, n_test: int = 10_000, *,
                  path: str | os.PathLike[str] | None = None,
                  missing_ok: bool = True) -> LabData | MissingData:
    """Load MNIST (flattened, scaled to ``[0, 1]``) and split it for the labs.

    Parameters
    ----------
    n_train : int, 1 <= n_train <= 60000 - n_val
        Training images, from the start of the MNIST training set.
    n_val : int, 1 <= n_val <= 30000
        Validation images, from the end of the MNIST training set.
    n_test : int, 1 <= n_test <= 10000
    path : path-like, optional
        Passed to :func:`course_utils.load_mnist` (default: the course's copy).
    missing_ok : bool
        If the file is missing or damaged: print the loader's message and return a
        :class:`MissingData` (True), or raise the loader's ``FileNotFoundError`` or
        :class:`~course_utils.mnist.MnistFileError` (False).
    """
    n_val = _check_int("n_val", n_val, 1, 30_000)
    n_train = _check_int("n_train", n_train, 1, 60_000 - n_val)
    n_test = _check_int("n_test", n_test, 1, 10_000)
    try:
        (x, y), (xt, yt) = load_mnist(path, flatten=True, normalize=True)
    except (FileNotFoundError, MnistFileError) as exc:
        if not missing_ok:
            raise
        print(f"MNIST could not be loaded: {exc}\n"
              "The cells that need MNIST will say 'skipped'; the others still run.")
        return MissingData(str(exc))
    y = y.astype(np.int32)
    yt = yt.astype(np.int32)
    return LabData(x[:n_train], y[:n_train], x[-n_val:], y[-n_val:], xt[:n_test], yt[:n_test])


def make_dataset(x: np.ndarray, y: np.ndarray, *, batch_size: int = 128, shuffle: bool = True,
                 seed: int = 0) -> tf.data.Dataset:
    r"""The lab's input pipeline: shuffle, batch, cache, prefetch -- without per-image work.

    Training (``shuffle=True``)::

        indices 0..n-1 -> shuffle (new order every epoch, seeded) -> batch(batch_size)
                       -> gather the images of each batch from one in-memory tensor
                       -> prefetch (the next batch is ready while the model trains)

    The decoded float32 images are held once in memory as a tensor, which is what ``.cache()``
    gives a pipeline that reads files; shuffling *indices* and gathering a whole batch with one
    ``tf.gather`` avoids the per-image overhead of ``from_tensor_slices(...).shuffle(n)``.
    Evaluation (``shuffle=False``): ``from_tensor_slices -> batch -> cache -> prefetch``.

    Parameters
    ----------
    x : array, shape (n, ...)
    y : array, shape (n,)
    batch_size : int, >= 1
    shuffle : bool
    seed : int, >= 0
        Seed of the shuffle; the same seed gives the same sequence of epochs.
    """
    batch_size = _check_int("batch_size", batch_size, 1)
    seed = _check_int("seed", seed, 0, 2**31 - 1)
    x = np.asarray(x)
    y = np.asarray(y)
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"x and y must be non-empty with the same length, got {len(x)} and "
                         f"{len(y)}")
    autotune = tf.data.AUTOTUNE
    if not shuffle:
        ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size).cache()
        return ds.prefetch(autotune)
    x_t = tf.constant(x)
    y_t = tf.constant(y)
    n = len(x)
    ds = tf.data.Dataset.range(n).shuffle(n, seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size).map(lambda i: (tf.gather(x_t, i), tf.gather(y_t, i)),
                                  num_parallel_calls=autotune, deterministic=True)
    return ds.prefetch(autotune)


# --------------------------------------------------------------------------- models


def augmentation(shift: float = 0.1, rotation_degrees: float = 10.0, *,
                 seed: int | None = None) -> keras.Sequential:
    """Random shifts and rotations of 28 x 28 images, as Keras layers (active only in training).

    Takes flattened images (784,) and returns flattened images: ``Reshape -> RandomTranslation
    -> RandomRotation -> Flatten``. ``shift`` is a fraction of the image size (0.1 = 2.8 px).
    """
    shift = _check_float("shift", shift, 0.0, 0.5)
    rotation_degrees = _check_float("rotation_degrees", rotation_degrees, 0.0, 180.0)
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
    hidden = [_check_int("hidden[i]", h, 1) for h in hidden]
    dropout = _check_float("dropout", dropout, 0.0, 0.99)
    bn_momentum = _check_float("bn_momentum", bn_momentum, 0.0, 0.9999)
    input_dropout = _check_float("input_dropout", input_dropout, 0.0, 0.99)
    input_dim = _check_int("input_dim", input_dim, 1)
    n_classes = _check_int("n_classes", n_classes, 2)
    if seed is not None:
        keras.utils.set_random_seed(_check_int("seed", seed, 0, 2**32 - 1))
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


# --------------------------------------------------------------------------- optimizers


def make_schedule(kind: str, initial_learning_rate: float, *, steps_per_epoch: int,
                  epochs: int) -> float | keras.optimizers.schedules.LearningRateSchedule:
    r"""A learning-rate schedule, with its rate of decay set per *epoch*.

    With :math:`k` the number of updates so far, :math:`e = k / \text{steps\_per\_epoch}`
    the (fractional) epoch and :math:`\varepsilon_0` = ``initial_learning_rate``:

    ============  ===============================================  ==========================
    kind          learning rate                                    Keras class
    ============  ===============================================  ==========================
    constant      :math:`\varepsilon_0`                            a float
    inverse_time  :math:`\varepsilon_0 / (1 + 0.5 e)`              ``InverseTimeDecay``
    exponential   :math:`\varepsilon_0 \cdot 0.8^{e}`              ``ExponentialDecay``
    step          :math:`\varepsilon_0`, then :math:`/10` after    ``PiecewiseConstantDecay``
                  :math:`\lfloor E/2 \rfloor` and :math:`/100`
                  after :math:`\lfloor 3E/4 \rfloor` whole epochs
    ============  ===============================================  ==========================

    ``inverse_time`` is what Keras 2's ``SGD(decay=d)`` did, :math:`\varepsilon_0/(1 + d k)`,
    with :math:`d = 0.5 / \text{steps\_per\_epoch}` per update.
    """
    kind = _check_choice("kind", kind, SCHEDULE_NAMES)
    lr = _check_float("initial_learning_rate", initial_learning_rate, 0.0, low_open=True)
    spe = _check_int("steps_per_epoch", steps_per_epoch, 1)
    epochs = _check_int("epochs", epochs, 1)
    sched = keras.optimizers.schedules
    if kind == "constant":
        return lr
    if kind == "inverse_time":
        return sched.InverseTimeDecay(lr, decay_steps=spe, decay_rate=0.5)
    if kind == "exponential":
        return sched.ExponentialDecay(lr, decay_steps=spe, decay_rate=0.8)
    first = max(1, epochs // 2) * spe
    second = max(first + 1, (3 * epochs) // 4 * spe)
    return sched.PiecewiseConstantDecay([first, second], [lr, lr / 10, lr / 100])


def make_optimizer(name: str, *, learning_rate: Any = None, schedule: str = "constant",
                   steps_per_epoch: int = 1, epochs: int = 1,
                   **kwargs: Any) -> keras.optimizers.Optimizer:
    """A Keras optimizer by the lecture's name, with the lab's learning rate by default.

    ``momentum`` is ``SGD(momentum=0.9)``, ``nesterov`` is ``SGD(momentum=0.9, nesterov=True)``;
    the others are the Keras classes of the same name. ``learning_rate`` defaults to
    :data:`LAB_LEARNING_RATES`; a float is turned into ``schedule`` (see :func:`make_schedule`),
    a Keras schedule is used as it is. Other keyword arguments (``clipnorm``, ``rho`` ...) go
    to the Keras class.
    """
    name = _check_choice("name", name, OPTIMIZER_NAMES)
    if learning_rate is None:
        learning_rate = LAB_LEARNING_RATES[name]
    if not isinstance(learning_rate, keras.optimizers.schedules.LearningRateSchedule):
        learning_rate = make_schedule(schedule, learning_rate, steps_per_epoch=steps_per_epoch,
                                      epochs=epochs)
    opt = keras.optimizers
    if name in ("sgd", "momentum", "nesterov"):
        if name != "sgd":
            kwargs.setdefault("momentum", 0.9)
        return opt.SGD(learning_rate=learning_rate, nesterov=name == "nesterov", **kwargs)
    cls = {"adagrad": opt.Adagrad, "rmsprop": opt.RMSprop, "adadelta": opt.Adadelta,
           "adam": opt.Adam, "adamax": opt.Adamax, "nadam": opt.Nadam}[name]
    return cls(learning_rate=learning_rate, **kwargs)


# --------------------------------------------------------------------------- training


@dataclass
class RunResult:
    """One training run: its history, timings and test accuracy.

    Attributes
    ----------
    name : str
    history : dict of str -> list of float
        ``History.history`` of ``model.fit``: ``loss``, ``accuracy``, ``val_loss``,
        ``val_accuracy``, one value per epoch.
    epoch_times : list of float
        Wall time of each epoch in seconds (the first includes building the graph).
    wall_time : float
        Total seconds of ``model.fit``.
    test_accuracy, test_loss : float
    model : keras.Model
        The trained model.
    trajectory : list of list of ndarray
        Trainable weights recorded during training (``train(..., record_every=k)``), the
        initial weights first; empty otherwise.
    """

    name: str
    history: dict[str, list[float]]
    epoch_times: list[float]
    wall_time: float
    test_accuracy: float
    test_loss: float
    model: Any = field(repr=False, default=None)
    trajectory: list[list[np.ndarray]] = field(repr=False, default_factory=list)

    @property
    def epochs(self) -> int:
        """Number of epochs trained (fewer than asked for if early stopping ended the run)."""
        return len(self.history.get("loss", []))

    def best_epoch(self, metric: str = "val_loss") -> int:
        """The epoch (1-based) with the lowest ``metric`` (highest for an accuracy)."""
        values = np.asarray(self.history[metric])
        return int(np.argmax(values) if "acc" in metric else np.argmin(values)) + 1

    def epochs_to(self, target: float, metric: str = "val_accuracy") -> int | None:
        """First epoch (1-based) at which ``metric`` reached ``target``; None if never."""
        for i, v in enumerate(self.history.get(metric, []), start=1):
            if v >= target:
                return i
        return None

    def final(self, metric: str) -> float:
        """The last value of ``metric``."""
        return float(self.history[metric][-1])


class _EpochTimer(keras.callbacks.Callback):
    def on_train_begin(self, logs: Any = None) -> None:
        self.times: list[float] = []

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self._t = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self.times.append(time.perf_counter() - self._t)


@needs_data
def train(model: keras.Model, data: LabData, *, optimizer: keras.optimizers.Optimizer,
          epochs: int, batch_size: int = 128, seed: int = 0, callbacks: Sequence[Any] = (),
          setup: KerasSetup | None = None, name: str | None = None,
          evaluate_test: bool = True, steps_per_execution: int | None = None,
          record_every: int | None = None) -> RunResult:
    """Compile ``model`` with ``optimizer`` and fit it on ``data`` with validation each epoch.

    The loss is sparse categorical cross-entropy (integer labels; the lecture's one-hot labels
    with ``categorical_crossentropy`` give the same numbers). ``setup`` supplies
    ``jit_compile`` and ``steps_per_execution`` (default: no XLA, 1 step per execution). The
    random state is re-seeded with ``seed`` first, so two runs see the same batches in the same
    order (and the same dropout masks). ``steps_per_execution`` overrides the setup's (use 1
    when a callback must see every batch). With ``record_every=k`` the trainable weights are
    kept every ``k`` steps (:class:`course_utils.landscape.WeightRecorder`) in
    :attr:`RunResult.trajectory`.
    """
    epochs = _check_int("epochs", epochs, 1)
    batch_size = _check_int("batch_size", batch_size, 1)
    seed = _check_int("seed", seed, 0, 2**31 - 1)
    compile_kwargs = dict(setup.compile_kwargs) if setup is not None else {}
    if steps_per_execution is not None:
        compile_kwargs["steps_per_execution"] = _check_int("steps_per_execution",
                                                           steps_per_execution, 1)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], **compile_kwargs)
    keras.utils.set_random_seed(seed)
    timer = _EpochTimer()
    extra: list[Any] = [timer]
    if record_every is not None:
        from .landscape import WeightRecorder

        recorder = WeightRecorder(every=_check_int("record_every", record_every, 1))
        extra.append(recorder)
    start = time.perf_counter()
    hist = model.fit(data.train_dataset(batch_size, seed=seed), epochs=epochs,
                     validation_data=data.eval_dataset("val"), shuffle=False, verbose=0,
                     callbacks=[*extra, *callbacks])
    wall = time.perf_counter() - start
    test_loss, test_acc = (model.evaluate(data.eval_dataset("test"), verbose=0)
                           if evaluate_test else (float("nan"), float("nan")))
    history = {k: [float(v) for v in vals] for k, vals in hist.history.items()}
    return RunResult(name or model.name, history, timer.times, wall, float(test_acc),
                     float(test_loss), model,
                     recorder.weights if record_every is not None else [])


@needs_data
def compare(model: keras.Model, data: LabData, optimizers: Mapping[str, Callable[[], Any]], *,
            epochs: int, batch_size: int = 128, seed: int = 0,
            setup: KerasSetup | None = None, dashboard: Dashboard | None = None,
            tag: str | None = None) -> list[RunResult]:
    """Train one copy of ``model`` per optimizer, all from ``model``'s current weights.

    Parameters
    ----------
    model : keras.Model
        Supplies the architecture and the common initial weights (it is not trained itself).
    optimizers : mapping of run name -> zero-argument callable returning a fresh optimizer
    dashboard : Dashboard, optional
        Each run draws its curves there live (its run names must include the keys).
    tag : str, optional
        Appended to each result's name, e.g. ``"adam (step)"`` for ``tag="step"``.
    """
    initial = model.get_weights()
    results = []
    for run_name, factory in optimizers.items():
        copy = keras.models.clone_model(model)
        copy.set_weights(initial)
        callbacks = [dashboard.callback(run_name)] if dashboard is not None else []
        results.append(train(copy, data, optimizer=factory(), epochs=epochs,
                             batch_size=batch_size, seed=seed, callbacks=callbacks,
                             setup=setup, name=f"{run_name} ({tag})" if tag else run_name))
    return results


def optimizer_factories(names: Sequence[str] = OPTIMIZER_NAMES, *, schedule: str = "constant",
                        steps_per_epoch: int = 1, epochs: int = 1,
                        learning_rates: Mapping[str, float] | None = None,
                        **kwargs: Any) -> dict[str, Callable[[], keras.optimizers.Optimizer]]:
    """``{name: factory}`` for :func:`compare`: each factory calls :func:`make_optimizer` with
    the lab's learning rate (or ``learning_rates[name]``) under ``schedule``."""
    rates = dict(LAB_LEARNING_RATES, **(learning_rates or {}))
    for name in names:
        _check_choice("names[i]", name, OPTIMIZER_NAMES)
    _check_choice("schedule", schedule, SCHEDULE_NAMES)

    def factory(name: str) -> Callable[[], keras.optimizers.Optimizer]:
        return lambda: make_optimizer(name, learning_rate=rates[name], schedule=schedule,
                                      steps_per_epoch=steps_per_epoch, epochs=epochs, **kwargs)

    return {name: factory(name) for name in names}


def schedule_curves(initial_learning_rate: float, *, steps_per_epoch: int, epochs: int,
                    kinds: Sequence[str] = SCHEDULE_NAMES) -> dict[str, np.ndarray]:
    """Learning rate at every update ``k = 0 .. steps_per_epoch * epochs - 1`` for each schedule
    of :func:`make_schedule` (for plotting)."""
    steps = np.arange(_check_int("steps_per_epoch", steps_per_epoch, 1)
                      * _check_int("epochs", epochs, 1))
    out = {}
    for kind in kinds:
        sched = make_schedule(kind, initial_learning_rate, steps_per_epoch=steps_per_epoch,
                              epochs=epochs)
        out[kind] = (np.full(len(steps), float(sched)) if isinstance(sched, float)
                     else np.asarray(sched(tf.constant(steps)), dtype=np.float64))
    return out


def _flat_results(results: Sequence[RunResult] | Mapping[str, Sequence[RunResult]]
                  ) -> list[RunResult]:
    if isinstance(results, Mapping):
        return [r for group in results.values() for r in group]
    return list(results)


@needs_data
def results_table(results: Sequence[RunResult] | Mapping[str, Sequence[RunResult]], *,
                  target: float = 0.97, metric: str = "val_accuracy") -> str:
    """A plain-text table: final accuracies, wall time, time per epoch and epochs to ``target``.

    ``results`` is a list of :class:`RunResult` or a dict of such lists (e.g. one per
    schedule). "time s" is the wall time of ``model.fit``; "s/epoch" the median epoch time
    without the first epoch, which also builds the graph.
    """
    target = _check_float("target", target, 0.0, 1.0)
    results = _flat_results(results)
    width = max([26] + [len(r.name) + 1 for r in results])
    header = (f"{'run':<{width}} {'train acc':>9} {'val acc':>8} {'test acc':>8} {'time s':>7} "
              f"{'s/epoch':>7} {'epochs to ' + format(target, '.0%'):>15}")
    rows = [header, "-" * len(header)]
    for r in results:
        reached = r.epochs_to(target, metric)
        per_epoch = float(np.median(r.epoch_times[1:] if len(r.epoch_times) > 1
                                    else r.epoch_times))
        rows.append(f"{r.name:<{width}} {r.final('accuracy'):>9.4f} "
                    f"{r.final('val_accuracy'):>8.4f} {r.test_accuracy:>8.4f} "
                    f"{r.wall_time:>7.1f} {per_epoch:>7.2f} "
                    f"{('never' if reached is None else str(reached)):>15}")
    return "\n".join(rows)


def check_band(name: str, value: float, band: tuple[float, float]) -> str:
    """Check that a seeded fast-mode accuracy lies in its stated band; raise if it does not.

    Returns the sentence it checked (for printing). A value outside the band means that the
    lab no longer behaves as it did when the band was measured: an ``AssertionError`` says so.
    """
    lo, hi = band
    if not (0.0 <= lo < hi <= 1.0):
        raise ValueError(f"band must satisfy 0 <= low < high <= 1, got {band!r}")
    text = f"{name}: {value:.4f} in the stated band [{lo:.2f}, {hi:.2f}]"
    if not lo <= value <= hi:
        raise AssertionError(f"{name}: {value:.4f} is outside the stated band [{lo:.2f}, "
                             f"{hi:.2f}] -- the seeded fast-mode run changed behaviour")
    return text


@needs_data
def check_bands(results: Sequence[RunResult], *, fast: bool,
                bands: Mapping[str, tuple[float, float]] | None = None) -> None:
    """In fast mode, :func:`check_band` the test accuracy of every result named in ``bands``
    (default :data:`FAST_MODE_BANDS`) and print the sentences; in full mode just print the
    accuracies (the bands describe the seeded fast runs only)."""
    bands = FAST_MODE_BANDS if bands is None else bands
    for r in results:
        if r.name not in bands:
            continue
        if fast:
            print(check_band(f"{r.name} test accuracy", r.test_accuracy, bands[r.name]))
        else:
            print(f"{r.name} test accuracy: {r.test_accuracy:.4f} (full mode; the fast-mode band "
                  f"[{bands[r.name][0]:.2f}, {bands[r.name][1]:.2f}] does not apply)")


@needs_data
def pipeline_summary(data: LabData, batch_size: int = 128, *, seed: int = 0) -> str:
    """One batch of the training pipeline (shapes, dtypes, value range) and the speed of one
    pass over it without a model, in images per second."""
    ds = data.train_dataset(batch_size, seed=seed)
    x, y = next(iter(ds))
    start = time.perf_counter()
    n = sum(int(xb.shape[0]) for xb, _ in ds)
    seconds = time.perf_counter() - start
    return (f"one batch: x {tuple(x.shape)} {x.dtype.name} in [{float(tf.reduce_min(x)):.1f}, "
            f"{float(tf.reduce_max(x)):.1f}], y {tuple(y.shape)} {y.dtype.name}, first labels "
            f"{y.numpy()[:8].tolist()}\n"
            f"{data.steps_per_epoch(batch_size)} batches per epoch; one pass over {n:,} images "
            f"without a model: {seconds:.3f} s ({n / max(seconds, 1e-9):,.0f} images/s)")


# --------------------------------------------------------------------------- dashboard


def run_styles(names: Sequence[str]) -> dict[str, tuple[str, str, str]]:
    """``{name: (colour, marker, line style)}`` for the runs of one figure.

    An optimizer of the labs (a name in :data:`OPTIMIZER_NAMES`) has the same look in every
    figure, whichever other runs are shown with it; the other runs take the remaining styles
    of :func:`course_utils.plotting.path_style` in order. No two runs of ``names`` look alike.
    """
    from . import plotting

    fixed = {n: OPTIMIZER_NAMES.index(n) for n in names if n in OPTIMIZER_NAMES}
    taken = set(fixed.values())
    free = (i for i in itertools.count() if i not in taken)
    index = {n: fixed[n] if n in fixed else next(free) for n in dict.fromkeys(names)}
    return {n: (*plotting.path_style(i), plotting.path_linestyle(i)) for n, i in index.items()}


class Dashboard:
    """A live figure of training and validation loss and accuracy for several runs.

    One figure with four panels (training loss, validation loss, training accuracy,
    validation accuracy) and one colour per run, like ConvNetJS's trainer comparison. Every run
    gets a Keras callback from :meth:`callback`; at each epoch end it appends the epoch's
    values to its lines -- the same ``Line2D`` objects all along -- and redraws. With
    ``update_every=n`` the training lines also move every ``n`` batches (a temporary last
    point at the fractional epoch, replaced at the epoch's end by the epoch's value).

    In Jupyter the figure is shown once with an IPython display handle and updated in place
    (``handle.update``); elsewhere (a script, a test, a headless ``Agg`` backend) only the
    figure is updated. Redrawing is throttled to one image every ``min_interval`` seconds, plus
    one at the end of every run.

    Parameters
    ----------
    runs : sequence of str
        Names of the runs, in legend order.
    title : str, optional
    update_every : int, optional
        Also update the training curves every this many batches.
    show : bool, optional
        Display in IPython (default: when running inside an IPython kernel).
    min_interval : float, >= 0
        Seconds between two displayed images (a redraw costs about 0.1 s).
    log_loss : bool
        Logarithmic loss axes (slower to draw).

    Examples
    --------
    >>> dash = Dashboard(["sgd", "adam"])                              # doctest: +SKIP
    >>> model.fit(ds, epochs=5, callbacks=[dash.callback("adam")])     # doctest: +SKIP
    """

    METRICS = ("loss", "accuracy")
    SPLITS = ("train", "val")

    def __init__(self, runs: Sequence[str], *, title: str | None = None,
                 update_every: int | None = None, show: bool | None = None,
                 min_interval: float = 1.0, log_loss: bool = False) -> None:
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator

        runs = list(runs)
        if not runs or len(set(runs)) != len(runs) or not all(isinstance(r, str) for r in runs):
            raise ValueError(f"runs must be a non-empty list of distinct names, got {runs!r}")
        if update_every is not None:
            update_every = _check_int("update_every", update_every, 1)
        self.min_interval = _check_float("min_interval", min_interval, 0.0)
        self.runs = runs
        self.update_every = update_every
        # a fixed layout: constrained layout or log axes would triple the cost of a redraw
        self.figure = Figure(figsize=(9, 5.6))
        legend_rows = math.ceil(len(runs) / 9)
        self.figure.subplots_adjust(left=0.07, right=0.98, bottom=0.08,
                                    top=0.86 - 0.045 * legend_rows, hspace=0.25, wspace=0.18)
        grid = self.figure.subplots(2, 2, sharex=True)
        self.axes: dict[tuple[str, str], Any] = {}
        for i, metric in enumerate(self.METRICS):
            for j, split in enumerate(self.SPLITS):
                ax = grid[i, j]
                self.axes[(metric, split)] = ax
                ax.set_title(f"{'training' if split == 'train' else 'validation'} {metric}",
                             fontsize="medium")
                ax.grid(alpha=0.3)
                if metric == "loss" and log_loss:
                    ax.set_yscale("log")
                if i == 1:
                    ax.set_xlabel("epoch")
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        self.lines: dict[str, dict[tuple[str, str], Any]] = {}
        self._data: dict[str, dict[tuple[str, str], list[float]]] = {}
        styles = run_styles(runs)  # strong colours only; an optimizer keeps its colour
        for run in runs:
            colour, marker, style = styles[run]
            self.lines[run] = {}
            self._data[run] = {}
            for key, ax in self.axes.items():
                (line,) = ax.plot([], [], color=colour, marker=marker, ms=3, lw=1.6, ls=style,
                                  label=run if key == ("loss", "train") else None)
                self.lines[run][key] = line
                self._data[run][key] = []
        self.figure.legend(handles=[self.lines[r][("loss", "train")] for r in runs],
                           loc="upper center", bbox_to_anchor=(0.5, 0.95),
                           ncol=min(len(runs), 9), fontsize="small", frameon=False,
                           handlelength=1.6, columnspacing=1.0)
        if title:
            self.figure.suptitle(title, y=0.99)
        if show is None:
            show = _in_ipython_kernel()
        self.show = bool(show)
        self.handle: Any = None
        self.n_draws = 0
        self._last_draw = -math.inf

    def callback(self, run: str) -> keras.callbacks.Callback:
        """The Keras callback that draws run ``run``; pass it to ``model.fit(callbacks=[...])``."""
        if run not in self.lines:
            raise ValueError(f"run must be one of {', '.join(map(repr, self.runs))}; got {run!r}")
        return _DashboardCallback(self, run)

    def values(self, run: str, metric: str, split: str) -> list[float]:
        """The epoch values drawn for ``run`` (e.g. ``values("adam", "loss", "val")``)."""
        return list(self._data[run][(metric, split)])

    # -- internals used by the callback
    def _reset(self, run: str) -> None:
        for key in self.axes:
            self._data[run][key] = []
            self.lines[run][key].set_data([], [])

    def _set_epoch(self, run: str, logs: Mapping[str, Any]) -> None:
        for (metric, split), line in self.lines[run].items():
            name = metric if split == "train" else f"val_{metric}"
            if name in logs:
                self._data[run][(metric, split)].append(float(logs[name]))
            ys = self._data[run][(metric, split)]
            line.set_data(np.arange(1, len(ys) + 1), ys)

    def _set_partial(self, run: str, epoch_fraction: float, logs: Mapping[str, Any]) -> None:
        for metric in self.METRICS:
            if metric not in logs:
                continue
            ys = self._data[run][(metric, "train")]
            xs = list(np.arange(1, len(ys) + 1)) + [epoch_fraction]
            self.lines[run][(metric, "train")].set_data(xs, ys + [float(logs[metric])])

    def redraw(self, *, force: bool = False) -> None:
        """Rescale the axes and, in IPython, update the displayed image (throttled)."""
        now = time.perf_counter()
        if not force and now - self._last_draw < self.min_interval:
            return
        self._last_draw = now
        for ax in self.axes.values():
            ax.relim()
            ax.autoscale_view()
        self.n_draws += 1
        if not self.show:
            return
        from IPython.display import Image, display

        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=96)
        image = Image(data=buffer.getvalue(), format="png")
        if self.handle is None:
            self.handle = display(image, display_id=True)
        else:
            self.handle.update(image)


def _in_ipython_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the lab extras
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


class _DashboardCallback(keras.callbacks.Callback):
    """Feeds one run of a :class:`Dashboard`."""

    def __init__(self, dashboard: Dashboard, run: str) -> None:
        super().__init__()
        self.dashboard = dashboard
        self.run = run
        self._epoch = 0
        self._seen = 0

    def on_train_begin(self, logs: Any = None) -> None:
        self.dashboard._reset(self.run)

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self._epoch = epoch
        self._seen = 0

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        every = self.dashboard.update_every
        if not every or not logs:
            return
        if (batch + 1) // every <= self._seen:
            return
        self._seen = (batch + 1) // every
        steps = (self.params or {}).get("steps") or (batch + 1)
        self.dashboard._set_partial(self.run, self._epoch + (batch + 1) / steps, logs)
        self.dashboard.redraw()

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self.dashboard._set_epoch(self.run, logs or {})
        self.dashboard.redraw()

    def on_train_end(self, logs: Any = None) -> None:
        self.dashboard.redraw(force=True)


# --------------------------------------------------------------------------- memory


def parameter_count(layer_sizes: Sequence[int]) -> int:
    r"""Weights and biases of a fully connected network with these layer widths.

    :math:`\sum_l (n_{l-1} n_l + n_l)`; the lecture's example
    ``parameter_count([784, 32, 20, 10])`` is
    :math:`784\cdot32+32+32\cdot20+20+20\cdot10+10 = 25{,}990`.
    """
    sizes = [_check_int("layer_sizes[i]", s, 1) for s in layer_sizes]
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes needs at least an input and an output width, got {sizes}")
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=False))


@dataclass
class MemoryReport:
    """Bytes of weights, gradients, activations and each optimizer's state (see
    :func:`memory_report`)."""

    n_params: int
    weight_bytes: int
    gradient_bytes: int
    activation_bytes: int
    batch_size: int
    rows: list[dict[str, Any]]

    def __str__(self) -> str:
        out = [
            f"parameters: {self.n_params:,} -> weights {self.weight_bytes:,} bytes, "
            f"gradients {self.gradient_bytes:,} bytes (measured)",
            f"activations kept for backpropagation, batch of {self.batch_size}: "
            f"{self.activation_bytes:,} bytes (measured)",
            "",
            f"{'optimizer':<10} {'state floats':>12} {'x params':>8} {'state bytes':>12} "
            f"{'scalars':>7}  {'weights+grads+state':>19}  lecture",
        ]
        for r in self.rows:
            out.append(f"{r['name']:<10} {r['state_floats']:>12,} {r['slots']:>8} "
                       f"{r['state_bytes']:>12,} {r['scalars']:>7}  "
                       f"{r['total_multiple']:>18}x  {r['lecture']}")
        return "\n".join(out)


_LECTURE_RULE = {0: "2x: weights + gradients", 1: "3x: 'triples' the layer",
                 2: "4x: 'quadruples' the layer"}


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
    batch_size = _check_int("batch_size", batch_size, 1)
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
        slots = floats / n_params
        rows.append({"name": name, "state_floats": floats, "slots": f"{slots:g}",
                     "state_bytes": nbytes, "scalars": len(scalars),
                     "scalar_names": [v.name for v in scalars],
                     "total_multiple": f"{2 + slots:g}",
                     "lecture": _LECTURE_RULE.get(round(slots), "")})
    return MemoryReport(n_params, weight_bytes, gradient_bytes, activation_bytes, batch_size, rows)


# --------------------------------------------------------------------------- custom optimizers


@needs_data
def train_with_tape(model: keras.Model, optimizer: keras.optimizers.Optimizer,
                    batches: Iterable[tuple[Any, Any]] | LabData, *, steps: int,
                    compiled: bool = True, batch_size: int = 128, seed: int = 0) -> list[float]:
    """Train with a hand-written loop: forward pass on a ``tf.GradientTape``, gradient,
    ``optimizer.apply_gradients``. Returns the loss of each step.

    ``batches`` is any iterable of ``(x, y)`` batches (restarted when exhausted) or a
    :class:`LabData`, whose training pipeline is used with ``batch_size`` and ``seed``.
    ``compiled`` wraps the step in ``tf.function`` (a graph, as ``model.fit`` does); eager
    steps are slower but show Python errors of a new optimizer where they happen.
    """
    steps = _check_int("steps", steps, 1)
    if isinstance(batches, LabData):
        batches = batches.train_dataset(batch_size, seed=seed)
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    variables = model.trainable_variables

    def step(x: Any, y: Any) -> Any:
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(grads, variables, strict=True))
        return loss

    if compiled:
        step = tf.function(step)
    losses = []
    iterator = iter(batches)
    for _ in range(steps):
        try:
            x, y = next(iterator)
        except StopIteration:
            iterator = iter(batches)
            x, y = next(iterator)
        losses.append(float(step(x, y)))
    return losses


def _adam_variants(g: np.ndarray, lr: float, b1: float, b2: float, eps: float
                   ) -> dict[str, np.ndarray]:
    """Updates (T, k) of Adam and of its usual mistakes for the gradient sequence ``g``."""

    def run(kind: str) -> np.ndarray:
        beta1, beta2 = (b2, b1) if kind == "betas_swapped" else (b1, b2)
        m = np.zeros(g.shape[1])
        v = np.zeros(g.shape[1])
        out = []
        for t, gt in enumerate(g, start=1):
            if kind == "weights_swapped":
                m = beta1 * gt + (1 - beta1) * m
                v = beta2 * gt**2 + (1 - beta2) * v
            else:
                m = beta1 * m + (1 - beta1) * gt
                v = beta2 * v + (1 - beta2) * gt**2
            c1 = 1 - beta1**t
            c2 = 1 - beta2**t
            if kind in ("keras", "sign", "betas_swapped", "weights_swapped"):
                step = lr * math.sqrt(c2) / c1 * m / (np.sqrt(v) + eps)
            elif kind == "textbook":
                step = lr * (m / c1) / (np.sqrt(v / c2) + eps)
            elif kind == "eps_inside_sqrt":
                step = lr * (m / c1) / np.sqrt(v / c2 + eps)
            elif kind == "eps_inside_sqrt_keras":
                step = lr * math.sqrt(c2) / c1 * m / np.sqrt(v + eps)
            elif kind == "no_bias_correction":
                step = lr * m / (np.sqrt(v) + eps)
            elif kind == "only_m_corrected":
                step = lr * (m / c1) / (np.sqrt(v) + eps)
            elif kind == "only_v_corrected":
                step = lr * m / (np.sqrt(v / c2) + eps)
            elif kind == "no_sqrt":
                step = lr * (m / c1) / (v / c2 + eps)
            else:  # pragma: no cover
                raise AssertionError(kind)
            out.append(step if kind == "sign" else -step)
        return np.array(out)

    kinds = ("keras", "textbook", "eps_inside_sqrt", "eps_inside_sqrt_keras",
             "no_bias_correction", "only_m_corrected", "only_v_corrected", "sign",
             "betas_swapped", "weights_swapped", "no_sqrt")
    return {k: run(k) for k in kinds}


def _rmsprop_variants(g: np.ndarray, lr: float, rho: float, eps: float) -> dict[str, np.ndarray]:
    """Updates (T, k) of Keras's RMSprop and of its usual mistakes."""

    def run(kind: str) -> np.ndarray:
        v = np.zeros(g.shape[1])
        out = []
        for gt in g:
            if kind == "rho_swapped":
                v = (1 - rho) * v + rho * gt**2
            elif kind == "no_decay":
                v = v + gt**2
            else:
                v = rho * v + (1 - rho) * gt**2
            if kind == "eps_outside_sqrt":
                step = lr * gt / (np.sqrt(v) + eps)
            elif kind == "no_sqrt":
                step = lr * gt / (v + eps)
            else:
                step = lr * gt / np.sqrt(v + eps)
            out.append(step if kind == "sign" else -step)
        return np.array(out)

    kinds = ("keras", "eps_outside_sqrt", "rho_swapped", "no_decay", "sign", "no_sqrt")
    return {k: run(k) for k in kinds}


_HINTS = {
    "keras": "Correct: your updates match Keras's to float32 precision.",
    "textbook": (
        "Correct Adam in the paper's Algorithm 1 form: eps is added to sqrt(v_hat). Keras adds "
        "it to sqrt(v) and folds both bias corrections into the step size, "
        "alpha_t = lr*sqrt(1-beta_2^t)/(1-beta_1^t), the paper's 'more efficient' order; the "
        "two differ only for tiny gradients (|g| ~ eps). Use that form to match Keras exactly."),
    "eps_inside_sqrt": (
        "epsilon is inside the square root: sqrt(v_hat + eps). It belongs outside, "
        "sqrt(v_hat) + eps (Keras: sqrt(v) + eps); inside, it damps every small gradient "
        "by a factor 1/sqrt(eps) ~ 3000 too much."),
    "eps_inside_sqrt_keras": (
        "epsilon is inside the square root: sqrt(v + eps). Adam adds it outside: "
        "sqrt(v) + eps."),
    "no_bias_correction": (
        "the bias correction is missing: m and v start at 0, so early on they are too small "
        "by the factors (1 - beta_1^t) and (1 - beta_2^t). Divide by them (Keras folds both "
        "into alpha_t = lr*sqrt(1 - beta_2^t)/(1 - beta_1^t)), with t = iterations + 1."),
    "only_m_corrected": "only m is bias-corrected; v needs its factor 1/(1 - beta_2^t) too.",
    "only_v_corrected": "only v is bias-corrected; m needs its factor 1/(1 - beta_1^t) too.",
    "sign": ("sign error: the variable moves *up* the gradient. Subtract the step "
             "(self.assign_sub) instead of adding it."),
    "betas_swapped": ("beta_1 and beta_2 are swapped: beta_1 = 0.9 averages the gradient g, "
                      "beta_2 = 0.999 averages its square g*g."),
    "weights_swapped": ("the weights of the moving averages are swapped: the new gradient gets "
                        "(1 - beta), the old average beta: m <- beta_1*m + (1 - beta_1)*g."),
    "no_sqrt": "the denominator needs the square root of v (an RMS), not v itself.",
    "eps_outside_sqrt": ("epsilon is outside the square root; Keras's RMSprop divides by "
                         "sqrt(v + eps), with eps inside."),
    "rho_swapped": ("rho and 1 - rho are swapped: the running average keeps rho = 0.9 of the "
                    "old value, v <- rho*v + (1 - rho)*g*g."),
    "no_decay": ("v only grows: that is AdaGrad's sum of squares. RMSProp decays it: "
                 "v <- rho*v + (1 - rho)*g*g."),
}

_ACCEPTED = {"keras", "textbook"}


@dataclass
class CheckResult:
    """The verdict of :func:`check_optimizer`.

    Attributes
    ----------
    passed : bool
    reference : str
        ``"adam"`` or ``"rmsprop"``.
    max_abs_diff : float
        Largest difference between the weights trained with the candidate and with Keras's
        built-in optimizer, over all weights and steps (NaN if the candidate failed).
    step_diffs : list of float
        The largest difference after each training step.
    matched : str or None
        Which implementation the candidate's updates match on the probe: ``"keras"``,
        ``"textbook"`` or one of the usual mistakes (``"no_bias_correction"``, ...).
    probe_errors : dict of str -> float
        Largest probe difference (in units of the learning rate) to each known variant.
    hint : str
    """

    passed: bool
    reference: str
    max_abs_diff: float
    step_diffs: list[float]
    matched: str | None
    probe_errors: dict[str, float]
    hint: str
    data_source: str = "MNIST"

    def __str__(self) -> str:
        verdict = "PASSED" if self.passed else "NOT YET"
        if not self.step_diffs:
            return f"{verdict} ({self.reference}): {self.hint}"
        diffs = ", ".join(f"{d:.1e}" for d in self.step_diffs)
        return (f"{verdict} ({self.reference}): largest weight difference to "
                f"keras.optimizers.{_KERAS_CLASS[self.reference]} after "
                f"{len(self.step_diffs)} steps on {self.data_source} = {self.max_abs_diff:.2e} "
                f"(per step: {diffs})\n{self.hint}")


_KERAS_CLASS = {"adam": "Adam", "rmsprop": "RMSprop"}


def _instantiate(candidate: Any, learning_rate: float) -> keras.optimizers.Optimizer:
    opt = candidate(learning_rate=learning_rate)
    if not isinstance(opt, keras.optimizers.Optimizer):
        raise ValueError("candidate must be a keras.optimizers.Optimizer subclass or a callable "
                         f"returning one, got {type(opt).__name__}")
    return opt


def _probe_gradients(steps: int) -> np.ndarray:
    """A fixed gradient sequence, shape (steps, 14): magnitudes 1e-7..1 with changing signs."""
    scales = np.repeat(10.0 ** -np.arange(7), 2)
    t = np.arange(steps)[:, None]
    i = np.arange(len(scales))[None, :]
    return scales * (1.0 + 0.5 * np.sin(1.3 * t + i)) * np.where((t + i) % 3 == 0, -1.0, 1.0)


def _probe(opt: keras.optimizers.Optimizer, g: np.ndarray) -> np.ndarray:
    var = keras.Variable(np.zeros(g.shape[1], np.float32), name="probe")
    before = var.numpy().astype(np.float64)
    out = []
    for gt in g:
        opt.apply_gradients([(tf.constant(gt, tf.float32), var)])
        now = var.numpy().astype(np.float64)
        out.append(now - before)
        before = now
    return np.array(out)


def check_optimizer(candidate: Any, reference: str = "adam", *, data: LabData | None = None,
                    steps: int = 5, learning_rate: float = 0.01, batch_size: int = 64,
                    seed: int = 0, atol: float = 1e-5) -> CheckResult:
    r"""Check a hand-written optimizer against Keras's built-in one.

    Two tests, both from the same starting point:

    1. **Training**: the lecture's network (784 -> 32 sigmoid -> 10) is built once; a copy is
       trained for ``steps`` steps with the candidate and another with
       ``keras.optimizers.Adam`` (or ``RMSprop``) and the same hyperparameters, on the same
       MNIST batches, in :func:`train_with_tape`'s ``tf.GradientTape`` loop. The largest weight
       difference after each step is reported.
    2. **Probe** (for the diagnosis): one variable receives a fixed sequence of gradients
       spanning magnitudes :math:`10^{-7}` to 1. Its updates are compared with Adam and with
       its usual mistakes -- no bias correction, :math:`\epsilon` inside the square root, a
       sign error, :math:`\beta_1 \leftrightarrow \beta_2`, ... (for RMSprop: :math:`\epsilon`
       outside the root, :math:`\rho \leftrightarrow 1-\rho`, no decay, ...) -- computed in
       float64. The closest one within 1 % of the learning rate names the mistake in the hint.

    The candidate passes when its probe updates match Keras's form (or, for Adam, the paper's
    Algorithm 1, which differs only in where :math:`\epsilon` enters) and, for Keras's form,
    the training difference is at most ``atol``.

    Parameters
    ----------
    candidate : class or callable
        Called as ``candidate(learning_rate=...)``; must return a
        ``keras.optimizers.Optimizer``. Its ``beta_1``, ``beta_2``, ``epsilon`` (Adam) or
        ``rho``, ``epsilon`` (RMSprop) attributes, if present, are given to the built-in.
    reference : {"adam", "rmsprop"}
    data : LabData, optional
        MNIST batches for the training test (default: the first MNIST images).
    steps : int, 1..100
    learning_rate : float, > 0
    batch_size : int
    seed : int
        Seeds the network's initial weights.
    atol : float, > 0
        Tolerance on the training difference.

    Returns
    -------
    CheckResult
        Also for a template that still raises ``NotImplementedError`` (``passed=False`` with a
        hint); other exceptions of the candidate propagate, with their traceback.
    """
    reference = _check_choice("reference", reference, ("adam", "rmsprop"))
    steps = _check_int("steps", steps, 1, 100)
    lr = _check_float("learning_rate", learning_rate, 0.0, low_open=True)
    batch_size = _check_int("batch_size", batch_size, 1)
    atol = _check_float("atol", atol, 0.0, low_open=True)
    try:
        probe_opt = _instantiate(candidate, lr)
        hyper = {k: float(getattr(probe_opt, k)) for k in
                 (("beta_1", "beta_2", "epsilon") if reference == "adam" else ("rho", "epsilon"))
                 if isinstance(getattr(probe_opt, k, None), (int, float))}
        builtin_cls = getattr(keras.optimizers, _KERAS_CLASS[reference])
        g = _probe_gradients(8)
        got = _probe(probe_opt, g)
    except NotImplementedError as exc:
        return CheckResult(False, reference, float("nan"), [], None, {},
                           f"Not implemented yet ({exc or 'NotImplementedError'}): fill in "
                           "build() and update_step(), then run this cell again.")

    # -- probe: which implementation do the updates match?
    defaults = builtin_cls(learning_rate=lr)
    if reference == "adam":
        b1 = hyper.get("beta_1", defaults.beta_1)
        b2 = hyper.get("beta_2", defaults.beta_2)
        eps = hyper.get("epsilon", defaults.epsilon)
        variants = _adam_variants(g, lr, b1, b2, eps)
    else:
        variants = _rmsprop_variants(g, lr, hyper.get("rho", defaults.rho),
                                     hyper.get("epsilon", defaults.epsilon))
    finite = bool(np.all(np.isfinite(got)))
    errors = {k: (float(np.max(np.abs(got - v))) / lr if finite else float("inf"))
              for k, v in variants.items()}
    best = min(errors, key=errors.get)
    matched = best if errors[best] <= 1e-2 else None

    # -- training on MNIST in a GradientTape loop, candidate vs built-in
    n = batch_size * steps
    source = "MNIST"
    if isinstance(data, LabData) and len(data.x_train) >= n:
        x, y = data.x_train[:n], data.y_train[:n]
    else:
        try:
            (x, y), _ = load_mnist(flatten=True, normalize=True, subset=(n, 1))
        except (FileNotFoundError, MnistFileError):
            rng = np.random.default_rng(seed)  # the optimizer's arithmetic needs no real digits
            x = rng.random((n, 784), dtype=np.float32)
            y = rng.integers(0, 10, n)
            source = "random images (MNIST is not available)"
    batches = [(tf.constant(x[i:i + batch_size]), tf.constant(y[i:i + batch_size], tf.int32))
               for i in range(0, batch_size * steps, batch_size)]
    net = lecture_model(seed=seed)
    initial = net.get_weights()
    copies = []
    for opt in (_instantiate(candidate, lr), builtin_cls(learning_rate=lr, **hyper)):
        model = keras.models.clone_model(net)
        model.set_weights(initial)
        copies.append((model, opt))
    step_diffs = []
    for b in batches:
        for model, opt in copies:
            train_with_tape(model, opt, [b], steps=1, compiled=False)
        diff = max(float(np.max(np.abs(a - c))) for a, c in
                   zip(copies[0][0].get_weights(), copies[1][0].get_weights(), strict=True))
        step_diffs.append(diff if math.isfinite(diff) else float("inf"))
    max_diff = max(step_diffs)

    if not finite or not math.isfinite(max_diff):
        hint = ("Your updates contain NaN or inf. A bias correction 1 - beta^t with t = "
                "self.iterations is 0 at the first step: t must be iterations + 1. Also check "
                "for a square root of something negative.")
        return CheckResult(False, reference, max_diff, step_diffs, None, errors, hint, source)
    passed = matched in _ACCEPTED and (matched == "textbook" or max_diff <= atol)
    if matched is not None:
        hint = _HINTS[matched]
        if matched in _ACCEPTED and not passed:
            hint = (f"The probe matches, but training differs by {max_diff:.1e} > atol={atol}: "
                    "do all weights get updated (build() must create one slot per variable)?")
        elif not passed:
            hint = "Hint: " + hint
    else:
        ratio = np.median(np.abs(got).ravel() / np.maximum(np.abs(variants["keras"]).ravel(),
                                                           1e-30))
        same_sign = float(np.mean(np.sign(got) == np.sign(variants["keras"])))
        hint = (f"Hint: the updates match no known variant. On the probe they are "
                f"{ratio:.3g} times Keras's (median) and have the same sign in "
                f"{same_sign:.0%} of the cases. Compare your update_step with the equations "
                "line by line; print the update for a constant gradient g = 1.")
    return CheckResult(bool(passed), reference, max_diff, step_diffs, matched, errors, hint,
                       source)


@dataclass
class ToyComparison:
    """Paths of a ``course_utils`` stepper and the Keras optimizer on one 2-D surface."""

    name: str
    numpy_path: np.ndarray
    keras_path: np.ndarray

    @property
    def max_abs_diff(self) -> float:
        """Largest coordinate difference between the two paths."""
        return float(np.max(np.abs(self.numpy_path - self.keras_path)))


_TOY_KERAS = {"sgd": ("SGD", {}), "momentum": ("SGD", {"momentum": 0.9}),
              "nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}),
              "adagrad": ("Adagrad", {}), "rmsprop": ("RMSprop", {}),
              "adadelta": ("Adadelta", {}), "adam": ("Adam", {}), "adamax": ("Adamax", {}),
              "nadam": ("Nadam", {})}


def compare_with_numpy(name: str, surface: Any, *, learning_rate: float, steps: int = 50,
                       start: Any = None) -> ToyComparison:
    """Run the numpy stepper ``course_utils.optimizers.get(name)`` and the Keras optimizer of
    the same name from the same start on a 2-D ``surface``, in float64.

    Both take the gradient ``surface.grad`` at the current point; Keras updates a float64
    ``keras.Variable`` with ``apply_gradients``.
    """
    name = _check_choice("name", name, OPTIMIZER_NAMES)
    steps = _check_int("steps", steps, 1, 100_000)
    lr = _check_float("learning_rate", learning_rate, 0.0, low_open=True)
    x0 = np.array(surface.start if start is None else start, dtype=np.float64)
    cls, extra = _TOY_KERAS[name]
    stepper = np_optimizers.get(name, learning_rate=lr)
    x = x0.copy()
    state = stepper.init(x)
    ours = [x.copy()]
    for _ in range(steps):
        updates, state = stepper.update(surface.grad(x), state, x)
        x = x + updates
        ours.append(x.copy())
    opt = getattr(keras.optimizers, cls)(learning_rate=lr, **extra)
    var = keras.Variable(x0.copy(), dtype="float64")
    theirs = [x0.copy()]
    for _ in range(steps):
        grad = tf.constant(surface.grad(var.numpy()), tf.float64)
        opt.apply_gradients([(grad, var)])
        theirs.append(var.numpy().copy())
    return ToyComparison(name, np.array(ours), np.array(theirs))


# --------------------------------------------------------------------------- deep networks


def _dense_layers(model: keras.Model) -> list[keras.layers.Dense]:
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]


@needs_data
def gradient_norms(model: keras.Model, data: LabData, *, n: int = 256) -> np.ndarray:
    r"""Size of the loss gradient at each Dense layer, first layer first.

    For layer :math:`l` with kernel :math:`W_l` (:math:`N_l` entries) it returns the root mean
    square of :math:`\partial L/\partial W_l`, :math:`\|\nabla_{W_l} L\| / \sqrt{N_l}`, so that
    layers of different sizes compare; computed on the first ``n`` training images.
    """
    n = _check_int("n", n, 1)
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
    n = _check_int("n", n, 1)
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
    x, y = data.x_train, data.y_train
    if n is not None:
        n = _check_int("n", n, 1, len(x))
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
    clipvalue = _check_float("clipvalue", clipvalue, 0.0, low_open=True)
    clipnorm = _check_float("clipnorm", clipnorm, 0.0, low_open=True)
    g = np.asarray(gradient, dtype=np.float32)
    out = {"gradient": g}
    for key, kwargs in (("clipvalue", {"clipvalue": clipvalue}),
                        ("clipnorm", {"clipnorm": clipnorm})):
        var = keras.Variable(np.zeros_like(g))
        keras.optimizers.SGD(learning_rate=1.0, **kwargs).apply_gradients(
            [(tf.constant(g), var)])
        out[key] = -var.numpy()
    return out


# --------------------------------------------------------------------------- plots


@needs_data
def plot_benchmark_grid(ax: Any, results: Mapping[str, Sequence[RunResult]], *,
                        metric: str = "val_accuracy") -> Any:
    """Heat map of the final ``metric`` of every run: one row per optimizer, one column per
    group of ``results`` (e.g. per schedule). Run names are ``"<optimizer>"`` or
    ``"<optimizer> (<tag>)"`` as :func:`compare` makes them. Returns the image."""
    groups = list(results)
    rows: list[str] = []
    for group in groups:
        for r in results[group]:
            base = r.name.split(" (")[0]
            if base not in rows:
                rows.append(base)
    grid = np.full((len(rows), len(groups)), np.nan)
    for j, group in enumerate(groups):
        for r in results[group]:
            grid[rows.index(r.name.split(" (")[0]), j] = r.final(metric)
    finite = grid[np.isfinite(grid)]
    image = ax.imshow(grid, cmap="viridis", aspect="auto",
                      vmin=float(finite.min()) if finite.size else 0.0,
                      vmax=float(finite.max()) if finite.size else 1.0)
    for (i, j), v in np.ndenumerate(grid):
        if np.isfinite(v):
            ax.text(j, i, f"{v:.3f}", ha="center", va="center", fontsize="small",
                    color="white" if v < np.nanmean(grid) else "black")
    ax.set_xticks(range(len(groups)), groups)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_title(f"final {metric.replace('_', ' ')}")
    return image


@needs_data
def plot_layer_curves(ax: Any, curves: Mapping[str, np.ndarray], *, ylabel: str,
                      log: bool = True) -> list:
    """One line per configuration of a per-layer quantity (gradient RMS, activation spread),
    layer 1 = the layer nearest the input. Returns the lines."""
    lines = []
    styles = run_styles(list(curves))
    for label, values in curves.items():
        colour, marker, style = styles[label]
        values = np.asarray(values, dtype=float)
        (line,) = ax.plot(np.arange(1, len(values) + 1), values, color=colour, marker=marker,
                          ls=style, label=label)
        lines.append(line)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("layer (1 = next to the input)")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    return lines


@needs_data
def plot_histories(axes: Sequence[Any], results: Sequence[RunResult], *,
                   metrics: Sequence[str] = ("loss", "accuracy"),
                   order: Sequence[str] | None = None) -> None:
    """Training (solid) and validation (dashed) curves of finished runs, one axis per metric.

    ``order``: the names whose styles the colours follow, e.g. the runs of the dashboard the
    results come from, so that a run has the same colour here as there (default: the results).
    """
    names = [r.name for r in results]
    styles = run_styles(list(order) + [n for n in names if n not in order] if order else names)
    for ax, metric in zip(axes, metrics, strict=True):
        for r in results:
            colour = styles[r.name][0]
            epochs = np.arange(1, len(r.history[metric]) + 1)
            ax.plot(epochs, r.history[metric], color=colour, label=f"{r.name}")
            ax.plot(epochs, r.history[f"val_{metric}"], color=colour, ls="--")
        ax.set_xlabel("epoch")
        ax.set_title(f"{metric}: training (solid), validation (dashed)", fontsize="medium")
        ax.grid(alpha=0.3)


@needs_data
def plot_augmentation(fig: Any, data: LabData, *, n: int = 8, shift: float = 0.1,
                      rotation_degrees: float = 10.0, copies: int = 2, seed: int = 0) -> None:
    """The first ``n`` training digits (top row) and ``copies`` random shifted and rotated
    versions of each, as :func:`augmentation` makes them while training."""
    n = _check_int("n", n, 1, 32)
    copies = _check_int("copies", copies, 1, 8)
    layer = augmentation(shift, rotation_degrees, seed=seed)
    x = tf.constant(data.x_train[:n])
    rows = [x.numpy()] + [layer(x, training=True).numpy() for _ in range(copies)]
    axes = fig.subplots(len(rows), n, squeeze=False)
    for i, images in enumerate(rows):
        for j in range(n):
            ax = axes[i, j]
            ax.imshow(images[j].reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[i, 0].set_ylabel("original" if i == 0 else f"random {i}", fontsize="small")
