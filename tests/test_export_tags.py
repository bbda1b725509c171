"""The ID3 tag: every field reads back with mutagen, and CHAP frames sit in time order."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import mutagen.id3

from repcue.export.chapters import Chapter, CueLine
from repcue.export.cover import cover_png
from repcue.export.tags import (
    TrackInfo,
    mp4_ffmetadata,
    split_frames,
    tag_bytes,
    vorbis_ffmetadata,
)

# Titles whose lengths fall as time rises: mutagen alone would write these CHAPs last-first.
CHAPTERS = [Chapter(i * 10_000, i * 10_000 + 9_000, "x" * (40 - i * 3), i % 2) for i in range(10)]
CUES = [CueLine(500, 1500, "Tailbone down. Brace."), CueLine(3000, 3600, "Now squat.")]
INFO = TrackInfo("Back strength", "repcue", "repcue workouts", 3, "2026-11-25", cover_png())


def _raw_chap_order(data: bytes) -> list[str]:
    """Element ids of CHAP frames in the order they occur in the bytes (no mutagen)."""
    ids = []
    pos = data.find(b"CHAP")
    while pos != -1:
        end = data.index(b"\x00", pos + 10)
        ids.append(data[pos + 10:end].decode())
        pos = data.find(b"CHAP", end)
    return ids


def test_fields_read_back(tmp_path: Path) -> None:
    path = tmp_path / "t.mp3"
    path.write_bytes(tag_bytes(INFO, CHAPTERS, CUES))
    tag = mutagen.id3.ID3(path)
    assert str(tag["TIT2"]) == "Back strength"
    assert str(tag["TPE1"]) == "repcue"
    assert str(tag["TALB"]) == "repcue workouts"
    assert str(tag["TRCK"]) == "3"
    assert str(tag["TDRC"]) == "2026-11-25"
    cover = tag.getall("APIC")[0]
    assert cover.mime == "image/png" and cover.type == 3 and cover.data == cover_png()
    uslt = tag.getall("USLT")[0]
    assert uslt.text == "Tailbone down. Brace.\nNow squat."
    sylt = tag.getall("SYLT")[0]
    assert sylt.format == 2 and sylt.type == 1
    assert sylt.text == [("Tailbone down. Brace.", 500), ("Now squat.", 3000)]
    toc = tag.getall("CTOC")[0]
    assert toc.child_element_ids == [f"ch{i:03d}" for i in range(10)]
    chaps = sorted(tag.getall("CHAP"), key=lambda c: c.start_time)
    assert [(c.start_time, c.end_time, str(c.sub_frames["TIT2"])) for c in chaps] == [
        (c.start_ms, c.end_ms, c.title) for c in CHAPTERS]


def test_chap_frames_are_written_in_time_order() -> None:
    data = tag_bytes(INFO, CHAPTERS, CUES)
    assert _raw_chap_order(data) == [f"ch{i:03d}" for i in range(10)]
    kinds = [f[:4] for f in split_frames(data)]
    assert kinds[:11] == [b"CTOC"] + [b"CHAP"] * 10


def test_mutagen_on_its_own_would_not_keep_time_order(tmp_path: Path) -> None:
    # Why tags.py re-lays the frames: this is what a plain save writes.
    from repcue.export.tags import build_tag

    path = tmp_path / "plain.id3"
    build_tag(INFO, CHAPTERS, CUES).save(path)
    assert _raw_chap_order(path.read_bytes()) != [f"ch{i:03d}" for i in range(10)]


def test_cover_is_a_valid_png() -> None:
    data = cover_png()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    idat_len = struct.unpack(">I", data[33:37])[0]
    pixels = zlib.decompress(data[41:41 + idat_len])
    assert (width, height) == (256, 256) and len(pixels) == height * (1 + 3 * width)


def test_ffmetadata_carries_names_and_chapters() -> None:
    text = mp4_ffmetadata(TrackInfo("A=B; C", "me", "al", 1, None), CHAPTERS[:2]).decode()
    assert text.startswith(";FFMETADATA1\ntitle=A\\=B\\; C\n")
    assert text.count("[CHAPTER]") == 2 and "START=10000\nEND=19000\n" in text


def test_ogg_chapters_use_the_vorbis_comment_convention() -> None:
    text = vorbis_ffmetadata(INFO, [Chapter(3_723_004, 3_800_000, "Row — set 1", 1)]).decode()
    assert "CHAPTER001=01:02:03.004\nCHAPTER001NAME=Row — set 1\n" in text
    assert "[CHAPTER]" not in text
