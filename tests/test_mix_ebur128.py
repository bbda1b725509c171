"""libebur128's integrated loudness: the numpy meter's figure, with silences skipped."""

from __future__ import annotations

import math

import numpy as np
import pytest

from repcue.mix import loudness
from repcue.mix.ebur128 import NativeLoudness, native_loudness


@pytest.fixture
def native() -> type[NativeLoudness]:
    if native_loudness(44100) is None:
        pytest.skip("libebur128 is not installed (scripts/setup installs it)")
    return NativeLoudness


def _session(rate: int) -> np.ndarray:
    """Speech-like bursts between long exact-zero rests, and a last burst right at the end."""
    rng = np.random.default_rng(3)
    x = np.zeros(rate * 40, np.float32)
    for start, seconds, level in ((0.0, 2.0, 0.3), (2.5, 0.3, 0.05), (9.05, 4.0, 0.2),
                                  (21.333, 0.5, 0.6), (39.5, 0.5, 0.1)):
        lo = int(start * rate)
        x[lo:lo + int(seconds * rate)] = level * rng.standard_normal(int(seconds * rate))
    return x


def _fed(x: np.ndarray, rate: int, size: int) -> float:
    meter = native_loudness(rate)
    assert meter is not None
    for lo in range(0, len(x), size):
        meter.add(x[lo:lo + size])
    return meter.lufs


@pytest.mark.usefixtures("native")
@pytest.mark.parametrize("rate", [22050, 44100, 11025])
@pytest.mark.parametrize("size", [999, 4410, 44100, 10**6])
def test_skipping_silence_gives_the_figure_of_feeding_it(rate: int, size: int) -> None:
    x = _session(rate)
    whole = native_loudness(rate)
    assert whole is not None
    whole._feed(x)  # every sample through the filter, nothing skipped
    assert _fed(x, rate, size) == pytest.approx(whole.lufs, abs=1e-9)


@pytest.mark.usefixtures("native")
def test_agrees_with_the_numpy_filter(monkeypatch: pytest.MonkeyPatch) -> None:
    x = _session(44100)
    with_library = loudness.measure(x, 44100)
    monkeypatch.setattr(loudness, "native_loudness", lambda rate: None)
    assert loudness.measure(x, 44100) == pytest.approx(with_library, abs=1e-8)


@pytest.mark.usefixtures("native")
def test_silence_and_short_signals_are_minus_infinity() -> None:
    assert _fed(np.zeros(44100 * 3, np.float32), 44100, 4096) == -math.inf
    assert _fed(np.full(1000, 0.5, np.float32), 44100, 4096) == -math.inf


@pytest.mark.usefixtures("native")
def test_wider_samples_are_taken_as_they_are() -> None:
    x = _session(22050)
    assert _fed(x.astype(np.float64), 22050, 4096) == pytest.approx(_fed(x, 22050, 4096),
                                                                     abs=1e-9)
