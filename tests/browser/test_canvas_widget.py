"""The explorer's canvas widget (``course_utils/explorer/canvas/``) in Chromium, without Jupyter.

The widget's state comes from a real explorer (``explore(...).view.widget``) exactly as it
travels to the browser (binary traits as DataViews); a minimal anywidget model in the page
(tests/browser/canvas_harness.py) counts ``save_changes`` calls and plays the kernel's part.
Checked: the map's pixels follow the step, the data and Play; Play draws at least 30 frames a
second and sends two messages (start, stop), none per frame; the keyboard moves the step; the
hover read-out and the "inside" table show Python's numbers; the offline note; resizing and
presenter mode; no console error and no request off the machine.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from .canvas_harness import harness_html, trait_update, widget_state
from .conftest import loopback_page

HOST = "#host"


def _f32(v: float) -> float:
    return float(np.float32(v))


def _g4(v: float) -> str:
    """What the widget prints for a float32 value (4 significant digits, '—' if not finite)."""
    v = _f32(v)
    return f"{v:.4g}" if np.isfinite(v) else "\u2014"


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def beale() -> Any:
    from course_utils.explorer import explore

    return explore("beale", ("rmsprop", "adam"), inspect="adam", step=25, speed="very fast")


@pytest.fixture(scope="module")
def diverging() -> Any:
    from course_utils.explorer import explore

    return explore("ravine", ("sgd", "momentum"), sgd={"learning_rate": 2.3}, inspect="sgd",
                   step=5, steps=80)


@contextlib.contextmanager
def canvas_page(browser: Any, tmp_path: Path, widget: Any, name: str, *,
                offline: bool = False, width: int = 1100) -> Iterator[Any]:
    """The harness page for ``widget``'s state, rendered; on exit: no error, no request out."""
    state, paths, buffers = widget_state(widget)
    html = tmp_path / f"{name}.html"
    html.write_text(harness_html(state, paths, buffers, offline=offline, width=width),
                    encoding="utf-8")
    with loopback_page(browser, f"canvas-{name}") as page:
        errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(html.as_uri())
        page.wait_for_function("window.harness && window.harness.ready", timeout=15_000)
        page.wait_for_function(f"+document.querySelector('{HOST}').dataset.frames > 0",
                               timeout=15_000)
        yield page
        errors += page.evaluate("harness.errors")
        assert errors == [], errors
        assert page.blocked == []


def frames(page: Any) -> int:
    return int(page.eval_on_selector(HOST, "e => e.dataset.frames"))


def step(page: Any) -> int:
    return int(page.eval_on_selector(HOST, "e => e.dataset.step"))


def saves(page: Any) -> int:
    return page.evaluate("harness.saves")


def py_set(page: Any, update: tuple[dict, list, list[str]]) -> None:
    """Set traits as the kernel does, and wait until the widget has drawn them."""
    before = frames(page)
    page.evaluate("([s, p, b]) => harness.py_set(s, p, b)", list(update))
    page.wait_for_function(f"+document.querySelector('{HOST}').dataset.frames > {before}")


def py_set_values(page: Any, **values: Any) -> None:
    py_set(page, (values, [], []))


def py_stop(page: Any) -> None:
    """The kernel sets ``playing = False`` (nothing new to draw: no frame to wait for)."""
    page.evaluate("harness.py_set({playing: false}, [], [])")


def map_point(page: Any, surface: dict, x: float, y: float) -> tuple[float, float]:
    """Page coordinates of the data point (x, y) on the map (integers: whole CSS pixels)."""
    box = json.loads(page.eval_on_selector(".cu-canvas-map", "c => c.dataset.box"))
    rect = page.eval_on_selector(".cu-canvas-map", "c => c.getBoundingClientRect().toJSON()")
    (x0, x1), (y0, y1) = surface["xlim"], surface["ylim"]
    px = rect["x"] + box[0] + (x - x0) / (x1 - x0) * box[2]
    py = rect["y"] + box[1] + (y1 - y) / (y1 - y0) * box[3]
    return round(px), round(py)


