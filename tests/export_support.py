"""Hand-built sessions for the export tests: timelines from Event/Timeline and synthetic clips.

Speech is stood in for by speech-shaped noise (band-limited, syllable-modulated), so the
loudness and limiter see something like a voice without running a speech engine.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from repcue.clip import Clip
from repcue.export import ExportOptions, ExportResult, export_mix, export_session
from repcue.mix.gain_search import Progress
from repcue.mix.loudness import LoudnessMeter
from repcue.render import Renderer
from repcue.timeline import Event, Timeline
from repcue.tones import TonePalette
from timelines import event

SPEECH_RATE = 22050


def speech_like(seed: int, ms: int, rate: int = SPEECH_RATE) -> Clip:
    """Voice-shaped sound levelled like the speech polish does: -20 dBFS active, peak <= -1."""
    rng = np.random.default_rng(seed)
    n = rate * ms // 1000
    t = np.arange(n) / rate
    f0 = 110 + 60 * rng.random() + 15 * np.sin(2 * np.pi * 0.7 * t)
    phase = np.cumsum(f0) / rate
    pulses = np.diff(np.floor(phase), prepend=0.0) * 8.0  # one glottal pulse per period
    buzz = pulses + 0.3 * rng.standard_normal(n)
    # Two one-pole low-passes (as truncated exponentials, so the benchmark that builds these
    # sessions need not import scipy): the falling spectrum of a voice above a few hundred Hz.
    voice = np.convolve(buzz, 0.15 * 0.85 ** np.arange(80))[:n]
    voice = np.convolve(voice, 0.3 * 0.7 ** np.arange(50))[:n]
    syllables = np.clip(np.sin(2 * np.pi * (3.5 + rng.random()) * t), 0, None) ** 0.7
    fade = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)
    wave = voice * syllables * fade
    active = wave[syllables > 0.3]
    wave *= 10 ** (-20 / 20) / float(np.sqrt(np.mean(active**2)))
    wave *= min(1.0, 10 ** (-1 / 20) / float(np.max(np.abs(wave))))
    return Clip(wave.astype(np.float32), rate)


CUES = ("Tailbone down. Brace.", "Now squat.", "Slow on the way down.", "Drive up.",
        "Rest. Breathe.", "Last rep.", "Good. Shake it out.")


def workout(sets: int = 2, reps: int = 4, rest_ms: int = 8000, rep_ms: int = 4000,
            exercises: tuple[str, ...] = ("Kettlebell squat", "Dumbbell row")
            ) -> tuple[Timeline, dict[str, Clip]]:
    """A small but complete session: exercises, sets (one per side for rows), reps, rests."""
    clips = {text: speech_like(i, 500 + 120 * len(text.split())) for i, text in
             enumerate(CUES + ("Welcome.",) + exercises)}
    events: list[Event] = [event(0, clips["Welcome."].duration_ms, "speech", "intro", "Welcome.")]
    t = 1500
    for name in exercises:
        ex_id = name.lower().replace(" ", "-")
        events.append(event(t, t, "marker", "exercise", name, exercise=ex_id))
        events.append(event(t, t + clips[name].duration_ms, "speech", "announce", name,
                            exercise=ex_id))
        t += 2500
        sides = ("left", "right") if "row" in ex_id else (None,)
        for s in range(1, sets + 1):
            for side in sides:
                events.append(event(t, t, "marker", "set", f"Set {s} of {sets}", exercise=ex_id,
                                    set=s, side=side))
                events.append(event(t, t + 100, "tone", "start", exercise=ex_id, set=s))
                t += 400
                for r in range(1, reps + 1):
                    cue = CUES[0] if r == 1 else CUES[(r % 3) + 1]
                    events.append(event(t, t + clips[cue].duration_ms, "speech", "preset", cue,
                                        exercise=ex_id, set=s, side=side, rep=r))
                    t += clips[cue].duration_ms + 200
                    for phase, length in (("eccentric", rep_ms // 2), ("concentric", rep_ms // 2)):
                        events.append(event(t, t + length, "phase", phase, exercise=ex_id, set=s,
                                            side=side, rep=r))
                        events.append(event(t, t, "tone", phase, exercise=ex_id, set=s,
                                            side=side, rep=r))
                        t += length
                events.append(event(t, t, "marker", "rest", exercise=ex_id, set=s, side=side))
                events.append(event(t, t + clips[CUES[4]].duration_ms, "speech", "rest", CUES[4],
                                    exercise=ex_id, set=s))
                t += rest_ms
    events.append(event(t, t + 100, "tone", "finish"))
    t += 600
    events.sort(key=lambda e: e.start_ms)
    return Timeline("test-workout", "Test workout", t, tuple(events)), clips


def metered(renderer: Renderer) -> LoudnessMeter:
    """A loudness meter (no true peak) fed the renderer's whole session, block by block."""
    meter = LoudnessMeter(renderer.rate, true_peak=False)
    for block in renderer.blocks():
        meter.add(block)
    return meter


def decode(path: Path, rate: int = 44100) -> np.ndarray:
    """Decode any audio file with ffmpeg to mono float32 at ``rate``."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(rate),
         "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, "<i2").astype(np.float32) / 32768.0


def export_to(timeline: Timeline, clips: Mapping[str, Clip], palette: TonePalette, path: Path,
              options: ExportOptions = ExportOptions(),  # noqa: B008  frozen
              progress: Progress | None = None, *,
              cancel: threading.Event | None = None) -> ExportResult:
    """Master ``timeline`` for ``options`` and export it: what ``repcue export`` does."""
    mix = export_mix(timeline, clips, palette, options, progress)
    return export_session(mix, path, options, progress, cancel=cancel)
