"""Cue text files next to the audio: ``.lrc`` (synced lyrics) and ``.vtt`` (WebVTT captions).

Times are file times (lead-in included), the same numbers the SYLT frame holds.
"""

from __future__ import annotations

from collections.abc import Sequence

from repcue.export.chapters import Chapter, CueLine


def _lrc_time(ms: int) -> str:
    centis = (ms + 5) // 10
    minutes, centis = divmod(centis, 6000)
    return f"[{minutes:02d}:{centis // 100:02d}.{centis % 100:02d}]"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def lrc(title: str, artist: str, album: str, duration_ms: int, cues: Sequence[CueLine],
        comment: str | None = None) -> str:
    """An LRC file: each cue at its start, and an empty line when it ends before the next.

    ``comment`` (the music played under the voice) goes in the header as a ``#`` line.
    """
    seconds = duration_ms // 1000
    lines = [f"[ti:{_one_line(title)}]", f"[ar:{_one_line(artist)}]", f"[al:{_one_line(album)}]",
             f"[length:{seconds // 60:02d}:{seconds % 60:02d}]", "[re:repcue]"]
    if comment:
        lines.append(f"#{_one_line(comment)}")
    for i, cue in enumerate(cues):
        lines.append(f"{_lrc_time(cue.start_ms)}{_one_line(cue.text)}")
        next_start = cues[i + 1].start_ms if i + 1 < len(cues) else None
        if next_start is None or next_start > cue.end_ms:
            lines.append(_lrc_time(cue.end_ms))
    return "\n".join(lines) + "\n"


def vtt_time(ms: int) -> str:
    """``HH:MM:SS.mmm``, as WebVTT cues and Vorbis chapter comments write times."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def vtt(title: str, cues: Sequence[CueLine], chapters: Sequence[Chapter] = ()) -> str:
    """A WebVTT file with one cue per spoken line; chapters go in a NOTE for people reading it."""
    parts = [f"WEBVTT - {_one_line(title)}"]
    if chapters:
        listing = "\n".join(f"{vtt_time(c.start_ms)} {c.title}" for c in chapters)
        parts.append("NOTE chapters\n" + listing.replace("-->", "->"))
    for i, cue in enumerate(cues, start=1):
        text = _one_line(cue.text).replace("-->", "->")
        parts.append(f"{i}\n{vtt_time(cue.start_ms)} --> {vtt_time(cue.end_ms)}\n{text}")
    return "\n\n".join(parts) + "\n"
