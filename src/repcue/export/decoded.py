"""Loudness and true peak of an exported file as a player decodes it.

Lossy coding changes the peaks: quantisation noise rides on them, so a decoded MP3 or AAC
peaks 0.4-0.8 dB over the mix that went in (at 64 kbps, with the limiter rarely engaged;
up to 1.8 dB when it held a third of the speech at its ceiling). Figures measured on the
mix would understate the file's true peak by that much, so lossy exports are decoded
(ffmpeg, as the checkers and most players on a computer do) and measured again, and those
figures are the ones reported. The decode streams through the meter in pieces: memory
stays a few seconds of audio.

Two ways, the same figures: :func:`measure_decoded` reads a finished file back;
:class:`DecodingMeter` decodes MP3 frames while the encoder is still producing them, so
decoding and measuring overlap the render and the encoding instead of following them
(65-minute session: 9.6 s to 7.4 s on two cores with other work running). The frames
reach it without the LAME tag that tells a decoder which samples to drop, so it drops
them itself: the samples it measures are, to the last bit, the ones the finished file
decodes to.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import threading
from pathlib import Path
from typing import IO

import numpy as np

from repcue.mix.loudness import LoudnessMeter
from repcue.pipes import widen

#: Bytes read from the decoder at a time: ten seconds of 32-bit float samples at 22.05 kHz.
_READ_BYTES = 4 * 220_500
#: While the render runs beside it, smaller reads: its temporaries and the meter's add up.
_STREAM_READ_BYTES = 4 * 44_100


def can_decode() -> bool:
    """Whether lossy files can be decoded here (ffmpeg is on the PATH)."""
    return shutil.which("ffmpeg") is not None


def _command(ffmpeg: str, source: list[str], rate: int) -> list[str]:
    # -flush_packets 0: ffmpeg writes its 32 KB buffer when full, not every 4.6 KB frame;
    # the meter's thread wakes for each write, and woke ten times as often (70-minute
    # session: 1.2 s of its CPU to read the samples, 0.45 s with it).
    return [ffmpeg, "-v", "error", *source, "-map", "0:a:0", "-ac", "1", "-ar", str(rate),
            "-f", "f32le", "-flush_packets", "0", "pipe:1"]


def measure_decoded(path: Path, rate: int) -> tuple[float, float] | None:
    """Integrated loudness (LUFS) and true peak (dBTP) of ``path`` decoded at ``rate``.

    None when ffmpeg is missing or cannot decode the file (the caller keeps the mix's own
    figures then).
    """
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return None
    meter = LoudnessMeter(rate)
    command = _command(ffmpeg, ["-nostdin", "-i", str(path)], rate)
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as decoder:
        assert decoder.stdout is not None
        widen(decoder.stdout.fileno())
        _meter_stream(decoder.stdout, meter, 0, None)
    if decoder.returncode != 0:
        return None
    return meter.integrated_lufs, meter.true_peak_dbtp


class DecodingMeter:
    """Measures an MP3 as it is encoded: :meth:`feed` it the encoder's frames, in order.

    ffmpeg decodes them as they come and a thread meters what it returns, from sample
    ``skip`` (the encoder's delay plus the decoder's) for ``count`` samples: the samples a
    gapless decoder returns for the finished file.
    """

    def __init__(self, rate: int, skip: int, count: int) -> None:
        self._meter = LoudnessMeter(rate)
        self._skip, self._count = skip, count
        self._measured = -1  # samples metered; -1 until the reader is done
        self._error: BaseException | None = None
        self._broken = False
        ffmpeg = shutil.which("ffmpeg") or "ffmpeg"
        self._process = subprocess.Popen(_command(ffmpeg, ["-f", "mp3", "-i", "pipe:0"], rate),
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL)
        assert self._process.stdin is not None and self._process.stdout is not None
        self._stdin, self._stdout = self._process.stdin, self._process.stdout
        widen(self._stdin.fileno())
        widen(self._stdout.fileno())
        self._thread = threading.Thread(target=self._read, name="repcue-decoded-meter",
                                         daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            self._measured = _meter_stream(self._stdout, self._meter, self._skip, self._count,
                                           _STREAM_READ_BYTES)
        except BaseException as exc:  # reported by finish() as no figures
            self._error = exc
            with contextlib.suppress(OSError):
                self._stdout.read()  # keep ffmpeg from blocking on a full pipe

    def feed(self, frames: bytes) -> None:
        """Decode these frames (called from the encoder's thread)."""
        if self._broken:
            return
        try:
            self._stdin.write(frames)
        except (OSError, ValueError):
            self._broken = True  # ffmpeg is gone: finish() reports no figures

    def finish(self) -> tuple[float, float] | None:
        """The figures of everything fed; None when ffmpeg could not decode it all."""
        with contextlib.suppress(OSError):
            self._stdin.close()
        self._thread.join()
        self._stdout.close()
        if (self._process.wait() != 0 or self._broken or self._error is not None
                or self._measured < self._count):
            return None
        return self._meter.integrated_lufs, self._meter.true_peak_dbtp

    def abort(self) -> None:
        """Stop decoding (the export failed or was cancelled)."""
        self._process.kill()
        with contextlib.suppress(OSError):
            self._stdin.close()
        self._thread.join()
        self._stdout.close()
        self._process.wait()


def _meter_stream(stream: IO[bytes], meter: LoudnessMeter, skip: int, count: int | None,
                  read_bytes: int = _READ_BYTES) -> int:
    """Meter the float samples read from ``stream`` from sample ``skip`` on, ``count`` of
    them (None: to the end); read the stream to its end either way. Returns how many were
    metered."""
    carry = b""
    position = 0  # samples read so far
    metered = 0
    end = None if count is None else skip + count
    while chunk := stream.read(read_bytes):
        chunk = carry + chunk
        whole = len(chunk) // 4 * 4
        carry = chunk[whole:]
        samples = np.frombuffer(chunk[:whole], dtype="<f4")
        lo = min(max(0, skip - position), len(samples))
        hi = len(samples) if end is None else min(len(samples), max(0, end - position))
        position += len(samples)
        if hi > lo:
            meter.add(samples[lo:hi])
            metered += hi - lo
    return metered

