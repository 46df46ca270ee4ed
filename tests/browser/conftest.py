"""Fixtures for the real-browser tests: a JupyterLab server on loopback and Debian's Chromium.

The server runs on a free loopback port with a random token, in a temporary copy of the
notebooks (so running cells never edits the repository) and with temporary config, runtime,
settings and workspace folders. It is always stopped (its whole process group, kernels
included), also when a test fails. Chromium is driven by Playwright through
``executable_path`` (``playwright install`` is never used: it downloads a browser). Without
Chromium the tests are skipped with a message, unless REQUIRE_BROWSER=1, which turns the skip
into a failure (CI sets it).

Every page may talk to loopback only: any other request is aborted and recorded in
``page.blocked`` (a list of URLs), so a page that needs the network fails loudly.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--mute-audio",
]
LOCAL_PREFIXES = ("http://127.0.0.1:", "http://localhost:", "data:", "blob:", "file:")
SERVER_START_TIMEOUT = 90  # seconds
DEFAULT_TIMEOUT_MS = 60_000

#: The course's JupyterLab settings (format of JupyterLab's overrides.json): what students and
#: instructors get, so the tests run with them too. ``scrollPastEnd: false`` keeps the slide on
#: screen in jupyterlab-deck 0.2 on JupyterLab >= 4.1 (with it the deck keeps the notebook's old
#: scroll offset and shows an empty slide).
COURSE_SETTINGS = ROOT / "lab-settings" / "overrides.json"
#: Settings for the tests only: no news or update checks (their toast covers the page and they
#: would reach the network) and no autosave (the server's copy of the notebooks is temporary).
TEST_SETTINGS: dict[str, dict[str, Any]] = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false", "checkForUpdates": False,
    },
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
}


def browser_skip_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


def require_browser() -> None:
    """Skip (or, with REQUIRE_BROWSER=1, fail) when Chromium or Playwright is missing."""
    reason = browser_skip_reason()
    if reason is None:
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_settings(settings_dir: Path) -> None:
    """Write the course's settings, then the tests' own, as JupyterLab user settings."""
    settings: dict[str, dict[str, Any]] = {}
    if COURSE_SETTINGS.exists():
        settings = json.loads(COURSE_SETTINGS.read_text(encoding="utf-8"))
    for plugin, values in TEST_SETTINGS.items():
        settings[plugin] = {**settings.get(plugin, {}), **values}
    for plugin, values in settings.items():
        package, _, name = plugin.partition(":")
        path = settings_dir / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


def stop_process_group(proc: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM the process group of ``proc`` (started with start_new_session), then SIGKILL."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout)
    except ProcessLookupError:
        pass


def _pids_mentioning(text: str) -> list[int]:
    """Processes whose command line contains ``text`` (Linux /proc; [] elsewhere)."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text in cmdline.read_bytes().decode(errors="replace"):
                pids.append(int(cmdline.parent.name))
        except OSError:
            pass
    return [pid for pid in pids if pid != os.getpid()]


def stop_kernels(runtime_dir: Path, timeout: float = 10) -> None:
    """Stop kernels left by a server whose runtime folder is ``runtime_dir`` (their connection
    files are there). Kernels run in sessions of their own, outside the server's group; the
    server shuts them down when it stops, and this is the safety net if it could not."""
    pids = _pids_mentioning(str(runtime_dir))
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + timeout
        while pids and time.monotonic() < deadline:
            pids = [pid for pid in pids if Path(f"/proc/{pid}").exists()]
            time.sleep(0.1)
        if not pids:
            return


@dataclass
class LabServer:
    url: str
    token: str
    root: Path
    log: Path

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?token={self.token}&reset"

    def api(self, path: str) -> Any:
        """GET a JSON document from the server's REST API (``path`` starts with /api/)."""
        with urllib.request.urlopen(f"{self.url}{path}?token={self.token}", timeout=10) as rsp:
            return json.load(rsp)


@contextlib.contextmanager
def running_lab(base: Path, notebooks: Path = ROOT / "notebooks",
                log_copy: Path | None = None) -> Iterator[LabServer]:
    """Run JupyterLab on a copy of ``notebooks`` under ``base``; stop it on exit, always.

    Loopback only, a free port, a random token, config/runtime/settings/workspace folders under
    ``base``; ``--allow-root`` because CI runs as root. Kernels get COURSE_FAST=1 and inline
    matplotlib, like nbval. The server log is copied to ``log_copy`` at the end.
    """
    root = base / "notebooks"
    shutil.copytree(notebooks, root,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    _write_settings(base / "settings")
    (base / "config").mkdir()
    # news_url None (only possible in a config file) also removes the news toast altogether
    (base / "config" / "jupyter_server_config.json").write_text(
        json.dumps({"LabApp": {"news_url": None}}), encoding="utf-8")
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    env.update({
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "COURSE_FAST": env.get("COURSE_FAST", "1"),
        "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    })
    log_path = base / "jupyterlab.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed in the finally below
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         f"--LabApp.user_settings_dir={base / 'settings'}",
         f"--LabApp.workspaces_dir={base / 'workspaces'}",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.expose_app_in_browser=True"],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=root,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n"
                                       + log_path.read_text()) from None
                time.sleep(0.3)
        yield LabServer(url=url, token=token, root=root, log=log_path)
    finally:
        stop_process_group(proc)
        stop_kernels(base / "runtime")
        log.close()
        if log_copy is not None:
            log_copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(log_path, log_copy)


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory: pytest.TempPathFactory,
               request: pytest.FixtureRequest) -> Iterator[LabServer]:
    """JupyterLab for one test module (see running_lab); its log lands in test-artifacts/."""
    require_browser()
    module = request.module.__name__.rsplit(".", 1)[-1]
    with running_lab(tmp_path_factory.mktemp("lab"),
                     log_copy=ARTIFACTS / f"jupyterlab-server-{module}.log") as server:
        yield server


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium through Playwright (never a downloaded browser)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                      timeout=DEFAULT_TIMEOUT_MS)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = launch_chromium(playwright)
        try:
            yield instance
        finally:
            instance.close()


def _loopback_only(blocked: list[str]) -> Any:
    def handle(route: Any) -> None:
        url = route.request.url
        if url.startswith(LOCAL_PREFIXES):
            route.continue_()
        else:
            blocked.append(url)
            route.abort("internetdisconnected")

    return handle


@contextlib.contextmanager
def loopback_page(browser: Any, artifact: str) -> Iterator[Any]:
    """A page in a fresh context that reaches loopback only (other requests are aborted and
    listed in ``page.blocked``); on exit a screenshot goes to test-artifacts/ARTIFACT.png."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    blocked: list[str] = []
    context.route("**/*", _loopback_only(blocked))
    pg = context.new_page()
    pg.set_default_timeout(DEFAULT_TIMEOUT_MS)
    pg.blocked = blocked
    try:
        yield pg
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        try:
            pg.screenshot(path=str(ARTIFACTS / f"{artifact}.png"), timeout=10_000)
        except Exception:  # noqa: BLE001 - a failed screenshot must not hide the test result
            pass
        context.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh loopback-only page for one test (see loopback_page)."""
    with loopback_page(browser, request.node.name) as pg:
        yield pg
