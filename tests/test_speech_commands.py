"""repcue voices, say and cache, in-process and once as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
import wave
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from repcue.cli.speech_commands import COMMANDS, cache, say, voices
from repcue.speech import UnknownVoiceError, neural_available

pytestmark = pytest.mark.speech

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "args", [["voices"], ["say"], ["cache"], ["cache", "info"], ["cache", "clear"]]
)
def test_every_command_shows_an_example(args: list[str]) -> None:
    group = click.Group(commands=COMMANDS)
    result = CliRunner().invoke(group, [*args, "--help"])
    assert result.exit_code == 0
    example = result.output.split("Examples:\n", 1)[1].splitlines()[0]
    assert example.strip().startswith("repcue " + " ".join(args))


def test_voices_lists_ids_languages_and_names() -> None:
    result = CliRunner().invoke(voices, ["--engine", "pyttsx3"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith(" pyttsx3 voices; pass the ID as --voice")
    assert lines[1].split() == ["ID", "LANGUAGE", "NAME"]
    assert any(line.split()[:2] == ["gmw/en-us", "en-us"] for line in lines[2:])


@pytest.mark.skipif(not neural_available(), reason="needs pip install 'repcue[neural]'")
def test_voices_of_the_auto_engine_is_piper_when_installed() -> None:
    result = CliRunner().invoke(voices, [])
    assert result.exit_code == 0, result.output
    assert "en_US-joe-medium" in result.output


def test_say_writes_a_wav_with_the_engines_rate(tmp_path: Path) -> None:
    out = tmp_path / "cue.wav"
    result = CliRunner().invoke(
        say, ["Tailbone down. Brace.", "-o", str(out), "--engine", "pyttsx3", "--voice",
              "en-us", "--rate", "1.1", "--cache-dir", str(tmp_path / "clips")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Wrote {out} (")
    with wave.open(str(out)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        assert 0.5 < wav.getnframes() / 22050 < 3.0
    # Written beside itself and moved into place: no temporary file is left over.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clips", "cue.wav"]


def test_say_with_an_unknown_voice_raises_for_the_main_group(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        say, ["Brace.", "-o", str(tmp_path / "x.wav"), "--engine", "pyttsx3", "--voice",
              "englsh", "--cache-dir", str(tmp_path)])
    assert isinstance(result.exception, UnknownVoiceError)
    assert not (tmp_path / "x.wav").exists()


def test_cache_info_and_clear(tmp_path: Path) -> None:
    runner = CliRunner()
    clips = str(tmp_path / "clips")
    runner.invoke(say, ["Now row.", "-o", str(tmp_path / "a.wav"), "--engine", "pyttsx3",
                        "--cache-dir", clips])
    info = runner.invoke(cache, ["info", "--cache-dir", clips])
    assert info.exit_code == 0, info.output
    assert info.output.splitlines()[0].split() == ["Clips:", "1"]
    assert info.output.splitlines()[2] == f"Location: {clips}"
    cleared = runner.invoke(cache, ["clear", "--cache-dir", clips])
    assert cleared.output == f"Removed 1 clip from {clips}\n"
    again = runner.invoke(cache, ["info"], env={"REPCUE_CACHE": clips})
    assert again.output.splitlines()[:2] == ["Clips:    0", "Size:     0.0 MB"]


def test_say_as_a_user_runs_it_prints_nothing_from_the_engine(tmp_path: Path) -> None:
    """pyttsx3 prints "Audio saved to …" from the worker: it must not reach the terminal."""
    out = tmp_path / "cue.wav"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "REPCUE_CACHE": str(tmp_path / "c")}
    run = subprocess.run(
        [sys.executable, "-m", "repcue", "say", "Switch sides.", "-o", str(out),
         "--engine", "pyttsx3"],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert len(run.stdout.splitlines()) == 1
    assert run.stdout.startswith(f"Wrote {out} (")
    assert "Audio saved" not in run.stdout + run.stderr
    assert out.stat().st_size > 1000


@pytest.mark.audio
def test_say_plays_through_portaudio(tmp_path: Path) -> None:
    """Through ALSA's null device, so it runs on a machine with no sound card."""
    (tmp_path / ".asoundrc").write_text("pcm.!default { type null }\n")
    env = {**os.environ, "HOME": str(tmp_path), "PYTHONPATH": str(ROOT / "src"),
           "REPCUE_CACHE": str(tmp_path / "c")}
    run = subprocess.run(
        [sys.executable, "-m", "repcue", "say", "Now press.", "--engine", "pyttsx3"],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")


def test_cache_info_and_clear_count_the_decoded_music(tmp_path: Path) -> None:
    from repcue.music.remembered import kept_folder

    kept = kept_folder(tmp_path)
    kept.mkdir(parents=True)
    (kept / "a.f32").write_bytes(bytes(4_000_000))
    (kept / "b.f32").write_bytes(bytes(1_000_000))
    runner = CliRunner()
    info = runner.invoke(cache, ["info", "--cache-dir", str(tmp_path)])
    assert info.output.splitlines()[3] == ("Music:    2 tracks decoded and kept, 5.0 MB "
                                           "(at most 1 GiB)")
    cleared = runner.invoke(cache, ["clear", "--cache-dir", str(tmp_path)])
    assert cleared.output.splitlines()[1] == "Removed 2 decoded music tracks (5.0 MB)"
    assert not list(kept.iterdir())
