"""Make every cue sound equally present: trim the silence around it, set one speech level.

Loudness is an *active speech level*: the RMS of the 10 ms frames that are
within 35 dB of the loudest frame (a simplified ITU-T P.56), brought to
-20 dBFS. For speech that lands close to -20 LUFS, and unlike pyloudnorm's
400 ms gating blocks it also works for a 250 ms "Go." The gain is capped so the
peak stays below -1 dBFS; espeak and Piper speech rarely hits the cap.
"""

from __future__ import annotations

import numpy as np

from repcue.clip import Clip, Samples
from repcue.units import db_to_gain

#: Bumped whenever the processing below changes, so cached clips are redone.
POLISH_VERSION = 2

TARGET_DBFS = -20.0
PEAK_CEILING = db_to_gain(-1.0)
FRAME_SECONDS = 0.010
#: A clip whose loudest frame has less RMS than this is silence throughout.
SILENT_RMS = 1e-5
#: Frames this far below the loudest frame are silence for trimming.
TRIM_BELOW_DB = 40.0
#: Frames this far below the loudest frame are pauses, not speech, for the level.
ACTIVE_WITHIN_DB = 35.0
#: Kept around the speech so soft onsets ("f", "h") and release tails are not cut.
PAD_SECONDS = 0.015
#: A cut can land mid-waveform; a short fade keeps it from clicking.
FADE_SECONDS = 0.005


def _frame_rms(clip: Clip) -> tuple[int, Samples]:
    """The frame length in samples, and the RMS of each frame (the last one zero-padded)."""
    frame = max(1, int(clip.rate * FRAME_SECONDS))
    count = -(-len(clip.samples) // frame)
    padded = np.zeros(count * frame, dtype=np.float64)
    padded[: len(clip.samples)] = clip.samples
    rms: Samples = np.sqrt(np.mean(np.square(padded.reshape(count, frame)), axis=1)).astype(
        np.float32
    )
    return frame, rms


def trim(clip: Clip) -> Clip:
    """Cut leading and trailing silence, keeping a short pad and fading the cut edges.

    A clip that is silence throughout becomes an empty clip.
    """
    frame, rms = _frame_rms(clip)
    loudest = float(rms.max()) if len(rms) else 0.0
    if loudest < SILENT_RMS:
        return Clip(np.zeros(0, dtype=np.float32), clip.rate)
    loud = np.flatnonzero(rms >= loudest * db_to_gain(-TRIM_BELOW_DB))
    pad = int(clip.rate * PAD_SECONDS)
    start = max(0, int(loud[0]) * frame - pad)
    end = min(len(clip.samples), (int(loud[-1]) + 1) * frame + pad)
    samples = np.array(clip.samples[start:end], dtype=np.float32)
    fade = min(int(clip.rate * FADE_SECONDS), len(samples) // 2)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade, endpoint=False, dtype=np.float32)
        samples[:fade] *= ramp
        samples[-fade:] *= ramp[::-1]
    return Clip(samples, clip.rate)


def speech_level_dbfs(clip: Clip) -> float:
    """Active speech level in dBFS; ``-inf`` for silence."""
    _, rms = _frame_rms(clip)
    if not len(rms) or float(rms.max()) < SILENT_RMS:
        return float("-inf")
    active = rms[rms >= rms.max() * db_to_gain(-ACTIVE_WITHIN_DB)].astype(np.float64)
    return float(20 * np.log10(np.sqrt(np.mean(np.square(active)))))


def level(clip: Clip) -> Clip:
    """Bring the clip to the target speech level without letting its peak pass -1 dBFS."""
    current = speech_level_dbfs(clip)
    if current == float("-inf"):
        return clip
    gain = db_to_gain(TARGET_DBFS - current)
    peak = float(np.max(np.abs(clip.samples)))
    gain = min(gain, PEAK_CEILING / peak)
    return Clip((clip.samples * np.float32(gain)).astype(np.float32), clip.rate)


def polish(clip: Clip) -> Clip:
    """Trim, then level: what every synthesised cue goes through before it is cached."""
    return level(trim(clip))
