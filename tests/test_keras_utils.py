"""course_utils.keras_utils: setup, pipeline, dashboard, memory, the optimizer checker, bands.

Real Keras on real MNIST (tiny subsets, a few epochs) -- no mocks. The whole file runs in well
under a minute on a 2-core CPU.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from course_utils import keras_utils as ku
from course_utils import load_mnist, surfaces
from course_utils.mnist import MnistFileError

keras = ku.keras
tf = ku.tf
ops = keras.ops
ROOT = Path(__file__).resolve().parent.parent


def _load_solutions():
    path = ROOT / "notebooks" / "solutions" / "custom_optimizers.py"
    spec = importlib.util.spec_from_file_location("lab_solutions", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["lab_solutions"] = module
    spec.loader.exec_module(module)
    return module


SOLUTIONS = _load_solutions()
Adam = SOLUTIONS.Adam
RMSprop = SOLUTIONS.RMSprop


@pytest.fixture(scope="module")
def setup():
    return ku.keras_setup(seed=0, verbose=False)


@pytest.fixture(scope="module")
def tiny(setup):
    return ku.load_lab_data(512, 128, 256)


# ----------------------------------------------------------------------------- setup


def test_fast_mode_reads_the_environment(monkeypatch):
    for value, expected in (("1", True), ("yes", True), ("0", False), ("", False),
                            ("false", False)):
        monkeypatch.setenv(ku.FAST_ENV, value)
        assert ku.fast_mode() is expected
    monkeypatch.delenv(ku.FAST_ENV)
    assert ku.fast_mode() is False


def test_keras_setup_reports_the_cpu_and_seeds(capsys):
    has_gpu = bool(tf.config.list_physical_devices("GPU"))
    setup = ku.keras_setup(seed=7, mixed_precision=True, device="cpu")
    out = capsys.readouterr().out
    assert tf.__version__ in out and keras.__version__ in out
    assert setup.gpu is False and setup.jit_compile is False
    # mixed precision is a GPU option: on the CPU it is refused with a note
    assert setup.mixed_precision is False
    assert keras.mixed_precision.dtype_policy().name == "float32"
    assert any("Mixed precision" in n for n in setup.notes)
    assert "training on: CPU" in out and any(d.startswith("CPU") for d in setup.devices)
    assert setup.compile_kwargs == {"jit_compile": False, "steps_per_execution": 32}
    assert setup.deterministic is True                  # "auto": deterministic without XLA
    # Keras ignores XLA under op determinism: the setup says so instead of pretending
    xla = ku.keras_setup(seed=7, device="cpu", jit_compile=True, verbose=False)
    assert xla.jit_compile is False and any("XLA is off" in n for n in xla.notes)
    assert any("device='cpu'" in n for n in setup.notes)
    if not has_gpu:
        auto = ku.keras_setup(seed=7, device="auto", verbose=False)
        assert not auto.gpu and any("No GPU" in n for n in auto.notes)
    # seeded: the same seed gives the same random numbers again
    a = keras.random.normal((3,), seed=None)
    ku.keras_setup(seed=7, device="cpu", verbose=False)
    b = keras.random.normal((3,), seed=None)
    np.testing.assert_array_equal(a, b)
    ku.keras_setup(seed=0, verbose=False)


def test_device_choice_covers_cpu_gpu_and_a_full_gpu():
    assert ku._choose_device(0, None, 1024, "auto") == (False, ku._CPU_NOTE)
    use, note = ku._choose_device(0, None, 1024, "gpu")
    assert not use and "requested" in note
    assert ku._choose_device(1, [8000], 1024, "auto") == (True, None)
    assert ku._choose_device(1, None, 1024, "auto") == (True, None)   # nvidia-smi unknown
    use, note = ku._choose_device(2, [100, 300], 1024, "auto")
    assert not use and "300 MiB free" in note
    use, note = ku._choose_device(1, [8000], 1024, "cpu")
    assert not use and "although a GPU is present" in note


@pytest.mark.parametrize(("call", "message"), [
    (lambda: ku.keras_setup(seed=-1, verbose=False), "seed"),
    (lambda: ku.keras_setup(device="tpu", verbose=False), "device"),
    (lambda: ku.keras_setup(steps_per_execution=0, verbose=False), "steps_per_execution"),
    (lambda: ku.keras_setup(jit_compile="yes", verbose=False), "jit_compile"),
    (lambda: ku.lab_settings("fast"), "fast"),
    (lambda: ku.load_lab_data(n_train=0), "n_train"),
    (lambda: ku.load_lab_data(n_val=40_000), "n_val"),
    (lambda: ku.make_dataset(np.zeros((4, 2)), np.zeros(4), batch_size=0), "batch_size"),
    (lambda: ku.make_dataset(np.zeros((4, 2)), np.zeros(3)), "same length"),
    (lambda: ku.make_optimizer("lbfgs"), "name"),
    (lambda: ku.make_schedule("cosine", 0.1, steps_per_epoch=10, epochs=2), "kind"),
    (lambda: ku.make_schedule("step", -0.1, steps_per_epoch=10, epochs=2),
     "initial_learning_rate"),
    (lambda: ku.build_mlp((32,), dropout=1.5), "dropout"),
    (lambda: ku.build_mlp((0,)), "hidden"),
    (lambda: ku.Dashboard([]), "runs"),
    (lambda: ku.Dashboard(["a", "a"]), "runs"),
    (lambda: ku.Dashboard(["a"]).callback("b"), "run"),
    (lambda: ku.check_optimizer(Adam, "sgd"), "reference"),
    (lambda: ku.check_optimizer(Adam, "adam", learning_rate=0.0), "learning_rate"),
    (lambda: ku.parameter_count([784]), "layer_sizes"),
    (lambda: ku.check_band("x", 0.5, (0.9, 0.1)), "band"),
    (lambda: ku.clip_demo([1.0], clipnorm=0.0), "clipnorm"),
    (lambda: ku.distinct_units(np.zeros(3)), "kernel"),
    (lambda: ku.augmentation(shift=0.8), "shift"),
])
def test_invalid_arguments_raise_value_error_naming_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ----------------------------------------------------------------------------- data


def test_lab_data_splits_like_validation_split(tiny):
    (x, y), (xt, yt) = load_mnist(flatten=True, normalize=True)
    assert tiny.x_train.shape == (512, 784) and tiny.x_train.dtype == np.float32
    assert tiny.y_train.dtype == np.int32 and tiny.x_train.max() <= 1.0
    np.testing.assert_array_equal(tiny.x_train, x[:512])
    np.testing.assert_array_equal(tiny.x_val, x[-128:])      # the last images, like Keras
    np.testing.assert_array_equal(tiny.y_test, yt[:256])
    assert tiny.steps_per_epoch(128) == 4 and tiny.steps_per_epoch(100) == 6
    assert len(tiny.subset(100).x_train) == 100


def test_missing_or_corrupt_file_gives_a_message_and_the_helpers_skip(tmp_path, capsys):
    missing = ku.load_lab_data(100, 10, 10, path=tmp_path / "nowhere.npz")
    out = capsys.readouterr().out
    assert isinstance(missing, ku.MissingData) and not missing
    assert "does not exist" in out and "skipped" in out
    # a null object: results made from it are the same object, and helpers skip
    assert missing.x_train[:10] is missing and len(missing) == 0 and list(missing) == []
    model = ku.lecture_model(seed=0)
    result = ku.train(model, missing, optimizer=keras.optimizers.SGD(), epochs=1)
    assert result is missing
    assert ku.results_table({"constant": [result]}) is missing
    assert f"{result.test_accuracy:.3f}" == repr(missing)
    assert "skipped train()" in capsys.readouterr().out

    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(b"this is not a zip archive")
    assert isinstance(ku.load_lab_data(100, 10, 10, path=corrupt), ku.MissingData)
    with pytest.raises(MnistFileError):
        ku.load_lab_data(100, 10, 10, path=corrupt, missing_ok=False)
    with pytest.raises(FileNotFoundError):
        ku.load_lab_data(100, 10, 10, path=tmp_path / "nowhere.npz", missing_ok=False)


def test_pipeline_reshuffles_every_epoch_with_a_seed():
    x = np.arange(50, dtype=np.float32)[:, None]
    y = np.arange(50)
    ds = ku.make_dataset(x, y, batch_size=8, seed=3)
    epochs = [np.concatenate([yb.numpy() for _, yb in ds]) for _ in range(2)]
    for order in epochs:
        assert sorted(order.tolist()) == list(range(50))     # every image once per epoch
    assert not np.array_equal(epochs[0], epochs[1])          # a new order each epoch
    again = ku.make_dataset(x, y, batch_size=8, seed=3)
    np.testing.assert_array_equal(np.concatenate([yb.numpy() for _, yb in again]), epochs[0])
    for xb, yb in ds.take(2):
        np.testing.assert_array_equal(xb.numpy()[:, 0], yb.numpy())   # pairs stay together
    ordered = ku.make_dataset(x, y, batch_size=8, shuffle=False)
    np.testing.assert_array_equal(np.concatenate([yb.numpy() for _, yb in ordered]), y)


# ----------------------------------------------------------------------------- training


def test_schedules_follow_their_formulas():
    spe, epochs, lr = 10, 8, 0.1
    curves = ku.schedule_curves(lr, steps_per_epoch=spe, epochs=epochs)
    k = np.arange(spe * epochs)
    np.testing.assert_allclose(curves["constant"], lr)
    # inverse time = Keras 2's decay=d with d = 0.5 / steps_per_epoch
    np.testing.assert_allclose(curves["inverse_time"], lr / (1 + 0.5 / spe * k), rtol=1e-6)
    np.testing.assert_allclose(curves["exponential"], lr * 0.8 ** (k / spe), rtol=1e-6)
    step = curves["step"]
    assert step[0] == pytest.approx(lr) and step[4 * spe] == pytest.approx(lr)
    assert step[4 * spe + 1] == pytest.approx(lr / 10) and step[-1] == pytest.approx(lr / 100)


def test_compare_starts_every_run_from_the_same_weights(setup, tiny):
    model = ku.lecture_model(seed=4)
    before = [w.copy() for w in model.get_weights()]
    factories = {"a": lambda: keras.optimizers.SGD(0.1), "b": lambda: keras.optimizers.SGD(0.1),
                 "c": lambda: keras.optimizers.Adam(0.01)}
    a, b, c = ku.compare(model, tiny, factories, epochs=2, setup=setup, tag="t")
    assert a.name == "a (t)"
    assert a.history == b.history                   # same start, same batches: same run
    assert a.history != c.history
    for w0, w1 in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(w0, w1)       # the template model itself is not trained
    assert len(a.epoch_times) == 2 and a.wall_time >= sum(a.epoch_times) * 0.9
    table = ku.results_table([a, c], target=0.5)
    assert "a (t)" in table and "epochs to 50%" in table


def test_dashboard_draws_the_history_in_place_headless(setup, tiny, tmp_path):
    assert not ku._in_ipython_kernel()
    dash = ku.Dashboard(["sgd", "adam"], title="test")
    assert dash.show is False and dash.handle is None          # headless: no display
    figure = dash.figure
    lines = {run: dict(d) for run, d in dash.lines.items()}
    n_lines = [len(ax.lines) for ax in figure.axes]
    histories = {}
    for run, opt in (("sgd", keras.optimizers.SGD(0.1)), ("adam", keras.optimizers.Adam())):
        r = ku.train(ku.lecture_model(seed=0), tiny, optimizer=opt, epochs=3, setup=setup,
                     callbacks=[dash.callback(run)])
        histories[run] = r.history
    assert dash.figure is figure and [len(ax.lines) for ax in figure.axes] == n_lines
    assert dash.n_draws >= 2
    for run in ("sgd", "adam"):
        for (metric, split), line in dash.lines[run].items():
            assert line is lines[run][(metric, split)]          # the same artists, updated
            key = metric if split == "train" else f"val_{metric}"
            np.testing.assert_allclose(line.get_ydata(), histories[run][key])
            np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
            assert dash.values(run, metric, split) == histories[run][key]
    figure.savefig(tmp_path / "dashboard.png")                  # renders without a display
    assert (tmp_path / "dashboard.png").stat().st_size > 10_000


def test_dashboard_moves_within_an_epoch_and_ends_on_the_history(setup, tiny):
    dash = ku.Dashboard(["run"], update_every=1, min_interval=0.0)
    seen = []

    class Spy(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(list(dash.lines["run"][("loss", "train")].get_xdata()))

    r = ku.train(ku.lecture_model(seed=0), tiny, optimizer=keras.optimizers.SGD(0.1),
                 epochs=2, setup=setup, steps_per_execution=1,
                 callbacks=[dash.callback("run"), Spy()])
    assert seen[0] == [0.25] and seen[3] == [1.0]               # 4 batches: 1/4 .. 4/4
    assert seen[4][:1] == [1] and seen[4][1] == pytest.approx(1.25)
    np.testing.assert_allclose(dash.lines["run"][("loss", "train")].get_ydata(),
                               r.history["loss"])


def test_weights_are_recorded_for_the_landscape(setup, tiny):
    r = ku.train(ku.lecture_model(seed=0), tiny, optimizer=keras.optimizers.SGD(0.1), epochs=2,
                 setup=setup, record_every=2, steps_per_execution=2)
    assert len(r.trajectory) == 1 + 8 // 2                    # start + every 2 of 8 steps
    np.testing.assert_allclose(r.trajectory[-1][0], r.model.get_weights()[0])
    assert not np.allclose(r.trajectory[0][0], r.trajectory[-1][0])


# ----------------------------------------------------------------------------- fast-mode bands


def test_seeded_fast_mode_accuracies_land_in_the_stated_bands(setup):
    """The lab's own fast-mode runs (same settings, seeds and order as notebook 08)."""
    s = ku.lab_settings(True)
    data = ku.load_lab_data(s.n_train, s.n_val, s.n_test)
    runs = [ku.train(ku.lecture_model(seed=0), data, optimizer=ku.make_optimizer("sgd"),
                     epochs=s.epochs, batch_size=s.batch_size, setup=setup, name="lecture"),
            ku.train(ku.modern_model(seed=0), data, optimizer=ku.make_optimizer("sgd"),
                     epochs=s.epochs, batch_size=s.batch_size, setup=setup, name="modern")]
    runs += ku.compare(ku.modern_model(seed=1), data, ku.optimizer_factories(["adam"]),
                       epochs=s.epochs, batch_size=s.batch_size, setup=setup)
    for r in runs:
        lo, hi = ku.FAST_MODE_BANDS[r.name]
        assert lo <= r.test_accuracy <= hi, (r.name, r.test_accuracy)
    # the bands say something: a run that learns nothing (lr tiny) falls outside
    frozen = ku.train(ku.lecture_model(seed=0), data,
                      optimizer=keras.optimizers.SGD(1e-6), epochs=1, setup=setup)
    with pytest.raises(AssertionError, match="outside the stated band"):
        ku.check_band("frozen", frozen.test_accuracy, ku.FAST_MODE_BANDS["adam"])


