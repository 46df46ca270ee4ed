"""Tests of course_utils.surfaces: derivatives, stationary points, shapes, errors, demos."""

from __future__ import annotations

import dataclasses
import json
import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils import surfaces
from course_utils.mnist import load_mnist
from course_utils.surfaces import LogisticSurface, ParamSpec, Surface

REQUIRED = {
    "ravine",
    "rosenbrock",
    "beale",
    "himmelblau",
    "saddle",
    "saddle_plateau",
    "plateau",
    "cliff",
    "local_minima",
    "logistic",
}

# every surface with its defaults, plus non-default settings
CASES = [(name, {}) for name in surfaces.names()] + [
    ("ravine", {"condition": 100, "angle": 30}),
    ("ravine", {"condition": 1, "angle": -90}),
    ("rosenbrock", {"a": -0.5, "b": 10}),
    ("saddle", {"curvature_ratio": 0.1}),
    ("saddle_plateau", {"curvature": 0.01, "depth": 3.0}),
    ("plateau", {"width": 2.5}),
    ("cliff", {"steepness": 20}),
    ("local_minima", {"bowl": 0.0}),
    ("logistic", {"digits": (1, 8), "n_examples": 500}),
]
IDS = [name + "".join(f"-{k}={v}" for k, v in params.items()) for name, params in CASES]


@pytest.fixture(params=CASES, ids=IDS)
def surface(request) -> Surface:
    name, params = request.param
    return surfaces.get(name, **params)


