"""Races: several optimizers animated together, exported without a kernel."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest
from PIL import Image

from course_utils import explorer, surfaces

from .helpers import demo, expected_run


@pytest.fixture(scope="module")
def small_race():
    return explorer.race("beale", ["sgd", "adam"], 40, frames=8, adam={"learning_rate": 0.05})


def test_race_runs_the_given_hyperparameters(small_race):
    beale = surfaces.get("beale")
    traj = expected_run("adam", beale, demo("beale", "adam", learning_rate=0.05), 40)
    np.testing.assert_array_equal(small_race.trajectories["adam"].points, traj.points)
    assert list(small_race.frames) == [0, 6, 11, 17, 23, 29, 34, 40]


def test_race_html_holds_every_frame_and_no_network_url(small_race):
    text = small_race.to_html()
    frames = re.search(r"var frames = \[(.*?)\];", text).group(1).split(",")
    steps = re.search(r"var steps = \[(.*?)\];", text).group(1).split(",")
    assert len(frames) == len(small_race.frames) and steps == [str(k) for k in
                                                               small_race.frames]
    for frame in frames:  # each one a complete PNG of the figure's size
        with Image.open(io.BytesIO(base64.b64decode(frame.strip('"')))) as image:
            assert image.format == "PNG" and image.size == small_race.frame_images()[0].size
    assert not re.search(r"https?://|<link|<script src", text)
    assert text.count("<script>") == 1


def test_race_player_buttons_draw_their_icons_without_fonts(small_race):
    # Media-control characters (U+23EE and friends) are missing from common fonts.
    buttons = re.findall(r"<button[^>]*>(.*?)</button>", small_race.to_html(), re.S)
    assert len(buttons) == 6
    for content in buttons:
        assert content.count("<svg") == 1 and "<path d=" in content
        assert re.sub(r"<svg.*?</svg>", "", content, flags=re.S).strip() in {"", "play"}


def test_race_gif_is_a_valid_animation(small_race, tmp_path):
    path = small_race.save_gif(tmp_path / "race.gif")
    with Image.open(path) as image:
        assert image.format == "GIF" and image.n_frames == len(small_race.frames)


def test_race_mp4_needs_ffmpeg(small_race, tmp_path):
    if small_race.mp4_available():
        assert small_race.save_mp4(tmp_path / "race.mp4").stat().st_size > 0
    else:
        with pytest.raises(RuntimeError, match="ffmpeg"):
            small_race.save_mp4(tmp_path / "race.mp4")


def test_race_rejects_bad_input():
    with pytest.raises(ValueError, match="not racing"):
        explorer.race("ravine", ["sgd"], 5, adam={"learning_rate": 0.1})
    with pytest.raises(ValueError, match="no racing optimizer"):
        explorer.race("ravine", ["sgd"], 5, beta_1=0.5)
    with pytest.raises(ValueError, match="unknown optimizer"):
        explorer.race("ravine", ["adamz"], 5)
