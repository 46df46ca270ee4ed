#!/usr/bin/env python3
"""Make the README's pictures of the explorer from the real app in JupyterLab.

Starts JupyterLab on loopback (the same code as the browser tests), opens
notebooks/00_explorer.ipynb in Debian's Chromium, runs all cells, then writes

* docs/explorer.png: a screenshot of the first explorer;
* docs/explorer.gif: the explorer's figure, drawn by the browser, while its Play runs.

Usage: ``python tools/docs_media.py [--out docs]`` (needs chromium, like the browser tests).
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import launch_chromium, running_lab  # noqa: E402
from tests.browser.lab_helpers import (  # noqa: E402
    cell_index_of,
    open_notebook,
    run_all,
    run_command,
)

GIF_WIDTH = 760
MAX_BYTES = 1_500_000


def _gif(frames: list[bytes], path: Path, width: int, ms: int) -> int:
    from PIL import Image

    scaled = []
    for png in frames:
        with Image.open(io.BytesIO(png)) as image:
            rgb = image.convert("RGB")
            height = round(rgb.height * width / rgb.width)
            scaled.append(rgb.resize((width, height), Image.LANCZOS))
    # one palette for all frames, from the first and the last (the paths' colours are there)
    sheet = Image.new("RGB", (width, 2 * scaled[0].height))
    sheet.paste(scaled[0], (0, 0))
    sheet.paste(scaled[-1], (0, scaled[0].height))
    palette = sheet.quantize(colors=128, method=Image.Quantize.FASTOCTREE)
    images = [frame.quantize(palette=palette, dither=Image.Dither.NONE) for frame in scaled]
    images[0].save(path, save_all=True, append_images=images[1:], duration=ms, loop=0,
                   optimize=True, disposal=1)
    return path.stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--frames", type=int, default=48)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, running_lab(Path(tmp)) as server, \
            sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1700, "height": 1500},
                                    device_scale_factor=1)
            page.route("**/*", lambda r: r.continue_()
                       if r.request.url.startswith(("http://127.0.0.1", "data:", "blob:"))
                       else r.abort())
            open_notebook(page, server, "00_explorer.ipynb")
            state = run_all(page, timeout_s=300)
            if state["errors"]:
                raise SystemExit(f"00_explorer has errors: {state['errors']}")
            run_command(page, "application:toggle-left-area")  # the file browser: more room
            page.wait_for_timeout(500)
            index = cell_index_of(page, ".cu-canvas-explorer")
            cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
            app = cell.locator(".jp-OutputArea-output:has(.cu-canvas-explorer)").first
            app.scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            png = args.out / "explorer.png"
            app.screenshot(path=str(png))
            print(f"wrote {png} ({png.stat().st_size / 1e3:.0f} kB)")

            # the GIF: the figure drawn by the browser while its Play runs from step 0
            canvas = app.locator(".cu-canvas-explorer").first
            canvas.locator(".cu-canvas-map").focus()  # (a click would move the start point)
            page.keyboard.press("Home")
            page.wait_for_function("(el) => el.dataset.step === '0'",
                                   arg=canvas.element_handle(), timeout=10_000)
            canvas.scroll_into_view_if_needed()
            clip = canvas.bounding_box()
            frames = [page.screenshot(clip=clip)]
            canvas.locator(".cu-canvas-play").click()
            last = "0"
            deadline = time.monotonic() + 60
            while len(frames) < args.frames and time.monotonic() < deadline:
                now = canvas.get_attribute("data-step")
                if now != last:
                    frames.append(page.screenshot(clip=clip))
                    last = now
                page.wait_for_timeout(120)
            if canvas.get_attribute("data-playing") == "true":
                canvas.locator(".cu-canvas-play").click()
            gif = args.out / "explorer.gif"
            width = GIF_WIDTH
            while _gif(frames, gif, width, ms=110) > MAX_BYTES and width > 400:
                width -= 80
            print(f"wrote {gif} ({len(frames)} frames, {width} px, "
                  f"{gif.stat().st_size / 1e3:.0f} kB)")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
