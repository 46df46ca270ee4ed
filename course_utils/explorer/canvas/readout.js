// readout.js: Readout, the hover read-out (a box that follows the pointer): on the map
// "x = …, y = …, f ≈ …" (f from the grid) and, within HOVER_PX of a drawn path point, that
// path's step and f; on a panel the step under the pointer (at most k) and each path's value.

const HOVER_PX = 10; // px from a drawn path point for the path read-out

class Readout {
  /** `view`: the widget; `row`: the element the box is positioned in; `box`: the box. */
  constructor(view, row, box) {
    this.view = view;
    this.row = row;
    this.box = box;
  }

  /** Show the read-out for pointer event `e` on the "map" or the "panels" (hide if none). */
  show(e, where) {
    const lines = where === "map" ? this.mapLines(e) : this.panelLines(e);
    if (!lines) { this.hide(); return; }
    const ro = this.box;
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

  hide() { this.box.style.display = "none"; }

  mapLines(e) {
    const view = this.view;
    const data = view.data;
    const d = view.map.dataAt(e);
    if (!d || !d.inside) return null;
    const F = view.lay.frame;
    const f = gridValue(data.surface, d.x, d.y);
    const lines = [`x = ${fmtG(d.x)}, y = ${fmtG(d.y)}, f \u2248 ${fmtG(f)}`];
    // the nearest drawn path point within HOVER_PX
    let best = null;
    let bestD = HOVER_PX;
    const k = view.k;
    for (const p of data.paths) {
      const n = data.alive(p, k) ? Math.min(k + 1, p.n) : p.n;
      for (let i = 0; i < n; i++) {
        const dist = Math.hypot(F.px(p.xy[2 * i]) - d.px, F.py(p.xy[2 * i + 1]) - d.py);
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

  panelLines(e) {
    const view = this.view;
    const L = view.lay;
    if (!L) return null;
    const data = view.data;
    const r = view.panelCanvas.getBoundingClientRect();
    const px = e.clientX - r.left;
    const py = e.clientY - r.top;
    const pi = L.panels.findIndex((b) => px >= b.x && px <= b.x + b.w && py >= b.y && py <= b.y + b.h);
    if (pi < 0) return null;
    const b = L.panels[pi];
    const [x0, x1] = data.limits.x;
    const s = clamp(Math.round(x0 + ((px - b.x) / b.w) * (x1 - x0)), 0, view.k);
    const lines = [`step ${s}`];
    if (pi < 3) {
      const field = PANEL_FIELDS[pi];
      for (const p of data.paths) {
        const v = p[field];
        lines.push(`${p.label}: ${PANEL_NAMES[pi]} = ${fmtG(v && s < v.length ? v[s] : NaN)}`);
      }
    } else if (data.inside) {
      const ins = data.inside;
      const e2 = ins.eff;
      const ok = e2 && 2 * s + 1 < e2.length;
      lines.push(`x: ${fmtG(ok ? e2[2 * s] : NaN)}, y: ${fmtG(ok ? e2[2 * s + 1] : NaN)}`);
      if (ins.lr) lines.push(`learning rate: ${fmtG(s < ins.lr.length ? ins.lr[s] : NaN)}`);
    } else {
      return null;
    }
    return lines;
  }
}
