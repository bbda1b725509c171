"""Earbud buttons: how soon a media-key call over D-Bus acts on a live session.

    python benchmarks/media_keys.py [--presses 20] [--no-busy]

Starts a private ``jackd --no-realtime -d dummy`` and a private session bus, keeps the other
core busy, plays ``activation`` with ``repcue play``, and presses Pause and Play over D-Bus
(``org.mpris.MediaPlayer2.repcue``) ``--presses`` times each. A press has acted when the
player says so: its ``PlaybackStatus`` changes (the player sets it from the feed it has just
paused or resumed). Measured from sending the call to the PropertiesChanged signal.

Target: every press acts within 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "src"))

from play import start_jack  # noqa: E402

BUS_NAME = "org.mpris.MediaPlayer2.repcue"
PATH = "/org/mpris/MediaPlayer2"
PLAYER = "org.mpris.MediaPlayer2.Player"


async def press(presses: int) -> list[float]:
    from dbus_fast import BusType
    from dbus_fast.aio import MessageBus

    bus = await MessageBus(bus_type=BusType.SESSION).connect()
    for _ in range(200):  # the player joins the bus once its session is loaded
        names = await _names(bus)
        if BUS_NAME in names:
            break
        await asyncio.sleep(0.1)
    else:
        raise SystemExit("the player never appeared on the bus")
    proxy = bus.get_proxy_object(BUS_NAME, PATH, await bus.introspect(BUS_NAME, PATH))
    player = proxy.get_interface(PLAYER)
    props = proxy.get_interface("org.freedesktop.DBus.Properties")
    changed: asyncio.Queue[str] = asyncio.Queue()

    def on_change(interface: str, values: dict[str, object], _: list[str]) -> None:
        status = values.get("PlaybackStatus")
        if status is not None:
            changed.put_nowait(status.value)  # type: ignore[attr-defined]

    props.on_properties_changed(on_change)  # type: ignore[attr-defined]
    await asyncio.sleep(1.0)
    took = []
    for i in range(presses * 2):
        want = "Paused" if i % 2 == 0 else "Playing"
        t0 = time.perf_counter()
        await (player.call_pause() if want == "Paused" else player.call_play())  # type: ignore[attr-defined]
        while await asyncio.wait_for(changed.get(), 5) != want:
            pass
        took.append(time.perf_counter() - t0)
        await asyncio.sleep(0.3)
    await player.call_stop()  # type: ignore[attr-defined]
    bus.disconnect()
    return took


async def _names(bus: object) -> list[str]:
    from dbus_fast import Message

    reply = await bus.call(Message(  # type: ignore[attr-defined]
        destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
        interface="org.freedesktop.DBus", member="ListNames"))
    return list(reply.body[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--no-busy", action="store_true")
    args = parser.parse_args()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    scratch = Path(tempfile.mkdtemp(prefix="repcue-media-keys-"))
    name = f"repcue-media-keys-{os.getpid()}"
    server = start_jack(name, scratch / "jackd.log", realtime=False)
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1",
         f"--address=unix:path={scratch / 'bus'}"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert daemon.stdout is not None
    address = daemon.stdout.readline().strip()
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
    env = dict(os.environ, JACK_DEFAULT_SERVER=name, JACK_NO_AUDIO_RESERVATION="1",
               PYTHONPATH=str(ROOT / "src"))
    busy = None if args.no_busy else subprocess.Popen([sys.executable, "-c", "while True: pass"])
    player = subprocess.Popen(
        [sys.executable, "-m", "repcue", "play", "activation", "--engine", "pyttsx3",
         "--device", "system", "--lead-in", "0"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True)
    try:
        took = asyncio.run(press(args.presses))
        player.wait(timeout=20)
    finally:
        for proc in (player, busy):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
        daemon.terminate()
        daemon.wait()
        daemon.stdout.close()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
    ms = sorted(t * 1000 for t in took)
    print(f"presses            {len(ms)} (Pause and Play alternately), other core "
          f"{'idle' if args.no_busy else 'busy'}")
    print(f"press to action    median {statistics.median(ms):.0f} ms, "
          f"95th {ms[int(len(ms) * 0.95) - 1]:.0f} ms, worst {ms[-1]:.0f} ms  "
          f"(target <= 100 ms)")
    print(f"player exit        {player.returncode} (Stop over D-Bus)")


if __name__ == "__main__":
    main()
