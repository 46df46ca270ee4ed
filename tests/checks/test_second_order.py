"""Notebook 07's checkers: right answers pass, each typical mistake gets its own hint."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from course_utils.checks import second_order


def _eig(H):
    return np.linalg.eigh(H)


def newton_ok(theta, g, H):
    return theta - np.linalg.solve(H, g)


def newton_inverse(theta, g, H):  # inverting H is slower, but right
    return theta - np.linalg.inv(H) @ g


def saddle_free_ok(theta, g, H):
    values, vectors = _eig(H)
    return theta - vectors @ ((vectors.T @ g) / np.abs(values))


NEWTON_WRONG = {
    "sign": lambda theta, g, H: theta + np.linalg.solve(H, g),
    "multiplied": lambda theta, g, H: theta - H @ g,
    "gradient_step": lambda theta, g, H: theta - g,
    "returned_step": lambda theta, g, H: np.linalg.solve(H, g),
    "returned_minus_step": lambda theta, g, H: -np.linalg.solve(H, g),
    "diagonal_only": lambda theta, g, H: theta - g / np.diag(H),
}

SADDLE_FREE_WRONG = {
    "plain_newton": newton_ok,
    "elementwise_abs": lambda theta, g, H: theta - np.linalg.solve(np.abs(H), g),
    "no_rotation_back": lambda theta, g, H: theta - (_eig(H)[1].T @ g) / np.abs(_eig(H)[0]),
    "multiplied": lambda theta, g, H: theta - _eig(H)[1] @ ((_eig(H)[1].T @ g)
                                                            * np.abs(_eig(H)[0])),
    "sign": lambda theta, g, H: theta + saddle_free_ok(np.zeros_like(theta), -g, H),
    "returned_step": lambda theta, g, H: theta - saddle_free_ok(theta, g, H),
}


@pytest.mark.parametrize("student", [newton_ok, newton_inverse])
def test_correct_newton_passes(student):
    result = second_order.check_step(student, "newton")
    assert result.passed and result.hint is None
    assert result.message.startswith("✓")


def test_correct_saddle_free_passes():
    assert second_order.check_step(saddle_free_ok, "saddle_free_newton").passed


@pytest.mark.parametrize(("exercise", "wrong"),
                         [("newton", NEWTON_WRONG), ("saddle_free_newton", SADDLE_FREE_WRONG)])
def test_every_mistake_is_tested(exercise, wrong):
    assert sorted(wrong) == sorted(second_order.mistakes(exercise))


@pytest.mark.parametrize(("exercise", "key"),
                         [("newton", key) for key in NEWTON_WRONG]
                         + [("saddle_free_newton", key) for key in SADDLE_FREE_WRONG])
def test_each_mistake_gets_its_hint(exercise, key):
    student = (NEWTON_WRONG if exercise == "newton" else SADDLE_FREE_WRONG)[key]
    result = second_order.check_step(student, exercise)
    assert not result.passed
    assert result.details["mistake"] == key
    assert result.hint and result.hint in result.message


def test_unmatched_wrong_answer_has_no_hint():
    result = second_order.check_step(lambda theta, g, H: theta - 0.5 * np.linalg.solve(H, g),
                                     "newton")
    assert not result.passed and result.hint is None
    assert "No typical mistake" in result.message


def test_errors_and_shapes_are_reported():
    def raises(theta, g, H):
        raise NotImplementedError("write the Newton step")

    result = second_order.check_step(raises, "newton")
    assert not result.passed and "NotImplementedError" in result.message
    result = second_order.check_step(lambda theta, g, H: float(theta[0]), "newton")
    assert not result.passed and result.details["mistake"] == "shape"


def test_unknown_exercise_and_template():
    with pytest.raises(ValueError, match="unknown exercise"):
        second_order.check_step(newton_ok, "halley")
    assert second_order.exercises() == ["newton", "saddle_free_newton"]
    assert second_order.template("newton").startswith("def newton_step(theta, g, H):")


def test_solutions_pass():
    path = Path(__file__).parents[2] / "notebooks" / "solutions" / "07_second_order.py"
    spec = importlib.util.spec_from_file_location("solutions_07_second_order", path)
    solutions = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(solutions)
    assert second_order.check_step(solutions.newton_step, "newton").passed
    assert second_order.check_step(solutions.saddle_free_newton_step, "saddle_free_newton").passed
