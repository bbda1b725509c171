"""The music in live play: on its own clock, so it plays on when the session stands still.

An export's music is a pure function of the session sample. Live play can stop the
session's clock (extra rest with ``+``), replay a stretch (a rest that waits for the
lifter) or jump (skip, back, a lost device); the music must not stop, repeat or jump with
it. So live play counts what the lifter has heard of the music (the music clock) apart
from the session sample, and the player tells this bed where each new stretch of session
starts and at what music sample (:meth:`LiveMusic.begin`).

Until the first jump the two clocks agree and the samples are the export's, exactly. After
one, the level is the session's envelope from the landing point on, forgetting speech
heard before the jump, and reached from the level before it along a ramp: quickly when the
music must go down (a cue is about to start), as slowly as it comes up into a rest when it
may come up. In extra rest the music is at the rest level (:meth:`LiveMusic.held`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from repcue.clip import Samples
from repcue.music.ducking import REST_UP_MS
from repcue.units import ms_to_samples

if TYPE_CHECKING:
    from repcue.music.bed import MusicBed

#: After a jump, the music reaches a lower level this fast: a cue may start right away.
DOWN_MS = 60


@dataclass(frozen=True)
class _Stretch:
    """A stretch of session played from ``at`` with the music at ``at + offset``; the level
    ramps from ``from_gain`` at ``at`` (None: no ramp, the export's samples)."""

    at: int
    offset: int
    from_gain: float | None
    ramp: int = 0  # samples
    #: Up into a rest (slow, and the envelope's dips still win) rather than down to a cue.
    rising: bool = False


class LiveMusic:
    """A :class:`MusicBed` for one live player (a ``player.feed.LiveBed``)."""

    def __init__(self, bed: MusicBed) -> None:
        self.bed = bed
        self._stretch = _Stretch(0, 0, None)
        self._down = max(1, ms_to_samples(DOWN_MS, bed.rate))
        self._up = max(1, ms_to_samples(REST_UP_MS, bed.rate))

    def begin(self, at: int, clock: int, from_gain: float | None) -> None:
        """Session sample ``at`` plays next, at music sample ``clock``, the level ramping
        from ``from_gain`` (None: as the export has it, for the stretch from the start)."""
        if from_gain is None:
            self._stretch = _Stretch(at, clock - at, None)
            return
        target = float(self.bed.envelope.gains(at, at + 1, at)[0])
        self._stretch = self._ramp(at, clock - at, from_gain, target)

    def render(self, lo: int, hi: int) -> Samples | None:
        """The music under session samples [lo, hi) of the current stretch (``render.Bed``)."""
        stretch = self._stretch
        self.bed.extend(hi + stretch.offset)
        music = self.bed.music(lo + stretch.offset, hi + stretch.offset)
        if music is None:
            return None
        since = None if stretch.from_gain is None else stretch.at
        music *= self._ramped(self.bed.envelope.gains(lo, hi, since), lo, stretch)
        return music

    def held(self, at: int, clock: int, n: int, began: int, from_gain: float) -> Samples:
        """``n`` samples of music from ``clock`` under extra rest inserted at session sample
        ``at``, which began at music sample ``began`` with the level at ``from_gain``."""
        self.bed.extend(clock + n)
        music = self.bed.music(clock, clock + n)
        if music is None:
            return np.zeros(n, dtype=np.float32)
        music *= self._ramped(self.bed.envelope.held(at, n), clock,
                              self._ramp(began, 0, from_gain, self.held_gain(at)))
        return music

    def gain_at(self, at: int) -> float:
        """The music's level at session sample ``at`` of the current stretch."""
        stretch = self._stretch
        since = None if stretch.from_gain is None else stretch.at
        return float(self._ramped(self.bed.envelope.gains(at, at + 1, since), at, stretch)[0])

    def held_gain(self, at: int) -> float:
        """The level extra rest at session sample ``at`` settles to."""
        return float(self.bed.envelope.held(at, 1)[0])

    def _ramp(self, at: int, offset: int, from_gain: float, target: float) -> _Stretch:
        rising = target >= from_gain
        return _Stretch(at, offset, from_gain, self._up if rising else self._down, rising)

    def _ramped(self, gains: Samples, lo: int, stretch: _Stretch) -> Samples:
        """``gains`` (from sample ``lo`` on) reached from the stretch's level at its start.

        On the way up the envelope still wins wherever it is lower: a dip for a cue during
        the slow rise is a dip all the same."""
        if stretch.from_gain is None:
            return gains
        start, length, before = stretch.at, stretch.ramp, np.float32(stretch.from_gain)
        gains[: max(0, min(start - lo, len(gains)))] = before  # the limiter's look-back
        a, b = max(start, lo), min(start + length, lo + len(gains))
        if a < b:
            # Raised cosine from 1 (all the level before) at ``start`` to 0 (the envelope).
            left = (0.5 + 0.5 * np.cos(np.pi * (np.arange(a, b) - start) / length))
            part = gains[a - lo : b - lo]
            ramped = part + (before - part) * left.astype(np.float32)
            gains[a - lo : b - lo] = np.minimum(part, ramped) if stretch.rising else ramped
        return gains
