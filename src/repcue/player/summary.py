"""What the lifter did, for the line ``repcue play`` ends with: sets, rests, time under tension.

The player reports what was heard, tick by tick, as timeline milliseconds and wall time;
``Tally`` turns that into sets done (the end of the set was heard), rests taken (planned
length against the wall time spent resting, so ``+``, pauses and waiting count) and the
time under tension (movement phases heard).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from repcue.timeline import Event, PhaseRole, Timeline

_PHASES = frozenset(role.value for role in PhaseRole)


@dataclass(frozen=True)
class Summary:
    sets_done: int
    sets_planned: int
    rests_taken: int
    rest_planned_ms: int
    rest_taken_ms: int
    under_tension_ms: int
    #: Rests that waited for the lifter (``rest = "ready"``): they have no planned length.
    rests_at_your_pace: int = 0

    def describe(self) -> str:
        """``6 of 9 sets, 5 rests (4:00 planned, 4:35 taken), 3:12 under tension``; with
        rests that waited for the lifter, ``5 rests (6:10 taken, at your pace)``."""
        parts = [f"{self.sets_done} of {self.sets_planned} {_plural(self.sets_planned, 'set')}"
                 if self.sets_done != self.sets_planned
                 else f"{self.sets_done} {_plural(self.sets_done, 'set')}"]
        if self.rests_taken:
            pace = self.rests_at_your_pace
            if not pace:
                planned = f"{_minutes(self.rest_planned_ms)} planned, "
                taken = f"{_minutes(self.rest_taken_ms)} taken"
            elif pace == self.rests_taken:
                planned, taken = "", f"{_minutes(self.rest_taken_ms)} taken, at your pace"
            else:
                fixed = self.rests_taken - pace
                planned = f"{_minutes(self.rest_planned_ms)} planned for {fixed}, "
                taken = f"{_minutes(self.rest_taken_ms)} taken, {pace} at your pace"
            parts.append(f"{self.rests_taken} {_plural(self.rests_taken, 'rest')} "
                         f"({planned}{taken})")
        parts.append(f"{_minutes(self.under_tension_ms)} under tension")
        return ", ".join(parts)


class Tally:
    """Counts, as the session plays, what the lifter heard and how long they rested."""

    def __init__(self, timeline: Timeline) -> None:
        self._sets = timeline.markers("set")
        self._rests = timeline.markers("rest")
        readies = timeline.markers("ready")
        self._waits = {i for i, rest in enumerate(self._rests)
                       if any(rest.start_ms <= r.start_ms < rest.end_ms for r in readies)}
        # Phases follow one another (they never overlap) and set markers too, so sorted
        # starts and ends find what a tick covered by bisection: the loop looks 20 times a
        # second, and a long session has thousands of phases.
        self._phases = sorted((e for e in timeline.events
                               if e.kind == "phase" and e.role in _PHASES),
                              key=lambda e: e.start_ms)
        self._phase_starts = [e.start_ms for e in self._phases]
        self._phase_ends = [e.end_ms for e in self._phases]
        self._sets_done: set[int] = set()
        self._rests_entered: set[int] = set()
        self._rest_wall_s = 0.0
        self._tension_ms = 0
        self._last_ms: int | None = None
        self._last_wall: float | None = None
        self._resting: int | None = None

    def heard(self, ms: int, wall_s: float, *, holding: bool = False) -> None:
        """The lifter hears timeline ``ms`` at wall time ``wall_s``. ``holding``: the session
        is held (paused, or extra rest) without moving on."""
        last, last_wall = self._last_ms, self._last_wall
        self._last_ms, self._last_wall = ms, wall_s
        if self._resting is not None and last_wall is not None:
            self._rest_wall_s += wall_s - last_wall
        rest = _index_at(self._rests, ms)
        if rest is not None and not holding:
            self._rests_entered.add(rest)
        self._resting = rest if rest is not None else (self._resting if holding else None)
        if last is None or ms <= last:
            return
        for i, marker in enumerate(self._sets):
            if last < marker.end_ms <= ms:
                self._sets_done.add(i)
        first = bisect.bisect_right(self._phase_ends, last)
        stop = bisect.bisect_left(self._phase_starts, ms)
        self._tension_ms += sum(_overlap(e, last, ms) for e in self._phases[first:stop])

    def jumped(self) -> None:
        """The lifter skipped or went back: what lies between was not heard."""
        self._last_ms = None

    def summary(self) -> Summary:
        return Summary(
            sets_done=len(self._sets_done),
            sets_planned=len(self._sets),
            rests_taken=len(self._rests_entered),
            rest_planned_ms=sum(self._rests[i].duration_ms
                                for i in self._rests_entered - self._waits),
            rest_taken_ms=round(self._rest_wall_s * 1000),
            under_tension_ms=self._tension_ms,
            rests_at_your_pace=len(self._rests_entered & self._waits),
        )


def _index_at(events: tuple[Event, ...], ms: int) -> int | None:
    for i, event in enumerate(events):
        if event.start_ms <= ms < event.end_ms:
            return i
    return None


def _overlap(event: Event, start: int, end: int) -> int:
    return max(0, min(event.end_ms, end) - max(event.start_ms, start))


def _minutes(ms: int) -> str:
    seconds = round(ms / 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _plural(n: int, noun: str) -> str:
    return noun if n == 1 else noun + "s"
