// The explorer drawn in the browser (issue 13): the anywidget front end of ExplorerCanvas.
//
// The kernel sends numbers (the surface's grid of f, each path's points and series as float32
// buffers, see canvas.py); this module draws the map, the paths and the four panels against
// the step on HTML canvases, and runs Play, the step scrubber, the keyboard and the hover
// read-out in the browser with no kernel message per frame. The step goes back to Python only
// when Play stops or a scrub / key press ends; `playing` when Play starts and stops.
//
// Speed: the contour background of the map (filled bands + iso-lines, axes, ticks, labels) and
// the frames of the panels are drawn once per surface / size / limits into offscreen canvases;
// a frame blits them and draws the moving parts (paths up to step k, markers, arrows, curves,
// cursors): a few hundred line segments, well under a millisecond or two.
//
// One self-contained ES2020 module: no imports, no network, the CSS is injected by render().

const CSS = `
.cu-canvas-explorer { position: relative; width: 100%; min-width: 0; box-sizing: border-box;
  background: #fff; color: #111; line-height: 1.3; font-size: 13px;
  font-family: "DejaVu Sans", Verdana, "Segoe UI", system-ui, sans-serif; }
.cu-canvas-explorer * { box-sizing: border-box; }
.cu-canvas-explorer.cu-presenter { font-size: 17px; }
.cu-canvas-legend { display: flex; flex-wrap: wrap; align-items: center; gap: 2px 18px;
  min-height: 1.7em; padding: 2px 4px 2px 4%; }
.cu-canvas-legend-item { display: inline-flex; align-items: center; gap: 6px;
  white-space: nowrap; }
.cu-canvas-legend-item svg { flex: none; }
.cu-canvas-row { position: relative; display: flex; flex-wrap: wrap; align-items: flex-start; }
.cu-canvas-row canvas { display: block; flex: none; }
.cu-canvas-map { cursor: crosshair; outline: none; touch-action: none; }
.cu-canvas-map:focus-visible { outline: 2px solid #4477AA; outline-offset: -2px; }
.cu-canvas-readout { position: absolute; z-index: 3; display: none; pointer-events: none;
  padding: 2px 6px; border: 1px solid #999; border-radius: 3px; white-space: pre;
  background: rgba(255, 255, 255, 0.93); color: #111; font-size: 0.92em;
  font-variant-numeric: tabular-nums; }
.cu-canvas-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 6px;
  padding: 4px 4px 2px 4px; }
.cu-canvas-bar button { display: inline-flex; align-items: center; justify-content: center;
  min-width: 2.1em; height: 1.9em; padding: 0 0.45em; margin: 0; border: 1px solid #aaa;
  border-radius: 3px; background: #f4f4f4; color: #111; cursor: pointer; font: inherit; }
.cu-canvas-bar button:hover { background: #e6e6e6; }
.cu-canvas-bar button:focus-visible { outline: 2px solid #4477AA; outline-offset: 1px; }
.cu-canvas-bar button svg { width: 1em; height: 1em; fill: currentColor; }
.cu-canvas-play { min-width: 4.6em !important; gap: 0.35em; }
.cu-canvas-step { flex: 1 1 160px; min-width: 100px; margin: 0 4px; }
.cu-canvas-steplabel { min-width: 8.5em; font-variant-numeric: tabular-nums; }
.cu-canvas-loop { display: inline-flex; align-items: center; gap: 3px; cursor: pointer; }
.cu-canvas-offline { margin: 2px 4px; padding: 3px 8px; border: 1px solid #e0cf86;
  border-radius: 3px; background: #fff7d9; color: #5c4700; font-size: 0.9em; }
.cu-canvas-inside { padding: 2px 4px 4px 4px; font-size: 0.95em; }
.cu-canvas-inside table { border-collapse: collapse; margin-top: 2px; }
.cu-canvas-inside th { padding: 1px 10px; text-align: right; border-bottom: 1px solid #999; }
.cu-canvas-inside td { padding: 1px 10px; text-align: right; font-variant-numeric: tabular-nums; }
.cu-canvas-inside td:first-child, .cu-canvas-inside th:first-child { text-align: left;
  padding-left: 0; }
.cu-canvas-inside small { display: block; margin-top: 2px; color: #444; }
`;

const WHITE = "#ffffff";
const TEXT = "#111111";
const EIGEN_GREY = "rgba(51, 51, 51, 0.4)";
const EIGEN_RED = "rgba(204, 51, 18, 0.6)";
const ISO_LINE = "rgba(0, 0, 0, 0.25)";
const CURSOR = "rgba(68, 68, 68, 0.6)";
const GRID = "rgba(176, 176, 176, 0.3)";
const LR_GREY = "#555555";
const SVG_NS = "http://www.w3.org/2000/svg";
const OFFLINE_NOTE = "Offline copy: Play, the scrubber and hovering work; the sliders need a " +
  "running kernel (open the notebook in Jupyter).";
const PANEL_TITLES = ["loss gap f \u2212 f*", "gradient norm \u2016\u2207f\u2016",
  "condition number \u03ba = |\u03bb|max / |\u03bb|min along the path"];
const PANEL_KEYS = ["loss", "grad", "cond", "eff"];
const PANEL_NAMES = ["f \u2212 f*", "\u2016\u2207f\u2016", "\u03ba", ""];
const CLICK_SLOP = 4; // px a press may move and still be a click (not a drag)
const HOVER_PX = 10; // px from a drawn path point for the path read-out
const BIG = 1e6; // px coordinates are clamped to +-BIG (canvas dislikes huge numbers)

// ------------------------------------------------------------------------ small helpers

/** A float32 view of a binary trait (DataView, typed array, ArrayBuffer or a plain list). */
function f32(value) {
  if (value == null) return null;
  if (value instanceof Float32Array) return value;
  if (ArrayBuffer.isView(value)) {
    const { buffer, byteOffset, byteLength } = value;
    const n = byteLength >> 2;
    if (byteOffset % 4 === 0) return new Float32Array(buffer, byteOffset, n);
    return new Float32Array(buffer.slice(byteOffset, byteOffset + 4 * n));
  }
  if (value instanceof ArrayBuffer) return new Float32Array(value, 0, value.byteLength >> 2);
  if (Array.isArray(value)) {
    return Float32Array.from(value.flat(Infinity), (v) => (v == null ? NaN : +v));
  }
  return null;
}

const clamp = (v, lo, hi) => (v < lo ? lo : v > hi ? hi : v);
const finite = Number.isFinite;
const isNum = (v) => typeof v === "number" && finite(v);

/** Python's `format(v, ".{digits}g")` (ASCII minus), "—" for NaN / inf. */
function fmtG(v, digits = 4) {
  if (v == null || !finite(v)) return "\u2014";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const exp = +v.toExponential(digits - 1).split("e")[1];
  if (exp < -4 || exp >= digits) {
    let [mant, e] = v.toExponential(digits - 1).split("e");
    if (mant.includes(".")) mant = mant.replace(/0+$/, "").replace(/\.$/, "");
    const sign = e[0] === "-" ? "-" : "+";
    const digitsE = e.replace(/^[+-]/, "");
    return `${mant}e${sign}${digitsE.padStart(2, "0")}`;
  }
  let s = v.toFixed(Math.max(0, digits - 1 - exp));
  if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  return s;
}

/** plotting.decade_label: "0.01" .. "1000", else "1e-06" style ("1e-6"). */
function decadeLabel(v) {
  if (!(v > 0)) return "";
  if (v >= 1e-2 && v <= 1e3) return fmtG(v, 6);
  return `1e${Math.round(Math.log10(v))}`;
}

/** Decades between lo and hi, at most about numticks of them (matplotlib's LogLocator). */
function logTicks(lo, hi, numticks = 4) {
  const a = Math.ceil(Math.log10(lo) - 1e-9);
  const b = Math.floor(Math.log10(hi) + 1e-9);
  if (!(b >= a)) return [];
  const stride = Math.max(1, Math.ceil((b - a) / (numticks - 1)));
  const out = [];
  for (let e = a; e <= b; e++) if (((e % stride) + stride) % stride === 0) out.push(e);
  if (out.length === 0) out.push(a);
  return out;
}

/** "Nice" linear ticks (1, 2, 2.5, 5 x 10^n) in [lo, hi], about `target` of them. */
function niceTicks(lo, hi, target) {
  const span = hi - lo;
  if (!(span > 0) || !finite(span)) return { ticks: [lo], decimals: 0 };
  const raw = span / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  let step = mag * 10;
  let mult = 10;
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (m * mag >= raw * 0.999) { step = m * mag; mult = m; break; }
  }
  const ticks = [];
  const first = Math.ceil(lo / step - 1e-9);
  for (let i = first; i * step <= hi + step * 1e-9; i++) ticks.push(i * step);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (mult === 2.5 ? 1 : 0));
  return { ticks, decimals };
}

/** A tick label like matplotlib's: fixed decimals, unicode minus. */
function tickLabel(v, decimals) {
  const s = (Math.abs(v) < 1e-12 ? 0 : v).toFixed(decimals);
  return s.replace("-", "\u2212");
}

