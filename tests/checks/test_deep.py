"""Lab 09's checker: a right answer passes, each typical mistake gets its own hint."""

from __future__ import annotations

import importlib
import math
import sys
from pathlib import Path

import pytest

from course_utils.checks import deep

HE = deep.ACTIVATIONS["he"]


def right(fan_in, fan_out, activation):
    if activation in HE:
        return math.sqrt(2 / fan_in)
    return math.sqrt(2 / (fan_in + fan_out))


def test_a_right_answer_passes():
    result = deep.check_init_std(right)
    assert result.passed and bool(result)
    assert result.hint is None and result.steps == 6 * len(deep.CASES)
    assert "correct" in result.message


def test_the_reference_solution_passes():
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "notebooks"))
    try:
        solution = importlib.import_module("solutions.09_training_deep_networks")
    finally:
        sys.path.pop(0)
    assert deep.check_init_std(solution.init_std).passed


def _with(family, formula):
    """A student who is right for the other family and writes `formula` for `family`."""
    def student(fan_in, fan_out, activation):
        if (activation in HE) == (family == "he"):
            return formula(fan_in, fan_out)
        return right(fan_in, fan_out, activation)
    return student


MISTAKE_CASES = [(family, index) for family, mistakes in deep.MISTAKES.items()
                 for index in range(len(mistakes))]


@pytest.mark.parametrize(("family", "index"), MISTAKE_CASES)
def test_each_mistake_gets_its_hint(family, index):
    formula, hint = deep.MISTAKES[family][index]
    result = deep.check_init_std(_with(family, formula))
    assert not result.passed
    assert result.hint == hint
    assert hint in result.message
    assert result.first_bad_step is not None and result.details["wrong"]


def test_the_hints_name_the_slides_inverted_fan_avg():
    slides = _with("glorot", lambda i, o: math.sqrt(1 / (2 / (i + o))))
    result = deep.check_init_std(slides)
    assert "slides" in result.hint and "(fan_in + fan_out)/2" in result.hint


def test_wrong_for_one_activation_of_a_family():
    def student(fan_in, fan_out, activation):
        if activation == "elu":
            return math.sqrt(2 / (fan_in + fan_out))  # a sum written for ELU only
        return right(fan_in, fan_out, activation)
    result = deep.check_init_std(student)
    assert not result.passed and "only for elu" in result.hint


def test_unknown_mistake_has_no_hint_but_says_what_is_wrong():
    result = deep.check_init_std(lambda i, o, a: 0.05)
    assert not result.passed and result.hint is None
    assert "returned 0.05" in result.message and result.first_bad_step == 1


def test_the_unchanged_template_and_a_wrong_signature():
    def template(fan_in, fan_out, activation):
        raise NotImplementedError("write init_std")
    result = deep.check_init_std(template)
    assert not result.passed and "NotImplementedError" in result.message
    assert not deep.check_init_std(lambda fan_in, activation: 1.0).passed


def test_nan_and_none_answers_fail_cleanly():
    assert not deep.check_init_std(lambda i, o, a: float("nan")).passed
    assert not deep.check_init_std(lambda i, o, a: None).passed


def test_reference_rejects_unknown_activation():
    with pytest.raises(ValueError, match="unknown activation"):
        deep.reference_init_std(10, 10, "softmax")
