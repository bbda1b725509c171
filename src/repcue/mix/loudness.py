"""Streaming loudness (ITU-R BS.1770-4 / EBU R 128) and true peak of a mono signal.

Blocks of any size go in one after another; filter state is carried between them,
so the result equals measuring the whole signal at once, with memory bounded by one
float per 100 ms of audio. Silent stretches (rest periods, and pauses inside a block)
cost almost nothing, and the true peak is only computed where it could beat the
largest found so far.

The K-weighting and the gating are libebur128's where that library is installed
(:mod:`repcue.mix.ebur128`: the IIR filter in C, under half the CPU). Without it, the
K-weighting runs as its impulse response (the IIR filter rings down below 1e-9 within
~100 ms) by FFT overlap-save, in numpy alone: scipy's ``lfilter`` would do it too, but
importing scipy.signal costs ~75 MB of memory, more than the whole export otherwise needs.
The two agree within 1e-8 LU.
"""

from __future__ import annotations

import math
from array import array
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from repcue.mix.ebur128 import native_loudness
from repcue.mix.true_peak import TruePeak
from repcue.units import db_to_gain, gain_to_db

Floats = npt.NDArray[np.float64]

ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
# The K-weighting impulse response is cut where it has decayed this far below its peak.
_RING_DOWN = 1e-9


def k_weighting(rate: int) -> tuple[Floats, Floats]:
    """The BS.1770 pre-filter (high shelf) and RLB high-pass as one 4th-order filter at ``rate``.

    The analogue prototypes are those of libebur128, which reproduce the 48 kHz
    coefficients of the standard exactly and extend them to other rates.
    """
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = db_to_gain(gain_db)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / q + k * k
    shelf_b = np.array([(vh + vb * k / q + k * k) / a0, 2.0 * (k * k - vh) / a0,
                        (vh - vb * k / q + k * k) / a0])
    shelf_a = np.array([1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0])
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    d = 1.0 + k / q + k * k
    hp_b = np.array([1.0, -2.0, 1.0])
    hp_a = np.array([1.0, 2.0 * (k * k - 1.0) / d, (1.0 - k / q + k * k) / d])
    return np.convolve(shelf_b, hp_b), np.convolve(shelf_a, hp_a)


def impulse_response(b: Floats, a: Floats, rate: int) -> Floats:
    """The first samples of the IIR filter (b, a)'s impulse response, until it has rung out."""
    n = rate // 4  # 250 ms: far longer than the 38 Hz high-pass rings
    y = np.zeros(n)
    order = len(a) - 1
    x = np.zeros(n)
    x[0] = 1.0
    for i in range(n):  # runs once per meter; the direct form is clearest
        acc = sum(b[k] * x[i - k] for k in range(len(b)) if i - k >= 0)
        acc -= sum(a[k] * y[i - k] for k in range(1, order + 1) if i - k >= 0)
        y[i] = acc / a[0]
    alive = np.flatnonzero(np.abs(y) > _RING_DOWN * np.max(np.abs(y)))
    return y[: alive[-1] + 1]


@lru_cache(maxsize=4)
def k_weighting_response(rate: int) -> Floats:
    """The K-weighting impulse response at ``rate`` (computed once per rate)."""
    response = impulse_response(*k_weighting(rate), rate)
    response.setflags(write=False)
    return response


