"""Live play on the JACK dummy driver: time to first sound, CPU share, underruns.

    python benchmarks/play.py [--minutes 10] [--workout back-strength] [--engine auto]

Starts a private ``jackd --no-realtime -d dummy`` (real time, no hardware) and a private
session bus (for the media keys, MPRIS, as ``repcue play`` runs them), keeps the other core
busy with a spinning process, and plays the workout live for ``--minutes`` with the live
screen drawn at 80 columns.

* first sound: from asking for the session (speech cache warm) to the first buffer handed
  to PortAudio. The lead-in (quiet, for Bluetooth earbuds) comes on top, by design.
* CPU: process CPU time / wall time while playing, as a share of one core.
* underruns: buffers the feed could not fill in time (ours), and underflows the device
  reported (JACK xruns; the dummy driver's own timer misses count there too).

Targets: first sound <= 300 ms, <= 3 % of a core, 0 underruns.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def start_jack(name: str, log: Path, realtime: bool) -> subprocess.Popen[bytes]:
    if shutil.which("jackd") is None:
        sys.exit("jackd is not installed (scripts/setup installs jackd2)")
    env = dict(os.environ, JACK_NO_AUDIO_RESERVATION="1")
    with log.open("wb") as out:
        server = subprocess.Popen(
            ["jackd", "--realtime" if realtime else "--no-realtime", "-n", name,
             "-d", "dummy", "-r", "44100", "-p", "1024"],
            env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        probe = subprocess.run(["jack_lsp", "-s", name], capture_output=True, text=True)
        if "system:playback_1" in probe.stdout:
            return server
        time.sleep(0.1)
    server.kill()
    sys.exit("jackd did not start")


def probe_media_keys(address: str, at_s: float, result: list[float]) -> None:
    """At ``at_s`` into play: Pause over D-Bus, time until the player says Paused, then Play."""
    env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address)
    player = "org.mpris.MediaPlayer2.Player"

    def send(*args: str) -> str:
        done = subprocess.run(["dbus-send", "--session", "--print-reply",
                               "--dest=org.mpris.MediaPlayer2.repcue",
                               "/org/mpris/MediaPlayer2", *args],
                              env=env, capture_output=True, text=True, timeout=10)
        return done.stdout

    def status() -> str:
        return send("org.freedesktop.DBus.Properties.Get", f"string:{player}",
                    "string:PlaybackStatus")

    time.sleep(at_s)
    # dbus-send's own start-up is timed too: the figure is an upper bound.
    sent = time.monotonic()
    send(f"{player}.Pause")
    while '"Paused"' not in status():
        if time.monotonic() - sent > 5:
            return
    result.append(time.monotonic() - sent)
    send(f"{player}.Play")


def mix_level(mix: object) -> float:
    """The level the voice was mastered to, as ``repcue play`` hands it to the bed."""
    from repcue.mix import DEFAULT_TARGET_LUFS

    return DEFAULT_TARGET_LUFS + float(getattr(mix, "headroom_db", 0.0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--workout", default="back-strength")
    parser.add_argument("--engine", default=None, help="speech engine (default: auto)")
    parser.add_argument("--no-busy", action="store_true", help="leave the other core idle")
    parser.add_argument("--realtime", action="store_true",
                        help="run jackd with real-time scheduling (needs the privilege)")
    parser.add_argument("--music", action="store_true",
                        help="with a music bed: benchmarks/music.py's folder of compressed tracks")
    args = parser.parse_args()

    name = f"repcue-bench-{os.getpid()}"
    os.environ["JACK_DEFAULT_SERVER"] = name
    log = Path(f"/tmp/{name}.log")
    server = start_jack(name, log, args.realtime)
    bus = subprocess.Popen(  # a private session bus for the media keys (MPRIS)
        ["dbus-daemon", "--session", "--nofork", "--print-address=1",
         f"--address=unix:path=/tmp/{name}.bus"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert bus.stdout is not None
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
    busy = None
    try:
        # PortAudio lists JACK only if the server runs when sounddevice is first imported.
        t_import = time.perf_counter()
        from repcue.cli.options import SessionOptions
        from repcue.mix import master
        from repcue.player.clock import WallClock
        from repcue.player.controls import AllControls, Command, ScriptedControls
        from repcue.player.devices import pick_output
        from repcue.player.display import AllDisplays, LiveDisplay
        from repcue.player.media_keys import MediaKeys
        from repcue.player.playback import play
        from repcue.player.sink import SoundDeviceSink
        from repcue.speech import default_cache_dir
        from repcue.tones import default_palette
        from repcue.units import MIX_RATE
        import_s = time.perf_counter() - t_import

        asked = SessionOptions(engine=args.engine or None)
        warm = time.perf_counter()
        warmed = asked.prepare(args.workout)  # fills the speech cache if it is cold
        # ... and remembers the session's level, as a first `repcue play` of it would.
        level_start = time.perf_counter()
        master(warmed.timeline, warmed.clips, default_palette(MIX_RATE), lead_in_ms=1500,
               remember_in=default_cache_dir())
        print(f"speech cache warmed in {time.perf_counter() - warm:.1f} s; level measured in "
              f"{(time.perf_counter() - level_start) * 1000:.0f} ms (first play of a session only)")

        music = None
        if args.music:
            sys.path.insert(0, str(ROOT / "benchmarks"))
            sys.path.insert(0, str(ROOT / "tests"))
            from music import music_folder

            music = music_folder()
            from repcue.music import MusicChoice, choose_tracks

            # As a second `repcue play` with the same music: its tracks measured before.
            choose_tracks(MusicChoice(music), warmed.timeline.duration_ms, default_cache_dir())
        if not args.no_busy:
            busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])

        from rich.console import Console

        clock = WallClock()
        t0 = time.monotonic()
        # As `repcue play` does: the device opens while the session loads.
        device = pick_output("system")
        sink = SoundDeviceSink(device.index, MIX_RATE, channels=device.channels)
        # As `repcue play` does: the media keys join the session bus while the session loads.
        media = MediaKeys()
        media.begin()
        with ThreadPoolExecutor(1) as pool:
            opening = pool.submit(sink.open)
            session = asked.prepare(args.workout)
            loaded = time.monotonic() - t0
            opening.result()
            opened = time.monotonic() - t0
        palette = default_palette(MIX_RATE)
        mix = master(session.timeline, session.clips, palette, lead_in_ms=1500,
                     remember_in=default_cache_dir())
        if music is not None:
            from repcue.music import MusicChoice, with_music

            mix = with_music(mix, MusicChoice(music), mix_level(mix),
                             remember_in=default_cache_dir())
        mastered = time.monotonic() - t0
        console = Console(file=io.StringIO(), width=80, force_terminal=True)
        seconds = min(args.minutes * 60, session.timeline.duration_ms / 1000 + 2)
        media_on = media.connect()
        joined = time.monotonic() - t0
        controls = AllControls(ScriptedControls([(seconds, Command.QUIT)], clock), media)
        display = AllDisplays(LiveDisplay(console, clock), media)
        acted: list[float] = []
        import threading

        threading.Thread(target=probe_media_keys, daemon=True,
                         args=(os.environ["DBUS_SESSION_BUS_ADDRESS"], min(10.0, seconds / 2),
                               acted)).start()
        cpu0 = time.process_time()
        result = play(mix, sink, controls, display, clock)
        wall = time.monotonic() - t0
        cpu = time.process_time() - cpu0
        assert sink.first_call_at is not None
        first = sink.first_call_at - t0
        playing = wall - first
        import sounddevice

        sounddevice._terminate()  # before jackd goes, or PortAudio's exit clean-up asserts
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        bus.terminate()
        bus.wait()
        bus.stdout.close()
    driver_xruns = log.read_text(errors="replace").count("XRun")
    starved = result.underruns - sink.device_underruns
    print(f"workout            {args.workout} ({session.timeline.duration_ms / 60000:.1f} min)"
          f"{', music bed of compressed tracks' if args.music else ''}, "
          f"played {playing / 60:.2f} min real time, other core "
          f"{'idle' if args.no_busy else 'busy'}, jackd "
          f"{'--realtime' if args.realtime else '--no-realtime'}")
    print(f"imports            {import_s * 1000:.0f} ms (once per process)")
    print(f"display, media keys live screen at 80 columns; MPRIS on a private session bus "
          f"{'on' if media_on else 'OFF: ' + str(media.failure)}")
    said = f"acted in {acted[0] * 1000:.0f} ms" if acted else "NOT seen"
    print(f"D-Bus Pause        {said}  (target <= 100 ms; dbus-send's own start-up included)")
    print(f"first sound        {first * 1000:.0f} ms  (target <= 300 ms; + 1.5 s lead-in; "
          f"session loaded at {loaded * 1000:.0f} ms, device open at {opened * 1000:.0f} ms, "
          f"mixed at {mastered * 1000:.0f} ms, on the bus at {joined * 1000:.0f} ms)")
    print(f"CPU                {100 * cpu / wall:.2f} % of one core  (target <= 3 %)")
    print(f"underruns          {starved} feed starved, {sink.device_underruns} device-reported "
          f"(jackd logged {driver_xruns} driver xruns)  (target 0)")
    print(f"slowest callback   {sink.slowest_callback_s * 1000:.2f} ms "
          f"(one JACK period: {1024 / MIX_RATE * 1000:.1f} ms)")
    if sink.underflows_at:
        when = ", ".join(f"{n / MIX_RATE:.1f}" for n in sink.underflows_at)
        print(f"device underflows  at {when} s of output")
    print(f"ended              {result.reason} at {result.stopped_at_ms / 1000:.1f} s")


if __name__ == "__main__":
    main()
