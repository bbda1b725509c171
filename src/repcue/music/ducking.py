"""The music's level over the session, planned from the timeline rather than reacting to it.

Three levels, all relative to the voice: in a long rest the music comes up to ``rest_db``
under it (music/rest_level.py works that out so the whole file lands on the loudness
target); a few seconds either side of the cues it sits at the bed, ``level_db`` under;
under speech it dips ``duck_db`` further. The renderer knows every speech clip before it
sounds, so the dip is complete a little before the first syllable and lifts only once the
voice has stopped; clips closer than ``bridge_ms`` share one dip, so the music never pumps
between the words of a cue and the next, and cues closer than ``REST_BRIDGE_MS`` keep the
bed between them (a set's rep cues never let the music up). Fading in after the lead-in
and out under the finish chime are part of the same envelope. It is a pure function of
the sample index: any block gives the same gains.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from repcue.clip import Samples
from repcue.config import DEFAULT_MUSIC_LEVEL_DB
from repcue.errors import ContentError


@dataclass(frozen=True)
class Ducking:
    """How the bed sits under the voice. Levels are dB below the voice; times in ms."""

    level_db: float = DEFAULT_MUSIC_LEVEL_DB  # the bed, around the cues
    duck_db: float = 10.0  # further down under speech
    lead_ms: int = 150  # fully down this long before a clip starts
    attack_ms: int = 250  # the way down
    release_ms: int = 500  # the way back up, from the end of the clip
    bridge_ms: int = 1000  # clips closer than this share one dip
    fade_in_ms: int = 3000
    fade_out_ms: int = 4000  # before the end, when there is no finish chime to fade under
    #: In long rests, dB under the voice; None: no higher than the bed (``with_music`` sets it).
    rest_db: float | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.level_db <= 60.0:
            raise ContentError("--music-level", "", f"{self.level_db} dB is out of range",
                               value=self.level_db, allowed="0 to 60 dB under the voice")
        if not 0.0 <= self.duck_db <= 40.0:
            raise ContentError("--music-duck", "", f"{self.duck_db} dB is out of range",
                               value=self.duck_db, allowed="0 to 40 dB")
        if self.rest_db is not None and not 0.0 <= self.rest_db <= self.level_db:
            raise ContentError("--music-rest", "", f"{self.rest_db} dB is out of range",
                               value=self.rest_db,
                               allowed=f"0 to {self.level_db:g} dB under the voice")

    @property
    def rest_level_db(self) -> float:
        """dB under the voice in long rests: ``rest_db``, or the bed's level when unset."""
        return self.level_db if self.rest_db is None else self.rest_db


#: From the bed up to the rest level: the music starts down this long before a cue...
REST_LEAD_MS = 1500
REST_DOWN_MS = 1500  # ...taking this long, so it is at the bed 1.5 s before the cue
REST_HOLD_MS = 1500  # after a cue, the bed for this long...
REST_UP_MS = 2000  # ...then up over this long
#: Cues closer than this keep the bed between them: the music rises only in a real rest.
REST_BRIDGE_MS = 8000


