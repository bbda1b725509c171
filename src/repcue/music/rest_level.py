"""How loud the music comes up in long rests: so the whole file lands on the loudness target.

The voice alone is mastered to the target (mix/master.py), and under and around the cues
the music sits well under it. But BS.1770's gate counts blocks of music alone too, so a
session that is mostly rest, with the music kept at the bed level there, measured 7 LU
under the target (a synthetic hour with 75 s rests: -26 LUFS, the voice on -19). A file
that quiet next to the rest of a lifter's podcasts and music is turned up, and then the
voice is too loud. So in long rests the music comes up, to the level at which the whole
file measures the target, and goes back to the bed before the next cue: the voice keeps its
level, its room under the limiter, and a quiet bed whenever it speaks.

The level is worked out from the timeline, before anything is rendered or decoded: at 20 ms
resolution, the voice's power wherever a cue sounds (the voice, gated, measures the target)
plus the music's (every track is levelled to the voice, then set by the envelope), gated as
BS.1770 gates. Everything is relative to the target, so the level depends only on the
session's shape. Rep tones are left out (they add a little: the model errs towards music a
little too loud, which the meter then reports). Never louder than the voice
(``MIN_REST_DB``), never quieter than the bed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from repcue.mix.loudness import Floats, gated_loudness
from repcue.music.ducking import Ducking, Envelope

#: The music in rests comes up at most to the voice's own loudness. The voice stays the
#: loudest thing whenever it speaks (the bed and the dip put the music 25 dB under it), and in
#: a session that is mostly rest only music about as loud as the voice brings the whole file
#: to the target (a synthetic hour with 75 s rests: -20.2 LUFS with the music 1 dB under).
MIN_REST_DB = 0.0
#: The model's resolution: 20 ms (five to a BS.1770 step; the ramps are 150 ms and more).
_RATE = 50
_STEP = _RATE // 10  # samples per BS.1770 step of 100 ms


def rest_level_db(speech_ms: Sequence[tuple[int, int]], duration_ms: int, ducking: Ducking,
                  target_lufs: float, fade_out_at_ms: int | None = None,
                  tones_ms: Sequence[tuple[int, int]] = ()) -> float:
    """dB under the voice for the music in long rests of a session of ``duration_ms`` whose
    cues sound over ``speech_ms`` and tones over ``tones_ms`` (timeline ms), so the whole
    measures ``target_lufs``."""
    at = _coarse(speech_ms)
    tones = _coarse(tones_ms)
    n = max(1, -(-duration_ms * _RATE // 1000))
    voice = np.zeros(n)
    for a, b in at:
        voice[a:min(b, n)] = 1.0
    # The voice's power while it sounds, such that the voice alone measures the target (as
    # the mix's gain search makes it): blocks it only partly fills count as they do there.
    alone = gated_loudness(_steps(voice), _STEP)
    if not np.isfinite(alone):
        return ducking.level_db
    voice *= 10.0 ** ((target_lufs - alone) / 10.0)
    # Every track is levelled to the voice's loudness: its mean square before the envelope.
    music = 10.0 ** ((target_lufs + 0.691) / 10.0)

    def gains(rest_db: float) -> Floats:
        fade_out = n if fade_out_at_ms is None else fade_out_at_ms * _RATE // 1000
        envelope = Envelope(at, _RATE, _with_rest(ducking, rest_db), 0, fade_out, n, tones)
        return envelope.gains(0, n).astype(np.float64)

    # The gain is linear in the rest level's amplitude, g = base + share * rise, so each step's
    # music energy is a quadratic in the share whose three sums are taken once.
    bed, loudest = ducking.level_db, MIN_REST_DB
    base = gains(bed)
    rise = gains(loudest) - base
    sums = (_steps(voice), music * _steps(base * base), music * _steps(2.0 * base * rise),
            music * _steps(rise * rise))
    bed_amp, loudest_amp = 10.0 ** (-bed / 20.0), 10.0 ** (-loudest / 20.0)

    def whole(rest_db: float) -> float:
        share = (10.0 ** (-rest_db / 20.0) - bed_amp) / (loudest_amp - bed_amp)
        voiced, fixed, linear, square = sums
        # Voice and music are uncorrelated: their powers add.
        return gated_loudness(voiced + fixed + share * (linear + share * square), _STEP)

    if bed <= loudest or whole(bed) >= target_lufs or whole(loudest) == whole(bed):
        return bed  # on the target already, or no rest long enough for the music to rise
    if whole(loudest) <= target_lufs:
        return loudest
    low, high = loudest, bed  # whole(low) > target > whole(high)
    for _ in range(14):  # to 0.001 dB of the 15 dB between them
        middle = (low + high) / 2
        if whole(middle) > target_lufs:
            low = middle
        else:
            high = middle
    return round((low + high) / 2, 2)


def _coarse(spans_ms: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    return [(a * _RATE // 1000, max(a * _RATE // 1000 + 1, -(-b * _RATE // 1000)))
            for a, b in spans_ms]


def _steps(per_sample: Floats) -> Floats:
    """Energy per 100 ms step."""
    steps: Floats = per_sample[: len(per_sample) // _STEP * _STEP].reshape(-1, _STEP).sum(axis=1)
    return steps


def _with_rest(ducking: Ducking, rest_db: float) -> Ducking:
    return replace(ducking, rest_db=min(rest_db, ducking.level_db))
