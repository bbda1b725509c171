"""A track's samples at the mix rate, kept on disk so the next play of it decodes nothing.

Decoding is most of what music costs an export (ffmpeg, ~0.4 s of CPU for a 4-minute
MP3), and a session longer than its playlist, a second export, or ``repcue serve``
rendering every workout over the same music would decode the same files again. A
:class:`~repcue.music.track.Track` read straight through from its first chunk writes each
chunk here as it makes it; once the last one is written the file is complete and any
later Track of the same file at the same rate reads its chunks from disk instead. The
chunks are stored as made (float32), so a kept track gives exactly the samples a decoded
one does: play and export agree whichever of them decoded.

Read a chunk at a time (a second of audio), never mapped: the file stays out of RSS.
Keyed by the file's path, size and modification time, the rate and the chunk grid; the
folder is trimmed to :data:`MAX_BYTES`, least recently used first. Like every cache here
it is a speed-up only: a folder that cannot be written just means decoding.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from pathlib import Path
from typing import BinaryIO

import numpy as np

from repcue.clip import Samples
from repcue.music.decode import TrackInfo

#: Bump when decoding or resampling changes, so old samples are not reused.
KEPT_VERSION = 1
#: The folder is trimmed to this (about 3 hours of music at 22 050 Hz, 1.5 at 48 kHz).
MAX_BYTES = 1 << 30
SUFFIX = ".f32"
#: A half-written file this old has no writer any more.
_STALE_SECONDS = 24 * 3600


def kept_name(info: TrackInfo, rate: int, chunk_out: int, chunks: int) -> str | None:
    """The file name ``info``'s track is kept under (None: the file cannot be found)."""
    try:
        stat = info.path.stat()
        where = str(info.path.resolve())
    except OSError:
        return None
    key = (f"{KEPT_VERSION}|{where}|{stat.st_size}|{stat.st_mtime_ns}|{info.via_ffmpeg}|"
           f"{rate}|{chunk_out}|{chunks}")
    return hashlib.sha256(key.encode()).hexdigest()[:32] + SUFFIX


class KeptTrack:
    """The chunks of one track at one rate in ``folder``: read if complete, else written
    while they are made in order from the first."""

    def __init__(self, folder: Path, name: str, chunk_out: int, chunks: int) -> None:
        self.path = folder / name
        self._chunk_bytes = 4 * chunk_out
        self._chunks = chunks
        self._reading: BinaryIO | None = _open_complete(self.path, self._chunk_bytes * chunks)
        self._writing: BinaryIO | None = None
        self._temp: Path | None = None
        self._next = 0  # the chunk the writer expects; -1 once it has given up

    @classmethod
    def open(cls, info: TrackInfo, rate: int, chunk_out: int, chunks: int
             ) -> KeptTrack | None:
        """``info``'s track kept in ``info.kept_in`` (None: it is kept nowhere)."""
        if info.kept_in is None:
            return None
        name = kept_name(info, rate, chunk_out, chunks)
        return None if name is None else cls(info.kept_in, name, chunk_out, chunks)

    @property
    def complete(self) -> bool:
        return self._reading is not None

    def read(self, index: int) -> Samples | None:
        """Chunk ``index`` from disk, or None when the track is not kept (yet)."""
        if self._reading is None or not 0 <= index < self._chunks:
            return None
        try:
            self._reading.seek(index * self._chunk_bytes)
            data = self._reading.read(self._chunk_bytes)
        except OSError:
            data = b""
        if len(data) != self._chunk_bytes:  # cut short since it was opened: decode instead
            self._stop_reading()
            return None
        return np.frombuffer(data, dtype="<f4")

    def offer(self, index: int, chunk: Samples) -> None:
        """Chunk ``index`` as just made: written if it continues the file from chunk 0."""
        if self._reading is not None or self._next < 0 or index < self._next:
            return  # kept already, given up, or a chunk made again after it was dropped
        if index > self._next:
            self._abandon()  # a jump: this Track will not read the file in order
            return
        try:
            if self._writing is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._temp = self.path.with_name(f"{self.path.stem}.{uuid.uuid4().hex}.tmp")
                self._writing = open(self._temp, "wb")  # noqa: SIM115  closed in _finish/_abandon
            self._writing.write(np.ascontiguousarray(chunk, dtype="<f4").tobytes())
            self._next += 1
            if self._next == self._chunks:
                self._finish()
        except OSError:
            self._abandon()

    def close(self) -> None:
        self._stop_reading()
        self._abandon()

    def _finish(self) -> None:
        assert self._writing is not None and self._temp is not None
        self._writing.close()
        self._writing = None
        os.replace(self._temp, self.path)
        self._temp = None
        self._next = -1
        trim(self.path.parent, keep=self.path)

    def _abandon(self) -> None:
        self._next = -1
        if self._writing is not None:
            self._writing.close()
            self._writing = None
        if self._temp is not None:
            self._temp.unlink(missing_ok=True)
            self._temp = None

    def _stop_reading(self) -> None:
        if self._reading is not None:
            self._reading.close()
            self._reading = None


def _open_complete(path: Path, size: int) -> BinaryIO | None:
    """``path`` open for reading if it holds ``size`` bytes (and marked as just used)."""
    try:
        reading = open(path, "rb")  # noqa: SIM115  closed by KeptTrack
    except OSError:
        return None
    try:
        if os.fstat(reading.fileno()).st_size == size:
            os.utime(path)  # the trim keeps what was used last
            return reading
    except OSError:
        pass
    reading.close()
    return None


def trim(folder: Path, keep: Path | None = None, limit: int = MAX_BYTES) -> None:
    """Remove the least recently used kept tracks until ``folder`` holds ``limit`` bytes,
    and what writers that died (killed mid-export) left half-written over a day ago."""
    found = []
    try:
        for entry in os.scandir(folder):
            stat = entry.stat()
            if entry.name.endswith(SUFFIX):
                found.append((stat.st_mtime_ns, stat.st_size, Path(entry.path)))
            elif entry.name.endswith(".tmp") and time.time() - stat.st_mtime > _STALE_SECONDS:
                Path(entry.path).unlink(missing_ok=True)
    except OSError:
        return
    total = sum(size for _, size, _ in found)
    for _, size, path in sorted(found):
        if total <= limit:
            break
        if path != keep:
            path.unlink(missing_ok=True)
            total -= size


def kept_info(folder: Path) -> tuple[int, int]:
    """``(tracks, bytes)`` kept in ``folder``."""
    try:
        sizes = [entry.stat().st_size for entry in os.scandir(folder)
                 if entry.name.endswith(SUFFIX)]
    except OSError:
        return 0, 0
    return len(sizes), sum(sizes)


def clear_kept(folder: Path) -> tuple[int, int]:
    """Remove every kept track; ``(tracks, bytes)`` removed (they are decoded again)."""
    found = kept_info(folder)
    trim(folder, None, limit=0)
    left = kept_info(folder)
    return found[0] - left[0], found[1] - left[1]
