"""The podcast feed: RSS 2.0 with the iTunes and Podcasting 2.0 namespaces, one item a workout.

Apps differ in what they read, so each episode says its chapters three ways: the MP3's own
CHAP frames, ``podcast:chapters`` (JSON) and timestamps in the description; and its cue text
as ``podcast:transcript`` (the export's ``.vtt``). Every URL is built on the base the phone
used to reach the feed, so it works from wherever it was fetched.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from repcue.serve import paths
from repcue.serve.episodes import Episode

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
CHAPTERS_TYPE = "application/json+chapters"
CHAPTERS_VERSION = "1.2.0"

FEED_TITLE = "repcue workouts"
FEED_SUMMARY = ("Voice-guided workouts from repcue: form cues on the rep tempo, "
                "one episode per workout, with a chapter for every set.")

for _prefix, _uri in (("itunes", ITUNES), ("podcast", PODCAST), ("atom", ATOM)):
    ET.register_namespace(_prefix, _uri)


def clock(ms: int) -> str:
    """``M:SS`` or ``H:MM:SS``, as chapter lists in show notes write times."""
    minutes, seconds = divmod(ms // 1000, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def chapters_document(episode: Episode) -> dict[str, Any]:
    """Podcasting 2.0 JSON chapters: the same starts and titles as the MP3's CHAP frames."""
    return {
        "version": CHAPTERS_VERSION,
        "title": episode.title,
        "author": "repcue",
        "chapters": [{"startTime": c.start_ms / 1000, "endTime": c.end_ms / 1000,
                      "title": c.title} for c in episode.chapters],
    }


def description(episode: Episode) -> str:
    lines = [f"{episode.title}: {', '.join(episode.exercises)}.", "", "Chapters:"]
    lines += [f"{clock(c.start_ms)} {c.title}" for c in episode.chapters]
    return "\n".join(lines)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = text
    return element


def _item(channel: ET.Element, episode: Episode, base: str) -> None:
    item = _sub(channel, "item")
    _sub(item, "title", episode.title)
    _sub(item, "link", base + paths.workout_page(episode.slug))
    _sub(item, "description", description(episode))
    _sub(item, f"{{{ITUNES}}}summary", description(episode))
    _sub(item, "guid", episode.guid, isPermaLink="false")
    when = datetime.fromtimestamp(episode.rendered_at, UTC)
    _sub(item, "pubDate", format_datetime(when))
    _sub(item, "enclosure", url=base + paths.audio(episode.slug), length=str(episode.bytes),
         type="audio/mpeg")
    _sub(item, f"{{{ITUNES}}}duration", str(round(episode.duration_ms / 1000)))
    _sub(item, f"{{{ITUNES}}}image", href=base + paths.COVER)
    _sub(item, f"{{{ITUNES}}}episodeType", "full")
    _sub(item, f"{{{ITUNES}}}explicit", "false")
    _sub(item, f"{{{PODCAST}}}chapters", url=base + paths.chapters(episode.slug),
         type=CHAPTERS_TYPE)
    _sub(item, f"{{{PODCAST}}}transcript", url=base + paths.transcript(episode.slug),
         type="text/vtt", language="en", rel="captions")


def feed_xml(episodes: Sequence[Episode], base: str) -> bytes:
    """The feed document; ``base`` is the token root as the phone reached it (ends in ``/``)."""
    rss = ET.Element("rss", version="2.0")
    channel = _sub(rss, "channel")
    _sub(channel, "title", FEED_TITLE)
    _sub(channel, "link", base + paths.PAGE)
    _sub(channel, "description", FEED_SUMMARY)
    _sub(channel, "language", "en")
    _sub(channel, f"{{{ATOM}}}link", href=base + paths.FEED, rel="self",
         type="application/rss+xml")
    newest = max((e.rendered_at for e in episodes), default=0.0)
    _sub(channel, "lastBuildDate", format_datetime(datetime.fromtimestamp(newest, UTC)))
    _sub(channel, f"{{{ITUNES}}}author", "repcue")
    _sub(channel, f"{{{ITUNES}}}summary", FEED_SUMMARY)
    _sub(channel, f"{{{ITUNES}}}image", href=base + paths.COVER)
    ET.SubElement(channel, f"{{{ITUNES}}}category", {"text": "Health & Fitness"})
    _sub(channel, f"{{{ITUNES}}}explicit", "false")
    _sub(channel, f"{{{ITUNES}}}type", "episodic")
    image = _sub(channel, "image")
    _sub(image, "url", base + paths.COVER)
    _sub(image, "title", FEED_TITLE)
    _sub(image, "link", base + paths.PAGE)
    for episode in episodes:
        _item(channel, episode, base)
    ET.indent(rss, space=" ")
    document: bytes = ET.tostring(rss, encoding="utf-8", xml_declaration=True)
    return document + b"\n"
