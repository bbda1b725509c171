"""Every path the server answers, relative to the token root ``/TOKEN/``.

The app builds its whitelist from these and the feed and pages link with them, so a link
and the route behind it cannot drift apart.
"""

from __future__ import annotations

PAGE = ""
FEED = "feed.xml"
COVER = "cover.png"
STATIC = ("app.js", "style.css")


def static(name: str) -> str:
    return f"static/{name}"


def workout_page(slug: str) -> str:
    return f"w/{slug}/"


def picture(slug: str) -> str:
    return f"w/{slug}/picture.svg"


def audio(slug: str) -> str:
    return f"media/{slug}.mp3"


def transcript(slug: str) -> str:
    return f"media/{slug}.vtt"


def chapters(slug: str) -> str:
    return f"media/{slug}.chapters.json"
