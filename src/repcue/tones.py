"""The rep tones: one short, distinct sound per phase start, countdown, set start and finish.

The default palette is synthesised in numpy, so it needs no files and is the same on
every machine; ``scripts/make_audio_assets`` writes the same sounds to
``audio_assets/tones/`` for people who want to hear or replace them. A user can point any
role at their own WAV, MP3 or OGG; it is decoded through pydub (ffmpeg).

Every tone is peak-normalised to full scale: the renderer sets the level (``tone_db``),
so a loud user file and a quiet one sound alike in the mix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from repcue.clip import Clip, Samples
from repcue.errors import AudioError, ContentError
from repcue.resample import resample
from repcue.timeline import TONE_ROLES
from repcue.units import MIX_RATE, raised_cosine

__all__ = [
    "ALLOWED_SUFFIXES",
    "MAX_TONE_SECONDS",
    "TONE_ROLES",
    "TonePalette",
    "default_palette",
    "load_palette",
]

ALLOWED_SUFFIXES: tuple[str, ...] = (".wav", ".mp3", ".ogg")
#: A tone marks a moment; a longer sound would smear over the next rep's tones.
MAX_TONE_SECONDS = 5.0
#: Fades put on user sounds so a file cut mid-wave does not click.
_USER_FADE_SECONDS = 0.003

Float64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class TonePalette:
    """The sound for each tone role, all at ``rate``."""

    rate: int
    tones: Mapping[str, Clip]

    def tone(self, role: str) -> Clip:
        try:
            return self.tones[role]
        except KeyError:
            raise _no_tone(role) from None


def _no_tone(role: str) -> AudioError:
    return AudioError(f"no tone for role {str(role)!r} (allowed: {', '.join(TONE_ROLES)})")


# --- synthesis ----------------------------------------------------------------------------


def _voice(
    rate: int,
    seconds: float,
    f_start: float,
    f_end: float | None = None,
    partials: Sequence[tuple[int, float]] = ((1, 1.0), (2, 0.25)),
    decay: float = 6.0,
    attack: float = 0.005,
    release: float = 0.015,
) -> Float64:
    """One note: an exponential pitch glide with a few harmonics, enveloped to start and end at 0.

    Harmonics make a tone cut through gym noise on small earbuds, where a bare sine
    below 500 Hz nearly vanishes.
    """
    n = max(2, round(seconds * rate))
    t = np.arange(n) / rate
    f_end = f_start if f_end is None else f_end
    # Exponential glide: the phase is the integral of f0 * (f1/f0)^(t/T).
    if f_end == f_start:
        phase = 2 * np.pi * f_start * t
    else:
        k = math.log(f_end / f_start) / seconds
        phase = 2 * np.pi * f_start * (np.exp(k * t) - 1) / k
    wave = sum(amp * np.sin(h * phase) for h, amp in partials)
    env = np.exp(-decay * t)
    a = min(n // 2, max(1, round(attack * rate)))
    r = min(n - a, max(1, round(release * rate)))
    env[:a] *= raised_cosine(a)
    # The release ends on the sample after the last, so the last sample is exactly 0 too.
    env[n - r :] *= raised_cosine(r + 1)[::-1][1:]
    return np.asarray(wave * env, dtype=np.float64)


def _notes(rate: int, notes: Sequence[tuple[float, Float64]]) -> Float64:
    """Notes laid at their offsets (seconds), overlapping so a chime rings on."""
    length = max(round(at * rate) + len(note) for at, note in notes)
    out = np.zeros(length)
    for at, note in notes:
        start = round(at * rate)
        out[start : start + len(note)] += note
    return out


def _synthesise(role: str, rate: int) -> Float64:
    bright = ((1, 1.0), (2, 0.35), (3, 0.15))
    if role == "eccentric":  # lowering under control: a slow falling glide
        return _voice(rate, 0.26, 740.0, 494.0, decay=4.0)
    if role == "bottom":  # the low turnaround: a short woody knock
        return _voice(rate, 0.09, 330.0, partials=((1, 1.0), (3, 0.3)), decay=30.0)
    if role == "concentric":  # drive up: a quick bright rising glide
        return _voice(rate, 0.17, 523.0, 1047.0, partials=bright, decay=5.0)
    if role == "top":  # lockout: a high tick
        return _voice(rate, 0.07, 1568.0, decay=35.0)
    if role == "hold":  # hold still: two even mid pulses
        pulse = _voice(rate, 0.08, 587.0, decay=8.0)
        return _notes(rate, [(0.0, pulse), (0.13, pulse)])
    if role == "countdown":  # the familiar timer beep
        return _voice(rate, 0.12, 1000.0, partials=((1, 1.0), (3, 0.1)), decay=3.0)
    if role == "start":  # a rising two-note call to begin
        return _notes(
            rate,
            [(0.0, _voice(rate, 0.3, 659.0, partials=bright)),
             (0.12, _voice(rate, 0.35, 988.0, partials=bright))],
        )
    if role == "finish":  # a rising three-note chime: done
        return _notes(
            rate,
            [(0.0, _voice(rate, 0.45, 1047.0, decay=5.0)),
             (0.13, _voice(rate, 0.45, 1319.0, decay=5.0)),
             (0.26, _voice(rate, 0.6, 1568.0, decay=4.0))],
        )
    raise _no_tone(role)


def _normalised(wave: Float64 | Samples) -> Samples:
    peak = float(np.max(np.abs(wave))) if len(wave) else 0.0
    scaled = wave / peak if peak > 0 else wave
    return np.ascontiguousarray(scaled, dtype=np.float32)


def default_palette(rate: int = MIX_RATE) -> TonePalette:
    """The built-in tones, synthesised at ``rate``."""
    if rate <= 0:
        raise AudioError(f"tone rate must be a positive number of Hz, got {rate}")
    tones = {role.value: Clip(_normalised(_synthesise(role, rate)), rate) for role in TONE_ROLES}
    return TonePalette(rate=rate, tones=tones)


# --- user sounds --------------------------------------------------------------------------


def _decode(path: Path, role: str, rate: int) -> Clip:
    """A user's sound file as a peak-normalised, faded mono clip at ``rate``."""
    source = str(path)
    field = f"sounds.{role}"
    suffix = path.suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ContentError(
            source, field, f"unsupported sound format {path.suffix or '(none)'!r}",
            value=str(path), allowed="WAV, MP3 or OGG files",
        )
    if not path.is_file():
        raise ContentError(source, field, "sound file not found", value=str(path),
                           allowed="an existing WAV, MP3 or OGG file")
    from pydub import AudioSegment
    from pydub.exceptions import CouldntDecodeError

    try:
        # An open file, not a path: pydub leaves files it opens itself unclosed for WAV.
        with path.open("rb") as stream:
            segment = AudioSegment.from_file(stream, format=suffix[1:])
    except (CouldntDecodeError, OSError, IndexError) as err:
        # pydub raises IndexError on some truncated WAV headers; all mean "not a sound file".
        problem = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ContentError(source, field, f"cannot decode sound file ({problem[:120]})",
                           value=str(path), allowed="a WAV, MP3 or OGG file") from None
    segment = segment.set_channels(1)
    full_scale = float(1 << (8 * segment.sample_width - 1))
    raw = np.asarray(segment.get_array_of_samples(), dtype=np.float64) / full_scale
    if len(raw) == 0 or not np.any(raw):
        raise ContentError(source, field, "sound file is empty or silent", value=str(path),
                           allowed="a WAV, MP3 or OGG file with sound in it")
    seconds = len(raw) / segment.frame_rate
    if seconds > MAX_TONE_SECONDS:
        raise ContentError(source, field, f"sound is {seconds:.1f} s long", value=str(path),
                           allowed=f"at most {MAX_TONE_SECONDS:g} s")
    samples = resample(raw.astype(np.float32), int(segment.frame_rate), rate).astype(np.float64)
    fade = min(len(samples) // 2, max(1, round(_USER_FADE_SECONDS * rate)))
    samples[:fade] *= raised_cosine(fade)
    samples[len(samples) - fade :] *= raised_cosine(fade + 1)[::-1][1:]
    return Clip(_normalised(samples), rate)


def load_palette(overrides: Mapping[str, Path], rate: int = MIX_RATE) -> TonePalette:
    """The default palette with some roles replaced by the user's own sound files."""
    palette = default_palette(rate)
    tones = dict(palette.tones)
    for role, path in overrides.items():
        if role not in TONE_ROLES:
            raise ContentError(str(path), f"sounds.{role}", f"unknown tone role {role}",
                               value=role, allowed=", ".join(TONE_ROLES))
        tones[role] = _decode(Path(path), role, rate)
    return TonePalette(rate=rate, tones=tones)
