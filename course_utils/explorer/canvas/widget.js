// widget.js: CanvasExplorer, the widget's view, which owns the shared state and wires the
// parts together: the decoded traits (`data`, data.js), the step shown (`k`), the layout
// (`lay`, layout.js) and the device-pixel ratio (`dpr`). Each part gets the widget and reads
// that state from it: MapView (map.js), PanelsView (panels.js), Readout (readout.js), PlayBar
// (playbar.js), InsideTable (inside.js). The widget builds the DOM, listens to the model and
// to the map's pointer and keys, lays out on resize (ResizeObserver), and draws: at most one
// frame per animation frame, the backgrounds only when they are stale. Then `export default`,
// the anywidget entry point: the only export of the module.

class CanvasExplorer {
  constructor(model, el) {
    this.model = model;
    this.el = el;
    this.data = new ExplorerData(model);
    this.k = 0; // the step shown
    this.frames = 0;
    this.drawTimes = [];
    this.raf = 0;
    this.resizeRaf = 0;
    this.dirty = { map: true, panels: true }; // a frame to draw
    this.bgDirty = { map: true, panels: true }; // a background to redraw first
    this.width = 0;
    this.dpr = 1;
    this.lay = null; // null until the widget has a width
    this.listeners = []; // [event, callback] on the model
    this.domListeners = []; // [target, type, callback, options]
    this.destroyed = false;

    this.buildDom();
    const data = this.data;
    data.readSurface();
    data.readPaths();
    data.readInside();
    data.readLimits();
    this.k = data.clampStep(model.get("step") | 0);
    this.syncControls();

    const on = (name, fn) => {
      const cb = () => { if (!this.destroyed) fn(); };
      model.on(`change:${name}`, cb);
      this.listeners.push([`change:${name}`, cb]);
    };
    on("surface", () => { data.readSurface(); this.relayout(); });
    on("paths", () => {
      data.readPaths();
      this.map.answered(); // a dragged start point may send its next request
      this.buildLegend();
      this.insideTable.build();
      this.invalidateAll();
    });
    on("inside", () => { data.readInside(); this.insideTable.build(); this.invalidateAll(); });
    on("limits", () => { data.readLimits(); this.invalidateAll(); });
    on("eff_title", () => this.invalidateAll());
    on("steps", () => {
      data.readLimits();
      this.k = data.clampStep(this.k);
      this.syncControls();
      this.insideTable.update();
      this.invalidateAll();
    });
    on("step", () => this.onPythonStep());
    on("playing", () => this.bar.onPythonPlaying());
    on("presenter", () => this.relayout());
    on("interval", () => this.bar.rebase());
    on("stride", () => this.bar.rebase());

    this.buildLegend();
    this.insideTable.build();
    this.resizeObserver = new ResizeObserver(() => this.onResize());
    this.resizeObserver.observe(this.root);
    if (this.root.clientWidth > 0) this.relayout(); // drawn at once when already in the page
    if (model.get("playing")) this.bar.startPlay(false);
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
    this.map = new MapView(this, this.mapCanvas);
    this.panels = new PanelsView(this, this.panelCanvas);
    this.readout = new Readout(this, row, el_("div", "cu-canvas-readout", row));
    this.bar = new PlayBar(this, root);
    this.insideTable = new InsideTable(this, el_("div", "cu-canvas-inside", root));
    this.el.appendChild(root);

    const listen = (target, type, fn, opts) => {
      target.addEventListener(type, fn, opts);
      this.domListeners.push([target, type, fn, opts]);
    };
    this.bar.wire(listen);
    const map = this.mapCanvas;
    listen(map, "keydown", (e) => this.bar.onKeyDown(e));
    listen(map, "keyup", (e) => this.bar.onKeyUp(e));
    listen(map, "pointerdown", (e) => this.map.onPointerDown(e));
    listen(map, "pointerup", (e) => this.map.onPointerUp(e));
    listen(map, "pointermove", (e) => { this.map.onPointerMove(e); this.readout.show(e, "map"); });
    listen(map, "pointercancel", () => this.map.onPointerCancel());
    listen(map, "pointerleave", () => this.readout.hide());
    listen(this.panelCanvas, "pointermove", (e) => this.readout.show(e, "panels"));
    listen(this.panelCanvas, "pointerleave", () => this.readout.hide());
  }

  buildLegend() {
    this.legend.replaceChildren();
    const h = this.model.get("presenter") ? 18 : 14;
    for (const p of this.data.paths) {
      const item = el_("span", "cu-canvas-legend-item", this.legend);
      item.dataset.name = p.name;
      item.appendChild(swatch(p, h));
      el_("span", null, item, p.label);
    }
  }

