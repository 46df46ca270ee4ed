"""``make lab`` starts JupyterLab on the course's notebooks, as root too, and stops on Ctrl-C.

The server tests run ``make lab`` itself (``-o .venv/.installed``: the install is taken as
done, so a test never reinstalls), with LAB_BROWSER=no, a free port and temporary Jupyter
config, data and runtime folders (the kernel registration of ``make lab`` goes there, not into
the home folder). They wait for the URL line of ``tools/lab_server.py``, check that the server
serves the notebooks with that token (and refuses without it), then press "Ctrl-C" (SIGINT to
the process group of make, as a terminal does) and check that the server is gone. Whatever
happens, every process they started is stopped: make's process group, the server's process
group and any process (a kernel) whose environment names the test's runtime folder.

The root path runs as the user the tests run as (root in CI); the non-root path runs the same
``make lab`` as the unprivileged user ``nobody`` through ``setpriv`` when the tests run as root.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import lab_server  # noqa: E402

STAMP = ".venv/.installed"
MAKE = shutil.which("make")
SETPRIV = shutil.which("setpriv")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
NOBODY = 65534
START_TIMEOUT_S = 150
STOP_TIMEOUT_S = 45
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
URL_LINE = re.compile(r"^\s*(http://127\.0\.0\.1:(\d+))/lab\?token=([0-9a-f]+)\s*$")
PID_LINE = re.compile(r"JupyterLab is running \(pid (\d+)\)")

needs_make = pytest.mark.skipif(MAKE is None or not (ROOT / STAMP).exists(),
                                reason="needs make and the installed .venv (make install)")


# ----------------------------------------------------------------- the decision, without a server

@pytest.mark.parametrize(("uid", "expected"), [(0, True), (1000, False), (NOBODY, False),
                                               (None, False)])
def test_allow_root_only_for_root(uid, expected):
    assert lab_server.needs_allow_root(uid) is expected
    cmd = lab_server.lab_command("notebooks", port=8890, uid=uid, python="python")
    assert ("--allow-root" in cmd) is expected
    assert cmd[:3] == ["python", "-m", "jupyterlab"]
    assert "--ServerApp.port=8890" in cmd and "--ServerApp.port_retries=0" in cmd
    assert "--ServerApp.open_browser=False" in cmd
    assert not any("token" in part.lower() for part in cmd)  # the token is not on the cmdline


def test_browser_choice():
    assert lab_server.should_open_browser("yes", "linux", {}) is True
    assert lab_server.should_open_browser("no", "darwin", {"DISPLAY": ":0"}) is False
    assert lab_server.should_open_browser("auto", "linux", {}) is False
    assert lab_server.should_open_browser("auto", "linux", {"DISPLAY": ":0"}) is True
    assert lab_server.should_open_browser("auto", "linux", {"WAYLAND_DISPLAY": "w"}) is True
    assert lab_server.should_open_browser("auto", "darwin", {}) is True
    assert lab_server.should_open_browser("auto", "win32", {}) is True
    with pytest.raises(ValueError, match="browser"):
        lab_server.should_open_browser("maybe")


def test_port_choice():
    assert lab_server.choose_port(8765) == 8765
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        assert not lab_server.port_is_free(taken)
    port = lab_server.choose_port(None)
    assert 1 <= port <= 65535
    assert port == lab_server.DEFAULT_PORT or lab_server.port_is_free(port)
    assert lab_server.url_host("0.0.0.0") == "127.0.0.1"
    assert lab_server.url_host("::1") == "[::1]"


def test_dry_run_prints_the_command_line_for_this_user():
    out = subprocess.run([sys.executable, "tools/lab_server.py", "--dry-run", "--port", "8891",
                          "--browser", "no", "--", "--LabApp.extra=1"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    assert "-m jupyterlab" in out and "--ServerApp.port=8891" in out
    assert out.strip().endswith("--LabApp.extra=1")
    assert ("--allow-root" in out) is IS_ROOT


def _as_nobody(*cmd: str) -> list[str]:
    return [SETPRIV, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *cmd]


def _nobody_can_run(python: str, code: str = "pass") -> bool:
    """Whether ``nobody`` can run ``python`` the way make does (through bash), e.g. not when
    it lives under root's private home folder (pyenv in /root)."""
    if not (IS_ROOT and SETPRIV):
        return False
    probe = subprocess.run(_as_nobody("bash", "-c", '"$0" -c "$1"', python, code), cwd="/",
                           capture_output=True, timeout=60, env=_clean_env({"HOME": "/tmp"}))
    return probe.returncode == 0


