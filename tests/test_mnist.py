"""Tests of course_utils.mnist: the real data, the options, and every failure mode."""

from __future__ import annotations

import hashlib
import shutil

import numpy as np
import pytest

from course_utils import mnist
from course_utils.mnist import DEFAULT_PATH, ENV_VAR, MNIST_SHA256, MnistFileError, load_mnist

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    """The tests decide themselves whether COURSE_MNIST_PATH is set."""
    monkeypatch.delenv(ENV_VAR, raising=False)


@pytest.fixture(scope="module")
def full():
    return load_mnist()


def fake_archive(path, **arrays):
    """An .npz with the right names and, unless overridden, the right layout but zeros."""
    layout = {
        "x_train": np.zeros((60000, 28, 28), np.uint8),
        "y_train": np.zeros(60000, np.uint8),
        "x_test": np.zeros((10000, 28, 28), np.uint8),
        "y_test": np.zeros(10000, np.uint8),
    }
    layout.update(arrays)
    layout = {k: v for k, v in layout.items() if v is not None}
    np.savez_compressed(path, **layout)
    return path


# --------------------------------------------------------------------------------------------
# the real file
# --------------------------------------------------------------------------------------------


def test_default_file_is_the_repository_copy():
    assert DEFAULT_PATH.name == "mnist.npz" and DEFAULT_PATH.parent.name == "data"
    assert (DEFAULT_PATH.parent.parent / "course_utils" / "mnist.py").is_file()
    digest = hashlib.sha256(DEFAULT_PATH.read_bytes()).hexdigest()
    assert digest == MNIST_SHA256


def test_shapes_and_dtypes(full):
    (x_train, y_train), (x_test, y_test) = full
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and y_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and x_test.dtype == np.uint8
    assert y_test.shape == (10000,) and y_test.dtype == np.uint8
    assert x_train.max() == 255 and x_train.min() == 0


def test_it_is_the_real_mnist(full):
    (_, y_train), (_, y_test) = full
    np.testing.assert_array_equal(np.bincount(y_train, minlength=10), TRAIN_COUNTS)
    np.testing.assert_array_equal(np.bincount(y_test, minlength=10), TEST_COUNTS)
    np.testing.assert_array_equal(y_test[:10], [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])


def test_flatten_and_normalize(full):
    (x_train, y_train), (x_test, _) = load_mnist(flatten=True, normalize=True)
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert x_train.dtype == np.float32
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    np.testing.assert_allclose(x_train[3], full[0][0][3].reshape(-1) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y_train, full[0][1])
    (flat, _), _ = load_mnist(flatten=True, subset=(10, 0))
    assert flat.dtype == np.uint8 and flat.shape == (10, 784)


def test_subset_keeps_the_first_examples(full):
    (x_train, y_train), (x_test, y_test) = load_mnist(subset=600)
    assert len(x_train) == len(y_train) == 600
    assert len(x_test) == len(y_test) == 100  # 600 // 6
    np.testing.assert_array_equal(x_train, full[0][0][:600])
    np.testing.assert_array_equal(y_test, full[1][1][:100])
    assert x_train.base is None  # a copy, not a view keeping 47 MB alive
    (_, y_train), (_, y_test) = load_mnist(subset=(5, 3))
    assert len(y_train) == 5 and len(y_test) == 3
    (_, _), (_, y_test) = load_mnist(subset=5)
    assert len(y_test) == 1  # max(5 // 6, 1)
    (_, _), (_, y_test) = load_mnist(subset=60000)
    assert len(y_test) == 10000


@pytest.mark.parametrize(
    "subset, word",
    [
        (0, "subset"),
        (60001, "subset"),
        ((10, -1), "n_test"),
        ((0, 5), "n_train"),
        ((1, 2, 3), "pair"),
        ("all", "subset"),
        (2.5, "subset"),
        ((5, 10001), "n_test"),
    ],
)
def test_subset_is_validated(subset, word):
    with pytest.raises(ValueError, match=word):
        load_mnist(subset=subset)