# ----------------------------------------------------------------------------- memory


def test_memory_report_measures_the_lecture_rule():
    assert ku.parameter_count([784, 32, 20, 10]) == 25_990
    model = ku.build_mlp((32, 20), seed=0)
    assert model.count_params() == 25_990
    names = ("sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam", "nadam")
    report = ku.memory_report(model, {n: ku.make_optimizer(n) for n in names}, batch_size=64)
    assert report.n_params == 25_990
    assert report.weight_bytes == report.gradient_bytes == 4 * 25_990
    assert report.activation_bytes == 4 * 64 * (784 + 32 + 20 + 10)
    slots = {r["name"]: r["state_floats"] / 25_990 for r in report.rows}
    assert slots == {"sgd": 0, "momentum": 1, "adagrad": 1, "rmsprop": 1, "adadelta": 2,
                     "adam": 2, "nadam": 2}
    for r in report.rows:
        assert r["state_bytes"] == 4 * r["state_floats"]
        assert "iteration" in " ".join(r["scalar_names"])
    nadam = next(r for r in report.rows if r["name"] == "nadam")
    assert nadam["scalars"] == 3                        # iteration, learning_rate, u_product
    assert "4x" in str(report) and "'triples'" in str(report)


# ----------------------------------------------------------------------------- the checker