/** Matplotlib's dash patterns (scaled by the line width, as lines.scale_dashes). */
function dashPattern(dash, lw) {
  const w = Math.max(lw, 1);
  switch (dash) {
    case "--": case "dashed": return [3.7 * w, 1.6 * w];
    case ":": case "dotted": return [1 * w, 1.65 * w];
    case "-.": case "dashdot": return [6.4 * w, 1.6 * w, 1 * w, 1.6 * w];
    default: return [];
  }
}

/** Vertices of a filled matplotlib marker, in units of its size `ms` (y up); null = circle. */
const MARKERS = (() => {
  const plus = [[-1, -3], [1, -3], [1, -1], [3, -1], [3, 1], [1, 1], [1, 3], [-1, 3],
    [-1, 1], [-3, 1], [-3, -1], [-1, -1]].map(([x, y]) => [x / 6, y / 6]);
  const c = Math.SQRT1_2;
  const star = [];
  for (let i = 0; i < 10; i++) {
    const r = i % 2 === 0 ? 0.5 : 0.5 * 0.381966;
    const a = (i * Math.PI) / 5;
    star.push([r * Math.sin(a), r * Math.cos(a)]);
  }
  return {
    o: null,
    s: [[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]],
    D: [[0, c], [c, 0], [0, -c], [-c, 0]],
    "^": [[0, 0.5], [-0.5, -0.5], [0.5, -0.5]],
    v: [[0, -0.5], [0.5, 0.5], [-0.5, 0.5]],
    "*": star,
    P: plus,
    X: plus.map(([x, y]) => [c * (x - y), c * (x + y)]),
  };
})();

/** Add a marker's outline to the current path of ctx (centred at x, y in px). */
function markerPath(ctx, marker, x, y, ms) {
  const pts = Object.prototype.hasOwnProperty.call(MARKERS, marker) ? MARKERS[marker] : null;
  if (!pts) {
    ctx.moveTo(x + ms / 2, y);
    ctx.arc(x, y, ms / 2, 0, 2 * Math.PI);
    return;
  }
  ctx.moveTo(x + pts[0][0] * ms, y - pts[0][1] * ms);
  for (let i = 1; i < pts.length; i++) ctx.lineTo(x + pts[i][0] * ms, y - pts[i][1] * ms);
  ctx.closePath();
}

function drawMarker(ctx, marker, x, y, ms, fill, edge, edgeWidth) {
  ctx.beginPath();
  markerPath(ctx, marker, x, y, ms);
  ctx.fillStyle = fill;
  ctx.fill();
  if (edge && edgeWidth > 0) {
    ctx.setLineDash([]);
    ctx.lineJoin = "miter";
    ctx.strokeStyle = edge;
    ctx.lineWidth = edgeWidth;
    ctx.stroke();
  }
}

/** A quiver-like arrow (shaft width sw px; head 3 sw wide, 5 sw long) from (x0, y0) by (dx, dy). */
function drawArrow(ctx, x0, y0, dx, dy, sw, fill, edge, edgeWidth) {
  const len = Math.hypot(dx, dy);
  if (!(len > 0.5) || !finite(len)) return;
  let w = sw;
  let hl = 5 * w;
  let hal = 4.5 * w;
  let hw = 1.5 * w;
  if (len < hl) { // short arrows shrink as a whole, as matplotlib's quiver does
    const s = len / hl;
    w *= s; hl *= s; hal *= s; hw *= s;
  }
  const ux = dx / len;
  const uy = dy / len;
  const px = -uy;
  const py = ux;
  const P = (a, b) => [x0 + ux * a + px * b, y0 + uy * a + py * b];
  const pts = [P(0, w / 2), P(len - hal, w / 2), P(len - hl, hw), P(len, 0), P(len - hl, -hw),
    P(len - hal, -w / 2), P(0, -w / 2)];
  ctx.beginPath();
  ctx.moveTo(pts[0][0], pts[0][1]);
  for (let i = 1; i < pts.length; i++) ctx.lineTo(pts[i][0], pts[i][1]);
  ctx.closePath();
  ctx.fillStyle = fill;
  ctx.fill();
  if (edge) {
    ctx.setLineDash([]);
    ctx.lineJoin = "miter";
    ctx.strokeStyle = edge;
    ctx.lineWidth = edgeWidth;
    ctx.stroke();
  }
}

/** plotting.eigen_segments: half-lengths along v_i proportional to 1/sqrt|λi|, longest = size. */
function eigenHalfLengths(l1, l2, size) {
  const inv = [1 / Math.sqrt(Math.abs(l1)), 1 / Math.sqrt(Math.abs(l2))].map(
    (v) => (finite(v) ? v : NaN));
  let lengths;
  if (inv.every((v) => Number.isNaN(v))) {
    lengths = [size, size];
  } else {
    const biggest = Math.max(...inv.filter((v) => !Number.isNaN(v)));
    lengths = inv.map((v) => (Number.isNaN(v) ? size : (v / biggest) * size));
  }
  return lengths.map((v) => clamp(v, size / 12, size));
}

/** Segments of the iso-lines of z (ny x nx, row 0 at the bottom) at `levels`, by marching
 * squares: a Float32Array of (i0, j0, i1, j1) in grid units, computed once per surface. */
function isoSegments(z, nx, ny, levels) {
  const L = levels.length;
  let out = new Float32Array(16384);
  let n = 0;
  const push = (a0, b0, a1, b1) => {
    if (n + 4 > out.length) {
      const bigger = new Float32Array(out.length * 2);
      bigger.set(out);
      out = bigger;
    }
    out[n] = a0; out[n + 1] = b0; out[n + 2] = a1; out[n + 3] = b1;
    n += 4;
  };
  if (L === 0 || nx < 2 || ny < 2) return out.subarray(0, 0);
  // edge points: 0 bottom (a-b), 1 right (b-c), 2 top (d-c), 3 left (a-d); per marching-squares
  // case the pairs of edges joined (the saddles 5 and 10 are resolved by the cell's mean)
  const CASES = [[], [3, 0], [0, 1], [3, 1], [1, 2], null, [0, 2], [3, 2], [3, 2], [0, 2], null,
    [1, 2], [3, 1], [0, 1], [3, 0], []];
  const ex = new Float64Array(4);
  const ey = new Float64Array(4);
  for (let j = 0; j < ny - 1; j++) {
    for (let i = 0; i < nx - 1; i++) {
      const a = z[j * nx + i]; // bottom left
      const b = z[j * nx + i + 1]; // bottom right
      const c = z[(j + 1) * nx + i + 1]; // top right
      const d = z[(j + 1) * nx + i]; // top left
      if (a !== a || b !== b || c !== c || d !== d) continue;
      const lo = Math.min(a, b, c, d);
      const hi = Math.max(a, b, c, d);
      if (!(hi > lo)) continue;
      let s = 0; // the first level above lo
      let e = L;
      while (s < e) { const m = (s + e) >> 1; if (levels[m] <= lo) s = m + 1; else e = m; }
      for (let li = s; li < L && levels[li] <= hi; li++) {
        const v = levels[li];
        const code = (a >= v ? 1 : 0) | (b >= v ? 2 : 0) | (c >= v ? 4 : 0) | (d >= v ? 8 : 0);
        if (code === 0 || code === 15) continue;
        ex[0] = i + (v - a) / (b - a); ey[0] = j;
        ex[1] = i + 1; ey[1] = j + (v - b) / (c - b);
        ex[2] = i + (v - d) / (c - d); ey[2] = j + 1;
        ex[3] = i; ey[3] = j + (v - a) / (d - a);
        let pairs = CASES[code];
        if (pairs === null) {
          const high = (a + b + c + d) / 4 >= v;
          pairs = (code === 5) === high ? [0, 1, 2, 3] : [3, 0, 1, 2];
        }
        for (let q = 0; q < pairs.length; q += 2) {
          push(ex[pairs[q]], ey[pairs[q]], ex[pairs[q + 1]], ey[pairs[q + 1]]);
        }
      }
    }
  }
  return out.subarray(0, n);
}

/** The filled bands of surface s into `out` (W x H RGBA pixels as Uint32, row 0 at the top):
 * f bilinear from the grid; the band above levels[i] in grey shade[i] at alpha 0.3 over white
 * (below the first level: white). */
function bandImage(out, W, H, s) {
  const { nx, ny, z, levels, shade } = s;
  const nL = levels.length;
  const grey = (sh) => {
    const g = Math.round(255 * (1 - 0.3 * clamp(sh, 0, 1)));
    return ((255 << 24) | (g << 16) | (g << 8) | g) >>> 0; // RGBA bytes, little-endian
  };
  const colors = new Uint32Array(nL + 1);
  colors[0] = grey(0);
  for (let i = 0; i < nL; i++) colors[i + 1] = grey(shade[i] ?? shade[shade.length - 1] ?? 0);
  const white = grey(0);
  const ci = new Int32Array(W);
  const cf = new Float64Array(W);
  for (let col = 0; col < W; col++) {
    const g = ((col + 0.5) / W) * (nx - 1);
    const i0 = Math.min(Math.floor(g), nx - 2);
    ci[col] = i0;
    cf[col] = g - i0;
  }
  const rowv = new Float64Array(nx);
  const lv = Float64Array.from({ length: nL + 2 }, (_, i) =>
    (i === 0 ? -Infinity : i === nL + 1 ? Infinity : levels[i - 1]));
  for (let row = 0; row < H; row++) {
    const g = (1 - (row + 0.5) / H) * (ny - 1);
    const j0 = Math.min(Math.floor(g), ny - 2);
    const fy = g - j0;
    const r0 = j0 * nx;
    const r1 = r0 + nx;
    for (let i = 0; i < nx; i++) rowv[i] = z[r0 + i] * (1 - fy) + z[r1 + i] * fy;
    const base = row * W;
    let band = 0; // levels[band - 1] <= v < levels[band]: lv[band] <= v < lv[band + 1]
    for (let col = 0; col < W; col++) {
      const i0 = ci[col];
      const fx = cf[col];
      const v = rowv[i0] * (1 - fx) + rowv[i0 + 1] * fx;
      if (v !== v) { out[base + col] = white; continue; }
      if (!(lv[band] <= v && v < lv[band + 1])) { // not the last pixel's band: search
        let lo = 0;
        let hi = nL;
        while (lo < hi) { const m = (lo + hi) >> 1; if (levels[m] <= v) lo = m + 1; else hi = m; }
        band = lo;
      }
      out[base + col] = colors[band];
    }
  }
}

