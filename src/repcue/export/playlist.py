"""An extended M3U (UTF-8) playlist of exported workouts, paths relative to the playlist."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path


def m3u8(playlist: Path, entries: Sequence[tuple[Path, str, int]]) -> str:
    """Text of ``playlist`` listing ``(file, title, duration_ms)`` in order."""
    lines = ["#EXTM3U"]
    for file, title, duration_ms in entries:
        relative = os.path.relpath(file, playlist.parent)
        lines.append(f"#EXTINF:{round(duration_ms / 1000)},{' '.join(title.split())}")
        lines.append(Path(relative).as_posix())
    return "\n".join(lines) + "\n"
