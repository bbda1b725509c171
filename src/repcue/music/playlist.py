"""From ``--music PATH`` to the list of files to play: one file, a folder, or an M3U playlist."""

from __future__ import annotations

import random
from pathlib import Path

from repcue.errors import ContentError
from repcue.music.decode import AUDIO_SUFFIXES

PLAYLIST_SUFFIXES = (".m3u", ".m3u8")


def music_files(path: Path, *, shuffle: bool = False, seed: int = 0) -> list[Path]:
    """The files ``path`` names, in play order (shuffled with ``seed`` when asked).

    A folder gives its audio files, subfolders included, in name order; a playlist its
    lines in order, relative paths taken from the playlist's own folder.
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
    found = [p for p in folder.rglob("*")
             if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file() and not p.name.startswith(".")]
    if not found:
        raise ContentError(str(folder), "", "holds no audio files",
                           allowed=", ".join(s.lstrip(".") for s in AUDIO_SUFFIXES))
    return sorted(found, key=lambda p: [part.casefold() for part in p.relative_to(folder).parts])


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
