"""Streaming encoders: float32 blocks in, an audio file out, memory bounded by a chunk.

- mp3: lameenc in-process (it releases the GIL, so it encodes while the next
  blocks render), CBR. lameenc writes no Xing/LAME info frame, so a decoder would
  add LAME's 576-sample delay and the last frame's padding (~50 ms); we reserve
  the first frame and write a CBR "Info" frame into it at the end, carrying the
  delay and padding, which makes ffmpeg and gapless players return exactly the
  samples we encoded.
- wav: ``repcue.export.wav``.
- ogg (Vorbis) and m4a (AAC): an ffmpeg subprocess fed on stdin, encoding in its
  own process.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

import lameenc
import numpy as np
import numpy.typing as npt

from repcue.errors import AudioError

LAME_ENCODER_DELAY = 576
#: Samples an MP3 decoder puts before the first frame's own when no LAME tag tells it to
#: drop them (measured, ffmpeg and libmpg123 alike: a bare frame stream decodes to the
#: file's samples 576 + 529 later).
MP3_DECODER_DELAY = 529
LAME_QUALITY = 5  # lameenc: 2 best .. 7 fastest; 5 is LAME's default and transparent for speech
#: lameenc scales mono input by 0.95 (measured: -0.445 dB at every bitrate and quality);
#: whoever feeds it raises the input by as much so the file has the level that was measured.
LAME_MONO_GAIN = 0.95


def to_pcm16(block: npt.NDArray[np.float32], scale: float = 1.0) -> bytes:
    """``block * scale`` (full scale = 1.0) as little-endian 16-bit PCM, rounded and clamped."""
    scaled = block * np.float32(scale * 32767.0)
    np.rint(scaled, out=scaled)
    np.clip(scaled, -32768.0, 32767.0, out=scaled)
    pcm: npt.NDArray[np.int16] = scaled.astype("<i2")
    return pcm.tobytes()


class Encoder(Protocol):
    def write(self, pcm16: bytes) -> None:
        """Encode the next 16-bit mono samples."""

    def finish(self) -> None:
        """Flush the last frames and complete the file's headers."""

    def abort(self) -> None:
        """Stop without completing (the caller removes the file)."""


