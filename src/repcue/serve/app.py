"""The ASGI app behind ``repcue serve``: a whitelist of exact paths under a secret token.

Every answer is looked up in a dict built at start-up from the served episodes and the
page's own assets; nothing is ever joined onto a folder from the request, so ``..``,
encoded slashes or other tokens can only miss, and every miss is the same 404. Audio and
cue files go out through Starlette's FileResponse, which answers Range (206 +
Content-Range), HEAD and conditional requests with ETag and Last-Modified.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
from collections.abc import Callable, Sequence
from email.utils import parsedate_to_datetime
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import uvicorn
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.types import Message, Receive, Scope, Send

from repcue.export.cover import cover_png
from repcue.picture import picture_svg
from repcue.serve import pages, paths
from repcue.serve.episodes import Episode
from repcue.serve.feed import chapters_document, feed_xml

Log = Callable[[str], None]
Answer = Callable[[Request], Response]

_HOST_RE = re.compile(r"^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$")
_MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css"}
NOT_FOUND = b"Not found\n"


class Asset:
    """A small answer built on first request and kept: bytes, type, and an ETag so phones
    can revalidate. Built lazily so the URLs are printed without drawing every page first."""

    def __init__(self, make: Callable[[], bytes], media_type: str) -> None:
        self.make = make
        self.media_type = media_type

    @cached_property
    def body(self) -> bytes:
        return self.make()

    @cached_property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'

    def respond(self, request: Request) -> Response:
        headers = {"ETag": self.etag, "Cache-Control": "no-cache"}
        if self.etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(self.body, media_type=self.media_type, headers=headers)


def static_asset(name: str) -> Asset:
    return Asset(resources.files("repcue.serve").joinpath("static", name).read_bytes,
                 _MEDIA_TYPES[name[name.rindex("."):]])


def file_answer(request: Request, path: Path, **options: Any) -> Response:
    """The file with Range, HEAD, ETag and Last-Modified; 304 when the client's copy is current
    (FileResponse sends the validators but does not answer conditional requests itself)."""
    response = FileResponse(path, stat_result=os.stat(path), **options)
    etag = response.headers["etag"]
    match = request.headers.get("if-none-match")
    since = request.headers.get("if-modified-since")
    if match is not None:
        current = etag in (tag.strip() for tag in match.split(",")) or match.strip() == "*"
    else:
        current = since is not None and _not_after(response.headers["last-modified"], since)
    if current:
        return Response(status_code=304, headers={
            "ETag": etag, "Last-Modified": response.headers["last-modified"]})
    return response


def _not_after(modified: str, since: str) -> bool:
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


class ServeApp:
    """Answers GET and HEAD for the whitelisted paths under ``/TOKEN/``; 404 for all else."""

    def __init__(self, token: str, episodes: Sequence[Episode], log: Log | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.token = token
        self.prefix = f"/{token}/"
        self.episodes = list(episodes)
        self.log = log
        self.clock = clock
        self.routes = self._routes()

    def _routes(self) -> dict[str, Answer]:
        routes: dict[str, Answer] = {
            paths.PAGE: lambda r: Response(pages.index(self.episodes, self.base(r), self.prefix),
                                           media_type="text/html"),
            paths.FEED: lambda r: Response(feed_xml(self.episodes, self.base(r)),
                                           media_type="application/rss+xml"),
            paths.COVER: Asset(cover_png, "image/png").respond,
        }
        for name in paths.STATIC:
            routes[paths.static(name)] = static_asset(name).respond
        for episode in self.episodes:
            routes.update(self._episode_routes(episode))
        return routes

    def _episode_routes(self, episode: Episode) -> dict[str, Answer]:
        slug = episode.slug
        return {
            paths.workout_page(slug): Asset(
                lambda: pages.workout(episode, self.prefix).encode(), "text/html").respond,
            paths.picture(slug): Asset(lambda: picture_svg(episode.timeline).encode(),
                                       "image/svg+xml").respond,
            paths.chapters(slug): Asset(lambda: json.dumps(
                chapters_document(episode), ensure_ascii=False).encode(),
                "application/json").respond,
            paths.audio(slug): lambda r: file_answer(
                r, episode.audio, media_type="audio/mpeg", filename=f"{slug}.mp3",
                content_disposition_type="inline"),
            paths.transcript(slug): lambda r: file_answer(r, episode.transcript,
                                                          media_type="text/vtt"),
        }

    def base(self, request: Request) -> str:
        """The token root as this client reached it: its own Host header, when well formed."""
        host = request.headers.get("host", "")
        if not _HOST_RE.match(host):
            server = request.scope.get("server") or ("127.0.0.1", 80)
            host = f"{server[0]}:{server[1]}" if ":" not in server[0] else \
                f"[{server[0]}]:{server[1]}"
        return f"http://{host}{self.prefix}"

    def answer(self, request: Request) -> Response:
        raw = request.scope.get("raw_path") or request.url.path.encode()
        path = raw.decode("latin-1")
        if path == self.prefix[:-1] and secrets.compare_digest(path, self.prefix[:-1]):
            return RedirectResponse(self.prefix, status_code=308)
        token, _, rest = path[1:].partition("/")
        found = self.routes.get(rest) if secrets.compare_digest(
            token.encode("latin-1"), self.token.encode()) and path.startswith("/") else None
        if found is None:
            return Response(NOT_FOUND, status_code=404, media_type="text/plain")
        if request.method not in ("GET", "HEAD"):
            return Response(status_code=405, headers={"Allow": "GET, HEAD"})
        return found(request)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        status = 0

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.answer(request)(scope, receive, send_noting_status)
        finally:
            if self.log is not None:
                self.log(self.log_line(request, status))

    def log_line(self, request: Request, status: int) -> str:
        raw = (request.scope.get("raw_path") or b"").decode("latin-1")
        shown = raw.replace(self.token, "TOKEN")
        # The request line is the client's text: keep it short and free of terminal controls.
        shown = "".join(c if c.isprintable() and ord(c) < 127 else "?" for c in shown[:120])
        client = request.client.host if request.client else "-"
        stamp = time.strftime("%H:%M:%S", time.localtime(self.clock()))
        return f"{stamp} {client} {request.method} {shown} {status or 'dropped'}"


#: Seconds a Ctrl-C waits for responses in flight (uvicorn takes whole seconds): a phone
#: streaming a long MP3 would otherwise hold the server open until it finished.
SHUTDOWN_GRACE_S = 1


def make_server(app: ServeApp) -> uvicorn.Server:
    """A uvicorn server for ``app`` (run it with ``.run(sockets=[...])``); its own access log
    and start-up chatter are off, the app logs each request."""
    config = uvicorn.Config(app, lifespan="off", access_log=False, log_level="warning",
                            timeout_graceful_shutdown=SHUTDOWN_GRACE_S, server_header=False)
    return uvicorn.Server(config)
