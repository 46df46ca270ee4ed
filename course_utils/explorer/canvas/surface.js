// surface.js: the surface's grid of f: iso-lines by marching squares, the filled contour
// bands, f read back from the grid (hover), and MapBackground, the map's static picture
// (bands, iso-lines, minima and saddles, frame, ticks, labels, title) drawn offscreen once per
// surface / size and blitted every frame.

const ISO_LINE = "rgba(0, 0, 0, 0.25)";

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

/** f at (x, y) from the grid of surface s: bicubic (Catmull-Rom) where the 4 x 4 neighbours
 * are known, else bilinear (f is smooth; bicubic reads it to about 4 digits on a 160 x 160
 * grid). NaN outside the plot box. */
function gridValue(s, x, y) {
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

/** The map's static picture, offscreen: redrawn by draw() when the surface or the layout
 * changes (the widget decides when); the bands and iso-lines are cached apart, keyed by the
 * surface's version, the plot box's size and the device-pixel ratio. */
class MapBackground {
  constructor() {
    this.canvas = null; // offscreen: the whole background of the map canvas
    this.contour = null; // offscreen: the filled bands + iso-lines of the plot box
    this.contourKey = "";
  }

  /** The filled bands and iso-lines of surface s, in device pixels of the plot box. */
  renderContour(s, version, L, dpr) {
    const key = `${version}|${L.box.w}|${L.box.h}|${dpr}`;
    if (this.contour && this.contourKey === key) return this.contour;
    const c = offscreen(this.contour, L.box.w, L.box.h, dpr);
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

  /** Draw the background of surface `s` (or null: an empty frame) for layout L; the canvas. */
  draw(s, version, L, dpr) {
    const c = (this.canvas = offscreen(this.canvas, L.mapW, L.mapH, dpr));
    const ctx = c.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = WHITE;
    ctx.fillRect(0, 0, L.mapW, L.mapH);
    const b = L.box;
    const F = L.frame;
    if (s) {
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(this.renderContour(s, version, L, dpr), b.x, b.y, b.w, b.h);
      ctx.imageSmoothingEnabled = true;
      // minima (white stars) and saddles (white X), clipped to the box
      ctx.save();
      ctx.beginPath();
      ctx.rect(b.x, b.y, b.w, b.h);
      ctx.clip();
      const k = L.presenter ? 1.3 : 1;
      for (const m of s.minima) {
        drawMarker(ctx, "*", F.px(m[0]), F.py(m[1]), 17.5 * k, WHITE, "#000", 1.3);
      }
      for (const m of s.saddles) {
        drawMarker(ctx, "X", F.px(m[0]), F.py(m[1]), 13 * k, WHITE, "#000", 1.3);
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
        const x = Math.round(F.px(v)) + 0.5;
        ctx.moveTo(x, b.y + b.h);
        ctx.lineTo(x, b.y + b.h + tick);
      }
      for (const v of yt.ticks) {
        const y = Math.round(F.py(v)) + 0.5;
        ctx.moveTo(b.x, y);
        ctx.lineTo(b.x - tick, y);
      }
      ctx.stroke();
      for (const v of xt.ticks) {
        drawText(ctx, L.family, tickLabel(v, xt.decimals), F.px(v), b.y + b.h + tick + 2,
          { size: L.tfs, align: "center", base: "top" });
      }
      for (const v of yt.ticks) {
        drawText(ctx, L.family, tickLabel(v, yt.decimals), b.x - tick - 3, F.py(v),
          { size: L.tfs, align: "right", base: "middle" });
      }
      drawText(ctx, L.family, s.xlabel, b.x + b.w / 2, b.y + b.h + tick + L.tfs + 6,
        { size: L.fs, align: "center", base: "top" });
      ctx.font = `${L.tfs}px ${L.family}`;
      const ylw = Math.max(8, ...yt.ticks.map((v) => ctx.measureText(tickLabel(v, yt.decimals)).width));
      ctx.save();
      ctx.translate(Math.max(2, b.x - tick - 3 - ylw - 6 - L.fs * 1.1), b.y + b.h / 2);
      ctx.rotate(-Math.PI / 2);
      drawText(ctx, L.family, s.ylabel, 0, 0, { size: L.fs, align: "center", base: "top" });
      ctx.restore();
      drawBoxedText(ctx, L, s.title, b.x + 6, b.y + 6, "left", "top");
    }
    return c;
  }
}
