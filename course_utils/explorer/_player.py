"""The race player: a self-contained HTML animation (PNG frames, a few lines of JavaScript).

Like matplotlib's ``_animation_data.py`` for ``FuncAnimation.to_jshtml``, but nothing is loaded
from the network: the icons are inline SVG and the frames are embedded as base64.
"""

from __future__ import annotations

import base64
import html
import string
import uuid
from collections.abc import Sequence

__all__ = ["player_html"]

_PLAYER = """<div id="race-$uid" style="font-family:sans-serif;max-width:${width}px">
<img id="race-$uid-img" src="data:image/png;base64,$last" alt="$alt"
 style="width:100%;height:auto;display:block">
<div style="display:flex;align-items:center;gap:6px;flex-wrap:wrap;margin-top:4px">
<button type="button" title="first frame" onclick="race_$uid.go(0)">$icon_first</button>
<button type="button" title="previous frame"
 onclick="race_$uid.go(race_$uid.i - 1)">$icon_previous</button>
<button type="button" title="play" onclick="race_$uid.play()">$icon_play play</button>
<button type="button" title="pause" onclick="race_$uid.pause()">$icon_pause</button>
<button type="button" title="next frame"
 onclick="race_$uid.go(race_$uid.i + 1)">$icon_next</button>
<button type="button" title="last frame" onclick="race_$uid.go(race_$uid.n - 1)">$icon_last</button>
<input id="race-$uid-range" type="range" min="0" max="$maxframe" value="$maxframe"
 style="flex:1;min-width:120px" oninput="race_$uid.go(+this.value)">
<span id="race-$uid-label" style="min-width:7em">step $laststep</span>
<label><input type="checkbox" id="race-$uid-loop" $checked> loop</label>
</div>
<script>
var race_$uid = (function () {
  var frames = [$frames];
  var steps = [$steps];
  var img = document.getElementById("race-$uid-img");
  var range = document.getElementById("race-$uid-range");
  var label = document.getElementById("race-$uid-label");
  var loop = document.getElementById("race-$uid-loop");
  var self = {i: frames.length - 1, n: frames.length, timer: null};
  self.go = function (i) {
    i = Math.max(0, Math.min(self.n - 1, i));
    self.i = i;
    img.src = "data:image/png;base64," + frames[i];
    range.value = i;
    label.textContent = "step " + steps[i];
  };
  self.pause = function () {
    if (self.timer !== null) { clearInterval(self.timer); self.timer = null; }
  };
  self.play = function () {
    self.pause();
    if (self.i >= self.n - 1) { self.go(0); }
    self.timer = setInterval(function () {
      if (self.i < self.n - 1) { self.go(self.i + 1); }
      else if (loop.checked) { self.go(0); }
      else { self.pause(); }
    }, $interval);
  };
  return self;
})();
</script>
</div>"""


# The player's icons are inline SVG: media-control characters such as U+23EE are missing from
# many fonts (Debian's default ones among them) and would show as empty boxes.
_ICON_PATHS = {
    "first": "M1 1h2v10H1zM11 1v10L4 6z",
    "previous": "M8 1v10L1 6zM9 1h2v10H9z",
    "play": "M2 1v10l9-5z",
    "pause": "M2 1h3v10H2zM7 1h3v10H7z",
    "next": "M1 1h2v10H1zM4 1v10l7-5z",
    "last": "M1 1v10l7-5zM9 1h2v10H9z",
}
_ICONS = {f"icon_{name}": ('<svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" '
                           f'style="vertical-align:-1px"><path d="{path}" fill="currentColor"/>'
                           "</svg>") for name, path in _ICON_PATHS.items()}


def player_html(frames: Sequence[bytes], steps: Sequence[int], *, fps: float, loop: bool,
                width: int, alt: str) -> str:
    """A self-contained HTML animation: PNG ``frames`` (one per step in ``steps``) embedded
    as base64, with play / pause / step / scrub buttons. No external file, font or script."""
    encoded = [base64.b64encode(f).decode("ascii") for f in frames]
    return string.Template(_PLAYER).substitute(
        uid=uuid.uuid4().hex[:12], width=int(width), alt=html.escape(alt),
        last=encoded[-1], maxframe=len(encoded) - 1, laststep=int(steps[-1]),
        checked="checked" if loop else "", frames=",".join(f'"{e}"' for e in encoded),
        steps=",".join(str(int(k)) for k in steps), interval=max(10, int(1000.0 / fps)), **_ICONS)
