"""The course on a GPU: is it used, how fast are the labs' training variants, do labs 08/09 run?

Three commands (``benchmarks/gpu_check.sh`` runs them in order; each appends its figures to
``--out``):

* ``setup``: ``keras_setup()`` as the labs call it, then checks that TensorFlow really uses the
  GPU (a matrix product placed on ``GPU:0``), that memory growth is on for every GPU and that
  XLA is on. Exit status 0 when all holds, 2 with "no GPU" when TensorFlow has no GPU, 1 when
  it has one but the set-up is not what the labs expect.
* ``bench`` (the default, what ``make benchmark`` runs): on a GPU, images per second of the
  lecture's network trained by the lecture's ``model.fit(x, y)`` on NumPy arrays and by the
  lab's ``tf.data`` pipeline with the lab's ``steps_per_execution``, each with and without XLA
  and in float32 and mixed precision (``mixed_float16``): eight variants side by side in one
  process, rounds alternating as in ``keras_pipeline_benchmark.py`` (the first epoch, which
  builds and compiles the graph, is reported apart). Without a GPU it says "no GPU" and exits
  0 (``--require-gpu``: 2), so ``make benchmark`` stays quick on a CPU-only machine.
* ``lab NOTEBOOK``: runs a lab under nbval (``pytest --nbval-lax --nbval-current-env``, as
  ``make test`` does) in full mode (``COURSE_FAST=0``), records every cell's outputs and
  reports the wall time, passed/failed cells and the accuracies printed by the lab's results
  tables. ``--timeout`` interrupts a run that would exceed it (the kernel is shut down) and
  reports how far it got.

    python benchmarks/gpu_benchmark.py [bench] [--rounds 3] [--epochs 2] [--model lecture]
                                       [--require-gpu] [--out FILE]
    python benchmarks/gpu_benchmark.py setup [--out FILE]
    python benchmarks/gpu_benchmark.py lab notebooks/08_optimizer_lab.ipynb [--timeout S]
                                       [--out FILE]

TensorFlow is imported only by ``setup`` and ``bench``; ``lab`` leaves it to the kernel.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import signal
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_NO_GPU = 0, 1, 2


def _emit(lines: Sequence[str], out: Path | None) -> None:
    """Print ``lines`` and append them to ``out`` (when given)."""
    text = "\n".join(lines)
    print(text, flush=True)
    if out is not None:
        with open(out, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")


# --------------------------------------------------------------------------------- setup

def check_setup(out: Path | None) -> int:
    """``keras_setup()`` and the checks that the labs really run on the GPU; see the module."""
    try:
        import tensorflow as tf

        from course_utils import keras_utils
    except ImportError as exc:  # e.g. the install step failed (offline)
        _emit([f"verdict: no GPU: TensorFlow or the course cannot be imported here "
               f"({type(exc).__name__}: {exc}); install them with "
               "pip install -e '.[lab,gpu,test]'"], out)
        return EXIT_NO_GPU

    lines = ["== keras_setup()"]
    setup = keras_utils.keras_setup(seed=0, verbose=False)
    lines += ["  " + line for line in setup.summary().splitlines()]
    gpus = tf.config.list_physical_devices("GPU")
    if not setup.gpu:
        why = "TensorFlow sees no GPU"
        if gpus:
            why = f"TensorFlow sees {len(gpus)} GPU(s) but keras_setup chose the CPU"
        elif not tf.test.is_built_with_cuda():
            why += " (this TensorFlow is built without CUDA)"
        elif shutil.which("nvidia-smi") is None:
            why += " (no NVIDIA driver here: nvidia-smi is missing)"
        elif importlib.util.find_spec("nvidia") is None:
            why += (" (the CUDA libraries are missing: pip install -e '.[gpu]', which adds "
                    "tensorflow[and-cuda])")
        _emit(lines + [f"verdict: no GPU: {why}; devices: {', '.join(setup.devices)}"], out)
        return EXIT_NO_GPU
    growth = [bool(tf.config.experimental.get_memory_growth(g)) for g in gpus]
    with tf.device("/GPU:0"):
        product = tf.linalg.matmul(tf.ones((512, 512)), tf.ones((512, 512)))
    placed = product.device
    correct = float(product[0, 0]) == 512.0
    lines += [f"  memory growth per GPU: {growth}", f"  XLA (jit_compile): {setup.jit_compile}",
              f"  a 512x512 matmul ran on: {placed} (result correct: {correct})"]
    problems = []
    if "GPU" not in placed.upper() or not correct:
        problems.append("the test product did not run on the GPU")
    if not all(growth):
        problems.append("memory growth is off")
    if not setup.jit_compile:
        problems.append("XLA is off")
    if problems:
        _emit(lines + [f"verdict: GPU seen, but {'; '.join(problems)}"], out)
        return EXIT_FAILED
    name = next((d for d in setup.devices if d.startswith("GPU")), "GPU")
    _emit(lines + [f"verdict: GPU OK: TensorFlow trains on {name}, memory growth on, XLA on"],
          out)
    return EXIT_OK


# --------------------------------------------------------------------------------- bench

@dataclass(frozen=True)
class Variant:
    """One way of training: the feed, XLA or not, the dtype policy."""

    feed: str                   # "fit(numpy)" (the lecture's call) or "pipeline" (the lab's)
    xla: bool
    policy: str                 # "float32" or "mixed_float16"

    @property
    def name(self) -> str:
        return f"{self.feed:<10} {'XLA' if self.xla else '-':<3} {self.policy}"


VARIANTS = tuple(Variant(feed, xla, policy) for feed in ("fit(numpy)", "pipeline")
                 for xla in (False, True) for policy in ("float32", "mixed_float16"))


def run_benchmark(rounds: int, epochs: int, model: str, require_gpu: bool,
                  out: Path | None, allow_cpu: bool = False) -> int:
    """Time the eight :data:`VARIANTS` side by side on the GPU; see the module docstring."""
    import numpy as np

    from course_utils import keras_utils, load_mnist

    keras = keras_utils.keras
    setup = keras_utils.keras_setup(seed=0, jit_compile=True, deterministic=False,
                                    verbose=False)
    if not setup.gpu and not allow_cpu:
        _emit([f"no GPU: TensorFlow sees no GPU ({', '.join(setup.devices)}), so there is no "
               "GPU benchmark to run (the CPU figures come from keras_pipeline_benchmark.py)."],
              out)
        return EXIT_NO_GPU if require_gpu else EXIT_OK

    class Timer(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.times: list[float] = []

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self._t = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            self.times.append(time.perf_counter() - self._t)

    (x, y), _ = load_mnist(flatten=True, normalize=True)
    y = y.astype(np.int32)
    data = keras_utils.load_lab_data(54_000, 6_000, 10)
    n_train = len(data.x_train)
    build = keras_utils.lecture_model if model == "lecture" else keras_utils.modern_model
    models, timers = {}, {}
    for v in VARIANTS:
        keras.mixed_precision.set_global_policy(v.policy)
        net = build(seed=0)
        steps = 1 if v.feed == "fit(numpy)" else setup.steps_per_execution
        net.compile(optimizer=keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy",
                    metrics=["accuracy"], jit_compile=v.xla, steps_per_execution=steps)
        models[v], timers[v] = net, Timer()
    keras.mixed_precision.set_global_policy("float32")
    train_ds, val_ds = data.train_dataset(128, seed=0), data.eval_dataset("val")

    def fit(v: Variant, n_epochs: int) -> None:
        if v.feed == "fit(numpy)":
            models[v].fit(x, y, batch_size=128, epochs=n_epochs, validation_split=0.1,
                          verbose=0, callbacks=[timers[v]])
        else:
            models[v].fit(train_ds, epochs=n_epochs, validation_data=val_ds, shuffle=False,
                          verbose=0, callbacks=[timers[v]])

    first = {}
    for v in VARIANTS:      # warm-up: build (and compile) the graphs
        fit(v, 1)
        first[v] = timers[v].times.pop()
    for r in range(rounds):
        for v in (VARIANTS if r % 2 == 0 else VARIANTS[::-1]):
            fit(v, epochs)

    base = statistics.median(timers[VARIANTS[0]].times)
    title = "GPU benchmark" if setup.gpu else "benchmark on the CPU (no GPU; --allow-cpu)"
    lines = [f"== {title}: {model} network, {n_train:,} training + 6,000 validation "
             f"images, batch 128, SGD 0.01, on {', '.join(setup.devices)}; median of "
             f"{rounds * epochs} epochs per variant (pipeline: steps_per_execution="
             f"{setup.steps_per_execution}; fit(numpy): Keras's default 1)",
             f"  {'feed':<10} {'XLA':<3} {'precision':<13} {'s/epoch':>8} {'images/s':>10} "
             f"{'ratio':>6} {'1st epoch s':>11}"]
    for v in VARIANTS:
        med = statistics.median(timers[v].times)
        lines.append(f"  {v.name:<28} {med:>8.3f} {n_train / med:>10,.0f} {med / base:>6.2f} "
                     f"{first[v]:>11.2f}")
    lines.append("  (ratio: s/epoch over the lecture's fit(numpy) in float32 without XLA; "
                 "below 1 = faster)")
    _emit(lines, out)
    return EXIT_OK


# --------------------------------------------------------------------------------- lab

_ROW = re.compile(r"^(?P<name>\S.*?)\s+(?P<train>\d\.\d{4}|nan)\s+(?P<val>\d\.\d{4}|nan)\s+"
                  r"(?P<test>\d\.\d{4}|nan)\s+(?P<time>[\d.]+)\s+(?P<per>[\d.]+|nan)\s+"
                  r"(?P<to>\S+)\s*$")
_HEADER = re.compile(r"^run\s+train acc\s+val acc\s+test acc")
_ACCURACY_SENTENCE = re.compile(r"test accuracy|accuracy\s*[:=]|in the stated band",
                                re.IGNORECASE)


@dataclass
class CellRecord:
    """One notebook cell run under nbval: its test id, outcome, seconds and output text."""

    name: str
    outcome: str
    seconds: float
    text: str
    error: str = ""


@dataclass
class Recorder:
    """A pytest plugin that keeps each nbval cell's outcome, duration and outputs."""

    cells: list[CellRecord] = field(default_factory=list)

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.when == "call" or (report.when == "setup" and report.failed):
            error = ""
            if report.failed:
                error = str(report.longrepr).strip().splitlines()[-1][:300]
            self.cells.append(CellRecord(report.nodeid.split("::")[-1], report.outcome,
                                         report.duration, "", error))

    def pytest_runtest_teardown(self, item: Any) -> None:
        outputs = getattr(item, "test_outputs", None) or []
        if self.cells:
            self.cells[-1].text = output_text(outputs)


