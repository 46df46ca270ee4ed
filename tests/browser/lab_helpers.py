"""Helpers that drive JupyterLab in Playwright: open a notebook, run it, read its outputs.

The server is started with ``expose_app_in_browser``, so ``window.jupyterapp`` is the running
JupyterLab application: commands are run through its command registry (the same commands the
menus run) and outputs are read from the notebook model as well as from the page. Every wait
is bounded.
"""

from __future__ import annotations

import io
import re
import time
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .conftest import LabServer

_EXCEPTION_TEXT = re.compile(
    r"Traceback \(most recent call last\)|^-{20,}\s*\n\w+(Error|Exception|Interrupt)\b"
    r"|^\w*(Error|Exception): ", re.MULTILINE)
#: an output that is a widget's repr instead of the widget: the widget manager is not working
WIDGET_AS_TEXT = re.compile(
    r"^(IntSlider|FloatSlider|FloatLogSlider|SelectionSlider|interactive|VBox|HBox|Explorer|"
    r"Play|Image)\(", re.MULTILINE)

#: Kernel status, executed and pending cells and error outputs of the current notebook,
#: read from JupyterLab's notebook model (outputs of type "error" are exceptions).
_STATE_JS = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.content.model) { return null; }
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cells = panel.content.model.cells;
  const state = {kernel: kernel ? kernel.status : 'none', code: 0, executed: 0,
                 errors: [], busy: 0};
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') { continue; }
    state.code += 1;
    if (cell.executionCount !== null && cell.executionCount !== undefined) {
      state.executed += 1;
    }
    for (let j = 0; j < cell.outputs.length; j++) {
      const out = cell.outputs.get(j).toJSON();
      if (out.output_type === 'error') {
        state.errors.push(`cell ${i}: ${out.ename}: ${out.evalue}`);
      }
    }
  }
  state.busy = document.querySelectorAll(
    '.jp-Notebook .jp-InputArea-prompt').length === 0 ? 0 : Array.from(
    document.querySelectorAll('.jp-Notebook .jp-InputArea-prompt')).filter(
      (e) => e.textContent.includes('[*]')).length;
  return state;
}"""


def notebook_state(page: Any) -> dict[str, Any] | None:
    """The current notebook's kernel status, cell counts and error outputs (see _STATE_JS)."""
    return page.evaluate(_STATE_JS)


def open_notebook(page: Any, server: LabServer, name: str, timeout_s: float = 90) -> None:
    """Open ``name`` (relative to the server root) and wait until its kernel is idle."""
    page.goto(server.notebook_url(name), timeout=timeout_s * 1000)
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=timeout_s * 1000)
    page.wait_for_selector("#jp-main-statusbar >> text=Idle", timeout=timeout_s * 1000)
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status"
        " === 'idle'", timeout=timeout_s * 1000)


def run_command(page: Any, command: str, args: dict[str, Any] | None = None) -> None:
    """Start a JupyterLab command (what a menu item or a shortcut runs).

    The command's promise is not awaited (``notebook:run-all-cells`` resolves only when the
    last cell is done, and a hung cell would hang the test); callers wait for its effect with
    a timeout. A command that fails leaves its message in ``window.__commandError``.
    """
    page.evaluate("""([id, args]) => { window.__commandError = null;
        window.jupyterapp.commands.execute(id, args)
          .catch((e) => { window.__commandError = `${id}: ${e}`; }); }""",
                  [command, args or {}])


def command_error(page: Any) -> str | None:
    """The error of the last run_command, if it failed."""
    return page.evaluate("() => window.__commandError || null")


def run_all(page: Any, timeout_s: float = 180) -> dict[str, Any]:
    """Run all cells, as Run ▸ Run All Cells does, and wait until the run is over.

    Over means: the kernel is idle, no prompt shows ``[*]`` and either every code cell has an
    execution count or an error output stopped the run. Returns the final notebook_state.
    """
    run_command(page, "notebook:clear-all-cell-outputs")  # no stale execution counts
    page.wait_for_function(
        "() => !document.querySelector('.jp-Notebook .jp-OutputArea-output')", timeout=10_000)
    run_command(page, "notebook:run-all-cells")
    deadline = time.monotonic() + timeout_s
    settled_since = None
    while True:
        state = notebook_state(page)
        done = (state is not None and state["kernel"] == "idle" and state["busy"] == 0
                and (state["executed"] == state["code"] or state["errors"]))
        if done:
            # idle can flicker between two cells: require it to hold for a moment
            settled_since = settled_since or time.monotonic()
            if time.monotonic() - settled_since > 1.0:
                return state
        else:
            settled_since = None
        error = command_error(page)
        if error or time.monotonic() > deadline:
            raise TimeoutError(error or f"run all did not finish in {timeout_s} s: {state}")
        page.wait_for_timeout(250)


def dom_tracebacks(page: Any) -> list[str]:
    """Texts of rendered outputs that look like exceptions (JupyterLab renders error outputs
    as text of the ``application/vnd.jupyter.stderr`` type, with the traceback in it)."""
    texts = page.eval_on_selector_all(
        ".jp-Notebook .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
        "els => els.map(e => e.innerText)")
    return [t[:500] for t in texts if _EXCEPTION_TEXT.search(t)]


def png_array(png: bytes) -> np.ndarray:
    """Decode PNG bytes to an RGB array of floats in 0..255."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGB"), dtype=float)


def pixel_difference(before: bytes, after: bytes) -> float:
    """Fraction of pixels that differ (by more than a little) between two PNG screenshots."""
    a, b = png_array(before), png_array(after)
    if a.shape != b.shape:
        return 1.0
    return float(np.mean(np.abs(a - b).max(axis=-1) > 8))


def wait_for_change(shot: Any, before: bytes, timeout_s: float = 30,
                    threshold: float = 0.002) -> tuple[float, bytes]:
    """Call ``shot()`` (returns PNG bytes) until it differs from ``before``; return the last
    difference and picture (the caller asserts on the difference)."""
    deadline = time.monotonic() + timeout_s
    while True:
        after = shot()
        diff = pixel_difference(before, after)
        if diff > threshold or time.monotonic() > deadline:
            return diff, after
        time.sleep(0.25)


def cell_index_of(page: Any, selector: str) -> int:
    """Index of the first notebook cell whose DOM contains ``selector`` (-1 if none)."""
    return page.evaluate(
        """(sel) => { const nb = window.jupyterapp.shell.currentWidget.content;
           return nb.widgets.findIndex((cell) => cell.node.querySelector(sel) !== null); }""",
        selector)


def slider(root: Any, label: str) -> Any:
    """The ipywidgets slider under ``root`` whose description is exactly ``label``."""
    return root.locator(f".widget-slider:has(> .widget-label:text-is('{label}'))").first


def slider_readout(widget: Any) -> str:
    """The readout text of an ipywidgets slider (its value as the page shows it)."""
    return widget.locator(".widget-readout").first.inner_text(timeout=10_000).strip()


def press_on_slider(widget: Any, key: str, times: int = 1) -> None:
    """Focus the slider's handle and press ``key`` (ArrowRight, PageUp, ...) like a user."""
    handle = widget.locator(".noUi-handle").first
    handle.focus(timeout=10_000)
    for _ in range(times):
        handle.press(key, timeout=10_000)
