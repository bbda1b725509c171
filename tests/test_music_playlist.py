"""From --music PATH to the files to play: a file, a folder, a shuffled folder, an M3U."""

from __future__ import annotations

from pathlib import Path

import pytest

from export_support import export_to, workout
from music_support import make_noise
from repcue.errors import ContentError
from repcue.export import ExportOptions
from repcue.music.playlist import exported_by_repcue, music_files
from repcue.tones import default_palette


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def test_a_folder_plays_in_name_order_with_its_subfolders(tmp_path: Path) -> None:
    for name in ("b.mp3", "A.flac", "c.txt", "cover.jpg", "sub/a.ogg", ".hidden.mp3"):
        _touch(tmp_path / name)
    assert [p.relative_to(tmp_path).as_posix() for p in music_files(tmp_path)] == [
        "A.flac", "b.mp3", "sub/a.ogg"]


def test_shuffle_follows_the_session_seed(tmp_path: Path) -> None:
    for i in range(12):
        _touch(tmp_path / f"{i:02d}.mp3")
    ordered = music_files(tmp_path)
    first = music_files(tmp_path, shuffle=True, seed=3)
    assert first == music_files(tmp_path, shuffle=True, seed=3)
    assert first != ordered and sorted(first) == ordered
    assert music_files(tmp_path, shuffle=True, seed=4) != first


def test_a_playlist_reads_relative_and_absolute_lines(tmp_path: Path) -> None:
    one = _touch(tmp_path / "music" / "one.mp3")
    two = _touch(tmp_path / "elsewhere" / "two.flac")
    playlist = tmp_path / "music" / "gym.m3u8"
    playlist.write_text(f"#EXTM3U\n#EXTINF:1,One\none.mp3\n\n{two}\nfile://{one}\n",
                        encoding="utf-8")
    assert music_files(playlist) == [one, two, one]


def test_a_dead_playlist_line_names_the_playlist_and_line(tmp_path: Path) -> None:
    _touch(tmp_path / "one.mp3")
    playlist = tmp_path / "gym.m3u"
    playlist.write_text("one.mp3\n# a comment\nmissing.mp3\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"gym.m3u: line 3: 'missing.mp3' points nowhere"):
        music_files(playlist)


def test_urls_and_empty_playlists_are_refused(tmp_path: Path) -> None:
    playlist = tmp_path / "radio.m3u"
    playlist.write_text("http://example.com/stream.mp3\n", encoding="utf-8")
    with pytest.raises(ContentError, match="is not a local file"):
        music_files(playlist)
    playlist.write_text("#EXTM3U\n", encoding="utf-8")
    with pytest.raises(ContentError, match="lists no files"):
        music_files(playlist)


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="no such file or folder"):
        music_files(tmp_path / "nothing")
    _touch(tmp_path / "empty" / "readme.txt")
    with pytest.raises(ContentError, match="empty: holds no audio files"):
        music_files(tmp_path / "empty")


def test_a_folder_leaves_out_repcue_exports(tmp_path: Path) -> None:
    # A lifter who exports into the music folder must not hear the last workout under the
    # next: exports are told by their LRC sidecar, or (without sidecars) their MP3 tag.
    timeline, clips = workout(sets=1, reps=1, exercises=("Goblet squat",))
    palette = default_palette(44100)
    export_to(timeline, clips, palette, tmp_path / "monday.mp3")
    export_to(timeline, clips, palette, tmp_path / "tuesday.mp3", ExportOptions(sidecars=False))
    export_to(timeline, clips, palette, tmp_path / "sub" / "wednesday.ogg",
              ExportOptions(format="ogg"))
    for fmt in ("wav", "ogg", "m4a"):  # each format's own tag says repcue made it
        export_to(timeline, clips, palette, tmp_path / f"bare.{fmt}",
                  ExportOptions(format=fmt, sidecars=False))
    with pytest.raises(ContentError, match=r"holds no audio files \(6 repcue exports left out"):
        music_files(tmp_path)
    song = make_noise(tmp_path / "song.mp3", 2.0, 44100, 2)
    (tmp_path / "song.lrc").write_text("[ar:Someone]\n[00:01.00]la la\n")  # lyrics: music
    others = [make_noise(tmp_path / f"song.{fmt}", 1.0, rate, 2)  # tagged by ffmpeg
              for fmt, rate in (("m4a", 44100), ("ogg", 44100), ("opus", 48000), ("wav", 44100))]
    assert music_files(tmp_path) == sorted([song, *others])
    assert not any(exported_by_repcue(p) for p in [song, *others])
    # Named on its own, an export plays: the lifter asked for it.
    assert music_files(tmp_path / "tuesday.mp3") == [tmp_path / "tuesday.mp3"]
