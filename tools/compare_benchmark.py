"""Run a benchmark script on an older revision and on the working tree, side by side.

A change that should not slow anything down is measured against the code before it in one run
on one machine: the two trees take turns (old, new, old, new, ...), so a busy moment hurts both
alike. Each tree imports its own ``course_utils`` (``PYTHONPATH`` points at it). Lines of the
form ``<label>  median X ms   min Y ms`` are collected, and the report gives, per label, the
median over the rounds of each tree's medians, the best minimum, and the ratio new / old.

    python tools/compare_benchmark.py --base 29a68ea --rounds 3 \\
        benchmarks/explorer_benchmark.py -- --repeat 20

(Options of this script come before the benchmark's path; everything after it goes to the
benchmark.)
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"^(?P<label>.+?)\s+median\s+(?P<median>[\d.]+) ms\s+min\s+(?P<min>[\d.]+) ms")


def parse(output: str) -> dict[str, tuple[float, float]]:
    """``{label: (median_ms, min_ms)}`` from a benchmark's output."""
    found = {}
    for line in output.splitlines():
        match = LINE.match(line.strip())
        if match:
            found[match["label"].strip()] = (float(match["median"]), float(match["min"]))
    return found


def run_once(tree: Path, script: str, extra: list[str]) -> dict[str, tuple[float, float]]:
    env = {**os.environ, "PYTHONPATH": str(tree), "MPLBACKEND": "Agg"}
    out = subprocess.run([sys.executable, str(tree / script), *extra], cwd=tree, env=env,
                         capture_output=True, text=True, check=True)
    return parse(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the older revision (a commit or a tag)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("script", help="the benchmark script, relative to the repository")
    parser.add_argument("extra", nargs=argparse.REMAINDER,
                        help="arguments for the script (after --)")
    args = parser.parse_args()
    args.extra = [a for a in args.extra if a != "--"]
    with tempfile.TemporaryDirectory() as tmp:
        old_tree = Path(tmp) / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet",
                        str(old_tree), args.base], check=True)
        try:
            results: dict[str, list[dict[str, tuple[float, float]]]] = {"old": [], "new": []}
            for _ in range(args.rounds):
                results["old"].append(run_once(old_tree, args.script, args.extra))
                results["new"].append(run_once(ROOT, args.script, args.extra))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(old_tree)], check=False)
    print(f"{args.script}: {args.base} (old) against the working tree (new), "
          f"{args.rounds} alternating rounds; load average {os.getloadavg()[0]:.1f}")
    print(f"{'what':<52} {'old median':>11} {'new median':>11} {'new/old':>8} "
          f"{'old min':>8} {'new min':>8}")
    for label in results["new"][0]:
        if not all(label in r for r in results["old"]):
            print(f"{label:<52} (not measured by the old revision)")
            continue
        old = statistics.median(r[label][0] for r in results["old"])
        new = statistics.median(r[label][0] for r in results["new"])
        old_min = min(r[label][1] for r in results["old"])
        new_min = min(r[label][1] for r in results["new"])
        print(f"{label:<52} {old:8.1f} ms {new:8.1f} ms {new / old:8.2f} "
              f"{old_min:5.1f} ms {new_min:5.1f} ms")


if __name__ == "__main__":
    main()
