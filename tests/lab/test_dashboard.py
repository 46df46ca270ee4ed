"""course_utils.lab.dashboard and .plots: the live dashboard, one look per run, the figures."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from course_utils import lab, optimizers
from course_utils.lab.dashboard import in_ipython_kernel

keras = lab.keras


def test_dashboard_draws_the_history_in_place_headless(setup, tiny, tmp_path):
    assert not in_ipython_kernel()
    dash = lab.Dashboard(["sgd", "adam"], title="test")
    assert dash.show is False and dash.handle is None          # headless: no display
    figure = dash.figure
    lines = {run: dict(d) for run, d in dash.lines.items()}
    n_lines = [len(ax.lines) for ax in figure.axes]
    histories = {}
    for run, opt in (("sgd", keras.optimizers.SGD(0.1)), ("adam", keras.optimizers.Adam())):
        r = lab.train(lab.lecture_model(seed=0), tiny, optimizer=opt, epochs=3, setup=setup,
                      callbacks=[dash.callback(run)])
        histories[run] = r.history
    assert dash.figure is figure and [len(ax.lines) for ax in figure.axes] == n_lines
    assert dash.n_draws >= 2
    for run in ("sgd", "adam"):
        for (metric, split), line in dash.lines[run].items():
            assert line is lines[run][(metric, split)]          # the same artists, updated
            key = metric if split == "train" else f"val_{metric}"
            np.testing.assert_allclose(line.get_ydata(), histories[run][key])
            np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
            assert dash.values(run, metric, split) == histories[run][key]
    figure.savefig(tmp_path / "dashboard.png")                  # renders without a display
    assert (tmp_path / "dashboard.png").stat().st_size > 10_000


def test_dashboard_moves_within_an_epoch_and_ends_on_the_history(setup, tiny):
    dash = lab.Dashboard(["run"], update_every=1, min_interval=0.0)
    seen = []

    class Spy(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(list(dash.lines["run"][("loss", "train")].get_xdata()))

    r = lab.train(lab.lecture_model(seed=0), tiny, optimizer=keras.optimizers.SGD(0.1),
                  epochs=2, setup=setup, steps_per_execution=1,
                  callbacks=[dash.callback("run"), Spy()])
    assert seen[0] == [0.25] and seen[3] == [1.0]               # 4 batches: 1/4 .. 4/4
    assert seen[4][:1] == [1] and seen[4][1] == pytest.approx(1.25)
    np.testing.assert_allclose(dash.lines["run"][("loss", "train")].get_ydata(),
                               r.history["loss"])


def test_dashboard_draws_a_finished_run_and_no_image_that_shows_nothing_new(setup, tiny,
                                                                          capsys):
    dash = lab.Dashboard(["sgd", "adam"], min_interval=0.0)
    sgd = lab.train(lab.lecture_model(seed=0), tiny, optimizer=keras.optimizers.SGD(0.1),
                    epochs=3, setup=setup, callbacks=[dash.callback("sgd")])
    assert dash.n_draws == 3                    # one per epoch; the run's end adds nothing
    slow = lab.Dashboard(["sgd", "adam"], min_interval=3600.0)
    slow.add_history("sgd", sgd.history)        # drawn from its history, not trained again
    assert slow.n_draws == 1
    adam = lab.train(lab.lecture_model(seed=0), tiny, optimizer=keras.optimizers.Adam(),
                     epochs=3, setup=setup, callbacks=[slow.callback("adam")])
    assert slow.n_draws == 2                    # epochs within min_interval; one at the end
    for run, result in (("sgd", sgd), ("adam", adam)):
        for (metric, split), line in slow.lines[run].items():
            key = metric if split == "train" else f"val_{metric}"
            np.testing.assert_allclose(line.get_ydata(), result.history[key])
            np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
    missing = lab.MissingData("no file")
    assert slow.add_history("sgd", missing) is missing
    assert "skipped add_history()" in capsys.readouterr().out
    assert slow.values("sgd", "loss", "train") == sgd.history["loss"]


def test_in_jupyter_quick_runs_are_completed_when_the_cell_has_run(setup, tiny, monkeypatch):
    import IPython
    import IPython.display
    from IPython.core.events import EventManager, available_events

    images = []

    class Handle:
        def update(self, image):
            images.append(image)

    def display(image, display_id=False):
        images.append(image)
        return Handle()

    class Shell:                                 # what the dashboard needs of IPython
        pass

    shell = Shell()
    shell.events = EventManager(shell, available_events)
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    monkeypatch.setattr(IPython.display, "display", display)
    dash = lab.Dashboard(["sgd", "adam"], show=True, min_interval=3600.0)
    for run, opt in (("sgd", keras.optimizers.SGD(0.1)), ("adam", keras.optimizers.Adam())):
        lab.train(lab.lecture_model(seed=0), tiny, optimizer=opt, epochs=2, setup=setup,
                  callbacks=[dash.callback(run)])
    assert len(images) == 1                      # the first epoch; the rest within min_interval
    shell.events.trigger("post_run_cell", None)  # the cell has run: the complete image
    assert len(images) == 2 and dash.handle is not None
    assert all(len(dash.values(run, "loss", "val")) == 2 for run in ("sgd", "adam"))
    shell.events.trigger("post_run_cell", None)  # once: the next cell draws nothing
    assert len(images) == 2 and shell.events.callbacks["post_run_cell"] == []


def _looks(lines):
    return [(to_rgb(line.get_color()), line.get_marker(), line.get_linestyle())
            for line in lines]


def test_dashboard_and_layer_curves_draw_every_run_visibly_and_distinctly():
    """Nine optimizers (lab 08) or six networks (lab 09): no light grey line, which is
    hard to see on white, and no two runs with the same colour, marker and line style."""

    def is_light_grey(rgb):
        return max(rgb) - min(rgb) < 0.05 and min(rgb) > 0.25

    names = list(lab.OPTIMIZER_NAMES) + ["extra 1", "extra 2"]   # more runs than colours
    dash = lab.Dashboard(names, show=False)
    dash_looks = _looks(dash.lines[n][("loss", "train")] for n in names)
    ax = Figure().subplots()
    curve_looks = _looks(lab.plot_layer_curves(
        ax, {n: np.ones(3) for n in names}, ylabel="gradient RMS"))
    for styles in (dash_looks, curve_looks):
        assert len(set(styles)) == len(names)
        assert not any(is_light_grey(rgb) for rgb, _, _ in styles)


def test_each_lab_optimizer_looks_as_in_the_explorer():
    """``optimizers.info(name).style`` is the one look of an optimizer, in every figure."""
    names = list(lab.OPTIMIZER_NAMES)
    assert len(names) == 9
    alone = {n: lab.run_styles([n])[n] for n in names}
    together = lab.run_styles(["my run"] + names[::-1])
    for name in names:
        style = optimizers.info(name).style
        assert alone[name] == together[name] == (style.color, style.marker, style.linestyle)
    dash = lab.Dashboard(names, show=False)
    for name in names:
        line = dash.lines[name][("loss", "train")]
        assert (line.get_color(), line.get_marker(), line.get_linestyle()) == alone[name]


def test_other_runs_avoid_the_colours_of_the_optimizers_shown():
    styles = lab.run_styles(["adam", "my run", "sgd", "another"])
    assert len(set(styles.values())) == 4
    assert styles["adam"] == lab.run_styles(["adam"])["adam"]
    optimizer_colours = {styles["adam"][0], styles["sgd"][0]}
    assert styles["my run"][0] not in optimizer_colours
    assert styles["another"][0] not in optimizer_colours | {styles["my run"][0]}
    # an optimizer that is not shown frees its colour: the first free run may take it
    assert lab.run_styles(["my run"])["my run"][0] == lab.run_styles(["my run", "x"])["my run"][0]


def test_an_optimizer_keeps_its_colour_in_every_dashboard():
    nine = lab.Dashboard(list(lab.OPTIMIZER_NAMES), show=False)
    three = lab.Dashboard(["sgd", "momentum", "adam"], show=False)
    for name in ("sgd", "momentum", "adam"):
        a, b = (d.lines[name][("loss", "train")] for d in (nine, three))
        assert (a.get_color(), a.get_marker(), a.get_linestyle()) == (
            b.get_color(), b.get_marker(), b.get_linestyle())


def test_histories_follow_the_dashboard_colours():
    order = ["baseline", "early stopping", "L1", "dropout", "augmentation"]
    dash = lab.Dashboard(order, show=False)
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}
    results = [lab.RunResult(n, history, [1.0], 1.0, 0.5, 1.0)
               for n in ("baseline", "dropout", "augmentation")]
    ax = Figure().subplots()
    lab.plot_histories([ax], results, metrics=("loss",), order=order)
    drawn = {line.get_label(): line.get_color() for line in ax.lines if line.get_label()[0] != "_"}
    for name in ("baseline", "dropout", "augmentation"):
        assert drawn[name] == dash.lines[name][("loss", "train")].get_color()


def test_benchmark_grid_and_augmentation_figures(tiny):
    history = {"val_accuracy": [0.5, 0.8]}
    results = {kind: [lab.RunResult(f"{n} ({kind})", history, [1.0], 1.0, 0.5, 1.0)
                      for n in ("sgd", "adam")] for kind in ("constant", "step")}
    ax = Figure().subplots()
    image = lab.plot_benchmark_grid(ax, results)
    assert image.get_array().shape == (2, 2)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["sgd", "adam"]
    fig = Figure()
    lab.plot_augmentation(fig, tiny, n=4, copies=2)
    assert len(fig.axes) == 12


@pytest.mark.parametrize(("call", "message"), [
    (lambda: lab.Dashboard([]), "runs"),
    (lambda: lab.Dashboard(["a", "a"]), "runs"),
    (lambda: lab.Dashboard(["a"]).callback("b"), "run must be one of 'a'"),
    (lambda: lab.Dashboard(["a"], update_every=0), r"update_every must be an integer in \[1, "),
    (lambda: lab.Dashboard(["a"], min_interval=-1.0), r"min_interval must be in \[0, inf\]"),
])
def test_invalid_arguments_raise_value_error_naming_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()
