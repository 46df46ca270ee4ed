"""Kernel time per slider move, every slider, canvas view against the PNG view, in one run.

The explorer of notebook 00 (the ravine, SGD, momentum and Adam, 200 steps, looking inside
Adam). Every slider of the app is moved to ``--positions`` values spread over its range
(jumps, as a click on the track or a typed value makes, not drags), then put back, so that
each slider moves from the notebook's setup (200 steps), in ``--rounds`` rounds
that alternate between the two views, so that both see the same machine load. A move's kernel
time runs from setting the slider's ``.value`` to the end of every observer, including
serializing the messages for the browser: each message a widget sends is encoded to JSON, as
the kernel's session does, and its binary buffers are counted.

Goals (issue 13): with the canvas, the median over all moves under 30 ms, and no slider's
median over 60 ms. The script prints every slider's median for both views, their ratio, and
whether the goals are met; it exits 0 either way (figures, not a test).

    python benchmarks/slider_benchmark.py [--positions 5] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")

import comm  # noqa: E402
import numpy as np  # noqa: E402

from course_utils.explorer import explore  # noqa: E402

SETUP = {"surface": "ravine", "optimizers": ("sgd", "momentum", "adam"), "steps": 200,
         "inspect": "adam"}
GOAL_MEDIAN_MS = 30.0
GOAL_WORST_MS = 60.0


class Traffic:
    """What the widgets would send to the browser: messages and bytes (JSON + buffers)."""

    messages = 0
    bytes = 0

    @classmethod
    def install(cls) -> None:
        def send(self, data=None, metadata=None, buffers=None):  # the kernel's encoding work
            cls.messages += 1
            cls.bytes += len(json.dumps(data, default=str)) + sum(
                memoryview(b).nbytes for b in buffers or ())

        comm.DummyComm.send = send


def sliders(app) -> dict[str, object]:
    """Every slider of the app, by a readable name (checkboxes and menus left out)."""
    c = app.controls
    found: dict[str, object] = {}
    for name in c.enabled():
        for param, widget in c.sliders[name].items():
            found[f"{name} {param}"] = widget
    for param, widget in c.surface_controls.items():
        found[f"surface {param}"] = widget
    found["steps"] = c.steps_slider
    found["start x"], found["start y"] = c.start_sliders
    found["tolerance"] = c.tol_slider
    found["noise σ"] = c.noise_stddev
    found["noise batch size"] = c.noise_batch
    found["clip threshold"] = c.clip_threshold
    found["step scrubber"] = c.step_slider
    return {k: w for k, w in found.items() if "Slider" in type(w).__name__}


def positions(widget, k: int) -> list:
    """``k`` values spread over 10 %..90 % of the slider's range (each differs from the last)."""
    if hasattr(widget, "options"):  # a SelectionSlider
        options = [o[1] if isinstance(o, tuple) else o for o in widget.options]
        idx = np.linspace(0.1, 0.9, k) * (len(options) - 1)
        return [options[int(round(i))] for i in idx]
    lo, hi = float(widget.min), float(widget.max)
    if hasattr(widget, "base"):  # FloatLogSlider: min and max are exponents
        return [float(widget.base ** e) for e in np.linspace(lo + 0.1 * (hi - lo),
                                                             hi - 0.1 * (hi - lo), k)]
    values = np.linspace(lo + 0.1 * (hi - lo), hi - 0.1 * (hi - lo), k)
    if "Int" in type(widget).__name__:
        return [int(round(v)) for v in values]
    return [float(v) for v in values]


def measure(app, widget, values) -> list[float]:
    """Milliseconds per move, each to a new value."""
    out = []
    for v in values:
        if widget.value == v:
            continue
        t0 = time.perf_counter()
        widget.value = v
        out.append((time.perf_counter() - t0) * 1e3)
        assert app.last_error is None, app.last_error
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--positions", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    Traffic.install()
    setup = dict(SETUP)
    build: Callable = lambda backend: explore(setup["surface"], setup["optimizers"],  # noqa: E731
                                              steps=setup["steps"], inspect=setup["inspect"],
                                              backend=backend)
    apps = {backend: build(backend) for backend in ("canvas", "image")}
    names = list(sliders(apps["canvas"]))
    times: dict[str, dict[str, list[float]]] = {b: {n: [] for n in names} for b in apps}
    traffic = {b: [0, 0] for b in apps}
    for r in range(args.rounds):
        order = ("canvas", "image") if r % 2 == 0 else ("image", "canvas")
        for backend in order:
            app = apps[backend]
            found = sliders(app)
            for name in names:
                widget = found[name]
                values = positions(widget, args.positions)
                if r % 2:
                    values = values[::-1]
                initial = widget.value
                before = (Traffic.messages, Traffic.bytes)
                times[backend][name] += measure(app, widget, values)
                traffic[backend][0] += Traffic.messages - before[0]
                traffic[backend][1] += Traffic.bytes - before[1]
                widget.value = initial  # the next slider moves from the notebook's setup
    moves = {b: sum(len(v) for v in times[b].values()) for b in apps}
    print(f"explorer of notebook 00: {', '.join(setup['optimizers'])} on the {setup['surface']}, "
          f"{setup['steps']} steps, inside {setup['inspect']}; {len(names)} sliders x "
          f"{args.positions} positions x {args.rounds} rounds; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'slider':<26}{'canvas ms':>12}{'image ms':>12}{'image/canvas':>14}")
    worst = ("", 0.0)
    for name in names:
        c = statistics.median(times["canvas"][name])
        i = statistics.median(times["image"][name])
        worst = max(worst, (name, c), key=lambda t: t[1])
        print(f"{name:<26}{c:>12.1f}{i:>12.1f}{i / c:>14.1f}")
    every = {b: [t for v in times[b].values() for t in v] for b in apps}
    for b in apps:
        print(f"{b:<7} median over all {moves[b]} moves {statistics.median(every[b]):6.1f} ms; "
              f"sent {traffic[b][0] / moves[b]:.1f} messages and "
              f"{traffic[b][1] / moves[b] / 1024:.0f} KiB per move")
    median = statistics.median(every["canvas"])
    print(f"goal: canvas median under {GOAL_MEDIAN_MS:.0f} ms: {median:.1f} ms, "
          f"{'met' if median < GOAL_MEDIAN_MS else 'NOT met'}")
    print(f"goal: no canvas slider's median over {GOAL_WORST_MS:.0f} ms: worst is {worst[0]} "
          f"at {worst[1]:.1f} ms, {'met' if worst[1] <= GOAL_WORST_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
