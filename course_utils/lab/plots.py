"""Figures of the labs: one look per run (:func:`run_styles`), finished histories, per-layer
curves, the benchmark grid and augmented digits."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .. import optimizers, plotting
from .._validate import check_int
from ._runtime import needs_data, tf
from .data import LabData
from .models import augmentation
from .training import RunResult

__all__ = ["run_styles", "plot_histories", "plot_layer_curves", "plot_benchmark_grid",
           "plot_augmentation"]


def run_styles(names: Sequence[str]) -> dict[str, tuple[str, str, str]]:
    """``{name: (colour, marker, line style)}`` for the runs of one figure.

    A run named after a registered optimizer has that optimizer's look,
    ``course_utils.optimizers.info(name).style`` -- the same as in the explorer, the races and
    every other figure, whichever runs are shown with it. The other runs take the styles of
    :func:`course_utils.plotting.path_style` in order, skipping those that collide with an
    optimizer shown: while the first round of path colours lasts, no colour of another run;
    after it, no complete style of another run. So no two runs of ``names`` look alike.
    """
    names = list(dict.fromkeys(names))
    registered = set(optimizers.names())
    styles: dict[str, tuple[str, str, str]] = {}
    for name in names:
        if name in registered:
            look = optimizers.info(name).style
            styles[name] = (look.color, look.marker, look.linestyle)
    first_round = len(plotting.PATH_COLORS)
    candidates = ((i, (*plotting.path_style(i), plotting.path_linestyle(i)))
                  for i in itertools.count())
    for name in names:
        if name in styles:
            continue
        taken = set(styles.values())
        colours = {style[0] for style in taken}
        styles[name] = next(style for i, style in candidates if style not in taken
                            and (i >= first_round or style[0] not in colours))
    return {name: styles[name] for name in names}


@needs_data
def plot_benchmark_grid(ax: Any, results: Mapping[str, Sequence[RunResult]], *,
                        metric: str = "val_accuracy") -> Any:
    """Heat map of the final ``metric`` of every run: one row per optimizer, one column per
    group of ``results`` (e.g. per schedule). Run names are ``"<optimizer>"`` or
    ``"<optimizer> (<tag>)"`` as :func:`compare` makes them. Returns the image."""
    groups = list(results)
    rows: list[str] = []
    for group in groups:
        for r in results[group]:
            base = r.name.split(" (")[0]
            if base not in rows:
                rows.append(base)
    grid = np.full((len(rows), len(groups)), np.nan)
    for j, group in enumerate(groups):
        for r in results[group]:
            grid[rows.index(r.name.split(" (")[0]), j] = r.final(metric)
    finite = grid[np.isfinite(grid)]
    image = ax.imshow(grid, cmap="viridis", aspect="auto",
                      vmin=float(finite.min()) if finite.size else 0.0,
                      vmax=float(finite.max()) if finite.size else 1.0)
    for (i, j), v in np.ndenumerate(grid):
        if np.isfinite(v):
            ax.text(j, i, f"{v:.3f}", ha="center", va="center", fontsize="small",
                    color="white" if v < np.nanmean(grid) else "black")
    ax.set_xticks(range(len(groups)), groups)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_title(f"final {metric.replace('_', ' ')}")
    return image


@needs_data
def plot_layer_curves(ax: Any, curves: Mapping[str, np.ndarray], *, ylabel: str,
                      log: bool = True) -> list:
    """One line per configuration of a per-layer quantity (gradient RMS, activation spread),
    layer 1 = the layer nearest the input. Returns the lines."""
    lines = []
    styles = run_styles(list(curves))
    for label, values in curves.items():
        colour, marker, style = styles[label]
        values = np.asarray(values, dtype=float)
        (line,) = ax.plot(np.arange(1, len(values) + 1), values, color=colour, marker=marker,
                          ls=style, label=label)
        lines.append(line)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("layer (1 = next to the input)")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    return lines


@needs_data
def plot_histories(axes: Sequence[Any], results: Sequence[RunResult], *,
                   metrics: Sequence[str] = ("loss", "accuracy"),
                   order: Sequence[str] | None = None) -> None:
    """Training (solid) and validation (dashed) curves of finished runs, one axis per metric.

    ``order``: the names whose styles the colours follow, e.g. the runs of the dashboard the
    results come from, so that a run has the same colour here as there (default: the results).
    """
    names = [r.name for r in results]
    styles = run_styles(list(order) + [n for n in names if n not in order] if order else names)
    for ax, metric in zip(axes, metrics, strict=True):
        for r in results:
            colour = styles[r.name][0]
            epochs = np.arange(1, len(r.history[metric]) + 1)
            ax.plot(epochs, r.history[metric], color=colour, label=f"{r.name}")
            ax.plot(epochs, r.history[f"val_{metric}"], color=colour, ls="--")
        ax.set_xlabel("epoch")
        ax.set_title(f"{metric}: training (solid), validation (dashed)", fontsize="medium")
        ax.grid(alpha=0.3)


@needs_data
def plot_augmentation(fig: Any, data: LabData, *, n: int = 8, shift: float = 0.1,
                      rotation_degrees: float = 10.0, copies: int = 2, seed: int = 0) -> None:
    """The first ``n`` training digits (top row) and ``copies`` random shifted and rotated
    versions of each, as :func:`augmentation` makes them while training."""
    n = check_int("n", n, low=1, high=32)
    copies = check_int("copies", copies, low=1, high=8)
    layer = augmentation(shift, rotation_degrees, seed=seed)
    x = tf.constant(data.x_train[:n])
    rows = [x.numpy()] + [layer(x, training=True).numpy() for _ in range(copies)]
    axes = fig.subplots(len(rows), n, squeeze=False)
    for i, images in enumerate(rows):
        for j in range(n):
            ax = axes[i, j]
            ax.imshow(images[j].reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[i, 0].set_ylabel("original" if i == 0 else f"random {i}", fontsize="small")
