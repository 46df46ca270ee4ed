"""The explorer's setup JSON: round trips, saved setups, defaults and clear errors."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from course_utils import explorer, optimizers
from course_utils.explorer import settings

from .helpers import demo, line_xy

#: A setup saved by the explorer before it became a package (course_utils.widgets, 2026-12):
#: it must keep loading, and be written back byte for byte.
SAVED_SETUP = (
    '{"version": 1, "surface": {"name": "ravine", "params": {"condition": 35.0, "angle": 0.0}},'
    ' "optimizers": {"sgd": {"enabled": true, "learning_rate": 0.3, "momentum": 0.0, '
    '"nesterov": false}, "adam": {"enabled": true, "learning_rate": 0.0123, "beta_1": 0.9, '
    '"beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false}, "rprop": {"enabled": true, '
    '"initial_step": 0.1, "eta_plus": 1.2, "eta_minus": 0.5, "min_step": 1e-06, "max_step": '
    '50.0}, "nadam": {"enabled": false, "learning_rate": 0.3, "beta_1": 0.8, "beta_2": 0.999, '
    '"epsilon": 1e-07}}, "steps": 50, "start": [-8.0, 3.0], "tol": 1e-06, "noise": {"enabled": '
    'true, "stddev": 1.0, "batch_size": 16, "seed": 0}, "clip": {"mode": "norm", "threshold": '
    '1.0}, "schedule": {"name": "piecewise_constant_decay", "boundaries": [80, 160], "values": '
    '[1.0, 0.1, 0.01]}, "step": 17, "inspect": "rprop", "speed": "normal", "presenter": false, '
    '"phase": {"enabled": true, "metric": "steps_to_tol", "resolution": 16, "x": '
    '"initial_step", "y": "eta_plus"}}'
)


def test_a_saved_setup_loads_and_is_written_back_byte_for_byte():
    """An old setup loads; written back it is the same, plus any hyperparameter added since
    (Rprop's ``backtracking``) at its default."""
    app = explorer.explore(config=SAVED_SETUP)
    assert app.last_error is None
    text = app.state()
    expected = json.loads(SAVED_SETUP)
    expected["optimizers"]["rprop"]["backtracking"] = False
    assert text == json.dumps(expected, indent=1, ensure_ascii=False)
    assert explorer.explore(config=text).state() == text  # and now round-trips exactly
    assert app.sliders["adam"]["learning_rate"].value == 0.0123
    assert app.inspect_dropdown.value == "rprop" and app.step_slider.value == 17


def test_state_round_trips_exactly():
    app = explorer.explore("ravine", ("sgd", "adam", "rprop"), steps=50, condition=35.0)
    app.sliders["adam"]["learning_rate"].value = 0.0123
    app.sliders["rprop"]["eta_plus"].value = 1.5
    app.sliders["nadam"]["beta_1"].value = 0.8  # changed but not enabled: kept too
    app.start_sliders[0].value = -3.25
    app.noise_check.value = True
    app.noise_batch.value = 64
    app.clip_mode.value = "norm"
    app.schedule_dropdown.value = "piecewise_constant_decay"
    app.schedule_controls["values"].value = "1.0, 0.5, 0.125"
    app.inspect_dropdown.value = "rprop"
    app.step_slider.value = 17
    app.phase_check.value = True
    app.phase_resolution.value = 16
    assert app.last_error is None
    text = app.state()
    data = json.loads(text)
    assert data["version"] == 1 and data["surface"] == {"name": "ravine", "params": {
        "condition": 35.0, "angle": 0.0}}
    assert data["optimizers"]["nadam"]["enabled"] is False
    assert data["schedule"]["values"] == [1.0, 0.5, 0.125]
    restored = explorer.explore(config=text)
    assert restored.state() == text
    for name in ("sgd", "adam", "rprop"):
        np.testing.assert_array_equal(line_xy(restored.lines[name]),
                                      line_xy(app.lines[name]))
    assert not restored.optimizer_checks["nadam"].value
    assert restored.sliders["nadam"]["beta_1"].value == 0.8


@pytest.mark.parametrize("config, words", [
    ("{not json", "not valid JSON"),
    ('{"version": 1, "steps": NaN}', "NaN"),
    ("__import__('os').system('echo hacked')", "not valid JSON"),
    ({"version": 2}, "version"),
    ({"colour": "red"}, "colour"),
    ({"surface": {"name": "volcano"}}, "volcano"),
    ({"surface": {"name": "ravine", "params": {"condition": 0.5}}}, "condition"),
    ({"optimizers": {"adamz": {}}}, "adamz"),
    ({"optimizers": {"adam": {"learning_rate": -1}}}, "learning_rate"),
    ({"optimizers": {"adam": {"learning_rate": 1e5}}}, "learning_rate"),
    ({"optimizers": {"adam": {"beta_one": 0.9}}}, "beta_one"),
    ({"optimizers": {"rprop": {"min_step": 0.01, "max_step": 0.01001, "initial_step": 0.1}},
      "steps": 10, "inspect": "adam"}, "inspect"),
    ({"steps": 5000}, "steps"),
    ({"steps": 10, "step": 11}, "step"),
    ({"start": [0, "x"]}, "start"),
    ({"noise": {"batch_size": 3}}, "batch_size"),
    ({"clip": {"mode": "sometimes"}}, "clip.mode"),
    ({"schedule": {"name": "cosine_decay", "initial_learning_rate": 1.0, "decay_steps": 10,
                   "warmup_target": 0.5}}, "warmup_target"),
    ({"schedule": {"name": "step_decay", "initial_learning_rate": 1.0}}, "step_size"),
    ("[1, 2]", "JSON object"),
])
def test_bad_setups_raise_a_clear_value_error(config, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        explorer.explore(config=config)


def test_setup_buttons_save_and_load_and_report_bad_text(app):
    app.sliders["sgd"]["learning_rate"].value = 0.125
    app.save_button.click()
    saved = app.setup_text.value
    assert json.loads(saved)["optimizers"]["sgd"]["learning_rate"] == 0.125
    app.sliders["sgd"]["learning_rate"].value = 0.5
    app.load_button.click()
    assert app.sliders["sgd"]["learning_rate"].value == 0.125
    app.setup_text.value = '{"steps": "many"}'
    app.load_button.click()  # no exception: a message
    assert "steps must be" in app.message.value and "many" in app.message.value
    assert app.sliders["sgd"]["learning_rate"].value == 0.125


def test_initial_keyword_settings():
    app = explorer.explore("ravine", ("sgd",), condition=50.0, steps=40, start=(4.0, 2.0),
                     adam={"learning_rate": 0.02}, clip={"mode": "norm", "threshold": 2.0})
    data = json.loads(app.state())
    assert data["surface"]["params"]["condition"] == 50.0
    assert data["optimizers"]["adam"] == {**demo("ravine", "adam", learning_rate=0.02),
                                          "enabled": True}
    assert data["start"] == [4.0, 2.0] and data["steps"] == 40
    assert data["inspect"] == "adam" and data["clip"] == {"mode": "norm", "threshold": 2.0}
    with pytest.raises(ValueError, match="unknown setting 'colour'"):
        explorer.explore(colour="red")


def test_normalize_state_fills_in_every_default():
    state = explorer.normalize_state({"optimizers": ["adam"]})
    assert state["version"] == explorer.STATE_VERSION == 1
    assert list(state["optimizers"]) == optimizers.names()
    assert state["optimizers"]["adam"] == {"enabled": True, **demo("ravine", "adam")}
    assert not state["optimizers"]["sgd"]["enabled"]
    assert state["inspect"] == "adam" and state["step"] == state["steps"] == 200
    assert (state["phase"]["x"], state["phase"]["y"]) == settings.phase_axes("adam")
    assert explorer.normalize_state(json.loads(json.dumps(state))) == state


def test_demo_hyperparameters_and_phase_axes_come_from_the_registry():
    for name in optimizers.names():
        info = optimizers.info(name)
        assert explorer.demo_hyperparameters("beale", name) == info.demo_hyperparameters("beale")
        x, y = settings.phase_axes(name)
        assert x in info.hyperparameters and y in info.hyperparameters and x != y
    assert explorer.demo_hyperparameters("ravine", "adam")["learning_rate"] == 0.3
    assert settings.phase_axes("rprop") == ("initial_step", "eta_plus")


def test_labels_are_a_live_read_only_view_of_the_registry():
    assert dict(explorer.LABELS) == {n: optimizers.info(n).label for n in optimizers.names()}
    assert explorer.LABELS["adam"] == "Adam"
    with pytest.raises(KeyError):
        explorer.LABELS["adamz"]
    with pytest.raises(TypeError):
        explorer.LABELS["adam"] = "ADAM"


def test_json_numbers_are_checked_strictly():
    for bad in ({"steps": True}, {"steps": 2.5}, {"tol": float("nan")}, {"noise": {"seed": -1}},
                {"presenter": 1}, {"optimizers": {"adam": {"amsgrad": 1}}}):
        with pytest.raises(ValueError):
            explorer.normalize_state(settings.parse_config(bad))
    assert explorer.normalize_state({"steps": 40.0})["steps"] == 40
