"""The offline HTML edition (``make html``) opens and plays with the network blocked.

Two small notebooks are built with tools/build_html.py into a temporary folder, the same code
path as ``make html``: one with Markdown math and ipywidgets (a Play widget, whose icons come
from the widget manager's Font Awesome 5, and a slider), one with a matplotlib FuncAnimation
shown with ``to_jshtml`` (whose buttons use Font Awesome 4). Their pages and slides are opened
in Chromium from a loopback web server and from disk, with every other request aborted:
nothing may be blocked or fail, no font may fail to load, the animation must play, the
widgets must render from their saved state and MathJax must typeset.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from queue import Empty
from typing import Any

import pytest

from .offline_helpers import build_edition, builder, recording_page, serve

WIDGETS, ANIMATION = "offline_widgets", "offline_animation"
SLIDER_VALUE = 7
#: each notebook: cells as (kind, source); the first cell of each pair opens a slide
NOTEBOOKS = {
    WIDGETS: [
        ("markdown", "# Offline widgets\n\nInline math: $\\theta \\leftarrow \\theta - "
                     "\\epsilon g$."),
        ("code", "import ipywidgets as widgets\n\n"
                 "widgets.HBox([widgets.Play(max=10, description='play'),\n"
                 f"              widgets.IntSlider(value={SLIDER_VALUE}, min=0, max=10,\n"
                 "                                description='offline')])"),
        ("markdown", "## A tall slide"),
        ("code", "widgets.VBox([widgets.Checkbox(description=f'option {i}', indent=False)\n"
                 "              for i in range(40)])"),
    ],
    ANIMATION: [
        ("markdown", "# Offline animation"),
        ("markdown", "## An animation"),
        ("code", "import matplotlib.pyplot as plt\n"
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
    ],
}
#: true when every font the page has asked for is loaded, and at least one is
FONTS_LOADED_JS = """(family) => {
  const faces = [...document.fonts].filter((f) => f.family.replace(/["']/g, '') === family);
  return faces.some((f) => f.status === 'loaded');
}"""


def _write_notebooks(folder: Path) -> list[Path]:
    import nbformat

    v4 = nbformat.v4
    paths = []
    for name, cells in NOTEBOOKS.items():
        nb = v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                      "display_name": "Python 3"}})
        for kind, source in cells:
            if kind == "markdown":
                cell = v4.new_markdown_cell(source)
                cell.metadata["slideshow"] = {"slide_type": "slide"}
            else:
                cell = v4.new_code_cell(source)
            nb.cells.append(cell)
        paths.append(folder / f"{name}.ipynb")
        nbformat.write(nb, paths[-1])
    return paths


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The edition of the small notebook, built by tools/build_html.py."""
    source = tmp_path_factory.mktemp("source")
    return build_edition(_write_notebooks(source), tmp_path_factory.mktemp("site"), timeout=120)


@pytest.fixture(scope="module")
def server(edition: Path) -> Iterator[str]:
    """A loopback web server on the edition folder."""
    with serve(edition) as url:
        yield url


@pytest.fixture
def offline_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A loopback-only page that also records failed requests in ``page.failed``."""
    with recording_page(browser, request.node.name) as page:
        yield page


def _base(kind: str, server: str, edition: Path) -> str:
    return server if kind == "http" else edition.as_uri()


def test_build_writes_pages_with_no_network_reference(edition: Path) -> None:
    for name in NOTEBOOKS:
        for page in (edition / f"{name}.html", edition / f"{name}.slides.html"):
            assert builder.external_resources(page.read_text(encoding="utf-8")) == [], page
    text = (edition / f"{WIDGETS}.html").read_text(encoding="utf-8")
    assert "application/vnd.jupyter.widget-state+json" in text
    index = (edition / "index.html").read_text(encoding="utf-8")
    for name in NOTEBOOKS:
        assert f'href="{name}.html"' in index and f'href="{name}.slides.html"' in index
    for url in builder.asset_urls().values():
        assert (edition / url.split("?")[0]).exists(), url


def test_external_resource_check_finds_cdn_links() -> None:
    found = builder.external_resources(
        '<script src="https://cdn.example.org/x.js"></script><a href="https://ok.org">a</a>'
        '<style>@import url(https://fonts.example.org/css);</style>')
    assert len(found) == 2


def test_sliced_polling_finds_a_waiting_message_and_keeps_the_timeout() -> None:
    calls: list[float | None] = []

    class Late:  # a message that a poll finds only on the third try
        async def get_msg(self, timeout: float | None = None) -> dict:
            calls.append(timeout)
            if len(calls) < 3:
                raise Empty
            return {"msg": "reply"}

    class Never:
        async def get_msg(self, timeout: float | None = None) -> dict:
            await asyncio.sleep(timeout or 0)
            raise Empty

    late, never = Late(), Never()
    builder._poll_in_slices(late, slice_s=0.01)
    builder._poll_in_slices(never, slice_s=0.01)
    assert asyncio.run(late.get_msg(timeout=5)) == {"msg": "reply"}
    assert len(calls) == 3 and all(t is not None and t <= 0.01 for t in calls)
    start = time.monotonic()
    with pytest.raises(Empty):
        asyncio.run(never.get_msg(timeout=0.2))
    assert 0.19 <= time.monotonic() - start < 2


def _assert_offline(page: Any) -> None:
    # MathJax first tries fonts installed on the machine (local(): families MJXc-TeX-*-R,
    # -I, -B, -x), which fail where they are not installed, then its web fonts (-w suffix)
    errors = page.evaluate("""() => [...document.fonts].filter((f) => f.status === 'error')
        .map((f) => f.family.replace(/["']/g, ''))
        .filter((family) => !/^MJXc-.*[^w]$/.test(family))""")
    assert errors == [], f"fonts that did not load: {errors}"
    assert page.blocked == [], f"requests to the network: {page.blocked}"
    assert page.failed == [], f"failed requests: {page.failed}"


@pytest.mark.parametrize("kind", ["http", "file"])
def test_widgets_render_offline(kind: str, offline_page: Any, server: str,
                                edition: Path) -> None:
    page = offline_page
    page.goto(f"{_base(kind, server, edition)}/{WIDGETS}.html", wait_until="load",
              timeout=30_000)
    # the widgets, rendered by the local widget manager from the saved state
    slider = page.locator(".widget-slider").first
    slider.wait_for(state="visible", timeout=30_000)
    assert slider.locator(".widget-readout").inner_text().strip() == str(SLIDER_VALUE)
    page.locator(".widget-play").first.wait_for(state="visible", timeout=10_000)
    # the Play widget's icons: the widget manager's Font Awesome 5, found next to the page
    page.wait_for_function(FONTS_LOADED_JS, arg="Font Awesome 5 Free", timeout=10_000)
    # MathJax, local, typesets the inline formula with its web fonts from _static
    page.wait_for_selector(".MathJax_CHTML", timeout=30_000)
    page.wait_for_function(FONTS_LOADED_JS, arg="MJXc-TeX-math-Iw", timeout=10_000)
    _assert_offline(page)


@pytest.mark.parametrize("kind", ["http", "file"])
def test_animation_plays_offline(kind: str, offline_page: Any, server: str,
                                 edition: Path) -> None:
    page = offline_page
    page.goto(f"{_base(kind, server, edition)}/{ANIMATION}.html", wait_until="load",
              timeout=30_000)
    frame = page.locator("input.anim-slider").first
    picture = page.locator("img[id^='_anim_img']").first
    frame.wait_for(state="visible", timeout=10_000)
    page.locator("button[title='Pause']").first.click(timeout=10_000)
    page.locator("button[title='First frame']").first.click(timeout=10_000)
    first_src = picture.get_attribute("src")
    assert frame.input_value() == "0"
    page.locator("button[title='Play']").first.click(timeout=10_000)
    page.wait_for_function(
        "() => Number(document.querySelector('input.anim-slider').value) >= 3", timeout=10_000)
    assert picture.get_attribute("src") != first_src
    # the buttons' icons: Font Awesome 4 from _static (matplotlib links it from a CDN)
    page.wait_for_function(FONTS_LOADED_JS, arg="FontAwesome", timeout=10_000)
    _assert_offline(page)


def test_slides_open_offline(offline_page: Any, server: str) -> None:
    page = offline_page
    page.goto(f"{server}/{ANIMATION}.slides.html", wait_until="load", timeout=30_000)
    page.wait_for_selector(".reveal.ready", timeout=30_000)
    assert page.locator(".reveal .slides > section").count() == 2
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("section.present .anim-slider", state="visible", timeout=10_000)
    page.locator("section.present button[title='Play']").first.click(timeout=10_000)
    page.wait_for_function(
        "() => Number(document.querySelector('section.present input.anim-slider').value) > 0",
        timeout=10_000)
    _assert_offline(page)
    page.goto(f"{server}/{WIDGETS}.slides.html", wait_until="load", timeout=30_000)
    page.wait_for_selector(".reveal.ready", timeout=30_000)
    page.wait_for_selector("section.present .widget-slider", state="visible", timeout=30_000)
    _assert_offline(page)


def test_a_tall_slide_opened_directly_scrolls_and_keeps_widget_text_small(
        offline_page: Any, server: str) -> None:
    """A link to a slide (or a reload) shows it without the arrow keys; a slide taller than
    the screen must still scroll, and widgets keep the notebook's font size, not reveal's."""
    page = offline_page
    page.goto(f"{server}/{WIDGETS}.slides.html#/1", wait_until="load", timeout=30_000)
    page.wait_for_selector(".reveal.ready", timeout=30_000)
    page.wait_for_selector("section.present .widget-checkbox", state="visible", timeout=30_000)
    page.wait_for_function(
        """() => { const s = document.querySelector('section.present section.present')
                            || document.querySelector('section.present');
                   return getComputedStyle(s).overflowY === 'scroll'
                          && s.scrollHeight > s.clientHeight; }""", timeout=15_000)
    size = page.evaluate("""() => getComputedStyle(document.querySelector(
        'section.present .widget-checkbox label > span')).fontSize""")
    assert size == "13px"
    _assert_offline(page)


def test_index_links_open(offline_page: Any, server: str) -> None:
    page = offline_page
    page.goto(f"{server}/index.html", timeout=30_000)
    page.locator(f"a[href='{WIDGETS}.html']").click(timeout=10_000)
    page.wait_for_selector(".widget-slider", timeout=30_000)
    assert page.url.endswith(f"/{WIDGETS}.html")
    _assert_offline(page)
