"""Start JupyterLab on the course's notebooks: what ``make lab`` runs.

The one place where the command line of ``make lab`` is built (``tests/test_make_lab.py``
starts the server through ``make lab`` and so through this script):

* ``--allow-root`` is added when, and only when, the user is root (JupyterLab refuses to start
  as root without it; a fresh cloud machine or a container often has only root);
* a port: ``--port``, else 8888 when it is free, else any free port;
* a token made here (or ``$JUPYTER_TOKEN``), handed to the server through its environment (not
  its command line, which other users of the machine can read), so that the URL to open is
  known: it is printed once the server answers, with how to stop it (Ctrl-C);
* a browser is opened only where there is one to open (``--browser auto``: macOS, Windows, or a
  ``DISPLAY``/``WAYLAND_DISPLAY``); the URL is printed in every case.

The server runs in a process group of its own and reads no terminal, so Ctrl-C reaches this
script alone, which stops the server with SIGTERM: JupyterLab then shuts its kernels down and
exits without asking "Shut down this Jupyter server (y/[n])?". SIGTERM and SIGHUP stop it the
same way.

    python tools/lab_server.py [--port N] [--ip 127.0.0.1] [--browser auto|yes|no]
                               [--dry-run] [NOTEBOOK_DIR] [-- extra JupyterLab options]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PORT = 8888
#: Addresses that mean "every interface": the URL is then printed with 127.0.0.1.
WILDCARD_IPS = ("", "0.0.0.0", "::", "*")
START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 30.0


def needs_allow_root(uid: int | None) -> bool:
    """Whether JupyterLab must be given ``--allow-root``: the effective user id is 0.

    ``uid`` None means the platform has no user ids (Windows): never.
    """
    return uid == 0


def current_uid() -> int | None:
    """The effective user id, or None where the platform has none."""
    return os.geteuid() if hasattr(os, "geteuid") else None


def should_open_browser(choice: str, platform: str = sys.platform,
                        environ: dict[str, str] | None = None) -> bool:
    """``choice`` "yes"/"no", or "auto": a browser can open on macOS, Windows or a desktop."""
    if choice in ("yes", "no"):
        return choice == "yes"
    if choice != "auto":
        raise ValueError(f"browser must be 'auto', 'yes' or 'no', got {choice!r}")
    env = os.environ if environ is None else environ
    return (platform == "darwin" or platform.startswith("win")
            or bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")))


def lab_command(notebook_dir: str | os.PathLike[str], *, port: int, ip: str = "127.0.0.1",
                open_browser: bool = False, uid: int | None = None,
                python: str = sys.executable, extra: Sequence[str] = ()) -> list[str]:
    """The JupyterLab command line that ``make lab`` runs (the token is not on it).

    ``uid`` is the user the server will run as: ``--allow-root`` is added for root (0) only.
    """
    cmd = [python, "-m", "jupyterlab",
           f"--ServerApp.root_dir={os.fspath(notebook_dir)}",
           f"--ServerApp.ip={ip}", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--ServerApp.open_browser={open_browser}"]
    if needs_allow_root(uid):
        cmd.append("--allow-root")
    return cmd + list(extra)


def port_is_free(port: int, ip: str = "127.0.0.1") -> bool:
    """Whether ``port`` can be bound on ``ip`` now."""
    host = "0.0.0.0" if ip in WILDCARD_IPS else ip
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        if os.name == "posix":  # as the server binds: a closed connection's TIME_WAIT is no use
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def choose_port(requested: int | None, ip: str = "127.0.0.1") -> int:
    """``requested``, else 8888 when it is free, else a free port chosen by the system."""
    if requested:
        return requested
    if port_is_free(DEFAULT_PORT, ip):
        return DEFAULT_PORT
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def url_host(ip: str) -> str:
    """The host to put in the URL for a server listening on ``ip``."""
    if ip in WILDCARD_IPS:
        return "127.0.0.1"
    return f"[{ip}]" if ":" in ip else ip


def wait_until_ready(base_url: str, token: str, proc: subprocess.Popen,
                     timeout_s: float = START_TIMEOUT_S) -> bool:
    """Poll ``/api/status`` until the server answers (True), exits or times out (False)."""
    deadline = time.monotonic() + timeout_s
    request = urllib.request.Request(f"{base_url}/api/status",
                                     headers={"Authorization": f"token {token}"})
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    return False


def stop(proc: subprocess.Popen, timeout_s: float = STOP_TIMEOUT_S) -> int:
    """SIGTERM the server's process group (it shuts its kernels down), SIGKILL if it hangs."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook_dir", nargs="?", default=str(ROOT / "notebooks"))
    parser.add_argument("--port", type=int, default=None,
                        help=f"default: {DEFAULT_PORT} if free, else a free port")
    parser.add_argument("--ip", default="127.0.0.1",
                        help="address to listen on (0.0.0.0: every interface, e.g. in a "
                             "container whose port is published)")
    parser.add_argument("--browser", choices=("auto", "yes", "no"), default="auto")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the JupyterLab command line and exit")
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:  # everything after -- goes to JupyterLab as it is
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    args = parser.parse_args(argv)
    args.extra = extra
    if args.port is not None and not 1 <= args.port <= 65535:
        parser.error(f"--port must be in 1..65535, got {args.port}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Start the server, print its URL, run until Ctrl-C/SIGTERM/SIGHUP; return its status."""
    args = _parse(argv)
    notebook_dir = Path(args.notebook_dir).resolve()
    if not notebook_dir.is_dir():
        print(f"error: no folder {notebook_dir}", file=sys.stderr)
        return 2
    port = choose_port(args.port, args.ip)
    uid = current_uid()
    cmd = lab_command(notebook_dir, port=port, ip=args.ip, uid=uid,
                      open_browser=should_open_browser(args.browser), extra=args.extra)
    if args.dry_run:
        print(shlex.join(cmd))
        return 0

    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    env = dict(os.environ, JUPYTER_TOKEN=token)
    print(f"starting JupyterLab{' as root (--allow-root)' if needs_allow_root(uid) else ''}: "
          f"{shlex.join(cmd)}", flush=True)
    stop_signal: list[int] = []

    def on_signal(signum: int, frame: object) -> None:
        stop_signal.append(signum)

    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {s: signal.signal(s, on_signal) for s in handled}
    # its own process group and no terminal input: Ctrl-C reaches this script only
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        base_url = f"http://{url_host(args.ip)}:{port}"
        ready = False
        deadline = time.monotonic() + START_TIMEOUT_S
        while not ready and not stop_signal and proc.poll() is None \
                and time.monotonic() < deadline:  # 1 s at a time, so Ctrl-C is not held up
            ready = wait_until_ready(base_url, token, proc, timeout_s=1.0)
        if ready and not stop_signal:
            print(f"\nJupyterLab is running (pid {proc.pid}). Open this URL in your browser:\n\n"
                  f"    {base_url}/lab?token={token}\n", flush=True)
            if args.ip in WILDCARD_IPS:
                print("(it listens on every interface: from another machine use this "
                      "machine's name or address instead of 127.0.0.1)", flush=True)
            print("Press Ctrl-C to stop it (its kernels stop with it).\n", flush=True)
        elif proc.poll() is None and not stop_signal:
            print(f"JupyterLab did not answer on {base_url} within {START_TIMEOUT_S:.0f} s; "
                  "see its messages above. Press Ctrl-C to stop it.", flush=True)
        while not stop_signal and proc.poll() is None:
            time.sleep(0.2)
    finally:
        code = stop(proc)
        for s, handler in previous.items():
            signal.signal(s, handler)
    if stop_signal:
        print(f"JupyterLab stopped ({signal.Signals(stop_signal[0]).name}).", flush=True)
        return 0
    if code:
        print(f"JupyterLab exited with status {code}; see its messages above.", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
