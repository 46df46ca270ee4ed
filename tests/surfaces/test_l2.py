"""surfaces.with_l2: L2 regularization in the loss, for comparison with decoupled decay."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import surfaces

from .test_surfaces import central_diff


@pytest.mark.parametrize("name", ["rosenbrock", "himmelblau", "local_minima"])
def test_derivatives_and_minima_of_the_regularized_surface(name):
    base = surfaces.get(name)
    reg = surfaces.with_l2(base, 0.3)
    p = np.random.default_rng(1).uniform([base.xlim[0], base.ylim[0]],
                                         [base.xlim[1], base.ylim[1]], size=(40, 2))
    np.testing.assert_allclose(reg.f(p), base.f(p) + 0.15 * np.sum(p * p, axis=1), rtol=1e-12)
    np.testing.assert_allclose(reg.grad(p), central_diff(reg.f, p, 1e-5),
                               rtol=1e-6, atol=1e-6 * np.max(np.abs(reg.grad(p))))
    np.testing.assert_allclose(reg.hess(p), central_diff(reg.grad, p, 1e-5),
                               rtol=1e-6, atol=1e-6 * np.max(np.abs(reg.hess(p))))
    assert len(reg.minima) >= 1
    np.testing.assert_allclose(reg.grad(reg.minima), 0.0, atol=1e-8)
    assert np.all(np.linalg.eigvalsh(reg.hess(reg.minima)) > 0)
    assert reg.f_min == pytest.approx(float(reg.f(reg.minima[0])))
    assert reg.name == f"{name}+L2" and reg.params["l2"] == 0.3


def test_regularization_pulls_the_minimum_towards_the_origin():
    base = surfaces.get("rosenbrock")
    reg = surfaces.with_l2(base, 0.5)
    assert np.linalg.norm(reg.minima[0]) < np.linalg.norm(base.minima[0]) - 0.3
    np.testing.assert_allclose(surfaces.with_l2(base, 0.0).minima[0], base.minima[0],
                               atol=1e-9)


def test_minibatch_gradient_gets_the_same_term():
    base = surfaces.get("logistic")
    reg = surfaces.with_l2(base, 0.2)
    p = np.array([[0.5, -0.3], [1.0, 2.0]])
    full = reg.minibatch_grad(p, len(base.features), np.random.default_rng(0))
    np.testing.assert_allclose(full, reg.grad(p), rtol=1e-9)


def test_bad_strength_is_refused():
    with pytest.raises(ValueError, match=r"strength must be in \[0, inf\]"):
        surfaces.with_l2(surfaces.get("ravine"), -1.0)