def _db(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def _rise(n: int) -> Samples:
    """Raised cosine from 0 (first sample) towards 1 over ``n`` samples."""
    return (0.5 - 0.5 * np.cos(np.pi * np.arange(n) / max(n, 1))).astype(np.float32)


class Envelope:
    """Gain for the music at every session sample (before the mix's own gain)."""

    def __init__(self, speech: Sequence[tuple[int, int]], rate: int, ducking: Ducking,
                 start: int, fade_out_at: int, end: int,
                 tones: Sequence[tuple[int, int]] = ()) -> None:
        def samples(ms: int) -> int:
            return ms * rate // 1000

        self.ducking = ducking
        self.bed = np.float32(_db(-ducking.level_db))
        self.dip = np.float32(_db(-ducking.level_db - ducking.duck_db))
        self.rest = np.float32(_db(-ducking.rest_level_db))
        self._dips = Profile(speech, samples(ducking.lead_ms), samples(ducking.attack_ms), 0,
                             samples(ducking.release_ms), samples(ducking.bridge_ms))
        # Rep tones keep the bed too: a long hold's countdown is never under music at full.
        self.near = Profile([*speech, *tones], samples(REST_LEAD_MS), samples(REST_DOWN_MS),
                            samples(REST_HOLD_MS), samples(REST_UP_MS),
                            samples(REST_BRIDGE_MS))
        self.start, self.end = start, end
        self._fade_in = max(1, min(samples(ducking.fade_in_ms), end - start))
        self.fade_out_at = max(start, min(fade_out_at, end - 1))

    def gains(self, lo: int, hi: int, since: int | None = None) -> Samples:
        """The music's gain over session samples [lo, hi).

        With ``since`` (where live play landed after a jump or extra rest), speech that had
        ended by then is forgotten: the music does not dip for a cue heard before the jump.
        """
        level = self.level(lo, hi, since)
        if isinstance(level, np.ndarray):
            return level
        return np.full(hi - lo, level, dtype=np.float32)

    def level(self, lo: int, hi: int, since: int | None = None) -> Samples | np.float32:
        """:meth:`gains` as one value where it holds one over [lo, hi) (most blocks do), so
        the music can be scaled by it without a block of equal gains; else the gains."""
        depth = self._dips.at(lo, hi, since)
        if self.rest == self.bed:
            level: Samples | np.float32 = self.bed
        else:
            level = self.rest - self.near.at(lo, hi, since) * (self.rest - self.bed)
        value = level - depth * (level - self.dip)
        if self._faded(lo, hi):
            gains: Samples = np.full(hi - lo, value, dtype=np.float32) if np.ndim(value) == 0 \
                else np.asarray(value, dtype=np.float32)
            self._fades(gains, lo, hi)
            return gains
        return value if isinstance(value, np.ndarray) else np.float32(value)

    def held(self, at: int, n: int) -> Samples:
        """``n`` samples of the bed as it stands at ``at`` with no speech to come: the music
        under extra rest that live play inserts there (at the rest level)."""
        gains = np.full(1, self.rest, dtype=np.float32)
        self._fades(gains, at, at + 1)
        return np.full(n, gains[0], dtype=np.float32)

    def _faded(self, lo: int, hi: int) -> bool:
        """Whether [lo, hi) reaches a fade or lies outside the music (most blocks do not)."""
        return not (self.start + self._fade_in <= lo and hi <= self.fade_out_at)

    def _fades(self, gains: Samples, lo: int, hi: int) -> None:
        if not self._faded(lo, hi):
            return
        idx = np.arange(lo, hi)
        gains[(idx < self.start) | (idx >= self.end)] = 0.0
        head = (idx >= self.start) & (idx < self.start + self._fade_in)
        if head.any():
            gains[head] *= _curve((idx[head] - self.start) / self._fade_in)
        tail = idx >= self.fade_out_at
        if tail.any():
            length = max(1, self.end - self.fade_out_at)
            gains[tail] *= _curve(1.0 - (idx[tail] - self.fade_out_at) / length)


def _curve(x: npt.NDArray[np.float64]) -> Samples:
    """Raised cosine over 0..1 (a fade that starts and ends gently)."""
    curve: Samples = (0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0.0, 1.0))).astype(np.float32)
    return curve


_ZERO, _ONE = np.float32(0.0), np.float32(1.0)


class Profile:
    """0 to 1 over the session: 1 from ``lead`` before each span (spans closer than
    ``bridge`` merged) until ``hold`` after it, raised-cosine ramps of ``down`` samples
    before and ``up`` after, 0 elsewhere."""

    def __init__(self, spans: Sequence[tuple[int, int]], lead: int, down: int, hold: int,
                 up: int, bridge: int) -> None:
        self._spans = _merged(spans, bridge)
        self._stops = [stop for _, stop in self._spans]
        self._lead, self._hold = lead, hold
        self._down = _rise(max(1, down))
        self._up = _rise(max(1, up))[::-1].copy()

    def at(self, lo: int, hi: int, since: int | None = None) -> Samples | np.float32:
        """The profile over [lo, hi) (one value where it holds one); spans that ended by
        ``since`` left out."""
        ahead = self._lead + len(self._down)
        # Spans do not overlap once merged, so their stops are sorted too.
        first = bisect.bisect_left(self._stops, lo - len(self._up) - self._hold)
        if since is not None:
            first = max(first, bisect.bisect_right(self._stops, since))
        if first == len(self._spans) or self._spans[first][0] - ahead >= hi:
            return _ZERO  # no span reaches [lo, hi)
        start, stop = self._spans[first]
        if start - self._lead <= lo and hi <= stop + self._hold:
            return _ONE  # inside one span's plateau
        depth = np.zeros(hi - lo, dtype=np.float32)
        for start, stop in self._spans[first:]:
            if start - ahead >= hi:
                break
            down_at = start - self._lead
            _raise(depth, lo, down_at - len(self._down), self._down)
            a, b = max(down_at, lo), min(stop + self._hold, hi)
            if a < b:
                depth[a - lo : b - lo] = 1.0
            _raise(depth, lo, stop + self._hold, self._up)
        return depth


def _merged(speech: Sequence[tuple[int, int]], bridge: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for start, stop in sorted(speech):
        if spans and start - spans[-1][1] < bridge:
            spans[-1] = (spans[-1][0], max(spans[-1][1], stop))
        else:
            spans.append((start, stop))
    return spans


def _raise(depth: Samples, lo: int, start: int, ramp: Samples) -> None:
    a, b = max(start, lo), min(start + len(ramp), lo + len(depth))
    if a < b:
        np.maximum(depth[a - lo : b - lo], ramp[a - start : b - start],
                   out=depth[a - lo : b - lo])
