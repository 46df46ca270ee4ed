"""Load the copy of MNIST that ships with the course, offline.

The repository carries the real MNIST database (LeCun, Cortes, Burges) as one NumPy archive,
``data/mnist.npz``, with the array layout of ``keras.datasets.mnist.load_data()``:

============  ====================  =======  ======
array         shape                 dtype    values
============  ====================  =======  ======
``x_train``   ``(60000, 28, 28)``   uint8    0-255
``y_train``   ``(60000,)``          uint8    0-9
``x_test``    ``(10000, 28, 28)``   uint8    0-255
``y_test``    ``(10000,)``          uint8    0-9
============  ====================  =======  ======

:func:`load_mnist` never downloads anything. It reads the archive with
``np.load(path, allow_pickle=False)`` (so a tampered file cannot run code), checks the layout
above and, for the course's own copy, its SHA-256 digest. A missing file raises
:class:`FileNotFoundError`; a damaged or foreign file raises :class:`MnistFileError` (a
:class:`ValueError`); both messages say which file and how to get it back.
"""

from __future__ import annotations

import hashlib
import os
import threading
import zipfile
from pathlib import Path

import numpy as np

from ._validate import check_int

__all__ = [
    "DEFAULT_PATH",
    "ENV_VAR",
    "MNIST_SHA256",
    "MnistFileError",
    "load_mnist",
]

#: The course's copy of MNIST, located relative to this package (``<repo>/data/mnist.npz``).
DEFAULT_PATH: Path = Path(__file__).resolve().parent.parent / "data" / "mnist.npz"

#: If this environment variable is set (and not empty), it replaces :data:`DEFAULT_PATH`.
ENV_VAR = "COURSE_MNIST_PATH"

#: SHA-256 digest of the course's ``data/mnist.npz``.
MNIST_SHA256 = "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64"

_N_TRAIN = 60_000
_N_TEST = 10_000
_EXPECTED = {
    "x_train": (_N_TRAIN, 28, 28),
    "y_train": (_N_TRAIN,),
    "x_test": (_N_TEST, 28, 28),
    "y_test": (_N_TEST,),
}
_RESTORE = (
    "The file ships with the course repository in data/mnist.npz: restore it with "
    "`git checkout -- data/mnist.npz` (or clone the repository again). "
    "Nothing is ever downloaded."
)

# Files whose SHA-256 has already been checked, keyed by (resolved path, mtime_ns, size).
_verified: set[tuple[str, int, int]] = set()
_verified_lock = threading.Lock()


class MnistFileError(ValueError):
    """The MNIST file exists but is damaged or is not the expected MNIST archive."""


def _advice(path: Path, source: str) -> str:
    if source == "env":
        return (
            f"{ENV_VAR} points to {path}; fix or unset it to use the course's copy "
            f"({DEFAULT_PATH}). " + _RESTORE
        )
    if source == "default":
        return _RESTORE
    return (
        "Pass the path of an intact MNIST .npz file, or path=None to use the course's copy. "
        + _RESTORE
    )