class EpsInsideSqrt(Adam):
    def update_step(self, gradient, variable, learning_rate):
        i = self._get_variable_index(variable)
        m, v = self.m[i], self.v[i]
        g = ops.cast(gradient, variable.dtype)
        t = ops.cast(self.iterations + 1, variable.dtype)
        self.assign(m, self.beta_1 * m + (1 - self.beta_1) * g)
        self.assign(v, self.beta_2 * v + (1 - self.beta_2) * ops.square(g))
        m_hat = m / (1 - ops.power(self.beta_1, t))
        v_hat = v / (1 - ops.power(self.beta_2, t))
        self.assign_sub(variable, learning_rate * m_hat / ops.sqrt(v_hat + self.epsilon))


class Textbook(Adam):
    def update_step(self, gradient, variable, learning_rate):
        i = self._get_variable_index(variable)
        m, v = self.m[i], self.v[i]
        g = ops.cast(gradient, variable.dtype)
        t = ops.cast(self.iterations + 1, variable.dtype)
        self.assign(m, self.beta_1 * m + (1 - self.beta_1) * g)
        self.assign(v, self.beta_2 * v + (1 - self.beta_2) * ops.square(g))
        m_hat = m / (1 - ops.power(self.beta_1, t))
        v_hat = v / (1 - ops.power(self.beta_2, t))
        self.assign_sub(variable, learning_rate * m_hat / (ops.sqrt(v_hat) + self.epsilon))


