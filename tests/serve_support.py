"""A real server for the serve tests: episodes rendered by the real export, uvicorn on a free
loopback port in a thread, stopped the way Ctrl-C stops it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from export_support import workout
from repcue.export import ExportOptions
from repcue.serve.address import listen
from repcue.serve.app import ServeApp, make_server
from repcue.serve.episodes import Episode, EpisodeShelf
from repcue.tones import default_palette

TOKEN = "T" * 8 + "0123456789abcdefghijklmnopqrstuv"


def small_episodes(root: Path) -> list[Episode]:
    """Two short sessions (speech-shaped clips, no speech engine) through the real export."""
    shelf = EpisodeShelf(root)
    found = []
    for slug, exercises in (("squat-day", ("Kettlebell squat",)),
                            ("row-day", ("Dumbbell row", "Kettlebell squat"))):
        timeline, clips = workout(sets=2, reps=3, rest_ms=6000, exercises=exercises)
        episode, _ = shelf.episode(slug, slug, timeline, clips, default_palette(44100),
                                   ExportOptions(lead_in_ms=1000))
        found.append(episode)
    return found


@contextmanager
def running(episodes: Sequence[Episode], token: str = TOKEN,
            log: list[str] | None = None) -> Iterator[str]:
    """Serve ``episodes`` on 127.0.0.1 and yield the token root URL (``http://…/TOKEN/``)."""
    sock = listen("127.0.0.1", 0)
    app = ServeApp(token, episodes, log=None if log is None else log.append)
    server = make_server(app)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/{token}/"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
