"""--music through the real entry point: exports with a bed, bad input, and the speech cache."""

from __future__ import annotations

from pathlib import Path

import mutagen.id3
import numpy as np
import pytest

from export_support import decode
from music_support import make_noise, make_tone
from repcue.cli import main
from repcue.errors import ExitStatus
from repcue.mix.loudness import measure


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("gym-music")
    make_noise(folder / "01 Warm Up.mp3", 20.0, 48000, 2, amplitude=0.4)
    make_noise(folder / "02 Heavy.m4a", 25.0, 44100, 2, amplitude=0.2)
    make_tone(folder / "03 Hum.ogg", 15.0, 32000, 1, freq=330.0)
    return folder


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech-cache")


@pytest.mark.speech
@pytest.mark.slow
def test_export_with_music_is_on_target_and_credits_the_tracks(
        folder: Path, cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["export", "activation", "--engine", "pyttsx3", "--cache-dir", str(cache)]
    plain = tmp_path / "plain.mp3"
    code, _, err = run_main([*base, "-o", str(plain)], capsys)
    assert code == ExitStatus.OK, err
    clips_before = sorted(p.name for p in cache.rglob("*") if p.is_file())

    out = tmp_path / "with-music.mp3"
    code, text, err = run_main([*base, "-o", str(out), "--music", str(folder)], capsys)
    assert code == ExitStatus.OK, err
    assert "Music: 3 tracks" in text
    assert "Music: as loud as the voice in long rests, 15 dB under it around the cues" in text
    # --music changed only the mix: no phrase was synthesised again (the levels of the mix
    # and of the tracks are remembered beside the clips, as .gain files and tracks.json).
    def clips(names: list[str]) -> list[str]:
        return [n for n in names if n.endswith(".clip")]

    assert clips(sorted(p.name for p in cache.rglob("*") if p.is_file())) == clips(clips_before)
    assert clips(clips_before)

    with_music, without = decode(out, 22050), decode(plain, 22050)
    lufs, true_peak = measure(with_music, 22050)
    plain_lufs, _ = measure(without, 22050)
    # The voice alone is on the target, and so is the whole file with the music (it comes
    # up in the rests).
    assert plain_lufs == pytest.approx(-19.0, abs=1.0)
    assert lufs == pytest.approx(-19.0, abs=1.0)
    assert true_peak <= -1.0
    # The music fills the rests: far more energy where the plain export is near silent.
    quiet = np.abs(without) < 1e-3
    assert np.sqrt(np.mean(with_music[quiet] ** 2)) > 10 * np.sqrt(
        np.mean(without[quiet] ** 2) + 1e-12)
    comment = mutagen.id3.ID3(out).getall("COMM")[0].text[0]
    assert comment == "Music: 01 Warm Up; 02 Heavy; 03 Hum"
    assert "#Music: 01 Warm Up; 02 Heavy; 03 Hum" in out.with_suffix(".lrc").read_text()


@pytest.mark.speech
@pytest.mark.slow
def test_an_export_into_the_music_folder_is_not_music_next_time(
        cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gym = tmp_path / "gym"
    make_noise(gym / "01 Warm Up.mp3", 20.0, 44100, 2, amplitude=0.4)
    for extra in ([], ["--force"], ["--force", "--no-sidecars"], ["--force"]):
        code, text, err = run_main(["export", "activation", "--engine", "pyttsx3", "--cache-dir",
                                    str(cache), "-o", str(gym / "activation.mp3"),
                                    "--music", str(gym), *extra], capsys)
        assert code == ExitStatus.OK, err
        assert "Music: 1 track (01 Warm Up)" in text, extra


@pytest.mark.parametrize(("make", "fragment"), [
    (lambda d: d / "nothing-here", "nothing-here: no such file or folder"),
    (lambda d: (d / "empty").mkdir() or d / "empty", "empty: holds no audio files"),
    (lambda d: (d / "bad.mp3").write_bytes(b"ID3\x04" + bytes(200)) and d / "bad.mp3",
     "bad.mp3: cannot be decoded"),
    (lambda d: (d / "list.m3u").write_text("gone.flac\n") and d / "list.m3u",
     "list.m3u: line 1: 'gone.flac' points nowhere"),
])
def test_bad_music_exits_2_with_one_line_naming_the_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], make: object, fragment: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    code, _, err = run_main(["export", "activation", "-o",
                             str(tmp_path / "x.mp3"), "--music", str(path)], capsys)
    assert code == ExitStatus.BAD_INPUT, err
    assert fragment in err
    assert len(err.strip().splitlines()) <= 2 and "Traceback" not in err


def test_levels_out_of_range_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(["play", "activation", "--music", str(tmp_path),
                             "--music-level", "90"], capsys)
    assert code == ExitStatus.BAD_INPUT
    assert "--music-level: 90.0 dB is out of range" in err
    code, _, err = run_main(["export", "activation", "--music", str(tmp_path),
                             "--music-rest", "20"], capsys)
    assert code == ExitStatus.BAD_INPUT
    assert "--music-rest: 20.0 dB is out of range" in err and "0 to 15 dB" in err
