"""A program: one file per workout, exported two at a time, and a playlist of them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import mutagen.id3
import pytest

from export_support import workout
from repcue.clip import Clip
from repcue.errors import ExportError
from repcue.export import ExportOptions, export_program
from repcue.timeline import Timeline
from repcue.tones import default_palette

PALETTE = default_palette(44100)
Session = tuple[Timeline, Mapping[str, Clip]]


def test_a_program_writes_each_workout_and_a_playlist(tmp_path: Path) -> None:
    small = workout(sets=1, reps=1, exercises=("Kettlebell squat",))
    other = workout(sets=1, reps=2, exercises=("Dumbbell row",))
    results = export_program([("squat", lambda: small), ("row", lambda: other)],
                             tmp_path / "out", PALETTE, ExportOptions(sidecars=False), jobs=2,
                             playlist_name="week")
    assert [r.path.name for r in results] == ["squat.mp3", "row.mp3"]
    assert [str(mutagen.id3.ID3(r.path)["TRCK"]) for r in results] == ["1", "2"]
    playlist = (tmp_path / "out" / "week.m3u8").read_text(encoding="utf-8")
    seconds = [round(r.duration_ms / 1000) for r in results]
    assert playlist == (f"#EXTM3U\n#EXTINF:{seconds[0]},Test workout\nsquat.mp3\n"
                        f"#EXTINF:{seconds[1]},Test workout\nrow.mp3\n")


def test_a_failing_workout_stops_the_program_and_writes_no_playlist(tmp_path: Path) -> None:
    small = workout(sets=1, reps=1, exercises=("Kettlebell squat",))

    def broken() -> Session:
        raise ExportError("no speech for this one")

    with pytest.raises(ExportError, match="no speech"):
        export_program([("broken", broken), ("squat", lambda: small)], tmp_path, PALETTE,
                       ExportOptions(sidecars=False), jobs=2)
    assert not (tmp_path / "program.m3u8").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".repcue-part")]
