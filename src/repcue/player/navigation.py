"""Where the skip keys land: set starts, the set before, and where extra rest goes.

Pure functions of the timeline's markers, in output samples (the renderer's ``sample_at``),
so the player and its tests agree on every landing point to the sample.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, replace

from repcue.durations import parse_ms
from repcue.errors import InputError, NotFoundError
from repcue.timeline import MarkerRole, Timeline
from repcue.units import ms_to_samples, position_text

#: Pressing "back" this soon after a set started goes to the set before, like a music player.
AGAIN_MS = 3000
#: One press of "+" adds this much rest.
EXTRA_REST_MS = 15_000
#: A rest that waits for the lifter replays its waiting stretch from at most this far back,
#: so the reminder at its end comes about once a minute.
WAIT_LOOP_MS = 60_000


@dataclass(frozen=True)
class Wait:
    """A rest that waits for the lifter (``rest = "ready"``), in output samples: from ``start``
    the player plays on to ``loop_at`` (silence, after the reminder), goes back to
    ``loop_from`` (silence, after the rest's own call) and does so until the lifter is ready;
    then it goes on from ``ready`` ("Ten seconds.", then the set)."""

    start: int
    loop_from: int
    loop_at: int
    ready: int


@dataclass(frozen=True)
class Course:
    """The landmarks of one session in output samples."""

    rate: int
    set_starts: tuple[int, ...]
    rests: tuple[tuple[int, int], ...]  # (start, end) of each rest
    sounding: tuple[tuple[int, int], ...]  # (start, end) of speech and tones, by start
    exercise_starts: tuple[int, ...] = ()
    waits: tuple[Wait, ...] = ()

    @classmethod
    def of(cls, timeline: Timeline, sample_at: Callable[[int], int], rate: int) -> Course:
        sets = sorted({sample_at(m.start_ms) for m in timeline.markers(MarkerRole.SET)})
        rests = tuple(
            (sample_at(m.start_ms), sample_at(m.end_ms)) for m in timeline.markers(MarkerRole.REST)
        )
        sounding = tuple(
            sorted(
                (sample_at(e.start_ms), sample_at(e.end_ms))
                for e in timeline.events
                if e.kind in ("speech", "tone")
            )
        )
        exercises = sorted({sample_at(m.start_ms) for m in timeline.markers(MarkerRole.EXERCISE)})
        course = cls(rate, tuple(sets), tuple(sorted(rests)), sounding, tuple(exercises))
        readies = [sample_at(m.start_ms) for m in timeline.markers(MarkerRole.READY)]
        return replace(course, waits=tuple(course._wait(ready) for ready in readies))

    def _wait(self, ready: int) -> Wait:
        start = next((a for a, b in self.rests if a <= ready < b), ready)
        # The rest's own call and "next" come first, the reminder last, then silence.
        said = [(a, b) for a, b in self.sounding if start <= a < ready]
        reminder = said[-1] if said else (ready, ready)
        head_end = max((b for _, b in said[:-1]), default=start)
        loop_from = min(reminder[0], max(head_end, ready - self.samples(WAIT_LOOP_MS)))
        # Loop in the middle of the silence between the reminder and the ready point: far
        # from both, so a late look at the clock still finds silence on either side.
        loop_at = (max(reminder[1], loop_from) + ready) // 2
        return Wait(start, loop_from, loop_at, ready)

    def wait_at(self, position: int) -> Wait | None:
        """The waiting rest ``position`` is in, before its ready point; None elsewhere."""
        for wait in self.waits:
            if wait.start <= position < wait.ready:
                return wait
        return None

    def next_set(self, position: int) -> int | None:
        """Start of the first set after ``position``, or None in the last set.

        When that set opens a new exercise, the exercise's start: its announcement and
        set-up cues are what a lifter walking to new equipment needs. From there, the next
        press goes to its first set."""
        i = bisect.bisect_right(self.set_starts, position)
        if i >= len(self.set_starts):
            return None
        target = self.set_starts[i]
        j = bisect.bisect_right(self.exercise_starts, position)
        if j < len(self.exercise_starts) and self.exercise_starts[j] < target:
            return self.exercise_starts[j]
        return target

    def restart_set(self, position: int) -> int:
        """Start of the set being done (or just rested from); within ``AGAIN_MS`` of that start,
        the set before. Before the first set, the start of the session."""
        i = bisect.bisect_right(self.set_starts, position) - 1
        if i < 0:
            return 0
        if position - self.set_starts[i] < ms_to_samples(AGAIN_MS, self.rate):
            return self.set_starts[i - 1] if i > 0 else self.set_starts[0]
        return self.set_starts[i]

    def rest_at(self, position: int) -> tuple[int, int] | None:
        for start, end in self.rests:
            if start <= position < end:
                return start, end
        return None

    def extra_rest_point(self, position: int) -> int | None:
        """Where silence goes to lengthen the rest at ``position``: here, or just after the
        cue or tone sounding here so no word is cut; None outside a rest."""
        rest = self.rest_at(position)
        if rest is None:
            return None
        point = position
        # Sounds are sorted by start and the point only moves later, so one pass finds the
        # end of a chain of overlapping sounds; the first sound starting after it ends it.
        for start, end in self.sounding:
            if start > point:
                break
            point = max(point, end)
        return min(point, rest[1])

    def samples(self, ms: int) -> int:
        return ms_to_samples(ms, self.rate)


def start_ms(timeline: Timeline, spec: str) -> int:
    """Timeline ms for ``--start-at``: ``EXERCISE``, ``EXERCISE:SET`` or a time (``07:18.5``)."""
    exercises = {m.exercise: m for m in timeline.markers(MarkerRole.EXERCISE) if m.exercise}
    ms = None if spec.strip().partition(":")[0] in exercises else _time_ms(spec)
    if ms is not None:
        if ms >= timeline.duration_ms:
            raise InputError("--start-at", f"{spec} is past the end of the session",
                             value=spec, allowed=f"before {position_text(timeline.duration_ms)}")
        return ms
    exercise, _, set_text = spec.strip().partition(":")
    if exercise not in exercises:
        raise NotFoundError("exercise in this session", exercise, exercises,
                            plural="exercises in this session")
    if not set_text:
        return exercises[exercise].start_ms
    sets = {m.set: m for m in timeline.markers(MarkerRole.SET) if m.exercise == exercise}
    if not set_text.isdigit() or int(set_text) not in sets:
        known = sorted(s for s in sets if s is not None)
        raise InputError("--start-at", f"{exercise} has no set {set_text!r}", value=set_text,
                           allowed=", ".join(map(str, known)) or "none")
    return sets[int(set_text)].start_ms


def _time_ms(spec: str) -> int | None:
    """``07:18.5``, ``1:02:03``, ``90s`` or ``2m`` as ms; None when it is not a time."""
    if not spec.strip()[:1].isdigit():
        return None
    try:
        return parse_ms(spec)
    except ValueError:
        return None
