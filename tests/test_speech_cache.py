"""The clip cache: keys, atomic entries, damage detection, info and clear."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from repcue.clip import Clip
from repcue.speech.cache import ClipCache, clip_key

BASE = dict(engine="pyttsx3", fingerprint="pyttsx3 2.99 espeak-ng 1.51", voice=None, rate=1.0,
            text="Tailbone down.", polish_version=1)


def a_clip(n: int = 2205) -> Clip:
    return Clip(np.linspace(-0.5, 0.5, n, dtype=np.float32), 22050)


def test_key_changes_with_everything_that_shapes_the_sound() -> None:
    base = clip_key(**BASE)  # type: ignore[arg-type]
    changes = dict(engine="piper", fingerprint="pyttsx3 2.99 espeak-ng 1.52", voice="gmw/en-us",
                   rate=1.2, text="Tailbone down!", polish_version=2)
    for field, value in changes.items():
        assert clip_key(**{**BASE, field: value}) != base, field  # type: ignore[arg-type]
    assert clip_key(**BASE) == base  # type: ignore[arg-type]


def test_put_then_get_returns_the_same_samples_and_rate(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    clip = a_clip()
    cache.put("ab" * 32, clip)
    back = cache.get("ab" * 32)
    assert back is not None
    assert back.rate == 22050
    np.testing.assert_array_equal(back.samples, clip.samples)
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_missing_entry_is_a_miss(tmp_path: Path) -> None:
    assert ClipCache(tmp_path / "nowhere").get("cd" * 32) is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated mid-payload
        lambda data: data[:10],  # truncated in the header
        lambda data: data[:-1] + bytes([data[-1] ^ 0xFF]),  # one flipped byte
        lambda data: b"garbage!" + data[8:],  # not our format
        lambda data: b"",  # empty file
    ],
)
def test_a_damaged_entry_reads_as_a_miss(tmp_path: Path, damage: object) -> None:
    cache = ClipCache(tmp_path)
    key = "ef" * 32
    cache.put(key, a_clip())
    path = cache.path_for(key)
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    assert cache.get(key) is None


def test_info_and_clear_count_only_clips(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    for i in range(3):
        cache.put(f"{i:02x}" + "0" * 62, a_clip(100 + i))
    keep = tmp_path / "notes.txt"
    keep.write_text("not a clip")
    entries, size, where = cache.info()
    assert (entries, where) == (3, tmp_path)
    assert size == sum(p.stat().st_size for p in tmp_path.rglob("*.clip"))
    assert cache.clear() == 3
    assert cache.info()[:2] == (0, 0)
    assert keep.exists()


def test_info_of_a_cache_that_does_not_exist_yet(tmp_path: Path) -> None:
    assert ClipCache(tmp_path / "new").info() == (0, 0, tmp_path / "new")
    assert ClipCache(tmp_path / "new").clear() == 0
