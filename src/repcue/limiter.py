"""A look-ahead peak limiter written as a pure function of a window of samples.

The gain at a sample depends only on the input within a fixed distance of it, so the
renderer can limit any stretch of the session on its own (given that much context on
each side) and get the same samples whatever block size or start point it is asked for.

How: the required gain ``ceiling / peak`` is taken at each sample, with the peak read on a
4x oversampled copy so overs between samples count too ("true-peak-ish"). A sliding minimum
spreads each dip ``attack`` samples either side and holds it ``hold`` samples after; a
triangular average over ±``attack`` then smooths it. Every sample the average touches was
covered by the minimum, so the smoothed gain never exceeds the required one: nothing passes
the ceiling, and the gain moves smoothly (no clicks). Below the threshold it is a no-op.

Cost: only stretches loud enough to pass the ceiling between samples are oversampled, and
a window with no such peak returns at once: the same samples to the bit, and the render of
the 65-minute long-session fell from 2.4 to 1.8 s (best of 3, load average 1.7). Music
under long rests leaves most windows with some live pieces, so their test and rows cost
little per call: a 20-minute session with music renders in 1.6 s of CPU instead of 1.8.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

from repcue.clip import Samples
from repcue.resample import upsample_phases
from repcue.units import db_to_gain

#: Where the limiter holds peaks, for every output alike: the codecs' headroom. Lossy coding
#: adds noise that rides on the peaks; with the voice mastered so that the limiter rarely
#: works (mix/voice.py), decoded peaks sat 0.4-0.6 dB over the mix for MP3 and Vorbis and
#: 0.7 dB for AAC at 64 kbps (back-strength, Piper), so -2 dBFS keeps decoded files under
#: -1 dBTP. One ceiling means one render: play, WAV and the lossy files are the same mix.
CEILING_DBFS = -2.0
#: True peaks can sit above the sample peaks, but not by 4 dB for real audio: a window whose
#: sample peak is this far under the ceiling passes untouched without oversampling.
_DETECT_MARGIN_DB = 4.0
_OVERSAMPLE = 4
#: The gain moves while the wave does, so limited audio reconstructs a hair above the
#: detected peaks (~0.01 dB at 4x); aiming this far under the ceiling absorbs that.
_TARGET_SLACK_DB = 0.03
#: Samples either side the oversampling filter needs (its half-length is 10 input samples).
_FILTER_REACH = 16
#: Input samples either side that one interpolated point reads (resample's half-length).
_REACH = 10
#: Largest sum of |taps| of an interpolating phase, so a point between samples is at most
#: this times the largest sample within _REACH (2.241; rounded up for the float sums).
_BOUND = 2.25
#: Samples per piece when looking for stretches loud enough to need the oversampling.
_PIECE = 16


class Limiter:
    """Keeps every sample (and most of what lies between samples) at or under the ceiling."""

    def __init__(
        self,
        rate: int,
        ceiling_dbfs: float = CEILING_DBFS,
        attack_ms: float = 2.0,
        hold_ms: float = 10.0,
    ) -> None:
        self.ceiling = db_to_gain(ceiling_dbfs)
        self._detect = self.ceiling * db_to_gain(-_DETECT_MARGIN_DB)
        self._target = self.ceiling * db_to_gain(-_TARGET_SLACK_DB)
        self._attack = max(1, round(rate * attack_ms / 1000.0))
        self._hold = max(0, round(rate * hold_ms / 1000.0))
        #: Context the caller must supply before and after the samples it wants limited.
        self.before = 2 * self._attack + self._hold + _FILTER_REACH
        self.after = 2 * self._attack + _FILTER_REACH

    def apply(self, window: Samples) -> Samples:
        """Limit ``window[before : len - after]``, reading the context around it."""
        n = len(window) - self.before - self.after
        if n < 0:
            raise ValueError("window shorter than the limiter's context")
        middle = window[self.before : self.before + n]
        if n == 0 or max(float(window.max()), -float(window.min())) <= self._detect:
            return middle.copy()
        a, h = self._attack, self._hold
        # peaks[] over [before - 2a - h, before + n + 2a): every sample any output gain reads.
        peaks = _true_peaks(window, self.before - 2 * a - h, self.before + n + 2 * a,
                            self._target)
        if not float(peaks.max()) > self._target:
            return middle.copy()  # nothing to take down: the gain would be 1 throughout
        floor = _sliding_min(np.minimum(1.0, self._target / np.maximum(peaks, 1e-12)),
                             2 * a + h + 1)
        # Two boxes of a+1 make a triangle over ±a. Smoothing the gain's distance from 1
        # leaves it exactly 1 where nothing was limited, so those samples stay bit-exact.
        gain = 1.0 - _box(_box(1.0 - floor, a + 1), a + 1)
        if np.all(gain == 1.0):
            return middle.copy()
        limited = middle * gain.astype(np.float32)
        # Rounding in the gain can leave a sample one ulp over; hold the line exactly.
        return np.clip(limited, -self.ceiling, self.ceiling).astype(np.float32)


def _true_peaks(window: Samples, lo: int, hi: int, target: float) -> npt.NDArray[np.float64]:
    """For samples ``lo:hi`` of ``window``, the largest magnitude from each up to the next
    sample, 4x oversampled where it could pass ``target``; elsewhere the sample's own.

    A point between samples is a weighted sum of the _REACH samples either side, so it
    cannot pass _BOUND times the largest of them: pieces whose neighbourhood stays under
    ``target / _BOUND`` (most of speech, which peaks on a few syllables) skip the filter.
    The points computed are the sums :func:`upsample_phases` makes, row for row (to the
    last bit or so: a BLAS may sum a row in another order within a matrix of another shape).
    """
    n = hi - lo
    count = -(-n // _PIECE)
    magnitude = np.abs(window)  # float32, exact: the test on the pieces needs no more
    peaks = np.zeros(count * _PIECE)
    peaks[:n] = magnitude[lo:hi]
    # The largest magnitude in each piece, with an empty piece either side; the _REACH
    # samples before lo and after hi (reduced as pieces of their own) are the end pieces'.
    a, b = max(0, lo - _REACH), min(len(window), hi + _REACH)
    loudest = np.maximum.reduceat(magnitude[a:b], _piece_starts(lo - a, n, b - a))
    loudest[1] = max(loudest[0], loudest[1])
    loudest[-2] = max(loudest[-2], loudest[-1])
    loudest[0] = loudest[-1] = 0.0
    near = np.maximum(np.maximum(loudest[:-2], loudest[1:-1]), loudest[2:])
    live = np.flatnonzero(near.astype(np.float64) * _BOUND > target)
    if not len(live):
        return peaks[:n]
    taps = _interpolating_taps()
    width = len(taps)
    # x[j] is window[lo - _REACH + j], with zeros outside the window and past the last
    # piece, so the rows of every piece are one block of a strided view: the live pieces'
    # rows are copied out in one indexing, into the matrix the product needs.
    x = np.zeros(count * _PIECE + width - 1)
    x[a - lo + _REACH : b - lo + _REACH] = window[a:b]
    step = x.itemsize
    blocks = np.ndarray((count, _PIECE, width), x.dtype, x, 0, (_PIECE * step, step, step))
    rows = blocks[live].reshape(-1, width)
    used = len(rows) - max(0, (int(live[-1]) + 1) * _PIECE - n)  # the last piece may be short
    # The same matrix, row for row, as the live samples' rows of the whole window: the
    # product then makes the same sums (to the ulp the BLAS kernel's order may differ by).
    between = np.abs(rows[:used] @ taps)
    loud = np.zeros((len(live), _PIECE))
    flat = loud.reshape(-1)[:used]
    for column in range(_OVERSAMPLE - 1):  # faster than a reduce along the short axis
        np.maximum(flat, between[:, column], out=flat)
    by_piece = peaks.reshape(count, _PIECE)
    by_piece[live] = np.maximum(by_piece[live], loud)
    return peaks[:n]


@lru_cache(maxsize=8)
def _piece_starts(lo: int, n: int, length: int) -> npt.NDArray[np.intp]:
    """Where :func:`_true_peaks` reduces a slice of ``length`` samples: the context before
    ``lo``, the pieces of ``lo : lo + n``, the context after (each the next start's end)."""
    # An empty context is read as one sample of its end piece, which is merged into that
    # piece anyway: no maximum changes.
    starts = np.concatenate(([0], np.arange(lo, lo + n, _PIECE), [min(lo + n, length - 1)]))
    starts.setflags(write=False)
    return starts


@lru_cache(maxsize=1)
def _interpolating_taps() -> npt.NDArray[np.float64]:
    """The taps (one column per point between samples) :func:`upsample_phases` applies to a
    sliding window of 2 * _REACH + 1 samples, read off its answer to an impulse."""
    impulse = np.zeros(4 * _REACH + 1)
    impulse[2 * _REACH] = 1.0
    columns = upsample_phases(impulse, _OVERSAMPLE, range(1, _OVERSAMPLE))
    taps = np.ascontiguousarray(columns[_REACH : 3 * _REACH + 1][::-1])
    taps.setflags(write=False)
    return taps


def _sliding_min(x: npt.NDArray[np.float64], width: int) -> npt.NDArray[np.float64]:
    """``out[t] = min(x[t : t + width])`` for every full window (van Herk/Gil-Werman, O(n))."""
    n = len(x)
    rows = -(-n // width)
    padded = np.full(rows * width, np.inf)
    padded[:n] = x
    blocks = padded.reshape(rows, width)
    prefix = np.minimum.accumulate(blocks, axis=1).ravel()
    suffix = np.minimum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    return np.minimum(suffix[: n - width + 1], prefix[width - 1 : n])


def _box(x: npt.NDArray[np.float64], width: int) -> npt.NDArray[np.float64]:
    """Mean over each full window of ``width`` samples."""
    total = np.concatenate(([0.0], np.cumsum(x)))
    return (total[width:] - total[:-width]) / width
