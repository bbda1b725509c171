"""Tracks measured once are not measured again until the file changes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from music_support import make_noise
from repcue.music import MusicChoice, choose_tracks
from repcue.music import level as level_module
from repcue.music.decode import TrackInfo
from repcue.music.remembered import TrackMemory


def test_a_second_choice_reads_the_remembered_level_until_the_file_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "music"
    folder.mkdir()
    track = make_noise(folder / "a.wav", 3.0)
    cache = tmp_path / "cache"
    first = choose_tracks(MusicChoice(folder), 2000, cache)
    assert (cache / "music" / "tracks.json").is_file()

    measured: list[Path] = []
    real = level_module.track_loudness

    def counting(info: TrackInfo) -> float:
        measured.append(info.path)
        return real(info)

    monkeypatch.setattr("repcue.music.track_loudness", counting)
    again = choose_tracks(MusicChoice(folder), 2000, cache)
    assert measured == []
    assert again == first

    make_noise(track, 4.0)  # replaced: another length, another level
    os.utime(track, ns=(1, 1))
    changed = choose_tracks(MusicChoice(folder), 2000, cache)
    assert measured == [track]
    assert changed[0].info.frames != first[0].info.frames


def test_a_broken_memory_just_means_measuring_again(tmp_path: Path) -> None:
    folder = tmp_path / "music"
    folder.mkdir()
    make_noise(folder / "a.wav", 2.0)
    cache = tmp_path / "cache"
    (cache / "music").mkdir(parents=True)
    (cache / "music" / "tracks.json").write_text("{not json", encoding="utf-8")
    tracks = choose_tracks(MusicChoice(folder), 1000, cache)
    assert len(tracks) == 1
    saved = json.loads((cache / "music" / "tracks.json").read_text(encoding="utf-8"))
    assert saved["version"] == 1 and len(saved["tracks"]) == 1
    assert TrackMemory(None).recall(folder / "a.wav") is None