def output_text(outputs: Sequence[dict[str, Any]]) -> str:
    """The text of a cell's outputs (streams and the text/plain of results and displays)."""
    parts = []
    for out in outputs:
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif "text/plain" in out.get("data", {}):
            parts.append(out["data"]["text/plain"])
        elif out.get("output_type") == "error":
            parts.append(f"{out.get('ename')}: {out.get('evalue')}")
    return "".join(p if p.endswith("\n") else p + "\n" for p in parts)


def accuracy_lines(text: str) -> list[str]:
    """The accuracy figures in a lab's printed output, one short line each.

    Rows of ``keras_utils.results_table`` become ``name: test 0.9712, val 0.9700, train
    0.9800, 12.3 s``; printed sentences about test accuracy are kept as they are.
    """
    found = []
    in_table = False
    for line in text.splitlines():
        if _HEADER.match(line):
            in_table = True
            continue
        if in_table and set(line.strip()) == {"-"}:
            continue
        row = _ROW.match(line) if in_table else None
        if row:
            found.append(f"{row['name'].strip()}: test {row['test']}, val {row['val']}, "
                         f"train {row['train']}, {row['time']} s")
            continue
        in_table = False
        if _ACCURACY_SENTENCE.search(line):
            found.append(" ".join(line.split())[:160])
    return found