class NoBiasCorrection(Adam):
    def update_step(self, gradient, variable, learning_rate):
        i = self._get_variable_index(variable)
        m, v = self.m[i], self.v[i]
        g = ops.cast(gradient, variable.dtype)
        self.assign(m, self.beta_1 * m + (1 - self.beta_1) * g)
        self.assign(v, self.beta_2 * v + (1 - self.beta_2) * ops.square(g))
        self.assign_sub(variable, learning_rate * m / (ops.sqrt(v) + self.epsilon))


class SignError(Adam):
    def update_step(self, gradient, variable, learning_rate):
        i = self._get_variable_index(variable)
        m, v = self.m[i], self.v[i]
        g = ops.cast(gradient, variable.dtype)
        t = ops.cast(self.iterations + 1, variable.dtype)
        alpha = learning_rate * ops.sqrt(1 - ops.power(self.beta_2, t)) / (
            1 - ops.power(self.beta_1, t))
        self.assign(m, self.beta_1 * m + (1 - self.beta_1) * g)
        self.assign(v, self.beta_2 * v + (1 - self.beta_2) * ops.square(g))
        self.assign_add(variable, alpha * m / (ops.sqrt(v) + self.epsilon))   # uphill


class BetasSwapped(Adam):
    def update_step(self, gradient, variable, learning_rate):
        i = self._get_variable_index(variable)
        m, v = self.m[i], self.v[i]
        b1, b2 = self.beta_2, self.beta_1                                      # mixed up
        g = ops.cast(gradient, variable.dtype)
        t = ops.cast(self.iterations + 1, variable.dtype)
        alpha = learning_rate * ops.sqrt(1 - ops.power(b2, t)) / (1 - ops.power(b1, t))
        self.assign(m, b1 * m + (1 - b1) * g)
        self.assign(v, b2 * v + (1 - b2) * ops.square(g))
        self.assign_sub(variable, alpha * m / (ops.sqrt(v) + self.epsilon))


