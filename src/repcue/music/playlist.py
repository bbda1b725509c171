"""From ``--music PATH`` to the list of files to play: one file, a folder, or an M3U playlist."""

from __future__ import annotations

import random
from pathlib import Path
from typing import BinaryIO

import mutagen

from repcue.errors import ContentError
from repcue.music.decode import AUDIO_SUFFIXES

PLAYLIST_SUFFIXES = (".m3u", ".m3u8")
#: What is read of an LRC file to tell a repcue export's: its head, with the [re:] line.
_LRC_HEAD_BYTES = 4096
#: Frames of an MP3's tag looked through for its encoder (a repcue export: one per chapter).
_MOST_FRAMES = 1000
#: Chunks of a WAV looked through before its samples, and what is read of its LIST/INFO.
_MOST_CHUNKS = 100
_INFO_BYTES = 4096
#: How every export names its maker (``repcue.export.tags.software``), version left off.
_SOFTWARE = b"repcue "
_OGG_SUFFIXES = (".ogg", ".oga", ".opus")
_MUTAGEN_SUFFIXES = (*_OGG_SUFFIXES, ".m4a", ".mp4")


def music_files(path: Path, *, shuffle: bool = False, seed: int = 0) -> list[Path]:
    """The files ``path`` names, in play order (shuffled with ``seed`` when asked).

    A folder gives its audio files, subfolders included, in name order, leaving out
    repcue's own exports; a playlist its lines in order, relative paths taken from the
    playlist's own folder.
    """
    path = path.expanduser()
    if not path.exists():
        raise ContentError(str(path), "", "no such file or folder",
                           allowed="an audio file, a folder of them, or an .m3u/.m3u8 playlist")
    if path.is_dir():
        files = _folder(path)
    elif path.suffix.lower() in PLAYLIST_SUFFIXES:
        files = _playlist(path)
    else:
        files = [path]
    if shuffle:
        random.Random(seed).shuffle(files)
    return files


def _folder(folder: Path) -> list[Path]:
    audio = [p for p in folder.rglob("*")
             if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file() and not p.name.startswith(".")]
    found = [p for p in audio if not exported_by_repcue(p)]
    if not found:
        left_out = f" ({len(audio)} repcue exports left out)" if audio else ""
        raise ContentError(str(folder), "", f"holds no audio files{left_out}",
                           allowed=", ".join(s.lstrip(".") for s in AUDIO_SUFFIXES))
    return sorted(found, key=lambda p: [part.casefold() for part in p.relative_to(folder).parts])


def exported_by_repcue(path: Path) -> bool:
    """Whether ``path`` is a workout repcue exported: its LRC sidecar says so, or its tag
    names repcue as the software (MP3 TSSE, WAV ISFT, MP4 ©too, Ogg ENCODING_TOOL). A
    lifter who exports into the music folder would otherwise hear the last workout under
    the next one.

    MP3 and WAV are read header by header, skipping bodies, so a big music folder is
    scanned quickly; mutagen reads the others' tags (also without their audio).
    """
    try:
        lrc = path.with_suffix(".lrc")
        if lrc.is_file():
            with lrc.open("rb") as text:
                if b"[re:repcue]" in text.read(_LRC_HEAD_BYTES):
                    return True
        suffix = path.suffix.lower()
        if suffix in (".mp3", ".wav"):
            with path.open("rb") as audio:
                found = _tag_encoder(audio) if suffix == ".mp3" else _wav_software(audio)
            return found.startswith(_SOFTWARE)
        if suffix in _MUTAGEN_SUFFIXES:
            return _mutagen_software(path).startswith(_SOFTWARE.decode())
        return False
    except OSError:
        return False  # left for the decoder to report


def _tag_encoder(audio: BinaryIO) -> bytes:
    """The start of an ID3v2.3/2.4 tag's TSSE (encoder) text, or b"" without one.

    Frame headers are read and their bodies skipped: a repcue export puts its chapters
    (one frame each) before TSSE.
    """
    header = audio.read(10)
    if len(header) < 10 or header[:3] != b"ID3" or header[3] not in (3, 4):
        return b""
    end = 10 + _syncsafe(header[6:10])
    at = 10
    for _ in range(_MOST_FRAMES):
        frame = audio.read(10)
        if len(frame) < 10 or frame[:4] == b"\0\0\0\0" or at + 10 > end:
            return b""
        size = _syncsafe(frame[4:8]) if header[3] == 4 else int.from_bytes(frame[4:8], "big")
        if frame[:4] == b"TSSE":
            return audio.read(min(size, 16))[1:]  # after the text encoding byte
        at += 10 + size
        audio.seek(at)
    return b""


def _wav_software(audio: BinaryIO) -> bytes:
    """The start of a WAV's LIST/INFO ISFT (software) text, or b"" without one."""
    if audio.read(12)[8:] != b"WAVE":
        return b""
    for _ in range(_MOST_CHUNKS):
        chunk = audio.read(8)
        if len(chunk) < 8 or chunk[:4] == b"data":
            return b""  # repcue writes its INFO before the samples
        size = int.from_bytes(chunk[4:], "little")
        if chunk[:4] == b"LIST":
            return _info_field(audio.read(min(size, _INFO_BYTES)), b"ISFT")[:16]
        audio.seek(size + (size & 1), 1)
    return b""


def _info_field(body: bytes, key: bytes) -> bytes:
    """One field of a LIST chunk's body when it is INFO (each field a chunk of its own)."""
    at = 4 if body[:4] == b"INFO" else len(body)
    while at + 8 <= len(body):
        length = int.from_bytes(body[at + 4:at + 8], "little")
        if body[at:at + 4] == key:
            return body[at + 8:at + 8 + length]
        at += 8 + length + (length & 1)
    return b""


def _mutagen_software(path: Path) -> str:
    """An Ogg's ENCODING_TOOL comment or an MP4's ©too atom, or "" without one."""
    try:
        audio = mutagen.File(path)
    except mutagen.MutagenError:
        return ""
    tags = getattr(audio, "tags", None)
    if tags is None:
        return ""
    key = "encoding_tool" if path.suffix.lower() in _OGG_SUFFIXES else "\xa9too"
    values = tags.get(key)
    return str(values[0]) if values else ""


def _syncsafe(raw: bytes) -> int:
    return raw[0] << 21 | raw[1] << 14 | raw[2] << 7 | raw[3]


def _playlist(playlist: Path) -> list[Path]:
    raw = playlist.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # old .m3u files from Windows players
    files: list[Path] = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        where = f"line {number}"
        if "://" in entry and not entry.startswith("file://"):
            raise ContentError(str(playlist), where, f"{entry!r} is not a local file",
                               allowed="paths to audio files on this computer")
        entry = entry.removeprefix("file://")
        target = Path(entry).expanduser()
        if not target.is_absolute():
            target = playlist.parent / target
        if not target.is_file():
            raise ContentError(str(playlist), where, f"{entry!r} points nowhere "
                               f"(no file at {target})", allowed="paths to audio files")
        files.append(target)
    if not files:
        raise ContentError(str(playlist), "", "lists no files",
                           allowed="one audio file path a line")
    return files
