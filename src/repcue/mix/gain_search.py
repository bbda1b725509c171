"""Bring a session to the target loudness: find the gain, by measuring the limited mix.

Loudness rises dB for dB with the gain until the renderer's limiter starts taking peaks
off; past that it rises less, by an amount that depends on the voice. So the gain is
found by measuring, not predicted: a pass at 0 dB, then secant steps until the mix
measures within 0.2 LU of the target. Passes are cheap: they render each distinct group
of sounds once, at the speech engines' rate (sound_groups.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from repcue.clip import Clip, Samples
from repcue.limiter import CEILING_DBFS as LIMITER_CEILING_DB
from repcue.mix.sound_groups import Loudness
from repcue.resample import halve
from repcue.tones import TonePalette
from repcue.units import SPEECH_RATE, db_to_gain, gain_to_db

Progress = Callable[[str, int, int], None]

#: Loudness passes render at the speech engines' own rate: half the work, and the same
#: loudness (speech has nothing above 11 kHz; tones are a small part of the energy).
MEASURE_RATE = SPEECH_RATE
#: Gain the loudness pass may apply: quieter content than this is a broken voice, not a mix.
MAX_GAIN_DB = 30.0
#: Extra loudness passes allowed when the limiter bends loudness away from the gain.
MAX_CORRECTIONS = 4
GAIN_TOLERANCE_LU = 0.2


def palette_at(palette: TonePalette, rate: int) -> TonePalette:
    """The palette with every tone at twice ``rate`` halved here, in numpy.

    The renderer would resample the tones itself, but through scipy, whose import alone
    costs more memory than the whole export. Tones at other rates are left to it.
    """
    tones = {role: Clip(halve(clip.samples), rate) if clip.rate == 2 * rate else clip
             for role, clip in palette.tones.items()}
    return TonePalette(rate, tones)


def measuring_palette(palette: TonePalette) -> TonePalette:
    """The palette for loudness passes, at MEASURE_RATE."""
    return palette_at(palette, MEASURE_RATE)


class PeakProfile:
    """Energy of a signal by the peak level of its 10 ms pieces, in 0.25 dB bins.

    A model of what the limiter will take at a given gain: a piece whose peak (or the
    peak of the piece before, which the limiter's hold carries over) would pass the
    ceiling by x dB loses about x dB. Crude (the limiter works around each peak, not
    on whole pieces), but it gets the first guess close, so fewer passes are needed.
    Memory is one small histogram, whatever the session length.
    """

    BIN_DB = 0.25
    FLOOR_DB = -60.0

    def __init__(self, rate: int) -> None:
        self._piece = rate // 100
        self._energy = np.zeros(int(-self.FLOOR_DB / self.BIN_DB) + 1)

    def add(self, block: Samples, copies: int = 1) -> None:
        """Count ``block``'s energy, ``copies`` times over (a sound the session repeats)."""
        whole = len(block) // self._piece * self._piece
        if whole == 0:
            return
        pieces = block[:whole].reshape(-1, self._piece).astype(np.float64)
        peaks = np.max(np.abs(pieces), axis=1)
        # The limiter holds a peak's reduction for 10 ms, so a piece loses
        # what the louder of it and the piece before it would.
        peaks[1:] = np.maximum(peaks[1:], peaks[:-1].copy())
        loud = peaks > db_to_gain(self.FLOOR_DB)
        if not loud.any():
            return
        levels = 20.0 * np.log10(peaks[loud])
        bins = np.clip(((levels - self.FLOOR_DB) / self.BIN_DB).astype(int), 0,
                       len(self._energy) - 1)
        np.add.at(self._energy, bins, copies * np.sum(pieces[loud] ** 2, axis=1))

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


#: One loudness pass: the mix at a gain (dB), its distinct pieces shown to a peak profile.
Measure = Callable[[float, PeakProfile | None], Loudness]


def find_gain(measure: Measure, target_lufs: float, progress: Progress | None = None) -> float:
    """The gain (dB) that brings the limited mix to ``target_lufs``, measured, not predicted.

    A pass at 0 dB gives the loudness and a peak profile; the profile predicts what the
    limiter will take, which gives the first guess. Each guess is then measured, and
    corrected along the slope (the profile's at first, then the measured one) until the
    mix measures within GAIN_TOLERANCE_LU of the target.
    """
    profile = PeakProfile(MEASURE_RATE)
    first = measure(0.0, profile)
    if progress is not None:
        progress("measuring", 1, 1)
    lufs = first.lufs
    if not math.isfinite(lufs):
        return 0.0
    gain = min(MAX_GAIN_DB, target_lufs - lufs)
    peak_db = gain_to_db(max(first.sample_peak, 1e-9))
    if peak_db + gain <= LIMITER_CEILING_DB - 1.0:
        return gain  # the limiter stays idle: loudness follows the gain exactly
    gain = profile.gain_for(target_lufs - lufs)
    last: tuple[float, float] | None = None
    for attempt in range(MAX_CORRECTIONS):
        lufs = measure(gain, None).lufs
        if progress is not None:
            progress("correcting", attempt + 1, MAX_CORRECTIONS)
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
