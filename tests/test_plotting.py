"""Plot helpers: each takes an ``ax`` and returns artists whose data we can check."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course_utils import optimizers, plotting, run, surfaces  # noqa: E402


@pytest.fixture
def ax():
    return Figure().add_subplot()


def test_contour_levels_linear_and_log():
    z = np.array([[0.0, 1.0], [10.0, 100.0]])
    np.testing.assert_allclose(plotting.contour_levels(z, 5), np.linspace(0, 100, 5))
    levels = plotting.contour_levels(z, 5, log_scale=True, z_min=0.0)
    ratios = np.diff(levels[1:]) / np.diff(levels[:-1])
    np.testing.assert_allclose(ratios, ratios[0])  # geometric spacing of the gaps
    assert levels[-1] == pytest.approx(100.0)
    assert list(plotting.contour_levels(np.full((2, 2), np.nan), 3)) == [0.0, 0.5, 1.0]


def test_surface_contour_sets_the_box_and_marks_minima_and_saddles(ax):
    beale = surfaces.get("beale")
    artists = plotting.surface_contour(ax, beale, n=40)
    assert ax.get_xlim() == beale.xlim and ax.get_ylim() == beale.ylim
    assert ax.get_aspect() == 1.0
    labels = [a.get_label() for a in artists]
    assert "minimum" in labels and "saddle" in labels


def test_path_returns_a_line_and_a_start_marker(ax):
    pts = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, 1.0]])
    line, start = plotting.path(ax, pts, index=2, label="adam")
    np.testing.assert_array_equal(np.column_stack(line.get_data()), pts)
    np.testing.assert_array_equal(np.column_stack(start.get_data()), pts[:1])
    assert line.get_color() == plotting.PALETTE[2] and line.get_label() == "adam"
    legend = plotting.legend_outside(ax)
    assert [t.get_text() for t in legend.get_texts()] == ["adam"]


def test_path_styles_are_distinct_and_skip_the_light_grey():
    styles = [plotting.path_style(i) for i in range(15)]
    assert len(set(styles)) == 15
    assert "#BBBBBB" not in plotting.PATH_COLORS
    assert set(plotting.PATH_COLORS) <= set(plotting.PALETTE)


@pytest.mark.parametrize("inside, outside, expected", [
    ((0.0, 0.0), (4.0, 0.0), (2.0, 0.0)),  # leaves through the right edge
    ((0.0, 0.0), (0.0, -10.0), (0.0, -1.0)),  # through the bottom
    ((1.0, 0.5), (3.0, 1.5), (2.0, 1.0)),  # through the corner
    ((0.0, 0.0), (1.0, 0.5), (1.0, 0.5)),  # still inside: the point itself
    ((0.5, 0.5), (np.inf, np.nan), (0.5, 0.5)),  # unknown direction: where it was
    ((5.0, 3.0), (9.0, 9.0), (2.0, 1.0)),  # already outside: clamped
])
def test_exit_point(inside, outside, expected):
    got = plotting.exit_point(inside, outside, (-2.0, 2.0), (-1.0, 1.0))
    np.testing.assert_allclose(got, expected)


def test_drawn_path_of_a_converging_and_a_diverging_run():
    ravine = surfaces.get("ravine")
    ok = run(optimizers.sgd(0.5), ravine, ravine.start, 20)
    pts, cross = plotting.drawn_path(ok.points, int(ok.diverged_at), ravine.xlim, ravine.ylim)
    assert cross is None and pts is ok.points
    bad = run(optimizers.sgd(2.3), ravine, (-1.0, 5.0), 40)
    d = int(bad.diverged_at)
    assert d > 1
    pts, cross = plotting.drawn_path(bad.points, d, ravine.xlim, ravine.ylim)
    np.testing.assert_array_equal(pts[:d], bad.points[:d])
    assert np.all(np.isfinite(pts)) and np.abs(pts).max() <= 10 * 10.0
    assert np.isclose(abs(cross[1]), 6.0) or np.isclose(abs(cross[0]), 10.0)
    nothing, at_start = plotting.drawn_path(bad.points, 0, ravine.xlim, ravine.ylim)
    assert len(nothing) == 0 and at_start.shape == (2,)


def test_markers_curves_and_arrows_start_empty_and_take_data(ax):
    point = plotting.point_marker(ax, color="red", marker="s")
    cross = plotting.cross_marker(ax, color="blue")
    curve = plotting.curve(ax, color="green")
    for artist in (point, cross, curve):
        assert len(artist.get_xdata()) == 0
    point.set_data([1.0], [2.0])
    assert point.get_marker() == "s" and cross.get_marker() == "X"
    arrow = plotting.arrow(ax)
    arrow.set_offsets([[1.0, 2.0]])
    arrow.set_UVC([3.0], [-1.0])
    np.testing.assert_array_equal(arrow.get_offsets()[0], [1.0, 2.0])
    assert (arrow.U[0], arrow.V[0]) == (3.0, -1.0)


def test_eigen_segments_follow_the_level_ellipse():
    w = np.array([1.0, 100.0])
    v = np.array([[0.0, 1.0], [1.0, 0.0]])  # columns: y axis (flat), x axis (steep)
    segments = plotting.eigen_segments((1.0, 2.0), w, v, size=2.0)
    np.testing.assert_allclose(segments[0], [[1.0, 0.0], [1.0, 4.0]])  # flat: full length
    np.testing.assert_allclose(segments[1], [[0.8, 2.0], [1.2, 2.0]])  # 1/sqrt(100) of it
    tiny = plotting.eigen_segments((0.0, 0.0), [1.0, 1e6], np.eye(2), size=1.2)
    assert np.linalg.norm(tiny[1][1] - tiny[1][0]) == pytest.approx(2 * 1.2 / 12)
    flat = plotting.eigen_segments((0.0, 0.0), [0.0, 0.0], np.eye(2), size=1.0)
    assert np.all(np.isfinite(flat))
    bars = plotting.eigen_bars(Figure().add_subplot())
    bars.set_segments(segments)
    assert len(bars.get_segments()) == 2


def test_phase_heatmap_marks_missing_and_diverged_cells(ax):
    x = np.geomspace(0.01, 1.0, 4)
    y = np.linspace(0.0, 0.9, 3)
    values = np.arange(12.0).reshape(3, 4)
    diverged = np.zeros((3, 4), bool)
    diverged[0, 3] = True
    missing = np.zeros((3, 4), bool)
    missing[2, 0] = True
    values[diverged | missing] = np.nan
    art = plotting.phase_heatmap(ax, x, y, values, diverged=diverged, missing=missing,
                                 x_log=True, label="steps", missing_label="never")
    assert ax.get_xscale() == "log" and ax.get_yscale() == "linear"
    assert art["mesh"].get_array().mask.sum() == 2
    assert art["diverged"].get_array().count() == 1 and art["missing"].get_array().count() == 1
    assert art["legend_labels"] == ["never", "diverged"]
    assert footer_texts(art["legend"]) == ["never", "diverged"]
    assert art["colorbar"].ax.get_ylabel() == "steps"
    edges = art["mesh"].get_coordinates()[0, :, 0]
    np.testing.assert_allclose(np.sqrt(edges[1:] * edges[:-1]), x)  # centred on a log axis


def footer_texts(box) -> list[str]:
    """The texts in a footer (an AnnotationBbox of packed offset boxes), in order."""
    from matplotlib.offsetbox import AnnotationBbox, TextArea

    found = []
    stack = [box.offsetbox if isinstance(box, AnnotationBbox) else box]
    while stack:
        node = stack.pop(0)
        if isinstance(node, TextArea):
            found.append(node.get_text())
        else:
            stack[:0] = node.get_children()
    return [text for text in found if text]


def drawn(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def test_phase_heatmap_leaves_the_space_above_the_axes_to_the_caller():
    fig = Figure(figsize=(6, 4.5), layout="constrained")
    ax = fig.add_subplot()
    values = np.arange(12.0).reshape(3, 4)
    missing = np.zeros((3, 4), bool)
    missing[0, 0] = True
    diverged = np.zeros((3, 4), bool)
    diverged[2, 3] = True
    art = plotting.phase_heatmap(ax, np.arange(4.0), np.arange(3.0), values, missing=missing,
                                 diverged=diverged, caption="momentum on ravine, 200 steps",
                                 missing_label="not within 1e-06")
    ax.set_xlabel("learning rate")
    ax.set_title("fastest: 23 steps at ε = 2.2, μ = 0.5, a long title set by the caller")
    ax.set_title("momentum", loc="right")
    renderer = drawn(fig)
    assert footer_texts(art["legend"]) == ["momentum on ravine, 200 steps", "not within 1e-06",
                                           "diverged"]
    assert ax.get_title(loc="left") == ""
    footer = art["legend"].get_window_extent(renderer)
    label = ax.xaxis.label.get_window_extent(renderer)
    ticks = ax.xaxis.get_tightbbox(renderer)
    assert footer.y1 <= label.y0 + 0.5 and footer.y1 <= ticks.y0 + 0.5  # below the x axis
    for loc in ("center", "right"):
        title = ax.get_title(loc=loc)
        extent = next(t for t in (ax.title, ax._right_title) if t.get_text() == title
                      ).get_window_extent(renderer)
        assert not extent.overlaps(footer)
    assert 0 <= footer.y0 and footer.x1 <= fig.bbox.x1  # the layout made room for it


def test_phase_heatmap_colour_range_keeps_a_constant_field_honest(ax):
    constant = np.full((3, 4), 5.0)
    art = plotting.phase_heatmap(ax, np.arange(4.0), np.arange(3.0), constant,
                                 color_range=(0.0, 10.0), note="every cell: 5")
    assert art["mesh"].norm(5.0) == pytest.approx(0.5)
    assert art["note"].get_text() == "every cell: 5"
    log_ax = Figure().add_subplot()
    art = plotting.phase_heatmap(log_ax, np.arange(4.0), np.arange(3.0), constant * 3,
                                 log_color=True, color_range=(1e-6, 1e-6))
    assert art["mesh"].norm.vmin == pytest.approx(1e-6) and art["mesh"].norm(15.0) == 1.0
    assert art["legend"] is None and art["note"] is None


def test_path_linestyles_change_when_the_colours_wrap():
    n = len(plotting.PATH_COLORS)
    assert plotting.path_linestyle(0) == plotting.path_linestyle(n - 1) == "-"
    assert plotting.path_linestyle(n) == "--"
    looks = [(*plotting.path_style(i), plotting.path_linestyle(i)) for i in range(2 * n)]
    assert len(set(looks)) == 2 * n
    assert all(looks[i][0] == looks[i + n][0] and looks[i][2] != looks[i + n][2]
               for i in range(n))


def test_surface3d_tick_labels_do_not_run_together():
    fig = Figure(figsize=(7.5, 5.5))
    ax = fig.add_subplot(projection="3d")
    plotting.surface3d(ax, surfaces.get("ravine"), n=20)
    renderer = drawn(fig)
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        labels = [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]
        assert 2 <= len(labels) <= 6
        boxes = [t.get_window_extent(renderer) for t in labels]
        for i, one in enumerate(boxes):
            assert not any(one.overlaps(other) for other in boxes[i + 1:]), axis
            assert not one.overlaps(axis.label.get_window_extent(renderer)), axis


def test_surface3d_draws_the_surface_and_the_lifted_paths():
    ravine = surfaces.get("ravine")
    traj = run(optimizers.momentum(0.3), ravine, ravine.start, 10)
    ax = Figure().add_subplot(projection="3d")
    artists = plotting.surface3d(ax, ravine, [("momentum", traj.points)], n=15)
    assert len(artists) == 2
    x, y, z = artists[1].get_data_3d()
    np.testing.assert_array_equal(np.column_stack([x, y]), traj.points)
    expected = plotting.surface_height(ravine, traj.points, log=True,
                                       delta=artists_delta(ravine, 15))
    np.testing.assert_allclose(z, expected)
    assert ax.get_zlabel() == "log₁₀(f − f*)"


def artists_delta(surface, n):
    xs, ys = np.linspace(*surface.xlim, n), np.linspace(*surface.ylim, n)
    z = surface.f(np.stack(np.meshgrid(xs, ys), axis=-1))
    return max(float(z.max() - surface.f_min) * 1e-6, 1e-12)
