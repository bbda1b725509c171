"""Sample-rate conversion for the mix: polyphase windowed-sinc filters in plain numpy.

Speech engines speak at 22050 Hz and the mix runs at 44100 Hz, an exact factor of two, and
the limiter oversamples by four: both are whole-number factors, done here in numpy so the
renderer (and the live player) need not load scipy, which alone costs ~75 MB of memory.
Other ratios (a user's 48 kHz sound file) go to scipy's ``resample_poly``.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from repcue.clip import Samples

#: Filter half-length in input samples; with a Kaiser(5) window this is scipy's default.
_HALF = 10
#: Whole-number factors handled in numpy; beyond this the filters get long.
_MAX_FACTOR = 8
#: Rows per matrix product in upsampling; bounds the temporary copy to about 1.4 MB.
_CHUNK = 8192


@lru_cache(maxsize=8)
def _phases(factor: int) -> tuple[npt.NDArray[np.float64], ...]:
    """The low-pass filter for upsampling by ``factor``, split into its ``factor`` phases."""
    taps = 2 * _HALF * factor + 1
    m = np.arange(taps) - _HALF * factor
    h = np.sinc(m / factor) * np.kaiser(taps, 5.0)
    h *= factor / h.sum()
    # Phase p holds taps p, p + factor, ...: padding makes every phase the same length.
    padded = np.zeros((2 * _HALF + 1) * factor)
    padded[:taps] = h
    return tuple(padded[p::factor].copy() for p in range(factor))


def upsample_phases(samples: npt.NDArray[np.floating], factor: int, phases: range
                    ) -> npt.NDArray[np.float64]:
    """Columns of the upsampled signal: column j holds samples ``factor*i + phases[j]``.

    Phase 0 is (very nearly) the input itself; the others lie between input samples.
    One matrix product over a sliding view computes all phases at once, far faster than
    a ``np.convolve`` per phase on frame-sized inputs.
    """
    x = np.asarray(samples, dtype=np.float64)
    taps = np.stack([_phases(factor)[p] for p in phases], axis=1)
    width = taps.shape[0]
    padded = np.zeros(len(x) + width - 1)
    padded[width - 1 - _HALF : width - 1 - _HALF + len(x)] = x
    view = np.lib.stride_tricks.sliding_window_view(padded, width)
    # The view runs forwards in time and convolution backwards: flip the taps to match.
    flipped = np.ascontiguousarray(taps[::-1])
    out = np.empty((len(x), len(phases)))
    # numpy copies the strided view for the product: in chunks, that copy stays small.
    for lo in range(0, len(x), _CHUNK):
        out[lo : lo + _CHUNK] = view[lo : lo + _CHUNK] @ flipped
    return out


def upsample(samples: npt.NDArray[np.floating], factor: int) -> npt.NDArray[np.float64]:
    """``samples`` at ``factor`` times the rate, aligned so output ``factor*i`` is input ``i``."""
    return upsample_phases(samples, factor, range(factor)).ravel()


def resampled_length(length: int, source_rate: int, rate: int) -> int:
    """How many samples :func:`resample` returns for ``length`` samples: the ratio, rounded up."""
    if source_rate == rate:
        return length
    return -(-length * rate // source_rate)


def resample(samples: Samples, source_rate: int, rate: int) -> Samples:
    """``samples`` converted from ``source_rate`` to ``rate`` by the exact ratio of the two.

    The result has :func:`resampled_length` samples.
    """
    if source_rate == rate or len(samples) == 0:
        return np.ascontiguousarray(samples, dtype=np.float32)
    common = math.gcd(source_rate, rate)
    up, down = rate // common, source_rate // common
    if down == 1 and up <= _MAX_FACTOR:
        return upsample(samples, up).astype(np.float32)
    from scipy.signal import resample_poly

    out = resample_poly(samples, up, down)
    return np.ascontiguousarray(out, dtype=np.float32)


def halve(samples: Samples) -> Samples:
    """``samples`` at half the rate: a windowed-sinc low-pass, then every other sample.

    The export's way down from 44.1 to 22.05 kHz without loading scipy.
    """
    reach = 31
    m = np.arange(-reach, reach + 1)
    taps = np.sinc(m / 2.0) / 2.0 * np.kaiser(len(m), 8.0)
    taps /= taps.sum()
    return np.convolve(samples, taps)[reach::2][: -(-len(samples) // 2)].astype(np.float32)
