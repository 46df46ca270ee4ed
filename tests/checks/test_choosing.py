"""Notebook 06's checker: a good choice passes, each typical mistake gets its own hint."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import course_utils as cu
from course_utils import optimizers
from course_utils.checks import choosing

WRONG = {
    "not_a_dict": "adam",
    "unknown_optimizer": {"optimizer": "adamm", "learning_rate": 0.1},
    "second_order": {"optimizer": "newton"},
    "bad_hyperparameter": {"optimizer": "adam", "lr": 0.1},
    "diverged": {"optimizer": "sgd", "learning_rate": 5.0},
    "plain_sgd": {"optimizer": "sgd", "learning_rate": 0.5},
    "momentum_too_large": {"optimizer": "momentum", "learning_rate": 0.5, "momentum": 0.9},
    "too_slow": {"optimizer": "adam", "learning_rate": 0.01},
}


@pytest.mark.parametrize("choice", [
    {"optimizer": "momentum", "learning_rate": 2.7, "momentum": 0.6},
    {"optimizer": "sgd", "learning_rate": 2.7, "momentum": 0.6},   # Keras's spelling
])
def test_a_good_choice_passes(choice):
    result = choosing.check_choice(choice)
    assert result.passed and result.hint is None
    assert 0 <= result.details["reached_at"] <= 60
    assert result.message.startswith("✓")


def test_every_mistake_is_tested():
    assert sorted(WRONG) == sorted(choosing.mistakes())


@pytest.mark.parametrize("key", list(WRONG))
def test_each_mistake_gets_its_hint(key):
    result = choosing.check_choice(WRONG[key])
    assert not result.passed
    assert result.details["mistake"] == key
    assert result.hint and result.hint in result.message


@pytest.mark.parametrize(("name", "extra"), [("sgd", {}), ("momentum", {"momentum": 0.9}),
                                             ("momentum", {"momentum": 0.99})])
def test_the_hints_claims_hold_for_every_learning_rate(name, extra):
    """'plain SGD is never fast enough' and 'μ = 0.9 is too large' are true on a fine grid."""
    surface = choosing.default_surface()
    rates = np.geomspace(1e-3, 10, 400)
    result = cu.sweep(optimizers.get(name, learning_rate=rates, **extra), surface, steps=60,
                      tol=1e-6)
    assert np.all(result.steps_to_tol < 0)


def test_the_target_and_surface_can_change():
    choice = {"optimizer": "momentum", "learning_rate": 2.7, "momentum": 0.6}
    assert not choosing.check_choice(choice, target_steps=10).passed
    from course_utils import surfaces
    assert choosing.check_choice({"optimizer": "adam", "learning_rate": 0.1},
                                 surfaces.get("ravine", condition=1, angle=0),
                                 target_steps=300).passed


def test_solution_passes():
    path = Path(__file__).parents[2] / "notebooks" / "solutions" / "06_choosing_an_optimizer.py"
    spec = importlib.util.spec_from_file_location("solutions_06_choosing_an_optimizer", path)
    solutions = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(solutions)
    assert choosing.check_choice(solutions.CHOICE).passed
