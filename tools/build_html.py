#!/usr/bin/env python3
"""Build the static, offline HTML edition of the course (``make html``).

Every notebook is executed (nbclient, inline matplotlib, widget state saved), then exported
twice with nbconvert: as a page (the ``lab`` template) and as reveal.js slides. The Keras labs
(notebooks whose metadata says ``"course": {"fast_mode": true}``) run in fast mode unless
``COURSE_FAST=0`` is set, and their pages then say so at the top; every other notebook takes
seconds and always runs in full (``COURSE_FAST=0``), so its races are animated. The pages
keep the widgets' saved state and the JavaScript animations (``to_jshtml``), and every script,
stylesheet and font they load comes from ``_static/`` next to them: require.js, jQuery, the
widgets' HTML manager, MathJax 2, reveal.js and Font Awesome, copied from the npm packages pinned in
``tools/package.json`` (installed with ``npm ci`` on first use), and the course's own front end
of anywidget (``tools/html_templates/anywidget_offline.js``), which draws the explorer's canvas
from its saved state, Play and scrubber included. No CDN is used: the edition opens without
network, from a web server on the machine (``python -m http.server -d site``) or straight from
disk.

Usage: ``python tools/build_html.py [--out site] [--jobs 2] [notebook.ipynb ...]``
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tools"
NODE_MODULES = TOOLS / "node_modules"
TEMPLATES = TOOLS / "html_templates"
NOTEBOOKS = ROOT / "notebooks"
STATIC = "_static"
CELL_TIMEOUT = 600  # seconds for one cell
#: reveal.js theme of the slides: "white" uses fonts shipped with reveal.js (nbconvert's default
#: "simple" imports its fonts from Google's servers)
REVEAL_THEME = "white"

#: The widget manager finds its icon fonts (Font Awesome 5) from the AMD module names it
#: defines, relative to the page: in @jupyter-widgets/ and @jupyter-widgets/html-manager/dist/.
#: So it is copied there, next to the pages, and not under _static.
WIDGETS = "@jupyter-widgets"
HTML_MANAGER = f"{WIDGETS}/html-manager/dist"
WIDGET_FONTS = ("*.woff2", "*.woff", "*.ttf", "*.eot", "*.svg")

#: (source under node_modules, destination under _static): the files the pages load
ASSETS: tuple[tuple[str, str], ...] = (
    ("requirejs/require.js", "require.js"),
    ("jquery/dist/jquery.min.js", "jquery.min.js"),
    ("mathjax/MathJax.js", "mathjax/MathJax.js"),
    ("mathjax/LICENSE", "mathjax/LICENSE"),
    ("mathjax/config/TeX-AMS_CHTML-full.js", "mathjax/config/TeX-AMS_CHTML-full.js"),
    ("mathjax/config/Safe.js", "mathjax/config/Safe.js"),
    ("mathjax/config/local", "mathjax/config/local"),
    ("mathjax/extensions", "mathjax/extensions"),
    ("mathjax/jax/element", "mathjax/jax/element"),
    ("mathjax/jax/input/TeX", "mathjax/jax/input/TeX"),
    ("mathjax/jax/output/CommonHTML", "mathjax/jax/output/CommonHTML"),
    ("mathjax/fonts/HTML-CSS/TeX/woff", "mathjax/fonts/HTML-CSS/TeX/woff"),
    ("reveal.js/dist", "reveal.js/dist"),
    ("reveal.js/plugin", "reveal.js/plugin"),
    ("reveal.js/LICENSE", "reveal.js/LICENSE"),
    ("font-awesome/css", "font-awesome/css"),
    ("font-awesome/fonts", "font-awesome/fonts"),
)
#: The course's own scripts, from tools/html_templates/ into _static/: the front end of anywidget
#: (the explorer's canvas), which the pages give require.js as the AMD module "anywidget"
#: (offline_widgets.html.j2): the widget manager would load it from a CDN otherwise.
OWN_SCRIPTS = ("anywidget_offline.js",)
ANYWIDGET_URL = f"{STATIC}/anywidget_offline"  # the AMD module's path, without ".js"
#: files of those folders that the pages never load
SKIP_ASSETS = shutil.ignore_patterns("*.map", "embed.js", "embed.js.LICENSE.txt", "*.esm.js",
                                     "*.less", "*.scss")

#: a stylesheet of Font Awesome 4 on a CDN (matplotlib's to_jshtml links one for its buttons)
FONT_AWESOME_CDN = re.compile(
    r"https?://[^\"'\s]*/font-awesome/4\.\d+\.\d+/css/font-awesome(\.min)?\.css")
#: a resource the browser would fetch from another host: src/href of a script, stylesheet,
#: image or frame, a CSS url() or @import, a JavaScript import
EXTERNAL_RESOURCE = re.compile(
    r"<(?:script|link|img|iframe|source|audio|video)\b[^>]*\b(?:src|href)\s*=\s*[\"']?"
    r"(?:https?:)?//"
    r"|url\(\s*[\"']?(?:https?:)?//|@import\s+[\"'](?:https?:)?//"
    r"|\bimport\s*\(?\s*[\"'](?:https?:)?//", re.IGNORECASE)


class BuildError(RuntimeError):
    """The edition cannot be built (a missing tool, a failing notebook, a CDN link left)."""


SLOW_CELL = 20.0  # seconds: cells slower than this are named in the summary


@dataclass(frozen=True)
class Page:
    notebook: str
    title: str
    html: str
    slides: str
    seconds: float
    slow_cells: tuple[tuple[int, float], ...] = ()


# --------------------------------------------------------------------------- assets
def ensure_node_modules(npm: str | None = None) -> Path:
    """Install the pinned npm packages with ``npm ci`` unless they are up to date."""
    lock = TOOLS / "package-lock.json"
    installed = NODE_MODULES / ".package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return NODE_MODULES
    npm = npm or shutil.which("npm")
    if npm is None:
        raise BuildError("npm is needed once to install the offline copies of reveal.js, "
                         "MathJax, require.js and the widget manager (apt-get install npm)")
    print(f"npm ci in {TOOLS.relative_to(ROOT)}/ (the pinned JavaScript of the edition)",
          flush=True)
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts",
                    "--loglevel=error"], cwd=TOOLS, check=True, timeout=600)
    installed.touch()
    return NODE_MODULES


def copy_assets(out: Path) -> None:
    """Copy the JavaScript, CSS and fonts the pages load into ``out/_static`` (and the widget
    manager into ``out/@jupyter-widgets``, see WIDGETS)."""
    static = out / STATIC
    manager = NODE_MODULES / HTML_MANAGER
    if not manager.exists():
        raise BuildError(f"{manager} is missing: run npm ci in {TOOLS}")
    shutil.copytree(manager, out / HTML_MANAGER, ignore=SKIP_ASSETS, dirs_exist_ok=True)
    for pattern in WIDGET_FONTS:
        for font in manager.glob(pattern):
            shutil.copy2(font, out / WIDGETS / font.name)
    for source, destination in ASSETS:
        src, dst = NODE_MODULES / source, static / destination
        if not src.exists():
            raise BuildError(f"{src} is missing: run npm ci in {TOOLS}")
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=SKIP_ASSETS, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)
    for name in OWN_SCRIPTS:
        shutil.copy2(TEMPLATES / name, static / name)
    theme = static / "reveal.js" / "dist" / "theme" / f"{REVEAL_THEME}.css"
    left = external_resources(theme.read_text(encoding="utf-8"))
    if left:
        raise BuildError(f"the reveal.js theme {theme.name} loads from the network: {left}")


def asset_urls(prefix: str = STATIC) -> dict[str, str]:
    """The nbconvert settings that point every script at the local copies."""
    return {
        "require_js_url": f"{prefix}/require.js",
        "jquery_url": f"{prefix}/jquery.min.js",
        "mathjax_url": f"{prefix}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
        "widget_renderer_url": f"{HTML_MANAGER}/embed-amd.js",
        "reveal_url_prefix": f"{prefix}/reveal.js",
    }


# --------------------------------------------------------------------------- notebooks
POLL_SLICE = 0.5  # seconds


def _poll_in_slices(channel: Any, slice_s: float = POLL_SLICE) -> None:
    """Make ``channel.get_msg(timeout)`` wait in short polls instead of one long one.

    With nbclient 0.11 / jupyter_client 8 a reply can sit in the socket unnoticed until the
    long poll times out (seen here on an ``interact`` cell: the kernel idle, the cell "running"
    for exactly the cell timeout, then done without error; cf. jupyter/nbclient#312). A fresh
    poll every half second sees it at once. The overall timeout is unchanged.
    """
    from queue import Empty

    original = channel.get_msg

    async def get_msg(timeout: float | None = None) -> Any:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            step = slice_s if deadline is None else max(0.0, min(slice_s,
                                                                 deadline - time.monotonic()))
            try:
                return await original(timeout=step)
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    channel.get_msg = get_msg


def drop_replaced_buffers(buffers: dict[str, dict[tuple[Any, ...], Any]],
                          msg: dict[str, Any]) -> None:
    """Forget the saved binary buffers of the traits that ``msg`` sets anew.

    nbclient keeps every buffer a widget ever sent, keyed by its path (``("paths", 2, "xy")``),
    and saves them all with the widget's last state: a list of dicts that shrank, or a dict
    whose bytes became ``None`` or went away, would get stale buffers back in the page (a path
    into a missing list item even stops the widget manager from rendering any widget). A
    message that sets a trait replaces all of it, buffers included.
    """
    content = msg.get("content", {})
    state = content.get("data", {}).get("state")
    known = buffers.get(content.get("comm_id", ""))
    if isinstance(state, dict) and known:
        for path in [p for p in known if p and p[0] in state]:
            del known[path]


def _client_class() -> type:
    from nbclient import NotebookClient

    class SlicedPollClient(NotebookClient):
        def handle_comm_msg(self, outs: list[Any], msg: dict[str, Any],
                            cell_index: int) -> None:
            drop_replaced_buffers(self.widget_buffers, msg)
            super().handle_comm_msg(outs, msg, cell_index)

        async def async_start_new_kernel_client(self) -> Any:
            kc = await super().async_start_new_kernel_client()
            _poll_in_slices(kc.shell_channel)
            _poll_in_slices(kc.iopub_channel)
            return kc

    return SlicedPollClient


#: Cells with one of these tags set up an online service (the Colab cell of tools/colab_cell.py)
#: and are left out of the offline edition.
ONLINE_ONLY_TAGS = frozenset({"colab-setup"})


#: A notebook whose metadata has ``course.fast_mode`` set to true shrinks its work in fast mode
#: (the Keras labs, which call ``lab.fast_mode()``); this is the key under ``metadata``.
FAST_MODE_KEY = ("course", "fast_mode")

FAST_MODE_BANNER = """\
> **Built in fast mode** (`COURSE_FAST=1`): this page trained on a few thousand images for a few
> epochs, so its numbers and curves are smaller and noisier than the full runs the text
> describes. `COURSE_FAST=0 make html` builds the full runs."""


def honours_fast_mode(nb: Any) -> bool:
    """True for a notebook that shrinks its work in fast mode: its metadata says so with
    ``"course": {"fast_mode": true}``."""
    section, key = FAST_MODE_KEY
    return nb.get("metadata", {}).get(section, {}).get(key) is True


def labs_fast_setting(requested: str | None) -> str:
    """The ``COURSE_FAST`` value of the Keras labs: ``requested``, by default ``"1"``."""
    return requested if requested not in (None, "") else "1"


def fast_setting(nb: Any, requested: str | None) -> str:
    """The ``COURSE_FAST`` value to execute ``nb`` with: the labs follow ``requested``
    (default ``"1"``), everything else runs in full (``"0"``)."""
    return labs_fast_setting(requested) if honours_fast_mode(nb) else "0"


def with_fast_mode_banner(nb: Any) -> Any:
    """``nb`` with the fast-mode note as a continuation of its first slide."""
    import nbformat

    banner = nbformat.v4.new_markdown_cell(FAST_MODE_BANNER)
    banner.metadata["tags"] = ["fast-mode-banner"]
    nb.cells.insert(1, banner)
    return nb


def offline_cells(cells: list[Any]) -> list[Any]:
    """``cells`` without the cells that only make sense online."""
    return [c for c in cells if not ONLINE_ONLY_TAGS & set(c.get("metadata", {}).get("tags", []))]


def execute(path: Path, timeout: int = CELL_TIMEOUT,
            durations: dict[int, float] | None = None) -> Any:
    """Run a notebook top to bottom in its folder and keep the widgets' state; the seconds
    each code cell took go into ``durations``."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.cells = offline_cells(nb.cells)
    # the kernel inherits the environment: fast mode for the labs only (see the module doc)
    os.environ["COURSE_FAST"] = fast_setting(nb, _REQUESTED_FAST)
    kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
    client = _client_class()(nb, timeout=timeout, kernel_name=kernel, store_widget_state=True,
                            resources={"metadata": {"path": str(path.parent)}})
    started: dict[int, float] = {}
    client.on_cell_execute = lambda cell, cell_index: started.__setitem__(
        cell_index, time.monotonic())
    if durations is not None:
        client.on_cell_executed = lambda cell, cell_index, execute_reply: durations.__setitem__(
            cell_index, time.monotonic() - started.get(cell_index, time.monotonic()))
    client.execute()
    return nb


def export(nb: Any, name: str, out: Path) -> tuple[str, str]:
    """Write NAME.html and NAME.slides.html into ``out``; return their file names."""
    from nbconvert import HTMLExporter, SlidesExporter

    urls = asset_urls()
    common = {"extra_template_basedirs": [str(TEMPLATES)],
              "extra_template_paths": [str(TEMPLATES)], "embed_images": True,
              **{k: v for k, v in urls.items() if k != "reveal_url_prefix"}}
    page = HTMLExporter(template_name="offline_lab", **common)
    # reveal_scroll: a slide taller than the screen (an explorer, a large figure) scrolls
    # instead of being cut off at the bottom
    slides = SlidesExporter(template_name="offline_reveal", reveal_theme=REVEAL_THEME,
                            reveal_scroll=True,
                            reveal_url_prefix=urls["reveal_url_prefix"], **common)
    written = []
    for exporter, suffix in ((page, ".html"), (slides, ".slides.html")):
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name},
                                                             "anywidget_url": ANYWIDGET_URL})
        body = FONT_AWESOME_CDN.sub(f"{STATIC}/font-awesome/css/font-awesome.min.css", body)
        left = external_resources(body)
        if left:
            raise BuildError(f"{name}{suffix} would load from the network: {left[:3]}")
        (out / f"{name}{suffix}").write_text(body, encoding="utf-8")
        written.append(f"{name}{suffix}")
    return written[0], written[1]


