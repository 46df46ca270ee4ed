"""course_utils.lab.training: optimizers from the descriptors, schedules, runs, bands."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import lab, optimizers
from course_utils.lab import training

from .solutions import Adam

keras = lab.keras


def test_the_lab_optimizers_are_the_registered_ones_with_a_keras_class():
    names = tuple(lab.OPTIMIZER_NAMES)
    assert set(names) == {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta",
                          "adam", "adamax", "nadam"}
    assert names == tuple(n for n in optimizers.names() if n in names)   # registry order
    assert "rprop" not in lab.OPTIMIZER_NAMES                             # no Keras class
    for name in names:
        spec = optimizers.info(name).keras
        assert lab.LAB_LEARNING_RATES[name] == spec.lab_learning_rate
        opt = lab.make_optimizer(name)
        assert type(opt).__name__ == spec.class_name
        assert float(opt.learning_rate) == pytest.approx(spec.lab_learning_rate)
        config = opt.get_config()
        for key, value in spec.fixed.items():
            assert config[key] == value, (name, key)
    nesterov = lab.make_optimizer("nesterov", learning_rate=0.1, momentum=0.5)
    assert nesterov.get_config()["nesterov"] is True and nesterov.momentum == 0.5


def _heavy_ball(learning_rate: float = 0.01, momentum: float = 0.5):
    """Momentum with a smaller default coefficient: an optimizer registered from outside."""
    return optimizers.momentum(learning_rate=learning_rate, momentum=momentum)


def test_an_optimizer_registered_later_joins_the_lab(setup, tiny):
    assert "heavy_ball" not in lab.OPTIMIZER_NAMES
    optimizers.register("heavy_ball", _heavy_ball, label="heavy ball",
                        keras=optimizers.KerasSpec("SGD", fixed={"momentum": 0.5},
                                                   lab_learning_rate=0.01))
    try:
        assert lab.OPTIMIZER_NAMES[-1] == "heavy_ball"
        assert lab.LAB_LEARNING_RATES["heavy_ball"] == 0.01
        factories = lab.optimizer_factories()
        assert list(factories) == list(lab.OPTIMIZER_NAMES) and "heavy_ball" in factories
        opt = factories["heavy_ball"]()
        assert isinstance(opt, keras.optimizers.SGD) and opt.momentum == 0.5
        style = optimizers.info("heavy_ball").style
        assert lab.run_styles(["heavy_ball"])["heavy_ball"] == (
            style.color, style.marker, style.linestyle)
        sgd, heavy = lab.compare(lab.lecture_model(seed=0), tiny,
                                 lab.optimizer_factories(["sgd", "heavy_ball"]), epochs=2,
                                 setup=setup)
        assert heavy.name == "heavy_ball" and heavy.epochs == 2
        assert heavy.history["loss"][-1] < heavy.history["loss"][0]      # it trains
        assert heavy.history != sgd.history                               # with momentum
    finally:
        optimizers.unregister("heavy_ball")
    assert "heavy_ball" not in lab.OPTIMIZER_NAMES
    with pytest.raises(ValueError, match="name must be one of"):
        lab.make_optimizer("heavy_ball")


def test_schedules_follow_their_formulas():
    spe, epochs, lr = 10, 8, 0.1
    curves = lab.schedule_curves(lr, steps_per_epoch=spe, epochs=epochs)
    k = np.arange(spe * epochs)
    np.testing.assert_allclose(curves["constant"], lr)
    # inverse time = Keras 2's decay=d with d = 0.5 / steps_per_epoch
    np.testing.assert_allclose(curves["inverse_time"], lr / (1 + 0.5 / spe * k), rtol=1e-6)
    np.testing.assert_allclose(curves["exponential"], lr * 0.8 ** (k / spe), rtol=1e-6)
    step = curves["step"]
    assert step[0] == pytest.approx(lr) and step[4 * spe] == pytest.approx(lr)
    assert step[4 * spe + 1] == pytest.approx(lr / 10) and step[-1] == pytest.approx(lr / 100)


def test_compare_starts_every_run_from_the_same_weights(setup, tiny):
    model = lab.lecture_model(seed=4)
    before = [w.copy() for w in model.get_weights()]
    factories = {"a": lambda: keras.optimizers.SGD(0.1), "b": lambda: keras.optimizers.SGD(0.1),
                 "c": lambda: keras.optimizers.Adam(0.01)}
    a, b, c = lab.compare(model, tiny, factories, epochs=2, setup=setup, tag="t")
    assert a.name == "a (t)"
    assert a.history == b.history                   # same start, same batches: same run
    assert a.history != c.history
    for w0, w1 in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(w0, w1)       # the template model itself is not trained
    assert len(a.epoch_times) == 2 and a.wall_time >= sum(a.epoch_times) * 0.9
    table = lab.results_table([a, c], target=0.5)
    assert "a (t)" in table and "epochs to 50%" in table


def test_runs_of_one_network_share_one_evaluation_graph(setup, tiny):
    """Validation and test accuracy come from one compiled copy per architecture: the runs'
    own models never build an evaluation graph, and the numbers are Keras's own."""
    template = lab.lecture_model(seed=3)
    seen = []

    class Spy(keras.callbacks.Callback):            # runs after the validation callback
        def on_epoch_end(self, epoch, logs=None):
            seen.append(sorted(logs))

    factories = {"a": lambda: keras.optimizers.SGD(0.1), "b": lambda: keras.optimizers.Adam()}
    a, b = lab.compare(template, tiny, factories, epochs=2, setup=setup)
    evaluator = training._evaluator(a.model, setup.compile_kwargs, tiny)
    assert evaluator is training._evaluator(b.model, setup.compile_kwargs, tiny)
    assert evaluator is not training._evaluator(lab.modern_model(seed=0), setup.compile_kwargs,
                                                tiny)
    assert a.model.test_function is None and b.model.test_function is None
    # the same numbers as fit(validation_data=...) and evaluate on the run's own model
    own = keras.models.clone_model(template)
    own.set_weights(template.get_weights())
    own.compile(optimizer=keras.optimizers.Adam(), loss="sparse_categorical_crossentropy",
                metrics=["accuracy"], **setup.compile_kwargs)
    keras.utils.set_random_seed(0)
    history = own.fit(tiny.train_dataset(128, seed=0), epochs=2, shuffle=False, verbose=0,
                      validation_data=tiny.eval_dataset("val")).history
    assert b.history == {k: [float(v) for v in vals] for k, vals in history.items()}
    assert [b.test_loss, b.test_accuracy] == own.evaluate(tiny.eval_dataset("test"), verbose=0)
    # callbacks after it (early stopping, the dashboard) see the validation
    lab.train(lab.lecture_model(seed=3), tiny, optimizer=keras.optimizers.SGD(0.1), epochs=1,
              setup=setup, callbacks=[Spy()])
    assert seen == [["accuracy", "loss", "val_accuracy", "val_loss"]]


