// inside.js: InsideTable, "Inside <optimizer> at step k" below the play bar: the state rows
// (x, y at k), the effective learning rate, the Hessian's eigenvalues and κ, 4 significant
// digits; when the path diverged before k, a note instead. Hidden with no inspected optimizer.

class InsideTable {
  /** `view`: the widget (its data and step); `box`: the table's container element. */
  constructor(view, box) {
    this.view = view;
    this.box = box;
    this.cells = null; // {title, message, table, small, cells: [{kind, values, x, y}]}
  }

  /** The table's skeleton for the inspected optimizer (cells filled by update). */
  build() {
    const box = this.box;
    box.replaceChildren();
    this.cells = null;
    const ins = this.view.data.inside;
    if (!ins) { box.style.display = "none"; return; }
    box.style.display = "";
    const title = el_("b", "cu-canvas-inside-title", box);
    const message = el_("div", "cu-canvas-inside-message", box);
    const table = el_("table", null, box);
    const head = el_("tr", null, el_("thead", null, table));
    for (const t of ["", "x", "y"]) el_("th", null, head, t);
    const body = el_("tbody", null, table);
    const cells = [];
    const addRow = (label, kind, values, span) => {
      const tr = el_("tr", null, body);
      tr.dataset.row = label;
      el_("td", null, tr, label);
      const x = el_("td", null, tr);
      let y = null;
      if (span) x.colSpan = 2; else y = el_("td", null, tr);
      cells.push({ kind, values, x, y });
    };
    for (const row of ins.rows) addRow(row.label, "pair", row.values);
    addRow(ins.label, "pair", ins.eff);
    addRow("Hessian eigenvalues \u03bb", "eig", null);
    addRow("condition number \u03ba", "cond", null, true);
    let legend = "Map: black arrow = the next step; grey bands = the Hessian's " +
      "eigen-directions (longer = flatter; red = negative curvature)";
    if (ins.velocity) legend += "; white arrow = the velocity v";
    if (ins.lookahead) legend += "; ring = the look-ahead point where the gradient is taken";
    const small = el_("small", null, box, `${legend}.`);
    this.cells = { title, message, table, small, cells };
    this.update();
  }

  /** The values at the step shown. */
  update() {
    const data = this.view.data;
    const ins = data.inside;
    const c = this.cells;
    if (!ins || !c) return;
    const path = data.insidePath();
    const label = path ? path.label : ins.name;
    const k = this.view.k;
    const steps = path ? path.steps : data.steps();
    const alive = path ? data.alive(path, k) && k <= steps : k <= steps;
    if (!alive) {
      c.title.textContent = `Inside ${label}`;
      c.message.textContent = `: the path diverged at step ${path ? path.diverged : "?"}; ` +
        "move the step scrubber back.";
      c.message.style.display = "inline";
      c.table.style.display = "none";
      c.small.style.display = "none";
      return;
    }
    c.title.textContent = `Inside ${label} at step ${k}`;
    c.message.style.display = "none";
    c.table.style.display = "";
    c.small.style.display = "";
    for (const cell of c.cells) {
      let x = NaN;
      let y = NaN;
      if (cell.kind === "pair") {
        const v = cell.values;
        if (v && 2 * k + 1 < v.length) { x = v[2 * k]; y = v[2 * k + 1]; }
      } else if (cell.kind === "eig") {
        const e = path && path.eig;
        if (e && 6 * k + 1 < e.length) { x = e[6 * k]; y = e[6 * k + 1]; }
      } else if (path && path.cond && k < path.cond.length) {
        x = path.cond[k];
      }
      cell.x.textContent = fmtG(x);
      if (cell.y) cell.y.textContent = fmtG(y);
    }
  }
}
