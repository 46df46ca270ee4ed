"""The 3-D view: paths lifted onto the surface, in each optimizer's own look."""

from __future__ import annotations

import numpy as np

from course_utils import explorer, optimizers, surfaces

from .helpers import demo, expected_run


def test_surface3d_lifts_the_paths_onto_the_surface():
    ravine = surfaces.get("ravine")
    traj = expected_run("sgd", ravine, demo("ravine", "sgd"), 15)
    fig = explorer.surface3d("ravine", {"sgd": traj}, n=20)
    ax = fig.axes[0]
    assert ax.name == "3d"
    (line,) = [artist for artist in ax.lines if artist.get_label() == "SGD"]
    x, y, z = line.get_data_3d()
    np.testing.assert_array_equal(np.column_stack([x, y]), traj.points)
    assert np.all(np.diff(z) <= 1e-12)  # gradient descent on a quadratic: the loss decreases


def test_surface3d_takes_anything_with_trajectories_and_styles_by_registry(app):
    fig = explorer.surface3d("ravine", app, n=10)  # duck-typed: app.trajectories
    lines = {line.get_label(): line for line in fig.axes[0].lines}
    for name in app.trajectories:
        look = optimizers.info(name).style
        line = lines[optimizers.info(name).label]
        assert (line.get_color(), line.get_marker(), line.get_linestyle()) == tuple(look)
    ravine = surfaces.get("ravine")
    traj = expected_run("adam", ravine, demo("ravine", "adam"), 5)
    fig = explorer.surface3d(ravine, [traj, traj.points], n=10)  # a list: names by position
    assert [line.get_label() for line in fig.axes[0].lines] == ["Adam", "path 1"]
