"""Speech synthesis throughput: cold and warm runs over every unique text of real workouts.

Run from the repository root:  PYTHONPATH=src .venv/bin/python benchmarks/speech.py

For each engine (piper only where the neural extra is installed) and each workout, a
cold run synthesises every unique text into a fresh cache, then a warm run reads them
all back. Printed: unique texts, seconds of audio, wall seconds, real-time factor
(audio seconds per wall second), CPU seconds over wall seconds (2.0 = both cores of a
2-core machine busy), and the warm run's time. Last, a warm-cache ``plan`` of each
workout (plan + cached clips + schedule), whose target is under 1 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from repcue.prepare import Request, prepare, unique_texts
from repcue.speech import VoiceSettings, neural_available, synthesize

WORKOUTS = ("back-strength", "long-session")


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the speech workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(engine: str, workout: str, cache: Path, workers: int | None) -> None:
    texts = unique_texts(workout)
    settings = VoiceSettings(engine=engine)
    cpu, start = cpu_seconds(), time.perf_counter()
    clips = synthesize(texts, settings, cache_dir=cache, workers=workers)
    cold = time.perf_counter() - start
    cores = (cpu_seconds() - cpu) / cold
    audio = sum(len(c.samples) / c.rate for c in clips.values())
    start = time.perf_counter()
    synthesize(texts, settings, cache_dir=cache, workers=workers)
    warm = time.perf_counter() - start
    start = time.perf_counter()
    prepare(Request(workout, engine=engine, cache_dir=cache))
    plan = time.perf_counter() - start
    print(f"{engine:<8} {workout:<14} {len(texts):>5} {audio:>8.1f} {cold:>7.2f} "
          f"{audio / cold:>7.1f}x {cores:>6.2f} {warm * 1000:>8.1f} {plan * 1000:>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, help="worker processes (default: all cores)")
    parser.add_argument("--engine", action="append", help="engine to measure; may repeat")
    args = parser.parse_args()
    engines = args.engine or (["pyttsx3", "piper"] if neural_available() else ["pyttsx3"])
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} cores, workers={args.workers or 'engine default'}, "
          f"load average before: {load} (other work on the machine skews every figure)")
    print(f"{'engine':<8} {'workout':<14} {'texts':>5} {'audio s':>8} {'cold s':>7} "
          f"{'RTF':>8} {'cpu/wall':>6} {'warm ms':>8} {'plan ms':>8}")
    for engine in engines:
        for workout in WORKOUTS:
            with tempfile.TemporaryDirectory(prefix="repcue-bench-") as folder:
                measure(engine, workout, Path(folder), args.workers)


if __name__ == "__main__":
    main()