class IterationsNotPlusOne(Adam):
    def update_step(self, gradient, variable, learning_rate):
        i = self._get_variable_index(variable)
        m, v = self.m[i], self.v[i]
        g = ops.cast(gradient, variable.dtype)
        t = ops.cast(self.iterations, variable.dtype)            # 0 at the first step
        alpha = learning_rate * ops.sqrt(1 - ops.power(self.beta_2, t)) / (
            1 - ops.power(self.beta_1, t))
        self.assign(m, self.beta_1 * m + (1 - self.beta_1) * g)
        self.assign(v, self.beta_2 * v + (1 - self.beta_2) * ops.square(g))
        self.assign_sub(variable, alpha * m / (ops.sqrt(v) + self.epsilon))


class RmsEpsOutside(RMSprop):
    def update_step(self, gradient, variable, learning_rate):
        v = self.v[self._get_variable_index(variable)]
        g = ops.cast(gradient, variable.dtype)
        self.assign(v, self.rho * v + (1 - self.rho) * ops.square(g))
        self.assign_sub(variable, learning_rate * g / (ops.sqrt(v) + self.epsilon))


class RmsRhoSwapped(RMSprop):
    def update_step(self, gradient, variable, learning_rate):
        v = self.v[self._get_variable_index(variable)]
        g = ops.cast(gradient, variable.dtype)
        self.assign(v, (1 - self.rho) * v + self.rho * ops.square(g))
        self.assign_sub(variable, learning_rate * g / ops.sqrt(v + self.epsilon))


class Template(keras.optimizers.Optimizer):
    def build(self, variables):
        super().build(variables)
        raise NotImplementedError("TODO 1")


