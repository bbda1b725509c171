"""Shared pieces for the player tests: a short session, a fake clock, real audio servers.

Also a small runner (``python tests/audio_fixtures.py …``) that plays the short session on
a real PortAudio device in a fresh process, because PortAudio reads its devices once, when
sounddevice is imported, and the ALSA or JACK setup must be in place before that.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from repcue.clip import Clip  # noqa: E402
from repcue.mix import Mix  # noqa: E402
from repcue.render import Renderer, RenderSettings  # noqa: E402
from repcue.timeline import Event, Timeline  # noqa: E402
from repcue.tones import default_palette  # noqa: E402
from timelines import event  # noqa: E402

RATE = 44100
SET_MS = 5000
REST_MS = 4000


def _clip(text: str, ms: int) -> Clip:
    # A distinct pitch per phrase, so a wrong jump shows up as wrong samples.
    freq = 200 + (sum(map(ord, text)) % 40) * 15
    t = np.arange(ms * 22050 // 1000) / 22050
    return Clip((0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32), 22050)


def short_session(exercises: tuple[str, ...] = ("row", "squat"), sets: int = 2,
                  set_ms: int = SET_MS, rest_ms: int = REST_MS
                  ) -> tuple[Timeline, dict[str, Clip]]:
    """A few seconds per set: intro, then per exercise sets of two reps with rests."""
    events: list[Event] = []
    clips: dict[str, Clip] = {}

    def say(start: int, ms: int, role: str, text: str, **where: object) -> None:
        events.append(event(start, start + ms, "speech", role, text, **where))  # type: ignore[arg-type]
        clips[text] = _clip(text, ms)

    say(0, 800, "intro", "Welcome.")
    t = 1000
    for name in exercises:
        ex_start = t
        marker_index = len(events)
        for s in range(1, sets + 1):
            events.append(event(t, t + set_ms, "marker", "set", f"Set {s} of {sets}", name, s))
            say(t + 100, 600, "announce", f"{name} set {s}.", exercise=name, set=s)
            for rep, at in ((1, 1500), (2, 3200)):
                events.append(event(t + at, t + at + 1500, "phase", "concentric", None, name, s,
                                    None, rep))
                events.append(event(t + at, t + at + 150, "tone", "concentric", None, name, s,
                                    None, rep))
                say(t + at + 200, 500, "count", f"{name} {s} rep {rep}.", exercise=name, set=s,
                    rep=rep)
            t += set_ms
            events.append(event(t, t + rest_ms, "marker", "rest", "Rest", name, s))
            say(t + 200, 1000, "rest", f"Rest after {name} {s}.", exercise=name, set=s)
            say(t + rest_ms - 1000, 600, "rest", f"Soon {name} {s}.", exercise=name, set=s)
            t += rest_ms
        events.insert(marker_index, event(ex_start, t, "marker", "exercise", name.title(), name))
    say(t, 900, "finish", "Done.")
    t += 1000
    events.sort(key=lambda e: (e.start_ms, {"marker": 0, "phase": 1, "tone": 2}.get(e.kind, 3)))
    return Timeline("short", "Short session", t, tuple(events)), clips


def short_mix(lead_in_ms: int = 0, **session: Any) -> Mix:
    """The short session at 0 dB gain (the player tests need samples, not a loudness)."""
    timeline, clips = short_session(**session)
    return Mix(timeline, clips, default_palette(RATE),
               RenderSettings(rate=RATE, lead_in_ms=lead_in_ms))


def ready_timeline(live: bool, **overrides: object) -> Timeline:
    """The activation drill with rests that wait for the lifter (``live``: as play plans it)."""
    from repcue.config import Config
    from repcue.prepare import Request, build_plan
    from repcue.schedule import schedule

    request = Request("activation", overrides={"rest": "ready", **overrides}, live=live,
                      config=Config())
    return schedule(build_plan(request)[1])


def phrase_clip(text: str, rate: int) -> Clip:
    """One pitch per phrase, as long as the scheduler guessed, so a test can tell which
    phrase it hears."""
    from repcue.schedule import estimate_ms

    freq = 200 + (sum(map(ord, text)) % 40) * 15
    t = np.arange(estimate_ms(text) * rate // 1000) / rate
    return Clip((0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32), rate)


def phrase_mix(timeline: Timeline, rate: int) -> Mix:
    clips = {e.text: phrase_clip(e.text, rate) for e in timeline.speech() if e.text}
    return Mix(timeline, clips, default_palette(rate), RenderSettings(rate=rate))


def short_renderer(lead_in_ms: int = 0, **session: Any) -> Renderer:
    return short_mix(lead_in_ms, **session).renderer()


class FakeClock:
    """Time counted in samples; each sleep hands that many samples to the recording sink."""

    def __init__(self, sink: object | None = None, rate: int = RATE) -> None:
        self.rate = rate
        self.samples = 0
        self.sink = sink

    def now(self) -> float:
        return self.samples / self.rate

    def sleep(self, seconds: float) -> None:
        n = round(seconds * self.rate)
        self.samples += n
        if self.sink is not None:
            self.sink.pump(n)  # type: ignore[attr-defined]


@pytest.fixture(name="ctrl_c_reaches_children")
def ctrl_c_reaches_children_fixture() -> Iterator[None]:
    """Children started by this test act on SIGINT.

    A shell without job control starts ``&`` jobs with SIGINT ignored, the ignoring is
    inherited across exec, and Python then installs no KeyboardInterrupt handler: a test run
    from such a job sent SIGINT to a player that could not hear it, and timed out.
    """
    previous = signal.getsignal(signal.SIGINT)
    if previous == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


# --- real audio servers ------------------------------------------------------------------


@pytest.fixture(name="alsa_null")
def alsa_null_fixture(tmp_path: Path) -> dict[str, str]:
    """Environment for a child process whose ALSA default device discards everything."""
    if not Path("/usr/share/alsa/alsa.conf").exists():
        pytest.skip("ALSA configuration not installed (libasound2)")
    home = tmp_path / "alsa-home"
    home.mkdir()
    (home / ".asoundrc").write_text("pcm.!default { type null }\n")
    env = dict(os.environ, HOME=str(home))
    env.pop("JACK_DEFAULT_SERVER", None)
    return env


@pytest.fixture(name="jack_server")
def jack_server_fixture(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A JACK server with the dummy driver (real time, no hardware), private to this test."""
    jackd = shutil.which("jackd")
    if jackd is None:
        pytest.skip("jackd not installed (scripts/setup installs jackd2)")
    name = f"repcue-test-{os.getpid()}-{time.monotonic_ns() % 100000}"
    env = dict(os.environ, JACK_NO_AUDIO_RESERVATION="1", JACK_DEFAULT_SERVER=name,
               HOME=str(tmp_path))
    server = start_jack(env)
    env["REPCUE_TEST_JACK_PID"] = str(server.pid)
    try:
        yield env
    finally:
        stop_jack(server)
        # A client that lost its server (the vanishing-device test) leaves a semaphore file.
        for leftover in Path("/dev/shm").glob(f"jack_sem.*_{name}_*"):
            leftover.unlink(missing_ok=True)


