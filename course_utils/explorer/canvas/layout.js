// layout.js: where everything goes for a given width: the map's size and plot box (equal
// aspect, room for the measured tick labels), the four panels' boxes, line widths and marker
// sizes (larger with `presenter`), and MapFrame, the map's data <-> CSS px transform.

const BIG = 1e6; // px coordinates are clamped to +-BIG (canvas dislikes huge numbers)

/** The map's plot box `box` (CSS px) showing `surface`'s xlim x ylim: data <-> px. */
class MapFrame {
  constructor(surface, box) {
    this.s = surface;
    this.box = box;
  }

  px(x) {
    const s = this.s;
    const b = this.box;
    return clamp(b.x + ((x - s.x0) / (s.x1 - s.x0)) * b.w, -BIG, BIG);
  }

  py(y) {
    const s = this.s;
    const b = this.box;
    return clamp(b.y + ((s.y1 - y) / (s.y1 - s.y0)) * b.h, -BIG, BIG);
  }

  /** The data point at CSS px (px, py) of the map canvas, and whether it is in the box. */
  toData(px, py) {
    const s = this.s;
    const b = this.box;
    const x = s.x0 + ((px - b.x) / b.w) * (s.x1 - s.x0);
    const y = s.y1 - ((py - b.y) / b.h) * (s.y1 - s.y0);
    const inside = px >= b.x && px <= b.x + b.w && py >= b.y && py <= b.y + b.h;
    return { x, y, px, py, inside };
  }
}

/** The layout for a widget `width` CSS px wide: side by side (map 57 %, panels beside it,
 * height from the map's aspect as view.figure_size), or stacked below 640 px. `ctx` measures
 * the tick labels (its font is changed). `frame` is null without a surface. */
function computeLayout(width, presenter, s, family, ctx) {
  const fs = presenter ? 18 : 12.5; // 13 / 9 pt of the matplotlib view at 100 dpi
  const tfs = presenter ? 16 : 11;
  const W = Math.max(300, width);
  const dx = s ? s.x1 - s.x0 : 1;
  const dy = s ? s.y1 - s.y0 : 1;
  const aspect = dx > 0 && dy > 0 ? dy / dx : 1;
  const stacked = W < 640;
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
  return {
    presenter, family, fs, tfs, W, mapW, mapH, panW, panH, box, panels,
    frame: s ? new MapFrame(s, box) : null,
    lw: presenter ? 3.2 : 2.3,
    ms: presenter ? 8 : 5.5,
    msPoint: presenter ? 14 : 11,
    msStart: presenter ? 11 : 9.5,
    msCross: presenter ? 22 : 18,
    msLossCross: presenter ? 15 : 12.5,
    eigenW: presenter ? 9.7 : 7,
  };
}