def map_data(page: Any, surface: dict, px: float, py: float) -> tuple[float, float]:
    """The data point under page coordinates (px, py) on the map."""
    box = json.loads(page.eval_on_selector(".cu-canvas-map", "c => c.dataset.box"))
    rect = page.eval_on_selector(".cu-canvas-map", "c => c.getBoundingClientRect().toJSON()")
    (x0, x1), (y0, y1) = surface["xlim"], surface["ylim"]
    x = x0 + (px - rect["x"] - box[0]) / box[2] * (x1 - x0)
    y = y1 - (py - rect["y"] - box[1]) / box[3] * (y1 - y0)
    return x, y


def map_pixels(page: Any, x: float, y: float, r: int) -> np.ndarray:
    """The map canvas's RGB pixels in a (2r+1)^2 square around page point (x, y)."""
    data = page.evaluate(
        """([x, y, r]) => {
          const c = document.querySelector('.cu-canvas-map');
          const rect = c.getBoundingClientRect();
          const s = c.width / rect.width;
          const cx = Math.round((x - rect.left) * s), cy = Math.round((y - rect.top) * s);
          const R = Math.round(r * s);
          const n = 2 * R + 1;
          return Array.from(c.getContext('2d').getImageData(cx - R, cy - R, n, n).data);
        }""", [x, y, r])
    return np.array(data, dtype=float).reshape(-1, 4)[:, :3]