  /** The play bar and the test hooks (`el.dataset.step`, `.playing`) show the state. */
  syncControls() {
    this.bar.sync();
    this.el.dataset.step = String(this.k);
    this.root.dataset.step = String(this.k);
    this.el.dataset.playing = String(this.bar.playing);
  }

  // ---------------------------------------------------------------- step
  /** Show step k (clamped to 0 .. steps), locally: nothing is sent. */
  setStep(k) {
    const kk = this.data.clampStep(k);
    if (kk === this.k) { this.syncControls(); return; }
    this.k = kk;
    this.syncControls();
    this.insideTable.update();
    this.dirty.map = this.dirty.panels = true;
    this.request();
  }

  onPythonStep() {
    const k = this.model.get("step") | 0;
    if (k === this.k) return;
    this.setStep(k);
    if (this.bar.playing) this.bar.rebase();
  }

  // ---------------------------------------------------------------- layout
  /** ResizeObserver: relayout at the next frame (changing sizes inside the observer's
   * callback would make it report a loop). */
  onResize() {
    if (this.resizeRaf || this.destroyed) return;
    this.resizeRaf = requestAnimationFrame(() => {
      this.resizeRaf = 0;
      if (this.destroyed) return;
      const w = this.availableWidth();
      const dpr = window.devicePixelRatio || 1;
      if (w === this.width && dpr === this.dpr && this.lay) return;
      this.relayout();
    });
  }

  /** The root's width in whole CSS pixels, rounded down: clientWidth rounds 944.75 up to 945,
   * and a layout one pixel too wide wraps the panels under the map (seen in the deck). */
  availableWidth() {
    return Math.floor(Math.min(this.root.clientWidth, this.root.getBoundingClientRect().width));
  }

  relayout() {
    const presenter = !!this.model.get("presenter");
    this.root.classList.toggle("cu-presenter", presenter);
    this.width = this.availableWidth();
    this.dpr = window.devicePixelRatio || 1;
    if (this.width <= 0) { this.lay = null; return; }
    const family = getComputedStyle(this.root).fontFamily || "sans-serif";
    const s = this.data.surface;
    const L = computeLayout(this.width, presenter, s, family, this.mapCanvas.getContext("2d"));
    this.lay = L;
    const box = L.box;
    this.sizeCanvas(this.mapCanvas, L.mapW, L.mapH);
    this.sizeCanvas(this.panelCanvas, L.panW, L.panH);
    this.mapCanvas.dataset.box = JSON.stringify([box.x, box.y, box.w, box.h]);
    this.panelCanvas.dataset.boxes = JSON.stringify(L.panels.map((b) => [b.x, b.y, b.w, b.h]));
    this.mapCanvas.setAttribute("aria-label", `map of ${s ? s.title : "the surface"}: ` +
      "the paths of the optimizers; click or drag the start point to move it; Space plays, arrows step");
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

  // ---------------------------------------------------------------- drawing
  request() {
    if (this.raf || this.destroyed) return;
    this.raf = requestAnimationFrame((t) => this.tick(t));
  }

  tick(now) {
    this.raf = 0;
    if (this.destroyed) return;
    if (this.bar.playing) this.bar.advance(now);
    if (this.dirty.map || this.dirty.panels) this.drawNow();
    if (this.bar.playing) this.request();
  }

  /** Draw a frame (the stale backgrounds first); keep the test hooks `el.dataset.frames`,
   * `.drawMs` (mean of the last 120 frames) and `.backgroundMs` up to date. */
  drawNow() {
    if (!this.lay) return;
    const t0 = performance.now();
    if (this.bgDirty.map) {
      this.map.drawBackground();
      this.bgDirty.map = false;
      this.el.dataset.backgroundMs = (performance.now() - t0).toFixed(1);
    }
    if (this.bgDirty.panels) {
      this.panels.drawBackground();
      this.bgDirty.panels = false;
    }
    this.map.draw();
    this.panels.draw();
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

  // ---------------------------------------------------------------- teardown
  destroy() {
    this.destroyed = true;
    if (this.raf) cancelAnimationFrame(this.raf);
    if (this.resizeRaf) cancelAnimationFrame(this.resizeRaf);
    this.raf = this.resizeRaf = 0;
    this.resizeObserver.disconnect();
    for (const [name, cb] of this.listeners) this.model.off(name, cb);
    for (const [target, type, fn, opts] of this.domListeners) {
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
