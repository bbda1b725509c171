"""Each encoder, fed blocks, writes a file that decodes to the samples it was given."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
from scipy import signal

from export_support import decode
from repcue.errors import AudioError
from repcue.export.encoders import (
    LAME_MONO_GAIN,
    FfmpegEncoder,
    Mp3Encoder,
    to_pcm16,
)
from repcue.export.wav import WavEncoder

RATE = 44100


def _music(n: int, rate: int = RATE) -> np.ndarray:
    t = np.arange(n) / rate
    wave = 0.3 * np.sin(2 * np.pi * 330 * t) + 0.2 * np.sin(2 * np.pi * 1250 * t)
    return (wave * (0.5 + 0.5 * np.sin(2 * np.pi * 2 * t))).astype(np.float32)


def _feed(encoder: Mp3Encoder | WavEncoder | FfmpegEncoder, x: np.ndarray) -> None:
    for i in range(0, len(x), 4096):
        encoder.write(to_pcm16(x[i:i + 4096]))
    encoder.finish()


def _lag(reference: np.ndarray, decoded: np.ndarray, reach: int = 2000) -> int:
    a = reference[20000:60000].astype(np.float64)
    b = decoded[20000 - reach:60000 + reach].astype(np.float64)
    return int(np.argmax(signal.correlate(b, a, mode="valid"))) - reach


@pytest.mark.parametrize(("rate", "n", "info_at"), [
    (RATE, RATE * 3 + 17, 21), (RATE, RATE * 10, 21),  # MPEG-1: info after 17 bytes side info
    (22050, 22050 * 5 + 3, 13),  # MPEG-2: 9 bytes of side info
])
def test_mp3_decodes_to_exactly_the_samples_given_in_place(tmp_path: Path, rate: int, n: int,
                                                          info_at: int) -> None:
    x = _music(n, rate)
    path = tmp_path / "x.mp3"
    with path.open("wb") as out:
        _feed(Mp3Encoder(out, rate, 64), x)
    data = path.read_bytes()
    assert data[info_at:info_at + 4] == b"Info" and b"LAME3.100" in data[:400]
    y = decode(path, rate)
    assert len(y) == n  # the info frame carries LAME's delay and padding
    assert _lag(x, y) == 0
    # lameenc scales mono by 0.95; the exporter relies on that figure.
    level = np.sqrt(np.mean(y[20000:-20000] ** 2) / np.mean(x[20000:-20000] ** 2))
    assert level == pytest.approx(LAME_MONO_GAIN, abs=0.005)


def test_mp3_stays_constant_bitrate(tmp_path: Path) -> None:
    path = tmp_path / "x.mp3"
    with path.open("wb") as out:
        _feed(Mp3Encoder(out, RATE, 96), _music(RATE * 4))
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=bit_rate",
                            "-of", "csv=p=0", str(path)], capture_output=True, text=True,
                           check=True)
    assert probe.stdout.strip() == "96000"


def test_mp3_rejects_rates_and_bitrates_it_cannot_write(tmp_path: Path) -> None:
    with (tmp_path / "x.mp3").open("wb") as out:
        with pytest.raises(AudioError, match="bitrate 65 kbps is not allowed"):
            Mp3Encoder(out, RATE, 65)
        with pytest.raises(AudioError, match="mix rate of 11025 Hz"):
            Mp3Encoder(out, 11025, 64)
        with pytest.raises(AudioError, match=r"192 kbps is not allowed at 22050 Hz"):
            Mp3Encoder(out, 22050, 192)


@pytest.mark.parametrize(("fmt", "codec", "muxer"), [("ogg", "libvorbis", "ogg"),
                                                    ("m4a", "aac", "ipod")])
def test_ffmpeg_formats_decode_to_the_same_length(tmp_path: Path, fmt: str, codec: str,
                                                  muxer: str) -> None:
    x = _music(RATE * 3)
    path = tmp_path / f"x.{fmt}"
    _feed(FfmpegEncoder(codec, muxer, fmt, path, RATE, 64), x)
    y = decode(path)
    # AAC keeps its encoder priming in some decoders: allow one AAC frame.
    assert abs(len(y) - len(x)) <= 2048
    assert abs(_lag(x, y)) <= 2048


def test_ffmpeg_failure_is_an_audio_error(tmp_path: Path) -> None:
    encoder = FfmpegEncoder("libvorbis", "ogg", "ogg", tmp_path / "missing" / "x.ogg", RATE, 64)
    with pytest.raises(AudioError, match="ffmpeg could not encode ogg"):
        _feed(encoder, _music(RATE))


def test_an_encoder_ffmpeg_refuses_keeps_its_last_line_through_abort(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    # libvorbis has no 96 kbps mono at 22.05 kHz: ffmpeg exits before reading a sample.
    encoder = FfmpegEncoder("libvorbis", "ogg", "ogg", tmp_path / "x.ogg", 22050, 96,
                            b";FFMETADATA1\ntitle=x\n")
    with pytest.raises(AudioError) as failed:
        for _ in range(50):  # until the pipe notices ffmpeg is gone
            encoder.write(bytes(44100))
        encoder.finish()
    encoder.abort()  # what the exporter does next; it must not hide the message
    assert "ffmpeg could not encode ogg: " in str(failed.value)
    assert "maybe incorrect parameters such as bit_rate" in str(failed.value)
    assert not list(scratch.iterdir())  # the metadata file went with ffmpeg


def test_pcm16_rounds_and_clamps() -> None:
    pcm = np.frombuffer(to_pcm16(np.array([0.0, 0.5, -1.0, 1.5, -1.5], np.float32)), "<i2")
    assert pcm.tolist() == [0, 16384, -32767, 32767, -32768]
