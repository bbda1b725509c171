"""libmpg123 decodes repcue's MP3s as ffmpeg does: the same samples, in the same place.

Real exports of a short hand-built session, decoded both ways.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from export_support import decode, export_to, workout
from repcue.export import ExportOptions
from repcue.export.encoders import LAME_ENCODER_DELAY, MP3_DECODER_DELAY
from repcue.export.mpg123 import PIECE_SAMPLES, Mp3Decoder, Mpg123Error
from repcue.tones import default_palette

RATE = 22050


@pytest.fixture(scope="module")
def mp3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    timeline, clips = workout(sets=1, reps=3, rest_ms=2000, exercises=("Dumbbell row",))
    path = tmp_path_factory.mktemp("mpg123") / "s.mp3"
    export_to(timeline, clips, default_palette(44100), path, ExportOptions(sidecars=False))
    return path


def _decode(data: bytes, piece: int = 1 << 16) -> np.ndarray:
    decoder = Mp3Decoder(RATE)
    out = [s for at in range(0, len(data), piece) for s in decoder.decode(data[at:at + piece])]
    assert all(len(s) <= PIECE_SAMPLES for s in out)
    return np.concatenate(out)


def test_a_file_decodes_to_ffmpegs_samples(mp3: Path) -> None:
    ours = _decode(mp3.read_bytes())
    theirs = decode(mp3, RATE)  # ffmpeg, 16-bit
    assert len(ours) == len(theirs)  # gapless: the LAME info frame's delay and padding dropped
    assert np.max(np.abs(ours - theirs)) <= 1.0 / 32768 + 1e-6
    assert np.max(np.abs(ours)) > 0.1  # sound, not silence


def test_bare_frames_decode_late_by_both_delays(mp3: Path) -> None:
    data = mp3.read_bytes()
    whole = _decode(data)
    # The frames as the encoder hands them over: no ID3 tag, no info frame.
    header = 10 + (data[6] << 21 | data[7] << 14 | data[8] << 7 | data[9])
    frame = 72 * 64_000 // RATE
    bare = _decode(data[header + frame:], piece=4001)  # split mid-frame: held until complete
    skip = LAME_ENCODER_DELAY + MP3_DECODER_DELAY
    np.testing.assert_array_equal(bare[skip:skip + len(whole)], whole)


def test_bytes_that_are_no_mp3_decode_to_nothing() -> None:
    decoder = Mp3Decoder(RATE)
    assert [s for _ in range(20) for s in decoder.decode(b"no frames here " * 500)] == []


def test_a_rate_mpeg_audio_lacks_is_refused() -> None:
    with pytest.raises(Mpg123Error, match="7000 Hz"):
        Mp3Decoder(7000)
