// data.js: what the kernel sent, decoded once per change (binary traits as Float32Arrays,
// defaults for what is missing) and the questions the parts ask of it (how many steps, is a
// path alive at step k, which path is inspected). It neither draws nor sends.

class ExplorerData {
  constructor(model) {
    this.model = model;
    this.surface = null; // null until a surface with a plot box arrives
    this.surfaceVersion = 0; // +1 per surface read (keys the contour cache)
    this.paths = [];
    this.inside = null; // the inspected optimizer's series, or null
    this.limits = null;
  }

  readSurface() {
    const s = this.model.get("surface") || {};
    const ok = Array.isArray(s.xlim) && Array.isArray(s.ylim);
    if (!ok) { this.surface = null; return; }
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
      // iso: the iso-lines' segments, computed at the first draw (surface.js)
    };
    this.surfaceVersion += 1;
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

  /** The panels' axis limits (Python computes them; defaults where a pair is unusable). */
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
  }

  /** The number of steps set (the scrubber's maximum). */
  steps() {
    const s = this.model.get("steps");
    if (isNum(s) && s >= 0) return s | 0;
    return this.paths.length ? Math.max(...this.paths.map((p) => p.steps)) : 0;
  }

  clampStep(k) { return clamp(Math.round(k) || 0, 0, this.steps()); }

  alive(p, k) { return p.diverged < 0 || k < p.diverged; }

  /** The inspected optimizer's path (null when none is inspected or shown). */
  insidePath() {
    if (!this.inside) return null;
    return this.paths.find((p) => p.name === this.inside.name) || null;
  }
}