def test_optimizer_state_starts_as_its_build_says_and_runs_repeat(setup, tiny):
    """The optimizer's variables are made before the training step is traced: inside the
    trace, ScheduleFreeAdamW's z did not start at the weights, and a run depended on the runs
    before it."""
    model = lab.lecture_model(seed=0)
    start = model.get_weights()
    opt = keras.optimizers.ScheduleFreeAdamW(learning_rate=1e-12)    # z barely moves
    lab.train(model, tiny, optimizer=opt, epochs=1, setup=setup)
    z = [v.numpy() for v in opt.variables if v.name.endswith("_momentum")]
    assert len(z) == len(start)
    for z_i, w in zip(z, start, strict=True):
        np.testing.assert_allclose(z_i, w, atol=1e-6)
    template = lab.lecture_model(seed=5)
    factories = {"sf": lambda: keras.optimizers.ScheduleFreeAdamW(learning_rate=0.01)}
    (first,) = lab.compare(template, tiny, factories, epochs=2, setup=setup)
    lab.lecture_model(seed=None)                   # other random draws before the next run
    (again,) = lab.compare(template, tiny, factories, epochs=2, setup=setup)
    assert first.history == again.history


def test_weights_are_recorded_for_the_landscape(setup, tiny):
    r = lab.train(lab.lecture_model(seed=0), tiny, optimizer=keras.optimizers.SGD(0.1),
                  epochs=2, setup=setup, record_every=2, steps_per_execution=2)
    assert len(r.trajectory) == 1 + 8 // 2                    # start + every 2 of 8 steps
    np.testing.assert_allclose(r.trajectory[-1][0], r.model.get_weights()[0])
    assert not np.allclose(r.trajectory[0][0], r.trajectory[-1][0])


