"""The GPU check's CPU path: ``benchmarks/gpu_check.sh`` says "no GPU" and stops, non-zero.

No GPU is needed (one is hidden with CUDA_VISIBLE_DEVICES="" where there is one, so the test
means the same everywhere). Also checked: the bare ``gpu_benchmark.py`` (what ``make benchmark``
runs) exits 0 without a GPU, and its ``lab`` command runs a notebook under nbval in full mode,
reports its accuracies and stops a run that exceeds its time limit, kernel included.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "gpu_check.sh"
BENCH = ROOT / "benchmarks" / "gpu_benchmark.py"
sys.path.insert(0, str(ROOT / "benchmarks"))
import gpu_benchmark  # noqa: E402

BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="needs bash")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OUT", "COURSE_FAST")}
    env.update({"CUDA_VISIBLE_DEVICES": "", "TF_CPP_MIN_LOG_LEVEL": "2", "MPLBACKEND": "Agg"})
    env.update(extra)
    return env


def test_script_is_valid_bash_and_documents_its_one_command():
    subprocess.run([BASH, "-n", str(SCRIPT)], check=True, timeout=30)
    head = SCRIPT.read_text(encoding="utf-8").split("set -uo pipefail")[0]
    assert "bash benchmarks/gpu_check.sh --out" in head
    helped = subprocess.run([BASH, str(SCRIPT), "--help"], capture_output=True, text=True,
                            timeout=30, check=True).stdout
    assert "--skip-install" in helped and "no GPU" in helped and "COURSE_FAST=0" in helped


def test_without_a_gpu_it_says_no_gpu_and_exits_non_zero(tmp_path):
    """The first stage on this CPU-only machine; the figures go to $OUT/gpu_check.txt."""
    proc = subprocess.run([BASH, str(SCRIPT), "--skip-install"], cwd=tmp_path,
                          env=_env(OUT=str(tmp_path / "out")), capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "no GPU: TensorFlow does not use a GPU" in proc.stderr
    figures = (tmp_path / "out" / "gpu_check.txt").read_text(encoding="utf-8")
    verdicts = [line for line in figures.splitlines() if line.startswith("verdict:")]
    assert len(verdicts) == 1 and verdicts[0].startswith("verdict: no GPU: TensorFlow sees no GPU")
    assert "== keras_setup()" in figures and "training on: CPU" in figures
    assert "install: skipped" in figures and "stopped: no GPU" in figures
    assert "GPU benchmark" not in figures and "under nbval" not in figures  # stopped early
    assert len(figures) < 4000                                                 # a small file


def test_out_option_and_a_missing_python(tmp_path):
    fig = tmp_path / "deep" / "figures.txt"
    proc = subprocess.run([BASH, str(SCRIPT), "--skip-install", "--python",
                           str(tmp_path / "no-python"), "--out", str(fig)], env=_env(),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "verdict: no GPU: no Python at" in fig.read_text(encoding="utf-8")
    bad = subprocess.run([BASH, str(SCRIPT), "--budget", "soon"], env=_env(),
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 64 and "--budget" in bad.stderr


def test_bare_gpu_benchmark_is_quick_and_fine_without_a_gpu():
    """``make benchmark`` runs every benchmarks/*.py bare: no GPU is not an error there."""
    proc = subprocess.run([sys.executable, str(BENCH)], env=_env(), capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("no GPU: TensorFlow sees no GPU")


def test_accuracy_lines_read_the_results_tables():
    text = textwrap.dedent("""\
        run                        train acc  val acc test acc  time s s/epoch  epochs to 97%
        ------------------------------------------------------------------------------------
        sgd (constant)                0.9012   0.9100   0.9050    10.2    0.51           never
        adam, cosine                  0.9950   0.9800   0.9791    11.0    0.55               4

        relu + he_normal  distinct hidden units after training: 64, test accuracy 0.962
        something else 0.9 1.0
        """)
    assert gpu_benchmark.accuracy_lines(text) == [
        "sgd (constant): test 0.9050, val 0.9100, train 0.9012, 10.2 s",
        "adam, cosine: test 0.9791, val 0.9800, train 0.9950, 11.0 s",
        "relu + he_normal distinct hidden units after training: 64, test accuracy 0.962",
    ]
    assert gpu_benchmark.output_text([
        {"output_type": "stream", "text": "a"},
        {"output_type": "execute_result", "data": {"text/plain": "b"}},
        {"output_type": "error", "ename": "ValueError", "evalue": "c"}]) == "a\nb\nValueError: c\n"


def _notebook(path: Path, *sources: str) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


def _processes_with(marker: str) -> list[int]:
    pids = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        with contextlib.suppress(OSError, ValueError):
            if marker.encode() in environ.read_bytes():
                pids.append(int(environ.parent.name))
    return [pid for pid in pids if pid != os.getpid()]


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_lab_command_runs_a_notebook_in_full_mode_and_stops_at_its_limit(tmp_path):
    marker = f"GPU_CHECK_TEST_{uuid.uuid4().hex}"
    table = ('print("run" + " " * 24 + "train acc  val acc test acc  time s s/epoch  epochs")\n'
             'print("-" * 80)\n'
             'print(f"{\'adam\':<26} {0.98:>9.4f} {0.97:>8.4f} {0.9712:>8.4f} {12.3:>7.1f} '
             '{1.2:>7.2f} {\'3\':>15}")')
    good = _notebook(tmp_path / "good.ipynb",
                     'import os\nassert os.environ["COURSE_FAST"] == "0"', table)
    slow = _notebook(tmp_path / "slow.ipynb", "x = 1", "import time\ntime.sleep(120)",
                     "print('never')")
    fig = tmp_path / "figures.txt"
    try:
        ok = subprocess.run([sys.executable, str(BENCH), "lab", str(good), "--out", str(fig)],
                            env=_env(**{marker: "1"}), capture_output=True, text=True,
                            timeout=120)
        assert ok.returncode == 0, ok.stdout[-3000:]
        late = subprocess.run([sys.executable, str(BENCH), "lab", str(slow), "--timeout", "6",
                               "--out", str(fig)], env=_env(**{marker: "1"}),
                              capture_output=True, text=True, timeout=120)
        assert late.returncode == 1, late.stdout[-3000:]
        figures = fig.read_text(encoding="utf-8")
        assert "== good.ipynb under nbval, COURSE_FAST=0 (full mode): passed" in figures
        assert "2 cells passed, 0 failed" in figures
        assert "adam: test 0.9712, val 0.9700, train 0.9800, 12.3 s" in figures
        assert "== slow.ipynb under nbval, COURSE_FAST=0 (full mode): TIMED OUT" in figures
        slow_line = next(line for line in figures.splitlines() if "slow.ipynb" in line)
        assert "(limit 6 s)" in slow_line and "0 failed" in slow_line  # stopped, not failed
        assert _processes_with(marker) == [], "a kernel outlived its run"
    finally:
        for pid in _processes_with(marker):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
