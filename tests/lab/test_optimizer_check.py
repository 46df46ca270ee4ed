"""course_utils.lab.optimizer_check: the checker of hand-written optimizers, and the NumPy
steppers against their Keras classes."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import lab, optimizers, surfaces
from course_utils.keras_utils import CheckResult
from course_utils.lab.optimizer_check import probe_gradients, variant_updates

from .solutions import Adam, RMSprop

keras = lab.keras
ops = keras.ops


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
    return lab.load_lab_data(320, 10, 10)


@pytest.mark.parametrize(("candidate", "reference"), [(Adam, "adam"), (RMSprop, "rmsprop")])
def test_checker_passes_a_correct_optimizer(candidate, reference, check_data):
    result = lab.check_optimizer(candidate, reference, data=check_data)
    assert isinstance(result, lab.OptimizerCheck) and CheckResult is lab.OptimizerCheck
    assert result.passed, str(result)
    assert result.matched == "keras" and result.max_abs_diff <= 1e-6
    assert len(result.step_diffs) == 5 and "PASSED" in str(result)
    # the Keras class named in the verdict is the descriptor's
    assert f"keras.optimizers.{optimizers.info(reference).keras.class_name} " in str(result)


def test_checker_accepts_the_papers_form_with_a_note(check_data):
    result = lab.check_optimizer(Textbook, "adam", data=check_data)
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
    result = lab.check_optimizer(candidate, reference, data=check_data)
    assert not result.passed
    assert result.matched == matched, result.probe_errors
    assert hint in result.hint and "NOT YET" in str(result)
    assert result.max_abs_diff > 1e-5               # the training run differs too


def test_checker_explains_nan_and_unfinished_templates(check_data):
    nan = lab.check_optimizer(IterationsNotPlusOne, "adam", data=check_data)
    assert not nan.passed and "iterations + 1" in nan.hint
    todo = lab.check_optimizer(Template, "adam", data=check_data)
    assert not todo.passed and "Not implemented yet" in todo.hint and "TODO 1" in todo.hint


def test_probe_variants_are_far_apart_so_the_diagnosis_is_unambiguous():
    g = probe_gradients(8)
    assert g.shape == (8, 14)
    for reference in ("adam", "rmsprop"):
        variants = variant_updates(reference, g, 0.01, epsilon=1e-7)
        assert "keras" in variants and len(variants) >= 6
        names = list(variants)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                gap = np.max(np.abs(variants[a] - variants[b])) / 0.01
                assert gap > 0.05, (reference, a, b, gap)   # 5x the matching tolerance of 1 %
    # the "keras" variant is what Keras's own class does, in float64
    var = keras.Variable(np.zeros(14), dtype="float64")
    opt = keras.optimizers.Adam(learning_rate=0.01, epsilon=1e-7)
    steps = []
    for gt in g:
        before = var.numpy().copy()
        opt.apply_gradients([(keras.ops.convert_to_tensor(gt, dtype="float64"), var)])
        steps.append(var.numpy() - before)
    np.testing.assert_allclose(steps, variant_updates("adam", g, 0.01, epsilon=1e-7)["keras"],
                               rtol=1e-4, atol=1e-9)   # Keras keeps its rates in float32


def test_numpy_steppers_follow_keras_on_a_toy_surface():
    ravine = surfaces.get("ravine")
    for name, lr, tol in (("sgd", 0.0625, 1e-12), ("momentum", 0.015625, 1e-5),
                          ("adam", 0.5, 1e-4), ("rmsprop", 0.25, 1e-6)):
        toy = lab.compare_with_numpy(name, ravine, learning_rate=lr, steps=25)
        assert toy.max_abs_diff < tol, (name, toy.max_abs_diff)
        assert np.linalg.norm(toy.keras_path[-1] - toy.keras_path[0]) > 0.5   # it moved


@pytest.mark.parametrize(("call", "message"), [
    (lambda: lab.check_optimizer(Adam, "sgd"), "reference must be one of 'adam', 'rmsprop'"),
    (lambda: lab.check_optimizer(Adam, "adam", learning_rate=0.0),
     r"learning_rate must be in \(0, inf\]"),
    (lambda: lab.check_optimizer(Adam, "adam", steps=0), r"steps must be an integer in \[1, 100\]"),
    (lambda: lab.compare_with_numpy("rprop", surfaces.get("ravine"), learning_rate=0.1),
     "name must be one of"),
])
def test_invalid_arguments_raise_value_error_naming_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()
