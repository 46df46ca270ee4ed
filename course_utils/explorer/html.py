"""The explorer's HTML: optimizer swatches, the results table, the "inside" table, messages.

Pure functions of the computed paths and settings; the widgets only show the strings.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .inside import InsideSeries
from .paths import PathData
from .styles import label, style

__all__ = ["EXPLORER_CSS", "swatch", "results_table", "inside_table", "messages", "error_box",
           "header", "schedule_hint"]

#: The tab labels size to their text (ipywidgets gives every tab the same width, which cuts
#: "optimizers" short).
EXPLORER_CSS = """<style>
.cu-explorer .widget-tab > .lm-TabBar .lm-TabBar-tab,
.cu-explorer .widget-tab > .p-TabBar .p-TabBar-tab {
  flex: 1 1 auto; min-width: 0; padding-left: 6px; padding-right: 6px;
}
</style>"""


def _marker_svg(marker: str, cx: float, cy: float, r: float) -> str:
    """An SVG shape for a matplotlib marker (those of :data:`plotting.MARKERS`)."""
    def polygon(points: Sequence[tuple[float, float]]) -> str:
        coords = " ".join(f"{cx + r * x:.2f},{cy - r * y:.2f}" for x, y in points)
        return f"<polygon points='{coords}'/>"

    if marker == "o":
        return f"<circle cx='{cx}' cy='{cy}' r='{0.85 * r:.2f}'/>"
    if marker == "s":
        return polygon([(-0.8, -0.8), (0.8, -0.8), (0.8, 0.8), (-0.8, 0.8)])
    if marker == "^":
        return polygon([(0, 1), (0.95, -0.75), (-0.95, -0.75)])
    if marker == "v":
        return polygon([(0, -1), (0.95, 0.75), (-0.95, 0.75)])
    if marker == "D":
        return polygon([(0, 1), (0.8, 0), (0, -1), (-0.8, 0)])
    if marker in ("P", "X"):
        a, b = 0.3, 0.95
        plus = [(-a, b), (a, b), (a, a), (b, a), (b, -a), (a, -a), (a, -b), (-a, -b),
                (-a, -a), (-b, -a), (-b, a), (-a, a)]
        if marker == "X":
            c = math.sqrt(0.5)
            plus = [(c * (x - y), c * (x + y)) for x, y in plus]
        return polygon(plus)
    if marker == "*":
        return polygon([(math.sin(k * math.pi / 5) * (1.0 if k % 2 == 0 else 0.42),
                         math.cos(k * math.pi / 5) * (1.0 if k % 2 == 0 else 0.42))
                        for k in range(10)])
    return f"<circle cx='{cx}' cy='{cy}' r='{0.85 * r:.2f}'/>"


_SVG_DASHES = {"-": "", "--": "5,3", ":": "1.5,2.5", "-.": "5,2.5,1.5,2.5"}


def swatch(name: str, height: float = 14.0) -> str:
    """Inline SVG of optimizer ``name``'s line and marker, as in the plots (for HTML tables)."""
    color, marker, linestyle = style(name)
    width = 2.2 * height
    mid = height / 2
    dash = _SVG_DASHES.get(linestyle, "")
    dash_attr = f" stroke-dasharray='{dash}'" if dash else ""
    return (f"<svg class='cu-swatch' data-marker='{html.escape(marker)}' "
            f"data-linestyle='{html.escape(linestyle)}' width='{width:g}' "
            f"height='{height:g}' viewBox='0 0 {width:g} {height:g}' role='img' "
            f"aria-label='{html.escape(label(name))}' style='vertical-align:middle'>"
            f"<line x1='1' y1='{mid:g}' x2='{width - 1:g}' y2='{mid:g}' stroke='{color}' "
            f"stroke-width='2'{dash_attr}/>"
            f"<g fill='{color}' stroke='black' stroke-width='0.7'>"
            f"{_marker_svg(marker, width / 2, mid, 0.42 * height)}</g></svg>")


