"""The WAV export: exactly the samples given, named in an INFO chunk any reader skips."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np

from export_support import decode
from repcue import __version__
from repcue.export.encoders import to_pcm16
from repcue.export.tags import TrackInfo, wav_info
from repcue.export.wav import WavEncoder

RATE = 44100


def _tones(n: int) -> np.ndarray:
    t = np.arange(n) / RATE
    return (0.3 * np.sin(2 * np.pi * 330 * t) + 0.2 * np.sin(2 * np.pi * 1250 * t)).astype(
        np.float32)


def _write(encoder: WavEncoder, x: np.ndarray) -> None:
    for i in range(0, len(x), 4096):
        encoder.write(to_pcm16(x[i:i + 4096]))
    encoder.finish()


def test_wav_holds_the_exact_samples(tmp_path: Path) -> None:
    x = _tones(RATE * 2 + 5)
    path = tmp_path / "x.wav"
    with path.open("wb") as out:
        _write(WavEncoder(out, RATE, len(x)), x)
    y = decode(path)
    assert len(y) == len(x)
    assert np.max(np.abs(y - x)) <= 1.0 / 32767


def test_wav_names_itself_before_its_samples_and_mends_a_short_header(tmp_path: Path) -> None:
    x = _tones(RATE // 2)
    info = wav_info(TrackInfo("Leg day", "repcue", "repcue workouts", comment="Music: x"))
    path = tmp_path / "x.wav"
    with path.open("wb") as out:
        _write(WavEncoder(out, RATE, len(x) + 1000, info), x)  # promised more than it got
    with wave.open(str(path)) as read:  # Python's reader skips the chunk it does not know
        assert read.getnframes() == len(x)
        y = np.frombuffer(read.readframes(len(x)), "<i2")
    assert np.array_equal(y, np.frombuffer(to_pcm16(x), "<i2"))
    raw = path.read_bytes()
    assert int.from_bytes(raw[4:8], "little") == len(raw) - 8
    assert raw.index(b"LIST") < raw.index(b"data")
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format_tags",
                            "-of", "default=nw=1", str(path)], capture_output=True, text=True)
    assert probe.stdout.splitlines() == ["TAG:title=Leg day", "TAG:artist=repcue",
                                         "TAG:album=repcue workouts", "TAG:comment=Music: x",
                                         f"TAG:encoder=repcue {__version__}"]