def box_points(s: Surface, n: int = 200, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lo = np.array([s.xlim[0], s.ylim[0]])
    hi = np.array([s.xlim[1], s.ylim[1]])
    return lo + (hi - lo) * rng.random((n, 2))


def box_size(s: Surface) -> float:
    return max(s.xlim[1] - s.xlim[0], s.ylim[1] - s.ylim[0])


def central_diff(fn, p: np.ndarray, h: float) -> np.ndarray:
    """Fourth-order central differences of fn along both coordinates; axis -1 of the result
    (appended after fn's own output axes) is the coordinate."""
    cols = []
    for axis in range(2):
        e = np.zeros(2)
        e[axis] = h
        d = (-fn(p + 2 * e) + 8 * fn(p + e) - 8 * fn(p - e) + fn(p - 2 * e)) / (12 * h)
        cols.append(d)
    return np.stack(cols, axis=-1)


def grad_scale(s: Surface) -> float:
    """A typical gradient size: the largest gradient norm at the sample points."""
    return float(np.max(np.linalg.norm(s.grad(box_points(s)), axis=-1)))


# --------------------------------------------------------------------------------------------
# registry
# --------------------------------------------------------------------------------------------


def test_names_cover_the_course():
    assert set(surfaces.names()) == REQUIRED
    assert len(surfaces.names()) == len(REQUIRED)


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_parameters_describe_valid_defaults(name):
    specs = surfaces.parameters(name)
    s = surfaces.get(name)
    assert set(s.params) == set(specs)
    for key, spec in specs.items():
        assert isinstance(spec, ParamSpec)
        assert spec.description
        values = spec.default if isinstance(spec.default, tuple) else (spec.default,)
        assert all(spec.low <= v <= spec.high for v in values), key
        assert s.params[key] == spec.default
    # explicit defaults give the very same (cached) surface
    assert surfaces.get(name, **{k: v.default for k, v in specs.items()}) is s
    # the parameter record is JSON-able
    json.dumps(s.params)


def test_cache_normalizes_parameter_types():
    assert surfaces.get("ravine", condition=20, angle=0) is surfaces.get("ravine")
    assert surfaces.get("ravine", condition=50) is not surfaces.get("ravine")


def test_surface_is_frozen_and_arrays_read_only():
    s = surfaces.get("ravine")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.f_min = 1.0
    with pytest.raises(ValueError):
        s.start[0] = 0.0
    assert "ravine" in repr(s) and "condition" in repr(s)


# --------------------------------------------------------------------------------------------
# derivatives
# --------------------------------------------------------------------------------------------


def test_gradient_matches_central_differences(surface):
    p = box_points(surface)
    h = 1e-5 * box_size(surface)
    g = surface.grad(p)
    fd = central_diff(surface.f, p, h)
    err = np.linalg.norm(g - fd, axis=-1)
    tol = 1e-6 * np.linalg.norm(g, axis=-1) + 1e-8 * grad_scale(surface)
    assert np.all(err <= tol), np.max(err / tol)


def test_hessian_matches_differences_of_gradient(surface):
    p = box_points(surface)
    h = 1e-5 * box_size(surface)
    hess = surface.hess(p)
    fd = central_diff(surface.grad, p, h)  # fd[..., i, j] = d g_i / d p_j
    assert hess.shape == fd.shape == (len(p), 2, 2)
    np.testing.assert_array_equal(hess, np.swapaxes(hess, -1, -2))
    scale = np.max(np.linalg.norm(hess, axis=(-2, -1)))
    err = np.linalg.norm(hess - fd, axis=(-2, -1))
    tol = 1e-5 * np.linalg.norm(hess, axis=(-2, -1)) + 1e-7 * scale
    assert np.all(err <= tol), np.max(err / tol)


# --------------------------------------------------------------------------------------------
# stationary points, start, f_min
# --------------------------------------------------------------------------------------------


def test_minima_are_strict_local_minima(surface):
    m = surface.minima
    assert m.ndim == 2 and m.shape[1] == 2
    if surface.name == "saddle":
        assert m.shape == (0, 2)
        return
    assert len(m) >= 1
    assert np.all(surface.contains(m))
    gnorm = np.linalg.norm(surface.grad(m), axis=-1)
    assert np.all(gnorm <= 1e-8 * grad_scale(surface)), gnorm
    eig, _ = surface.hess_eigen(m)
    assert np.all(eig > 0), eig
    values = surface.f(m)
    assert surface.f(m[0]) == surface.f_min
    assert np.all(np.diff(values) >= -1e-12 * max(1.0, abs(surface.f_min))), values


def test_saddles_have_curvature_of_both_signs(surface):
    s = surface.saddles
    assert s.ndim == 2 and s.shape[1] == 2
    if surface.name in ("saddle", "saddle_plateau"):
        assert len(s) >= 1
        np.testing.assert_allclose(s[0], [0.0, 0.0], atol=1e-12)
    if len(s) == 0:
        return
    assert np.all(surface.contains(s))
    gnorm = np.linalg.norm(surface.grad(s), axis=-1)
    assert np.all(gnorm <= 1e-8 * grad_scale(surface)), gnorm
    eig, _ = surface.hess_eigen(s)
    assert np.all(eig[:, 0] < 0) and np.all(eig[:, 1] > 0), eig


def test_start_is_inside_and_not_stationary(surface):
    assert surface.start.shape == (2,)
    assert surface.contains(surface.start)
    assert np.linalg.norm(surface.grad(surface.start)) > 1e-8 * grad_scale(surface)
    for m in np.concatenate([surface.minima, surface.saddles]):
        assert np.linalg.norm(surface.start - m) > 1e-3 * box_size(surface)


def test_f_min_bounds_f_on_the_box(surface):
    _, _, Z = surface.grid(120)
    assert np.all(Z >= surface.f_min - 1e-9 * max(1.0, abs(surface.f_min)))
    assert np.all(surface.f(box_points(surface)) >= surface.f_min - 1e-9)
    assert np.isfinite(surface.f_min)
    assert surface.xlim[0] < surface.xlim[1] and surface.ylim[0] < surface.ylim[1]
    assert isinstance(surface.lesson, str) and 20 < len(surface.lesson) < 250
    assert "\n" not in surface.lesson


# --------------------------------------------------------------------------------------------
# shapes and input checks
# --------------------------------------------------------------------------------------------


def test_shapes_and_pointwise_agreement(surface):
    rng = np.random.default_rng(1)
    lo = np.array([surface.xlim[0], surface.ylim[0]])
    hi = np.array([surface.xlim[1], surface.ylim[1]])
    for shape in [(2,), (5, 2), (3, 4, 2), (0, 2)]:
        p = lo + (hi - lo) * rng.random(shape)
        f, g, h = surface.f(p), surface.grad(p), surface.hess(p)
        assert np.shape(f) == shape[:-1]
        assert g.shape == shape
        assert h.shape == shape + (2,)
        flat = p.reshape(-1, 2)
        for i, q in enumerate(flat):
            np.testing.assert_allclose(np.reshape(f, -1)[i], surface.f(q), rtol=1e-12, atol=0)
            np.testing.assert_allclose(g.reshape(-1, 2)[i], surface.grad(q), rtol=1e-12, atol=0)
            np.testing.assert_allclose(
                h.reshape(-1, 2, 2)[i], surface.hess(q), rtol=1e-12, atol=1e-300
            )
    # lists are accepted too
    assert np.shape(surface.f([0.5, 0.25])) == ()


@pytest.mark.parametrize("bad", [np.zeros(3), np.zeros((4, 3)), np.zeros((2, 1)), 1.0])
@pytest.mark.parametrize("name", ["ravine", "logistic", "local_minima"])
def test_wrong_point_shape_is_rejected(name, bad):
    s = surfaces.get(name)
    for fn in (s.f, s.grad, s.hess, s.contains, s.hess_eigen):
        with pytest.raises(ValueError, match=r"\(\.\.\., 2\)"):
            fn(bad)


@settings(max_examples=50, deadline=None)
@given(
    name=st.sampled_from(sorted(REQUIRED)),
    shape=st.lists(st.integers(1, 3), min_size=0, max_size=3),
    u=st.floats(0.0, 1.0),
)
def test_batches_of_any_shape(name, shape, u):
    s = surfaces.get(name)
    rng = np.random.default_rng(int(u * 1e6))
    lo = np.array([s.xlim[0], s.ylim[0]])
    hi = np.array([s.xlim[1], s.ylim[1]])
    p = lo + (hi - lo) * rng.random((*shape, 2))
    assert np.shape(s.f(p)) == tuple(shape)
    assert s.grad(p).shape == (*shape, 2)
    assert s.hess(p).shape == (*shape, 2, 2)
    assert np.shape(s.contains(p)) == tuple(shape)
    assert np.all(s.contains(p))
    w, v = s.hess_eigen(p)
    assert w.shape == (*shape, 2) and v.shape == (*shape, 2, 2)
    # eigh: H v = v diag(w)
    np.testing.assert_allclose(
        s.hess(p) @ v, v * w[..., None, :], atol=1e-9 * (1.0 + np.max(np.abs(w), initial=0))
    )


def test_contains_and_grid():
    s = surfaces.get("rosenbrock")
    inside = s.contains([[0.0, 0.0], [-2.0, 3.0], [2.1, 0.0], [0.0, -1.5]])
    np.testing.assert_array_equal(inside, [True, True, False, False])
    X, Y, Z = s.grid(30)
    assert X.shape == Y.shape == Z.shape == (30, 30)
    assert X[0, 0] == s.xlim[0] and X[0, -1] == s.xlim[1]
    assert Y[0, 0] == s.ylim[0] and Y[-1, 0] == s.ylim[1]
    np.testing.assert_allclose(Z[7, 11], s.f([X[7, 11], Y[7, 11]]), rtol=1e-14)
    with pytest.raises(ValueError, match="n"):
        s.grid(1)


# --------------------------------------------------------------------------------------------
# get() errors
# --------------------------------------------------------------------------------------------


def test_unknown_surface_lists_the_names():
    with pytest.raises(ValueError) as info:
        surfaces.get("banana")
    for name in REQUIRED:
        assert name in str(info.value)
    with pytest.raises(ValueError, match="ravine"):
        surfaces.parameters("nope")
    with pytest.raises(ValueError):
        surfaces.get(3)


def test_unknown_parameter_lists_valid_ones():
    with pytest.raises(ValueError) as info:
        surfaces.get("ravine", kappa=3)
    assert "kappa" in str(info.value)
    assert "condition" in str(info.value) and "angle" in str(info.value)
    with pytest.raises(ValueError, match="no parameters"):
        surfaces.get("beale", a=1)


@pytest.mark.parametrize(
    "name, params, key",
    [
        ("ravine", {"condition": 0.5}, "condition"),
        ("ravine", {"condition": 1e4}, "condition"),
        ("ravine", {"angle": 200}, "angle"),
        ("ravine", {"angle": float("nan")}, "angle"),
        ("ravine", {"angle": [1.0, 2.0]}, "angle"),
        ("ravine", {"condition": True}, "condition"),
        ("rosenbrock", {"b": -1}, "b"),
        ("saddle", {"curvature_ratio": 0.0}, "curvature_ratio"),
        ("saddle_plateau", {"depth": 100}, "depth"),
        ("plateau", {"width": "wide"}, "width"),
        ("cliff", {"steepness": 1e5}, "steepness"),
        ("local_minima", {"bowl": -0.1}, "bowl"),
        ("logistic", {"n_examples": 10}, "n_examples"),
        ("logistic", {"n_examples": 2000.5}, "n_examples"),
        ("logistic", {"digits": (3, 3)}, "digits"),
        ("logistic", {"digits": (3, 12)}, "digits"),
        ("logistic", {"digits": 3}, "digits"),
        ("logistic", {"n_examples": 11001}, "n_examples"),
    ],
)
def test_out_of_range_parameter_is_named(name, params, key):
    with pytest.raises(ValueError, match=key):
        surfaces.get(name, **params)


def test_range_is_in_the_message():
    with pytest.raises(ValueError, match=r"\[1, 1000\]"):
        surfaces.get("ravine", condition=0.5)


# --------------------------------------------------------------------------------------------
# robustness far away
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_no_warnings_far_outside_the_box(name):
    s = surfaces.get(name)
    far = np.array([[1e6, 1e6], [-1e6, 3.0], [0.5, -1e6], [1e6, -1e6], [1e12, 1e12]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f, g, h = s.f(far), s.grad(far), s.hess(far)
        s.hess_eigen(far[:4])
        s.contains(far)
        if isinstance(s, LogisticSurface):
            s.zero_one(far)
            s.minibatch_grad(far, 8, 0)
    assert not np.any(np.isnan(f[:4])) and not np.any(np.isnan(g[:4]))
    assert not np.any(np.isnan(h[:4]))


# --------------------------------------------------------------------------------------------
# the demos each surface is built for
# --------------------------------------------------------------------------------------------


def gradient_descent(s: Surface, lr: float, steps: int, clip: float | None = None):
    p = np.array(s.start, dtype=float)
    path = [p.copy()]
    for _ in range(steps):
        g = s.grad(p)
        if clip is not None:
            g = g * min(1.0, clip / np.linalg.norm(g))
        p = p - lr * g
        path.append(p.copy())
    return np.array(path)


def test_cliff_catapults_plain_gd_and_clipping_tames_it():
    s = surfaces.get("cliff")
    width = s.xlim[1] - s.xlim[0]
    p = np.array(s.start, dtype=float)
    for _ in range(100):
        g = s.grad(p)
        new = p - 0.1 * g
        if not s.contains(new):
            break
        p = new
    else:
        pytest.fail("plain gradient descent never left the box in 100 steps")
    # it was on the wall (huge gradient) and jumped several box widths
    assert np.linalg.norm(g) > 100
    assert np.linalg.norm(new - p) > 3 * width
    assert np.max(np.abs(new)) > 2 * width
    # clipped by norm at 1: stays in the box and ends next to the minimum
    path = gradient_descent(s, 0.1, 150, clip=1.0)
    assert np.all(s.contains(path))
    assert np.linalg.norm(path[-1] - s.minima[0]) < 0.2
    assert np.max(np.linalg.norm(np.diff(path, axis=0), axis=-1)) <= 0.1 + 1e-12


def test_cliff_derivatives_across_the_wall_corners():
    s = surfaces.get("cliff")
    n = np.array([np.cos(np.radians(20.0)), np.sin(np.radians(20.0))])
    u = np.concatenate([np.linspace(-0.05, 0.05, 41), np.linspace(0.95, 1.05, 41)])
    along = np.array([-n[1], n[0]])
    p = (1.0 + u)[:, None] * n + 0.3 * along  # u = n.p - 1 on a line across the wall
    h = 1e-6
    g = s.grad(p)
    err = np.linalg.norm(g - central_diff(s.f, p, h), axis=-1)
    assert np.all(err <= 1e-6 * np.linalg.norm(g, axis=-1) + 1e-6), err.max()
    hess = s.hess(p)
    err = np.linalg.norm(hess - central_diff(s.grad, p, h), axis=(-2, -1))
    assert np.all(err <= 1e-5 * np.linalg.norm(hess, axis=(-2, -1)) + 1e-3), err.max()
    # the wall: slope about H between the corners, gentle before and after
    slope = g @ n
    assert np.all(slope[(u > 0.03) & (u < 0.97)] > 0.9 * s.params["steepness"])
    assert np.all(np.abs(slope[(u < -0.03) | (u > 1.03)]) < 10)


def test_saddle_attracts_then_releases_gd():
    s = surfaces.get("saddle")
    path = gradient_descent(s, 0.1, 200)
    dist = np.linalg.norm(path, axis=-1)
    closest = int(np.argmin(dist))
    assert dist[closest] < 0.02  # it comes close to the saddle ...
    assert 30 < closest < 100  # ... after a while ...
    assert not s.contains(path[-1])  # ... and escapes downhill in the end
    assert np.all(np.diff(s.f(path)) <= 0)


def test_plateau_start_is_flat():
    s = surfaces.get("plateau")
    width = s.params["width"]
    peak = np.exp(-0.5) / width  # slope at r = width
    ratio = np.linalg.norm(s.grad(s.start)) / peak
    assert 3e-5 < ratio < 3e-4
    assert s.f(s.start) > 0.99


def test_saddle_plateau_is_flat_around_the_saddle():
    s = surfaces.get("saddle_plateau")
    X, Y, _ = s.grid(141)
    p = np.stack([X, Y], axis=-1)
    g = np.linalg.norm(s.grad(p), axis=-1)
    plateau = (np.abs(Y) < 1.0) & (np.abs(X) < 2.0)
    assert g[plateau].max() < 0.1 * g.max()
    path = gradient_descent(s, 0.3, 800)
    # GD lingers on the plateau for hundreds of steps, near the saddle, then drops into a well
    assert np.all(np.abs(path[:250, 1]) < 1.0)
    assert np.all(np.linalg.norm(s.grad(path[:250]), axis=-1) < 0.1 * g.max())
    assert np.min(np.linalg.norm(path[:250], axis=-1)) < 0.5
    assert np.min(np.linalg.norm(path[-1] - s.minima, axis=-1)) < 1e-3


def test_ravine_spectrum_and_stability():
    s = surfaces.get("ravine", condition=100, angle=30)
    eig, vec = s.hess_eigen(s.start)
    np.testing.assert_allclose(eig, [0.01, 1.0], rtol=1e-12)
    np.testing.assert_allclose(abs(vec[:, 0] @ [np.cos(np.pi / 6), np.sin(np.pi / 6)]), 1, 1e-12)
    assert np.linalg.norm(gradient_descent(s, 1.95, 300)[-1]) < 10
    assert np.linalg.norm(gradient_descent(s, 2.05, 300)[-1]) > 1e3


def test_known_minima_of_classic_functions():
    np.testing.assert_array_equal(surfaces.get("beale").minima[0], [3.0, 0.5])
    np.testing.assert_array_equal(surfaces.get("rosenbrock").minima[0], [1.0, 1.0])
    h = surfaces.get("himmelblau")
    assert h.minima.shape == (4, 2) and h.saddles.shape == (4, 2)
    np.testing.assert_array_equal(h.minima[0], [3.0, 2.0])
    np.testing.assert_allclose(h.f(h.minima), 0.0, atol=1e-20)
    known = [[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]]
    d = np.linalg.norm(h.minima[:, None] - np.array(known)[None], axis=-1)
    assert np.all(d.min(axis=0) < 1e-5)


def test_local_minima_have_different_depths():
    s = surfaces.get("local_minima")
    assert len(s.minima) >= 3 and len(s.saddles) >= 2
    values = s.f(s.minima)
    assert np.all(np.diff(values) > 0.05)
    # plain GD from the start ends in a minimum that is not the global one
    end = gradient_descent(s, 0.3, 400)[-1]
    d = np.linalg.norm(s.minima - end, axis=-1)
    assert d.min() < 1e-4 and d.argmin() > 0


# --------------------------------------------------------------------------------------------
# logistic: a real empirical risk
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def logistic() -> LogisticSurface:
    return surfaces.get("logistic")


def test_logistic_data_come_from_mnist(logistic):
    (x_train, y_train), _ = load_mnist()
    d0, d1 = logistic.params["digits"]
    n = logistic.params["n_examples"]
    expected = np.flatnonzero((y_train == d0) | (y_train == d1))[:n]
    np.testing.assert_array_equal(logistic.indices, expected)
    np.testing.assert_array_equal(logistic.labels, (y_train[expected] == d1).astype(int))
    assert set(np.unique(y_train[logistic.indices])) == {d0, d1}
    raw = x_train[expected].reshape(n, -1).mean(axis=1) / 255.0
    np.testing.assert_allclose(
        logistic.features, (raw - raw.mean()) / raw.std(), rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(
        [logistic.features.mean(), logistic.features.std()], [0, 1], atol=1e-12
    )
    assert logistic.features.shape == logistic.labels.shape == (n,)
    assert 0 < logistic.labels.mean() < 1


def test_logistic_loss_is_the_mean_cross_entropy(logistic):
    x, y = logistic.features, logistic.labels
    for p in [[0.0, 0.0], [1.0, -0.5], [-5.0, -0.4], [-2.0, 3.0]]:
        s = 1.0 / (1.0 + np.exp(-(p[0] * x + p[1])))
        direct = -np.mean(y * np.log(s) + (1 - y) * np.log(1 - s))
        np.testing.assert_allclose(logistic.f(p), direct, rtol=1e-12)
        np.testing.assert_allclose(
            logistic.grad(p), [np.mean((s - y) * x), np.mean(s - y)], rtol=1e-10, atol=1e-15
        )
    np.testing.assert_allclose(logistic.f([0.0, 0.0]), np.log(2.0), rtol=1e-14)


def test_logistic_minimum_is_finite_and_classes_overlap(logistic):
    w, b = logistic.minima[0]
    assert logistic.contains(logistic.minima[0])
    assert 1.0 < abs(w) < 20.0
    err = logistic.zero_one(logistic.minima[0])
    assert 0.01 < err < 0.5  # not linearly separable on this feature
    eig, _ = logistic.hess_eigen(logistic.minima[0])
    assert eig[0] > 0 and eig[1] / eig[0] > 2  # a mildly ill-conditioned valley


def test_zero_one_loss(logistic):
    p = box_points(logistic, 300)
    z = logistic.zero_one(p)
    assert z.shape == (300,)
    assert np.all((z >= 0) & (z <= 1))
    q = p[:5]
    direct = np.mean(
        (q[:, :1] * logistic.features + q[:, 1:] > 0) != (logistic.labels == 1), axis=1
    )
    np.testing.assert_array_equal(z[:5], direct)
    # the classifier w = 0, b > 0 predicts 1 everywhere
    np.testing.assert_allclose(logistic.zero_one([0.0, 1.0]), 1 - logistic.labels.mean())


def test_minibatch_gradient_full_batch_is_the_gradient(logistic):
    n = logistic.params["n_examples"]
    p = np.array([[1.0, 2.0], [-3.0, 0.5]])
    np.testing.assert_allclose(logistic.minibatch_grad(p, n, 0), logistic.grad(p), rtol=1e-12)
    np.testing.assert_allclose(
        logistic.per_example_grad(p).mean(axis=-2), logistic.grad(p), rtol=1e-12
    )


def test_minibatch_gradient_is_unbiased_with_shrinking_spread(logistic):
    n = logistic.params["n_examples"]
    p = np.broadcast_to(np.array([1.0, 2.0]), (4000, 2))
    full = logistic.grad(p[0])
    rng = np.random.default_rng(123)
    g16 = logistic.minibatch_grad(p, 16, rng)
    g256 = logistic.minibatch_grad(p, 256, rng)
    assert g16.shape == (4000, 2)
    for g in (g16, g256):
        se = g.std(axis=0) / np.sqrt(len(g))
        assert np.all(np.abs(g.mean(axis=0) - full) < 4 * se)
    # standard error sigma/sqrt(B), times the finite-population factor sqrt((n-B)/(n-1))
    ratio = g16.std(axis=0) / g256.std(axis=0)
    fpc = np.sqrt((n - 16) / (n - 256))
    assert np.all(np.abs(ratio - 4.0) < 0.2 * 4.0)
    assert np.all(np.abs(ratio - 4.0 * fpc) < 0.1 * 4.0 * fpc)


def test_minibatch_gradient_shapes_and_seeding(logistic):
    p = np.zeros((3, 4, 2)) + [0.5, -0.5]
    g = logistic.minibatch_grad(p, 32, 7)
    assert g.shape == (3, 4, 2)
    assert len(np.unique(g[..., 0])) == 12  # independent draws per point
    np.testing.assert_array_equal(g, logistic.minibatch_grad(p, 32, 7))
    assert logistic.minibatch_grad([0.5, -0.5], 32, np.random.default_rng(1)).shape == (2,)
    with pytest.raises(ValueError, match="batch_size"):
        logistic.minibatch_grad(p, 0, 0)
    with pytest.raises(ValueError, match="batch_size"):
        logistic.minibatch_grad(p, logistic.params["n_examples"] + 1, 0)
    assert surfaces.get("ravine").minibatch_grad is None


def test_logistic_grid_memory_is_bounded(logistic):
    tracemalloc.start()
    try:
        X, Y, Z = logistic.grid(200)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert Z.shape == (200, 200)
    assert peak < 200e6, peak
    np.testing.assert_allclose(Z[50, 70], logistic.f([X[50, 70], Y[50, 70]]), rtol=1e-13)
