// playbar.js: PlayBar, the controls under the map and Play itself: play/pause, first, step
// back/forward, the scrubber (a range input), "step k / steps", loop; the keyboard on the map
// (Space, ←/→, Home/End); Play's pacing (`stride` steps every `interval` ms over the display's
// frames). The messages to Python: `playing` when Play starts and stops, `step` only when Play
// stops or a scrub / key press / click ends, never per frame.

class PlayBar {
  /** `view`: the widget (its step, data, model; setStep, syncControls, request); the bar is
   * appended to `parent`. */
  constructor(view, parent) {
    this.view = view;
    this.playing = false;
    this.play = null; // {t0, k0, last} while playing: Play's clock
    this.keyCommit = false; // a key moved the step: send it when the key is released
    const bar = el_("div", "cu-canvas-bar", parent);
    const button = (cls, icon, label) => {
      const b = el_("button", cls, bar);
      b.type = "button";
      b.setAttribute("aria-label", label);
      b.title = label;
      b.appendChild(svgIcon(icon));
      return b;
    };
    this.playButton = button("cu-canvas-play", "play", "Play");
    this.playText = el_("span", null, this.playButton, "Play");
    this.firstButton = button("cu-canvas-first", "first", "First step");
    this.backButton = button("cu-canvas-back", "back", "Step back");
    this.forwardButton = button("cu-canvas-forward", "forward", "Step forward");
    this.range = el_("input", "cu-canvas-step", bar);
    this.range.type = "range";
    this.range.min = "0";
    this.range.step = "1";
    this.range.setAttribute("aria-label", "step");
    this.stepLabel = el_("span", "cu-canvas-steplabel", bar);
    this.stepLabel.setAttribute("aria-live", "off");
    const loop = el_("label", "cu-canvas-loop", bar);
    this.loopBox = el_("input", null, loop);
    this.loopBox.type = "checkbox";
    el_("span", null, loop, "loop");
  }

  /** Listen to the bar's own controls (`listen` records them for the widget's teardown). */
  wire(listen) {
    listen(this.playButton, "click", () => this.togglePlay());
    listen(this.firstButton, "click", () => this.userStep(0, true));
    listen(this.backButton, "click", () => this.userStep(this.view.k - 1, true));
    listen(this.forwardButton, "click", () => this.userStep(this.view.k + 1, true));
    listen(this.range, "input", () => this.userStep(+this.range.value, false));
    listen(this.range, "change", () => this.userStep(+this.range.value, true));
  }

  /** The controls show the step and whether Play runs. */
  sync() {
    const k = this.view.k;
    const steps = this.view.data.steps();
    this.range.max = String(steps);
    if (+this.range.value !== k) this.range.value = String(k);
    this.stepLabel.textContent = `step ${k} / ${steps}`;
    const label = this.playing ? "Pause" : "Play";
    if (this.playText.textContent !== label) {
      this.playText.textContent = label;
      this.playButton.setAttribute("aria-label", label);
      this.playButton.title = label;
      this.playButton.replaceChild(svgIcon(this.playing ? "pause" : "play"),
        this.playButton.firstChild);
      this.playButton.setAttribute("aria-pressed", String(this.playing));
    }
  }

  // ---------------------------------------------------------------- step
  /** Show step k (local); with `commit`, send it to Python (a scrub / key press / click ended). */
  userStep(k, commit) {
    if (this.playing) this.stopPlay(true);
    this.view.setStep(k);
    if (commit) this.commitStep();
  }

  commitStep() {
    const model = this.view.model;
    if (model.get("step") !== this.view.k) {
      model.set("step", this.view.k);
      model.save_changes();
    }
  }

  // ---------------------------------------------------------------- play
  onPythonPlaying() {
    const want = !!this.view.model.get("playing");
    if (want && !this.playing) this.startPlay(false);
    else if (!want && this.playing) this.stopPlay(false);
  }

  togglePlay() {
    if (this.playing) this.stopPlay(true); else this.startPlay(true);
  }

  startPlay(send) {
    if (this.playing) return;
    const view = this.view;
    if (view.k >= view.data.steps()) view.setStep(0);
    this.playing = true;
    this.rebase();
    view.syncControls();
    if (send) {
      view.model.set("playing", true);
      view.model.save_changes();
    }
    view.request();
  }

  /** Stop Play; with `send`, tell Python where it stopped (one message: step + playing). */
  stopPlay(send) {
    if (!this.playing) return;
    const view = this.view;
    const model = view.model;
    this.playing = false;
    this.play = null;
    view.syncControls();
    let changed = false;
    if (model.get("step") !== view.k) { model.set("step", view.k); changed = true; }
    if (send && model.get("playing")) { model.set("playing", false); changed = true; }
    if (changed || send) model.save_changes();
  }

  /** Restart Play's clock at the step shown (after a jump or a change of speed). */
  rebase() {
    if (this.playing) this.play = { t0: performance.now(), k0: this.view.k };
  }

  /** Play: `stride` steps every `interval` ms, spread evenly over the display's frames. */
  advance(now) {
    const p = this.play;
    if (!p) return;
    const view = this.view;
    const interval = Math.max(1, view.model.get("interval") | 0 || 100);
    const stride = Math.max(1, view.model.get("stride") | 0 || 1);
    const steps = view.data.steps();
    if (p.last !== undefined && now - p.last > 250) p.t0 += now - p.last - 16; // a hidden tab:
    p.last = now; // frames stopped, so Play paused there rather than jump ahead
    // (a frame's time may precede the performance.now() of Play's start by a little)
    let k = p.k0 + Math.floor((Math.max(0, now - p.t0) * stride) / interval);
    if (k >= steps) {
      if (this.loopBox.checked && steps > 0) {
        if (view.k >= steps) { // the last frame was shown: start again
          this.play = { t0: now, k0: 0 };
          k = 0;
        } else {
          k = steps;
        }
      } else {
        view.setStep(steps);
        this.stopPlay(true);
        return;
      }
    }
    view.setStep(k);
  }

  // ---------------------------------------------------------------- keyboard (on the map)
  onKeyDown(e) {
    const key = e.key;
    if (key === " " || key === "Spacebar") {
      e.preventDefault();
      if (!e.repeat) this.togglePlay();
      return;
    }
    let k = null;
    if (key === "ArrowLeft") k = this.view.k - 1;
    else if (key === "ArrowRight") k = this.view.k + 1;
    else if (key === "Home") k = 0;
    else if (key === "End") k = this.view.data.steps();
    if (k === null) return;
    e.preventDefault();
    this.userStep(k, false);
    this.keyCommit = true;
  }

  onKeyUp(e) {
    if (this.keyCommit && ["ArrowLeft", "ArrowRight", "Home", "End"].includes(e.key)) {
      this.keyCommit = false;
      this.commitStep();
    }
  }
}
