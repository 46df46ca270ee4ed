// panels.js: PanelsView, the four log-y panels against the step (x = [0, steps] shared):
// loss gap f − f*, gradient norm ‖∇f‖, condition number κ and, with an inspected optimizer,
// its effective learning rate (x solid, y dashed, the learning rate dotted). Their frames,
// grids, ticks and titles are drawn offscreen once per layout / limits; a frame blits them and
// draws the curves up to step k, a cursor at k and the ✕ of diverged paths.

const PANEL_TITLES = ["loss gap f \u2212 f*", "gradient norm \u2016\u2207f\u2016",
  "condition number \u03ba = |\u03bb|max / |\u03bb|min along the path"];
// shorter forms of a title, tried in turn where the panel is too narrow for it
const SHORT_TITLES = {
  [PANEL_TITLES[2]]: ["condition number \u03ba along the path", "condition number \u03ba"],
};

/** The longest form of `title` that fits in `width` px (else cut, with an ellipsis). */
function fitTitle(ctx, family, size, title, width) {
  ctx.font = `${size}px ${family}`;
  const fits = (str) => ctx.measureText(str).width <= width;
  for (const str of [title, ...(SHORT_TITLES[title] || [])]) if (fits(str)) return str;
  let str = title;
  while (str.length > 1 && !fits(str + "\u2026")) str = str.slice(0, -1);
  return str + "\u2026";
}
const PANEL_KEYS = ["loss", "grad", "cond", "eff"]; // their limits
const PANEL_FIELDS = ["gap", "grad", "cond"]; // the paths' series on the first three
const PANEL_NAMES = ["f \u2212 f*", "\u2016\u2207f\u2016", "\u03ba", ""]; // in the read-out
const CURSOR = "rgba(68, 68, 68, 0.6)";
const GRID = "rgba(176, 176, 176, 0.3)";
const LR_GREY = "#555555";

class PanelsView {
  /** `view`: the widget (its data, layout, step and model); `canvas`: the panels' canvas. */
  constructor(view, canvas) {
    this.view = view;
    this.canvas = canvas;
    this.bg = null; // offscreen: frames, grids, ticks, titles
  }

  drawBackground() {
    const view = this.view;
    const L = view.lay;
    const limits = view.data.limits;
    const c = (this.bg = offscreen(this.bg, L.panW, L.panH, view.dpr));
    const ctx = c.getContext("2d");
    ctx.setTransform(view.dpr, 0, 0, view.dpr, 0, 0);
    ctx.fillStyle = WHITE;
    ctx.fillRect(0, 0, L.panW, L.panH);
    const [x0, x1] = limits.x;
    const titles = [...PANEL_TITLES, view.model.get("eff_title") || ""];
    const shown = [];
    const first = L.panels[0];
    const xt = niceTicks(x0, x1, Math.max(3, Math.round(first.w / 55)));
    const tick = 4;
    const text = (str, x, y, opts) => drawText(ctx, L.family, str, x, y, opts);
    L.panels.forEach((b, i) => {
      const [lo, hi] = limits[PANEL_KEYS[i]];
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
        text(decadeLabel(10 ** e), b.x - tick - 3, Y(e),
          { size: L.tfs, align: "right", base: "middle" });
      }
      if (i === 3) {
        for (const v of xt.ticks) {
          text(tickLabel(v, xt.decimals), X(v), b.y + b.h + tick + 2,
            { size: L.tfs, align: "center", base: "top" });
        }
        text("step", b.x + b.w / 2, b.y + b.h + tick + L.tfs + 5,
          { size: L.fs, align: "center", base: "top" });
      }
      shown[i] = titles[i] ? fitTitle(ctx, L.family, L.fs, titles[i], L.panW - b.x - 2) : "";
      if (shown[i]) text(shown[i], b.x, b.y - 4, { size: L.fs, base: "bottom" });
    });
    this.canvas.dataset.titles = JSON.stringify(shown); // what was drawn (a test hook)
  }

  /** A curve of `values` (stride `step`, offset `off`) at steps 0 .. m-1 on panel box b. */
  curve(ctx, b, lim, values, m, step = 1, off = 0) {
    const [x0, x1] = this.view.data.limits.x;
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

  /** The frame at step k: the background, the curves up to k, the cursors. */
  draw() {
    const view = this.view;
    const L = view.lay;
    const data = view.data;
    const ctx = blit(this.canvas, this.bg, view.dpr);
    const k = view.k;
    const [x0, x1] = data.limits.x;
    L.panels.forEach((b, pi) => {
      const lim = data.limits[PANEL_KEYS[pi]];
      ctx.save();
      ctx.beginPath();
      ctx.rect(b.x, b.y, b.w, b.h);
      ctx.clip();
      ctx.lineJoin = "round";
      if (pi < 3) {
        for (const p of data.paths) {
          const values = p[PANEL_FIELDS[pi]];
          if (!values) continue;
          ctx.beginPath();
          this.curve(ctx, b, lim, values, Math.min(k + 1, values.length));
          ctx.lineWidth = L.lw;
          ctx.lineCap = "butt";
          ctx.setLineDash(dashPattern(p.dash, L.lw));
          ctx.strokeStyle = p.color;
          ctx.stroke();
        }
        ctx.setLineDash([]);
      } else if (data.inside) {
        this.drawEff(ctx, b, lim, k);
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
        for (const p of data.paths) {
          if (p.diverged >= 0 && !data.alive(p, k)) {
            const X = b.x + ((p.diverged - x0) / (x1 - x0)) * b.w;
            const Y = b.y + (Math.log10(2) / (Math.log10(lim[1]) - Math.log10(lim[0]))) * b.h;
            drawMarker(ctx, "X", X, Y, L.msLossCross, p.color, "#000", 1.2);
          }
        }
      }
      if (pi === 3 && data.inside) this.effLegend(ctx, b);
    });
  }

  /** The fourth panel's curves: the effective learning rate (x, y) and the learning rate. */
  drawEff(ctx, b, lim, k) {
    const L = this.view.lay;
    const data = this.view.data;
    const ins = data.inside;
    const ip = data.insidePath();
    const color = ip ? ip.color : "#000";
    const steps = ip ? ip.steps : data.steps();
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

  /** The legend of the fourth panel (x, y, and the learning rate ε), bottom right. */
  effLegend(ctx, b) {
    const L = this.view.lay;
    const data = this.view.data;
    const ip = data.insidePath();
    const color = ip ? ip.color : "#000";
    const items = [["x", color, "-", L.lw], ["y", color, "--", L.lw]];
    if (data.inside.lr) items.push(["\u03b5", LR_GREY, ":", L.presenter ? 2.2 : 1.7]);
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
      drawText(ctx, L.family, t, x + handle + 4, y, { size, base: "middle" });
      x += widths[i] + gap;
    });
  }
}
