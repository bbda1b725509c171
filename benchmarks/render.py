"""Render speed and memory for long sessions: wall seconds, x real time, peak RSS.

Run from the repository root:  PYTHONPATH=src .venv/bin/python benchmarks/render.py
Each session length runs in its own process, so peak RSS is that length's alone.

The timelines are synthetic but session-shaped: 10-rep sets at a 2-1-1-1 tempo (a tone
about every second), a count or form cue about every 5 s during sets, 90 s silent rests
with a countdown, speech clips of sine bursts at 22050 Hz (resampled x2 like real voices),
and +4 dB of gain so the limiter works as it does after the loudness pass.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time

import numpy as np

from repcue.clip import Clip
from repcue.render import Renderer, RenderSettings
from repcue.timeline import Event, EventKind, SpeechRole, Timeline, ToneRole
from repcue.tones import default_palette

SPEECH_RATE = 22050
FORM_CUES = [f"form cue {i}" for i in range(12)]
COUNTS = [f"rep {i}" for i in range(1, 11)]
OTHER = ["announce", "rest", "ten seconds", "last set", "finish"]


def _burst(seed: int, seconds: float) -> Clip:
    """A speech stand-in: a wobbling tone with syllable-like bursts, peaking near -1 dBFS."""
    n = int(seconds * SPEECH_RATE)
    t = np.arange(n) / SPEECH_RATE
    f = 140 + 15 * seed % 90
    wave = np.sin(2 * np.pi * f * t) + 0.5 * np.sin(2 * np.pi * 2.1 * f * t)
    syllables = 0.55 + 0.45 * np.sin(2 * np.pi * 4.0 * t) ** 2
    env = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)
    wave = wave * syllables * env
    return Clip((wave / np.max(np.abs(wave)) * 0.89).astype(np.float32), SPEECH_RATE)


def _clips() -> dict[str, Clip]:
    texts = FORM_CUES + COUNTS + OTHER
    lengths = {t: (0.5 if t in COUNTS else 1.8) for t in texts}
    return {t: _burst(i, lengths[t]) for i, t in enumerate(texts)}


def session(minutes: int, clips: dict[str, Clip]) -> Timeline:
    events: list[Event] = []
    end = minutes * 60_000
    now = 2_000

    def speech(at: int, text: str, role: str) -> int:
        stop = at + clips[text].duration_ms
        events.append(Event(at, stop, EventKind.SPEECH, SpeechRole(role), text=text))
        return stop

    def tone(at: int, role: str) -> None:
        events.append(Event(at, at, EventKind.TONE, ToneRole(role)))

    set_no = 0
    while now + 150_000 < end:
        set_no += 1
        now = speech(now, "announce", "announce") + 1_000
        tone(now, "start")
        now += 1_000
        for rep in range(10):
            for offset, role in ((0, "eccentric"), (2_000, "bottom"),
                                 (3_000, "concentric"), (4_000, "top")):
                tone(now + offset, role)
            speech(now + 100, COUNTS[rep], "count")
            if rep % 2:
                speech(now + 1_000, FORM_CUES[(set_no + rep) % len(FORM_CUES)], "form")
            now += 5_000
        speech(now, "rest", "rest")
        now += 80_000
        speech(now, "ten seconds", "countdown")
        now += 7_000
        for i in range(3):
            tone(now + 1_000 * i, "countdown")
        now += 3_000
    speech(now, "finish", "finish")
    tone(now + 2_000, "finish")
    events.sort(key=lambda e: e.start_ms)
    return Timeline("bench", "bench", max(end, now + 3_000), tuple(events))


def run_one(minutes: int) -> None:
    clips = _clips()
    timeline = session(minutes, clips)
    settings = RenderSettings(lead_in_ms=1500, lead_in_noise=True, gain_db=4.0)
    began = time.perf_counter()
    renderer = Renderer(timeline, clips, default_palette(), settings)
    peak = 0.0
    count = 0
    for block in renderer.blocks():
        peak = max(peak, float(np.max(np.abs(block))))
        count += len(block)
    wall = time.perf_counter() - began
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    audio_s = count / settings.rate
    print(f"{minutes:4d} min  {len(timeline.events):6d} events  {wall:6.2f} s wall  "
          f"{audio_s / wall:7.0f}x real time  peak RSS {rss_mb:6.1f} MB  "
          f"peak {20 * np.log10(peak):.2f} dBFS")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, nargs="*", default=[20, 60, 180])
    parser.add_argument("--one", action="store_true", help="run in this process (internal)")
    args = parser.parse_args()
    if args.one:
        for minutes in args.minutes:
            run_one(minutes)
        return
    for minutes in args.minutes:
        subprocess.run([sys.executable, __file__, "--one", "--minutes", str(minutes)],
                       check=True)


if __name__ == "__main__":
    main()
