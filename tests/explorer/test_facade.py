"""``course_utils.widgets`` is the old import path: every name it offered still works."""

from __future__ import annotations

import numpy as np

from course_utils import explorer, optimizers, schedules


def test_the_widgets_facade_re_exports_the_old_names():
    from course_utils import widgets

    assert set(widgets.__all__) == {
        "explore", "Explorer", "race", "Race", "phase_diagram", "PhaseDiagram", "surface3d",
        "demo_hyperparameters", "make_optimizer", "make_transform", "ScaledSchedule",
        "normalize_state", "LABELS", "STATE_VERSION"}
    for name in widgets.__all__:
        assert getattr(widgets, name) is not None
    assert widgets.explore is explorer.explore and widgets.LABELS is explorer.LABELS
    assert widgets.STATE_VERSION == 1
    app = widgets.explore("ravine", ("sgd",), steps=5)
    assert isinstance(app, explorer.Explorer) and app.last_error is None


def test_make_optimizer_scales_the_learning_rate_by_a_schedule_shape():
    from course_utils.widgets import ScaledSchedule, make_optimizer, make_transform

    shape = schedules.get("step_decay", initial_learning_rate=1.0, step_size=2, factor=0.5)
    opt = make_optimizer("sgd", {"learning_rate": 0.4}, shape)
    state = opt.init(np.zeros(2))
    steps = []
    for _ in range(4):
        update, state = opt.update(np.ones(2), state)
        steps.append(float(update[0]))
    np.testing.assert_allclose(steps, [-0.4, -0.4, -0.2, -0.2])
    assert isinstance(ScaledSchedule(0.4, shape)(3), float)
    rprop = make_optimizer("rprop", {"initial_step": 0.1}, shape)  # no learning rate: as is
    assert rprop.name == optimizers.get("rprop").name
    transform, kwargs = make_transform(None, {"enabled": True, "stddev": 1.0, "batch_size": 4,
                                              "seed": 0}, {"mode": "norm", "threshold": 1.0})
    assert transform is not None and kwargs == {}
