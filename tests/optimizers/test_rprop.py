"""Rprop's rules: a zero gradient product leaves the step alone; weight backtracking."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import optimizers, run, surfaces


def _step_sizes(opt, gradients):
    theta = np.zeros(1)
    state, sizes, moves = opt.init(theta), [], []
    for g in gradients:
        update, state = opt.update(np.array([g]), state, theta)
        theta = theta + update
        sizes.append(float(state.step_size[0]))
        moves.append(float(update[0]))
    return sizes, moves


def test_a_zero_gradient_neither_grows_nor_shrinks_the_step():
    """Riedmiller & Braun: g(t-1) g(t) = 0 leaves U unchanged (it used to halve it)."""
    sizes, moves = _step_sizes(optimizers.rprop(initial_step=0.01), [1.0, 0.0, 1.0, 1.0])
    np.testing.assert_allclose(sizes, [0.01, 0.01, 0.01, 0.012])
    np.testing.assert_allclose(moves, [-0.01, 0.0, -0.01, -0.01])


def test_signs_grow_and_shrink_the_step():
    sizes, _ = _step_sizes(optimizers.rprop(initial_step=0.01), [1.0, 1.0, -1.0, -1.0])
    np.testing.assert_allclose(sizes, [0.01, 0.012, 0.006, 0.0072])


def test_backtracking_undoes_the_step_before_a_sign_change():
    opt = optimizers.rprop(initial_step=0.01, backtracking=True)
    sizes, moves = _step_sizes(opt, [1.0, 1.0, -1.0, -1.0, -1.0])
    # steps: -0.01, -0.01, then the flip undoes the last step (+0.01) and halves U (0.006);
    # the sign is forgotten, so the next step keeps U and the one after grows it
    np.testing.assert_allclose(moves, [-0.01, -0.01, 0.01, 0.006, 0.006])
    np.testing.assert_allclose(sizes, [0.01, 0.012, 0.006, 0.006, 0.0072])
    assert opt.hyperparams["backtracking"] is True


@pytest.mark.parametrize("surface", ["ravine", "rosenbrock"])
def test_backtracking_runs_on_the_surfaces_and_differs(surface):
    surf = surfaces.get(surface)
    plain = run(optimizers.rprop(initial_step=0.1), surf, steps=200)
    back = run(optimizers.rprop(initial_step=0.1, backtracking=True), surf, steps=200)
    assert plain.diverged_at < 0 and back.diverged_at < 0
    assert not np.allclose(plain.points, back.points)
    assert back.losses[-1] < back.losses[0]


def test_state_holds_the_previous_update_only_with_backtracking():
    x = np.zeros(10)
    assert optimizers.state_size(optimizers.rprop().init(x)) == 20
    assert optimizers.state_size(optimizers.rprop(backtracking=True).init(x)) == 30
