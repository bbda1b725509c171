"""The units sound and time are counted in, and the one way to convert between them.

The core keeps integer milliseconds; samples appear only where sound is made (render, mix,
player), always through :func:`ms_to_samples` (floor), so a time lands on the same sample
everywhere. Levels are decibels everywhere but inside a multiplication. Times shown to the
lifter come from the formatters at the bottom, each named for where it is read.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

#: The rate the session is mixed and played at: 44.1 kHz suits MP3 and a music bed, and
#: the voices' 22.05 kHz goes into it by an exact factor of two.
MIX_RATE = 44100
#: The speech engines' own rate (pyttsx3/espeak-ng and Piper both speak at it).
SPEECH_RATE = 22050


# --- time ------------------------------------------------------------------------------------


def ms_to_samples(ms: int, rate: int) -> int:
    """Samples in ``ms`` at ``rate``, rounded down (the one rounding the renderer uses)."""
    return ms * rate // 1000


def samples_to_ms(samples: int, rate: int) -> int:
    """Whole milliseconds in ``samples`` at ``rate``, rounded down."""
    return samples * 1000 // rate


# --- level -----------------------------------------------------------------------------------


def db_to_gain(db: float) -> float:
    """The amplitude factor of a level change of ``db`` decibels."""
    return float(10.0 ** (db / 20.0))


def gain_to_db(gain: float) -> float:
    """The level in decibels of an amplitude factor (or peak) ``gain``; -inf for silence."""
    return 20.0 * math.log10(gain) if gain > 0 else -math.inf


def raised_cosine(n: int) -> npt.NDArray[np.float64]:
    """A raised-cosine rise from exactly 0 towards 1 over ``n`` samples (for fades).

    Reversed, it is the matching fall; ``n`` of 0 gives an empty ramp.
    """
    return 0.5 - 0.5 * np.cos(np.pi * np.arange(n) / max(n, 1))


# --- times shown to the lifter ---------------------------------------------------------------


def position_text(ms: int) -> str:
    """``[h:]mm:ss`` of a place in the session: what ``--start-at`` reads back."""
    seconds = max(0, ms) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def duration_text(ms: int) -> str:
    """``[h:]m:ss`` of a length, as a music player shows a track's."""
    minutes, seconds = divmod(ms // 1000, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def plan_time_text(ms: int) -> str:
    """``mm:ss.s`` of a cue's start in the printed plan (tenths show the tempo grid)."""
    minutes, rest = divmod(ms, 60_000)
    return f"{minutes:02d}:{rest / 1000:04.1f}"
