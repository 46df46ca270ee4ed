"""The runner: histories, divergence, sweeps over grids."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import course_utils
import course_utils as cu
from course_utils import optimizers, run, surfaces, sweep
from course_utils.optimizers import add_noise, chain, clip_by_norm, sgd


@pytest.fixture(scope="module")
def ravine():
    return surfaces.get("ravine", condition=20.0)


def _errors_on_warnings():
    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("error")
    return ctx


def test_package_top_exports():
    assert course_utils.run is run and course_utils.sweep is sweep


def test_shapes_for_one_point_a_list_and_a_grid(ravine):
    for start, batch in [(ravine.start, ()), (np.zeros((5, 2)) + ravine.start, (5,)),
                         (np.zeros((3, 4, 2)) + ravine.start, (3, 4))]:
        traj = run(sgd(0.1), ravine, start, 25)
        assert traj.points.shape == (26, *batch, 2)
        assert traj.losses.shape == (26, *batch)
        assert traj.grad_norms.shape == (26, *batch)
        assert traj.diverged_at.shape == batch
        np.testing.assert_array_equal(traj.points[0], np.broadcast_to(ravine.start, (*batch, 2)))


def test_history_is_plain_gradient_descent(ravine):
    traj = run(sgd(0.3), ravine, ravine.start, 10)
    x = np.array(ravine.start, dtype=float)
    for k in range(1, 11):
        x = x - 0.3 * ravine.grad(x)
        np.testing.assert_allclose(traj.points[k], x, rtol=1e-14)
        np.testing.assert_allclose(traj.losses[k], ravine.f(x), rtol=1e-14)
        np.testing.assert_allclose(traj.grad_norms[k], np.linalg.norm(ravine.grad(x)),
                                   rtol=1e-14)


def test_zero_steps(ravine):
    traj = run(optimizers.adam(0.1), ravine, ravine.start, 0)
    assert traj.points.shape == (1, 2) and traj.diverged_at == -1


def test_convergence_on_the_ravine(ravine):
    """Momentum reaches the minimum; with the same step plain SGD is still crawling."""
    traj_m = run(optimizers.momentum(0.5, 0.9), ravine, ravine.start, 300)
    traj_s = run(sgd(0.5), ravine, ravine.start, 300)
    gap_m = traj_m.losses[-1] - ravine.f_min
    gap_s = traj_s.losses[-1] - ravine.f_min
    assert gap_m < 1e-8
    assert gap_s > 100 * gap_m


def test_divergence_is_marked_frozen_and_silent(ravine):
    ctx = _errors_on_warnings()
    try:
        traj = run(sgd(2.5), ravine, ravine.start, 400)
    finally:
        ctx.__exit__(None, None, None)
    k = int(traj.diverged_at)
    assert 0 < k < 400
    assert traj.status() == f"diverged at step {k}"
    # frozen from step k on, at a finite point
    assert np.all(traj.points[k:] == traj.points[k])
    assert np.all(np.isfinite(traj.points))
    # before k it was inside the escape box
    half = (ravine.xlim[1] - ravine.xlim[0]) / 2
    assert np.all(np.abs(traj.points[:k]) <= 10 * half + abs(np.mean(ravine.xlim)))


def test_overflow_to_nan_is_silent_and_keeps_last_finite_point(ravine):
    ctx = _errors_on_warnings()
    try:
        traj = run(sgd(1e200), ravine, ravine.start, 5)
        result = sweep(sgd(np.array([1e200, 0.1])), ravine, ravine.start, 5)
    finally:
        ctx.__exit__(None, None, None)
    assert traj.diverged_at == 1
    assert np.all(np.isfinite(traj.points))
    assert list(result.diverged_at) == [1, -1]
    assert np.all(np.isfinite(result.final_points))


def test_start_outside_is_diverged_at_zero(ravine):
    traj = run(sgd(0.1), ravine, [1e6, 0.0], 3)
    assert traj.diverged_at == 0
    assert np.all(traj.points == traj.points[0])


def test_sweep_cells_equal_single_runs(ravine):
    lr = np.geomspace(0.01, 3.0, 12)[:, None] * np.ones((1, 10))
    mu = np.linspace(0.0, 0.99, 10)[None, :] * np.ones((12, 1))
    result = sweep(sgd(learning_rate=lr, momentum=mu), ravine, ravine.start, 200, tol=1e-6)
    assert result.final_points.shape == (12, 10, 2)
    assert (result.diverged_at >= 0).any() and (result.diverged_at < 0).any()
    assert (result.steps_to_tol >= 0).any()
    for i, j in [(0, 0), (5, 3), (11, 9), (8, 8), (11, 0), (3, 7)]:
        traj = run(sgd(float(lr[i, j]), momentum=float(mu[i, j])), ravine, ravine.start, 200)
        np.testing.assert_array_equal(result.final_points[i, j], traj.points[-1])
        assert result.diverged_at[i, j] == traj.diverged_at
        gaps = traj.losses - ravine.f_min
        hits = np.nonzero(gaps <= 1e-6)[0]
        expected = hits[0] if hits.size and traj.diverged_at < 0 else -1
        if traj.diverged_at >= 0 and hits.size and hits[0] < traj.diverged_at:
            expected = hits[0]
        assert result.steps_to_tol[i, j] == expected


def test_sweep_with_one_point_and_scalar_hyperparameters(ravine):
    result = sweep(sgd(0.1), ravine, steps=10)
    traj = run(sgd(0.1), ravine, steps=10)
    assert result.final_points.shape == (2,) and result.diverged_at.shape == ()
    np.testing.assert_array_equal(result.final_points, traj.points[-1])
    diverging = sweep(sgd(3.0), ravine, steps=200)
    assert int(diverging.diverged_at) == int(run(sgd(3.0), ravine, steps=200).diverged_at) > 0


def test_sweep_over_start_points(ravine):
    xs = np.stack(np.meshgrid(np.linspace(-9, 9, 7), np.linspace(-9, 9, 5)), axis=-1)
    result = sweep(optimizers.adam(0.5), ravine, xs, 50)
    assert result.final_points.shape == (5, 7, 2)
    traj = run(optimizers.adam(0.5), ravine, xs[2, 3], 50)
    np.testing.assert_array_equal(result.final_points[2, 3], traj.points[-1])


def test_transform_and_lookahead_and_newton(ravine):
    clipped = run(sgd(0.5), ravine, ravine.start, 20, transform=clip_by_norm(0.1))
    steps = np.linalg.norm(np.diff(clipped.points, axis=0), axis=-1)
    assert np.all(steps <= 0.05 + 1e-12)
    look = run(optimizers.nesterov_lookahead(0.1, 0.9), ravine, ravine.start, 30)
    keras_form = run(optimizers.nesterov(0.1, 0.9), ravine, ravine.start, 30)
    assert look.eval_points.shape == (30, 2)
    np.testing.assert_allclose(look.eval_points, keras_form.points[:30], rtol=1e-10,
                               atol=1e-12)
    newton = run(optimizers.newton(), ravine, ravine.start, 1)
    np.testing.assert_allclose(newton.points[1], ravine.minima[0], atol=1e-10)


def test_noise_is_reproducible(ravine):
    a = run(sgd(0.1), ravine, ravine.start, 30, transform=add_noise(1.0, 4, seed=1))
    b = run(sgd(0.1), ravine, ravine.start, 30, transform=add_noise(1.0, 4, seed=1))
    c = run(sgd(0.1), ravine, ravine.start, 30)
    np.testing.assert_array_equal(a.points, b.points)
    assert not np.allclose(a.points, c.points)


def test_minibatch_on_logistic_surface():
    logistic = surfaces.get("logistic")
    a = run(sgd(0.5), logistic, logistic.start, 40, batch_size=8, seed=0)
    b = run(sgd(0.5), logistic, logistic.start, 40, batch_size=8, seed=0)
    full = run(sgd(0.5), logistic, logistic.start, 40)
    np.testing.assert_array_equal(a.points, b.points)
    assert np.max(np.abs(a.points - full.points)) > 1e-3
    with pytest.raises(ValueError, match="add_noise"):
        run(sgd(0.1), surfaces.get("ravine"), None, 5, batch_size=8)


def test_record_states(ravine):
    traj = run(optimizers.adam(0.1), ravine, ravine.start, 5, record_states=True)
    assert len(traj.states) == 6
    assert traj.states[0].count == 0 and traj.states[5].count == 5
    np.testing.assert_array_equal(traj.states[0].m, 0.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"steps": -1}, "steps"),
        ({"steps": 2.5}, "steps"),
        ({"start": [1.0, 2.0, 3.0]}, "start"),
        ({"start": np.zeros((4, 2)), "opt": sgd(np.ones(3) * 0.1)}, "broadcast"),
        ({"opt": "adam"}, "optimizer"),
        ({"transform": "clip"}, "transform"),
    ],
)
def test_bad_arguments(ravine, kwargs, message):
    args = {"opt": sgd(0.1), "start": None, "steps": 5} | kwargs
    with pytest.raises(ValueError, match=message):
        run(args.pop("opt"), ravine, args.pop("start"), args.pop("steps"), **args)


def test_chain_grid_batch_shape(ravine):
    opt = chain(clip_by_norm(np.array([0.5, 1.0, 2.0])), sgd(0.1))
    assert opt.batch_shape == (3,)
    result = sweep(opt, ravine, ravine.start, 10)
    assert result.final_points.shape == (3, 2)


# --------------------------------------------------------------------------- extend, first

def _same(a, b) -> None:
    np.testing.assert_array_equal(a.points, b.points)
    np.testing.assert_array_equal(a.losses, b.losses)
    np.testing.assert_array_equal(a.grads, b.grads)
    np.testing.assert_array_equal(a.diverged_at, b.diverged_at)
    if b.eval_points is None:
        assert a.eval_points is None
    else:
        np.testing.assert_array_equal(a.eval_points, b.eval_points)
    assert len(a.states) == len(b.states) == a.steps + 1


@pytest.mark.parametrize("name, hyper, transform", [
    ("sgd", {"learning_rate": 0.3}, None),
    ("adam", {"learning_rate": 0.2}, "noise+clip"),
    ("nesterov_lookahead", {"learning_rate": 0.1, "momentum": 0.9}, None),  # look-ahead point
    ("newton", {}, None),  # needs the Hessian
    ("sgd", {"learning_rate": 100.0}, None),  # diverges early, then stays frozen
    ("momentum", {"learning_rate": cu.schedules.cosine_decay(0.5, 60), "momentum": 0.8},
     "noise"),
])
def test_extend_continues_a_run_exactly(name, hyper, transform):
    surface = cu.surfaces.get("beale")

    def make():
        if transform is None:
            return None
        parts = [cu.optimizers.add_noise(0.5, 4, seed=3)]
        if transform == "noise+clip":
            parts.append(cu.optimizers.clip_by_norm(1.0))
        return cu.optimizers.chain(*parts) if len(parts) > 1 else parts[0]

    full = cu.run(cu.optimizers.get(name, **hyper), surface, steps=60, transform=make(),
                  record_states=True)
    short = cu.run(cu.optimizers.get(name, **hyper), surface, steps=25, transform=make(),
                   record_states=True)
    _same(cu.runner.extend(short, cu.optimizers.get(name, **hyper), surface, 60,
                           transform=make()), full)
    _same(full.first(25), short)
    assert full.first(60) is not full and full.first(0).steps == 0


def test_first_forgets_a_later_divergence_and_extend_needs_states():
    surface = cu.surfaces.get("ravine")
    traj = cu.run(cu.optimizers.sgd(2.05), surface, steps=200, record_states=True)
    d = int(traj.diverged_at)
    assert d > 5
    assert int(traj.first(d - 1).diverged_at) == -1 and int(traj.first(d).diverged_at) == d
    starts = np.array([[-8.0, 3.0], [5.0, -2.0]])  # a batch of starts
    batch = cu.run(cu.optimizers.adam(0.3), surface, starts, 30, record_states=True)
    _same(cu.runner.extend(batch.first(10), cu.optimizers.adam(0.3), surface, 30), batch)
    with pytest.raises(ValueError, match="record_states=True"):
        cu.runner.extend(cu.run(cu.optimizers.sgd(0.1), surface, steps=5),
                         cu.optimizers.sgd(0.1), surface, 10)
    with pytest.raises(ValueError, match="steps"):
        traj.first(201)
