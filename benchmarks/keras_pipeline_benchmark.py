"""Is the labs' input pipeline at least as fast as the lecture's ``model.fit`` on NumPy arrays?

The same network (the lecture's 784 -> 32 sigmoid -> 10 softmax unless ``--model modern``), the
same optimizer (SGD 0.01), batch 128, 54,000 training and 6,000 validation images, timed side by
side in this one process:

* ``lecture``: ``model.fit(x, y, batch_size=128, validation_split=0.1)`` on NumPy arrays, with
  Keras's default ``compile`` -- the lecture's code;
* ``tf.data``: the lab's pipeline (``lab.make_dataset``: shuffled indices, batched
  gather from the in-memory tensor, prefetch; cached validation set) with the same ``compile``;
* ``lab``: the pipeline with the lab's compile settings from ``keras_setup()``
  (``steps_per_execution=32``; XLA only on a GPU) -- what the labs really run;
* with ``--xla`` (on a CPU, to check the lab's choice of no XLA there): also ``lab + XLA``,
  the same with ``jit_compile=True``. Keras ignores XLA while TensorFlow's op determinism is
  on, so ``--xla`` runs every variant without it.

Rounds alternate between the variants so that background load affects them alike; each round
trains every variant for a few more epochs, and the first round (graph building) is not
counted. An epoch's time includes its validation pass. Reported: the median epoch time, the
training images per second, the ratio to the lecture's call (below 1 = faster) and the first
epoch, which also builds (and with XLA compiles) the training graph.

    python benchmarks/keras_pipeline_benchmark.py [--rounds 4] [--epochs 2] [--model lecture]
                                                   [--xla]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from course_utils import lab, load_mnist

keras = lab.keras


class _Timer(keras.callbacks.Callback):
    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._t = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self._t)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4, help="timed rounds (plus a warm-up)")
    parser.add_argument("--epochs", type=int, default=2, help="epochs per variant per round")
    parser.add_argument("--model", choices=("lecture", "modern"), default="lecture")
    parser.add_argument("--xla", action="store_true", help="also time XLA on a CPU")
    args = parser.parse_args()
    if args.rounds < 1 or args.epochs < 1:
        parser.error("--rounds and --epochs must be >= 1")

    setup = lab.keras_setup(seed=0, deterministic=False if args.xla else "auto")
    (x, y), _ = load_mnist(flatten=True, normalize=True)
    y = y.astype(np.int32)
    data = lab.load_lab_data(54_000, 6_000, 10)
    n_train = len(data.x_train)
    build = lab.lecture_model if args.model == "lecture" else lab.modern_model

    variants = {
        "lecture: fit(numpy)": ("numpy", {}),
        "tf.data pipeline": ("pipeline", {}),
        "lab: pipeline + compile": ("pipeline", setup.compile_kwargs),
    }
    if args.xla and not setup.gpu:
        variants["lab + XLA (CPU check)"] = ("pipeline",
                                             dict(setup.compile_kwargs, jit_compile=True))
    models, timers = {}, {}
    for name, (_, compile_kwargs) in variants.items():
        model = build(seed=0)
        model.compile(optimizer=keras.optimizers.SGD(0.01),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                      **compile_kwargs)
        models[name], timers[name] = model, _Timer()
    train_ds = data.train_dataset(128, seed=0)
    val_ds = data.eval_dataset("val")

    def fit(name: str, epochs: int) -> None:
        feed, _ = variants[name]
        if feed == "numpy":
            models[name].fit(x, y, batch_size=128, epochs=epochs, validation_split=0.1,
                             verbose=0, callbacks=[timers[name]])
        else:
            models[name].fit(train_ds, epochs=epochs, validation_data=val_ds, shuffle=False,
                             verbose=0, callbacks=[timers[name]])

    first = {}
    for name in variants:                       # warm-up: build the graphs, fill the caches
        fit(name, 1)
        first[name] = timers[name].times[0]
        timers[name].times.clear()
    for r in range(args.rounds):
        order = list(variants) if r % 2 == 0 else list(reversed(variants))
        for name in order:
            fit(name, args.epochs)

    device = "GPU" if setup.gpu else "CPU"
    base = statistics.median(timers["lecture: fit(numpy)"].times)
    print(f"\n{args.model} network, {n_train:,} training + 6,000 validation images, batch 128, "
          f"on the {device}; median of {args.rounds * args.epochs} epochs per variant")
    print(f"{'variant':<26} {'s/epoch':>8} {'min':>7} {'images/s':>10} {'ratio':>7} "
          f"{'1st epoch':>10}")
    for name in variants:
        times = timers[name].times
        med = statistics.median(times)
        print(f"{name:<26} {med:>8.3f} {min(times):>7.3f} {n_train / med:>10,.0f} "
              f"{med / base:>7.2f} {first[name]:>10.2f}")
    ours = statistics.median(timers["lab: pipeline + compile"].times)
    verdict = "OK" if ours <= base else "SLOWER"
    print(f"\nlab pipeline / lecture fit = {ours / base:.2f} ({verdict}: the labs' pipeline must "
          "not be slower than the lecture's call)")


if __name__ == "__main__":
    main()