@pytest.fixture(scope="module")
def check_data(setup):
    return ku.load_lab_data(320, 10, 10)


@pytest.mark.parametrize(("candidate", "reference"), [(Adam, "adam"), (RMSprop, "rmsprop")])
def test_checker_passes_a_correct_optimizer(candidate, reference, check_data):
    result = ku.check_optimizer(candidate, reference, data=check_data)
    assert result.passed, str(result)
    assert result.matched == "keras" and result.max_abs_diff <= 1e-6
    assert len(result.step_diffs) == 5 and "PASSED" in str(result)


def test_checker_accepts_the_papers_form_with_a_note(check_data):
    result = ku.check_optimizer(Textbook, "adam", data=check_data)
    assert result.passed and result.matched == "textbook"
    assert "Algorithm 1" in result.hint


@pytest.mark.parametrize(("candidate", "reference", "matched", "hint"), [
    (NoBiasCorrection, "adam", "no_bias_correction", "bias correction is missing"),
    (EpsInsideSqrt, "adam", "eps_inside_sqrt", "inside the square root"),
    (SignError, "adam", "sign", "sign error"),
    (BetasSwapped, "adam", "betas_swapped", "swapped"),
    (RmsEpsOutside, "rmsprop", "eps_outside_sqrt", "outside the square root"),
    (RmsRhoSwapped, "rmsprop", "rho_swapped", "rho and 1 - rho"),
])
def test_checker_fails_typical_mistakes_with_the_right_hint(candidate, reference, matched, hint,
                                                            check_data):
    result = ku.check_optimizer(candidate, reference, data=check_data)
    assert not result.passed
    assert result.matched == matched, result.probe_errors
    assert hint in result.hint and "NOT YET" in str(result)
    assert result.max_abs_diff > 1e-5               # the training run differs too


def test_checker_explains_nan_and_unfinished_templates(check_data):
    nan = ku.check_optimizer(IterationsNotPlusOne, "adam", data=check_data)
    assert not nan.passed and "iterations + 1" in nan.hint
    todo = ku.check_optimizer(Template, "adam", data=check_data)
    assert not todo.passed and "Not implemented yet" in todo.hint and "TODO 1" in todo.hint


def test_probe_variants_are_far_apart_so_the_diagnosis_is_unambiguous():
    g = ku._probe_gradients(8)
    for variants in (ku._adam_variants(g, 0.01, 0.9, 0.999, 1e-7),
                     ku._rmsprop_variants(g, 0.01, 0.9, 1e-7)):
        names = list(variants)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                gap = np.max(np.abs(variants[a] - variants[b])) / 0.01
                assert gap > 0.05, (a, b, gap)      # 5x the matching tolerance of 1 %


def test_hand_written_loop_trains(setup, tiny):
    model = ku.lecture_model(seed=0)
    losses = ku.train_with_tape(model, Adam(learning_rate=0.01), tiny, steps=12, batch_size=64)
    assert len(losses) == 12 and np.mean(losses[-3:]) < np.mean(losses[:3]) - 0.2


# ----------------------------------------------------------------------------- toy and lab 09


def test_numpy_steppers_follow_keras_on_a_toy_surface():
    ravine = surfaces.get("ravine")
    for name, lr, tol in (("sgd", 0.0625, 1e-12), ("momentum", 0.015625, 1e-5),
                          ("adam", 0.5, 1e-4), ("rmsprop", 0.25, 1e-6)):
        toy = ku.compare_with_numpy(name, ravine, learning_rate=lr, steps=25)
        assert toy.max_abs_diff < tol, (name, toy.max_abs_diff)
        assert np.linalg.norm(toy.keras_path[-1] - toy.keras_path[0]) > 0.5   # it moved


def test_deep_network_diagnostics(tiny):
    small = keras.initializers.RandomNormal(stddev=0.05)
    vanishing = ku.gradient_norms(ku.build_mlp((64,) * 6, kernel_initializer=small), tiny)
    healthy = ku.gradient_norms(ku.build_mlp((64,) * 6, activation="relu",
                                             kernel_initializer="he_normal"), tiny)
    assert len(vanishing) == 7 and vanishing[0] / vanishing[-2] < 1e-4
    assert 0.1 < healthy[0] / healthy[-2] < 10
    spread = ku.activation_stats(ku.build_mlp((64,) * 6, activation="relu",
                                              kernel_initializer="he_normal"), tiny)
    assert len(spread) == 6 and spread.max() / spread.min() < 2
    bn = ku.activation_stats(ku.build_mlp((16,) * 3, batch_norm=True), tiny)
    assert len(bn) == 3
    kernel = np.array([[1.0, 1.0, 2.0], [3.0, 3.0, 4.0]])
    assert ku.distinct_units(kernel) == 2
    assert ku.full_gradient_norm(ku.lecture_model(seed=0), tiny, n=200) > 0


