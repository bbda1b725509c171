"""Decoding real files: formats, rates, channel counts, seeks, and files that cannot be used."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from music_support import CODECS, make_noise, make_silence, make_tone
from repcue.errors import ContentError
from repcue.music.decode import probe
from repcue.music.level import track_loudness
from repcue.music.track import Track

RATE = 44100

FORMATS = [  # suffix, source rate, channels
    (".wav", 48000, 2),
    (".flac", 44100, 1),
    (".ogg", 32000, 2),
    (".mp3", 48000, 2),
    (".m4a", 44100, 2),
    (".opus", 48000, 1),
]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("music")
    return {suffix: make_tone(folder / f"tone{suffix}", 4.0, rate, channels, freq=1000.0)
            for suffix, rate, channels in FORMATS}


def _peak_hz(samples: npt.NDArray[np.float32], rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * rate / len(samples))


@pytest.mark.parametrize(("suffix", "rate", "channels"), FORMATS)
def test_every_format_decodes_to_the_mix_rate(files: dict[str, Path], suffix: str, rate: int,
                                              channels: int) -> None:
    info = probe(files[suffix])
    assert (info.rate, info.channels) == (rate, channels)
    assert abs(info.seconds - 4.0) < 0.1
    track = Track(info, RATE)
    samples = track.read(0, track.length)
    track.close()
    assert len(samples) == track.length == -(-info.frames * RATE // rate)
    middle = samples[RATE : 3 * RATE]
    assert abs(_peak_hz(middle, RATE) - 1000.0) < 2.0
    # The sine was made at 0.3 peak; lossy codecs wobble around it a little.
    assert 0.25 < float(np.max(np.abs(middle))) < 0.35


@pytest.mark.parametrize("suffix", [".mp3", ".m4a", ".ogg"])
def test_any_range_reads_the_same_samples_as_a_straight_read(files: dict[str, Path],
                                                             suffix: str) -> None:
    info = probe(files[suffix])
    whole = Track(info, RATE)
    straight = np.concatenate([whole.read(a, a + 1000) for a in range(0, whole.length, 1000)])
    jumping = Track(info, RATE)
    for start in (150_000, 3, 90_001, 44_100 * 3 + 17, 0):
        stop = min(start + 30_000, jumping.length)
        assert np.array_equal(jumping.read(start, stop), straight[start:stop])
    whole.close()
    jumping.close()


def test_a_corrupt_file_is_one_line_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "broken.flac"
    bad.write_bytes(b"fLaC" + bytes(range(256)) * 40)
    with pytest.raises(ContentError) as caught:
        track_loudness(probe(bad))
    assert str(bad) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_corrupt_m4a_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.m4a"
    bad.write_bytes(b"\x00\x00\x00\x20ftypM4A " + bytes(1000))
    with pytest.raises(ContentError, match="broken.m4a: cannot be decoded"):
        probe(bad)


def test_missing_and_unsupported_files(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="no such file"):
        probe(tmp_path / "gone.mp3")
    text = tmp_path / "notes.txt"
    text.write_text("not music")
    with pytest.raises(ContentError, match=r"notes.txt: is not an audio file.*\(\.txt\)"):
        probe(text)


def test_a_silent_track_is_refused(tmp_path: Path) -> None:
    quiet = make_silence(tmp_path / "quiet.wav", 2.0)
    with pytest.raises(ContentError, match="quiet.wav: is silent"):
        track_loudness(probe(quiet))


def test_a_track_shorter_than_a_second_reads_whole(tmp_path: Path) -> None:
    short = make_noise(tmp_path / "short.mp3", 0.7, rate=22050, channels=1)
    info = probe(short)
    track = Track(info, RATE)
    samples = track.read(0, track.length + 500)
    track.close()
    assert track.length == -(-info.frames * 2)
    assert np.all(samples[track.length:] == 0)
    assert np.sqrt(np.mean(samples[: track.length] ** 2)) > 0.01
    assert track_loudness(info) < 0


@pytest.mark.slow
def test_a_ten_minute_file_streams_through_in_chunks(tmp_path: Path) -> None:
    long = make_noise(tmp_path / "long.mp3", 600.0)
    info = probe(long)
    assert abs(info.seconds - 600.0) < 0.1
    track = Track(info, 22050)
    total = 0
    energy = 0.0
    for start in range(0, track.length, 22050):
        block = track.read(start, start + 22050)
        total += len(block)
        energy += float(np.sum(block.astype(np.float64) ** 2))
        # Never more than a few chunks of decoded audio held, however long the file.
        assert sum(c.nbytes for c in track._chunks.values()) < 1_000_000
    track.close()
    assert total >= track.length
    assert energy > 0.0
    assert -40.0 < track_loudness(info) < -5.0


@pytest.mark.parametrize("suffix", [".wav", ".ogg", ".m4a"])
def test_stereo_is_averaged_into_mono_without_a_boost(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"left{suffix}"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "sine=frequency=1000:sample_rate=48000:duration=2",
                    "-af", "volume=2.4,pan=stereo|c0=c0|c1=0*c0", *CODECS[suffix], str(path)],
                   check=True, timeout=60)
    track = Track(probe(path), RATE)
    middle = track.read(RATE // 2, 3 * RATE // 2)
    track.close()
    # 0.3 on the left, nothing on the right: 0.15 in mono, whichever decoder read it.
    assert 0.13 < float(np.max(np.abs(middle))) < 0.17
