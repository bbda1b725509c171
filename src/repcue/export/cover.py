"""A small generated cover picture, so phone players show something that is not a blank note.

Made with numpy and zlib at export time: no binary asset to ship or keep in step.
"""

from __future__ import annotations

import struct
import zlib
from functools import lru_cache

import numpy as np

SIZE = 256


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(pixels: np.ndarray) -> bytes:
    """Encode an ``(h, w, 3)`` uint8 array as a PNG file."""
    height, width, _ = pixels.shape
    rows = np.concatenate([np.zeros((height, 1), np.uint8), pixels.reshape(height, -1)], axis=1)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 9))
        + _chunk(b"IEND", b"")
    )


@lru_cache(maxsize=1)
def cover_png() -> bytes:
    """A dark square with rising bars: a tempo, rep after rep."""
    y, x = np.mgrid[0:SIZE, 0:SIZE]
    pixels = np.zeros((SIZE, SIZE, 3), np.uint8)
    shade = (24 + 40 * y / SIZE).astype(np.uint8)
    pixels[..., 0] = shade
    pixels[..., 1] = shade
    pixels[..., 2] = shade + 20
    for i, height in enumerate((60, 100, 140, 180, 140, 100)):
        left = 38 + i * 32
        bar = (x >= left) & (x < left + 20) & (y >= 218 - height) & (y < 218)
        pixels[bar] = (240, 140 + i * 12, 40)
    return png(pixels)
