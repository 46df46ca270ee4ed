"""The README's "Extending the course" example runs as printed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _extending_example() -> str:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Extending the course", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_extending_example_adds_an_optimizer_and_a_surface_everywhere():
    code = _extending_example() + "\n".join([
        "",
        "app = explorer.explore('bowl', ['sgd', 'heavy_ball'])",
        "assert app.last_error is None, app.last_error",
        "assert 'heavy_ball' in app.trajectories and app.surface.name == 'bowl'",
        "assert 'heavy ball' in app.table.value",
        "race = explorer.race('bowl', ['sgd', 'heavy_ball'], 20)",
        "diagram = explorer.phase_diagram('bowl', 'heavy_ball', resolution=8, steps=50)",
        "assert diagram.values.shape == (8, 8)",
        "from course_utils import lab",
        "assert 'heavy_ball' in lab.OPTIMIZER_NAMES",
        "print('ok')",
    ])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=300, env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin",
                                                     "HOME": str(Path.home()),
                                                     "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().endswith("ok")
