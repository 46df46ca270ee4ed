"""The labs' data: MNIST split like Keras's ``validation_split`` and the ``tf.data`` pipeline.

:func:`load_lab_data` reads the course's MNIST with :func:`course_utils.load_mnist` (never
downloads). When the file is missing or damaged it returns a
:class:`~course_utils.lab._runtime.MissingData` that says why; every helper that needs data
then prints a one-line "skipped" message and returns it, so the cells that do not need MNIST
still run. :func:`make_dataset` turns arrays into the lab's input pipeline.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass

import numpy as np

from .._validate import check_choice, check_int
from ..mnist import MnistFileError, load_mnist
from ._runtime import MissingData, needs_data, stands_in_for, tf

__all__ = ["LabData", "load_lab_data", "make_dataset", "pipeline_summary"]


@stands_in_for
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
        batch_size = check_int("batch_size", batch_size, low=1)
        return math.ceil(len(self.x_train) / batch_size)

    def train_dataset(self, batch_size: int = 128, *, seed: int = 0,
                      shuffle: bool = True) -> tf.data.Dataset:
        """The training pipeline of :func:`make_dataset`."""
        return make_dataset(self.x_train, self.y_train, batch_size=batch_size, shuffle=shuffle,
                            seed=seed)

    def eval_dataset(self, split: str = "val", batch_size: int = 1024) -> tf.data.Dataset:
        """Validation (``"val"``) or test (``"test"``) images in order, batched and cached."""
        split = check_choice("split", split, ("val", "test", "train"))
        x, y = {"val": (self.x_val, self.y_val), "test": (self.x_test, self.y_test),
                "train": (self.x_train, self.y_train)}[split]
        return make_dataset(x, y, batch_size=batch_size, shuffle=False)

    def subset(self, n_train: int) -> LabData:
        """The first ``n_train`` training images with the same validation and test sets."""
        n_train = check_int("n_train", n_train, low=1, high=len(self.x_train))
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
    n_val = check_int("n_val", n_val, low=1, high=30_000)
    n_train = check_int("n_train", n_train, low=1, high=60_000 - n_val)
    n_test = check_int("n_test", n_test, low=1, high=10_000)
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
    batch_size = check_int("batch_size", batch_size, low=1)
    seed = check_int("seed", seed, low=0, high=2**31 - 1)
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
