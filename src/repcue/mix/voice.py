"""The voice, mastered cue by cue: one loudness for every cue, its loudest syllables ridden down.

Speech mastering levels each phrase, then compresses gently, so the programme reaches its
loudness with the final limiter only catching rare peaks. A cue is short and whole, so both
run on the whole clip at once, before mixing:

1. **Level**: every cue is brought to the same loudness (K-weighted, over its active 10 ms
   blocks, gated like the speech polish's active speech level), so "Pull." and a long
   form cue sit at the same level in the mix and the mix gain means the same for each.
2. **Ride the peaks**: a peak-sensing compressor (the peak of each millisecond, 4:1 above a
   threshold THRESHOLD_LU over the cue's loudness, soft knee). Its gain comes down over a
   5 ms look-ahead and recovers over 150 ms: a loud vowel is taken down as a whole, and the
   consonant after it stays at the vowel's gain instead of being pumped up, so the balance
   of consonants to vowels (what makes a short word intelligible) is kept. Only syllables
   that would otherwise reach the limiter are touched: a cue whose peaks sit less than
   THRESHOLD_LU over its loudness passes unchanged.

Measured on the built-in workouts (Piper voice, -19 LUFS, limiter ceiling -2 dBFS):
without riding, the limiter takes more than 1 dB from 8 % of speech blocks (99th
percentile 3.6 dB); with it 1.4 % (1.1 dB), while the voice keeps its peak-to-loudness
ratio within 1.2 dB of the clips' own (``benchmarks/loudness.py``). A slower, RMS-sensing
compressor (2:1 to 3:1 over 20 ms) took as much off the voice's dynamics and left the
limiter twice the work: speech peaks are syllable peaks, and the peak detector sees them.

Everything here is numpy on a 1 ms grid (a cue of 2 s is 2,000 points), once per cue per
mix (about 0.3 s for the 93 distinct cues of the 65-minute long-session); the result
depends only on the clip, so play and export get the same samples.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

import numpy as np
import numpy.typing as npt

from repcue.clip import Clip, Samples
from repcue.mix.loudness import k_weighted

Floats = npt.NDArray[np.float64]

#: Bump when the processing below changes, so remembered mix gains are measured again.
VOICE_VERSION = "1"
#: Every cue is levelled to this loudness before the mix gain (the speech polish's level).
CUE_LOUDNESS_LUFS = -20.0
#: Peaks this far over the cue's loudness start to be ridden down. At -19 LUFS a session's
#: active speech sits ~2 dB over its integrated loudness, so with the limiter at -2 dBFS
#: a peak has about 15 dB above the cue's loudness before the limiter would touch it.
THRESHOLD_LU = 12.0
RATIO = 4.0
KNEE_DB = 4.0
ATTACK_MS = 5
RELEASE_MS = 150
#: Active speech: 10 ms blocks within this of the cue's loudest (as the polish gates).
ACTIVE_WITHIN_DB = 35.0


def _blocks(x: Floats, size: int) -> Floats:
    whole = len(x) // size * size
    return x[:whole].reshape(-1, size)


def cue_loudness(samples: Samples, rate: int) -> float:
    """K-weighted loudness (LUFS) of a cue's active speech; ``-inf`` for silence.

    BS.1770's 400 ms gating blocks are longer than "Go.", so the gate works on 10 ms blocks.
    """
    size = max(1, rate // 100)
    x = samples.astype(np.float64)
    plain = _blocks(x, size)
    if len(plain) == 0:
        return -math.inf
    rms = np.sqrt(np.mean(plain * plain, axis=1))
    if float(rms.max()) <= 0.0:
        return -math.inf
    active = rms >= rms.max() * 10.0 ** (-ACTIVE_WITHIN_DB / 20.0)
    weighted = _blocks(k_weighted(samples, rate)[: len(x)], size)[active]
    energy = float(np.mean(weighted * weighted))
    return -0.691 + 10.0 * math.log10(energy) if energy > 0.0 else -math.inf


def reduction_db(samples: Floats, rate: int, loudness: float) -> Floats:
    """The compressor's gain reduction (dB, >= 0) for each sample of a levelled cue."""
    step = max(1, rate // 1000)
    count = -(-len(samples) // step)
    padded = np.zeros(count * step)
    padded[: len(samples)] = np.abs(samples)
    peaks = padded.reshape(count, step).max(axis=1)
    over = 20.0 * np.log10(np.maximum(peaks, 1e-9)) - loudness - THRESHOLD_LU
    slope = 1.0 - 1.0 / RATIO
    half = KNEE_DB / 2.0
    static = np.where(over >= half, slope * over,
                      np.where(over > -half, slope * (over + half) ** 2 / (2.0 * KNEE_DB), 0.0))
    if not np.any(static > 0.0):
        return np.zeros(len(samples))
    # Look-ahead: each point takes the largest reduction due within the attack time...
    ahead = np.max(_windows(np.concatenate((static, np.zeros(ATTACK_MS))), ATTACK_MS + 1),
                   axis=1)[:count]
    # ...holds it, and lets go exponentially over the release time.
    held = _release(ahead, math.exp(-1.0 / RELEASE_MS))
    # A 5 ms average rounds off the corners, so the gain never steps (no clicks).
    held = np.convolve(held, np.full(ATTACK_MS, 1.0 / ATTACK_MS), mode="same")
    # Linear between the 1 ms points (each at the middle of its millisecond), so the gain
    # moves smoothly from sample to sample.
    centres = np.arange(count) * step + (step - 1) / 2.0
    return np.interp(np.arange(len(samples)), centres, held)


def _windows(x: Floats, width: int) -> Floats:
    return np.lib.stride_tricks.sliding_window_view(x, width)


def _release(reduction: Floats, keep: float) -> Floats:
    """Peak hold with exponential decay: ``out[i] = max(in[i], out[i-1] * keep)``.

    Unrolled, ``out[i] = max over j <= i of in[j] * keep**(i - j)``: in logarithms a
    running maximum, so numpy does it in one pass instead of a Python loop.
    """
    rate = -math.log(keep)
    ramp = np.arange(len(reduction)) * rate
    with np.errstate(divide="ignore"):
        logs = np.log(reduction)  # -inf where nothing is reduced
    held: Floats = np.exp(np.maximum.accumulate(logs + ramp) - ramp)
    return held


def master_cue(clip: Clip) -> Clip:
    """The cue levelled to CUE_LOUDNESS_LUFS with its loudest syllables ridden down."""
    loudness = cue_loudness(clip.samples, clip.rate)
    if not math.isfinite(loudness):
        return clip
    levelled = clip.samples.astype(np.float64) * 10.0 ** ((CUE_LOUDNESS_LUFS - loudness) / 20.0)
    reduction = reduction_db(levelled, clip.rate, CUE_LOUDNESS_LUFS)
    ridden = reduction > 0.0
    mastered = levelled
    if ridden.any():
        mastered[ridden] *= 10.0 ** (-reduction[ridden] / 20.0)
    return Clip(mastered.astype(np.float32), clip.rate)


class MasteredCues(Mapping[str, Clip]):
    """The cues by text, each mastered the first time it is asked for.

    Live play must sound within a fraction of a second, and mastering every cue of a long
    session takes longer than that: here the renderer masters each cue when it first plays
    it, on its own thread, ahead of the device. Mastering keeps a clip's length and rate, so
    ``unmastered`` answers how long a cue is without mastering it. Renderers on several
    threads may share one: two threads mastering the same cue get the same samples.
    """

    def __init__(self, clips: Mapping[str, Clip]) -> None:
        self.unmastered = clips
        self._done: dict[str, Clip] = {}

    def __getitem__(self, text: str) -> Clip:
        done = self._done.get(text)
        if done is None:
            done = self._done[text] = master_cue(self.unmastered[text])
        return done

    def __contains__(self, text: object) -> bool:
        return text in self.unmastered  # Mapping's own would master the cue to find out

    def __iter__(self) -> Iterator[str]:
        return iter(self.unmastered)

    def __len__(self) -> int:
        return len(self.unmastered)


def master_cues(clips: Mapping[str, Clip]) -> MasteredCues:
    """Every cue mastered (when first asked for), by text."""
    return clips if isinstance(clips, MasteredCues) else MasteredCues(clips)


def unmastered(clips: Mapping[str, Clip]) -> Mapping[str, Clip]:
    """The clips as spoken: their lengths are the mastered cues' lengths."""
    return clips.unmastered if isinstance(clips, MasteredCues) else clips
