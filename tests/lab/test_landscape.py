"""course_utils.lab.landscape: filter-normalised directions, PCA of a path, loss slices."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import lab
from course_utils.lab import landscape as ls

keras = lab.keras


@pytest.fixture(scope="module")
def trained(setup):
    data = lab.load_lab_data(512, 256, 10)
    run = lab.train(lab.lecture_model(seed=0), data, optimizer=keras.optimizers.Adam(0.01),
                    epochs=2, setup=setup, record_every=1, steps_per_execution=1)
    return data, run


def test_flatten_and_unflatten_are_inverse():
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((4, 2))]
    flat = ls.flatten(weights)
    assert flat.shape == (24,)
    for a, b in zip(ls.unflatten(flat, weights), weights, strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="vector"):
        ls.unflatten(flat[:-1], weights)
    with pytest.raises(ValueError, match="weights"):
        ls.flatten([])


def test_filter_normalisation_matches_each_neurons_norm():
    rng = np.random.default_rng(1)
    kernel = rng.standard_normal((20, 5)) * np.arange(1, 6)      # neurons of different sizes
    bias = rng.standard_normal(5)
    d_kernel, d_bias = ls.random_direction([kernel, bias], seed=3)
    np.testing.assert_allclose(np.linalg.norm(d_kernel, axis=0), np.linalg.norm(kernel, axis=0))
    np.testing.assert_array_equal(d_bias, 0.0)                    # biases: no direction
    assert not np.allclose(d_kernel / np.linalg.norm(d_kernel, axis=0),
                           kernel / np.linalg.norm(kernel, axis=0))   # a new direction
    raw = ls.random_direction([kernel, bias], seed=3, filter_normalize=False)[0]
    assert not np.allclose(np.linalg.norm(raw, axis=0), np.linalg.norm(kernel, axis=0))
    again = ls.random_direction([kernel, bias], seed=3)[0]
    np.testing.assert_array_equal(again, d_kernel)               # seeded


def test_pca_of_a_straight_path_has_one_direction():
    start = [np.ones((2, 3)), np.zeros(3)]
    end = [np.zeros((2, 3)), np.ones(3)]
    path = [[(1 - t) * a + t * b for a, b in zip(start, end, strict=True)]
            for t in np.linspace(0, 1, 6)]
    pca = ls.pca_directions(path)
    assert pca.explained[0] == pytest.approx(1.0) and pca.explained[1] == pytest.approx(0.0)
    d1 = ls.flatten(pca.directions[0])
    assert np.linalg.norm(d1) == pytest.approx(1.0)
    # coordinates: the start lies at +|start - end| along PC 1, the end at 0
    assert pca.coords[0, 0] == pytest.approx(np.linalg.norm(ls.flatten(start) - ls.flatten(end)))
    np.testing.assert_allclose(pca.coords[-1], 0.0, atol=1e-12)
    assert np.all(np.diff(pca.coords[:, 0]) < 0)
    with pytest.raises(ValueError, match="at least"):
        ls.pca_directions(path[:2])


def test_evaluator_interpolation_and_slice_agree_with_keras(trained):
    data, run = trained
    model = run.model
    x, y = data.x_val, data.y_val
    ev = ls.LossEvaluator(model, x, y, batch_size=100)             # three uneven batches
    loss, acc = ev(ls.get_weights(model))
    k_loss, k_acc = model.evaluate(x, y, verbose=0)
    assert loss == pytest.approx(k_loss, rel=1e-5) and acc == pytest.approx(k_acc)
    before = ls.get_weights(model)
    alphas = np.array([0.0, 0.5, 1.0])
    losses, accs = ls.interpolate(ev, run.trajectory[0], run.trajectory[-1], alphas)
    assert losses[0] == pytest.approx(ev(run.trajectory[0])[0])
    assert losses[-1] == pytest.approx(loss, rel=1e-6)
    assert losses[0] > losses[-1] + 0.5 and accs[-1] > accs[0]      # training helped
    pca = ls.pca_directions(run.trajectory)
    xs = np.linspace(-1, 1, 3)
    X, Y, Z = ls.loss_surface(ev, run.trajectory[-1], pca.directions, xs, xs)
    assert Z.shape == (3, 3) and Z[1, 1] == pytest.approx(loss, rel=1e-6)
    assert np.all(np.isfinite(Z))
    for a, b in zip(before, ls.get_weights(model), strict=True):
        np.testing.assert_array_equal(a, b)                         # the model is untouched
    with pytest.raises(ValueError, match="two directions"):
        ls.loss_surface(ev, run.trajectory[-1], pca.directions[:1], xs, xs)


def test_slices_and_their_plots(trained, tmp_path):
    from matplotlib.figure import Figure

    data, run = trained
    ev = ls.LossEvaluator(run.model, data.x_val[:128], data.y_val[:128])
    center = run.trajectory[-1]
    plane = ls.random_slice(ev, center, n=5, extent=0.5, seed=1)
    assert plane.Z.shape == (5, 5) and plane.X.max() == pytest.approx(0.5)
    assert plane.Z[2, 2] == pytest.approx(ev(center)[0], rel=1e-6)
    assert plane.Z.max() > plane.Z[2, 2]                # away from the trained weights: worse
    pca = ls.pca_directions(run.trajectory)
    path_plane = ls.pca_slice(ev, center, pca, n=5, margin=1.5)
    assert path_plane.X.max() == pytest.approx(1.5 * np.abs(pca.coords[:, :2]).max())
    np.testing.assert_array_equal(path_plane.coords, pca.coords[:, :2])
    fig = Figure()
    ax1, ax2 = fig.subplots(1, 2)
    assert ls.plot_slice(ax1, plane) and ls.plot_slice(ax2, path_plane)
    alphas = np.linspace(0, 1, 3)
    ls.plot_interpolation(ax1.twinx(), alphas, *ls.interpolate(ev, run.trajectory[0], center,
                                                                alphas))
    fig.savefig(tmp_path / "slices.png")
    with pytest.raises(ValueError, match=r"n must be an integer in \[2, inf\]"):
        ls.random_slice(ev, center, n=1)
    with pytest.raises(ValueError, match=r"extent must be in \(0, inf\]"):
        ls.random_slice(ev, center, extent=0.0)
    with pytest.raises(ValueError, match=r"margin must be in \[1, inf\]"):
        ls.pca_slice(ev, center, pca, margin=0.5)
    with pytest.raises(ValueError, match=r"batch_size must be an integer in \[1, inf\]"):
        ls.LossEvaluator(run.model, data.x_val, data.y_val, batch_size=0)


def test_weight_recorder_counts_steps(trained):
    _, run = trained
    assert len(run.trajectory) == 1 + 2 * 4                         # every step of 2 x 4
    with pytest.raises(ValueError, match=r"every must be an integer in \[1, inf\]"):
        ls.WeightRecorder(every=0)


def test_missing_data_skips_the_landscape(capsys):
    missing = lab.MissingData("MNIST file x does not exist. Restore it")
    assert ls.LossEvaluator(lab.lecture_model(seed=0), missing.x_val, missing.y_val) is missing
    assert ls.pca_directions(missing.trajectory) is missing
    loss, acc = ls.interpolate(missing, missing.trajectory[0], missing.trajectory[-1], [0, 1])
    assert loss is missing and acc is missing                 # unpacking still works
    assert "skipped LossEvaluator(): MNIST is not available (MNIST file x does not exist)" in (
        capsys.readouterr().out)


def test_interpolation_plot_names_its_ends_below_the_axes_not_above():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3.5))
    ax = fig.subplots()
    alphas = np.linspace(-0.5, 1.5, 41)
    lines = ls.plot_interpolation(ax, alphas, (alphas - 1.0) ** 2 + 0.1, 0.5 + 0.4 * alphas / 1.5)
    assert len(lines) == 2
    title = ax.set_title("Validation loss on the straight line from initial to trained weights")
    labels = {t.get_text() for t in ax.get_xticklabels()}
    assert {"0\ninitial", "1\ntrained"} <= labels
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    title_box = title.get_window_extent(renderer)
    for text in ax.texts:  # nothing of the plot's own may collide with the caller's title
        assert not text.get_window_extent(renderer).overlaps(title_box)
