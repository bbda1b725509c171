"""ID3v2.4 tags for an exported MP3: names, cover, chapters and the cue script.

mutagen builds and serialises every frame. It sorts frames by size when saving,
and players list CHAP frames in file order, so the serialised tag is re-laid: the
CTOC first, then the CHAPs in time order, then everything else as mutagen wrote it.
The tag is built before any audio exists (all times come from the timeline), so it
is written once at the start of the file and the audio streams after it.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import mutagen.id3

from repcue import __version__
from repcue.export.chapters import Chapter, CueLine
from repcue.export.sidecars import vtt_time

# mutagen's frame constructors are untyped; going through Any keeps mypy --strict quiet.
_id3: Any = mutagen.id3
_UTF8 = 3  # ID3 text encoding byte for UTF-8
_HEADER = 10
NO_OFFSET = 0xFFFFFFFF  # CHAP byte offsets unknown: players use the times


@dataclass(frozen=True)
class TrackInfo:
    title: str
    artist: str
    album: str
    track: int | None = None
    date: str | None = None
    cover_png: bytes | None = None
    #: Free text for the comment frame: the music played under the voice, for credit.
    comment: str | None = None


def chapter_id(index: int) -> str:
    return f"ch{index:03d}"


def build_tag(info: TrackInfo, chapters: Sequence[Chapter], cues: Sequence[CueLine]) -> Any:
    """The tag as mutagen objects (time order is not kept until :func:`tag_bytes`)."""
    tag = _id3.ID3()
    tag.add(_id3.TIT2(encoding=_UTF8, text=[info.title]))
    tag.add(_id3.TPE1(encoding=_UTF8, text=[info.artist]))
    tag.add(_id3.TALB(encoding=_UTF8, text=[info.album]))
    tag.add(_id3.TSSE(encoding=_UTF8, text=[software()]))
    if info.track is not None:
        tag.add(_id3.TRCK(encoding=_UTF8, text=[str(info.track)]))
    if info.date:
        tag.add(_id3.TDRC(encoding=_UTF8, text=[info.date]))
    if info.comment:
        tag.add(_id3.COMM(encoding=_UTF8, lang="eng", desc="", text=[info.comment]))
    if info.cover_png:
        tag.add(_id3.APIC(encoding=_UTF8, mime="image/png", type=3, desc="Cover",
                     data=info.cover_png))
    if chapters:
        ids = [chapter_id(i) for i in range(len(chapters))]
        tag.add(_id3.CTOC(element_id="toc", flags=_id3.CTOCFlags.TOP_LEVEL | _id3.CTOCFlags.ORDERED,
                     child_element_ids=ids,
                     sub_frames=[_id3.TIT2(encoding=_UTF8, text=[info.title])]))
        for element_id, chapter in zip(ids, chapters, strict=True):
            tag.add(_id3.CHAP(element_id=element_id, start_time=chapter.start_ms,
                         end_time=chapter.end_ms, start_offset=NO_OFFSET, end_offset=NO_OFFSET,
                         sub_frames=[_id3.TIT2(encoding=_UTF8, text=[chapter.title])]))
    if cues:
        tag.add(_id3.USLT(encoding=_UTF8, lang="eng", desc="cues",
                     text="\n".join(c.text for c in cues)))
        tag.add(_id3.SYLT(encoding=_UTF8, lang="eng", format=2, type=1, desc="cues",
                     text=[(c.text, c.start_ms) for c in cues]))
    return tag


def split_frames(tag: bytes) -> list[bytes]:
    """The raw frames of an ID3v2.4 tag (header included in each), padding dropped."""
    if tag[:3] != b"ID3" or tag[3] != 4:
        raise ValueError("not an ID3v2.4 tag")
    size = _syncsafe(tag[6:10])
    frames: list[bytes] = []
    pos = _HEADER
    while pos + _HEADER <= _HEADER + size and tag[pos] != 0:
        length = _HEADER + _syncsafe(tag[pos + 4:pos + 8])
        frames.append(tag[pos:pos + length])
        pos += length
    return frames


def _syncsafe(raw: bytes) -> int:
    value = 0
    for byte in raw:
        value = (value << 7) | (byte & 0x7F)
    return value


def _to_syncsafe(value: int) -> bytes:
    return bytes(((value >> shift) & 0x7F) for shift in (21, 14, 7, 0))


def chapter_start(frame: bytes) -> int:
    """The start time (ms) of a raw CHAP frame."""
    body = frame[_HEADER:]
    end_of_id = body.index(b"\x00")
    (start,) = struct.unpack(">I", body[end_of_id + 1:end_of_id + 5])
    return int(start)


def time_ordered(tag: bytes, padding: int = 1024) -> bytes:
    """Re-lay a serialised tag: CTOC, CHAPs by start time, then the other frames."""
    frames = split_frames(tag)
    tocs = [f for f in frames if f[:4] == b"CTOC"]
    chaps = sorted((f for f in frames if f[:4] == b"CHAP"), key=chapter_start)
    rest = [f for f in frames if f[:4] not in (b"CTOC", b"CHAP")]
    body = b"".join(tocs + chaps + rest) + bytes(padding)
    return b"ID3\x04\x00\x00" + _to_syncsafe(len(body)) + body


def tag_bytes(info: TrackInfo, chapters: Sequence[Chapter], cues: Sequence[CueLine]) -> bytes:
    """A complete ID3v2.4 tag, ready to be the first bytes of the MP3 file."""
    buffer = io.BytesIO()
    build_tag(info, chapters, cues).save(buffer, v1=0, v2_version=4, padding=lambda _: 0)
    return time_ordered(buffer.getvalue())


def _ffmeta_escape(text: str) -> str:
    for char in ("\\", "=", ";", "#", "\n"):
        text = text.replace(char, "\\" + char)
    return text


def software() -> str:
    """What every export names as the program that made it; a music folder's scan looks
    for it (``repcue.music.playlist``), so the last workout is not played under the next."""
    return f"repcue {__version__}"


def _ffmeta_names(info: TrackInfo) -> list[str]:
    # encoding_tool: MP4's encoder atom (ffmpeg would write its own name there), and an
    # Ogg comment of the same name (ffmpeg's takes ENCODER).
    lines = [";FFMETADATA1", f"title={_ffmeta_escape(info.title)}",
             f"artist={_ffmeta_escape(info.artist)}", f"album={_ffmeta_escape(info.album)}",
             f"encoding_tool={_ffmeta_escape(software())}"]
    if info.track is not None:
        lines.append(f"track={info.track}")
    if info.date:
        lines.append(f"date={_ffmeta_escape(info.date)}")
    if info.comment:
        lines.append(f"comment={_ffmeta_escape(info.comment)}")
    return lines


def mp4_ffmetadata(info: TrackInfo, chapters: Sequence[Chapter],
                   cues: Sequence[CueLine] = ()) -> bytes:
    """Names and chapters for ffmpeg's MP4 muxer (m4a), as an FFMETADATA1 file."""
    lines = _ffmeta_names(info)
    for chapter in chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={chapter.start_ms}",
                  f"END={chapter.end_ms}", f"title={_ffmeta_escape(chapter.title)}"]
    return ("\n".join(lines) + "\n").encode()


