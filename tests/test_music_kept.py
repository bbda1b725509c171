"""Decoded tracks kept on disk: the same samples as decoding, never a partial file."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from music_support import make_noise
from repcue.music import track as track_module
from repcue.music.decode import TrackInfo, probe
from repcue.music.kept import SUFFIX, trim
from repcue.music.track import Track

RATE = 22050


def _read_all(info: TrackInfo, step: int = 5000) -> np.ndarray:
    track = Track(info, RATE)
    samples = np.concatenate([track.read(a, a + step) for a in range(0, track.length, step)])
    track.close()
    return samples[: track.length]


def _no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("decoded although the track is kept")

    monkeypatch.setattr(track_module, "open_source", refuse)


@pytest.mark.parametrize("suffix", [".mp3", ".wav"])
def test_a_kept_track_reads_the_samples_decoding_gave(tmp_path: Path, suffix: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    info = replace(probe(make_noise(tmp_path / f"a{suffix}", 3.3)), kept_in=tmp_path / "pcm")
    decoded = _read_all(info)
    kept = list((tmp_path / "pcm").iterdir())
    assert [p.suffix for p in kept] == [SUFFIX]
    _no_decoding(monkeypatch)
    assert np.array_equal(_read_all(info, step=777), decoded)
    jumping = Track(info, RATE)
    assert np.array_equal(jumping.read(40_000, 50_000), decoded[40_000:50_000])
    jumping.close()


def test_only_a_whole_straight_read_is_kept(tmp_path: Path) -> None:
    info = replace(probe(make_noise(tmp_path / "a.wav", 3.3)), kept_in=tmp_path / "pcm")
    jumping = Track(info, RATE)
    jumping.read(0, 10_000)
    jumping.read(50_000, 60_000)  # skipped a chunk: never complete
    jumping.read(0, jumping.length)
    jumping.close()
    cut_short = Track(info, RATE)
    cut_short.read(0, 40_000)
    cut_short.close()
    assert list((tmp_path / "pcm").iterdir()) == []  # no partial file, no temp left


def test_a_changed_file_is_decoded_again(tmp_path: Path) -> None:
    path = make_noise(tmp_path / "a.wav", 2.0)
    info = replace(probe(path), kept_in=tmp_path / "pcm")
    first = _read_all(info)
    make_noise(path, 2.0, amplitude=0.1)
    os.utime(path, ns=(1, 1))
    second = _read_all(info)
    assert not np.array_equal(first, second)
    assert len(list((tmp_path / "pcm").iterdir())) == 2


def test_a_truncated_kept_file_is_ignored(tmp_path: Path) -> None:
    info = replace(probe(make_noise(tmp_path / "a.wav", 2.0)), kept_in=tmp_path / "pcm")
    decoded = _read_all(info)
    (kept,) = (tmp_path / "pcm").iterdir()
    kept.write_bytes(kept.read_bytes()[:1000])
    assert np.array_equal(_read_all(info), decoded)


def test_the_folder_is_trimmed_least_recently_used_first(tmp_path: Path) -> None:
    for age, name in enumerate(["old", "mid", "new"]):
        path = tmp_path / f"{name}{SUFFIX}"
        path.write_bytes(bytes(1000))
        os.utime(path, ns=(age * 10**9, age * 10**9))
    (tmp_path / "dead.x.tmp").write_bytes(bytes(10))
    os.utime(tmp_path / "dead.x.tmp", ns=(0, 0))
    trim(tmp_path, limit=2000)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"mid{SUFFIX}", f"new{SUFFIX}"]