def start_jack(env: dict[str, str], retry: bool = True) -> subprocess.Popen[bytes]:
    log = Path(env["HOME"]) / "jackd.log"
    with log.open("wb") as out:  # the child keeps its own copy of the handle
        server = subprocess.Popen(
            ["jackd", "--no-realtime", "-n", env["JACK_DEFAULT_SERVER"], "-d", "dummy",
             "-r", str(RATE), "-p", "1024"],
            env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if server.poll() is not None:
            said = [line for line in log.read_text(errors="replace").splitlines() if line]
            full = any("Too many servers" in line for line in said)
            if full and retry and _forget_stale_servers():
                return start_jack(env, retry=False)
            hint = (" (stale JACK servers: with no jackd running, rm -rf /dev/shm/jack*)"
                    if full else "")
            pytest.skip(f"jackd exited with {server.returncode} at start: "
                        f"{said[-1] if said else 'no output'}{hint}")
        probe = subprocess.run(["jack_lsp", "-s", env["JACK_DEFAULT_SERVER"]], env=env,
                               capture_output=True, text=True, timeout=10)
        if "system:playback_1" in probe.stdout:
            return server
        time.sleep(0.1)
    stop_jack(server)
    pytest.skip("jackd did not come up within 10 s")


def _forget_stale_servers() -> bool:
    """Empty JACK's server registry when no jackd is running: servers killed before they
    could sign out (a killed benchmark, a test's vanishing device) stay listed, and once
    the registry is full every new server refuses to start ("Too many servers")."""
    running = subprocess.run(["pgrep", "-x", "jackd"], capture_output=True, text=True)
    if running.stdout.strip():
        return False  # someone's JACK is up: its registry is not ours to clear
    for stale in Path("/dev/shm").glob("jack*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)
    return True


def stop_jack(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def session_args(exercises: int = 2, sets: int = 2, rest_ms: int = REST_MS) -> dict[str, Any]:
    return {"exercises": ("row", "squat", "press")[:exercises], "sets": sets, "rest_ms": rest_ms}


def run_player(env: dict[str, str], out: Path, *args: str, timeout: float = 60
               ) -> tuple[dict[str, object], np.ndarray]:
    """Play the short session in a fresh process; its result and the tapped samples."""
    proc = subprocess.run(
        [sys.executable, str(Path(__file__)), "--out", str(out), *args],
        env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    tap = np.load(out) if out.exists() else np.zeros(0, np.float32)
    return result, tap


def _main() -> None:
    """Child process: play the short session on a PortAudio device, tap what it was handed."""
    import argparse

    from repcue.player.clock import WallClock
    from repcue.player.controls import NoControls
    from repcue.player.devices import pick_output
    from repcue.player.display import QuietDisplay
    from repcue.player.playback import play
    from repcue.player.sink import SoundDeviceSink

    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--device")
    parser.add_argument("--sets", type=int, default=2)
    parser.add_argument("--exercises", type=int, default=2)
    parser.add_argument("--rest-ms", type=int, default=REST_MS)
    parser.add_argument("--reconnect", type=float, default=2.0)
    parser.add_argument("--kill-jack-after", type=float)
    parser.add_argument("--wait", type=float, default=0.0)
    args = parser.parse_args()

    mix = short_mix(**session_args(args.exercises, args.sets, args.rest_ms))
    device = pick_output(args.device)
    tap: list[np.ndarray] = []
    sink = SoundDeviceSink(device.index, RATE, channels=device.channels, tap=tap,
                           wait=args.wait)
    if args.kill_jack_after is not None:
        import threading

        pid = int(os.environ["REPCUE_TEST_JACK_PID"])
        # SIGTERM: the server goes away at once but still frees its slot in JACK's registry
        # (a SIGKILLed jackd leaks it, and after eight leaks no jackd starts at all).
        threading.Timer(args.kill_jack_after, os.kill, (pid, signal.SIGTERM)).start()

    t0 = time.monotonic()
    result = play(mix, sink, NoControls(), QuietDisplay(), WallClock(),
                  reconnect_s=args.reconnect)
    wall = time.monotonic() - t0
    np.save(args.out, np.concatenate(tap) if tap else np.zeros(0, np.float32))
    print(json.dumps({
        "reason": result.reason, "completed": result.completed, "underruns": result.underruns,
        "device_underruns": sink.device_underruns, "calls": sink.calls,
        "stopped_at_ms": result.stopped_at_ms, "notes": list(result.notes), "wall_s": wall,
        "device": device.name, "host": device.host, "total_samples": mix.renderer().total_samples,
    }))
    sys.stdout.flush()


if __name__ == "__main__":
    _main()
