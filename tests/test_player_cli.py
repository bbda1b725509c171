"""``repcue play`` and ``repcue devices`` as a user runs them, on real (null and dummy) devices."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from audio_fixtures import (  # noqa: F401
    ROOT,
    alsa_null_fixture,
    ctrl_c_reaches_children_fixture,
    jack_server_fixture,
)
from repcue.cli import cli

pytestmark = pytest.mark.audio

REPCUE = [sys.executable, "-m", "repcue"]


@pytest.fixture(scope="module", autouse=True)
def shared_speech_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One speech cache for these runs: each test then synthesises nothing twice."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REPCUE_CACHE", str(tmp_path_factory.mktemp("speech-cache")))
        yield


def env_with_src(env: dict[str, str]) -> dict[str, str]:
    paths = [str(ROOT / "src"), env.get("PYTHONPATH", "")]
    return dict(env, PYTHONPATH=os.pathsep.join(p for p in paths if p))


def repcue(env: dict[str, str], *args: str, timeout: float = 120
           ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*REPCUE, *args], env=env_with_src(env), capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def test_help_shows_examples_and_keys() -> None:
    result = CliRunner().invoke(cli, ["play", "--help"])
    assert result.exit_code == 0
    for part in ("Examples:", "--start-at dumbbell-row:2", "--bt-offset", "--device",
                 "n      next set", "q      quit", "--rest ready"):
        assert part in result.output


def test_devices_lists_the_alsa_default(alsa_null: dict[str, str]) -> None:
    result = repcue(alsa_null, "devices")
    assert result.returncode == 0, result.stderr
    assert "*  0  default  (ALSA" in result.stdout


@pytest.mark.slow
def test_play_runs_a_whole_workout_and_shows_where_it_is(alsa_null: dict[str, str]) -> None:
    result = repcue(alsa_null, "play", "activation", "--engine", "pyttsx3")
    assert result.returncode == 0, result.stderr
    assert "Playing Lower back activation on default" in result.stderr
    assert "Workout complete" in result.stderr
    assert "Pelvic tilt drill · set 1/3" in result.stdout


def test_no_output_device_says_so_and_points_at_export(tmp_path: Path) -> None:
    # No asoundrc and no JACK server: PortAudio finds nothing to play on.
    env = dict(os.environ, HOME=str(tmp_path), JACK_DEFAULT_SERVER="repcue-nobody-home")
    result = repcue(env, "play", "activation", "--engine", "pyttsx3")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: no audio output device found (hint: use `repcue export NAME` to write an MP3 "
        "for your phone instead)")


def test_unknown_device_lists_the_known_ones(alsa_null: dict[str, str]) -> None:
    result = repcue(alsa_null, "play", "activation", "--device", "earbuds")
    assert result.returncode == 2
    assert "Error: no audio output device named 'earbuds'" in result.stderr
    assert "known audio output devices: default" in result.stderr


def test_missing_portaudio_gives_the_install_line(tmp_path: Path) -> None:
    # sounddevice raises exactly this OSError when libportaudio2 is not installed.
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "sounddevice.py").write_text("raise OSError('PortAudio library not found')\n")
    env = dict(os.environ, PYTHONPATH=str(fake))
    result = repcue(env, "devices")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: the PortAudio library could not be loaded (PortAudio library not found) "
        "(hint: install PortAudio: sudo apt-get install libportaudio2)")


@pytest.mark.slow
@pytest.mark.usefixtures("ctrl_c_reaches_children")
def test_ctrl_c_stops_cleanly_and_prints_the_resume_line(
        jack_server: dict[str, str], alsa_null: dict[str, str]) -> None:
    args = ["play", "activation", "--engine", "pyttsx3", "--device", "system", "--lead-in", "0"]
    proc = subprocess.Popen([*REPCUE, *args], env=env_with_src(jack_server),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    first = proc.stderr.readline()  # synthesis done, playing
    assert first.startswith("Playing Lower back activation on system"), first
    time.sleep(2.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    # No session bus here: play says so once, before its first sound.
    lines = [line for line in err.strip().splitlines() if not line.startswith("Media keys")]
    assert lines[0].startswith("Stopped at 00:0") and lines[1].startswith("So far: ")
    assert lines[2] == "To resume:"
    resume = shlex.split(lines[3])
    assert resume[:3] == ["repcue", "play", "activation"]
    assert resume[3:-2] == ["--device", "system", "--lead-in", "0.0", "--engine", "pyttsx3"]
    stopped = lines[0].split()[2].rstrip(".")
    assert resume[-2:] == ["--start-at", stopped]
    assert 1 <= int(stopped.split(":")[1]) <= 4

    # The printed line picks the session up where it stopped (here on the ALSA null device).
    again = [w for w in resume[1:] if w not in ("--device", "system")]
    result = repcue(alsa_null, *again)
    assert result.returncode == 0, result.stderr
    assert f"from {stopped}" in result.stderr.splitlines()[0]


@pytest.mark.usefixtures("ctrl_c_reaches_children")
def test_ctrl_c_during_synthesis_prints_the_command_to_run_again(
        alsa_null: dict[str, str], tmp_path: Path) -> None:
    # repcue is loaded first, so the signal lands in the command itself: with an empty speech
    # cache, synthesis takes seconds.
    run = ("import sys, repcue.cli; print('loaded', flush=True); "
           "repcue.cli.main(sys.argv[1:])")
    env = dict(env_with_src(alsa_null), REPCUE_CACHE=str(tmp_path / "empty-cache"))
    proc = subprocess.Popen(
        [sys.executable, "-c", run, "play", "activation", "--engine", "pyttsx3", "--quiet"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline() == "loaded\n"
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    sent = time.monotonic()
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert time.monotonic() - sent < 10  # the budget (2 s) is measured by benchmarks/ctrl_c.py
    assert err.splitlines() == ["Stopped before the first sound.", "To resume:",
                                "  repcue play activation --quiet --engine pyttsx3"]


def test_bad_latency_and_start_at_are_input_errors(alsa_null: dict[str, str]) -> None:
    result = repcue(alsa_null, "play", "activation", "--latency", "fast")
    assert result.returncode == 2
    assert result.stderr.strip() == ("Error: --latency: 'fast' is not a latency "
                                     "(allowed: low, high, or seconds up to 2)")
    result = repcue(alsa_null, "play", "activation", "--engine", "pyttsx3",
                    "--start-at", "pelvic-tilt-drill:9")
    assert result.returncode == 2
    assert "Error: --start-at: pelvic-tilt-drill has no set '9' (allowed: 1, 2, 3)" in result.stderr


@pytest.mark.slow
def test_a_vanished_device_keeps_portaudio_off_the_screen_and_names_its_log(
        jack_server: dict[str, str], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = dict(env_with_src(jack_server), REPCUE_CACHE=str(cache))
    proc = subprocess.Popen(
        [*REPCUE, "play", "activation", "--engine", "pyttsx3", "--device", "system",
         "--lead-in", "0", "--reconnect", "2"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    assert proc.stderr is not None
    assert proc.stderr.readline().startswith("Playing ")
    time.sleep(1.5)
    os.kill(int(jack_server["REPCUE_TEST_JACK_PID"]), signal.SIGTERM)  # the earbuds drop out
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    log = cache / "portaudio.log"
    for text in (out, err):
        assert "pa_jack.c" not in text and "Expression" not in text and "Traceback" not in text
    assert err.splitlines()[-1].startswith("Error: the audio device went away at 00:0")
    assert f"PortAudio's messages are in {log}" in err
    assert "jack" in log.read_text(errors="replace").lower()
    lost = [line for line in out.splitlines() if "audio device lost" in line]
    assert len(lost) == 1 and "giving up in" in lost[0]
