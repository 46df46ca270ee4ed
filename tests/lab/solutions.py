"""The lab's solution optimizers (notebooks/solutions/custom_optimizers.py), loaded once."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _load():
    if "lab_solutions" in sys.modules:
        return sys.modules["lab_solutions"]
    path = ROOT / "notebooks" / "solutions" / "custom_optimizers.py"
    spec = importlib.util.spec_from_file_location("lab_solutions", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["lab_solutions"] = module
    spec.loader.exec_module(module)
    return module


SOLUTIONS = _load()
Adam = SOLUTIONS.Adam
RMSprop = SOLUTIONS.RMSprop