def run_lab(notebook: Path, timeout_s: float | None, out: Path | None) -> int:
    """Run ``notebook`` under nbval in full mode; report time, cells and accuracies."""
    import pytest

    os.environ["COURSE_FAST"] = "0"
    os.environ.setdefault("MPLBACKEND", "Agg")
    recorder = Recorder()
    timed_out = []

    def on_alarm(signum: int, frame: Any) -> None:
        timed_out.append(True)
        raise KeyboardInterrupt(f"over the time limit of {timeout_s:.0f} s")

    if timeout_s:
        signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout_s)
    start = time.perf_counter()
    try:
        status = pytest.main(["-q", "-p", "no:cacheprovider", "--nbval-lax",
                              "--nbval-current-env", str(notebook)], plugins=[recorder])
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    wall = time.perf_counter() - start
    passed = sum(c.outcome == "passed" for c in recorder.cells)
    failed = [c for c in recorder.cells if c.outcome == "failed"]
    if timed_out:
        verdict = f"TIMED OUT after {wall:.0f} s (limit {timeout_s:.0f} s)"
        if recorder.cells:
            verdict += f", interrupted in the cell after {recorder.cells[-1].name}"
    elif failed or int(status) != 0:
        verdict = f"FAILED (pytest exit {int(status)})"
    else:
        verdict = "passed"
    lines = [f"== {notebook.name} under nbval, COURSE_FAST=0 (full mode): {verdict}; "
             f"{wall:.1f} s wall; {passed} cells passed, {len(failed)} failed"]
    lines += [f"  failed {c.name}: {c.error}" for c in failed[:3]]
    slowest = sorted(recorder.cells, key=lambda c: -c.seconds)[:3]
    lines.append("  slowest cells: " + (", ".join(f"{c.name} {c.seconds:.1f} s" for c in slowest)
                                        or "none ran"))
    accuracies = accuracy_lines("".join(c.text for c in recorder.cells))
    if accuracies:
        lines += ["  accuracies:"] + [f"    {a}" for a in accuracies]
    else:
        lines.append("  accuracies: none printed (the run stopped before its results tables?)")
    _emit(lines, out)
    return EXIT_OK if verdict == "passed" else EXIT_FAILED


