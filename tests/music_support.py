"""Real music files for the music tests, made with ffmpeg from lavfi sources."""

from __future__ import annotations

import subprocess
from pathlib import Path

#: ffmpeg codec arguments by suffix.
CODECS = {
    ".wav": [],
    ".flac": [],
    ".ogg": ["-c:a", "libvorbis", "-q:a", "3"],
    ".mp3": ["-c:a", "libmp3lame", "-b:a", "128k"],
    ".m4a": ["-c:a", "aac", "-b:a", "128k"],
    ".opus": ["-c:a", "libopus", "-b:a", "64k"],
}


def make_tone(path: Path, seconds: float, rate: int = 44100, channels: int = 2,
              freq: float = 440.0, amplitude: float = 0.3) -> Path:
    """A steady sine of ``seconds`` at ``rate`` and ``channels``, encoded by ``path``'s suffix."""
    source = f"sine=frequency={freq}:sample_rate={rate}:duration={seconds}"
    # lavfi's sine peaks at 1/8; the pan copies it to both sides without ffmpeg's -3 dB upmix.
    spread = ",pan=stereo|c0=c0|c1=c0" if channels == 2 else ""
    return _encode(path, source, rate, channels, f"volume={amplitude * 8:.4f}{spread}")


def make_noise(path: Path, seconds: float, rate: int = 44100, channels: int = 2,
               amplitude: float = 0.3) -> Path:
    """Pink noise (music-like spectrum) of ``seconds``."""
    source = f"anoisesrc=d={seconds}:c=pink:a={amplitude}:r={rate}:seed=7"
    return _encode(path, source, rate, channels, None)


def make_silence(path: Path, seconds: float, rate: int = 44100) -> Path:
    return _encode(path, f"anullsrc=r={rate}:cl=stereo:d={seconds}", rate, 2, None)


def _encode(path: Path, source: str, rate: int, channels: int, audio_filter: str | None
            ) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    command = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", source]
    if audio_filter:
        command += ["-af", audio_filter]
    command += ["-ar", str(rate), "-ac", str(channels), *CODECS[path.suffix], str(path)]
    subprocess.run(command, check=True, timeout=120)
    return path
