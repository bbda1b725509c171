"""Streaming loudness and true peak against pyloudnorm and known signals."""

from __future__ import annotations

import math

import numpy as np
import pyloudnorm
import pytest

from repcue.mix import loudness
from repcue.mix.ebur128 import native_loudness
from repcue.mix.loudness import (
    LoudnessMeter,
    gated_loudness,
    k_weighted,
    k_weighting,
    measure,
)
from repcue.resample import upsample_phases


@pytest.fixture(autouse=True, params=["libebur128", "numpy"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test twice: loudness by libebur128 (where installed) and by the numpy filter."""
    if request.param == "numpy":
        monkeypatch.setattr(loudness, "native_loudness", lambda rate: None)
    elif native_loudness(44100) is None:
        pytest.skip("libebur128 is not installed (scripts/setup installs it)")
    return str(request.param)


def _signal(rate: int, seconds: float = 7.0) -> np.ndarray:
    rng = np.random.default_rng(1)
    t = np.arange(int(rate * seconds)) / rate
    tone = 0.3 * np.sin(2 * np.pi * 440 * t) * (t % 2 < 1)
    noise = 0.05 * rng.standard_normal(len(t)) * (t > 3)
    return (tone + noise).astype(np.float32)


@pytest.mark.parametrize("rate", [22050, 44100, 48000])
def test_integrated_loudness_matches_pyloudnorm(rate: int) -> None:
    x = _signal(rate)
    expected = pyloudnorm.Meter(rate).integrated_loudness(x.astype(np.float64))
    lufs, _ = measure(x, rate)
    # pyloudnorm's K-weighting is an approximation of the standard's; they agree closely.
    assert lufs == pytest.approx(expected, abs=0.1)


def test_block_size_does_not_change_the_result() -> None:
    x = _signal(44100)
    results = set()
    for size in (777, 4096, 4410, 30000, len(x)):
        meter = LoudnessMeter(44100)
        for i in range(0, len(x), size):
            meter.add(x[i:i + size])
        results.add((round(meter.integrated_lufs, 9), round(meter.true_peak_dbtp, 9)))
    assert len(results) == 1


def test_k_weighting_at_48k_is_the_standards_filter() -> None:
    b, a = k_weighting(48000)
    # BS.1770-4 Tables 1 and 2, multiplied out into one 4th-order filter.
    shelf_b = [1.53512485958697, -2.69169618940638, 1.19839281085285]
    shelf_a = [1.0, -1.69065929318241, 0.73248077421585]
    hp_b, hp_a = [1.0, -2.0, 1.0], [1.0, -1.99004745483398, 0.99007225036621]
    assert np.allclose(b, np.convolve(shelf_b, hp_b), atol=1e-8)
    assert np.allclose(a, np.convolve(shelf_a, hp_a), atol=1e-8)


def test_full_scale_1k_sine_reads_minus_3_lufs() -> None:
    # The standard's calibration point: a 0 dBFS 997 Hz sine in one channel is -3.01 LKFS.
    rate = 48000
    t = np.arange(rate * 5) / rate
    lufs, peak = measure(np.sin(2 * np.pi * 997 * t).astype(np.float32), rate)
    assert lufs == pytest.approx(-3.01, abs=0.02)
    assert peak == pytest.approx(0.0, abs=0.05)


def test_gating_ignores_silence_and_quiet_passages() -> None:
    rate = 44100
    loud = (0.1 * np.random.default_rng(2).standard_normal(rate * 10)).astype(np.float32)
    alone, _ = measure(loud, rate)
    padded = np.concatenate([loud, np.zeros(rate * 20, np.float32), loud * 0.001])
    with_gaps, _ = measure(padded, rate)
    assert with_gaps == pytest.approx(alone, abs=0.1)


def test_silence_and_short_signals_are_minus_infinity() -> None:
    assert measure(np.zeros(44100 * 2, np.float32), 44100) == (-math.inf, -math.inf)
    assert measure(np.full(1000, 0.5, np.float32), 44100)[0] == -math.inf


def test_true_peak_finds_the_peak_between_samples() -> None:
    # A quarter-rate sine sampled at 45 degrees: samples sit 3 dB under the real peak.
    n = np.arange(44100)
    x = (0.5 * np.sin(np.pi / 2 * n + np.pi / 4)).astype(np.float32)
    meter = LoudnessMeter(44100)
    meter.add(x)
    assert 20 * math.log10(meter.sample_peak) == pytest.approx(-9.03, abs=0.01)
    assert meter.true_peak_dbtp == pytest.approx(20 * math.log10(0.5), abs=0.2)


def _bursts(rate: int) -> np.ndarray:
    """Loud and quiet bursts with pauses inside and across blocks, like speech over rests."""
    rng = np.random.default_rng(5)
    x = np.zeros(rate * 12, np.float32)
    for start, seconds, level in ((0.3, 0.4, 0.6), (1.05, 0.2, 0.05), (3.0, 1.5, 0.3),
                                  (7.77, 0.05, 0.9), (9.0, 2.0, 0.01)):
        lo = int(start * rate)
        x[lo:lo + int(seconds * rate)] = level * rng.standard_normal(int(seconds * rate))
    return x


@pytest.mark.parametrize("size", [1000, 22050, 100_000])
def test_true_peak_skips_quiet_pieces_without_missing_the_peak(size: int) -> None:
    rate = 22050
    x = _bursts(rate)
    meter = LoudnessMeter(rate)
    for i in range(0, len(x), size):
        meter.add(x[i:i + size])
    # Every point between samples, the same interpolation, nothing skipped.
    between = upsample_phases(x.astype(np.float64), 4, range(1, 4))
    expected = max(float(np.max(np.abs(between))), float(np.max(np.abs(x))))
    assert meter.true_peak_dbtp == pytest.approx(20 * math.log10(expected), abs=1e-6)


def test_k_weighted_signal_gives_the_meters_loudness() -> None:
    rate = 22050
    x = _bursts(rate)
    meter = LoudnessMeter(rate, true_peak=False)
    meter.add(x)
    weighted = k_weighted(x, rate)
    step = rate // 10
    whole = len(x) // step * step
    steps = np.sum((weighted[:whole] ** 2).reshape(-1, step), axis=1)
    assert gated_loudness(steps, step) == pytest.approx(meter.integrated_lufs, abs=1e-9)
    # The ring-down after the last sample is included, and has died away by the end.
    assert len(weighted) > len(x) + rate // 20
    assert abs(weighted[-1]) < 1e-6 * float(np.max(np.abs(weighted)))