def external_resources(text: str) -> list[str]:
    """Snippets of ``text`` that make a browser fetch something from another host."""
    return [text[m.start():m.start() + 120] for m in EXTERNAL_RESOURCE.finditer(text)]


def title_of(nb: Any, fallback: str) -> str:
    """The first Markdown heading of the notebook, without the #'s."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def build_one(path: str, out: str, timeout: int = CELL_TIMEOUT) -> Page:
    """Execute and export one notebook (runs in a worker process)."""
    start = time.monotonic()
    notebook = Path(path)
    durations: dict[int, float] = {}
    nb = execute(notebook, timeout=timeout, durations=durations)
    if os.environ["COURSE_FAST"] != "0":
        nb = with_fast_mode_banner(nb)
    page, slides = export(nb, notebook.stem, Path(out))
    slow = tuple(sorted(((i, t) for i, t in durations.items() if t > SLOW_CELL),
                        key=lambda item: -item[1]))
    return Page(notebook.name, title_of(nb, notebook.stem), page, slides,
                time.monotonic() - start, slow)


def write_index(out: Path, pages: Sequence[Page], title: str) -> Path:
    rows = "\n".join(
        f"<tr><td>{html.escape(p.notebook)}</td><td>{html.escape(p.title)}</td>"
        f"<td><a href=\"{p.html}\">notebook</a></td>"
        f"<td><a href=\"{p.slides}\">slides</a></td></tr>" for p in pages)
    index = out / "index.html"
    index.write_text(f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.5; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .4rem .6rem; text-align: left; }}
</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<p>The offline edition: every notebook executed, with its widgets' saved state and its
animations. Sliders show the state they were saved in (there is no kernel here); the
animations and the explorers' Play and step scrubber play. Slides: arrow keys to move,
<kbd>s</kbd> for speaker notes.</p>
<table>
<thead><tr><th>file</th><th>title</th><th></th><th></th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</body>
</html>
""", encoding="utf-8")
    return index


