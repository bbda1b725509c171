"""Content-addressed speech clips on disk.

One file per clip, named by a SHA-256 over everything that changes the sound
(engine and its version, voice, rate, text, polish and file format). Each file
carries its own checksum, so a truncated or damaged entry reads as a miss and
is synthesised again instead of being played. Writes go to a temporary file in
the same folder and are moved into place with ``os.replace``, so readers and a
second repcue never see half a clip.

File layout (little-endian): ``MAGIC``, rate (u32), sample count (u64),
SHA-256 of the payload (32 bytes), then float32 samples.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import struct
import tempfile
from pathlib import Path

import numpy as np

from repcue.clip import Clip

MAGIC = b"RCLIP1\x00\x00"
FORMAT = "repcue-clip/1 float32le mono"
_HEADER = struct.Struct("<IQ32s")
SUFFIX = ".clip"


def clip_key(*, engine: str, fingerprint: str, voice: str | None, rate: float, text: str,
             polish_version: int) -> str:
    """The cache key of one clip: hex SHA-256 over every input that shapes its sound."""
    fields = {
        "format": FORMAT,
        "engine": engine,
        "fingerprint": fingerprint,
        "voice": voice,
        "rate": round(rate, 4),
        "text": text,
        "polish": polish_version,
    }
    blob = json.dumps(fields, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()


class ClipCache:
    """The clip folder: read, write, count and clear."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}{SUFFIX}"

    def get(self, key: str) -> Clip | None:
        """The cached clip, or ``None`` when it is missing or does not check out."""
        try:
            data = self.path_for(key).read_bytes()
        except OSError:
            return None
        return _decode(data)

    def put(self, key: str, clip: Clip) -> None:
        """Store ``clip`` atomically; a clip that cannot be stored is only a lost speed-up."""
        path = self.path_for(key)
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            payload = clip.samples.astype("<f4").tobytes()
            header = _HEADER.pack(clip.rate, len(clip.samples), hashlib.sha256(payload).digest())
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(MAGIC + header + payload)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise

    def entries(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return sorted(self.root.glob(f"[0-9a-f][0-9a-f]/*{SUFFIX}"))

    def info(self) -> tuple[int, int, Path]:
        """Number of clips, their total bytes, and the folder."""
        files = self.entries()
        size = 0
        for file in files:
            with contextlib.suppress(OSError):
                size += file.stat().st_size
        return len(files), size, self.root

    def clear(self) -> int:
        """Delete repcue's clips (and stray temporary files) only; return how many clips went."""
        removed = 0
        for file in self.entries():
            with contextlib.suppress(FileNotFoundError):
                file.unlink()
                removed += 1
        if self.root.is_dir():
            for stray in self.root.glob("[0-9a-f][0-9a-f]/*.tmp"):
                with contextlib.suppress(OSError):
                    stray.unlink()
            for sub in self.root.glob("[0-9a-f][0-9a-f]"):
                with contextlib.suppress(OSError):
                    sub.rmdir()
        return removed


def _decode(data: bytes) -> Clip | None:
    start = len(MAGIC) + _HEADER.size
    if len(data) < start or not data.startswith(MAGIC):
        return None
    rate, count, digest = _HEADER.unpack_from(data, len(MAGIC))
    payload = data[start:]
    if rate <= 0 or len(payload) != count * 4 or hashlib.sha256(payload).digest() != digest:
        return None
    samples = np.frombuffer(payload, dtype="<f4").astype(np.float32)
    return Clip(samples, int(rate))
