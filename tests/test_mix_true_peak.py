"""The screened true peak against every point between samples, convolved."""

from __future__ import annotations

import numpy as np
import pytest

from repcue.mix.true_peak import TruePeak, _between_phases


def _every_point(x: np.ndarray) -> float:
    """The largest magnitude between samples, each point convolved in float64, as the meter
    defines it (the history before the first block is silence)."""
    stretch = np.concatenate((np.zeros(20), x.astype(np.float64)))
    return max(float(np.max(np.abs(np.convolve(stretch, taps, mode="valid"))))
               for taps in _between_phases())


def _fed(x: np.ndarray, size: int) -> float:
    meter = TruePeak()
    for lo in range(0, len(x), size):
        block = x[lo:lo + size]
        meter.add(block, float(np.max(np.abs(block))))
    return meter.peak


def _signals() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    rate = 22050
    n = np.arange(rate * 3)
    noise = (0.3 * rng.standard_normal(len(n))).astype(np.float32)
    noise[rate:rate + 5000] = 0.0  # a pause inside a block
    # A steady tone: every row comes as near the peak as the loudest, nothing is ruled out.
    tone = (0.5 * np.sin(np.pi / 2 * n + np.pi / 4)).astype(np.float32)
    swell = (np.linspace(0.01, 0.9, len(n)) * rng.standard_normal(len(n))).astype(np.float32)
    return {"noise": noise, "tone": tone, "swell": swell}


@pytest.mark.parametrize("name", ["noise", "tone", "swell"])
@pytest.mark.parametrize("size", [13, 777, 44100, 100_000])
def test_the_peak_is_the_convolved_peak_to_the_last_bit(name: str, size: int) -> None:
    x = _signals()[name]
    assert _fed(x, size) == _every_point(x)


def test_wider_samples_are_screened_in_their_own_precision() -> None:
    # float64 samples that float32 cannot hold: rounding them for the screen would be wrong.
    x = _signals()["swell"].astype(np.float64) * (1 + 1e-9)
    assert _fed(x, 4096) == _every_point(x)


def test_silence_has_no_peak() -> None:
    assert _fed(np.zeros(50_000, np.float32), 4096) == 0.0
