"""The optimizer registry: one descriptor per optimizer, and registering one from outside."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import optimizers, run, surfaces
from course_utils.optimizers import KerasSpec, ParamSpec, Style

from ..keras_reference import keras_trajectory, our_trajectory, random_quadratic


def heavy_ball(learning_rate: float = 0.05, momentum: float = 0.5, nesterov: bool = False):
    """A minimal instructor-made optimizer: Polyak's heavy ball as SGD with momentum."""
    return optimizers.sgd(learning_rate, momentum=momentum, nesterov=nesterov)


@pytest.fixture
def registered():
    made: list[str] = []

    def register(name, factory, **kwargs):
        info = optimizers.register(name, factory, **kwargs)
        made.append(name)
        return info

    before = optimizers.names()
    yield register
    for name in made:
        if name in optimizers.names():
            optimizers.unregister(name)
    assert optimizers.names() == before


def test_every_course_optimizer_has_a_complete_descriptor():
    for name in optimizers.names():
        info = optimizers.info(name)
        assert info.name == name and info.label
        assert info.hyperparameters == optimizers.parameters(name)
        for key, spec in info.hyperparameters.items():
            assert spec.label, (name, key)
        if info.step_size is not None:
            assert info.step_size in info.hyperparameters
        x, y = info.phase_axes
        assert x in info.hyperparameters and (y is None or y in info.hyperparameters)
        # the factory builds with every default
        assert isinstance(info.build(), optimizers.GradientTransformation)


def test_styles_are_unique_pairs_of_colour_and_marker():
    pairs = [(optimizers.info(n).style.color, optimizers.info(n).style.marker)
             for n in optimizers.names()]
    assert len(set(pairs)) == len(pairs)


def test_inside_functions_are_given_where_the_state_has_meaning():
    with_inside = {n for n in optimizers.names() if optimizers.info(n).inside is not None}
    # Newton's step, Lamb's trust ratio and Adafactor's relative step are shown as |Δθ|/|g|
    assert with_inside == set(optimizers.names()) - {"newton", "saddle_free_newton", "lamb",
                                                     "adafactor"}


def test_demo_hyperparameters_set_the_step_size_only():
    adam = optimizers.info("adam")
    assert adam.demo_hyperparameters("ravine")["learning_rate"] == 0.3
    assert adam.demo_hyperparameters("beale")["learning_rate"] == 0.1  # the general demo rate
    rprop = optimizers.info("rprop")
    assert rprop.step_size == "initial_step"
    demo = rprop.demo_hyperparameters("ravine")
    assert demo["initial_step"] == 0.1 and demo["eta_plus"] == 1.2


@pytest.mark.parametrize("name", [n for n in optimizers.names()
                                  if optimizers.info(n).keras is not None])
def test_keras_spec_builds_the_same_method(name):
    """Each descriptor's Keras class and fixed arguments reproduce our stepper in float64.

    Where Keras computes another path on a 2-D point, the descriptor says so and why (Muon and
    schedule-free AdamW, tested in test_modern.py on a matrix and against the paper).
    """
    keras = pytest.importorskip("keras")
    info = optimizers.info(name)
    if not info.keras.same_path_on_points:
        assert len(info.keras.note) > 20
        return
    hyper = {k: s.default for k, s in info.hyperparameters.items()}
    hyper[info.step_size] = 0.05 if name != "adadelta" else 1.0
    a, b, x0 = random_quadratic(dim=4, seed=11)
    keras_opt = getattr(keras.optimizers, info.keras.class_name)(**info.keras.kwargs(**hyper))
    expected = keras_trajectory(keras_opt, a, b, x0, 40)
    got = our_trajectory(info.build(**hyper), a, b, x0, 40)
    assert np.max(np.abs(expected[-1] - expected[0])) > 1e-2
    assert np.max(np.abs(got - expected)) / np.max(np.abs(expected)) < 1e-5


def test_keras_spec_kwargs_rename_and_fix():
    spec = KerasSpec("SGD", fixed={"momentum": 0.9, "nesterov": True},
                     arguments={"step": "learning_rate"})
    assert spec.kwargs(step=0.1) == {"momentum": 0.9, "nesterov": True, "learning_rate": 0.1}
    with pytest.raises(TypeError):
        spec.fixed["momentum"] = 0.5  # read-only


def test_register_with_defaults_derived_from_the_signature(registered):
    info = registered("heavy_ball", heavy_ball, label="heavy ball")
    assert "heavy_ball" in optimizers.names()
    assert optimizers.names()[-1] == "heavy_ball"
    specs = info.hyperparameters
    assert specs["learning_rate"].log and specs["learning_rate"].low == 1e-4
    assert specs["learning_rate"].label == "learning rate ε"
    assert not specs["momentum"].log and (specs["momentum"].low, specs["momentum"].high) == (
        0.0, 0.999)
    assert specs["nesterov"].low is None and specs["nesterov"].default is False
    assert info.step_size == "learning_rate" and info.demo_learning_rate == 0.05
    assert info.phase_axes == ("learning_rate", "momentum")
    taken = {(optimizers.info(n).style.color, optimizers.info(n).style.marker)
             for n in optimizers.names() if n != "heavy_ball"}
    assert (info.style.color, info.style.marker) not in taken
    # it runs like any other optimizer
    traj = run(optimizers.get("heavy_ball", learning_rate=0.1), surfaces.get("ravine"), steps=30)
    plain = run(optimizers.sgd(0.1, momentum=0.5), surfaces.get("ravine"), steps=30)
    np.testing.assert_array_equal(traj.points, plain.points)


def test_register_with_explicit_descriptor_fields(registered):
    info = registered(
        "heavy_ball", heavy_ball, label="heavy ball",
        hyperparameters={"momentum": ParamSpec(0.5, 0.0, 0.9, False, "β", "β (heavy ball)")},
        style=("#123456", "o"), demo_learning_rates={"ravine": 0.2},
        keras=KerasSpec("SGD", lab_learning_rate=0.01))
    assert info.style == Style("#123456", "o", "-")
    assert info.hyperparameters["momentum"].label == "β (heavy ball)"
    assert info.hyperparameters["momentum"].high == 0.9
    assert info.demo_hyperparameters("ravine")["learning_rate"] == 0.2
    assert info.demo_hyperparameters("beale")["learning_rate"] == 0.05
    assert info.keras.lab_learning_rate == 0.01


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "sgd"}, "already registered"),
        ({"name": "heavy ball"}, "identifier"),
        ({"factory": 3}, "callable"),
        ({"step_size": "lr"}, "step_size must be one of"),
        ({"hyperparameters": {"lr": ParamSpec(0.1, 0, 1, False, "")}}, "'lr'"),
        ({"factory": lambda learning_rate: None}, "needs a default"),
    ],
)
def test_bad_registrations_raise_value_error(kwargs, message, registered):
    args = {"name": "heavy_ball", "factory": heavy_ball, **kwargs}
    with pytest.raises(ValueError, match=message):
        registered(args.pop("name"), args.pop("factory"), **args)


def test_replace_keeps_the_look_and_unregister_removes(registered):
    first = registered("heavy_ball", heavy_ball)
    again = registered("heavy_ball", heavy_ball, label="heavy ball 2", replace=True)
    assert again.style == first.style and again.label == "heavy ball 2"
    optimizers.unregister("heavy_ball")
    assert "heavy_ball" not in optimizers.names()
    with pytest.raises(ValueError, match="unknown optimizer"):
        optimizers.info("heavy_ball")
    with pytest.raises(ValueError, match="unknown optimizer"):
        optimizers.unregister("heavy_ball")
