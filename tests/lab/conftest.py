"""Shared fixtures of the lab tests: one Keras setup and a tiny MNIST split.

Real Keras on real MNIST (tiny subsets, a few epochs) -- no mocks.
"""

from __future__ import annotations

import pytest

from course_utils import lab


@pytest.fixture(scope="session")
def setup():
    return lab.keras_setup(seed=0, verbose=False)


@pytest.fixture(scope="session")
def tiny(setup):
    return lab.load_lab_data(512, 128, 256)
