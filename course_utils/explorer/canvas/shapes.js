// shapes.js: how lines, markers, arrows and text look, as in the matplotlib view: canvas
// primitives shared by the map and the panels, offscreen canvases, and the legend's SVG
// swatches (the same marker shapes and dashes).

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

/** The vertices of `marker` (null for a circle or an unknown marker). */
function markerVertices(marker) {
  return Object.prototype.hasOwnProperty.call(MARKERS, marker) ? MARKERS[marker] : null;
}

/** Add a marker's outline to the current path of ctx (centred at x, y in px). */
function markerPath(ctx, marker, x, y, ms) {
  const pts = markerVertices(marker);
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

/** Text at (x, y) in the layout's font `family`. */
function drawText(ctx, family, str, x, y,
  { size, align = "left", base = "alphabetic", color = TEXT, bold = false } = {}) {
  ctx.font = `${bold ? "bold " : ""}${size}px ${family}`;
  ctx.textAlign = align;
  ctx.textBaseline = base;
  ctx.fillStyle = color;
  ctx.fillText(str, x, y);
}

/** Text in a white box (alpha 0.8), as the map's title and step label (layout `L`). */
function drawBoxedText(ctx, L, str, x, y, align, base) {
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

/** An offscreen canvas of w x h CSS px at `dpr` (`old`, resized, when there is one). */
function offscreen(old, w, h, dpr) {
  const c = old || document.createElement("canvas");
  const pw = Math.max(1, Math.round(w * dpr));
  const ph = Math.max(1, Math.round(h * dpr));
  if (c.width !== pw) c.width = pw;
  if (c.height !== ph) c.height = ph;
  return c;
}

/** Copy the background `bg` onto `canvas`; its context, scaled to draw in CSS px. */
function blit(canvas, bg, dpr) {
  const ctx = canvas.getContext("2d");
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  if (bg) ctx.drawImage(bg, 0, 0);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
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
  const pts = markerVertices(path.marker);
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
