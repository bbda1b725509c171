"""From ``--music PATH`` to the list of files to play: one file, a folder, or an M3U playlist."""

from __future__ import annotations

import random
from pathlib import Path
from typing import BinaryIO

from repcue.errors import ContentError
from repcue.music.decode import AUDIO_SUFFIXES

PLAYLIST_SUFFIXES = (".m3u", ".m3u8")
#: What is read of an LRC file to tell a repcue export's: its head, with the [re:] line.
_LRC_HEAD_BYTES = 4096
#: Frames of an MP3's tag looked through for its encoder (a repcue export: one per chapter).
_MOST_FRAMES = 1000


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
    """Whether ``path`` is a workout repcue exported: its LRC sidecar says so, or its MP3
    tag does (encoder "repcue ..."). A lifter who exports into the music folder would
    otherwise hear the last workout under the next one.

    Reads a few hundred bytes of each file, so a big music folder is scanned quickly.
    """
    try:
        lrc = path.with_suffix(".lrc")
        if lrc.is_file():
            with lrc.open("rb") as text:
                if b"[re:repcue]" in text.read(_LRC_HEAD_BYTES):
                    return True
        if path.suffix.lower() != ".mp3":
            return False
        with path.open("rb") as audio:
            return _tag_encoder(audio).startswith(b"repcue ")
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
