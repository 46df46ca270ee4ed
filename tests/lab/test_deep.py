"""course_utils.lab.deep: lab 09's diagnostics of deep networks and gradient clipping."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_utils import lab

keras = lab.keras


def test_deep_network_diagnostics(tiny):
    small = keras.initializers.RandomNormal(stddev=0.05)
    vanishing = lab.gradient_norms(lab.build_mlp((64,) * 6, kernel_initializer=small), tiny)
    healthy = lab.gradient_norms(lab.build_mlp((64,) * 6, activation="relu",
                                               kernel_initializer="he_normal"), tiny)
    assert len(vanishing) == 7 and vanishing[0] / vanishing[-2] < 1e-4
    assert 0.1 < healthy[0] / healthy[-2] < 10
    spread = lab.activation_stats(lab.build_mlp((64,) * 6, activation="relu",
                                                kernel_initializer="he_normal"), tiny)
    assert len(spread) == 6 and spread.max() / spread.min() < 2
    bn = lab.activation_stats(lab.build_mlp((16,) * 3, batch_norm=True), tiny)
    assert len(bn) == 3
    kernel = np.array([[1.0, 1.0, 2.0], [3.0, 3.0, 4.0]])
    assert lab.distinct_units(kernel) == 2
    assert lab.full_gradient_norm(lab.lecture_model(seed=0), tiny, n=200) > 0


def test_clip_demo_reproduces_the_lectures_numbers():
    out = lab.clip_demo([0.9, 100.0], clipvalue=1.0, clipnorm=1.0)
    np.testing.assert_allclose(out["clipvalue"], [0.9, 1.0])
    np.testing.assert_allclose(out["clipnorm"], [0.00899964, 0.9999595], rtol=1e-6)
    assert math.isclose(float(np.linalg.norm(out["clipnorm"])), 1.0, rel_tol=1e-6)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: lab.clip_demo([1.0], clipnorm=0.0), r"clipnorm must be in \(0, inf\]"),
    (lambda: lab.distinct_units(np.zeros(3)), "kernel"),
])
def test_invalid_arguments_raise_value_error_naming_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()
