"""The podcast feed read by two parsers podcast tools use, its chapters checked against the
Podcasting 2.0 fields and the MP3's own CHAP frames, and GUIDs that follow the audio."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import feedparser
import httpx
import mutagen.id3
import numpy as np
import podcastparser
import pytest

from export_support import workout
from repcue.clip import Clip
from repcue.export import ExportOptions
from repcue.serve.episodes import Episode, EpisodeShelf
from repcue.serve.feed import PODCAST, clock
from repcue.tones import default_palette
from serve_support import running, small_episodes


@pytest.fixture(scope="module")
def episodes(tmp_path_factory: pytest.TempPathFactory) -> list[Episode]:
    return small_episodes(tmp_path_factory.mktemp("episodes"))


@pytest.fixture(scope="module")
def root(episodes: list[Episode]) -> Iterator[str]:
    with running(episodes) as url:
        yield url


@pytest.fixture(scope="module")
def feed(root: str) -> bytes:
    response = httpx.get(root + "feed.xml", timeout=30)
    assert response.status_code == 200
    return response.content


def test_podcastparser_reads_every_episode(feed: bytes, root: str,
                                           episodes: list[Episode]) -> None:
    parsed = podcastparser.parse(root + "feed.xml", io.BytesIO(feed))
    assert parsed["title"] == "repcue workouts"
    assert parsed["cover_url"] == root + "cover.png"
    # podcastparser lists the newest first: match items by GUID.
    items = {item["guid"]: item for item in parsed["episodes"]}
    assert sorted(items) == sorted(e.guid for e in episodes)
    for episode in episodes:
        item = items[episode.guid]
        assert item["title"] == episode.title
        assert item["total_time"] == round(episode.duration_ms / 1000)
        assert item["enclosures"] == [{"url": f"{root}media/{episode.slug}.mp3",
                                       "file_size": episode.audio.stat().st_size,
                                       "mime_type": "audio/mpeg"}]
        assert item["episode_art_url"] == root + "cover.png"
        # Apps that read neither chapter format still list the sets.
        for chapter in episode.chapters:
            assert f"{clock(chapter.start_ms)} {chapter.title}" in item["description"]


def test_feedparser_reads_the_podcasting_2_fields(feed: bytes, root: str,
                                                  episodes: list[Episode]) -> None:
    parsed = feedparser.parse(feed)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.namespaces["podcast"] == PODCAST
    for entry, episode in zip(parsed.entries, episodes, strict=True):
        assert entry.id == episode.guid
        assert entry.itunes_duration == str(round(episode.duration_ms / 1000))
        enclosure = next(link for link in entry.links if link.rel == "enclosure")
        assert enclosure.href == f"{root}media/{episode.slug}.mp3"
        assert int(enclosure.length) == episode.bytes and enclosure.type == "audio/mpeg"
        assert entry.podcast_chapters == {"url": f"{root}media/{episode.slug}.chapters.json",
                                          "type": "application/json+chapters"}
        assert entry.podcast_transcript["url"] == f"{root}media/{episode.slug}.vtt"
        assert entry.podcast_transcript["type"] == "text/vtt"


def test_linked_files_are_the_episode_files(feed: bytes, episodes: list[Episode]) -> None:
    parsed = feedparser.parse(feed)
    for entry, episode in zip(parsed.entries, episodes, strict=True):
        transcript = httpx.get(entry.podcast_transcript["url"], timeout=30)
        assert transcript.content == episode.transcript.read_bytes()
        assert transcript.text.startswith("WEBVTT")


def test_chapters_json_matches_the_spec_and_the_mp3(feed: bytes,
                                                   episodes: list[Episode]) -> None:
    parsed = feedparser.parse(feed)
    for entry, episode in zip(parsed.entries, episodes, strict=True):
        document = httpx.get(entry.podcast_chapters["url"], timeout=30).json()
        assert document["version"] == "1.2.0"
        chapters = document["chapters"]
        assert chapters and all(isinstance(c["startTime"], int | float) for c in chapters)
        assert all(isinstance(c["title"], str) and c["title"] for c in chapters)
        starts = [c["startTime"] for c in chapters]
        assert starts == sorted(starts) and starts[0] >= 0
        assert all(c["endTime"] >= c["startTime"] for c in chapters)
        tag = mutagen.id3.ID3(episode.audio)
        frames = sorted(tag.getall("CHAP"), key=lambda f: (f.start_time, f.element_id))
        from_mp3 = [(f.start_time, f.sub_frames["TIT2"].text[0]) for f in frames]
        from_json = [(round(c["startTime"] * 1000), c["title"]) for c in chapters]
        assert sorted(from_json) == sorted(from_mp3)


def _voice(clips: dict[str, Clip], text: str) -> dict[str, Clip]:
    """The same session with one cue spoken a little differently (trailing off: only its
    level would not do, since the mix levels every cue)."""
    changed = dict(clips)
    clip = clips[text]
    fade = np.linspace(1.0, 0.5, len(clip.samples), dtype=np.float32)
    changed[text] = Clip((clip.samples * fade).astype(np.float32), clip.rate)
    return changed


def test_guid_changes_exactly_when_the_audio_changes(tmp_path: Path) -> None:
    shelf = EpisodeShelf(tmp_path)
    palette = default_palette(44100)
    options = ExportOptions(lead_in_ms=500)
    timeline, clips = workout(sets=1, reps=2, rest_ms=3000, exercises=("Kettlebell squat",))
    first, rendered = shelf.episode("a", "a", timeline, clips, palette, options)
    assert rendered
    again, rendered = shelf.episode("a", "a", timeline, clips, palette, options)
    assert not rendered and again.guid == first.guid and again.folder == first.folder

    longer = replace(timeline, duration_ms=timeline.duration_ms + 1000)
    other_voice = _voice(clips, "Tailbone down. Brace.")
    guids = {first.guid}
    for changed_timeline, changed_clips, changed_options in (
            (longer, clips, options), (timeline, other_voice, options),
            (timeline, clips, replace(options, bitrate_kbps=96))):
        changed, rendered = shelf.episode("a", "a", changed_timeline, changed_clips, palette,
                                          changed_options)
        assert rendered and changed.guid not in guids
        guids.add(changed.guid)
    # A clip the session never speaks changes nothing a phone would hear: same GUID.
    unspoken, rendered = shelf.episode("a", "a", timeline, _voice(clips, "Now squat."), palette,
                                       options)
    assert not any(e.text == "Now squat." for e in timeline.events)
    assert rendered and unspoken.guid == first.guid
    # The earlier renders of "a" go once the newest is served; the newest stays.
    shelf.forget_older([unspoken])
    assert [p for p in tmp_path.iterdir() if not p.name.startswith(".")] == [unspoken.folder]


def test_a_damaged_episode_is_rendered_again(tmp_path: Path) -> None:
    shelf = EpisodeShelf(tmp_path)
    timeline, clips = workout(sets=1, reps=1, rest_ms=2000, exercises=("Kettlebell squat",))
    palette = default_palette(44100)
    episode, _ = shelf.episode("a", "a", timeline, clips, palette, ExportOptions())
    good = episode.audio.read_bytes()
    episode.audio.write_bytes(good[: len(good) // 2])
    again, rendered = shelf.episode("a", "a", timeline, clips, palette, ExportOptions())
    assert rendered and again.audio.read_bytes() == good and again.guid == episode.guid