# --------------------------------------------------------------------------------- main

def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv.insert(0, "bench")                 # `make benchmark` runs the script bare
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_setup = sub.add_parser("setup", help="keras_setup() and the GPU checks")
    p_bench = sub.add_parser("bench", help="the eight training variants on the GPU")
    p_bench.add_argument("--rounds", type=int, default=3)
    p_bench.add_argument("--epochs", type=int, default=2)
    p_bench.add_argument("--model", choices=("lecture", "modern"), default="lecture")
    p_bench.add_argument("--require-gpu", action="store_true",
                         help="exit 2 without a GPU (default: say so and exit 0)")
    p_bench.add_argument("--allow-cpu", action="store_true",
                         help="time the variants on the CPU when there is no GPU (to try "
                              "the script itself)")
    p_lab = sub.add_parser("lab", help="a lab notebook under nbval in full mode")
    p_lab.add_argument("notebook", type=Path)
    p_lab.add_argument("--timeout", type=float, default=None, help="seconds")
    for p in (p_setup, p_bench, p_lab):
        p.add_argument("--out", type=Path, default=None, help="append the figures to this file")
    args = parser.parse_args(argv)
    if args.command == "setup":
        return check_setup(args.out)
    if args.command == "bench":
        if args.rounds < 1 or args.epochs < 1:
            parser.error("--rounds and --epochs must be >= 1")
        return run_benchmark(args.rounds, args.epochs, args.model, args.require_gpu, args.out,
                             allow_cpu=args.allow_cpu)
    if not args.notebook.is_file():
        parser.error(f"no notebook {args.notebook}")
    if args.timeout is not None and args.timeout <= 0:
        parser.error("--timeout must be > 0")
    return run_lab(args.notebook, args.timeout, args.out)


if __name__ == "__main__":
    sys.exit(main())
