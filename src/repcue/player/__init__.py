"""Live playback: the renderer's blocks through a sound device, with keys and a live display.

``play()`` ties the parts together; each part is replaceable so tests can drive a session
with a fake clock and a recording sink in milliseconds.
"""

from __future__ import annotations

from repcue.player.playback import PlayResult, play

__all__ = ["PlayResult", "play"]
