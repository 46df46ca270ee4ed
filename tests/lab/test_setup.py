"""course_utils.lab.setup: fast mode, the Keras setup, device choice, the lab's sizes."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import numpy as np
import pytest

from course_utils import lab
from course_utils.lab.setup import CPU_NOTE, choose_device

keras = lab.keras
tf = lab.tf


def test_fast_mode_reads_the_environment(monkeypatch):
    for value, expected in (("1", True), ("yes", True), ("0", False), ("", False),
                            ("false", False)):
        monkeypatch.setenv(lab.FAST_ENV, value)
        assert lab.fast_mode() is expected
    monkeypatch.delenv(lab.FAST_ENV)
    assert lab.fast_mode() is False


def test_keras_setup_reports_the_cpu_and_seeds(capsys):
    has_gpu = bool(tf.config.list_physical_devices("GPU"))
    setup = lab.keras_setup(seed=7, mixed_precision=True, device="cpu")
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
    xla = lab.keras_setup(seed=7, device="cpu", jit_compile=True, verbose=False)
    assert xla.jit_compile is False and any("XLA is off" in n for n in xla.notes)
    assert any("device='cpu'" in n for n in setup.notes)
    if not has_gpu:
        auto = lab.keras_setup(seed=7, device="auto", verbose=False)
        assert not auto.gpu and any("No GPU" in n for n in auto.notes)
    # seeded: the same seed gives the same random numbers again
    a = keras.random.normal((3,), seed=None)
    lab.keras_setup(seed=7, device="cpu", verbose=False)
    b = keras.random.normal((3,), seed=None)
    np.testing.assert_array_equal(a, b)
    lab.keras_setup(seed=0, verbose=False)


def test_device_choice_covers_cpu_gpu_and_a_full_gpu():
    assert choose_device(0, None, 1024, "auto") == (False, CPU_NOTE)
    use, note = choose_device(0, None, 1024, "gpu")
    assert not use and "requested" in note
    assert choose_device(1, [8000], 1024, "auto") == (True, None)
    assert choose_device(1, None, 1024, "auto") == (True, None)   # nvidia-smi unknown
    use, note = choose_device(2, [100, 300], 1024, "auto")
    assert not use and "300 MiB free" in note
    use, note = choose_device(1, [8000], 1024, "cpu")
    assert not use and "although a GPU is present" in note


def test_lab_settings_of_both_modes():
    fast, full = lab.lab_settings(True), lab.lab_settings(False)
    assert fast.fast and not full.fast and fast.n_train < full.n_train
    assert fast.schedule_optimizers == ("sgd", "momentum", "adam")
    assert full.schedule_optimizers == tuple(lab.OPTIMIZER_NAMES)   # every lab optimizer


@pytest.mark.parametrize(("call", "message"), [
    (lambda: lab.keras_setup(seed=-1, verbose=False), r"seed must be an integer in \[0, "),
    (lambda: lab.keras_setup(device="tpu", verbose=False), "device must be one of"),
    (lambda: lab.keras_setup(steps_per_execution=0, verbose=False),
     r"steps_per_execution must be an integer in \[1, 10000\]"),
    (lambda: lab.keras_setup(jit_compile="yes", verbose=False), "jit_compile must be one of"),
    (lambda: lab.keras_setup(mixed_precision="yes", verbose=False),
     "mixed_precision must be True or False"),
    (lambda: lab.lab_settings("fast"), "fast must be True or False"),
])
def test_invalid_arguments_raise_value_error_naming_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_importing_the_lab_leaves_no_native_log_lines():
    """TensorFlow's C++ start-up lines (absl format: 'E0000 00:00:...', 'I0000 ...') would show
    under a notebook cell; the lab holds them back, also the CUDA probe at the first tensor.
    Notebooks 03/04 import Keras this way, through the old path."""
    code = ("from course_utils.keras_utils import keras\n"
            "v = keras.Variable([1.0, 2.0])\n"
            "print(float(keras.ops.sum(v)))\n")
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=300, check=True)
    assert out.stdout.strip() == "3.0"
    native = [line for line in out.stderr.splitlines() if re.match(r"[IWEF]\d{4} ", line)]
    assert native == [], native


def test_the_benchmark_and_the_newer_optimizers_are_apart():
    """Lab 08's benchmark keeps the lecture's nine; the six since the lecture have their own
    section; both come from the descriptors (lab learning rate, family)."""
    from course_utils import optimizers

    assert tuple(lab.OPTIMIZER_NAMES) == ("sgd", "momentum", "nesterov", "adam", "rmsprop",
                                          "adagrad", "nadam", "adamax", "adadelta")
    assert tuple(lab.MODERN_OPTIMIZER_NAMES) == ("adamw", "lion", "lamb", "adafactor",
                                                 "schedule_free_adamw", "muon")
    for name in lab.MODERN_OPTIMIZER_NAMES:
        info = optimizers.info(name)
        assert info.family == "modern"
        assert lab.LAB_LEARNING_RATES[name] == info.keras.lab_learning_rate
        built = lab.make_optimizer(name)
        assert type(built).__name__ == info.keras.class_name
        assert float(built.learning_rate) == pytest.approx(info.keras.lab_learning_rate)
    # Lion at a third of Adam's rate, the Lion paper's rule
    assert lab.LAB_LEARNING_RATES["lion"] == pytest.approx(lab.LAB_LEARNING_RATES["adam"] / 3,
                                                          rel=0.2)
