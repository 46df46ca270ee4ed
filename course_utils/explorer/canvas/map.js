// map.js: MapView, the map canvas: every frame it blits the background (surface.js) and draws
// the moving parts at step k: the paths up to k with their markers, the start and current
// points, the ✕ of diverged paths, "step k / steps", and for the inspected optimizer the
// Hessian's eigen-directions (bands), the next step (black arrow), the velocity (white arrow)
// and the look-ahead point (ring). A click (no drag) on the map asks Python to move the start;
// dragging the start point asks again as it moves, one request at a time (the next one leaves
// when the paths of the last one arrive), so the paths follow the pointer as fast as the kernel
// answers and no faster.

const EIGEN_GREY = "rgba(51, 51, 51, 0.4)";
const EIGEN_RED = "rgba(204, 51, 18, 0.6)";
const CLICK_SLOP = 4; // px a press may move and still be a click (not a drag)
const GRAB = 10; // px from the start point within which a press grabs it
const ANSWER_WAIT_MS = 500; // a start request without new paths by then is taken as answered

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

class MapView {
  /** `view`: the widget (its data, layout, step and model); `canvas`: the map's canvas. */
  constructor(view, canvas) {
    this.view = view;
    this.canvas = canvas;
    this.background = new MapBackground();
    this.press = null; // {x, y} of a pointer press that may become a click
    // while the start point is dragged: {latest, sent: [x, y] | null, pending, done, timer}
    this.drag = null;
  }

  drawBackground() {
    const view = this.view;
    this.background.draw(view.data.surface, view.data.surfaceVersion, view.lay, view.dpr);
  }

  /** A polyline through xy[from .. to) (pairs), broken at NaN. */
  polyline(ctx, xy, from, to) {
    const F = this.view.lay.frame;
    let pen = false;
    for (let i = from; i < to; i++) {
      const x = xy[2 * i];
      const y = xy[2 * i + 1];
      if (x !== x || y !== y) { pen = false; continue; }
      const X = F.px(x);
      const Y = F.py(y);
      if (pen) ctx.lineTo(X, Y); else { ctx.moveTo(X, Y); pen = true; }
    }
  }

