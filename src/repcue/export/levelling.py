"""Bring a session to the target loudness: find the gain, by measuring the limited mix.

Loudness rises dB for dB with the gain until the renderer's limiter starts taking peaks
off; past that it rises less, by an amount that depends on the voice. So the gain is
found by measuring, not predicted: a pass at 0 dB, then secant steps until the mix
measures within 0.2 LU of the target. Passes are cheap: they render at the speech
engines' rate and, for long sessions, read a regular sample of the session.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from repcue.clip import Clip, Samples
from repcue.export.loudness import LoudnessMeter
from repcue.limiter import CEILING_DBFS as LIMITER_CEILING_DB
from repcue.render import Renderer
from repcue.tones import TonePalette

Progress = Callable[[str, int, int], None]

#: Loudness passes render at the speech engines' own rate: half the work, and the same
#: loudness (speech has nothing above 11 kHz; tones are a small part of the energy).
MEASURE_RATE = 22050
#: Loudness passes over sessions longer than this read every SAMPLE_EVERY-th SPAN_S stretch.
SAMPLE_LONGER_THAN_S = 1200
SPAN_S = 8
SAMPLE_EVERY = 4
#: Gain the loudness pass may apply: quieter content than this is a broken voice, not a mix.
MAX_GAIN_DB = 30.0
#: Extra loudness passes allowed when the limiter bends loudness away from the gain.
MAX_CORRECTIONS = 4
GAIN_TOLERANCE_LU = 0.2


def _sample_spans(total: int, rate: int) -> list[tuple[int, int]]:
    """The stretches a loudness pass reads: all of a short session, a regular sample of a long one.

    A workout repeats itself (sets, reps, rests), so one 8 s stretch in every 32 s measures
    the same loudness as the whole to within 0.1 LU (measured on 60-minute sessions) at a
    quarter of the cost. The pass that writes the file measures every sample, and that
    is the figure reported.
    """
    if total <= SAMPLE_LONGER_THAN_S * rate:
        return [(0, total)]
    span, stride = SPAN_S * rate, SPAN_S * SAMPLE_EVERY * rate
    # One span at a random place in each stride (seeded: the same session measures the same),
    # so the sample cannot fall in step with the session's own rhythm of reps and rests.
    rng = np.random.default_rng(1770)
    spans = []
    for lo in range(0, total, stride):
        start = lo + int(rng.integers(0, max(1, min(stride, total - lo) - span + 1)))
        spans.append((start, min(start + span, total)))
    return spans


def _halved(samples: Samples) -> Samples:
    """``samples`` at half the rate: a windowed-sinc low-pass, then every other sample."""
    reach = 31
    m = np.arange(-reach, reach + 1)
    taps = np.sinc(m / 2.0) / 2.0 * np.kaiser(len(m), 8.0)
    taps /= taps.sum()
    return np.convolve(samples, taps)[reach::2][: -(-len(samples) // 2)].astype(np.float32)


def palette_at(palette: TonePalette, rate: int) -> TonePalette:
    """The palette with every tone at twice ``rate`` halved here, in numpy.

    The renderer would resample the tones itself, but through scipy, whose import alone
    costs more memory than the whole export. Tones at other rates are left to it.
    """
    tones = {role: Clip(_halved(clip.samples), rate) if clip.rate == 2 * rate else clip
             for role, clip in palette.tones.items()}
    return TonePalette(rate, tones)


def measuring_palette(palette: TonePalette) -> TonePalette:
    """The palette for loudness passes, at MEASURE_RATE."""
    return palette_at(palette, MEASURE_RATE)


class PeakProfile:
    """Energy of a signal by the peak level of its 10 ms pieces, in 0.25 dB bins.

    A model of what the limiter will take at a given gain: a piece whose peak would pass
    the ceiling by x dB loses about x dB. Crude (the limiter works around each peak, not
    on whole pieces), but it gets the first guess close, so fewer passes are needed.
    Memory is one small histogram, whatever the session length.
    """

    BIN_DB = 0.25
    FLOOR_DB = -60.0

    def __init__(self, rate: int) -> None:
        self._piece = rate // 100
        self._energy = np.zeros(int(-self.FLOOR_DB / self.BIN_DB) + 1)

    def add(self, block: Samples) -> None:
        whole = len(block) // self._piece * self._piece
        if whole == 0:
            return
        pieces = block[:whole].reshape(-1, self._piece).astype(np.float64)
        peaks = np.max(np.abs(pieces), axis=1)
        loud = peaks > 10.0 ** (self.FLOOR_DB / 20.0)
        if not loud.any():
            return
        levels = 20.0 * np.log10(peaks[loud])
        bins = np.clip(((levels - self.FLOOR_DB) / self.BIN_DB).astype(int), 0,
                       len(self._energy) - 1)
        np.add.at(self._energy, bins, np.sum(pieces[loud] ** 2, axis=1))

    def loss_db(self, gain_db: float, ceiling_db: float = LIMITER_CEILING_DB) -> float:
        """Predicted loudness the limiter takes off at ``gain_db`` (zero or negative)."""
        total = float(np.sum(self._energy))
        if total == 0.0:
            return 0.0
        levels = self.FLOOR_DB + (np.arange(len(self._energy)) + 0.5) * self.BIN_DB
        over = np.maximum(0.0, levels + gain_db - ceiling_db)
        return 10.0 * math.log10(float(np.sum(self._energy * 10.0 ** (-over / 10.0))) / total)

    def gain_for(self, rise_db: float) -> float:
        """The gain whose predicted loudness rise (gain plus loss) is ``rise_db``."""
        low, high = rise_db, MAX_GAIN_DB
        if high + self.loss_db(high) < rise_db:
            return high
        for _ in range(40):  # bisection: the rise grows steadily with the gain
            middle = (low + high) / 2.0
            if middle + self.loss_db(middle) < rise_db:
                low = middle
            else:
                high = middle
        return (low + high) / 2.0


def measure_loudness(renderer: Renderer, progress: Progress | None = None,
                     stage: str = "measuring",
                     profile: PeakProfile | None = None) -> LoudnessMeter:
    """Render the session (or a regular sample of a long one) only to measure its loudness."""
    meter = LoudnessMeter(renderer.rate, true_peak=False)
    spans = _sample_spans(renderer.total_samples, renderer.rate)
    preroll = renderer.rate // 2
    size = renderer.settings.block_size
    for start, stop in spans:
        meter.restart(renderer.render_range(max(0, start - preroll), start))
        for lo in range(start, stop, size):
            block = renderer.render_range(lo, min(lo + size, stop))
            meter.add(block)
            if profile is not None:
                profile.add(block)
        if progress is not None:
            progress(stage, stop, renderer.total_samples)
    return meter


def find_gain(make_renderer: Callable[[float], Renderer], target_lufs: float,
              progress: Progress | None = None) -> float:
    """The gain (dB) that brings the limited mix to ``target_lufs``, measured, not predicted.

    A pass at 0 dB gives the loudness and a peak profile; the profile predicts what the
    limiter will take, which gives the first guess. Each guess is then measured, and
    corrected along the slope (the profile's at first, then the measured one) until the
    mix measures within GAIN_TOLERANCE_LU of the target.
    """
    first = make_renderer(0.0)
    profile = PeakProfile(first.rate)
    meter = measure_loudness(first, progress, profile=profile)
    lufs = meter.integrated_lufs
    if not math.isfinite(lufs):
        return 0.0
    gain = min(MAX_GAIN_DB, target_lufs - lufs)
    peak_db = 20.0 * math.log10(max(meter.sample_peak, 1e-9))
    if peak_db + gain <= LIMITER_CEILING_DB - 1.0:
        return gain  # the limiter stays idle: loudness follows the gain exactly
    gain = profile.gain_for(target_lufs - lufs)
    last: tuple[float, float] | None = None
    for _ in range(MAX_CORRECTIONS):
        lufs = measure_loudness(make_renderer(gain), progress, "correcting").integrated_lufs
        if abs(lufs - target_lufs) <= GAIN_TOLERANCE_LU or gain >= MAX_GAIN_DB:
            break
        if last is None or last[0] == gain:
            step = 0.1
            slope = (step + profile.loss_db(gain + step) - profile.loss_db(gain)) / step
        else:
            slope = (lufs - last[1]) / (gain - last[0])
        last = (gain, lufs)
        gain = min(MAX_GAIN_DB, gain + (target_lufs - lufs) / min(1.0, max(0.2, slope)))
    return gain