def vorbis_ffmetadata(info: TrackInfo, chapters: Sequence[Chapter],
                      cues: Sequence[CueLine] = ()) -> bytes:
    """Names and chapters for ffmpeg's Ogg muxer, as an FFMETADATA1 file.

    That muxer drops [CHAPTER] sections, so the chapters go in as the Vorbis comment
    convention (CHAPTER001=time, CHAPTER001NAME=title), which players and ffprobe read
    back as chapters.
    """
    lines = _ffmeta_names(info)
    for number, chapter in enumerate(chapters, start=1):
        lines += [f"CHAPTER{number:03d}={vtt_time(chapter.start_ms)}",
                  f"CHAPTER{number:03d}NAME={_ffmeta_escape(chapter.title)}"]
    return ("\n".join(lines) + "\n").encode()


def wav_info(info: TrackInfo, chapters: Sequence[Chapter] = (),
             cues: Sequence[CueLine] = ()) -> bytes:
    """A WAV's LIST/INFO chunk: title, artist, album, track, date, comment and software.

    RIFF INFO has no place for chapters or timed text; the sidecars carry those.
    """
    fields = [(b"INAM", info.title), (b"IART", info.artist), (b"IPRD", info.album),
              (b"ITRK", str(info.track) if info.track is not None else None),
              (b"ICRD", info.date), (b"ICMT", info.comment), (b"ISFT", software())]
    body = b"INFO"
    for key, text in fields:
        if text:
            value = text.encode() + b"\0"
            body += key + struct.pack("<I", len(value)) + value + b"\0" * (len(value) & 1)
    return b"LIST" + struct.pack("<I", len(body)) + body