#: COURSE_FAST as the user set it when the build started (it applies to the labs only).
_REQUESTED_FAST: str | None = os.environ.get("COURSE_FAST")


def _prepare_environment() -> None:
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)


def build(notebooks: Iterable[Path], out: Path, *, jobs: int = 2,
          title: str = "Optimization for Training Deep Models",
          timeout: int = CELL_TIMEOUT) -> list[Page]:
    """Build the edition of ``notebooks`` into ``out``; return the pages, in order."""
    notebooks = [Path(p).resolve() for p in notebooks]
    if not notebooks:
        raise BuildError("no notebooks to build")
    ensure_node_modules()
    _prepare_environment()
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out)
    jobs = max(1, min(jobs, len(notebooks)))
    if jobs == 1:
        pages = [build_one(str(p), str(out), timeout) for p in notebooks]
    else:
        with ProcessPoolExecutor(jobs) as pool:
            pages = list(pool.map(build_one, map(str, notebooks), [str(out)] * len(notebooks),
                                  [timeout] * len(notebooks)))
    write_index(out, pages, title)
    return pages


def course_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to build (default: notebooks/NN_*.ipynb)")
    parser.add_argument("--out", type=Path, default=ROOT / "site", help="output folder")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="notebooks executed at once")
    parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT,
                        help="seconds one cell may run")
    args = parser.parse_args(argv)
    start = time.monotonic()
    try:
        pages = build(args.notebooks or course_notebooks(), args.out, jobs=args.jobs,
                      timeout=args.timeout)
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for page in pages:
        slow = ", ".join(f"cell {i} {t:.0f} s" for i, t in page.slow_cells)
        print(f"  {page.notebook:45s} {page.seconds:6.1f} s  {page.html}, {page.slides}"
              + (f"  (slow: {slow})" if slow else ""))
    labs = labs_fast_setting(_REQUESTED_FAST)
    print(f"built {len(pages)} notebooks into {args.out} in {time.monotonic() - start:.0f} s "
          f"(the Keras labs with COURSE_FAST={labs}, the others in full); "
          f"open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