function el_(tag, cls, parent, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

function svgIcon(kind) {
  const paths = {
    play: "M4 2.5v11l9-5.5z",
    pause: "M3.5 2.5h3v11h-3zM9.5 2.5h3v11h-3z",
    first: "M2.5 2.5h2v11h-2zM14 2.5v11l-8-5.5z",
    back: "M12 2.5v11l-8-5.5z",
    forward: "M4 2.5v11l8-5.5z",
  };
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("aria-hidden", "true");
  const p = document.createElementNS(SVG_NS, "path");
  p.setAttribute("d", paths[kind]);
  svg.appendChild(p);
  return svg;
}

/** The legend's swatch of a path: its line (dash) and marker, as in the plots. */
function swatch(path, height) {
  const width = 2.4 * height;
  const mid = height / 2;
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("aria-hidden", "true");
  const line = document.createElementNS(SVG_NS, "line");
  const lw = 2;
  line.setAttribute("x1", "1");
  line.setAttribute("x2", String(width - 1));
  line.setAttribute("y1", String(mid));
  line.setAttribute("y2", String(mid));
  line.setAttribute("stroke", path.color);
  line.setAttribute("stroke-width", String(lw));
  const dash = dashPattern(path.dash, lw);
  if (dash.length) line.setAttribute("stroke-dasharray", dash.join(","));
  svg.appendChild(line);
  const ms = 0.55 * height;
  const pts = Object.prototype.hasOwnProperty.call(MARKERS, path.marker) ? MARKERS[path.marker] : null;
  let shape;
  if (!pts) {
    shape = document.createElementNS(SVG_NS, "circle");
    shape.setAttribute("cx", String(width / 2));
    shape.setAttribute("cy", String(mid));
    shape.setAttribute("r", String(ms / 2));
  } else {
    shape = document.createElementNS(SVG_NS, "polygon");
    shape.setAttribute("points", pts.map(([x, y]) =>
      `${(width / 2 + x * ms).toFixed(2)},${(mid - y * ms).toFixed(2)}`).join(" "));
  }
  shape.setAttribute("fill", path.color);
  shape.setAttribute("stroke", path.color);
  shape.setAttribute("stroke-width", "0.8");
  svg.appendChild(shape);
  return svg;
}

function offline() {
  return globalThis.__COURSE_OFFLINE__ === true;
}

// ------------------------------------------------------------------------ the view

class CanvasExplorer {
  constructor(model, el) {
    this.model = model;
    this.el = el;
    this.k = 0; // the step shown
    this.frames = 0;
    this.drawTimes = [];
    this.playing = false;
    this.play = null; // {t0, k0} while playing
    this.raf = 0;
    this.dirty = { map: true, panels: true };
    this.bgMap = null; // offscreen: the map's static background
    this.bgPanels = null;
    this.bgDirty = { map: true, panels: true };
    this.contour = null; // offscreen: the filled bands + iso-lines, per surface and size
    this.contourKey = "";
    this.width = 0;
    this.dpr = 1;
    this.lay = null;
    this.press = null;
    this.listeners = [];
    this.destroyed = false;
    this.keyCommit = false;

    this.buildDom();
    this.readSurface();
    this.readPaths();
    this.readInside();
    this.readLimits();
    this.k = this.clampStep(model.get("step") | 0);
    this.syncControls();

    const on = (name, fn) => {
      const cb = () => { if (!this.destroyed) fn(); };
      model.on(`change:${name}`, cb);
      this.listeners.push([`change:${name}`, cb]);
    };
    on("surface", () => { this.readSurface(); this.relayout(); });
    on("paths", () => { this.readPaths(); this.buildLegend(); this.buildInside(); this.invalidateAll(); });
    on("inside", () => { this.readInside(); this.buildInside(); this.invalidateAll(); });
    on("limits", () => { this.readLimits(); this.invalidateAll(); });
    on("eff_title", () => this.invalidateAll());
    on("steps", () => {
      this.readLimits();
      this.k = this.clampStep(this.k);
      this.syncControls();
      this.updateInside();
      this.invalidateAll();
    });
    on("step", () => this.onPythonStep());
    on("playing", () => this.onPythonPlaying());
    on("presenter", () => this.relayout());
    on("interval", () => this.rebase());
    on("stride", () => this.rebase());

    this.buildLegend();
    this.buildInside();
    this.resizeObserver = new ResizeObserver(() => this.onResize());
    this.resizeObserver.observe(this.root);
    if (this.root.clientWidth > 0) this.relayout(); // drawn at once when already in the page
    if (model.get("playing")) this.startPlay(false);
  }

  // ---------------------------------------------------------------- DOM
  buildDom() {
    const root = el_("div", "cu-canvas-explorer");
    this.root = root;
    const style = el_("style", null, root);
    style.textContent = CSS;
    this.offlineNote = el_("div", "cu-canvas-offline", root, OFFLINE_NOTE);
    this.offlineNote.setAttribute("role", "note");
    this.offlineNote.style.display = offline() ? "" : "none";
    this.legend = el_("div", "cu-canvas-legend", root);
    this.legend.setAttribute("aria-label", "legend");
    const row = el_("div", "cu-canvas-row", root);
    this.row = row;
    this.mapCanvas = el_("canvas", "cu-canvas-map", row);
    this.mapCanvas.tabIndex = 0;
    this.mapCanvas.setAttribute("role", "img");
    this.panelCanvas = el_("canvas", "cu-canvas-panels", row);
    this.panelCanvas.setAttribute("role", "img");
    this.panelCanvas.setAttribute("aria-label",
      "loss gap, gradient norm, condition number and effective learning rate against the step");
    this.readout = el_("div", "cu-canvas-readout", row);

    const bar = el_("div", "cu-canvas-bar", root);
    const button = (cls, icon, label) => {
      const b = el_("button", cls, bar);
      b.type = "button";
      b.setAttribute("aria-label", label);
      b.title = label;
      b.appendChild(svgIcon(icon));
      return b;
    };
    this.playButton = button("cu-canvas-play", "play", "Play");
    this.playText = el_("span", null, this.playButton, "Play");
    this.firstButton = button("cu-canvas-first", "first", "First step");
    this.backButton = button("cu-canvas-back", "back", "Step back");
    this.forwardButton = button("cu-canvas-forward", "forward", "Step forward");
    this.range = el_("input", "cu-canvas-step", bar);
    this.range.type = "range";
    this.range.min = "0";
    this.range.step = "1";
    this.range.setAttribute("aria-label", "step");
    this.stepLabel = el_("span", "cu-canvas-steplabel", bar);
    this.stepLabel.setAttribute("aria-live", "off");
    const loop = el_("label", "cu-canvas-loop", bar);
    this.loopBox = el_("input", null, loop);
    this.loopBox.type = "checkbox";
    el_("span", null, loop, "loop");
    this.insideBox = el_("div", "cu-canvas-inside", root);
    this.el.appendChild(root);

    const listen = (target, type, fn, opts) => {
      target.addEventListener(type, fn, opts);
      (this.domListeners ||= []).push([target, type, fn, opts]);
    };
    listen(this.playButton, "click", () => this.togglePlay());
    listen(this.firstButton, "click", () => this.userStep(0, true));
    listen(this.backButton, "click", () => this.userStep(this.k - 1, true));
    listen(this.forwardButton, "click", () => this.userStep(this.k + 1, true));
    listen(this.range, "input", () => this.userStep(+this.range.value, false));
    listen(this.range, "change", () => this.userStep(+this.range.value, true));
    listen(this.mapCanvas, "keydown", (e) => this.onKeyDown(e));
    listen(this.mapCanvas, "keyup", (e) => this.onKeyUp(e));
    listen(this.mapCanvas, "pointerdown", (e) => this.onPointerDown(e));
    listen(this.mapCanvas, "pointerup", (e) => this.onPointerUp(e));
    listen(this.mapCanvas, "pointermove", (e) => this.onHover(e, "map"));
    listen(this.mapCanvas, "pointerleave", () => this.hideReadout());
    listen(this.panelCanvas, "pointermove", (e) => this.onHover(e, "panels"));
    listen(this.panelCanvas, "pointerleave", () => this.hideReadout());
  }

  buildLegend() {
    this.legend.replaceChildren();
    const h = this.model.get("presenter") ? 18 : 14;
    for (const p of this.paths) {
      const item = el_("span", "cu-canvas-legend-item", this.legend);
      item.dataset.name = p.name;
      item.appendChild(swatch(p, h));
      el_("span", null, item, p.label);
    }
  }

  /** The "inside" table's skeleton (cells filled by updateInside). */
  buildInside() {
    const box = this.insideBox;
    box.replaceChildren();
    this.insideCells = null;
    const ins = this.inside;
    if (!ins) { box.style.display = "none"; return; }
    box.style.display = "";
    const title = el_("b", "cu-canvas-inside-title", box);
    const message = el_("div", "cu-canvas-inside-message", box);
    const table = el_("table", null, box);
    const head = el_("tr", null, el_("thead", null, table));
    for (const t of ["", "x", "y"]) el_("th", null, head, t);
    const body = el_("tbody", null, table);
    const cells = [];
    const addRow = (label, kind, values, span) => {
      const tr = el_("tr", null, body);
      tr.dataset.row = label;
      el_("td", null, tr, label);
      const x = el_("td", null, tr);
      let y = null;
      if (span) x.colSpan = 2; else y = el_("td", null, tr);
      cells.push({ kind, values, x, y });
    };
    for (const row of ins.rows) addRow(row.label, "pair", row.values);
    addRow(ins.label, "pair", ins.eff);
    addRow("Hessian eigenvalues \u03bb", "eig", null);
    addRow("condition number \u03ba", "cond", null, true);
    let legend = "Map: black arrow = the next step; grey bands = the Hessian's " +
      "eigen-directions (longer = flatter; red = negative curvature)";
    if (ins.velocity) legend += "; white arrow = the velocity v";
    if (ins.lookahead) legend += "; ring = the look-ahead point where the gradient is taken";
    const small = el_("small", null, box, `${legend}.`);
    this.insideCells = { title, message, table, small, cells };
    this.updateInside();
  }

  updateInside() {
    const ins = this.inside;
    const c = this.insideCells;
    if (!ins || !c) return;
    const path = this.insidePath();
    const label = path ? path.label : ins.name;
    const k = this.k;
    const steps = path ? path.steps : this.steps();
    const alive = path ? this.alive(path, k) && k <= steps : k <= steps;
    if (!alive) {
      c.title.textContent = `Inside ${label}`;
      c.message.textContent = `: the path diverged at step ${path ? path.diverged : "?"}; ` +
        "move the step scrubber back.";
      c.message.style.display = "inline";
      c.table.style.display = "none";
      c.small.style.display = "none";
      return;
    }
    c.title.textContent = `Inside ${label} at step ${k}`;
    c.message.style.display = "none";
    c.table.style.display = "";
    c.small.style.display = "";
    for (const cell of c.cells) {
      let x = NaN;
      let y = NaN;
      if (cell.kind === "pair") {
        const v = cell.values;
        if (v && 2 * k + 1 < v.length) { x = v[2 * k]; y = v[2 * k + 1]; }
      } else if (cell.kind === "eig") {
        const e = path && path.eig;
        if (e && 6 * k + 1 < e.length) { x = e[6 * k]; y = e[6 * k + 1]; }
      } else if (path && path.cond && k < path.cond.length) {
        x = path.cond[k];
      }
      cell.x.textContent = fmtG(x);
      if (cell.y) cell.y.textContent = fmtG(y);
    }
  }

  syncControls() {
    const steps = this.steps();
    this.range.max = String(steps);
    if (+this.range.value !== this.k) this.range.value = String(this.k);
    this.stepLabel.textContent = `step ${this.k} / ${steps}`;
    const label = this.playing ? "Pause" : "Play";
    if (this.playText.textContent !== label) {
      this.playText.textContent = label;
      this.playButton.setAttribute("aria-label", label);
      this.playButton.title = label;
      this.playButton.replaceChild(svgIcon(this.playing ? "pause" : "play"),
        this.playButton.firstChild);
      this.playButton.setAttribute("aria-pressed", String(this.playing));
    }
    this.el.dataset.step = String(this.k);
    this.root.dataset.step = String(this.k);
    this.el.dataset.playing = String(this.playing);
  }

  // ---------------------------------------------------------------- data
  readSurface() {
    const s = this.model.get("surface") || {};
    const ok = Array.isArray(s.xlim) && Array.isArray(s.ylim);
    if (!ok) { this.surface = null; this.bgDirty.map = true; return; }
    const levels = Float64Array.from(s.levels || [], (v) => (v == null ? NaN : v));
    this.surface = {
      key: String(s.key ?? ""),
      title: s.title || s.name || "",
      x0: +s.xlim[0], x1: +s.xlim[1], y0: +s.ylim[0], y1: +s.ylim[1],
      xlabel: s.xlabel || "x",
      ylabel: s.ylabel || "y",
      nx: s.nx | 0,
      ny: s.ny | 0,
      z: f32(s.z),
      levels,
      shade: (s.shade || []).map((v) => (isNum(v) ? v : 0)),
      minima: (s.minima || []).filter((p) => p && isNum(p[0]) && isNum(p[1])),
      saddles: (s.saddles || []).filter((p) => p && isNum(p[0]) && isNum(p[1])),
    };
    this.surfaceVersion = (this.surfaceVersion || 0) + 1;
  }

  readPaths() {
    const list = this.model.get("paths") || [];
    this.paths = list.map((p) => {
      const xy = f32(p.xy) || new Float32Array(0);
      const steps = p.steps | 0;
      return {
        name: String(p.name),
        label: String(p.label ?? p.name),
        color: p.color || "#000000",
        marker: p.marker || "o",
        dash: p.dash || "-",
        steps,
        diverged: p.diverged_at == null ? -1 : p.diverged_at | 0,
        exit: Array.isArray(p.exit) && isNum(p.exit[0]) && isNum(p.exit[1]) ? p.exit : null,
        xy,
        n: xy.length >> 1,
        loss: f32(p.loss),
        gap: f32(p.gap),
        grad: f32(p.grad),
        cond: f32(p.cond),
        eig: f32(p.eig),
        every: Math.max(1, Math.round(steps / 15)),
      };
    });
  }

  readInside() {
    const ins = this.model.get("inside") || {};
    if (!ins.name) { this.inside = null; return; }
    this.inside = {
      name: String(ins.name),
      label: String(ins.label ?? ""),
      eff: f32(ins.eff),
      lr: f32(ins.lr),
      rows: (ins.rows || []).map((r) => ({ label: String(r.label), values: f32(r.values) })),
      velocity: f32(ins.velocity),
      lookahead: f32(ins.lookahead),
    };
  }

  readLimits() {
    const lim = this.model.get("limits") || {};
    const pair = (v, d) => (Array.isArray(v) && isNum(v[0]) && isNum(v[1]) && v[1] > v[0]
      ? [+v[0], +v[1]] : d);
    const logPair = (v, d) => {
      const p = pair(v, d);
      return p[0] > 0 ? p : d;
    };
    this.limits = {
      x: pair(lim.x, [0, Math.max(1, this.steps())]),
      loss: logPair(lim.loss, [1e-3, 10]),
      grad: logPair(lim.grad, [1e-3, 10]),
      cond: logPair(lim.cond, [0.5, 10]),
      eff: logPair(lim.eff, [1e-3, 10]),
    };
    this.bgDirty.panels = true;
  }

  steps() {
    const s = this.model.get("steps");
    if (isNum(s) && s >= 0) return s | 0;
    return this.paths && this.paths.length ? Math.max(...this.paths.map((p) => p.steps)) : 0;
  }

  clampStep(k) { return clamp(Math.round(k) || 0, 0, this.steps()); }

  alive(p, k) { return p.diverged < 0 || k < p.diverged; }

  insidePath() {
    if (!this.inside) return null;
    return this.paths.find((p) => p.name === this.inside.name) || null;
  }

  // ---------------------------------------------------------------- step / play
  /** Show step k (local); with `commit`, send it to Python (a scrub / key press / click ended). */
  userStep(k, commit) {
    if (this.playing) this.stopPlay(true);
    this.setStep(k);
    if (commit) this.commitStep();
  }

  setStep(k) {
    const kk = this.clampStep(k);
    if (kk === this.k) { this.syncControls(); return; }
    this.k = kk;
    this.syncControls();
    this.updateInside();
    this.dirty.map = this.dirty.panels = true;
    this.request();
  }

  commitStep() {
    if (this.model.get("step") !== this.k) {
      this.model.set("step", this.k);
      this.model.save_changes();
    }
  }

  onPythonStep() {
    const k = this.model.get("step") | 0;
    if (k === this.k) return;
    this.setStep(k);
    if (this.playing) this.rebase();
  }

  onPythonPlaying() {
    const want = !!this.model.get("playing");
    if (want && !this.playing) this.startPlay(false);
    else if (!want && this.playing) this.stopPlay(false);
  }

  togglePlay() {
    if (this.playing) this.stopPlay(true); else this.startPlay(true);
  }

  startPlay(send) {
    if (this.playing) return;
    if (this.k >= this.steps()) this.setStep(0);
    this.playing = true;
    this.rebase();
    this.syncControls();
    if (send) {
      this.model.set("playing", true);
      this.model.save_changes();
    }
    this.request();
  }

  /** Stop Play; with `send`, tell Python where it stopped (one message: step + playing). */
  stopPlay(send) {
    if (!this.playing) return;
    this.playing = false;
    this.play = null;
    this.syncControls();
    let changed = false;
    if (this.model.get("step") !== this.k) { this.model.set("step", this.k); changed = true; }
    if (send && this.model.get("playing")) { this.model.set("playing", false); changed = true; }
    if (changed || send) this.model.save_changes();
  }

  rebase() {
    if (this.playing) this.play = { t0: performance.now(), k0: this.k };
  }

  /** Play: `stride` steps every `interval` ms, spread evenly over the display's frames. */
  advance(now) {
    const p = this.play;
    if (!p) return;
    const interval = Math.max(1, this.model.get("interval") | 0 || 100);
    const stride = Math.max(1, this.model.get("stride") | 0 || 1);
    const steps = this.steps();
    if (p.last !== undefined && now - p.last > 250) p.t0 += now - p.last - 16; // a hidden tab:
    p.last = now; // frames stopped, so Play paused there rather than jump ahead
    // (a frame's time may precede the performance.now() of Play's start by a little)
    let k = p.k0 + Math.floor((Math.max(0, now - p.t0) * stride) / interval);
    if (k >= steps) {
      if (this.loopBox.checked && steps > 0) {
        if (this.k >= steps) { // the last frame was shown: start again
          this.play = { t0: now, k0: 0 };
          k = 0;
        } else {
          k = steps;
        }
      } else {
        this.setStep(steps);
        this.stopPlay(true);
        return;
      }
    }
    this.setStep(k);
  }

  // ---------------------------------------------------------------- keyboard & pointer
  onKeyDown(e) {
    const key = e.key;
    if (key === " " || key === "Spacebar") {
      e.preventDefault();
      if (!e.repeat) this.togglePlay();
      return;
    }
    let k = null;
    if (key === "ArrowLeft") k = this.k - 1;
    else if (key === "ArrowRight") k = this.k + 1;
    else if (key === "Home") k = 0;
    else if (key === "End") k = this.steps();
    if (k === null) return;
    e.preventDefault();
    this.userStep(k, false);
    this.keyCommit = true;
  }

  onKeyUp(e) {
    if (this.keyCommit && ["ArrowLeft", "ArrowRight", "Home", "End"].includes(e.key)) {
      this.keyCommit = false;
      this.commitStep();
    }
  }

  onPointerDown(e) {
    if (e.button !== 0) return;
    this.press = { x: e.clientX, y: e.clientY };
  }

  onPointerUp(e) {
    const press = this.press;
    this.press = null;
    if (!press || e.button !== 0) return;
    if (Math.hypot(e.clientX - press.x, e.clientY - press.y) > CLICK_SLOP) return;
    this.mapCanvas.focus({ preventScroll: true });
    if (offline()) return;
    const d = this.mapData(e);
    if (!d || !d.inside) return;
    const old = this.model.get("start_request");
    const counter = (Array.isArray(old) && isNum(old[2]) ? old[2] : 0) + 1;
    this.model.set("start_request", [d.x, d.y, counter]);
    this.model.save_changes();
  }

  /** Data coordinates of a pointer event on the map. */
  mapData(e) {
    const L = this.lay;
    const s = this.surface;
    if (!L || !s) return null;
    const r = this.mapCanvas.getBoundingClientRect();
    const px = e.clientX - r.left;
    const py = e.clientY - r.top;
    const b = L.box;
    const x = s.x0 + ((px - b.x) / b.w) * (s.x1 - s.x0);
    const y = s.y1 - ((py - b.y) / b.h) * (s.y1 - s.y0);
    const inside = px >= b.x && px <= b.x + b.w && py >= b.y && py <= b.y + b.h;
    return { x, y, px, py, inside };
  }

  onHover(e, where) {
    const lines = where === "map" ? this.mapReadout(e) : this.panelReadout(e);
    if (!lines) { this.hideReadout(); return; }
    const ro = this.readout;
    ro.textContent = lines.join("\n");
    ro.style.display = "block";
    const rowRect = this.row.getBoundingClientRect();
    const x = e.clientX - rowRect.left;
    const y = e.clientY - rowRect.top;
    const w = ro.offsetWidth;
    const h = ro.offsetHeight;
    let left = x + 14;
    if (left + w > rowRect.width - 2) left = Math.max(2, x - 14 - w);
    let top = y + 16;
    if (top + h > rowRect.height - 2) top = Math.max(2, y - 12 - h);
    ro.style.left = `${left}px`;
    ro.style.top = `${top}px`;
  }

  hideReadout() { this.readout.style.display = "none"; }

  mapReadout(e) {
    const d = this.mapData(e);
    if (!d || !d.inside) return null;
    const f = this.fAt(d.x, d.y);
    const lines = [`x = ${fmtG(d.x)}, y = ${fmtG(d.y)}, f \u2248 ${fmtG(f)}`];
    // the nearest drawn path point within HOVER_PX
    let best = null;
    let bestD = HOVER_PX;
    const k = this.k;
    for (const p of this.paths) {
      const n = this.alive(p, k) ? Math.min(k + 1, p.n) : p.n;
      for (let i = 0; i < n; i++) {
        const dist = Math.hypot(this.px(p.xy[2 * i]) - d.px, this.py(p.xy[2 * i + 1]) - d.py);
        if (dist <= bestD) { bestD = dist; best = { p, i }; }
      }
    }
    if (best) {
      const { p, i } = best;
      if (p.diverged >= 0 && i >= p.diverged) {
        lines.push(`${p.label} \u00b7 diverged at step ${p.diverged}`);
      } else {
        const fv = p.loss && i < p.loss.length ? p.loss[i] : NaN;
        lines.push(`${p.label} \u00b7 step ${i} \u00b7 f = ${fmtG(fv)}`);
      }
    }
    return lines;
  }

  panelReadout(e) {
    const L = this.lay;
    if (!L) return null;
    const r = this.panelCanvas.getBoundingClientRect();
    const px = e.clientX - r.left;
    const py = e.clientY - r.top;
    const pi = L.panels.findIndex((b) => px >= b.x && px <= b.x + b.w && py >= b.y && py <= b.y + b.h);
    if (pi < 0) return null;
    const b = L.panels[pi];
    const [x0, x1] = this.limits.x;
    const s = clamp(Math.round(x0 + ((px - b.x) / b.w) * (x1 - x0)), 0, this.k);
    const lines = [`step ${s}`];
    if (pi < 3) {
      const field = ["gap", "grad", "cond"][pi];
      for (const p of this.paths) {
        const v = p[field];
        lines.push(`${p.label}: ${PANEL_NAMES[pi]} = ${fmtG(v && s < v.length ? v[s] : NaN)}`);
      }
    } else if (this.inside) {
      const ins = this.inside;
      const e2 = ins.eff;
      const ok = e2 && 2 * s + 1 < e2.length;
      lines.push(`x: ${fmtG(ok ? e2[2 * s] : NaN)}, y: ${fmtG(ok ? e2[2 * s + 1] : NaN)}`);
      if (ins.lr) lines.push(`learning rate: ${fmtG(s < ins.lr.length ? ins.lr[s] : NaN)}`);
    } else {
      return null;
    }
    return lines;
  }

  /** f at (x, y) from the grid: bicubic (Catmull-Rom) where the 4 x 4 neighbours are known,
   * else bilinear (f is smooth; bicubic reads it to about 4 digits on a 160 x 160 grid). */
  fAt(x, y) {
    const s = this.surface;
    if (!s || !s.z || s.nx < 2 || s.ny < 2) return NaN;
    const { nx, ny, z } = s;
    const gx = ((x - s.x0) / (s.x1 - s.x0)) * (nx - 1);
    const gy = ((y - s.y0) / (s.y1 - s.y0)) * (ny - 1);
    if (!(gx >= 0 && gx <= nx - 1 && gy >= 0 && gy <= ny - 1)) return NaN;
    const i = Math.min(Math.floor(gx), nx - 2);
    const j = Math.min(Math.floor(gy), ny - 2);
    const tx = gx - i;
    const ty = gy - j;
    const Z = (ii, jj) => z[clamp(jj, 0, ny - 1) * nx + clamp(ii, 0, nx - 1)];
    if (i >= 1 && j >= 1 && i <= nx - 3 && j <= ny - 3) {
      const w = (t) => [(-t * t * t + 2 * t * t - t) / 2, (3 * t * t * t - 5 * t * t + 2) / 2,
        (-3 * t * t * t + 4 * t * t + t) / 2, (t * t * t - t * t) / 2];
      const wx = w(tx);
      const wy = w(ty);
      let v = 0;
      for (let a = 0; a < 4; a++) {
        let rowv = 0;
        for (let c = 0; c < 4; c++) rowv += wx[c] * Z(i - 1 + c, j - 1 + a);
        v += wy[a] * rowv;
      }
      if (finite(v)) return v;
    }
    return (Z(i, j) * (1 - tx) + Z(i + 1, j) * tx) * (1 - ty) +
      (Z(i, j + 1) * (1 - tx) + Z(i + 1, j + 1) * tx) * ty;
  }

  // ---------------------------------------------------------------- layout
  /** ResizeObserver: relayout at the next frame (changing sizes inside the observer's
   * callback would make it report a loop). */
  onResize() {
    if (this.resizeRaf || this.destroyed) return;
    this.resizeRaf = requestAnimationFrame(() => {
      this.resizeRaf = 0;
      if (this.destroyed) return;
      const w = Math.floor(this.root.clientWidth);
      const dpr = window.devicePixelRatio || 1;
      if (w === this.width && dpr === this.dpr && this.lay) return;
      this.relayout();
    });
  }

  relayout() {
    const presenter = !!this.model.get("presenter");
    this.root.classList.toggle("cu-presenter", presenter);
    this.width = Math.floor(this.root.clientWidth);
    this.dpr = window.devicePixelRatio || 1;
    if (this.width <= 0) { this.lay = null; return; }
    const family = getComputedStyle(this.root).fontFamily || "sans-serif";
    const fs = presenter ? 18 : 12.5; // 13 / 9 pt of the matplotlib view at 100 dpi
    const tfs = presenter ? 16 : 11;
    const W = Math.max(300, this.width);
    const s = this.surface;
    const dx = s ? s.x1 - s.x0 : 1;
    const dy = s ? s.y1 - s.y0 : 1;
    const aspect = dx > 0 && dy > 0 ? dy / dx : 1;
    const stacked = W < 640;
    const ctx = this.mapCanvas.getContext("2d");
    ctx.font = `${tfs}px ${family}`;
    const labelWidth = (t) => Math.max(8,
      ...t.ticks.map((v) => ctx.measureText(tickLabel(v, t.decimals)).width));
    const mt = 6;
    const mb = Math.ceil(tfs + fs + 20);
    let mapW;
    let mapH;
    let panW;
    let panH;
    if (stacked) {
      mapW = W;
      panW = W;
      panH = presenter ? 620 : 460;
    } else {
      const hr = clamp(0.625 * aspect, 0.46, 0.56);
      const H = Math.max(Math.round(W * hr * 0.92), presenter ? 470 : 360);
      mapW = Math.round(W * 0.57);
      panW = W - mapW;
      mapH = panH = H;
    }
    // the plot box: equal aspect, room for the tick labels (measured) and the axis labels
    let box = null;
    let ml = Math.ceil(tfs * 2.5 + fs * 1.25 + 12);
    let mr = 10;
    for (let pass = 0; pass < 2; pass++) {
      const availW = mapW - ml - mr;
      const availH = stacked ? Math.min(availW * aspect, availW * 1.2) : mapH - mt - mb;
      const scale = Math.max(1e-9, Math.min(availW / dx, availH / dy));
      const bw = dx * scale;
      const bh = dy * scale;
      box = { x: Math.round(ml + (availW - bw) / 2), y: mt, w: bw, h: bh };
      if (!s) break;
      const yt = niceTicks(s.y0, s.y1, Math.max(3, Math.round(bh / 55)));
      const xt = niceTicks(s.x0, s.x1, Math.max(3, Math.round(bw / 60)));
      ml = Math.ceil(labelWidth(yt) + fs * 1.25 + 14);
      const lastX = tickLabel(xt.ticks[xt.ticks.length - 1], xt.decimals);
      mr = Math.ceil(Math.max(10, ctx.measureText(lastX).width / 2 + 4));
    }
    if (stacked) mapH = Math.ceil(mt + box.h + mb);
    // panels: four stacked boxes, a title above each
    const pl = Math.ceil(tfs * 3.1 + 10);
    const pr = 12;
    const th = Math.ceil(fs * 1.35 + 2);
    const pb = Math.ceil(tfs + fs + 18);
    const gap = 8;
    const ph = Math.max(30, (panH - 2 - pb - 4 * th - 3 * gap) / 4);
    const panels = [];
    for (let i = 0; i < 4; i++) {
      panels.push({ x: pl, y: 2 + th + i * (ph + th + gap), w: Math.max(30, panW - pl - pr), h: ph });
    }
    this.lay = {
      presenter, family, fs, tfs, W, mapW, mapH, panW, panH, box, panels,
      lw: presenter ? 3.2 : 2.3,
      ms: presenter ? 8 : 5.5,
      msPoint: presenter ? 14 : 11,
      msStart: presenter ? 11 : 9.5,
      msCross: presenter ? 22 : 18,
      msLossCross: presenter ? 15 : 12.5,
      eigenW: presenter ? 9.7 : 7,
    };
    this.sizeCanvas(this.mapCanvas, mapW, mapH);
    this.sizeCanvas(this.panelCanvas, panW, panH);
    this.mapCanvas.dataset.box = JSON.stringify([box.x, box.y, box.w, box.h]);
    this.panelCanvas.dataset.boxes = JSON.stringify(panels.map((b) => [b.x, b.y, b.w, b.h]));
    this.mapCanvas.setAttribute("aria-label", `map of ${s ? s.title : "the surface"}: ` +
      "the paths of the optimizers; click to move the start point; Space plays, arrows step");
    this.buildLegend();
    this.invalidateAll();
    this.drawNow(); // at once: a resize must not flash an empty canvas
  }

  sizeCanvas(canvas, w, h) {
    const dpr = this.dpr;
    const pw = Math.max(1, Math.round(w * dpr));
    const ph = Math.max(1, Math.round(h * dpr));
    if (canvas.width !== pw) canvas.width = pw;
    if (canvas.height !== ph) canvas.height = ph;
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
  }

  invalidateAll() {
    this.bgDirty.map = this.bgDirty.panels = true;
    this.dirty.map = this.dirty.panels = true;
    this.request();
  }

  // ---------------------------------------------------------------- coordinates
  px(x) {
    const s = this.surface;
    const b = this.lay.box;
    return clamp(b.x + ((x - s.x0) / (s.x1 - s.x0)) * b.w, -BIG, BIG);
  }

  py(y) {
    const s = this.surface;
    const b = this.lay.box;
    return clamp(b.y + ((s.y1 - y) / (s.y1 - s.y0)) * b.h, -BIG, BIG);
  }

  // ---------------------------------------------------------------- drawing
  request() {
    if (this.raf || this.destroyed) return;
    this.raf = requestAnimationFrame((t) => this.tick(t));
  }

  tick(now) {
    this.raf = 0;
    if (this.destroyed) return;
    if (this.playing) this.advance(now);
    if (this.dirty.map || this.dirty.panels) this.drawNow();
    if (this.playing) this.request();
  }

  drawNow() {
    if (!this.lay) return;
    const t0 = performance.now();
    if (this.bgDirty.map) {
      this.drawMapBackground();
      this.el.dataset.backgroundMs = (performance.now() - t0).toFixed(1);
    }
    if (this.bgDirty.panels) this.drawPanelBackground();
    this.drawMap();
    this.drawPanels();
    this.dirty.map = this.dirty.panels = false;
    this.frames += 1;
    const dt = performance.now() - t0;
    this.drawTimes.push(dt);
    if (this.drawTimes.length > 120) this.drawTimes.shift();
    const mean = this.drawTimes.reduce((a, b) => a + b, 0) / this.drawTimes.length;
    this.el.dataset.frames = String(this.frames);
    this.root.dataset.frames = String(this.frames);
    this.el.dataset.drawMs = mean.toFixed(3);
  }

  offscreen(old, w, h) {
    const c = old || document.createElement("canvas");
    const pw = Math.max(1, Math.round(w * this.dpr));
    const ph = Math.max(1, Math.round(h * this.dpr));
    if (c.width !== pw) c.width = pw;
    if (c.height !== ph) c.height = ph;
    return c;
  }

  /** The filled bands and iso-lines of the surface, in device pixels of the plot box. */
  renderContour() {
    const s = this.surface;
    const L = this.lay;
    const dpr = this.dpr;
    const key = `${this.surfaceVersion}|${L.box.w}|${L.box.h}|${dpr}`;
    if (this.contour && this.contourKey === key) return this.contour;
    const c = this.offscreen(this.contour, L.box.w, L.box.h);
    const ctx = c.getContext("2d");
    const W = c.width;
    const H = c.height;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = WHITE;
    ctx.fillRect(0, 0, W, H);
    const { nx, ny, z } = s;
    if (z && nx >= 2 && ny >= 2 && z.length >= nx * ny) {
      // the bands at CSS-pixel resolution (flat greys: scaling them up loses nothing)
      const fw = Math.max(1, Math.round(L.box.w));
      const fh = Math.max(1, Math.round(L.box.h));
      const fill = document.createElement("canvas");
      fill.width = fw;
      fill.height = fh;
      const fctx = fill.getContext("2d");
      const img = fctx.createImageData(fw, fh);
      bandImage(new Uint32Array(img.data.buffer), fw, fh, s);
      fctx.putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(fill, 0, 0, W, H);
      // the iso-lines, crisp at device resolution
      if (!s.iso) s.iso = isoSegments(z, nx, ny, s.levels);
      const seg = s.iso;
      const sx = W / (nx - 1);
      const sy = H / (ny - 1);
      ctx.beginPath();
      for (let q = 0; q < seg.length; q += 4) {
        ctx.moveTo(seg[q] * sx, H - seg[q + 1] * sy);
        ctx.lineTo(seg[q + 2] * sx, H - seg[q + 3] * sy);
      }
      ctx.strokeStyle = ISO_LINE;
      ctx.lineWidth = 0.6 * dpr;
      ctx.stroke();
    }
    this.contour = c;
    this.contourKey = key;
    return c;
  }

  text(ctx, str, x, y, { size, align = "left", base = "alphabetic", color = TEXT, bold = false } = {}) {
    ctx.font = `${bold ? "bold " : ""}${size}px ${this.lay.family}`;
    ctx.textAlign = align;
    ctx.textBaseline = base;
    ctx.fillStyle = color;
    ctx.fillText(str, x, y);
  }

  /** Text in a white box (alpha 0.8), as the map's title and step label. */
  boxedText(ctx, str, x, y, align, base) {
    const L = this.lay;
    ctx.font = `${L.fs}px ${L.family}`;
    const w = ctx.measureText(str).width;
    const h = L.fs * 1.25;
    const pad = 3;
    const left = align === "right" ? x - w : x;
    const top = base === "top" ? y : y - h;
    ctx.fillStyle = "rgba(255, 255, 255, 0.8)";
    ctx.fillRect(left - pad, top - pad, w + 2 * pad, h + 2 * pad);
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.fillStyle = TEXT;
    ctx.fillText(str, left, top + h / 2 + 0.5);
  }

  drawMapBackground() {
    const L = this.lay;
    const c = (this.bgMap = this.offscreen(this.bgMap, L.mapW, L.mapH));
    const ctx = c.getContext("2d");
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = WHITE;
    ctx.fillRect(0, 0, L.mapW, L.mapH);
    const b = L.box;
    const s = this.surface;
    if (s) {
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(this.renderContour(), b.x, b.y, b.w, b.h);
      ctx.imageSmoothingEnabled = true;
      // minima (white stars) and saddles (white X), clipped to the box
      ctx.save();
      ctx.beginPath();
      ctx.rect(b.x, b.y, b.w, b.h);
      ctx.clip();
      const k = L.presenter ? 1.3 : 1;
      for (const m of s.minima) {
        drawMarker(ctx, "*", this.px(m[0]), this.py(m[1]), 17.5 * k, WHITE, "#000", 1.3);
      }
      for (const m of s.saddles) {
        drawMarker(ctx, "X", this.px(m[0]), this.py(m[1]), 13 * k, WHITE, "#000", 1.3);
      }
      ctx.restore();
    }
    // frame, ticks and tick labels, axis labels
    ctx.strokeStyle = "#000";
    ctx.lineWidth = 1;
    ctx.setLineDash([]);
    ctx.strokeRect(b.x, b.y, b.w, b.h);
    if (s) {
      const tick = 5;
      const xt = niceTicks(s.x0, s.x1, Math.max(3, Math.round(b.w / 60)));
      const yt = niceTicks(s.y0, s.y1, Math.max(3, Math.round(b.h / 55)));
      ctx.beginPath();
      for (const v of xt.ticks) {
        const x = Math.round(this.px(v)) + 0.5;
        ctx.moveTo(x, b.y + b.h);
        ctx.lineTo(x, b.y + b.h + tick);
      }
      for (const v of yt.ticks) {
        const y = Math.round(this.py(v)) + 0.5;
        ctx.moveTo(b.x, y);
        ctx.lineTo(b.x - tick, y);
      }
      ctx.stroke();
      for (const v of xt.ticks) {
        this.text(ctx, tickLabel(v, xt.decimals), this.px(v), b.y + b.h + tick + 2,
          { size: L.tfs, align: "center", base: "top" });
      }
      for (const v of yt.ticks) {
        this.text(ctx, tickLabel(v, yt.decimals), b.x - tick - 3, this.py(v),
          { size: L.tfs, align: "right", base: "middle" });
      }
      this.text(ctx, s.xlabel, b.x + b.w / 2, b.y + b.h + tick + L.tfs + 6,
        { size: L.fs, align: "center", base: "top" });
      ctx.font = `${L.tfs}px ${L.family}`;
      const ylw = Math.max(8, ...yt.ticks.map((v) => ctx.measureText(tickLabel(v, yt.decimals)).width));
      ctx.save();
      ctx.translate(Math.max(2, b.x - tick - 3 - ylw - 6 - L.fs * 1.1), b.y + b.h / 2);
      ctx.rotate(-Math.PI / 2);
      this.text(ctx, s.ylabel, 0, 0, { size: L.fs, align: "center", base: "top" });
      ctx.restore();
      this.boxedText(ctx, s.title, b.x + 6, b.y + 6, "left", "top");
    }
    this.bgDirty.map = false;
  }

  drawPanelBackground() {
    const L = this.lay;
    const c = (this.bgPanels = this.offscreen(this.bgPanels, L.panW, L.panH));
    const ctx = c.getContext("2d");
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = WHITE;
    ctx.fillRect(0, 0, L.panW, L.panH);
    const [x0, x1] = this.limits.x;
    const titles = [...PANEL_TITLES, this.model.get("eff_title") || ""];
    const first = L.panels[0];
    const xt = niceTicks(x0, x1, Math.max(3, Math.round(first.w / 55)));
    const tick = 4;
    L.panels.forEach((b, i) => {
      const [lo, hi] = this.limits[PANEL_KEYS[i]];
      const decades = logTicks(lo, hi, 4);
      const Y = (e) => b.y + ((Math.log10(hi) - e) / (Math.log10(hi) - Math.log10(lo))) * b.h;
      const X = (v) => b.x + ((v - x0) / (x1 - x0)) * b.w;
      // grid
      ctx.strokeStyle = GRID;
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (const v of xt.ticks) {
        const x = Math.round(X(v)) + 0.5;
        ctx.moveTo(x, b.y);
        ctx.lineTo(x, b.y + b.h);
      }
      for (const e of decades) {
        const y = Math.round(Y(e)) + 0.5;
        ctx.moveTo(b.x, y);
        ctx.lineTo(b.x + b.w, y);
      }
      ctx.stroke();
      // frame and ticks
      ctx.strokeStyle = "#000";
      ctx.strokeRect(b.x, b.y, b.w, b.h);
      ctx.beginPath();
      for (const v of xt.ticks) {
        const x = Math.round(X(v)) + 0.5;
        ctx.moveTo(x, b.y + b.h); ctx.lineTo(x, b.y + b.h + tick);
      }
      for (const e of decades) {
        const y = Math.round(Y(e)) + 0.5;
        ctx.moveTo(b.x, y); ctx.lineTo(b.x - tick, y);
      }
      ctx.stroke();
      for (const e of decades) {
        this.text(ctx, decadeLabel(10 ** e), b.x - tick - 3, Y(e),
          { size: L.tfs, align: "right", base: "middle" });
      }
      if (i === 3) {
        for (const v of xt.ticks) {
          this.text(ctx, tickLabel(v, xt.decimals), X(v), b.y + b.h + tick + 2,
            { size: L.tfs, align: "center", base: "top" });
        }
        this.text(ctx, "step", b.x + b.w / 2, b.y + b.h + tick + L.tfs + 5,
          { size: L.fs, align: "center", base: "top" });
      }
      if (titles[i]) this.text(ctx, titles[i], b.x, b.y - 4, { size: L.fs, base: "bottom" });
    });
    this.bgDirty.panels = false;
  }

  blit(canvas, bg) {
    const ctx = canvas.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    if (bg) ctx.drawImage(bg, 0, 0);
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    return ctx;
  }

  /** A polyline through xy[from .. to) (pairs), broken at NaN. */
  polyline(ctx, xy, from, to) {
    let pen = false;
    for (let i = from; i < to; i++) {
      const x = xy[2 * i];
      const y = xy[2 * i + 1];
      if (x !== x || y !== y) { pen = false; continue; }
      const X = this.px(x);
      const Y = this.py(y);
      if (pen) ctx.lineTo(X, Y); else { ctx.moveTo(X, Y); pen = true; }
    }
  }

  drawMap() {
    const L = this.lay;
    const ctx = this.blit(this.mapCanvas, this.bgMap);
    const s = this.surface;
    if (!s) return;
    const b = L.box;
    const k = this.k;
    ctx.save();
    ctx.beginPath();
    ctx.rect(b.x, b.y, b.w, b.h);
    ctx.clip();
    const ins = this.inside;
    const ip = this.insidePath();
    const showInside = ins && ip && this.alive(ip, k) && k <= ip.steps && k < ip.n;
    // the Hessian's eigen-directions: translucent bands under the paths
    if (showInside && ip.eig && 6 * k + 5 < ip.eig.length) {
      const e = ip.eig.subarray(6 * k, 6 * k + 6);
      if (finite(e[0]) && finite(e[1])) {
        const size = 0.11 * Math.max(s.x1 - s.x0, s.y1 - s.y0);
        const halves = eigenHalfLengths(e[0], e[1], size);
        const cx = ip.xy[2 * k];
        const cy = ip.xy[2 * k + 1];
        ctx.lineCap = "round";
        ctx.lineWidth = L.eigenW;
        ctx.setLineDash([]);
        for (let i = 0; i < 2; i++) {
          const vx = e[2 + 2 * i] * halves[i];
          const vy = e[3 + 2 * i] * halves[i];
          if (!finite(vx) || !finite(vy)) continue;
          ctx.beginPath();
          ctx.moveTo(this.px(cx - vx), this.py(cy - vy));
          ctx.lineTo(this.px(cx + vx), this.py(cy + vy));
          ctx.strokeStyle = e[i] < 0 ? EIGEN_RED : EIGEN_GREY;
          ctx.stroke();
        }
      }
    }
    // the paths, their markers every `every` points, their start
    for (const p of this.paths) {
      const alive = this.alive(p, k);
      const n = alive ? Math.min(k + 1, p.n) : p.n;
      if (n <= 0) continue;
      ctx.beginPath();
      this.polyline(ctx, p.xy, 0, n);
      ctx.lineWidth = L.lw;
      ctx.lineJoin = "round";
      ctx.lineCap = p.dash === "-" ? "round" : "butt";
      ctx.setLineDash(dashPattern(p.dash, L.lw));
      ctx.strokeStyle = p.color;
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.beginPath();
      for (let i = 0; i < n; i += p.every) {
        const x = p.xy[2 * i];
        const y = p.xy[2 * i + 1];
        if (x === x && y === y) markerPath(ctx, p.marker, this.px(x), this.py(y), L.ms);
      }
      ctx.fillStyle = p.color;
      ctx.fill();
    }
    for (const p of this.paths) {
      if (p.n > 0) {
        drawMarker(ctx, "o", this.px(p.xy[0]), this.py(p.xy[1]), L.msStart, WHITE, p.color, 1.4);
      }
    }
    // current points, then the crosses of diverged paths
    for (const p of this.paths) {
      if (this.alive(p, k) && k < p.n) {
        drawMarker(ctx, p.marker, this.px(p.xy[2 * k]), this.py(p.xy[2 * k + 1]), L.msPoint,
          p.color, "#000", 1.2);
      }
    }
    // inside the inspected optimizer: next step, velocity, look-ahead
    if (showInside) {
      const x = ip.xy[2 * k];
      const y = ip.xy[2 * k + 1];
      const X = this.px(x);
      const Y = this.py(y);
      if (k < ip.steps && k + 1 < ip.n) {
        drawArrow(ctx, X, Y, this.px(ip.xy[2 * k + 2]) - X, this.py(ip.xy[2 * k + 3]) - Y,
          0.005 * b.w, "#000", null, 0);
      }
      const v = ins.velocity;
      if (v && 2 * k + 1 < v.length && finite(v[2 * k]) && finite(v[2 * k + 1])) {
        drawArrow(ctx, X, Y, this.px(x + v[2 * k]) - X, this.py(y + v[2 * k + 1]) - Y,
          0.007 * b.w, WHITE, "#000", 1.1);
      }
      const la = ins.lookahead;
      if (la && 2 * k + 1 < la.length && finite(la[2 * k]) && finite(la[2 * k + 1])) {
        const r = (L.presenter ? 15 : 12.5) / 2;
        ctx.beginPath();
        ctx.arc(this.px(la[2 * k]), this.py(la[2 * k + 1]), r, 0, 2 * Math.PI);
        ctx.setLineDash([]);
        ctx.lineWidth = 2.5;
        ctx.strokeStyle = "#000";
        ctx.stroke();
      }
    }
    ctx.restore();
    // the crosses of diverged paths, on the box's edge: drawn whole, over the frame
    for (const p of this.paths) {
      if (p.exit && !this.alive(p, k)) {
        drawMarker(ctx, "X", this.px(p.exit[0]), this.py(p.exit[1]), L.msCross, p.color, "#000", 1.6);
      }
    }
    this.boxedText(ctx, `step ${k} / ${this.steps()}`, b.x + b.w - 6, b.y + b.h - 6, "right", "bottom");
  }

  /** A curve of `values` (stride `step`, offset `off`) at steps 0 .. m-1 on panel box b. */
  curve(ctx, b, lim, values, m, step = 1, off = 0) {
    const [x0, x1] = this.limits.x;
    const lhi = Math.log10(lim[1]);
    const llo = Math.log10(lim[0]);
    const sy = b.h / (lhi - llo);
    const sx = b.w / (x1 - x0);
    let pen = false;
    for (let i = 0; i < m; i++) {
      let v = values[i * step + off];
      if (v !== v) { pen = false; continue; }
      if (!(v > lim[0])) v = lim[0]; // a gap of 0 (float32 underflow): at the lower limit
      const X = b.x + (i - x0) * sx;
      const Y = clamp(b.y + (lhi - Math.log10(v)) * sy, -BIG, BIG);
      if (pen) ctx.lineTo(X, Y); else { ctx.moveTo(X, Y); pen = true; }
    }
  }

  drawPanels() {
    const L = this.lay;
    const ctx = this.blit(this.panelCanvas, this.bgPanels);
    const k = this.k;
    const [x0, x1] = this.limits.x;
    const fields = ["gap", "grad", "cond"];
    L.panels.forEach((b, pi) => {
      const lim = this.limits[PANEL_KEYS[pi]];
      ctx.save();
      ctx.beginPath();
      ctx.rect(b.x, b.y, b.w, b.h);
      ctx.clip();
      ctx.lineJoin = "round";
      if (pi < 3) {
        for (const p of this.paths) {
          const v = p[fields[pi]];
          if (!v) continue;
          ctx.beginPath();
          this.curve(ctx, b, lim, v, Math.min(k + 1, v.length));
          ctx.lineWidth = L.lw;
          ctx.lineCap = "butt";
          ctx.setLineDash(dashPattern(p.dash, L.lw));
          ctx.strokeStyle = p.color;
          ctx.stroke();
        }
        ctx.setLineDash([]);
      } else if (this.inside) {
        const ins = this.inside;
        const ip = this.insidePath();
        const color = ip ? ip.color : "#000";
        const steps = ip ? ip.steps : this.steps();
        const m = Math.min(k, steps) + 1;
        if (ins.eff) {
          for (let c = 0; c < 2; c++) {
            ctx.beginPath();
            this.curve(ctx, b, lim, ins.eff, Math.min(m, ins.eff.length >> 1), 2, c);
            ctx.lineWidth = L.lw;
            ctx.setLineDash(c ? dashPattern("--", L.lw) : []);
            ctx.strokeStyle = color;
            ctx.stroke();
          }
        }
        if (ins.lr) {
          ctx.beginPath();
          this.curve(ctx, b, lim, ins.lr, Math.min(m, ins.lr.length));
          const w = L.presenter ? 2.2 : 1.7;
          ctx.lineWidth = w;
          ctx.setLineDash(dashPattern(":", w));
          ctx.strokeStyle = LR_GREY;
          ctx.stroke();
        }
        ctx.setLineDash([]);
      }
      // the cursor at step k
      const X = Math.round(b.x + ((k - x0) / (x1 - x0)) * b.w) + 0.5;
      ctx.beginPath();
      ctx.moveTo(X, b.y);
      ctx.lineTo(X, b.y + b.h);
      ctx.lineWidth = 1.1;
      ctx.strokeStyle = CURSOR;
      ctx.stroke();
      ctx.restore();
      if (pi === 0) { // a diverged path's ✕ at (diverged_at, hi / 2), drawn whole
        for (const p of this.paths) {
          if (p.diverged >= 0 && !this.alive(p, k)) {
            const X = b.x + ((p.diverged - x0) / (x1 - x0)) * b.w;
            const Y = b.y + (Math.log10(2) / (Math.log10(lim[1]) - Math.log10(lim[0]))) * b.h;
            drawMarker(ctx, "X", X, Y, L.msLossCross, p.color, "#000", 1.2);
          }
        }
      }
      if (pi === 3 && this.inside) this.effLegend(ctx, b);
    });
  }

  /** The legend of the fourth panel (x, y, and the learning rate ε), bottom right. */
  effLegend(ctx, b) {
    const L = this.lay;
    const ip = this.insidePath();
    const color = ip ? ip.color : "#000";
    const items = [["x", color, "-", L.lw], ["y", color, "--", L.lw]];
    if (this.inside.lr) items.push(["\u03b5", LR_GREY, ":", L.presenter ? 2.2 : 1.7]);
    const size = L.tfs;
    ctx.font = `${size}px ${L.family}`;
    const handle = 1.8 * size;
    const widths = items.map(([t]) => handle + 4 + ctx.measureText(t).width);
    const gap = size;
    const total = widths.reduce((a, w) => a + w, 0) + gap * (items.length - 1) + 8;
    const h = size * 1.5;
    const right = b.x + b.w - 3;
    const bottom = b.y + b.h - 3;
    ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
    ctx.fillRect(right - total, bottom - h, total, h);
    let x = right - total + 4;
    const y = bottom - h / 2;
    items.forEach(([t, c, dash, lw], i) => {
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x + handle, y);
      ctx.lineWidth = lw;
      ctx.setLineDash(dashPattern(dash, lw));
      ctx.strokeStyle = c;
      ctx.stroke();
      ctx.setLineDash([]);
      this.text(ctx, t, x + handle + 4, y, { size, base: "middle" });
      x += widths[i] + gap;
    });
  }

  // ---------------------------------------------------------------- teardown
  destroy() {
    this.destroyed = true;
    if (this.raf) cancelAnimationFrame(this.raf);
    if (this.resizeRaf) cancelAnimationFrame(this.resizeRaf);
    this.raf = this.resizeRaf = 0;
    this.resizeObserver.disconnect();
    for (const [name, cb] of this.listeners) this.model.off(name, cb);
    for (const [target, type, fn, opts] of this.domListeners || []) {
      target.removeEventListener(type, fn, opts);
    }
    this.root.remove();
  }
}

export default {
  render({ model, el }) {
    const view = new CanvasExplorer(model, el);
    return () => view.destroy();
  },
};