def test_hash_is_checked_once_per_file_version(monkeypatch):
    calls = []
    real = mnist._sha256
    monkeypatch.setattr(mnist, "_sha256", lambda p: calls.append(p) or real(p))
    monkeypatch.setattr(mnist, "_verified", set())
    load_mnist(subset=10)
    load_mnist(subset=10)
    assert len(calls) == 1
    load_mnist(DEFAULT_PATH, subset=10)  # explicit path: no hash check by default
    assert len(calls) == 1
    load_mnist(DEFAULT_PATH, subset=10, verify=True)  # already verified: cached
    assert len(calls) == 1


def test_env_var_replaces_the_default(monkeypatch, tmp_path):
    copy = tmp_path / "copy.npz"
    shutil.copyfile(DEFAULT_PATH, copy)
    monkeypatch.setenv(ENV_VAR, str(copy))
    (_, y), _ = load_mnist(subset=20)
    np.testing.assert_array_equal(np.bincount(y, minlength=10).sum(), 20)


# --------------------------------------------------------------------------------------------
# failures
# --------------------------------------------------------------------------------------------


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere" / "mnist.npz"
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(path)
    message = str(info.value)
    assert str(path) in message
    assert "git checkout -- data/mnist.npz" in message


def test_missing_file_from_env(monkeypatch, tmp_path):
    path = tmp_path / "gone.npz"
    monkeypatch.setenv(ENV_VAR, str(path))
    with pytest.raises(FileNotFoundError, match=ENV_VAR) as info:
        load_mnist()
    assert str(path) in str(info.value)


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a file"):
        load_mnist(tmp_path)


def test_garbage_bytes(tmp_path):
    path = tmp_path / "mnist.npz"
    path.write_bytes(b"this is not a zip archive at all" * 100)
    with pytest.raises(MnistFileError) as info:
        load_mnist(path)
    assert str(path) in str(info.value)
    assert "git checkout" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_truncated_archive(tmp_path):
    path = tmp_path / "cut.npz"
    data = DEFAULT_PATH.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(MnistFileError, match="cut.npz"):
        load_mnist(path)


def test_wrong_arrays(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, images=np.zeros((3, 28, 28), np.uint8), labels=np.zeros(3, np.uint8))
    with pytest.raises(MnistFileError, match="x_train") as info:
        load_mnist(path)
    assert "images" in str(info.value)


def test_missing_one_array(tmp_path):
    path = fake_archive(tmp_path / "partial.npz", y_test=None)
    with pytest.raises(MnistFileError, match="y_test"):
        load_mnist(path)


@pytest.mark.parametrize(
    "override, word",
    [
        ({"x_train": np.zeros((100, 28, 28), np.uint8)}, "x_train"),
        ({"y_test": np.zeros(10000, np.int64)}, "y_test"),
        ({"x_test": np.zeros((10000, 784), np.uint8)}, "x_test"),
        ({"y_train": np.full(60000, 12, np.uint8)}, "labels above 9"),
    ],
)
def test_wrong_layout(tmp_path, override, word):
    path = fake_archive(tmp_path / "bad.npz", **override)
    with pytest.raises(MnistFileError, match=word):
        load_mnist(path)


def test_single_npy_array(tmp_path):
    path = tmp_path / "array.npy"
    np.save(path, np.zeros(5))
    with pytest.raises(MnistFileError, match="single .npy"):
        load_mnist(path)


def test_pickled_content_is_refused(tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(path, x_train=np.array([{"a": 1}], dtype=object))
    with pytest.raises(MnistFileError, match="pickled.npz"):
        load_mnist(path)


def test_wrong_hash(monkeypatch, tmp_path):
    # the right layout but not MNIST: only the SHA-256 check can tell
    path = fake_archive(tmp_path / "zeros.npz")
    (x, _), _ = load_mnist(path, subset=3)  # explicit path: layout check only
    assert not x.any()
    with pytest.raises(MnistFileError, match="SHA-256") as info:
        load_mnist(path, verify=True)
    assert MNIST_SHA256 in str(info.value) and str(path) in str(info.value)
    monkeypatch.setenv(ENV_VAR, str(path))
    with pytest.raises(MnistFileError, match=ENV_VAR):
        load_mnist()
