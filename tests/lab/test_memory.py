"""course_utils.lab.memory: parameters, bytes, and each optimizer's state."""

from __future__ import annotations

import dataclasses

import pytest

from course_utils import lab


def test_memory_report_measures_the_lecture_rule():
    assert lab.parameter_count([784, 32, 20, 10]) == 25_990
    model = lab.build_mlp((32, 20), seed=0)
    assert model.count_params() == 25_990
    names = ("sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam", "nadam")
    report = lab.memory_report(model, {n: lab.make_optimizer(n) for n in names}, batch_size=64)
    assert report.n_params == 25_990
    assert report.weight_bytes == report.gradient_bytes == 4 * 25_990
    assert report.activation_bytes == 4 * 64 * (784 + 32 + 20 + 10)
    slots = {r.name: r.state_floats / 25_990 for r in report.rows}
    assert slots == {"sgd": 0, "momentum": 1, "adagrad": 1, "rmsprop": 1, "adadelta": 2,
                     "adam": 2, "nadam": 2}
    for r in report.rows:
        assert isinstance(r, lab.OptimizerMemory) and r.slots == slots[r.name]
        assert r.state_bytes == 4 * r.state_floats
        assert r.total_multiple == 2 + r.slots
        assert "iteration" in " ".join(r.scalar_names)
    nadam = next(r for r in report.rows if r.name == "nadam")
    assert nadam.scalars == 3                        # iteration, learning_rate, u_product
    assert nadam.lecture == "4x: 'quadruples' the layer"
    text = str(report)
    assert "4x" in text and "'triples'" in text
    assert "momentum         25,990        1      103,960       2                   3x" in text
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.rows[0].name = "other"                # typed, read-only records


def test_memory_of_the_optimizers_since_the_lecture_from_keras_variables():
    """What lab 08's section 6 prints: Keras's own variables for the six newer optimizers."""
    model = lab.build_mlp((32, 20), seed=0)
    names = ["adam", *lab.MODERN_OPTIMIZER_NAMES]
    report = lab.memory_report(model, {n: lab.make_optimizer(n) for n in names}, batch_size=64)
    floats = {r.name: r.state_floats for r in report.rows}
    n, biases = 25_990, 32 + 20 + 10
    assert floats["adamw"] == floats["lamb"] == floats["schedule_free_adamw"] == 2 * n
    assert floats["lion"] == n
    assert floats["muon"] == n + biases          # momentum everywhere, AdamW's v on the biases
    # Keras's Adafactor keeps the full-size v next to the row and column factors
    assert n < floats["adafactor"] < 1.01 * n
    text = str(report)
    assert "schedule_free_adamw       51,980" in text     # the name column widens to fit


@pytest.mark.parametrize(("call", "message"), [
    (lambda: lab.parameter_count([784]), "layer_sizes"),
    (lambda: lab.parameter_count([784, 0]), r"layer_sizes\[i\] must be an integer in \[1, "),
])
def test_invalid_arguments_raise_value_error_naming_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()
