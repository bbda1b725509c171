"""Loudness and true peak of an exported file as a player decodes it.

Lossy coding changes the peaks: quantisation noise rides on them, so a decoded MP3 or AAC
peaks 0.4-0.8 dB over the mix that went in (at 64 kbps, with the limiter rarely engaged;
up to 1.8 dB when it held a third of the speech at its ceiling). Figures measured on the
mix would understate the file's true peak by that much, so lossy exports are decoded
and measured again, and those figures are the ones reported: MP3 by libmpg123 in this
process (mpg123.py; a third of ffmpeg's CPU, the same samples to 1e-6), everything else,
and MP3 where libmpg123 is missing, by ffmpeg, as the checkers and most players on a
computer do. The decode streams through the meter in pieces: memory stays a few seconds
of audio.

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
import queue
import shutil
import subprocess
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Protocol

import numpy as np
import numpy.typing as npt

from repcue.export import mpg123
from repcue.mix.loudness import LoudnessMeter
from repcue.pipes import widen

Floats = npt.NDArray[np.float32]

#: Bytes read from the decoder at a time: ten seconds of 32-bit float samples at 22.05 kHz.
_READ_BYTES = 4 * 220_500
#: While the render runs beside it, smaller reads: its temporaries and the meter's add up.
_STREAM_READ_BYTES = 4 * 44_100
#: Encoder writes (ten seconds of frames each) waiting for the in-process decoder.
_QUEUED_WRITES = 4


def can_decode(*, mp3: bool = False) -> bool:
    """Whether lossy files (``mp3``: MP3 files) can be decoded here."""
    return (mp3 and mpg123.available()) or shutil.which("ffmpeg") is not None


def _command(ffmpeg: str, source: list[str], rate: int) -> list[str]:
    # -flush_packets 0: ffmpeg writes its 32 KB buffer when full, not every 4.6 KB frame;
    # the meter's thread wakes for each write, and woke ten times as often (70-minute
    # session: 1.2 s of its CPU to read the samples, 0.45 s with it).
    return [ffmpeg, "-v", "error", *source, "-map", "0:a:0", "-ac", "1", "-ar", str(rate),
            "-f", "f32le", "-flush_packets", "0", "pipe:1"]


def measure_decoded(path: Path, rate: int, *, mp3: bool = False) -> tuple[float, float] | None:
    """Integrated loudness (LUFS) and true peak (dBTP) of ``path`` decoded at ``rate``.

    ``mp3``: the file is an MP3, which libmpg123 decodes where it is installed (the
    decoder :class:`DecodingMeter` uses). None when the file cannot be decoded (ffmpeg
    missing, or failing on it): the caller keeps the mix's own figures then.
    """
    meter = LoudnessMeter(rate)
    if mp3 and mpg123.available():
        try:
            _meter_pieces(_mp3_file_pieces(path, rate), meter, 0, None)
        except (OSError, mpg123.Mpg123Error):
            return None
        return meter.integrated_lufs, meter.true_peak_dbtp
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return None
    command = _command(ffmpeg, ["-nostdin", "-i", str(path)], rate)
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as decoder:
        assert decoder.stdout is not None
        widen(decoder.stdout.fileno())
        _meter_pieces(_float_pieces(decoder.stdout, _READ_BYTES), meter, 0, None)
    if decoder.returncode != 0:
        return None
    return meter.integrated_lufs, meter.true_peak_dbtp


def _mp3_file_pieces(path: Path, rate: int) -> Iterator[Floats]:
    decoder = mpg123.Mp3Decoder(rate)
    with path.open("rb") as file:
        while data := file.read(1 << 16):
            yield from decoder.decode(data)


class DecodingMeter:
    """Measures an MP3 as it is encoded: :meth:`feed` it the encoder's frames, in order.

    A thread decodes them as they come (libmpg123 in this process where it is installed,
    else an ffmpeg process) and meters the samples from ``skip`` (the encoder's delay plus
    the decoder's) for ``count``: the samples a gapless decoder returns for the finished file.
    """

    def __init__(self, rate: int, skip: int, count: int) -> None:
        self._meter = LoudnessMeter(rate)
        self._skip, self._count = skip, count
        self._measured = -1  # samples metered; -1 until the reader is done
        self._error: BaseException | None = None
        self._decoder = _stream_decoder(rate)
        self._thread = threading.Thread(target=self._read, name="repcue-decoded-meter",
                                         daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            self._measured = _meter_pieces(self._decoder.pieces(), self._meter, self._skip,
                                           self._count)
        except BaseException as exc:  # reported by finish() as no figures
            self._error = exc
            self._decoder.drain()  # keep the encoder from blocking on a full pipe or queue

    def feed(self, frames: bytes) -> None:
        """Decode these frames (called from the encoder's thread)."""
        self._decoder.feed(frames)

    def finish(self) -> tuple[float, float] | None:
        """The figures of everything fed; None when it could not all be decoded."""
        meter = self.finish_meter()
        return None if meter is None else (meter.integrated_lufs, meter.true_peak_dbtp)

    def finish_meter(self) -> LoudnessMeter | None:
        """:meth:`finish`, giving the meter itself (to join another's: halves.py)."""
        self._decoder.end()
        self._thread.join()
        if (not self._decoder.close() or self._error is not None
                or self._measured < self._count):
            return None
        return self._meter

    def abort(self) -> None:
        """Stop decoding (the export failed or was cancelled)."""
        self._decoder.stop()
        self._thread.join()
        self._decoder.close()


class _StreamDecoder(Protocol):
    """Frames in from the encoder's thread, float samples out in the meter's."""

    def feed(self, frames: bytes) -> None: ...
    def end(self) -> None: ...  # no more frames
    def pieces(self) -> Iterator[Floats]: ...  # ends after end() or stop()
    def drain(self) -> None: ...  # take what is still fed, unread, until the end
    def stop(self) -> None: ...  # end now, decoding nothing more
    def close(self) -> bool: ...  # after pieces() ended: whether all decoded cleanly


def _stream_decoder(rate: int) -> _StreamDecoder:
    if mpg123.available():
        with contextlib.suppress(mpg123.Mpg123Error):
            return _Mpg123Stream(rate)
    return _FfmpegStream(rate)  # OSError when ffmpeg cannot be started


class _Mpg123Stream:
    def __init__(self, rate: int) -> None:
        self._decoder = mpg123.Mp3Decoder(rate)
        self._frames: queue.Queue[bytes | None] = queue.Queue(_QUEUED_WRITES)
        self._stopped = False

    def feed(self, frames: bytes) -> None:
        if not self._stopped:
            self._frames.put(frames)

    def end(self) -> None:
        self._frames.put(None)

    def pieces(self) -> Iterator[Floats]:
        while (frames := self._frames.get()) is not None and not self._stopped:
            yield from self._decoder.decode(frames)
        if frames is not None:
            self.drain()

    def drain(self) -> None:
        while self._frames.get() is not None:
            pass

    def stop(self) -> None:
        self._stopped = True
        self._frames.put(None)

    def close(self) -> bool:
        return not self._stopped


class _FfmpegStream:
    def __init__(self, rate: int) -> None:
        self._broken = False
        ffmpeg = shutil.which("ffmpeg") or "ffmpeg"
        self._process = subprocess.Popen(_command(ffmpeg, ["-f", "mp3", "-i", "pipe:0"], rate),
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL)
        assert self._process.stdin is not None and self._process.stdout is not None
        self._stdin, self._stdout = self._process.stdin, self._process.stdout
        widen(self._stdin.fileno())
        widen(self._stdout.fileno())

    def feed(self, frames: bytes) -> None:
        if self._broken:
            return
        try:
            self._stdin.write(frames)
        except (OSError, ValueError):
            self._broken = True  # ffmpeg is gone: close() reports it

    def end(self) -> None:
        with contextlib.suppress(OSError):
            self._stdin.close()

    def pieces(self) -> Iterator[Floats]:
        return _float_pieces(self._stdout, _STREAM_READ_BYTES)

    def drain(self) -> None:
        with contextlib.suppress(OSError):
            self._stdout.read()

    def stop(self) -> None:
        self._process.kill()
        self.end()

    def close(self) -> bool:
        self._stdout.close()
        return self._process.wait() == 0 and not self._broken


def _float_pieces(stream: IO[bytes], read_bytes: int) -> Iterator[Floats]:
    """The 32-bit float samples read from ``stream``, as they come, to its end."""
    carry = b""
    while chunk := stream.read(read_bytes):
        chunk = carry + chunk
        whole = len(chunk) // 4 * 4
        carry = chunk[whole:]
        yield np.frombuffer(chunk[:whole], dtype="<f4")


def _meter_pieces(pieces: Iterable[Floats], meter: LoudnessMeter, skip: int,
                  count: int | None) -> int:
    """Meter the samples of ``pieces`` from sample ``skip`` on, ``count`` of them (None: to
    the end); take every piece either way. Returns how many were metered."""
    position = 0  # samples read so far
    metered = 0
    end = None if count is None else skip + count
    for samples in pieces:
        lo = min(max(0, skip - position), len(samples))
        hi = len(samples) if end is None else min(len(samples), max(0, end - position))
        position += len(samples)
        if hi > lo:
            meter.add(samples[lo:hi])
            metered += hi - lo
    return metered
