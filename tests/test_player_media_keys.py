"""Earbud buttons and media keys: ``repcue play`` driven over a private session D-Bus."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from audio_fixtures import ROOT, alsa_null_fixture, jack_server_fixture  # noqa: F401
from repcue.player.media_keys import BUS_NAME, OBJECT_PATH

pytestmark = [pytest.mark.audio, pytest.mark.slow]

PLAYER = "org.mpris.MediaPlayer2.Player"


@pytest.fixture(name="session_bus")
def session_bus_fixture(tmp_path: Path) -> Iterator[str]:
    """A private session bus (``dbus-daemon --session``, as ``dbus-run-session`` starts)."""
    if shutil.which("dbus-daemon") is None or shutil.which("dbus-send") is None:
        pytest.skip("dbus-daemon/dbus-send not installed (scripts/setup --test installs them)")
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1",
         f"--address=unix:path={tmp_path / 'bus'}"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert daemon.stdout is not None
    address = daemon.stdout.readline().strip()
    try:
        yield address
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
        daemon.stdout.close()


def send(address: str, *args: str) -> str:
    result = subprocess.run(
        ["dbus-send", "--session", "--print-reply", f"--dest={BUS_NAME}", OBJECT_PATH, *args],
        env=dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address), capture_output=True, text=True,
        timeout=10)
    return result.stdout + result.stderr


def prop(address: str, name: str) -> str:
    return send(address, "org.freedesktop.DBus.Properties.Get", f"string:{PLAYER}",
                f"string:{name}")


def wait_for(check: Callable[[], bool], seconds: float = 10.0) -> float:
    """Seconds until ``check()`` holds (fails the test after ``seconds``)."""
    t0 = time.monotonic()
    while not check():
        assert time.monotonic() - t0 < seconds, "timed out"
        time.sleep(0.02)
    return time.monotonic() - t0


@contextlib.contextmanager
def playing(args: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    """``repcue play ARGS`` running until the block ends (killed if it is still running)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "repcue", "play", *args], env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        assert proc.stderr.readline().startswith("Playing ")
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_buttons_pause_resume_skip_and_stop_a_session(
        jack_server: dict[str, str], session_bus: str, tmp_path: Path) -> None:
    env = dict(jack_server, PYTHONPATH=str(ROOT / "src"), DBUS_SESSION_BUS_ADDRESS=session_bus,
               REPCUE_CACHE=str(tmp_path / "cache"))
    args = ["activation", "--engine", "pyttsx3", "--device", "system", "--lead-in", "0",
            "--start-at", "pelvic-tilt-drill:1"]
    with playing(args, env) as proc:
        wait_for(lambda: "Pelvic tilt drill · set 1/3" in prop(session_bus, "Metadata"))
        assert '"Playing"' in prop(session_bus, "PlaybackStatus")
        assert "Lower back activation" in prop(session_bus, "Metadata")  # the workout

        send(session_bus, f"{PLAYER}.Pause")
        wait_for(lambda: '"Paused"' in prop(session_bus, "PlaybackStatus"), 2)
        send(session_bus, f"{PLAYER}.Play")
        wait_for(lambda: '"Playing"' in prop(session_bus, "PlaybackStatus"), 2)
        send(session_bus, f"{PLAYER}.PlayPause")
        wait_for(lambda: '"Paused"' in prop(session_bus, "PlaybackStatus"), 2)
        send(session_bus, f"{PLAYER}.PlayPause")
        send(session_bus, f"{PLAYER}.Next")
        wait_for(lambda: "set 2/3" in prop(session_bus, "Metadata"), 2)
        send(session_bus, f"{PLAYER}.Previous")  # within 3 s of its start: the set before
        wait_for(lambda: "set 1/3" in prop(session_bus, "Metadata"), 2)
        send(session_bus, f"{PLAYER}.Stop")
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Stopped at 00:" in err and "To resume:" in err
    assert "Media keys" not in err
    assert "· paused" in out and "Pelvic tilt drill · set 2/3" in out


def test_without_a_session_bus_play_goes_on_with_keys_and_says_so_once(
        alsa_null: dict[str, str], tmp_path: Path) -> None:
    env = dict(alsa_null, PYTHONPATH=str(ROOT / "src"), REPCUE_CACHE=str(tmp_path / "cache"),
               DBUS_SESSION_BUS_ADDRESS=f"unix:path={tmp_path / 'no-bus'}")
    result = subprocess.run(
        [sys.executable, "-m", "repcue", "play", "activation", "--engine", "pyttsx3",
         "--start-at", "05:12"],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if "Media keys" in line]
    assert said == ["Media keys and earbud buttons are off: no session D-Bus (keys still work)."]
    assert "Workout complete" in result.stderr


def test_next_ends_a_rest_that_waits_with_ten_seconds_then_the_set(
        jack_server: dict[str, str], session_bus: str, tmp_path: Path) -> None:
    from repcue.prepare import Request, prepare
    from repcue.timeline import MarkerRole

    cache = tmp_path / "cache"
    # The live timeline as play will build it (same engine and cache: same clip lengths).
    session = prepare(Request("activation", overrides={"rest": "ready"}, live=True,
                              engine="pyttsx3", cache_dir=cache))
    rest = session.timeline.markers(MarkerRole.REST)[0]
    env = dict(jack_server, PYTHONPATH=str(ROOT / "src"), DBUS_SESSION_BUS_ADDRESS=session_bus,
               REPCUE_CACHE=str(cache))
    start = f"{rest.start_ms // 60_000:02d}:{rest.start_ms % 60_000 / 1000:06.3f}"
    args = ["activation", "--engine", "pyttsx3", "--device", "system", "--lead-in", "0",
            "--rest", "ready", "--start-at", start]
    with playing(args, env) as proc:
        wait_for(lambda: "Pelvic tilt drill · set 1/3" in prop(session_bus, "Metadata"))
        time.sleep(7)  # the rest's call, then waiting
        send(session_bus, f"{PLAYER}.Next")
        wait_for(lambda: "set 2/3" in prop(session_bus, "Metadata"), 20)
        send(session_bus, f"{PLAYER}.Stop")
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    lines = out.splitlines()
    said = [i for i, line in enumerate(lines) if "Press play when you're ready" in line]
    ten = [i for i, line in enumerate(lines) if "“Ten seconds.”" in line]
    second = [i for i, line in enumerate(lines) if "set 2/3" in line]
    assert said and ten and second, out
    assert said[0] < ten[0] < second[0]  # Next ended the wait: "Ten seconds.", then the set
    assert "at your pace" in err, err
