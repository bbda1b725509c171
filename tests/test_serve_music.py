"""--music on serve: checked before the port is taken, and the episode carries the music."""

from __future__ import annotations

from pathlib import Path

import mutagen.id3
import pytest

from export_support import workout
from music_support import make_noise
from repcue.cli import main
from repcue.errors import ExitStatus
from repcue.export import ExportOptions
from repcue.music import MusicChoice
from repcue.serve.episodes import EpisodeShelf
from repcue.tones import default_palette


def test_missing_music_is_one_line_before_any_work(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no-such-folder"
    with pytest.raises(SystemExit) as done:
        main(["serve", "activation", "--host", "127.0.0.1", "--port", "0", "--no-qr",
              "--music", str(missing)])
    out, err = capsys.readouterr()
    assert done.value.code == ExitStatus.BAD_INPUT
    assert str(missing) in err and "Traceback" not in err
    assert "Page:" not in out  # nothing was served


def test_an_episode_with_music_is_a_new_episode_that_credits_the_track(tmp_path: Path) -> None:
    track = make_noise(tmp_path / "Warm Up.mp3", 8.0, 44100, 2, amplitude=0.3)
    timeline, clips = workout(sets=1, reps=2, rest_ms=3000, exercises=("Kettlebell squat",))
    shelf = EpisodeShelf(tmp_path / "episodes")
    palette = default_palette(44100)
    plain, _ = shelf.episode("squat", "squat", timeline, clips, palette, ExportOptions())
    scored, rendered = shelf.episode("squat", "squat", timeline, clips, palette,
                                     ExportOptions(music=MusicChoice(track)))
    assert rendered
    assert scored.guid != plain.guid
    comments = mutagen.id3.ID3(scored.audio).getall("COMM")
    assert any("Warm Up" in str(text) for frame in comments for text in frame.text)