@pytest.mark.skipif(not (IS_ROOT and SETPRIV), reason="needs root and setpriv")
def test_dry_run_as_unprivileged_user_has_no_allow_root():
    """The real decision (os.geteuid) for a non-root user. lab_server.py needs only the
    standard library, so any Python that ``nobody`` can run will do."""
    candidates = (sys.executable, "/usr/bin/python3", "/usr/local/bin/python3",
                  shutil.which("python3") or "python3")
    python = next((p for p in candidates if _nobody_can_run(p)), None)
    if python is None:
        pytest.skip("the user nobody can run no Python here")
    script = ROOT / "tools" / "lab_server.py"
    if not _nobody_can_run(python, f"open({str(script)!r})"):
        pytest.skip(f"the user nobody cannot read {script}")
    out = subprocess.run(_as_nobody(python, str(script), "--dry-run", "--browser", "no"),
                         cwd="/", capture_output=True, text=True, timeout=60, check=True,
                         env=_clean_env({"HOME": "/tmp"})).stdout
    assert "-m jupyterlab" in out
    assert "--allow-root" not in out


@needs_make
def test_make_n_lab_runs_the_lab_server_script():
    out = subprocess.run([MAKE, "-n", "-o", STAMP, "lab", "LAB_PORT=12345", "LAB_BROWSER=no",
                          "LAB_ARGS=--LabApp.extra=1"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, check=True).stdout
    assert "ipykernel install --user --name optimization-course" in out
    assert "tools/lab_server.py notebooks" in out
    assert "--port 12345" in out and "--browser no" in out and "-- --LabApp.extra=1" in out


# ----------------------------------------------------------------- the real server, via make lab

def _clean_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "MAKE", "MFLAGS")) and k not in ("PORT", "LAB_PORT")}
    env.update(extra)
    return env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def _pids_with_env(text: str) -> list[int]:
    """Processes whose environment contains ``text`` (Linux /proc; this test's own excluded)."""
    pids = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        with contextlib.suppress(OSError, ValueError):
            if text.encode() in environ.read_bytes():
                pids.append(int(environ.parent.name))
    return [pid for pid in pids if pid != os.getpid()]


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        return "State:\tZ" not in status.read_text()
    except OSError:
        return False


@dataclass
class Lab:
    make: subprocess.Popen
    base_url: str
    token: str
    server_pid: int
    lines: list[str]
    data_dir: Path


