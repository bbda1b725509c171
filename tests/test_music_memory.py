"""A long playlist streams: the bed holds a few open tracks and seconds of audio, not the list."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from music_support import make_noise
from repcue.music import Ducking, MusicChoice, choose_tracks, session_bed
from repcue.timeline import Timeline
from timelines import event

RATE = 8000  # the bed's work per sample is the same at any rate; this keeps the test short


@pytest.mark.slow
def test_a_long_playlist_plays_in_bounded_memory(tmp_path: Path) -> None:
    files = [make_noise(tmp_path / f"{i}{suffix}", 15.0, 44100, 2)
             for i, suffix in enumerate((".mp3", ".ogg", ".flac", ".m4a"))]
    playlist = tmp_path / "long.m3u8"
    playlist.write_text("\n".join(f.name for f in files * 10), encoding="utf-8")  # 40 entries
    minutes = 10
    speech = [event(ms, ms + 2000, "speech", "form", "cue")
              for ms in range(0, minutes * 60_000, 20_000)]
    timeline = Timeline("long", "Long", minutes * 60_000, tuple(speech))
    tracks = choose_tracks(MusicChoice(playlist), timeline.duration_ms)
    assert len(tracks) == 40 and len({t.info.path for t in tracks}) == 4
    spans = [(e.start_ms * RATE // 1000, e.end_ms * RATE // 1000) for e in speech]
    total = minutes * 60 * RATE
    bed = session_bed(tracks, timeline, spans, RATE, 0, total, Ducking(), -16.0)

    tracemalloc.start()
    try:
        most_open = 0
        for lo in range(0, total, RATE):  # one second at a time, as the export asks
            block = bed.render(lo, lo + RATE)
            assert block is not None
            most_open = max(most_open, len(bed._open))
            if lo == 5 * 60 * RATE:
                tracemalloc.reset_peak()  # from here on, nothing may pile up
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        bed.close()
    assert most_open <= 3
    assert peak < 4_000_000  # bytes: a few seconds of audio at most, over 5 minutes
    assert not bed.warnings