class LoudnessMeter:
    """Feed blocks with :meth:`add`; read :attr:`integrated_lufs` and :attr:`true_peak_dbtp`."""

    def __init__(self, rate: int, *, true_peak: bool = True) -> None:
        self.rate = rate
        self._h = k_weighting_response(rate)
        self._tail: Floats = np.zeros(len(self._h) - 1)  # the input the filter still rings from
        self._step = rate // 10  # 100 ms: gating blocks are 4 of these with 75 % overlap
        self._partial = 0.0
        self._partial_len = 0
        # array('d') rather than a list: 8 bytes per 100 ms, not ~32.
        self._steps = array("d")
        self._native = native_loudness(rate)
        self._true_peak = TruePeak() if true_peak else None
        self._sample_peak = 0.0

    def add(self, block: npt.NDArray[np.float32]) -> None:
        """Take the next samples of the signal."""
        if len(block) == 0:
            return
        peak = max(float(np.max(block)), -float(np.min(block)))
        if self._native is not None:
            self._native.add(block)
        elif peak == 0.0 and not self._tail.any():
            self._accumulate(None, len(block))  # silence after silence: exactly zero energy
        else:
            weighted = self._filter(block.astype(np.float64))
            self._accumulate(weighted * weighted, len(block))
        self._sample_peak = max(self._sample_peak, peak)
        if self._true_peak is not None:
            self._true_peak.add(block, peak)

    def _filter(self, x: Floats) -> Floats:
        """K-weighted ``x``, continuing from the previous blocks (overlap-save).

        Fixed-size FFTs of about four times the response length: the cheapest per sample.
        """
        taps = len(self._h)
        size = 1 << (min(4 * taps, len(x) + taps) - 1).bit_length()
        spectrum = _response_spectrum(self.rate, size)
        joined = np.concatenate((self._tail, x))
        self._tail = joined[len(joined) - (taps - 1):]
        out = np.empty(len(x))
        hop = size - (taps - 1)
        for lo in range(0, len(x), hop):
            segment = joined[lo:lo + size]
            n = len(segment) - (taps - 1)
            if not segment.any():  # a pause inside the block: the filter has rung out
                out[lo:lo + n] = 0.0
                continue
            result = np.fft.irfft(np.fft.rfft(segment, size) * spectrum, size)
            out[lo:lo + n] = result[taps - 1:taps - 1 + n]
        return out

    def _accumulate(self, squares: Floats | None, n: int) -> None:
        step = self._step
        head = min(step - self._partial_len, n)
        if squares is not None:
            self._partial += float(np.sum(squares[:head]))
        self._partial_len += head
        if self._partial_len < step:
            return
        self._steps.append(self._partial)
        whole = (n - head) // step
        if whole:
            if squares is None:
                self._steps.extend([0.0] * whole)
            else:
                body = squares[head:head + whole * step].reshape(whole, step)
                self._steps.extend(np.sum(body, axis=1).tolist())
        tail = head + whole * step
        self._partial = float(np.sum(squares[tail:])) if squares is not None else 0.0
        self._partial_len = n - tail

    @property
    def integrated_lufs(self) -> float:
        """Gated integrated loudness in LUFS; ``-inf`` for silence or under 400 ms of audio."""
        if self._native is not None:
            return self._native.lufs
        steps = np.frombuffer(self._steps, dtype=np.float64) if len(self._steps) else np.zeros(0)
        return gated_loudness(steps, self._step)

    @property
    def true_peak_dbtp(self) -> float:
        """Largest 4x-oversampled magnitude in dBTP (``-inf`` for silence)."""
        between = self._true_peak.peak if self._true_peak is not None else 0.0
        return gain_to_db(max(between, self._sample_peak))

    @property
    def sample_peak(self) -> float:
        return self._sample_peak

    def joined(self, later: LoudnessMeter) -> tuple[float, float]:
        """Integrated loudness and true peak of this meter's signal followed by ``later``'s.

        Exactly the figures of one meter fed both, when the signal is silent for a second
        either side of the join and ``later`` starts on this one's 100 ms grid: the gating
        blocks the two miss across the join would hold silence, which the gate drops, and
        the K-weighting has rung out by then (halves.py cuts only there).
        """
        if self._native is not None and later._native is not None:
            lufs = self._native.lufs_with(later._native)
        else:
            steps = np.frombuffer(self._steps + later._steps, dtype=np.float64)
            lufs = gated_loudness(steps, self._step) if len(steps) else -math.inf
        return lufs, max(self.true_peak_dbtp, later.true_peak_dbtp)


def gated_loudness(steps: Floats, step: int) -> float:
    """Integrated loudness (LUFS) of K-weighted energies summed over consecutive 100 ms steps.

    ``step`` is the samples per step. ``-inf`` for silence or under 400 ms of audio.
    """
    if len(steps) < 4:
        return -math.inf
    blocks = (steps[:-3] + steps[1:-2] + steps[2:-1] + steps[3:]) / (4 * step)
    with np.errstate(divide="ignore"):
        levels = -0.691 + 10.0 * np.log10(blocks)
    kept = blocks[levels > ABSOLUTE_GATE_LUFS]
    if len(kept) == 0:
        return -math.inf
    relative = -0.691 + 10.0 * math.log10(float(np.mean(kept))) + RELATIVE_GATE_LU
    kept = blocks[(levels > ABSOLUTE_GATE_LUFS) & (levels > relative)]
    return -0.691 + 10.0 * math.log10(float(np.mean(kept)))


# Rates times FFT sizes: the meter's full and last-block sizes, k_weighted's, at two rates.
@lru_cache(maxsize=8)
def _response_spectrum(rate: int, size: int) -> npt.NDArray[np.complex128]:
    spectrum = np.fft.rfft(k_weighting_response(rate), size)
    spectrum.setflags(write=False)
    return spectrum


def k_weighted(samples: npt.NDArray[np.float32], rate: int) -> Floats:
    """``samples`` (starting from silence) through the K-weighting, ring-down included.

    For a short signal held in memory, such as one group of sounds: FFT overlap-add in
    fixed-size pieces about four times the response, whose spectrum is computed once.
    """
    taps = len(k_weighting_response(rate))
    size = 1 << (4 * taps - 1).bit_length()
    spectrum = _response_spectrum(rate, size)
    hop = size - (taps - 1)
    x = samples.astype(np.float64)
    out: Floats = np.zeros(len(x) + taps - 1)
    for lo in range(0, len(x), hop):
        piece = x[lo:lo + hop]
        n = len(piece) + taps - 1
        out[lo:lo + n] += np.fft.irfft(np.fft.rfft(piece, size) * spectrum, size)[:n]
    return out


def measure(samples: npt.NDArray[np.float32], rate: int) -> tuple[float, float]:
    """Integrated loudness and true peak of a whole signal held in memory."""
    meter = LoudnessMeter(rate)
    for start in range(0, len(samples), 65536):  # bounded temporaries for long signals
        meter.add(samples[start:start + 65536])
    return meter.integrated_lufs, meter.true_peak_dbtp
