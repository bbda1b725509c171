"""Streaming true peak of a mono signal: the largest magnitude, 4x oversampled.

The points between samples come from the renderer's own interpolation filter, so the
meter reads the peaks the limiter was holding down. Each is computed in float64 by
``np.convolve``, exactly as the filter defines it, but only where it could beat the
largest found so far: a float32 matrix product screens every point first (about an eighth
of the CPU of convolving them all), with a bound on its rounding error, and only rows of
points whose screened value comes within that bound of the peak are convolved. Decoded
music near the peak level leaves almost nothing to convolve; the figure is the same, to
the last bit, as convolving every point.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from repcue.resample import upsample_phases

Floats = npt.NDArray[np.float64]
Floats32 = npt.NDArray[np.float32]

_OVERSAMPLE = 4
_REACH = 10  # input samples either side that one interpolated point depends on
_CONTEXT = 2 * _REACH  # input samples a point needs beyond its own
# Points screened per row of the matrix product (all three phases: 3 * _ROW columns).
_ROW = 16
# Rows per product. OpenBLAS hands a product to its thread pool once M * N * K passes
# 262144 (here 256 * 48 * 16 = 196608); on the export's two busy cores its spinning
# threads cost ten times the work they share, so each product stays on this thread.
_CHUNK = 256
# Rounding of the float32 screen, as a fraction of the largest |taps| . |context| sum: a
# point sums _ROW + _CONTEXT products (some of zero taps) in one partial sum per input row,
# each step within 2**-24, plus the taps' own rounding to float32. Doubled for margin:
# still a few parts per million.
_SCREEN_ERROR = 2 * (_ROW + _CONTEXT + 4) * 2.0**-24
# Below this everything may have underflowed in float32; no peak that small matters.
_SCREEN_FLOOR = 1e-30


def _between_phases() -> list[Floats]:
    """Taps giving the points a quarter, half and three quarters between samples.

    Read off the renderer's own upsampler. Each phase spans 2 * _REACH + 1 input samples;
    ``np.convolve(x, taps, "valid")`` gives the points after samples _REACH .. len(x) -
    _REACH - 1.
    """
    impulse = np.zeros(4 * _REACH + 1)
    impulse[2 * _REACH] = 1.0
    columns = upsample_phases(impulse, _OVERSAMPLE, range(1, _OVERSAMPLE))
    return [np.ascontiguousarray(columns[_REACH:3 * _REACH + 1, j]) for j in range(3)]


def _screen_weights(between: list[Floats]) -> list[Floats32]:
    """The three phases for a whole row of points, as one matrix per row of input it reads.

    Point o of row i (all phases) reads input samples i * _ROW + o .. + _CONTEXT: the
    products of input rows i, i + 1, ... (the last one cut short) with these give them.
    """
    weights = np.zeros((_ROW + _CONTEXT, 3 * _ROW))
    for j, taps in enumerate(between):
        for o in range(_ROW):  # np.convolve runs the taps backwards in time
            weights[o:o + _CONTEXT + 1, j * _ROW + o] = taps[::-1]
    cast = weights.astype(np.float32)
    return [cast[lo:lo + _ROW] for lo in range(0, len(cast), _ROW)]


class TruePeak:
    """Feed float32 blocks with :meth:`add`; :attr:`peak` is the largest magnitude between
    samples so far (the samples themselves are the caller's to take)."""

    def __init__(self) -> None:
        self._between = _between_phases()
        self._weights = _screen_weights(self._between)
        self._bound = float(max(np.sum(np.abs(taps)) for taps in self._between))
        self._history: npt.NDArray[np.floating] = np.zeros(_CONTEXT, np.float32)
        # Kept from call to call: fresh large arrays cost a page fault per 4 KB each time.
        self._joined: npt.NDArray[np.floating] = np.zeros(0, np.float32)
        self._points: npt.NDArray[np.floating] = np.zeros((0, 3 * _ROW), np.float32)
        self._product: npt.NDArray[np.floating] = np.zeros((_CHUNK, 3 * _ROW), np.float32)
        self.peak = 0.0

    def add(self, block: npt.NDArray[np.floating], loudest: float) -> None:
        """Take the next samples; ``loudest`` is their largest magnitude."""
        # Each call looks at the points between samples whose whole context has arrived;
        # carrying the last _CONTEXT samples makes the calls tile the signal.
        n = len(block)
        reach = max(loudest, float(np.max(np.abs(self._history))))
        rows = -(-n // _ROW)
        joined = self._join(block, rows)
        self._history = joined[n:n + _CONTEXT].copy()
        if self._bound * reach <= self.peak:
            return  # nothing in here can beat the peak already found
        points = self._screen(joined, rows)
        error = _SCREEN_ERROR * self._bound * reach + _SCREEN_FLOOR
        if max(float(points.max()), -float(points.min())) + error <= self.peak:
            return  # the common case: nothing comes near the peak
        screened = np.abs(points).max(axis=1).astype(np.float64)
        # The loudest row first: the peak it sets rules out nearly all the others.
        best = int(np.argmax(screened))
        self._convolve(joined, n, best, best + 1)
        live = np.flatnonzero(screened + error > self.peak)
        live = live[live != best]
        if len(live) == 0:
            return
        # Runs of neighbouring live rows are convolved together.
        breaks = np.flatnonzero(np.diff(live) > 1)
        for first, last in zip(live[np.r_[0, breaks + 1]], live[np.r_[breaks, len(live) - 1]],
                               strict=True):
            self._convolve(joined, n, int(first), int(last) + 1)

    def _join(self, block: npt.NDArray[np.floating], rows: int) -> npt.NDArray[np.floating]:
        """The carried samples, then ``block``, then zeros: to a whole number of chunks of
        rows, one more than ``rows`` need (the last rows' context)."""
        size = (-(-rows // _CHUNK) + 1) * _CHUNK * _ROW
        dtype = np.result_type(block.dtype, self._history.dtype, np.float32)
        if self._joined.dtype != dtype or len(self._joined) < size:
            self._joined = np.zeros(size, dtype)  # float32, unless fed wider
        joined = self._joined[:size]
        joined[:_CONTEXT] = self._history
        joined[_CONTEXT:_CONTEXT + len(block)] = block
        joined[_CONTEXT + len(block):] = 0.0
        return joined

    def _screen(self, joined: npt.NDArray[np.floating], rows: int) -> npt.NDArray[np.floating]:
        """Every point, in the precision of ``joined`` (rows of _ROW points, three phases);
        0 where the samples are too quiet to beat the peak."""
        first, *rest = (w.astype(joined.dtype, copy=False) for w in self._weights)
        if self._points.dtype != joined.dtype or len(self._points) < rows:
            self._points = np.zeros((rows, 3 * _ROW), joined.dtype)
            self._product = np.zeros((_CHUNK, 3 * _ROW), joined.dtype)
        points, product = self._points[:rows], self._product
        matrix = joined.reshape(-1, _ROW)
        # The loudest sample of each chunk of rows; with the next chunk's, of its context.
        loudest = np.abs(joined).reshape(-1, _CHUNK * _ROW).max(axis=1)
        reach = np.maximum(loudest[:-1], loudest[1:]) * self._bound
        for chunk, lo in enumerate(range(0, rows, _CHUNK)):
            hi = min(lo + _CHUNK, rows)
            if reach[chunk] <= self.peak:
                points[lo:hi] = 0.0  # a pause, or quiet: cannot beat the peak
                continue
            np.matmul(matrix[lo:hi], first, out=points[lo:hi])
            for shift, weights in enumerate(rest, start=1):
                np.matmul(matrix[lo + shift:hi + shift, :len(weights)], weights,
                          out=product[:hi - lo])
                points[lo:hi] += product[:hi - lo]
        return points

    def _convolve(self, joined: npt.NDArray[np.floating], points: int, first: int,
                  end: int) -> None:
        """The exact points of rows first .. end - 1 (of ``points`` in all), in float64."""
        stretch = joined[first * _ROW:min(end * _ROW, points) + _CONTEXT].astype(np.float64)
        for taps in self._between:  # np.convolve defines the figure: keep it bit for bit
            between = np.convolve(stretch, taps, mode="valid")
            self.peak = max(self.peak, float(between.max()), -float(between.min()))
