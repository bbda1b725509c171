"""Loudness and true peak of an exported file as a player decodes it.

Lossy coding changes the peaks: quantisation noise rides on them, so a decoded MP3 or AAC
peaks 0.4-0.8 dB over the mix that went in (at 64 kbps, with the limiter rarely engaged;
up to 1.8 dB when it held a third of the speech at its ceiling). Figures measured on the
mix would understate the file's true peak by that much, so lossy exports are decoded
(ffmpeg, as the checkers and most players on a computer do) and measured again, and those
figures are the ones reported. The decode streams through the meter in pieces: memory
stays a few seconds of audio.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import subprocess
from pathlib import Path

import numpy as np

from repcue.mix.loudness import LoudnessMeter

#: Bytes read from the decoder at a time: ten seconds of 32-bit float samples at 22.05 kHz.
_READ_BYTES = 4 * 220_500
#: The pipe from the decoder holds about one read (Linux; the default is 64 KiB), so ffmpeg
#: decodes the next ten seconds while these are measured instead of waiting for them.
_PIPE_BYTES = 1 << 20


def can_decode() -> bool:
    """Whether lossy files can be decoded here (ffmpeg is on the PATH)."""
    return shutil.which("ffmpeg") is not None


def measure_decoded(path: Path, rate: int) -> tuple[float, float] | None:
    """Integrated loudness (LUFS) and true peak (dBTP) of ``path`` decoded at ``rate``.

    None when ffmpeg is missing or cannot decode the file (the caller keeps the mix's own
    figures then).
    """
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return None
    command = [ffmpeg, "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a:0", "-ac", "1",
               "-ar", str(rate), "-f", "f32le", "pipe:1"]
    meter = LoudnessMeter(rate)
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as decoder:
        assert decoder.stdout is not None
        _widen(decoder.stdout.fileno())
        carry = b""
        while chunk := decoder.stdout.read(_READ_BYTES):
            chunk = carry + chunk
            whole = len(chunk) // 4 * 4
            carry = chunk[whole:]
            meter.add(np.frombuffer(chunk[:whole], dtype="<f4"))
    if decoder.returncode != 0:
        return None
    return meter.integrated_lufs, meter.true_peak_dbtp


def _widen(fd: int) -> None:
    """Let the pipe hold _PIPE_BYTES, where the system allows it."""
    if hasattr(fcntl, "F_SETPIPE_SZ"):
        with contextlib.suppress(OSError):  # above the system's limit: keep the default
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
