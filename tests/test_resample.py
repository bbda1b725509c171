"""Sample-rate conversion: the numpy polyphase path against scipy's resample_poly."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import resample_poly

from repcue.resample import resample, upsample


@pytest.mark.parametrize("factor", [2, 4])
def test_upsample_matches_scipy(factor: int) -> None:
    x = np.random.default_rng(3).standard_normal(2_000).astype(np.float32)
    ours = upsample(x, factor)
    theirs = resample_poly(x.astype(np.float64), factor, 1)
    assert len(ours) == len(theirs) == factor * len(x)
    assert np.max(np.abs(ours - theirs)) < 1e-12


@pytest.mark.parametrize(("source", "rate"), [(22050, 44100), (48000, 44100), (16000, 44100)])
def test_resample_keeps_a_sine(source: int, rate: int) -> None:
    t = np.arange(source) / source
    x = (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    y = resample(x, source, rate)
    assert y.dtype == np.float32
    assert len(y) == -(-len(x) * rate // source)
    expected = 0.5 * np.sin(2 * np.pi * 1000 * np.arange(len(y)) / rate)
    inner = slice(200, len(y) - 200)
    assert np.max(np.abs(y[inner] - expected[inner])) < 5e-3


def test_same_rate_is_a_copy_free_identity() -> None:
    x = np.ones(10, dtype=np.float32)
    assert resample(x, 44100, 44100) is x


def test_empty_input_stays_empty() -> None:
    # Speech polish trims a silent cue to nothing; the renderer must still take it.
    assert len(resample(np.zeros(0, dtype=np.float32), 22050, 44100)) == 0
