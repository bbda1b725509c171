"""``repcue export`` in-process with CliRunner, and once as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import mutagen.id3
import pytest
from click.testing import CliRunner

from export_support import decode
from repcue.cli import cli
from repcue.mix.loudness import measure

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech-cache")


def test_help_shows_examples() -> None:
    result = CliRunner().invoke(cli, ["export", "--help"])
    assert result.exit_code == 0
    assert "repcue export back-strength -o ~/Music/" in result.output


@pytest.mark.parametrize(("args", "message"), [
    ([], "name a workout"),
    (["activation", "--all"], "not both"),
    (["activation", "-o", "x.ogg", "--format", "mp3"], "ends in .ogg but --format is mp3"),
    (["activation", "back-strength", "-o", "x.mp3"], "-o must be a folder"),
])
def test_usage_errors(args: list[str], message: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", *args], catch_exceptions=False)
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.slow
@pytest.mark.speech
def test_export_one_workout_into_a_folder(tmp_path: Path, cache: Path) -> None:
    out = tmp_path / "music"
    result = CliRunner().invoke(cli, ["export", "activation", "-o", f"{out}/", "--engine",
                                      "pyttsx3", "--cache-dir", str(cache), "--lead-in", "2"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    path = out / "activation.mp3"
    assert result.output.startswith(f"Wrote {path} (")
    assert "LUFS" in result.output and ".lrc, .vtt" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["activation.lrc", "activation.mp3",
                                                     "activation.vtt"]
    # Real speech, decoded as a phone would: on target and under -1 dBTP.
    lufs, true_peak = measure(decode(path, 22050), 22050)
    assert -20.0 <= lufs <= -18.0 and true_peak <= -1.0
    tag = mutagen.id3.ID3(path)
    chaps = sorted(tag.getall("CHAP"), key=lambda c: c.start_time)
    # The lead-in belongs to the first chapter; the first exercise starts after it.
    assert chaps and chaps[0].start_time == 0 and chaps[1].start_time >= 2000
    assert tag.getall("SYLT")[0].text[0][1] >= 2000


@pytest.mark.speech
def test_as_a_user_an_existing_file_is_refused_before_any_work(tmp_path: Path,
                                                               cache: Path) -> None:
    target = tmp_path / "mine.ogg"
    target.write_bytes(b"precious")
    run = subprocess.run(
        [sys.executable, "-m", "repcue", "export", "activation", "-o", str(target),
         "--engine", "pyttsx3", "--cache-dir", str(cache)],
        capture_output=True, text=True, env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin"},
        timeout=60)
    assert run.returncode == 2
    assert run.stderr == (f"Error: {target} already exists; pass --force to replace it "
                          "(hint: or choose another name with -o)\n")
    assert target.read_bytes() == b"precious"


@pytest.mark.speech
@pytest.mark.slow
def test_export_several_workouts_with_a_playlist(tmp_path: Path, cache: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "activation", "back-strength", "-o",
                                      str(tmp_path), "--no-sidecars", "--format", "ogg",
                                      "--sets", "1", "--reps", "2",
                                      "--engine", "pyttsx3", "--cache-dir", str(cache)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "activation.ogg", "back-strength.ogg", "workouts.m3u8"]
    playlist = (tmp_path / "workouts.m3u8").read_text(encoding="utf-8").splitlines()
    assert playlist[0] == "#EXTM3U" and playlist[2::2] == ["activation.ogg", "back-strength.ogg"]


@pytest.mark.speech
def test_a_second_export_of_a_session_reads_its_gain_back(tmp_path: Path, cache: Path) -> None:
    def export(name: str) -> bytes:
        result = subprocess.run(
            [sys.executable, "-m", "repcue", "export", "activation", "-o", str(tmp_path / name),
             "--engine", "pyttsx3", "--cache-dir", str(cache), "--no-sidecars"],
            env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
            capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        return (tmp_path / name).read_bytes()

    levels = cache / "levels"
    before = set(levels.glob("*.gain")) if levels.is_dir() else set()
    first = export("first.wav")
    remembered = set(levels.glob("*.gain")) - before
    assert len(remembered) == 1  # the gain the first export measured, kept
    assert export("second.wav") == first  # the same session: the same file, to the byte
    gain = remembered.pop()
    gain.write_text(repr(float(gain.read_text()) - 6.0), encoding="ascii")
    third = export("third.wav")
    assert third != first  # the remembered gain was used, not measured again
    lufs_first, _ = measure(decode(tmp_path / "first.wav", 22050), 22050)
    lufs_third, _ = measure(decode(tmp_path / "third.wav", 22050), 22050)
    assert lufs_third < lufs_first - 3.0
