"""How fast is one vectorized ``sweep`` compared with a Python loop over the cells?

Momentum on the ravine, a 256 x 256 grid of (learning_rate, momentum), 500 steps, with
divergence tracking and steps-to-tolerance. The loop runs ``run`` cell by cell on a
random sample of cells (the full loop would take many minutes) and its time per
trajectory is compared with the sweep's, measured side by side in this one process.
It also checks that the sampled cells agree with the sweep exactly.

    python benchmarks/sweep_benchmark.py [--repeat 5] [--sample 64]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from course_utils import optimizers, run, surfaces, sweep

GRID = 256
STEPS = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sample", type=int, default=64)
    args = parser.parse_args()

    ravine = surfaces.get("ravine")
    lr = np.geomspace(1e-3, 3.0, GRID)[:, None] * np.ones((1, GRID))
    mu = np.linspace(0.0, 0.99, GRID)[None, :] * np.ones((GRID, 1))
    grid_opt = optimizers.sgd(learning_rate=lr, momentum=mu)

    sweep(grid_opt, ravine, ravine.start, 5)  # warm-up (allocations, caches)
    sweep_times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = sweep(grid_opt, ravine, ravine.start, STEPS, tol=1e-6)
        sweep_times.append(time.perf_counter() - t0)
    sweep_time = statistics.median(sweep_times)

    rng = np.random.default_rng(0)
    cells = rng.integers(0, GRID, size=(args.sample, 2))
    t0 = time.perf_counter()
    for i, j in cells:
        single = optimizers.sgd(learning_rate=float(lr[i, j]), momentum=float(mu[i, j]))
        traj = run(single, ravine, ravine.start, STEPS)
        assert np.array_equal(traj.points[-1], result.final_points[i, j]), (i, j)
        assert traj.diverged_at == result.diverged_at[i, j], (i, j)
    loop_per_traj = (time.perf_counter() - t0) / args.sample

    sweep_per_traj = sweep_time / GRID**2
    print(f"grid {GRID} x {GRID} = {GRID**2} trajectories x {STEPS} steps (momentum, ravine)")
    print(f"sweep, one vectorized run : {sweep_time:.3f} s  (median of {args.repeat}, "
          f"min {min(sweep_times):.3f} s)")
    print(f"  diverged cells          : {np.mean(result.diverged_at >= 0):.1%}, "
          f"reached tol 1e-6: {np.mean(result.steps_to_tol >= 0):.1%}")
    print(f"python loop over cells    : {loop_per_traj * 1e3:.2f} ms per trajectory "
          f"(sample of {args.sample}; whole grid would take ~{loop_per_traj * GRID**2:.0f} s)")
    print(f"speed-up per trajectory   : {loop_per_traj / sweep_per_traj:.0f}x")
    print("sampled cells agree exactly with the sweep: yes")


if __name__ == "__main__":
    main()