def inside_rows(page: Any) -> dict[str, list[str]]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
        '.cu-canvas-inside tr[data-row]')].map(tr => [tr.dataset.row,
        [...tr.querySelectorAll('td')].slice(1).map(td => td.textContent)]))""")


# ----------------------------------------------------------------------------- tests
def test_draws_the_explorer(browser: Any, tmp_path: Path, beale: Any) -> None:
    w = beale.view.widget
    with canvas_page(browser, tmp_path, w, "draws") as page:
        assert step(page) == 25
        assert page.inner_text(".cu-canvas-steplabel") == "step 25 / 200"
        legend = page.inner_text(".cu-canvas-legend")
        assert "Adam" in legend and "RMSProp" in legend
        assert page.get_attribute(".cu-canvas-step", "max") == "200"
        assert page.eval_on_selector(".cu-canvas-map", "c => c.tabIndex") == 0
        for cls in ("play", "first", "back", "forward"):
            assert page.get_attribute(f"button.cu-canvas-{cls}", "aria-label")
        # Adam's current point is drawn in Adam's colour (most of its marker; the black arrow
        # of the next step starts there)
        adam = next(p for p in w.paths if p["name"] == "adam")
        xy = np.frombuffer(adam["xy"], dtype="<f4").reshape(-1, 2)
        marker = map_pixels(page, *map_point(page, w.surface, *xy[25]), 3)
        colour = np.array([int(adam["color"][i:i + 2], 16) for i in (1, 3, 5)])
        assert (np.abs(marker - colour).max(axis=1) < 30).mean() > 0.4
        # the contour background: several greys, darker far from the minimum
        corner = map_pixels(page, *map_point(page, w.surface, -4.3, -4.3), 2).mean()
        middle = map_pixels(page, *map_point(page, w.surface, 2.5, 0.2), 2).mean()
        assert corner < middle - 20
        assert page.is_hidden(".cu-canvas-offline")


def test_step_and_data_change_the_pixels(browser: Any, tmp_path: Path, beale: Any) -> None:
    w = beale.view.widget
    with canvas_page(browser, tmp_path, w, "pixels") as page:
        map0, panels0 = page.evaluate("[harness.map_hash(), harness.panel_hash()]")
        adam = next(p for p in w.paths if p["name"] == "adam")
        xy = np.frombuffer(adam["xy"], dtype="<f4").reshape(-1, 2)
        colour = np.array([int(adam["color"][i:i + 2], 16) for i in (1, 3, 5)])

        def adam_pixels(pixels: np.ndarray) -> int:
            return int((np.abs(pixels - colour).max(axis=1) < 30).sum())

        at60 = map_point(page, w.surface, *xy[60])
        drawn = [map_point(page, w.surface, *p) for p in xy[:26]]
        assert min(np.hypot(*np.subtract(at60, p)) for p in drawn) > 14
        around60 = map_pixels(page, *at60, 4)  # where Adam will be: not drawn yet
        assert adam_pixels(around60) == 0
        py_set_values(page, step=60)
        assert step(page) == 60
        assert page.inner_text(".cu-canvas-steplabel") == "step 60 / 200"
        map1, panels1 = page.evaluate("[harness.map_hash(), harness.panel_hash()]")
        assert map1 != map0 and panels1 != panels0
        assert adam_pixels(map_pixels(page, *at60, 4)) > 10  # Adam's path and marker
        # new data for one path (the kernel reran it): the map changes
        state, paths, buffers = trait_update(w, "paths")
        moved = copy.deepcopy(state)
        first = moved["paths"][0]
        for i, path in enumerate(paths):
            if path[:2] == ["paths", 0] and path[2] == "xy":
                xy = np.frombuffer(base64.b64decode(buffers[i]), dtype="<f4")
                buffers = list(buffers)
                buffers[i] = base64.b64encode((xy + np.float32(0.4)).astype("<f4")
                                              .tobytes()).decode()
        assert first["name"]
        py_set(page, (moved, paths, buffers))
        assert page.evaluate("harness.map_hash()") != map1
        assert saves(page) == 0  # what the kernel sets is never echoed back


def test_play_draws_30_frames_a_second_and_sends_two_messages(
        browser: Any, tmp_path: Path, beale: Any) -> None:
    w = beale.view.widget
    assert (w.interval, w.stride) == (40, 5)  # "very fast", the fastest speed
    with canvas_page(browser, tmp_path, w, "play") as page:
        page.check(".cu-canvas-loop input")
        hash0 = page.evaluate("harness.map_hash()")
        page.click(".cu-canvas-play")
        assert page.get_attribute(".cu-canvas-play", "aria-label") == "Pause"
        measured = page.evaluate("""async () => {
            const el = document.querySelector('#host');
            const seen = new Set();
            const f0 = +el.dataset.frames, t0 = performance.now();
            while (performance.now() - t0 < 1500) {
              await new Promise(requestAnimationFrame);
              seen.add(el.dataset.step);
            }
            const f1 = +el.dataset.frames, t1 = performance.now();
            return {fps: (f1 - f0) / ((t1 - t0) / 1000), ms: +el.dataset.drawMs,
                    steps: seen.size, saves: harness.saves, hash: harness.map_hash()};
        }""")
        print(f"\ncanvas explorer, Play at the fastest speed: {measured['fps']:.1f} frames/s, "
              f"{measured['ms']:.2f} ms per frame drawn")
        assert measured["fps"] >= 30, measured
        assert measured["steps"] >= 30, measured  # the step moved on every frame or so
        assert measured["saves"] == 1  # playing = true, and nothing per frame
        assert measured["hash"] != hash0
        page.click(".cu-canvas-play")
        assert saves(page) == 2
        sent = page.evaluate("harness.sent")
        assert sent[0] == {"playing": True}
        assert sent[1] == {"step": step(page), "playing": False}
        # without loop, Play stops by itself at the last step: again two messages
        page.uncheck(".cu-canvas-loop input")
        py_set_values(page, step=180)
        page.click(".cu-canvas-play")
        page.wait_for_function("!harness.model.get('playing')", timeout=5000)
        assert step(page) == 200
        assert saves(page) == 4
        assert page.evaluate("harness.sent[3]") == {"step": 200, "playing": False}
        # Python may start Play too (no echo of `playing`; the stop sends the step)
        py_set_values(page, step=0, playing=True)
        page.wait_for_function(f"+document.querySelector('{HOST}').dataset.step > 10")
        py_stop(page)
        assert saves(page) == 5
        assert page.evaluate("harness.sent[4]") == {"step": step(page)}


def test_keyboard_and_buttons_move_the_step(browser: Any, tmp_path: Path, beale: Any) -> None:
    w = beale.view.widget
    with canvas_page(browser, tmp_path, w, "keyboard") as page:
        page.focus(".cu-canvas-map")
        page.keyboard.press("ArrowRight")
        assert step(page) == 26
        assert page.evaluate("harness.sent") == [{"step": 26}]
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowLeft")
        assert step(page) == 24
        page.keyboard.press("End")
        assert step(page) == 200
        page.keyboard.press("Home")
        assert step(page) == 0
        assert saves(page) == 5  # one per key press, sent when the key is released
        page.keyboard.press(" ")
        page.wait_for_function(f"+document.querySelector('{HOST}').dataset.step > 3")
        page.keyboard.press(" ")
        assert page.evaluate("harness.model.get('playing')") is False
        assert saves(page) == 7
        assert page.evaluate("harness.sent.at(-1)") == {"step": step(page), "playing": False}
        # buttons and the range input
        page.click("button.cu-canvas-first")
        assert step(page) == 0
        page.click("button.cu-canvas-forward")
        page.click("button.cu-canvas-forward")
        page.click("button.cu-canvas-back")
        assert step(page) == 1
        page.focus(".cu-canvas-step")
        page.keyboard.press("ArrowRight")
        assert step(page) == 2
        assert page.evaluate("harness.model.get('step')") == 2
        page.eval_on_selector(".cu-canvas-step", """r => { r.value = '150';
            r.dispatchEvent(new Event('input')); }""")  # dragging the scrubber: local only
        assert step(page) == 150
        assert page.evaluate("harness.model.get('step')") == 2
        page.eval_on_selector(".cu-canvas-step", "r => r.dispatchEvent(new Event('change'))")
        assert step(page) == 150
        assert page.evaluate("harness.model.get('step')") == 150


def test_hover_reads_f_and_the_paths(browser: Any, tmp_path: Path, beale: Any) -> None:
    w = beale.view.widget
    surface = beale.model.surface
    with canvas_page(browser, tmp_path, w, "hover") as page:
        for x, y in ((-3.0, 2.0), (2.2, -1.3), (0.5, 3.7)):
            px, py = map_point(page, w.surface, x, y)
            page.mouse.move(px, py)
            text = page.inner_text(".cu-canvas-readout")
            got = re.search(r"x = (\S+), y = (\S+), f \u2248 (\S+)", text)
            assert got, text
            xd, yd = map_data(page, w.surface, px, py)
            f = float(surface.f(np.array([xd, yd])))
            assert float(got[1]) == pytest.approx(xd, rel=1e-3, abs=1e-3)
            assert float(got[2]) == pytest.approx(yd, rel=1e-3, abs=1e-3)
            assert float(got[3]) == pytest.approx(f, rel=1e-3)  # 3 significant digits
        # on Adam's current point: its step and f there
        adam = next(p for p in w.paths if p["name"] == "adam")
        xy = np.frombuffer(adam["xy"], dtype="<f4").reshape(-1, 2)
        page.mouse.move(*map_point(page, w.surface, *xy[25]))
        loss = beale.model.path("adam").trajectory.losses[25]
        assert f"Adam \u00b7 step 25 \u00b7 f = {_g4(loss)}" in page.inner_text(
            ".cu-canvas-readout")
        # a panel: the step under the pointer and each path's value
        rect = page.eval_on_selector(".cu-canvas-panels", "c => c.getBoundingClientRect().toJSON()")
        boxes = json.loads(page.eval_on_selector(".cu-canvas-panels", "c => c.dataset.boxes"))
        x, y, width, height = boxes[1]  # the gradient norm at step 10
        page.mouse.move(rect["x"] + x + width * 10 / 200, rect["y"] + y + height / 2)
        text = page.inner_text(".cu-canvas-readout")
        assert text.startswith("step 10\n"), text
        for name in ("adam", "rmsprop"):
            grad = beale.model.path(name).grad_norm[10]
            label = "Adam" if name == "adam" else "RMSProp"
            assert f"{label}: \u2016\u2207f\u2016 = {_g4(grad)}" in text
        x, y, width, height = boxes[0]  # beyond the step shown: the value at step 25
        page.mouse.move(rect["x"] + x + width * 0.8, rect["y"] + y + height / 2)
        text = page.inner_text(".cu-canvas-readout")
        assert text.startswith("step 25\n"), text
        assert f"Adam: f \u2212 f* = {_g4(beale.model.path('adam').gap[25])}" in text
        page.mouse.move(rect["x"] + 2, rect["y"] + rect["height"] - 2)
        assert page.is_hidden(".cu-canvas-readout")


def test_inside_table_shows_pythons_numbers(browser: Any, tmp_path: Path, beale: Any,
                                            diverging: Any) -> None:
    def expected(app: Any, name: str, k: int) -> dict[str, list[str]]:
        series, path = app.model.inside(name), app.model.path(name)
        rows = {label: [_g4(values[k][0]), _g4(values[k][1])] for label, values in series.rows}
        rows[series.label] = [_g4(series.effective_lr[k][0]), _g4(series.effective_lr[k][1])]
        rows["Hessian eigenvalues \u03bb"] = [_g4(v) for v in path.eigenvalues[k]]
        rows["condition number \u03ba"] = [_g4(path.condition[k])]
        return rows

    with canvas_page(browser, tmp_path, beale.view.widget, "inside") as page:
        assert page.inner_text(".cu-canvas-inside-title") == "Inside Adam at step 25"
        assert inside_rows(page) == expected(beale, "adam", 25)
        py_set_values(page, step=140)
        assert inside_rows(page) == expected(beale, "adam", 140)
    with canvas_page(browser, tmp_path, diverging.view.widget, "diverged") as page:
        assert inside_rows(page) == expected(diverging, "sgd", 5)
        sgd = next(p for p in diverging.view.widget.paths if p["name"] == "sgd")
        d = sgd["diverged_at"]
        assert d == 12
        py_set_values(page, step=d - 1)
        exit_px = map_point(page, diverging.view.widget.surface, *sgd["exit"])
        before = map_pixels(page, exit_px[0], exit_px[1] - 4, 4)
        py_set_values(page, step=d)
        assert "the path diverged at step 12; move the step scrubber back" in page.inner_text(
            ".cu-canvas-inside")
        after = map_pixels(page, exit_px[0], exit_px[1] - 4, 4)
        dark = lambda px: int((px.max(axis=1) < 80).sum())  # noqa: E731 - the ✕'s black edge
        assert dark(after) > dark(before) + 5


def test_click_sends_the_start_point_but_not_offline(browser: Any, tmp_path: Path,
                                                     beale: Any) -> None:
    w = beale.view.widget
    with canvas_page(browser, tmp_path, w, "click") as page:
        px, py = map_point(page, w.surface, -2.0, 3.0)
        page.mouse.click(px, py)
        sent = page.evaluate("harness.sent")
        assert len(sent) == 1
        x, y, counter = sent[0]["start_request"]
        xd, yd = map_data(page, w.surface, px, py)
        assert (x, y, counter) == (pytest.approx(xd, abs=1e-6), pytest.approx(yd, abs=1e-6), 1)
        page.mouse.click(px, py)  # the same point again is a new request
        assert page.evaluate("harness.sent.at(-1).start_request[2]") == 2
        page.mouse.move(px, py)  # a drag is not a click
        page.mouse.down()
        page.mouse.move(px + 40, py + 30, steps=4)
        page.mouse.up()
        assert saves(page) == 2
    with canvas_page(browser, tmp_path, w, "offline", offline=True) as page:
        note = page.inner_text(".cu-canvas-offline")
        assert note.startswith("Offline copy: Play, the scrubber and hovering work")
        page.mouse.click(*map_point(page, w.surface, -2.0, 3.0))
        assert page.evaluate("harness.sent") == []
        page.click(".cu-canvas-play")  # Play works offline (save_changes keeps it local)
        page.wait_for_function(f"+document.querySelector('{HOST}').dataset.step > 40")


def test_dragging_the_start_sends_one_request_at_a_time(browser: Any, tmp_path: Path,
                                                         beale: Any) -> None:
    w = beale.view.widget
    with canvas_page(browser, tmp_path, w, "drag") as page:
        start = np.frombuffer(w.paths[0]["xy"], "<f4")[:2]
        px, py = map_point(page, w.surface, float(start[0]), float(start[1]))
        page.mouse.move(px, py)
        assert page.eval_on_selector(".cu-canvas-map", "c => c.style.cursor") == "grab"
        page.mouse.down()
        page.mouse.move(px - 30, py + 20, steps=8)  # no answer yet: one request on its way
        assert saves(page) == 1
        first = page.evaluate("harness.sent[0].start_request")
        assert first[2] == 1
        # the kernel answers with new paths: the latest dragged point leaves at once
        py_set(page, trait_update(w, "paths"))
        page.wait_for_function("harness.saves === 2", timeout=5_000)
        page.mouse.move(px - 60, py + 40, steps=4)
        page.mouse.up()
        # no answer this time: after the wait runs out, the released point is sent last
        page.wait_for_function("harness.saves === 3", timeout=5_000)
        x, y, counter = page.evaluate("harness.sent.at(-1).start_request")
        xd, yd = map_data(page, w.surface, px - 60, py + 40)
        assert (x, y, counter) == (pytest.approx(xd, abs=1e-6), pytest.approx(yd, abs=1e-6), 3)
        page.wait_for_timeout(700)
        assert saves(page) == 3  # nothing after the release
    with canvas_page(browser, tmp_path, w, "drag-offline", offline=True) as page:
        page.mouse.move(px, py)
        page.mouse.down()
        page.mouse.move(px - 30, py + 20, steps=4)
        page.mouse.up()
        assert page.evaluate("harness.sent") == []


def test_panel_titles_fit_their_panels(browser: Any, tmp_path: Path, beale: Any) -> None:
    w = beale.view.widget
    long_title = "condition number κ = |λ|max / |λ|min along the path"
    with canvas_page(browser, tmp_path, w, "wide", width=1400) as page:
        titles = json.loads(page.get_attribute(".cu-canvas-panels", "data-titles"))
        assert titles[2] == long_title and titles[3] == "effective learning rate of Adam"
    with canvas_page(browser, tmp_path, w, "narrow", width=820) as page:
        titles = json.loads(page.get_attribute(".cu-canvas-panels", "data-titles"))
        assert titles[2] in ("condition number κ along the path", "condition number κ")
        assert titles[0] == "loss gap f − f*"


def test_resize_presenter_and_cleanup(browser: Any, tmp_path: Path, beale: Any) -> None:
    w = beale.view.widget
    with canvas_page(browser, tmp_path, w, "resize") as page:
        def size() -> tuple[float, float]:
            return tuple(page.eval_on_selector(
                ".cu-canvas-map", "c => [c.getBoundingClientRect().width, c.width]"))

        wide = size()
        before = frames(page)
        page.eval_on_selector(HOST, "e => { e.style.width = '760px'; }")
        page.wait_for_function(f"+document.querySelector('{HOST}').dataset.frames > {before}")
        narrow = size()
        assert narrow[0] < wide[0] - 100
        page.eval_on_selector(HOST, "e => { e.style.width = '480px'; }")  # stacked
        page.wait_for_function("document.querySelector('.cu-canvas-map')"
                               ".getBoundingClientRect().width > 400")
        font_js = "e => parseFloat(getComputedStyle(e).fontSize)"
        font = page.eval_on_selector(".cu-canvas-bar", font_js)
        py_set_values(page, presenter=True)
        assert page.eval_on_selector(".cu-canvas-explorer",
                                     "e => e.classList.contains('cu-presenter')")
        assert page.eval_on_selector(".cu-canvas-bar", font_js) > font
        assert page.evaluate("harness.model.listeners()") > 0
        page.evaluate("harness.cleanup()")
        assert page.evaluate("harness.model.listeners()") == 0
        assert page.query_selector(".cu-canvas-explorer") is None
