"""How fast does the explorer answer a slider? (the matplotlib PNG view, `backend="image"`)

Six optimizers x 300 steps on the ravine, the image backend (Agg figure -> PNG ->
``widgets.Image``). Each figure is the median (and the minimum) over ``--repeat`` slider moves:

* recompute: the optimizers whose inputs changed are run again (``run`` with the states
  recorded), the rest come from the cache: ``app.model.compute(settings)``, the headless
  model, without any widget or figure. A hyperparameter slider reruns one optimizer; a
  start-point slider reruns all six.
* full update: from setting the slider's ``.value`` to the new PNG in ``app.image`` (recompute,
  artists, table, render). A step of the scrubber or of Play only redraws.
* from scratch: building the whole app (widgets, figure, contours, six runs, first render), and
  a full update with the model's cache and the view's cached background thrown away
  (``app.model.clear()``, ``app.view.invalidate()``), for comparison.

Only public entry points are used: ``app.controls.read()`` (the settings),
``app.model.compute``, and the widgets' ``.value``.

The machine may be busy (other notebooks, TensorFlow), so look at the minimum as well.

    python benchmarks/explorer_benchmark.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from course_utils.explorer import explore  # noqa: E402

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam", "rmsprop", "adagrad")
STEPS = 300


def timed(fn, values) -> list[float]:
    out = []
    for v in values:
        t0 = time.perf_counter()
        fn(v)
        out.append(time.perf_counter() - t0)
    return out


def report(label: str, seconds: list[float]) -> None:
    ms = [s * 1e3 for s in seconds]
    print(f"{label:<52} median {statistics.median(ms):7.1f} ms   min {min(ms):7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    n = args.repeat

    app = explore("ravine", OPTIMIZERS, steps=STEPS, backend="image")
    assert app.last_error is None, app.last_error
    lr = app.sliders["adam"]["learning_rate"]
    start_x = app.start_sliders[0]
    # every move sets a new value (an unchanged value sends no event)
    lrs = iter(np.geomspace(0.02, 0.6, 5 * n))
    xs = iter(np.linspace(-7.9, -2.0, 3 * n))
    for _ in range(3):  # warm-up
        lr.value = float(next(lrs))

    def take(values) -> list[float]:
        return [float(next(values)) for _ in range(n)]

    def recompute_one(v: float) -> None:
        settings = app.controls.read()
        settings["optimizers"]["adam"]["learning_rate"] = float(v)
        app.model.compute(settings)

    def recompute_all(v: float) -> None:
        settings = app.controls.read()
        settings["start"][0] = float(v)
        app.model.compute(settings)

    def set_value(slider):
        return lambda v: setattr(slider, "value", float(v))

    def scratch_update(v: float) -> None:
        app.model.clear()
        app.view.invalidate()
        lr.value = float(v)

    print(f"explorer: {len(OPTIMIZERS)} optimizers x {STEPS} steps on the ravine, "
          f"{n} slider moves each, load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    report("recompute, learning-rate slider (1 optimizer)", timed(recompute_one, take(lrs)))
    report("recompute, start-point slider (all 6)", timed(recompute_all, take(xs)))
    report("full update incl. PNG, learning-rate slider", timed(set_value(lr), take(lrs)))
    report("full update incl. PNG, start-point slider", timed(set_value(start_x), take(xs)))
    steps = np.linspace(0, STEPS - 1, n).astype(int)  # the step slider starts at STEPS
    report("redraw only, step scrubber / Play frame", timed(set_value(app.step_slider), steps))
    report("from scratch: full update, no cache, full redraw", timed(scratch_update, take(lrs)))
    builds = timed(lambda v: explore("ravine", OPTIMIZERS, steps=STEPS, backend="image"),
                   range(max(3, n // 6)))
    report("from scratch: build the whole app", builds)


if __name__ == "__main__":
    main()
