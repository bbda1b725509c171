"""``repcue serve``: exported workouts as a podcast feed and a follow-along page for the phone.

episodes (render once, cache by what shapes the audio) -> feed (RSS + iTunes + Podcasting
2.0) and pages (HTML, the session picture) -> app (an ASGI app answering only whitelisted
paths under a secret token) -> uvicorn, started by the CLI.
"""

from __future__ import annotations

from repcue.errors import RepcueError


class ServeError(RepcueError):
    """The server cannot start as asked: no LAN address, the port taken, a render failed."""