  /** The frame at step k: the background, then the moving parts. */
  draw() {
    const view = this.view;
    const L = view.lay;
    const data = view.data;
    const ctx = blit(this.canvas, this.background.canvas, view.dpr);
    const s = data.surface;
    if (!s) return;
    const F = L.frame;
    const b = L.box;
    const k = view.k;
    ctx.save();
    ctx.beginPath();
    ctx.rect(b.x, b.y, b.w, b.h);
    ctx.clip();
    const ins = data.inside;
    const ip = data.insidePath();
    const showInside = ins && ip && data.alive(ip, k) && k <= ip.steps && k < ip.n;
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
          ctx.moveTo(F.px(cx - vx), F.py(cy - vy));
          ctx.lineTo(F.px(cx + vx), F.py(cy + vy));
          ctx.strokeStyle = e[i] < 0 ? EIGEN_RED : EIGEN_GREY;
          ctx.stroke();
        }
      }
    }
    // the paths, their markers every `every` points, their start
    for (const p of data.paths) {
      const alive = data.alive(p, k);
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
        if (x === x && y === y) markerPath(ctx, p.marker, F.px(x), F.py(y), L.ms);
      }
      ctx.fillStyle = p.color;
      ctx.fill();
    }
    for (const p of data.paths) {
      if (p.n > 0) {
        drawMarker(ctx, "o", F.px(p.xy[0]), F.py(p.xy[1]), L.msStart, WHITE, p.color, 1.4);
      }
    }
    // current points (the crosses of diverged paths come last, over the frame)
    for (const p of data.paths) {
      if (data.alive(p, k) && k < p.n) {
        drawMarker(ctx, p.marker, F.px(p.xy[2 * k]), F.py(p.xy[2 * k + 1]), L.msPoint,
          p.color, "#000", 1.2);
      }
    }
    if (showInside) this.drawInside(ctx, ins, ip, k);
    ctx.restore();
    // the crosses of diverged paths, on the box's edge: drawn whole, over the frame
    for (const p of data.paths) {
      if (p.exit && !data.alive(p, k)) {
        drawMarker(ctx, "X", F.px(p.exit[0]), F.py(p.exit[1]), L.msCross, p.color, "#000", 1.6);
      }
    }
    drawBoxedText(ctx, L, `step ${k} / ${data.steps()}`, b.x + b.w - 6, b.y + b.h - 6, "right",
      "bottom");
  }

  /** Inside the inspected optimizer (path ip) at step k: next step, velocity, look-ahead. */
  drawInside(ctx, ins, ip, k) {
    const L = this.view.lay;
    const F = L.frame;
    const b = L.box;
    const x = ip.xy[2 * k];
    const y = ip.xy[2 * k + 1];
    const X = F.px(x);
    const Y = F.py(y);
    if (k < ip.steps && k + 1 < ip.n) {
      drawArrow(ctx, X, Y, F.px(ip.xy[2 * k + 2]) - X, F.py(ip.xy[2 * k + 3]) - Y,
        0.005 * b.w, "#000", null, 0);
    }
    const v = ins.velocity;
    if (v && 2 * k + 1 < v.length && finite(v[2 * k]) && finite(v[2 * k + 1])) {
      drawArrow(ctx, X, Y, F.px(x + v[2 * k]) - X, F.py(y + v[2 * k + 1]) - Y,
        0.007 * b.w, WHITE, "#000", 1.1);
    }
    const la = ins.lookahead;
    if (la && 2 * k + 1 < la.length && finite(la[2 * k]) && finite(la[2 * k + 1])) {
      const r = (L.presenter ? 15 : 12.5) / 2;
      ctx.beginPath();
      ctx.arc(F.px(la[2 * k]), F.py(la[2 * k + 1]), r, 0, 2 * Math.PI);
      ctx.setLineDash([]);
      ctx.lineWidth = 2.5;
      ctx.strokeStyle = "#000";
      ctx.stroke();
    }
  }

  // ---------------------------------------------------------------- pointer
  /** Data coordinates of a pointer event on the map (null without a layout or a surface). */
  dataAt(e) {
    const L = this.view.lay;
    if (!L || !L.frame) return null;
    const r = this.canvas.getBoundingClientRect();
    return L.frame.toData(e.clientX - r.left, e.clientY - r.top);
  }

  /** Whether a pointer event is within GRAB px of the start point (of the first path). */
  nearStart(e) {
    const L = this.view.lay;
    const p = this.view.data.paths[0];
    if (!L || !L.frame || !p || p.n === 0) return false;
    const r = this.canvas.getBoundingClientRect();
    const dx = e.clientX - r.left - L.frame.px(p.xy[0]);
    const dy = e.clientY - r.top - L.frame.py(p.xy[1]);
    return Math.hypot(dx, dy) <= GRAB;
  }

  onPointerDown(e) {
    if (e.button !== 0) return;
    this.press = { x: e.clientX, y: e.clientY };
    if (offline() || !this.nearStart(e)) return;
    this.drag = { latest: null, sent: null, pending: false, done: false, timer: 0 };
    if (this.canvas.setPointerCapture && e.pointerId !== undefined) {
      try { this.canvas.setPointerCapture(e.pointerId); } catch (err) { /* not a real pointer */ }
    }
    this.canvas.style.cursor = "grabbing";
  }

  /** Hovering: a grab cursor over the start point; dragging: ask for the new start. */
  onPointerMove(e) {
    if (!this.drag) {
      if (!offline()) this.canvas.style.cursor = this.nearStart(e) ? "grab" : "";
      return;
    }
    const d = this.dataAt(e);
    if (!d || !d.inside) return;
    this.drag.latest = [d.x, d.y];
    this.sendDrag();
  }

  /** Send the dragged point unless a request is on its way or it was sent already. */
  sendDrag() {
    const drag = this.drag;
    if (!drag || drag.pending || !drag.latest) return;
    if (drag.sent && drag.sent[0] === drag.latest[0] && drag.sent[1] === drag.latest[1]) return;
    drag.sent = drag.latest;
    drag.pending = true;
    this.requestStart(drag.latest[0], drag.latest[1]);
    clearTimeout(drag.timer);
    drag.timer = setTimeout(() => this.answered(), ANSWER_WAIT_MS);
  }

  /** New paths arrived (or the wait ran out): the next dragged point may leave. */
  answered() {
    const drag = this.drag;
    if (!drag) return;
    clearTimeout(drag.timer);
    drag.pending = false;
    this.sendDrag();
    if (drag.done && !drag.pending) this.drag = null;
  }

  /** `start_request = [x, y, counter]`: Python moves the start there and sends new paths. */
  requestStart(x, y) {
    const model = this.view.model;
    const old = model.get("start_request");
    const counter = (Array.isArray(old) && isNum(old[2]) ? old[2] : 0) + 1;
    model.set("start_request", [x, y, counter]);
    model.save_changes();
  }

  /** The end of a press: a drag of the start point ends (its last point is still sent), or a
   * click (not a drag) in the plot box moves the start there (not offline). */
  onPointerUp(e) {
    const press = this.press;
    this.press = null;
    const drag = this.drag;
    if (drag) {
      this.canvas.style.cursor = "grab";
      const moved = press && Math.hypot(e.clientX - press.x, e.clientY - press.y) > CLICK_SLOP;
      const d = this.dataAt(e);
      if (moved && d && d.inside) drag.latest = [d.x, d.y];
      drag.done = true;
      this.sendDrag();
      if (!drag.pending) this.drag = null;
      if (moved) return;
    }
    if (!press || e.button !== 0) return;
    if (Math.hypot(e.clientX - press.x, e.clientY - press.y) > CLICK_SLOP) return;
    this.canvas.focus({ preventScroll: true });
    if (offline()) return;
    const d = this.dataAt(e);
    if (!d || !d.inside) return;
    this.requestStart(d.x, d.y);
  }

  /** The pointer was lost mid-drag (e.g. the tab changed): stop dragging. */
  onPointerCancel() {
    this.press = null;
    if (this.drag) clearTimeout(this.drag.timer);
    this.drag = null;
    this.canvas.style.cursor = "";
  }
}