def results_table(paths: Mapping[str, PathData], surface: Any, tol: float,
                  presenter: bool) -> str:
    """Per optimizer: final ``f - f*``, steps to the tolerance, and whether it diverged."""
    if not paths:
        return ""
    rows = []
    for n, path in paths.items():
        traj, d = path.trajectory, path.diverged_at
        last = traj.points[-1] if d < 0 else traj.points[max(d - 1, 0)]
        with np.errstate(all="ignore"):
            final = float(surface.f(last))
        reach = path.steps_to_tol(surface.f_min, tol)
        status = (f"<span style='color:#b00020'>✕ diverged at step {d}</span>" if d >= 0
                  else "ok")
        rows.append(
            f"<tr><td>{swatch(n, 18.0 if presenter else 14.0)} "
            f"{html.escape(label(n))}</td><td>{final - surface.f_min:.3g}</td>"
            f"<td>{reach if reach >= 0 else '—'}</td><td>{status}</td></tr>")
    size = "1.25em" if presenter else "0.92em"
    return (f"<table style='font-size:{size};border-collapse:collapse' cellpadding='3'>"
            f"<tr style='border-bottom:1px solid #999'><th align='left'>optimizer</th>"
            f"<th>final f − f*</th><th>steps to f − f* ≤ {tol:.0e}</th><th>status</th></tr>"
            + "".join(rows) + "</table>")


def _fmt(v: float) -> str:
    """Four significant digits, as the canvas's table shows them."""
    return "—" if not np.isfinite(v) else f"{v:.4g}"


def inside_table(path: PathData, series: InsideSeries, k: int, presenter: bool) -> str:
    """The inspected optimizer's state, effective rate and curvature at step ``k``."""
    size = "1.2em" if presenter else "0.9em"
    name = html.escape(label(path.name))
    if not (path.alive(k) and k <= path.trajectory.steps):
        return (f"<div style='font-size:{size}'><b>Inside {name}</b>: the path diverged at "
                f"step {path.diverged_at}; move the step scrubber back.</div>")
    rows = []
    for row_label, values in series.rows:
        x, y = values[k]
        rows.append(f"<tr><td>{html.escape(row_label)}</td><td>{_fmt(x)}</td>"
                    f"<td>{_fmt(y)}</td></tr>")
    ex, ey = series.effective_lr[k]
    rows.append(f"<tr><td>{html.escape(series.label)}</td><td>{_fmt(ex)}</td>"
                f"<td>{_fmt(ey)}</td></tr>")
    w = path.eigenvalues[k] if k < len(path.eigenvalues) else (np.nan, np.nan)
    rows.append(f"<tr><td>Hessian eigenvalues λ</td><td>{_fmt(w[0])}</td><td>{_fmt(w[1])}</td>"
                "</tr>")
    kappa = path.condition[k] if k < len(path.condition) else np.nan
    rows.append(f"<tr><td>condition number κ</td><td colspan='2'>{_fmt(kappa)}</td></tr>")
    legend = ("Map: black arrow = the next step; grey bands = the Hessian's eigen-directions "
              "(longer = flatter; red = negative curvature)")
    if series.velocity is not None:
        legend += "; white arrow = the velocity v"
    if series.lookahead is not None:
        legend += "; ring = the look-ahead point where the gradient is taken"
    return (f"<div style='font-size:{size}'><b>Inside {name} at step "
            f"{k}</b><table cellpadding='2' style='border-collapse:collapse'>"
            f"<tr style='border-bottom:1px solid #999'><th></th><th>x</th><th>y</th></tr>"
            + "".join(rows) + f"</table><small>{legend}.</small></div>")


def messages(problems: Iterable[str], notes: Iterable[str]) -> str:
    """Problems (red, escaped) then notes (HTML snippets), one per line."""
    body = "".join(f"<div style='color:#b00020'><b>⚠ {html.escape(p)}</b></div>"
                   for p in problems)
    return body + "".join(f"<div>{note}</div>" for note in notes)


def error_box(exc: Exception, notes: Sequence[str]) -> str:
    """An exception raised by a callback, in place, above the last notes."""
    text = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
    if len(text) > 400:
        text = text[:400] + "…"
    return (f"<div style='color:#b00020'><b>⚠ {html.escape(text)}</b> "
            f"(the rest of the app keeps the last good picture)</div>"
            + "".join(f"<div>{note}</div>" for note in notes))


def header(surface: Any, presenter: bool) -> str:
    """The surface's name and lesson, above the app."""
    return (f"<div style='font-size:{'1.35em' if presenter else '1em'}'>"
            f"<b>{html.escape(surface.name)}</b>: {html.escape(surface.lesson)}</div>")


def schedule_hint(without_learning_rate: Sequence[str]) -> str:
    """The note above the schedule's controls."""
    text = "The schedule multiplies each optimizer's learning rate (its rates start at 1)."
    if without_learning_rate:
        names = ", ".join(html.escape(label(n)) for n in without_learning_rate)
        text += f" {names} {'has' if len(without_learning_rate) == 1 else 'have'} none."
    return f"<small>{text}</small>"
