"""The exercises of notebook 02 (clip by norm, the curvature test) and their typical mistakes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from course_utils.checks import challenges


def clip_ok(g, max_norm):
    g = np.asarray(g, dtype=float)
    norm = np.linalg.norm(g, axis=-1, keepdims=True)
    return g * max_norm / np.maximum(norm, max_norm)


def clip_nan(g, max_norm):
    norm = np.linalg.norm(g, axis=-1, keepdims=True)
    return g * np.minimum(1.0, max_norm / norm) / (norm / norm)


def clip_half(g, max_norm):
    return 0.5 * np.asarray(g)


CLIP_WRONG = {name: wrong for name, wrong, _ in challenges.CLIP_MISTAKES}


@pytest.mark.parametrize("mistake", sorted(CLIP_WRONG))
def test_each_clip_mistake_gets_its_hint(mistake):
    result = challenges.check_clip_by_norm(CLIP_WRONG[mistake])
    assert not result.passed
    assert result.hint == mistake
    hint = dict((name, text) for name, _, text in challenges.CLIP_MISTAKES)[mistake]
    assert hint in result.message


def test_division_by_zero_is_named():
    result = challenges.check_clip_by_norm(clip_nan)
    assert not result.passed and result.hint == "division_by_zero"
    assert "nan or inf" in result.message


def test_unknown_clip_mistake_and_wrong_shape():
    result = challenges.check_clip_by_norm(clip_half)
    assert not result.passed and result.hint is None and "expected" in result.message
    result = challenges.check_clip_by_norm(lambda g, v: np.zeros(3))
    assert not result.passed and "shape" in result.message


def test_correct_clip_passes():
    result = challenges.check_clip_by_norm(clip_ok)
    assert result.passed and result.message.startswith("✓")


def change_ok(g, H, learning_rate):
    return -learning_rate * g @ g + 0.5 * learning_rate**2 * g @ H @ g


CHANGE_WRONG = {name: wrong for name, wrong, _ in challenges.CHANGE_MISTAKES}


@pytest.mark.parametrize("mistake", sorted(CHANGE_WRONG))
def test_each_change_mistake_gets_its_hint(mistake):
    result = challenges.check_predicted_change(CHANGE_WRONG[mistake])
    assert not result.passed
    assert result.hint == mistake
    hint = dict((name, text) for name, _, text in challenges.CHANGE_MISTAKES)[mistake]
    assert hint in result.message


def test_unknown_change_mistake():
    result = challenges.check_predicted_change(lambda g, H, lr: 0.0)
    assert not result.passed and result.hint is None and "true change" in result.message


def test_correct_change_passes():
    result = challenges.check_predicted_change(change_ok)
    assert result.passed and "✓" in str(result)


def test_course_solutions_pass():
    path = Path(__file__).parents[2] / "notebooks" / "solutions" / "02_challenges.py"
    spec = importlib.util.spec_from_file_location("solutions_02_challenges", path)
    solution = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(solution)
    assert challenges.check_clip_by_norm(solution.clip_by_norm)
    assert challenges.check_predicted_change(solution.predicted_change)