MPEG_BITRATES = {  # Layer III bitrate index -> kbps
    "mpeg1": (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    "mpeg2": (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {"mpeg1": (44100, 48000, 32000), "mpeg2": (22050, 24000, 16000)}


def mpeg_version(rate: int) -> str:
    """MPEG-1 for 32-48 kHz, MPEG-2 ("LSF") for 16-24 kHz."""
    for version, rates in _RATES.items():
        if rate in rates:
            return version
    allowed = ", ".join(str(r) for rates in _RATES.values() for r in rates)
    raise AudioError(f"mp3 export cannot use a mix rate of {rate} Hz (allowed: {allowed})")


def mp3_frame_samples(rate: int) -> int:
    """Samples in one Layer III frame at ``rate``."""
    return 1152 if mpeg_version(rate) == "mpeg1" else 576


@dataclass(frozen=True)
class FrameHeader:
    """What the 4-byte header of a Layer III frame says about the frame."""

    version: str
    bitrate_kbps: int
    rate: int
    padded: bool
    mono: bool

    @classmethod
    def parse(cls, raw: bytes) -> FrameHeader:
        version = {3: "mpeg1", 2: "mpeg2"}.get((raw[1] >> 3) & 3)
        if raw[0] != 0xFF or (raw[1] & 0xE0) != 0xE0 or (raw[1] >> 1) & 3 != 1 or not version:
            raise AudioError("the MP3 encoder produced a stream without frame sync")
        return cls(version, MPEG_BITRATES[version][raw[2] >> 4],
                   _RATES[version][(raw[2] >> 2) & 3], bool((raw[2] >> 1) & 1), (raw[3] >> 6) == 3)

    @property
    def samples(self) -> int:
        return 1152 if self.version == "mpeg1" else 576

    @property
    def size(self) -> int:
        return self.samples // 8 * 1000 * self.bitrate_kbps // self.rate + self.padded

    @property
    def side_info(self) -> int:
        if self.version == "mpeg1":
            return 17 if self.mono else 32
        return 9 if self.mono else 17


def _crc16(data: bytes) -> int:
    """CRC-16 (polynomial 0x8005, reflected) as the LAME tag uses."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


class FrameCounter:
    """Counts Layer III frames in a byte stream that arrives in pieces.

    A CBR stream has two frame sizes (with and without the padding byte), so each distinct
    header is parsed once and its size looked up after: a 65-minute file is 148,000 frames,
    and parsing every one took 0.6 s of the encoder thread, holding the GIL.
    """

    def __init__(self) -> None:
        self.frames = 0
        self.first_header: bytes | None = None
        self._skip = 0  # bytes of the current frame still to come
        self._carry = b""
        self._sizes: dict[int, int] = {}  # header bytes 0-2 (what sets the size) -> size

    def feed(self, data: bytes) -> None:
        data = self._carry + data
        self._carry = b""
        pos = self._skip
        sizes = self._sizes
        if self.first_header is None and pos + 4 <= len(data):
            self.first_header = bytes(data[pos:pos + 4])
        frames = 0
        while pos + 4 <= len(data):
            key = data[pos] << 16 | data[pos + 1] << 8 | data[pos + 2]
            size = sizes.get(key)
            if size is None:
                size = sizes[key] = FrameHeader.parse(data[pos:pos + 4]).size
            frames += 1
            pos += size
        self.frames += frames
        if pos > len(data):
            self._skip = pos - len(data)
        else:
            self._skip = 0
            self._carry = data[pos:]


def info_frame(header: bytes, frames: int, stream_bytes: int, delay: int, padding: int,
               bitrate_kbps: int) -> bytes | None:
    """A silent CBR frame holding the Xing "Info" tag and the LAME extension.

    None when a frame is too small to hold even the short form (8-16 kbps).
    """
    plain = bytes((header[0], header[1], header[2] & ~0x02, header[3]))  # no padding bit
    layout = FrameHeader.parse(plain)
    size, side_info = layout.size, layout.side_info
    toc = bytes(min(255, i * 256 // 100) for i in range(100))
    # Xing fields in order: flags, frames, bytes, TOC, quality. Small frames (low bitrates
    # at 16-24 kHz) have no room for the TOC, which CBR seeking does not need anyway.
    with_toc = side_info + 4 + 4 + 4 + 4 + 4 + 100 + 4 + 36 <= size
    xing = b"Info" + struct.pack(">III", 0x0F if with_toc else 0x0B, frames, stream_bytes)
    xing += (toc if with_toc else b"") + struct.pack(">I", 50)
    lame = (
        b"LAME3.100"
        + bytes((0x01, 0))  # tag revision 0, VBR method 1 = CBR; lowpass unknown
        + bytes(4 + 2 + 2)  # peak, radio and audiophile gain unknown
        + bytes((0, min(bitrate_kbps, 255)))
        + struct.pack(">I", (delay << 12) | padding)[1:]
        + bytes((0, 0)) + bytes(2)  # misc, mp3 gain, preset
        + struct.pack(">I", size + stream_bytes)
        + bytes(2)  # music CRC not computed
    )
    body = plain + bytes(side_info) + xing + lame
    body += struct.pack(">H", _crc16(body))
    if len(body) > size:
        return None
    return body + bytes(size - len(body))


class Mp3Encoder:
    """lameenc CBR into a seekable file, with a LAME info frame written at the end.

    With ``info=False`` it writes bare frames, no info frame: the second half of a stream
    another encoder's :meth:`join` completes (halves.py).
    """

    def __init__(self, out: BinaryIO, rate: int, bitrate_kbps: int,
                 listener: Callable[[bytes], None] | None = None, *, info: bool = True) -> None:
        """``listener``, if given, gets every MPEG frame as it is written (not the tags)."""
        version = mpeg_version(rate)
        bitrates = MPEG_BITRATES[version][1:]
        if bitrate_kbps not in bitrates:
            allowed = ", ".join(str(b) for b in bitrates)
            raise AudioError(f"mp3 bitrate {bitrate_kbps} kbps is not allowed at {rate} Hz "
                             f"(allowed: {allowed})")
        self._out = out
        self._listener = listener
        self._bitrate = bitrate_kbps
        self._lame = lameenc.Encoder()
        self._lame.set_bit_rate(bitrate_kbps)
        self._lame.set_in_sample_rate(rate)
        self._lame.set_out_sample_rate(rate)
        self._lame.set_channels(1)
        self._lame.set_quality(LAME_QUALITY)
        self._info_at = out.tell() if info else None
        frame = FrameHeader(version, bitrate_kbps, rate, padded=False, mono=True)
        self.frame_samples = frame.samples
        if info:  # room for the info frame: the size of an unpadded frame
            out.write(bytes(frame.size))
        self._counter = FrameCounter()
        self._samples = 0
        self._bytes = 0

    @property
    def frames(self) -> int:
        """MPEG frames written so far (not the info frame)."""
        return self._counter.frames

    def write(self, pcm16: bytes) -> None:
        self._samples += len(pcm16) // 2
        self._emit(bytes(self._lame.encode(pcm16)))

    def _emit(self, data: bytes) -> None:
        if data:
            self._counter.feed(data)
            self._bytes += len(data)
            self._out.write(data)
            if self._listener is not None:
                self._listener(data)

    def flush(self) -> None:
        """Write the last frames (LAME's look-ahead); nothing more may be written after."""
        self._emit(bytes(self._lame.flush()))

    def finish(self) -> None:
        self.flush()
        self._write_info()

    def join(self, later: Mp3Encoder, frames: BinaryIO) -> None:
        """Complete this stream with ``later``'s frames, read from ``frames``, and write the
        info frame for the whole. Both are flushed; ``later`` was fed the samples that
        follow this stream's last frame (``frames * frame_samples`` samples into it)."""
        frames.seek(0)
        shutil.copyfileobj(frames, self._out)
        # As one stream, the samples fed: up to the end of this one's frames, then later's.
        self._samples = self.frames * self.frame_samples + later._samples
        self._counter.frames += later.frames
        self._bytes += later._bytes
        self._write_info()

    def _write_info(self) -> None:
        header = self._counter.first_header
        padding = self.frames * self.frame_samples - self._samples - LAME_ENCODER_DELAY
        if self._info_at is None or header is None or not 0 <= padding < 4096:
            return  # leave the silent placeholder: still a valid, playable file
        frame = info_frame(header, self.frames, self._bytes, LAME_ENCODER_DELAY,
                           padding, self._bitrate)
        if frame is None:
            return
        end = self._out.tell()
        self._out.seek(self._info_at)
        self._out.write(frame)
        self._out.seek(end)

    def abort(self) -> None:
        pass


def ffmpeg_path() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        raise AudioError("ogg and m4a export need ffmpeg on the PATH; mp3 and wav do not",
                         hint="install ffmpeg (Debian/Ubuntu: apt install ffmpeg)")
    return found


class FfmpegEncoder:
    """An ffmpeg process reading 16-bit PCM on stdin: ``codec`` in ``muxer`` to ``out_path``.

    ``metadata`` is an FFMETADATA1 file's bytes (names, chapters); it goes to ffmpeg
    through a temporary file that lives as long as the encoder.
    """

    def __init__(self, codec: str, muxer: str, label: str, out_path: Path, rate: int,
                 bitrate_kbps: int, metadata: bytes | None = None) -> None:
        self._label = label
        self._stderr: str | None = None
        self._metadata: Path | None = None
        command = [ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-nostats",
                   "-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0"]
        if metadata is not None:
            fd, name = tempfile.mkstemp(prefix="repcue-", suffix=".ffmeta")
            with os.fdopen(fd, "wb") as handle:
                handle.write(metadata)
            self._metadata = Path(name)
            command += ["-f", "ffmetadata", "-i", name,
                        "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1"]
        command += ["-c:a", codec, "-b:a", f"{bitrate_kbps}k", "-f", muxer, "-y", str(out_path)]
        try:
            # Own session: a Ctrl-C reaches us, and we decide what happens to ffmpeg.
            self._process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        except BaseException:
            self._forget_metadata()
            raise

    def write(self, pcm16: bytes) -> None:
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(pcm16)
        except BrokenPipeError:
            self._fail()

    def finish(self) -> None:
        assert self._process.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self._process.stdin.close()
        stderr = self._collect()
        if self._process.returncode != 0:
            self._fail(stderr)

    def _collect(self) -> str:
        """Wait for ffmpeg and return what it said, closing every pipe (once: abort may follow
        a failure, and must not lose the failure's message to a read of a closed pipe)."""
        if self._stderr is not None:
            return self._stderr
        stderr = b""
        if self._process.stderr is not None:
            stderr = self._process.stderr.read()
            self._process.stderr.close()
        self._process.wait()
        if self._process.stdin is not None:
            with contextlib.suppress(OSError):
                self._process.stdin.close()
        self._forget_metadata()
        self._stderr = stderr.decode(errors="replace").strip()
        return self._stderr

    def _forget_metadata(self) -> None:
        if self._metadata is not None:
            with contextlib.suppress(FileNotFoundError):
                self._metadata.unlink()
            self._metadata = None

    def _fail(self, stderr: str | None = None) -> None:
        if stderr is None:
            stderr = self._collect()
        last = stderr.splitlines()[-1] if stderr else "no message"
        raise AudioError(f"ffmpeg could not encode {self._label}: {last}")

    def abort(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._collect()
