"""Shared by the offline-edition tests: the builder (tools/build_html.py), building a small
edition, a loopback web server on it, and a page that records failed requests and errors."""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib.util
import os
import shutil
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from .conftest import ROOT, loopback_page, require_browser


def _load_builder() -> ModuleType:
    if "build_html" in sys.modules:
        return sys.modules["build_html"]
    spec = importlib.util.spec_from_file_location("build_html", ROOT / "tools" / "build_html.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


#: tools/build_html.py, the code path of ``make html``
builder = _load_builder()


def build_edition(notebooks: Sequence[Path], out: Path, timeout: int = 180) -> Path:
    """Build ``notebooks`` into ``out`` (skipped without a browser, or without npm when the
    offline JavaScript is not installed yet; a failure with ``REQUIRE_BROWSER=1``)."""
    require_browser()
    if not (builder.NODE_MODULES / ".package-lock.json").exists() and not shutil.which("npm"):
        reason = "npm is not installed, so the offline JavaScript cannot be installed"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(f"offline HTML test skipped: {reason} (apt-get install npm)")
    builder.build(list(notebooks), out, jobs=1, timeout=timeout)
    return out


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """A loopback web server on ``folder`` (like ``python -m http.server``); yields its URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@contextlib.contextmanager
def recording_page(browser: Any, name: str) -> Iterator[Any]:
    """A loopback-only page that also records failed requests (``page.failed``) and console
    errors and uncaught exceptions (``page.errors``)."""
    with loopback_page(browser, name) as page:
        failed: list[str] = []
        errors: list[str] = []
        page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url} ({r.status})"))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.failed, page.errors = failed, errors
        yield page
