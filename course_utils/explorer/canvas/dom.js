// dom.js: the stylesheet (injected by render(), no separate file to load), the colours shared
// by several parts, small DOM / SVG helpers and the offline flag of the HTML edition.

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
const SVG_NS = "http://www.w3.org/2000/svg";
const OFFLINE_NOTE = "Offline copy: Play, the scrubber and hovering work; the sliders need a " +
  "running kernel (open the notebook in Jupyter).";

/** A new element `tag` of class `cls` (optional), appended to `parent`, with `text`. */
function el_(tag, cls, parent, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

/** The play bar's icons (16 x 16 SVG, filled with the text colour). */
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

/** In the offline HTML edition (no kernel; set by its shim before any widget renders). */
function offline() {
  return globalThis.__COURSE_OFFLINE__ === true;
}
