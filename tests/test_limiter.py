"""The look-ahead limiter on its own: bound, smoothness, transparency, and context-only output."""

from __future__ import annotations

import numpy as np

from repcue.limiter import Limiter

RATE = 44100


def _signal() -> np.ndarray:
    t = np.arange(RATE) / RATE
    wave = 0.3 * np.sin(2 * np.pi * 200 * t)
    wave[20_000:22_000] *= 5.0  # a sudden 1.5 (over full scale) burst
    return wave.astype(np.float32)


def test_output_never_passes_the_ceiling_and_moves_smoothly() -> None:
    limiter = Limiter(RATE)
    x = _signal()
    y = limiter.apply(x)
    assert len(y) == len(x) - limiter.before - limiter.after
    assert np.max(np.abs(y)) <= limiter.ceiling
    middle = x[limiter.before : limiter.before + len(y)]
    gain = y[np.abs(middle) > 0.05] / middle[np.abs(middle) > 0.05]
    assert np.min(gain) < 0.6  # the burst was pulled down...
    assert np.max(np.abs(np.diff(gain))) < 0.05  # ...without a jump (a click)
    # Far from the burst the signal is untouched, bit for bit.
    assert np.array_equal(y[:15_000], middle[:15_000])
    assert np.array_equal(y[-10_000:], middle[-10_000:])


def test_gain_starts_falling_before_the_peak() -> None:
    limiter = Limiter(RATE)
    x = _signal()
    y = limiter.apply(x)
    first_over = int(np.argmax(np.abs(x) > limiter.ceiling))
    # Look-ahead: already turned down a few samples before the first sample over the line.
    ahead = [k for k in range(first_over - 40, first_over) if abs(x[k]) > 0.05]
    assert ahead
    for k in ahead:
        assert abs(y[k - limiter.before]) < abs(x[k])


def test_output_depends_only_on_context() -> None:
    # Limiting a sub-window (with its context) gives the same samples as the whole.
    limiter = Limiter(RATE)
    x = _signal()
    whole = limiter.apply(x)
    lo = 19_000
    part = limiter.apply(x[lo - limiter.before : lo + 4096 + limiter.after])
    reference = whole[lo - limiter.before : lo - limiter.before + 4096]
    assert np.allclose(part, reference, atol=1e-7)


def test_quiet_input_is_returned_unchanged() -> None:
    limiter = Limiter(RATE)
    x = (_signal() * 0.5).astype(np.float32)
    x[20_000:22_000] /= 5.0
    y = limiter.apply(x)
    assert np.array_equal(y, x[limiter.before : limiter.before + len(y)])


def test_true_peaks_skip_only_what_cannot_pass_the_target() -> None:
    # Pieces too quiet to pass the target are not oversampled; everything that could
    # pass it reads what a full 4x oversampling of the window reads (to the last bit or
    # so: a BLAS may sum a row in another order in a matrix of another shape).
    from repcue.limiter import _true_peaks
    from repcue.resample import upsample_phases

    rng = np.random.default_rng(7)
    window = (rng.standard_normal(6000) * 0.05).astype(np.float32)
    window[3000:3040] = 0.9 * np.sign(np.sin(np.arange(40)))  # a square burst: true peaks > 1
    lo, hi, target = 100, 5900, 0.7
    full = np.abs(window.astype(np.float64))
    between = np.abs(upsample_phases(window, 4, range(1, 4)))
    full = np.maximum(full, between.max(axis=1))[lo:hi]
    peaks = _true_peaks(window, lo, hi, target)
    over = full > target
    assert over.any()
    np.testing.assert_allclose(peaks[over], full[over], rtol=1e-12, atol=0)
    assert np.all(peaks[~over] <= target)


def test_true_peaks_read_the_context_and_short_pieces_at_the_ends() -> None:
    # A burst just outside lo:hi makes the end pieces live; with no context at all (lo = 0,
    # hi = the end) and a last piece of a few samples, the points are still the full ones.
    from repcue.limiter import _true_peaks
    from repcue.resample import upsample_phases

    rng = np.random.default_rng(11)
    window = (rng.standard_normal(1000) * 0.05).astype(np.float32)
    window[:8] = 0.9 * np.sign(np.sin(np.arange(8) + 0.5))
    window[-6:] = -0.9
    window[300:304] = 1.5  # in the context after hi = 300
    window[497:509] = 1.5 * (-1.0) ** np.arange(12)  # rings past lo = 509 from before it
    full = np.maximum(np.abs(window.astype(np.float64)),
                      np.abs(upsample_phases(window, 4, range(1, 4))).max(axis=1))
    target = 0.7
    for lo, hi in [(0, 1000), (8, 300), (509, 990), (3, 997), (0, 19), (990, 1000)]:
        peaks = _true_peaks(window, lo, hi, target)
        over = full[lo:hi] > target
        assert over.any(), (lo, hi)
        # To the last bit or so: this CPU's BLAS summed one row of (3, 997) 1 ulp apart.
        np.testing.assert_allclose(peaks[over], full[lo:hi][over], rtol=1e-12, atol=0,
                                   err_msg=str((lo, hi)))
        assert np.all(peaks[~over] <= target), (lo, hi)
