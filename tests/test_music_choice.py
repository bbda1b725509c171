"""What to play: --music flags over the config's [music], and the checks on both."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from repcue.config import load_config
from repcue.errors import ContentError
from repcue.music import music_choice
from repcue.music.decode import quiet_stderr


def test_flags_win_over_the_config(tmp_path: Path) -> None:
    config = {"path": "tracks", "shuffle": True, "level": 18, "duck": 6}
    from_config = music_choice(None, config=config, config_dir=tmp_path)
    assert from_config is not None
    assert from_config.path == tmp_path / "tracks"
    assert from_config.shuffle
    assert (from_config.ducking.level_db, from_config.ducking.duck_db) == (18.0, 6.0)
    flags = music_choice(Path("mine.mp3"), shuffle=False, level_db=12.0, config=config)
    assert flags is not None
    assert (flags.path, flags.shuffle, flags.ducking.level_db) == (Path("mine.mp3"), False, 12.0)
    assert flags.ducking.duck_db == 6.0
    # The rest level: worked out per session unless the flag or the config sets it.
    assert flags.ducking.rest_db is None
    rested = music_choice(None, config={**config, "rest": 4}, config_dir=tmp_path)
    assert rested is not None and rested.ducking.rest_db == 4.0
    flagged = music_choice(None, rest_db=2.0, config={**config, "rest": 4}, config_dir=tmp_path)
    assert flagged is not None and flagged.ducking.rest_db == 2.0
    assert music_choice(None, no_music=True, config=config) is None
    assert music_choice(None) is None


def test_levels_out_of_range_name_the_flag() -> None:
    with pytest.raises(ContentError, match=r"--music-level: 70.0 dB is out of range"):
        music_choice(Path("x.mp3"), level_db=70.0)
    with pytest.raises(ContentError, match=r"--music-duck: -3.0 dB is out of range"):
        music_choice(Path("x.mp3"), duck_db=-3.0)
    # In rests no quieter than the bed: that is what rests bring the music up from.
    with pytest.raises(ContentError, match=r"--music-rest: 20.0 dB is out of range.*"
                                           r"0 to 15 dB under the voice"):
        music_choice(Path("x.mp3"), rest_db=20.0)


def test_the_config_music_table_is_checked(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[music]\npath = "~/gym"\nshuffle = true\nlevel = 12.5\n',
                      encoding="utf-8")
    assert load_config(config).music == {"path": "~/gym", "shuffle": True, "level": 12.5}
    config.write_text('[music]\nlevels = 12\n', encoding="utf-8")
    with pytest.raises(ContentError, match=r"music.levels: unknown key 'levels'; did you mean"):
        load_config(config)
    config.write_text('[music]\nshuffle = "yes"\n', encoding="utf-8")
    with pytest.raises(ContentError, match=r"music.shuffle: 'yes' is not allowed"):
        load_config(config)


def test_c_level_stderr_is_kept_off_the_screen(capfd: pytest.CaptureFixture[str]) -> None:
    with quiet_stderr(), quiet_stderr():
        os.write(2, b"part2_3_length (3405) too large for available bit count (3240)\n")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"


def test_a_track_that_needs_ffmpeg_is_refused_before_anything_when_it_is_missing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from music_support import make_noise
    from repcue.music import MusicChoice, check_music

    folder = tmp_path / "music"
    folder.mkdir()
    make_noise(folder / "a.wav", 1.0)
    make_noise(folder / "b.m4a", 1.0)
    check_music(MusicChoice(folder))  # ffmpeg is here: fine
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ContentError) as caught:
        check_music(MusicChoice(folder))
    message = str(caught.value)
    assert message.startswith(f"{folder / 'b.m4a'}: needs ffprobe to be decoded")
    assert caught.value.hint is not None and "apt install ffmpeg" in caught.value.hint
