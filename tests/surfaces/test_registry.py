"""Registering a surface from outside the package, as an instructor does in a notebook."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import optimizers, run, surfaces
from course_utils.surfaces import ParamSpec

from .test_surfaces import central_diff


def _double_well(depth: float = 1.0):
    """f = depth (x² − 1)² + y²: two minima at (±1, 0), a saddle at the origin."""
    return surfaces.from_functions(
        "double_well",
        lambda x, y: depth * (x * x - 1.0) ** 2 + y * y,
        lambda x, y: (4.0 * depth * x * (x * x - 1.0), 2.0 * y),
        lambda x, y: (depth * (12.0 * x * x - 4.0), 0.0, 2.0),
        xlim=(-2.0, 2.0), ylim=(-1.5, 1.5), start=(0.1, 1.0),
        lesson="two equal minima, a saddle between them")


@pytest.fixture
def double_well():
    before = surfaces.names()
    surfaces.register("double_well", _double_well,
                      parameters={"depth": ParamSpec(1.0, 0.1, 10.0, True, "depth of the wells",
                                                     "depth")})
    yield
    surfaces.unregister("double_well")
    assert surfaces.names() == before


def test_registered_surface_is_built_like_the_course_ones(double_well):
    assert surfaces.names()[-1] == "double_well"
    assert surfaces.parameters("double_well")["depth"].default == 1.0
    s = surfaces.get("double_well")
    assert s.params == {"depth": 1.0}
    assert surfaces.get("double_well", depth=1) is s  # cached, types normalized
    deeper = surfaces.get("double_well", depth=3.0)
    assert float(deeper.f((0.0, 0.0))) == 3.0
    np.testing.assert_allclose(np.sort(s.minima[:, 0]), [-1.0, 1.0], atol=1e-9)
    np.testing.assert_allclose(s.saddles, [[0.0, 0.0]], atol=1e-9)
    assert s.f_min == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match=r"depth must be in \[0.1, 10\]"):
        surfaces.get("double_well", depth=50.0)


def test_registered_surface_derivatives_match_finite_differences(double_well):
    s = surfaces.get("double_well", depth=2.0)
    p = np.random.default_rng(0).uniform(-1.5, 1.5, size=(50, 2))
    np.testing.assert_allclose(s.grad(p), central_diff(s.f, p, 1e-5), rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(s.hess(p), central_diff(s.grad, p, 1e-5), rtol=1e-7, atol=1e-7)
    assert s.hess(np.zeros((3, 4, 2))).shape == (3, 4, 2, 2)


def test_optimizers_run_on_a_registered_surface(double_well):
    traj = run(optimizers.get("momentum", learning_rate=0.05), surfaces.get("double_well"),
               steps=200)
    assert traj.diverged_at < 0
    assert np.min(np.linalg.norm(surfaces.get("double_well").minima - traj.points[-1],
                                 axis=1)) < 1e-3


def test_replacing_a_surface_empties_the_cache(double_well):
    old = surfaces.get("double_well")
    surfaces.register("double_well", _double_well, replace=True)
    assert surfaces.get("double_well") is not old
    assert surfaces.parameters("double_well") == {}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ravine", _double_well), "already registered"),
        (("double well", _double_well), "identifier"),
        (("bowl", None), "callable"),
    ],
)
def test_bad_registrations_raise_value_error(args, message):
    with pytest.raises(ValueError, match=message):
        surfaces.register(*args)
    with pytest.raises(ValueError, match="ParamSpec"):
        surfaces.register("bowl", _double_well, parameters={"depth": (1.0, 0.1, 10.0)})
    assert "bowl" not in surfaces.names()


def test_from_functions_rejects_a_bad_name():
    with pytest.raises(ValueError, match="identifier"):
        surfaces.from_functions("a b", lambda x, y: x, lambda x, y: (1, 0),
                                lambda x, y: (0, 0, 0), xlim=(0, 1), ylim=(0, 1), start=(0, 0))
