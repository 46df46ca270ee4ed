"""course_utils.lab.data and the labs without data: MNIST splits, the tf.data pipeline,
MissingData."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import lab, load_mnist
from course_utils.mnist import MnistFileError

keras = lab.keras


def test_lab_data_splits_like_validation_split(tiny):
    (x, y), (xt, yt) = load_mnist(flatten=True, normalize=True)
    assert tiny.x_train.shape == (512, 784) and tiny.x_train.dtype == np.float32
    assert tiny.y_train.dtype == np.int32 and tiny.x_train.max() <= 1.0
    np.testing.assert_array_equal(tiny.x_train, x[:512])
    np.testing.assert_array_equal(tiny.x_val, x[-128:])      # the last images, like Keras
    np.testing.assert_array_equal(tiny.y_test, yt[:256])
    assert tiny.steps_per_epoch(128) == 4 and tiny.steps_per_epoch(100) == 6
    assert len(tiny.subset(100).x_train) == 100


def test_missing_or_corrupt_file_gives_a_message_and_the_helpers_skip(tmp_path, capsys):
    missing = lab.load_lab_data(100, 10, 10, path=tmp_path / "nowhere.npz")
    out = capsys.readouterr().out
    assert isinstance(missing, lab.MissingData) and not missing
    assert "does not exist" in out and "skipped" in out
    # a null object: results made from it are the same object, and helpers skip
    assert missing.x_train[:10] is missing and len(missing) == 0 and list(missing) == []
    model = lab.lecture_model(seed=0)
    result = lab.train(model, missing, optimizer=keras.optimizers.SGD(), epochs=1)
    assert result is missing
    assert lab.results_table({"constant": [result]}) is missing
    assert f"{result.test_accuracy:.3f}" == repr(missing)
    assert "skipped train()" in capsys.readouterr().out

    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(b"this is not a zip archive")
    assert isinstance(lab.load_lab_data(100, 10, 10, path=corrupt), lab.MissingData)
    with pytest.raises(MnistFileError):
        lab.load_lab_data(100, 10, 10, path=corrupt, missing_ok=False)
    with pytest.raises(FileNotFoundError):
        lab.load_lab_data(100, 10, 10, path=tmp_path / "nowhere.npz", missing_ok=False)


def test_missing_data_answers_only_the_names_of_what_it_stands_in_for():
    missing = lab.MissingData("MNIST file x does not exist. Restore it")
    # what the labs read from data, runs, PCA results and arrays when there is no MNIST
    for name in ("x_train", "y_val", "subset", "steps_per_epoch", "trajectory", "model",
                 "best_epoch", "test_accuracy", "explained", "coords", "round", "shape"):
        assert getattr(missing, name) is missing, name
    assert missing.subset(10).x_train[:3] is missing
    # a misspelt name fails as it would on the real object, instead of printing "skipped"
    for typo in ("x_trian", "trajectroy", "test_acuracy"):
        with pytest.raises(AttributeError, match=typo):
            getattr(missing, typo)
    with pytest.raises(AttributeError):
        missing._repr_html_                   # noqa: B018 - IPython falls back to repr
    assert repr(missing) == "(skipped: MNIST is not available)"
    # arithmetic on a missing result stays missing (a ratio printed by lab 09, for example)
    assert missing[0] / missing[-1] is missing and 2 * missing - 1 is missing
    assert f"{missing[0] / missing[-1]:.1e}" == repr(missing)


def test_pipeline_reshuffles_every_epoch_with_a_seed():
    x = np.arange(50, dtype=np.float32)[:, None]
    y = np.arange(50)
    ds = lab.make_dataset(x, y, batch_size=8, seed=3)
    epochs = [np.concatenate([yb.numpy() for _, yb in ds]) for _ in range(2)]
    for order in epochs:
        assert sorted(order.tolist()) == list(range(50))     # every image once per epoch
    assert not np.array_equal(epochs[0], epochs[1])          # a new order each epoch
    again = lab.make_dataset(x, y, batch_size=8, seed=3)
    np.testing.assert_array_equal(np.concatenate([yb.numpy() for _, yb in again]), epochs[0])
    for xb, yb in ds.take(2):
        np.testing.assert_array_equal(xb.numpy()[:, 0], yb.numpy())   # pairs stay together
    ordered = lab.make_dataset(x, y, batch_size=8, shuffle=False)
    np.testing.assert_array_equal(np.concatenate([yb.numpy() for _, yb in ordered]), y)


def test_pipeline_summary_describes_one_batch(tiny):
    text = lab.pipeline_summary(tiny, 128, seed=0)
    assert "x (128, 784) float32" in text and "4 batches per epoch" in text


@pytest.mark.parametrize(("call", "message"), [
    (lambda: lab.load_lab_data(n_train=0), r"n_train must be an integer in \[1, "),
    (lambda: lab.load_lab_data(n_val=40_000), r"n_val must be an integer in \[1, 30000\]"),
    (lambda: lab.make_dataset(np.zeros((4, 2)), np.zeros(4), batch_size=0),
     r"batch_size must be an integer in \[1, inf\]"),
    (lambda: lab.make_dataset(np.zeros((4, 2)), np.zeros(3)), "same length"),
])
def test_invalid_arguments_raise_value_error_naming_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()