@contextlib.contextmanager
def make_lab(as_nobody: bool = False) -> Iterator[Lab]:
    """Run ``make lab`` on a free port; yield once it printed its URL; always stop everything."""
    base = Path(tempfile.mkdtemp(prefix="test-make-lab-"))
    base.chmod(0o755)
    dirs = {name: base / name for name in ("config", "data", "runtime", "home")}
    for path in dirs.values():
        path.mkdir()
        if as_nobody:
            os.chown(path, NOBODY, NOBODY)
    port = _free_port()
    env = _clean_env({
        "JUPYTER_CONFIG_DIR": str(dirs["config"]), "JUPYTER_DATA_DIR": str(dirs["data"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]), "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
    })
    if as_nobody:
        env["HOME"] = str(dirs["home"])
    cmd = [MAKE, "-o", STAMP, "lab", "LAB_BROWSER=no", f"LAB_PORT={port}"]
    if as_nobody:
        cmd = _as_nobody(*cmd)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    lines: list[str] = []
    feed: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            feed.put(line)
        feed.put(None)

    threading.Thread(target=read, daemon=True).start()
    server_pid = None
    try:
        url = token = None
        deadline = time.monotonic() + START_TIMEOUT_S
        while url is None:
            try:
                line = feed.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is None:
                pytest.fail(f"make lab printed no URL within {START_TIMEOUT_S} s (exit "
                            f"{proc.poll()}):\n" + "\n".join(lines[-40:]))
            if match := PID_LINE.search(line):
                server_pid = int(match.group(1))
            if match := URL_LINE.match(line):
                url, token = match.group(1), match.group(3)
                assert int(match.group(2)) == port
        assert server_pid is not None, "\n".join(lines)
        yield Lab(proc, url, token, server_pid, lines, dirs["data"])
    finally:
        if proc.poll() is None:  # Ctrl-C, as a terminal sends it: to make's process group
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        # safety net: the server's own process group and anything (kernels) of this run
        if server_pid is not None and _alive(server_pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(server_pid, signal.SIGKILL)
        for pid in _pids_with_env(str(dirs["runtime"])):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(base, ignore_errors=True)


def _check_serves_the_course(lab: Lab) -> None:
    status, body = _get(f"{lab.base_url}/api/contents/?token={lab.token}")
    assert status == 200
    listing = json.loads(body)
    names = {item["name"] for item in listing["content"] if item["type"] == "notebook"}
    assert set(NOTEBOOKS) <= names, f"missing: {sorted(set(NOTEBOOKS) - names)}"
    assert "00_explorer.ipynb" in names and "08_optimizer_lab.ipynb" in names

    status, body = _get(f"{lab.base_url}/lab/tree/08_optimizer_lab.ipynb?token={lab.token}")
    assert status == 200
    assert b"JupyterLab" in body

    status, body = _get(f"{lab.base_url}/api/contents/08_optimizer_lab.ipynb?token={lab.token}"
                        "&content=1")
    assert status == 200
    model = json.loads(body)
    assert model["type"] == "notebook" and model["content"]["cells"]

    assert _get(f"{lab.base_url}/api/contents/")[0] == 403          # no token: refused
    assert _get(f"{lab.base_url}/api/contents/?token=0{lab.token}")[0] == 403
    # make lab registered the course's kernel, in the test's data folder
    assert (lab.data_dir / "kernels" / "optimization-course" / "kernel.json").exists()


def _check_stops_on_ctrl_c(lab: Lab) -> None:
    port = int(lab.base_url.rsplit(":", 1)[1])
    os.killpg(lab.make.pid, signal.SIGINT)
    lab.make.wait(timeout=STOP_TIMEOUT_S)
    deadline = time.monotonic() + 10
    while _alive(lab.server_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(lab.server_pid), "the JupyterLab server outlived Ctrl-C"
    deadline = time.monotonic() + 5
    while _listening(port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _listening(port), f"port {port} still answers after Ctrl-C"
    time.sleep(0.2)  # let the reader thread take the last lines
    assert any("JupyterLab stopped" in line for line in lab.lines), "\n".join(lab.lines[-20:])


@needs_make
def test_make_lab_serves_the_notebooks_and_stops_on_ctrl_c():
    """The README's first command, as the user running the tests (root in CI)."""
    with make_lab() as lab:
        # the reader thread may still be taking the lines printed right after the URL
        deadline = time.monotonic() + 10
        while not any("Press Ctrl-C to stop it" in line for line in lab.lines) \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        text = "\n".join(lab.lines)
        assert ("--allow-root" in text) is IS_ROOT
        assert "Running as root is not recommended" not in text
        assert "Press Ctrl-C to stop it" in text
        _check_serves_the_course(lab)
        _check_stops_on_ctrl_c(lab)


@needs_make
@pytest.mark.skipif(not (IS_ROOT and SETPRIV), reason="needs root and setpriv")
def test_make_lab_as_unprivileged_user():
    """The same command as the user ``nobody``: no --allow-root, and the server runs."""
    if not _nobody_can_run(str(ROOT / ".venv" / "bin" / "python"), "import jupyterlab"):
        pytest.skip("the user nobody cannot run .venv/bin/python (its interpreter lives in a "
                    "folder only root may enter, e.g. pyenv under /root); the non-root decision "
                    "is tested by test_allow_root_only_for_root and the dry run above")
    with make_lab(as_nobody=True) as lab:
        text = "\n".join(lab.lines)
        assert "starting JupyterLab:" in text and "--allow-root" not in text
        status = Path(f"/proc/{lab.server_pid}/status").read_text()
        uid_line = next(line for line in status.splitlines() if line.startswith("Uid:"))
        assert uid_line.split()[1:3] == [str(NOBODY), str(NOBODY)]  # real and effective uid
        _check_serves_the_course(lab)
        _check_stops_on_ctrl_c(lab)