def test_seeded_fast_mode_accuracies_land_in_the_stated_bands(setup, capsys):
    """The lab's own fast-mode runs (same settings, seeds and order as notebook 08)."""
    s = lab.lab_settings(True)
    data = lab.load_lab_data(s.n_train, s.n_val, s.n_test)
    runs = [lab.train(lab.lecture_model(seed=0), data, optimizer=lab.make_optimizer("sgd"),
                      epochs=s.epochs, batch_size=s.batch_size, setup=setup, name="lecture"),
            lab.train(lab.modern_model(seed=0), data, optimizer=lab.make_optimizer("sgd"),
                      epochs=s.epochs, batch_size=s.batch_size, setup=setup, name="modern")]
    # Adam and the optimizers since the lecture, as in lab 08's sections 4 and 6
    names = ["adam", *lab.MODERN_OPTIMIZER_NAMES]
    assert names == ["adam", "adamw", "lion", "lamb", "adafactor", "schedule_free_adamw",
                     "muon"]
    runs += lab.compare(lab.modern_model(seed=1), data, lab.optimizer_factories(names),
                        epochs=s.epochs, batch_size=s.batch_size, setup=setup)
    for r in runs:
        lo, hi = lab.FAST_MODE_BANDS[r.name]
        assert lo <= r.test_accuracy <= hi, (r.name, r.test_accuracy)
    lab.check_bands(runs, fast=True)
    assert capsys.readouterr().out.count("in the stated band") == 2 + len(names)
    # the bands say something: a run that learns nothing (lr tiny) falls outside
    frozen = lab.train(lab.lecture_model(seed=0), data,
                       optimizer=keras.optimizers.SGD(1e-6), epochs=1, setup=setup)
    with pytest.raises(AssertionError, match="outside the stated band"):
        lab.check_band("frozen", frozen.test_accuracy, lab.FAST_MODE_BANDS["adam"])


def test_hand_written_loop_trains(setup, tiny):
    model = lab.lecture_model(seed=0)
    losses = lab.train_with_tape(model, Adam(learning_rate=0.01), tiny, steps=12, batch_size=64)
    assert len(losses) == 12 and np.mean(losses[-3:]) < np.mean(losses[:3]) - 0.2


@pytest.mark.parametrize(("call", "message"), [
    (lambda: lab.make_optimizer("lbfgs"), "name must be one of 'sgd'"),
    (lambda: lab.make_optimizer("rprop"), "name must be one of"),        # no Keras class
    (lambda: lab.optimizer_factories(["sgd", "lbfgs"]), r"names\[i\] must be one of"),
    (lambda: lab.make_schedule("cosine", 0.1, steps_per_epoch=10, epochs=2),
     "kind must be one of"),
    (lambda: lab.make_schedule("step", -0.1, steps_per_epoch=10, epochs=2),
     r"initial_learning_rate must be in \(0, inf\]"),
    (lambda: lab.check_band("x", 0.5, (0.9, 0.1)), r"band\[1\] must be in \(0.9, 1\]"),
    (lambda: lab.check_band("x", 0.5, (-0.1, 0.5)), r"band\[0\] must be in \[0, 1\]"),
    (lambda: lab.results_table([], target=2.0), r"target must be in \[0, 1\]"),
])
def test_invalid_arguments_raise_value_error_naming_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()
