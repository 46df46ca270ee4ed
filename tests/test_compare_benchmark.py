"""tools/compare_benchmark.py reads the benchmark's figure lines."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import compare_benchmark  # noqa: E402


def test_parse_reads_label_median_and_minimum():
    out = ("explorer: 6 optimizers x 300 steps on the ravine, 30 slider moves each\n"
           "recompute, learning-rate slider (1 optimizer)   median  11.2 ms   min   9.8 ms\n"
           "full update incl. PNG, start-point slider   median 140.0 ms   min 120.5 ms\n"
           "not a figure line\n")
    assert compare_benchmark.parse(out) == {
        "recompute, learning-rate slider (1 optimizer)": (11.2, 9.8),
        "full update incl. PNG, start-point slider": (140.0, 120.5),
    }