def _resolve(path: str | os.PathLike[str] | None) -> tuple[Path, str]:
    """Return the file to read and where its name came from: 'default', 'env' or 'argument'."""
    if path is not None:
        return Path(path).expanduser(), "argument"
    env = os.environ.get(ENV_VAR, "")
    if env:
        return Path(env).expanduser(), "env"
    return DEFAULT_PATH, "default"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify_hash(path: Path, source: str) -> None:
    """Check the SHA-256 of ``path`` once per (path, mtime, size)."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    with _verified_lock:
        if key in _verified:
            return
    actual = _sha256(path)
    if actual != MNIST_SHA256:
        raise MnistFileError(
            f"{path} is not the course's MNIST file: its SHA-256 is {actual}, "
            f"expected {MNIST_SHA256} (the file is damaged or was replaced). "
            + _advice(path, source)
        )
    with _verified_lock:
        _verified.add(key)


def _read(path: Path, source: str) -> dict[str, np.ndarray]:
    """Read the four arrays and check their names, shapes, dtypes and label range."""
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise MnistFileError(
            f"{path} could not be read as an MNIST .npz archive ({type(exc).__name__}: {exc}). "
            + _advice(path, source)
        ) from exc
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise MnistFileError(
            f"{path} holds a single .npy array, not an .npz archive with the arrays "
            f"{', '.join(_EXPECTED)}. " + _advice(path, source)
        )
    with archive:
        missing = [k for k in _EXPECTED if k not in archive.files]
        if missing:
            raise MnistFileError(
                f"{path} lacks the array(s) {', '.join(missing)} (it holds "
                f"{', '.join(archive.files) or 'nothing'}); it is not an MNIST archive. "
                + _advice(path, source)
            )
        try:
            arrays = {k: archive[k] for k in _EXPECTED}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
            raise MnistFileError(
                f"{path}: an array could not be read ({type(exc).__name__}: {exc}). "
                + _advice(path, source)
            ) from exc
    for key, shape in _EXPECTED.items():
        arr = arrays[key]
        if arr.shape != shape or arr.dtype != np.uint8:
            raise MnistFileError(
                f"{path}: array {key} has shape {arr.shape} and dtype {arr.dtype}, expected "
                f"shape {shape} and dtype uint8. " + _advice(path, source)
            )
    for key in ("y_train", "y_test"):
        if arrays[key].max() > 9:
            raise MnistFileError(
                f"{path}: {key} holds labels above 9 (max {arrays[key].max()}). "
                + _advice(path, source)
            )
    return arrays


def _subset_sizes(subset: int | tuple[int, int] | None) -> tuple[int, int]:
    if subset is None:
        return _N_TRAIN, _N_TEST
    if isinstance(subset, (tuple, list)):
        if len(subset) != 2:
            raise ValueError(
                f"subset must be an int n_train or a pair (n_train, n_test), got {subset!r}"
            )
        n_train = check_int("subset[0] (n_train)", subset[0], low=1, high=_N_TRAIN)
        n_test = check_int("subset[1] (n_test)", subset[1], low=0, high=_N_TEST)
        return n_train, n_test
    n_train = check_int("subset", subset, low=1, high=_N_TRAIN)
    return n_train, min(max(n_train // 6, 1), _N_TEST)


def load_mnist(
    path: str | os.PathLike[str] | None = None,
    *,
    flatten: bool = False,
    normalize: bool = False,
    subset: int | tuple[int, int] | None = None,
    verify: bool | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load MNIST from the local archive, like ``keras.datasets.mnist.load_data()``.

    Parameters
    ----------
    path : str or path-like, optional
        The ``.npz`` file to read. By default the environment variable ``COURSE_MNIST_PATH``
        if it is set, otherwise the course's copy ``<repo>/data/mnist.npz``.
    flatten : bool, default False
        Return images as rows of 784 pixels, shape ``(n, 784)``, instead of ``(n, 28, 28)``.
    normalize : bool, default False
        Return images as ``float32`` in ``[0, 1]`` (pixel / 255) instead of ``uint8`` in
        ``[0, 255]``. Labels stay ``uint8``.
    subset : int or (int, int), optional
        Keep only the *first* examples of each split (deterministic, no shuffling): a pair
        ``(n_train, n_test)`` with ``1 <= n_train <= 60000`` and ``0 <= n_test <= 10000``, or
        an int ``n_train``, which keeps the test set in the same 6 : 1 proportion,
        ``n_test = max(n_train // 6, 1)``.
    verify : bool, optional
        Check the file's SHA-256 against :data:`MNIST_SHA256`. By default this is done when
        ``path`` is not given (the course's copy or ``COURSE_MNIST_PATH``), and skipped for an
        explicit ``path``. The check runs once per file version (path, mtime, size) per
        process. The layout (array names, shapes, dtypes, labels 0-9) is always checked.

    Returns
    -------
    (x_train, y_train), (x_test, y_test) : tuple of tuples of ndarray
        Images and labels, copies owned by the caller.

    Raises
    ------
    FileNotFoundError
        The file does not exist (the message says how to restore it).
    MnistFileError
        The file is unreadable, has the wrong digest or the wrong arrays.
    ValueError
        An argument is invalid.
    """
    n_train, n_test = _subset_sizes(subset)
    file, source = _resolve(path)
    if not file.is_file():
        what = "does not exist" if not file.exists() else "is not a file"
        raise FileNotFoundError(f"MNIST file {file} {what}. " + _advice(file, source))
    if verify is None:
        verify = source != "argument"
    if verify:
        _verify_hash(file, source)
    arrays = _read(file, source)

    def prepare(x: np.ndarray, y: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        if n < len(y):
            x, y = x[:n], y[:n].copy()
            if not normalize:
                x = x.copy()  # do not keep the full array alive behind a view
        if flatten:
            x = x.reshape(n, 28 * 28)
        if normalize:
            x = x.astype(np.float32) / np.float32(255.0)
        return x, y

    train = prepare(arrays["x_train"], arrays["y_train"], n_train)
    test = prepare(arrays["x_test"], arrays["y_test"], n_test)
    return train, test