def test_clip_demo_reproduces_the_lectures_numbers():
    out = ku.clip_demo([0.9, 100.0], clipvalue=1.0, clipnorm=1.0)
    np.testing.assert_allclose(out["clipvalue"], [0.9, 1.0])
    np.testing.assert_allclose(out["clipnorm"], [0.00899964, 0.9999595], rtol=1e-6)
    assert math.isclose(float(np.linalg.norm(out["clipnorm"])), 1.0, rel_tol=1e-6)


def test_importing_keras_through_keras_utils_leaves_no_native_log_lines():
    """TensorFlow's C++ start-up lines (absl format: 'E0000 00:00:...', 'I0000 ...') would show
    under a notebook cell; keras_utils holds them back, also the CUDA probe at the first tensor."""
    import os
    import re
    import subprocess

    code = ("from course_utils.keras_utils import keras\n"
            "v = keras.Variable([1.0, 2.0])\n"
            "print(float(keras.ops.sum(v)))\n")
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=300, check=True)
    assert out.stdout.strip() == "3.0"
    native = [line for line in out.stderr.splitlines() if re.match(r"[IWEF]\d{4} ", line)]
    assert native == [], native


def test_dashboard_and_layer_curves_draw_every_run_visibly_and_distinctly():
    """Nine optimizers (lab 08) or six networks (lab 09): no light grey line, which is
    hard to see on white, and no two runs with the same colour, marker and line style."""
    from matplotlib.colors import to_rgb
    from matplotlib.figure import Figure

    def looks(lines):
        return [(to_rgb(line.get_color()), line.get_marker(), line.get_linestyle())
                for line in lines]

    def is_light_grey(rgb):
        return max(rgb) - min(rgb) < 0.05 and min(rgb) > 0.25

    names = list(ku.OPTIMIZER_NAMES) + ["extra 1", "extra 2"]   # more runs than colours
    dash = ku.Dashboard(names, show=False)
    dash_looks = looks(dash.lines[n][("loss", "train")] for n in names)
    ax = Figure().subplots()
    curve_looks = looks(ku.plot_layer_curves(
        ax, {n: np.ones(3) for n in names}, ylabel="gradient RMS"))
    for styles in (dash_looks, curve_looks):
        assert len(set(styles)) == len(names)
        assert not any(is_light_grey(rgb) for rgb, _, _ in styles)


def test_an_optimizer_keeps_its_colour_in_every_dashboard():
    nine = ku.Dashboard(list(ku.OPTIMIZER_NAMES), show=False)
    three = ku.Dashboard(["sgd", "momentum", "adam"], show=False)
    for name in ("sgd", "momentum", "adam"):
        a, b = (d.lines[name][("loss", "train")] for d in (nine, three))
        assert (a.get_color(), a.get_marker(), a.get_linestyle()) == (
            b.get_color(), b.get_marker(), b.get_linestyle())
    mixed = ku.run_styles(["adam", "my run", "sgd", "another"])
    assert len(set(mixed.values())) == 4 and mixed["adam"] == ku.run_styles(["adam"])["adam"]


def test_histories_follow_the_dashboard_colours():
    from matplotlib.figure import Figure

    order = ["baseline", "early stopping", "L1", "dropout", "augmentation"]
    dash = ku.Dashboard(order, show=False)
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}
    results = [ku.RunResult(n, history, [1.0], 1.0, 0.5, 1.0) for n in ("baseline", "dropout",
                                                                   "augmentation")]
    ax = Figure().subplots()
    ku.plot_histories([ax], results, metrics=("loss",), order=order)
    drawn = {line.get_label(): line.get_color() for line in ax.lines if line.get_label()[0] != "_"}
    for name in ("baseline", "dropout", "augmentation"):
        assert drawn[name] == dash.lines[name][("loss", "train")].get_color()
