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
// Its source is the files of this folder, one responsibility each, which canvas.py
// (CANVAS_PARTS, esm_source()) joins in a fixed order; there is no build step:
//   format.js   binary traits as float32, numbers as Python prints them, axis ticks
//   dom.js      the stylesheet, shared colours, DOM helpers, the offline flag
//   shapes.js   dashes, markers, arrows and text on a canvas; the legend's SVG swatches
//   data.js     ExplorerData: the traits decoded (surface, paths, inside, limits, steps)
//   layout.js   the sizes of everything for a width (computeLayout); MapFrame (data <-> px)
//   surface.js  contour bands, iso-lines (marching squares), f from the grid; MapBackground
//   map.js      MapView: the map canvas per frame (paths, markers, eigen-bands, arrows); clicks
//   panels.js   PanelsView: the four log panels against the step
//   inside.js   InsideTable: the inspected optimizer's state at the step
//   readout.js  Readout: the hover read-out on the map and the panels
//   playbar.js  PlayBar: Play, the scrubber, the step buttons, the keyboard, Play's pacing
//   widget.js   CanvasExplorer: model wiring, DOM, layout, resize, frames; `export default`
// The files share one module scope: a file may use what any other defines inside functions and
// methods (they run after the whole module is loaded), but top-level code only what an earlier
// file defines. No `import`/`export` anywhere except widget.js's final `export default`
// (tests/test_architecture.py checks this and the sizes of files and classes).

// format.js: binary traits as float32 arrays, numbers as Python formats them, axis ticks.

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
