"""course_utils.lab.distribute: data-parallel training on several devices.

Without a GPU, the CPU is split into two logical devices (``COURSE_REPLICAS=2``, in a fresh
process: TensorFlow allows the split only before its runtime starts), which runs exactly the
code path of two GPUs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from course_utils import lab
from course_utils.lab.distribute import REPLICAS_ENV, replica_count, requested_replicas

ROOT = Path(__file__).resolve().parents[2]

TWO_REPLICAS = r"""
import json
from course_utils import lab

keras, tf = lab.keras, lab.tf
setup = lab.keras_setup(seed=0)                      # COURSE_REPLICAS=2 from the environment
seen = {}


class Spy(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        kernel = self.model.trainable_variables[0].value
        seen["kind"] = type(kernel).__name__
        seen["copies"] = sorted(v.device for v in kernel.values)
        seen["in_sync"] = self.model.distribute_strategy.num_replicas_in_sync

    def on_train_end(self, logs=None):
        seen["final"] = float(self.model.trainable_variables[0].value.values[1].numpy().sum())


s = lab.lab_settings(True)
data = lab.load_lab_data(s.n_train, s.n_val, s.n_test)
template = lab.modern_model(seed=1)
(adam,) = lab.compare(template, data, lab.optimizer_factories(["adam"]), epochs=s.epochs,
                      batch_size=s.batch_size, setup=setup,
                      dashboard=type("D", (), {"callback": lambda self, run: Spy()})())
lab.check_bands([adam], fast=True)
print("RESULT " + json.dumps({
    "replicas": setup.replicas, "strategy_in_sync": setup.strategy.num_replicas_in_sync,
    "devices": list(setup.replica_devices), "steps_per_execution": setup.steps_per_execution,
    "run_replicas": adam.replicas, "test_accuracy": adam.test_accuracy,
    "steps": adam.epochs, "model_sum": float(adam.model.trainable_variables[0].numpy().sum()),
    "mirrored": type(adam.model.trainable_variables[0].value).__name__, **seen}))
"""


@pytest.fixture(scope="module")
def two_replicas():
    env = dict(os.environ, **{REPLICAS_ENV: "2", "COURSE_FAST": "1", "COURSE_DEVICE": "cpu"})
    out = subprocess.run([sys.executable, "-c", TWO_REPLICAS], capture_output=True, text=True,
                         env=env, cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line[len("RESULT "):]), out.stdout


def test_two_logical_cpus_train_as_two_replicas(two_replicas):
    result, printed = two_replicas
    assert result["replicas"] == result["strategy_in_sync"] == result["in_sync"] == 2
    assert result["devices"] == ["CPU:0", "CPU:1"] and result["run_replicas"] == 2
    # the model trained under the strategy holds one copy of each weight on each device
    assert result["kind"] == "MirroredVariable"
    assert [d.rsplit("device:", 1)[-1] for d in result["copies"]] == ["CPU:0", "CPU:1"]
    # the caller's model gets the trained weights back, as ordinary (one-device) variables
    assert result["model_sum"] == pytest.approx(result["final"], rel=1e-6)
    assert result["mirrored"] != "MirroredVariable"
    assert result["steps_per_execution"] == 1
    assert "replicas: 2, data-parallel on CPU:0, CPU:1" in printed
    assert "2 replicas; the fast-mode band" in printed     # the one-device bands do not apply


def test_the_seeded_fast_run_reaches_the_single_device_band(two_replicas):
    result, _ = two_replicas
    lo, hi = lab.FAST_MODE_BANDS["adam"]
    assert result["steps"] == lab.lab_settings(True).epochs
    assert lo <= result["test_accuracy"] <= hi, result["test_accuracy"]


def test_one_device_stays_as_it_was(setup):
    assert setup.replicas == 1 and setup.strategy is None and setup.replica_devices == ()
    assert "replicas: 1 (one device)" in setup.summary()
    assert setup.global_batch_size(128) == 128
    with setup.scope():                                  # a scope that does nothing
        assert not lab.tf.distribute.has_strategy()


def test_replica_count_covers_gpus_and_forced_cpus(monkeypatch):
    assert replica_count("auto", 0, False) == (1, None)
    assert replica_count("auto", 1, True) == (1, None)
    assert replica_count("auto", 4, True) == (4, None)
    assert replica_count("auto", 4, False) == (1, None)          # COURSE_DEVICE=cpu
    assert replica_count(2, 4, True) == (2, None)
    count, note = replica_count(8, 2, True)
    assert count == 2 and "8 replicas were asked for" in note
    assert replica_count(2, 0, False) == (2, None)               # two logical CPUs
    monkeypatch.setenv(REPLICAS_ENV, "3")
    assert requested_replicas(None) == 3
    monkeypatch.setenv(REPLICAS_ENV, "")
    assert requested_replicas(None) == "auto"


@pytest.mark.parametrize(("value", "message"), [
    (0, r"replicas must be an integer in \[1, 64\]"),
    ("many", "replicas must be one of 'auto'"),
    (True, "replicas must be an integer"),
])
def test_invalid_replicas_raise_value_error_naming_the_parameter(value, message):
    with pytest.raises(ValueError, match=message):
        lab.keras_setup(replicas=value, verbose=False)
