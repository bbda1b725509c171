"""Plan + schedule of a 3-hour workout (estimated speech), in milliseconds. Target: < 100 ms.

Run: .venv/bin/python benchmarks/plan.py
"""

from __future__ import annotations

import time

from repcue.content import Library
from repcue.model import Workout
from repcue.plan import plan, resolve_timings
from repcue.schedule import estimate_ms, schedule


def three_hour_workout() -> Workout:
    """long-session (about an hour) three times over."""
    base = Library.discover(include_user=False).workout("long-session")
    return Workout("three-hours", "Three hours", base.intro, base.entries * 3, base.timing,
                   base.seed, base.source)


def main() -> None:
    workout = three_hour_workout()
    durations: dict[str, int] = {}

    def measured(text: str) -> int:  # a dict lookup, as with real clips
        if text not in durations:
            durations[text] = estimate_ms(text)
        return durations[text]

    timings = resolve_timings(workout)
    schedule(plan(workout, timings), measured)  # warm the duration table
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        timeline = schedule(plan(workout, timings), measured)
        runs.append((time.perf_counter() - start) * 1000)
    print(f"session: {timeline.duration_ms / 3_600_000:.2f} h, {len(timeline.events)} events, "
          f"{len(timeline.speech())} spoken cues")
    print(f"plan + schedule: best {min(runs):.1f} ms, median {sorted(runs)[2]:.1f} ms "
          f"(target < 100 ms)")


if __name__ == "__main__":
    main()
