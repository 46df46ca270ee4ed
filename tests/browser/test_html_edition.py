"""The offline HTML edition (``make html``) opens and plays with the network blocked.

A small notebook (Markdown with math, an ipywidgets slider, a matplotlib FuncAnimation shown
with ``to_jshtml``) is built with tools/build_html.py into a temporary folder, the same code
path as ``make html``. Its page and its slides are opened in Chromium from a loopback web
server and from disk, with every other request aborted: nothing may be blocked or fail, the
animation must play, the widget must render from its saved state and MathJax must typeset.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from .conftest import ROOT, loopback_page, require_browser

NAME = "offline_check"
SLIDER_VALUE = 7

CELLS = [
    ("markdown", "# Offline check\n\nInline math: $\\theta \\leftarrow \\theta - \\epsilon g$."),
    ("code", "import ipywidgets as widgets\n\n"
             f"widgets.IntSlider(value={SLIDER_VALUE}, min=0, max=10, description='offline')"),
    ("markdown", "## An animation"),
    ("code", "import matplotlib\nimport matplotlib.pyplot as plt\n"
             "from IPython.display import HTML\n"
             "from matplotlib.animation import FuncAnimation\n\n"
             "fig, ax = plt.subplots(figsize=(2.5, 2.5), dpi=60)\n"
             "ax.set(xlim=(0, 9), ylim=(0, 9))\n"
             "(dot,) = ax.plot([0], [0], 'o', ms=12)\n\n\n"
             "def frame(k):\n"
             "    dot.set_data([k], [k])\n"
             "    return (dot,)\n\n\n"
             "animation = FuncAnimation(fig, frame, frames=10, interval=150)\n"
             "plt.close(fig)\n"
             "HTML(animation.to_jshtml(default_mode='loop'))"),
]


def _load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_html", ROOT / "tools" / "build_html.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


builder = _load_builder()


def _write_notebook(folder: Path) -> Path:
    import nbformat

    v4 = nbformat.v4
    nb = v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                  "display_name": "Python 3"}})
    for index, (kind, source) in enumerate(CELLS):
        cell = v4.new_markdown_cell(source) if kind == "markdown" else v4.new_code_cell(source)
        if index in (0, 2):
            cell.metadata["slideshow"] = {"slide_type": "slide"}
        nb.cells.append(cell)
    path = folder / f"{NAME}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The edition of the small notebook, built by tools/build_html.py."""
    require_browser()
    if not (builder.NODE_MODULES / ".package-lock.json").exists() and not shutil.which("npm"):
        reason = "npm is not installed, so the offline JavaScript cannot be installed"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(f"offline HTML test skipped: {reason} (apt-get install npm)")
    source = tmp_path_factory.mktemp("source")
    out = tmp_path_factory.mktemp("site")
    builder.build([_write_notebook(source)], out, jobs=1, timeout=120)
    return out


@pytest.fixture(scope="module")
def server(edition: Path) -> Iterator[str]:
    """A loopback web server on the edition folder (like ``python -m http.server``)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(edition)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture
def offline_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A loopback-only page that also records failed requests in ``page.failed``."""
    with loopback_page(browser, request.node.name) as page:
        failed: list[str] = []
        page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url} ({r.status})"))
        page.failed = failed
        yield page


def _base(kind: str, server: str, edition: Path) -> str:
    return server if kind == "http" else edition.as_uri()


def test_build_writes_pages_with_no_network_reference(edition: Path) -> None:
    pages = [edition / f"{NAME}.html", edition / f"{NAME}.slides.html"]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert builder.external_resources(text) == []
        assert "application/vnd.jupyter.widget-state+json" in text
    index = (edition / "index.html").read_text(encoding="utf-8")
    assert f'href="{NAME}.html"' in index and f'href="{NAME}.slides.html"' in index
    for url in builder.asset_urls().values():
        assert (edition / url.split("?")[0]).exists() or (edition / url).is_dir(), url


def test_external_resource_check_finds_cdn_links() -> None:
    found = builder.external_resources(
        '<script src="https://cdn.example.org/x.js"></script><a href="https://ok.org">a</a>'
        '<style>@import url(https://fonts.example.org/css);</style>')
    assert len(found) == 2


@pytest.mark.parametrize("kind", ["http", "file"])
def test_page_plays_offline(kind: str, offline_page: Any, server: str, edition: Path) -> None:
    page = offline_page
    page.goto(f"{_base(kind, server, edition)}/{NAME}.html", wait_until="load", timeout=30_000)
    # the widget, rendered by the local html-manager from the saved state
    slider = page.locator(".widget-slider").first
    slider.wait_for(state="visible", timeout=30_000)
    assert page.locator(".widget-slider .widget-readout").first.inner_text().strip() == str(
        SLIDER_VALUE)
    # MathJax, local, typesets the inline formula
    page.wait_for_selector(".MathJax_CHTML", timeout=30_000)
    # the jshtml animation plays: the frame counter and the picture change
    frame = page.locator("input.anim-slider").first
    picture = page.locator("img[id^='_anim_img']").first
    page.locator("button[title='Pause']").first.click(timeout=10_000)
    page.locator("button[title='First frame']").first.click(timeout=10_000)
    first_src = picture.get_attribute("src")
    assert frame.input_value() == "0"
    page.locator("button[title='Play']").first.click(timeout=10_000)
    page.wait_for_function(
        "() => Number(document.querySelector('input.anim-slider').value) >= 3", timeout=10_000)
    assert picture.get_attribute("src") != first_src
    # the animation's buttons use Font Awesome from _static, not from a CDN
    page.wait_for_function("""() => [...document.fonts].some(
        (f) => f.family.replace(/["']/g, '') === 'FontAwesome' && f.status === 'loaded')""",
                           timeout=10_000)
    assert page.blocked == [], f"requests to the network: {page.blocked}"
    assert page.failed == [], f"failed requests: {page.failed}"


def test_slides_open_offline(offline_page: Any, server: str) -> None:
    page = offline_page
    page.goto(f"{server}/{NAME}.slides.html", wait_until="load", timeout=30_000)
    page.wait_for_selector(".reveal.ready", timeout=30_000)
    assert page.locator(".reveal .slides > section").count() >= 2
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("section.present .anim-slider", state="visible", timeout=10_000)
    page.locator("section.present button[title='Play']").first.click(timeout=10_000)
    page.wait_for_function(
        "() => Number(document.querySelector('section.present input.anim-slider').value) > 0",
        timeout=10_000)
    assert page.locator(".widget-slider").count() == 1
    assert page.blocked == [], f"requests to the network: {page.blocked}"
    assert page.failed == [], f"failed requests: {page.failed}"


def test_index_links_open(offline_page: Any, server: str) -> None:
    page = offline_page
    page.goto(f"{server}/index.html", timeout=30_000)
    page.get_by_role("link", name="notebook").first.click(timeout=10_000)
    page.wait_for_selector(".widget-slider", timeout=30_000)
    assert page.title() == "Offline check" or NAME in page.url
    assert page.blocked == [] and page.failed == []
