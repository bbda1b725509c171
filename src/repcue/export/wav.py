"""The WAV export: 16-bit mono PCM, with the names in a LIST/INFO chunk before the samples."""

from __future__ import annotations

import struct
from typing import BinaryIO


class WavEncoder:
    """16-bit mono PCM WAV: exactly the rendered samples, for checking and editing.

    ``info`` (a LIST chunk, :func:`repcue.export.tags.wav_info`) goes between the format and
    the samples, where every reader meets it before the audio. The ``wave`` module writes no
    chunk but its own, hence the header by hand.
    """

    def __init__(self, out: BinaryIO, rate: int, total_samples: int, info: bytes = b"") -> None:
        self._out, self._rate, self._info = out, rate, info
        self._start = out.tell()
        self._expected, self._written = 2 * total_samples, 0
        out.write(self._header(self._expected))

    def _header(self, data_bytes: int) -> bytes:
        fmt = struct.pack("<HHIIHH", 1, 1, self._rate, 2 * self._rate, 2, 16)
        body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + self._info
        return (b"RIFF" + struct.pack("<I", len(body) + 8 + data_bytes) + body
                + b"data" + struct.pack("<I", data_bytes))

    def write(self, pcm16: bytes) -> None:
        self._out.write(pcm16)
        self._written += len(pcm16)

    def finish(self) -> None:
        if self._written != self._expected:  # the header promised another length: mend it
            end = self._out.tell()
            self._out.seek(self._start)
            self._out.write(self._header(self._written))
            self._out.seek(end)
        self._out.flush()

    def abort(self) -> None:
        pass  # the file is the exporter's, and it removes it
