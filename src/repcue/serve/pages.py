"""The follow-along pages: the list of workouts, and one page per workout for the phone.

Plain HTML with the package's own CSS and JavaScript (no CDN, no web fonts: a gym's
Wi-Fi may have no internet). The workout page carries what its script needs as JSON:
chapters (the MP3's own, in seconds), and "moments" that say which exercise, set and rep
a time belongs to; the spoken cue comes from the ``.vtt`` track.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from typing import Any

from repcue.picture import picture_svg
from repcue.serve import paths
from repcue.serve.episodes import Episode
from repcue.serve.feed import clock
from repcue.wording import count

_HEAD = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark">
<title>{title}</title>
<link rel="icon" href="{root}{cover}" type="image/png">
<link rel="stylesheet" href="{root}{css}">
</head>
"""


def _head(title: str, root: str) -> str:
    return _HEAD.format(title=escape(title), root=root, cover=paths.COVER,
                        css=paths.static("style.css"))


def _summary(episode: Episode) -> str:
    sets = len(episode.timeline.markers("set"))
    return f"{clock(episode.duration_ms)} · {count(sets, 'set')} · {', '.join(episode.exercises)}"


def index(episodes: Sequence[Episode], base: str, root: str) -> str:
    """The list: each workout's title, length, exercises and picture; the feed to subscribe."""
    cards = []
    for e in episodes:
        link = root + paths.workout_page(e.slug)
        cards.append(
            f'<li class="card"><a href="{link}"><h2>{escape(e.title)}</h2>'
            f'<p class="meta">{escape(_summary(e))}</p>'
            f'<img src="{root}{paths.picture(e.slug)}" alt="The shape of {escape(e.title)}: '
            f'sets as blocks, rests as gaps" loading="lazy"></a></li>')
    feed = base + paths.FEED
    return (_head("repcue workouts", root)
            + '<body class="list">\n<header><h1>repcue workouts</h1></header>\n<main>\n'
            + f'<ul class="cards">{"".join(cards)}</ul>\n'
            + '<section class="subscribe"><h2>In a podcast app</h2>'
            + '<p>Add this feed by URL (AntennaPod: Add podcast, then by RSS address). '
            + 'Each workout is an episode with a chapter for every set.</p>'
            + f'<p><code id="feed-url">{escape(feed)}</code></p></section>\n'
            + "</main>\n</body>\n</html>\n")


def moments(episode: Episode) -> list[dict[str, Any]]:
    """Where the session is from each time on (file ms): exercise starts, sets, rests, reps."""
    names = {m.exercise: m.text or m.exercise for m in episode.timeline.markers("exercise")}
    sets_of: dict[str | None, int] = {}
    for marker in episode.timeline.markers("set"):
        sets_of[marker.exercise] = max(sets_of.get(marker.exercise, 0), marker.set or 0)
    found: list[dict[str, Any]] = []
    last_rep = None
    for e in episode.timeline.events:
        where: dict[str, Any] = {"t": e.start_ms + episode.lead_in_ms,
                                 "ex": names.get(e.exercise, e.exercise)}
        if e.kind == "marker" and e.role == "exercise":
            found.append(where)
        elif e.kind == "marker" and e.role in ("set", "rest"):
            where.update(set=e.set, of=sets_of.get(e.exercise), side=e.side,
                         rest=e.role == "rest")
            found.append(where)
        elif e.kind == "phase" and e.rep is not None:
            rep = (e.exercise, e.set, e.side, e.rep)
            if rep != last_rep:
                where.update(set=e.set, of=sets_of.get(e.exercise), side=e.side, rep=e.rep)
                found.append(where)
                last_rep = rep
    return found


def page_data(episode: Episode, root: str) -> dict[str, Any]:
    return {
        "title": episode.title,
        "slug": episode.slug,
        "cover": root + paths.COVER,
        "leadInMs": episode.lead_in_ms,
        "durationMs": episode.duration_ms,
        "chapters": [{"start": c.start_ms / 1000, "end": c.end_ms / 1000, "title": c.title,
                      "level": c.level} for c in episode.chapters],
        "moments": moments(episode),
    }


def _script_json(data: dict[str, Any]) -> str:
    # "</" would end the script element early; JSON allows "<\/" for it.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def _chapter_list(episode: Episode) -> str:
    items = []
    for c in episode.chapters:
        items.append(f'<li class="level{c.level}"><button type="button" data-start='
                     f'"{c.start_ms / 1000}"><span class="at">{clock(c.start_ms)}</span> '
                     f'{escape(c.title)}</button></li>')
    return "".join(items)


def workout(episode: Episode, root: str) -> str:
    """The page to follow one workout: audio, the cue now, where you are, what is next."""
    audio = root + paths.audio(episode.slug)
    return (
        _head(f"{episode.title} · repcue", root)
        + '<body class="workout">\n<header>'
        + f'<a class="back" href="{root}">‹ All workouts</a>'
        + f"<h1>{escape(episode.title)}</h1>"
        + f'<p class="meta">{escape(_summary(episode))}</p></header>\n<main>\n'
        + '<section class="now" aria-live="polite">'
        + '<p id="where">Press play to start</p>'
        + '<p id="cue" class="cue"></p>'
        + '<p id="next"></p></section>\n'
        + '<div class="controls">'
        + '<button type="button" id="prev-set" aria-label="Previous set">‹ Set</button>'
        + '<button type="button" id="play" class="play">Play</button>'
        + '<button type="button" id="next-set" aria-label="Next set">Set ›</button></div>\n'
        + f'<audio id="player" controls preload="metadata" src="{audio}">'
        + '<track kind="captions" srclang="en" label="Cues" default '
        + f'src="{root}{paths.transcript(episode.slug)}"></audio>\n'
        + f'<figure class="picture">{picture_svg(episode.timeline)}</figure>\n'
        + f'<h2>Sets</h2><ol id="chapters">{_chapter_list(episode)}</ol>\n'
        + f'<p class="links"><a id="download" href="{audio}" download="{episode.slug}.mp3">'
        + "Download the MP3</a></p>\n</main>\n"
        + '<script type="application/json" id="session-data">'
        + _script_json(page_data(episode, root)) + "</script>\n"
        + f'<script src="{root}{paths.static("app.js")}"></script>\n'
        + "</body>\n</html>\n"
    )
