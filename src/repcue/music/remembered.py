"""Each track's header and level, remembered, so live play with music starts at once.

Levelling a track decodes a 20-second window of it (a quarter of a second or more for an
MP3 or M4A), and ``repcue play`` must make its first sound within a fraction of a second.
So what a track is (rate, channels, length, decoder) and how loud it is are kept in one
small JSON file in the cache folder, keyed by the file's path, size and modification time:
an edited or replaced file is measured again. Like the remembered gain, this is a
speed-up only: a cache that cannot be read or written just means measuring again.

A track recalled from here also carries the folder its decoded samples are kept in
(``music/pcm``, see kept.py), so playing it again decodes nothing either.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from repcue.music.bed import LevelledTrack
from repcue.music.decode import TrackInfo

#: Bump when probing or levelling changes, so old figures are not reused.
TRACKS_VERSION = 1
#: More tracks than this and the oldest entries go (a big library stays a small file).
MAX_TRACKS = 2000


def kept_folder(cache_dir: Path) -> Path:
    """Where the decoded samples of tracks are kept, in the cache folder (kept.py)."""
    return cache_dir / "music" / "pcm"


class TrackMemory:
    """The tracks measured before, read from ``folder`` (None: remember nothing)."""

    def __init__(self, folder: Path | None) -> None:
        self.path = None if folder is None else folder / "music" / "tracks.json"
        #: Where the tracks' decoded samples are kept (None: nowhere).
        self.kept_in = None if folder is None else kept_folder(folder)
        self._tracks: dict[str, dict[str, Any]] = self._read()
        self._changed = False

    def _read(self) -> dict[str, dict[str, Any]]:
        if self.path is None:
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != TRACKS_VERSION:
            return {}
        tracks = data.get("tracks")
        return tracks if isinstance(tracks, dict) else {}

    def recall(self, path: Path) -> LevelledTrack | None:
        """The track at ``path`` as measured before, if the file has not changed since."""
        key, stamp = _key(path)
        entry = None if key is None else self._tracks.get(key)
        if not isinstance(entry, dict) or entry.get("stamp") != stamp:
            return None
        try:
            info = TrackInfo(path, int(entry["rate"]), int(entry["channels"]),
                             int(entry["frames"]), via_ffmpeg=bool(entry["via_ffmpeg"]),
                             kept_in=self.kept_in)
            return LevelledTrack(info, float(entry["lufs"]))
        except (KeyError, TypeError, ValueError):
            return None

    def remember(self, track: LevelledTrack) -> LevelledTrack:
        """Keep ``track``'s figures; the track as :meth:`recall` will give it back (its
        samples kept in :attr:`kept_in` once decoded)."""
        key, stamp = _key(track.info.path)
        if key is None or self.path is None:
            return track
        info = track.info
        self._tracks.pop(key, None)  # to the end: the newest entries are kept longest
        self._tracks[key] = {"stamp": stamp, "rate": info.rate, "channels": info.channels,
                             "frames": info.frames, "via_ffmpeg": info.via_ffmpeg,
                             "lufs": track.lufs}
        self._changed = True
        return replace(track, info=replace(info, kept_in=self.kept_in))

    def save(self) -> None:
        if self.path is None or not self._changed:
            return
        kept = dict(list(self._tracks.items())[-MAX_TRACKS:])
        try:  # a read-only cache still plays
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"version": TRACKS_VERSION, "tracks": kept}),
                           encoding="utf-8")
            os.replace(tmp, self.path)
            self._changed = False
        except OSError:
            pass


def _key(path: Path) -> tuple[str | None, list[int]]:
    try:
        stat = path.stat()
        return str(path.resolve()), [stat.st_size, stat.st_mtime_ns]
    except OSError:
        return None, []
