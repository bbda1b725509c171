"""Where the session is at a timeline millisecond: exercise, set, rep, phase, rest, next.

``Guide`` answers from the timeline alone, so the displays and their tests need no audio.
The player adds what only it knows: real time elapsed, extra rest, pause, a device alert.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from repcue.timeline import Event, PhaseRole, Timeline

#: What the screen calls each movement phase: the words a coach says, not the tempo's terms.
PHASE_WORDS = {
    "eccentric": "Lower",
    "bottom": "Pause",
    "concentric": "Lift",
    "top": "Squeeze",
    "hold": "Hold",
}


_PHASES = frozenset(role.value for role in PhaseRole)


@dataclass(frozen=True)
class Status:
    """Everything the screen shows at one moment. Times are milliseconds."""

    workout: str
    exercise: str | None = None
    set: int | None = None
    sets: int | None = None
    side: str | None = None
    rep: int | None = None
    reps: int | None = None
    resting: bool = False
    cue: str | None = None
    next_up: str | None = None
    elapsed_ms: int = 0  # real time since the session began: pauses and extra rest included
    remaining_ms: int = 0
    total_ms: int = 0
    paused: bool = False
    position_ms: int = 0  # where in the timeline the lifter is (what a resume starts from)
    phase: str | None = None  # the phase word (Lower, Hold…) while a phase runs
    phase_left_ms: int = 0
    rest_left_ms: int = 0  # planned rest still to come, extra rest included
    alert: str | None = None  # a standing problem (the device went away), shown until solved
    #: In a rest that waits for the lifter (``rest = "ready"``): how long they have rested.
    waiting_ms: int | None = None

    def where(self) -> str:
        parts = [self.exercise or self.workout]
        if self.set is not None:
            parts.append(f"set {self.set}/{self.sets}")
        if self.side:
            parts.append(f"{self.side} side")
        if self.resting:
            parts.append("rest")
        elif self.rep is not None:
            parts.append(f"rep {self.rep}/{self.reps}")
        return " · ".join(parts)


class Guide:
    """Looks up the session's state at a timeline millisecond."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self._exercises = list(timeline.markers("exercise"))
        self._exercise_starts = [m.start_ms for m in self._exercises]
        self._names = {m.exercise: m.text or m.exercise for m in self._exercises}
        self._chapters = [m for m in timeline.markers() if m.role in ("set", "rest")]
        self._chapter_starts = [m.start_ms for m in self._chapters]
        self._sets: dict[str | None, int] = {}
        for m in timeline.markers("set"):
            self._sets[m.exercise] = max(self._sets.get(m.exercise, 0), m.set or 0)
        self._speech = list(timeline.speech())
        self._speech_starts = [e.start_ms for e in self._speech]
        self._counted = [e for e in timeline.events if e.rep is not None or e.side is not None]
        self._counted_starts = [e.start_ms for e in self._counted]
        self._reps: dict[tuple[str | None, int | None, str | None], int] = {}
        for e in self._counted:
            if e.rep is not None:
                key = (e.exercise, e.set, e.side)
                self._reps[key] = max(self._reps.get(key, 0), e.rep)
        self._phases = [e for e in timeline.events if e.kind == "phase" and e.role in _PHASES]
        self._phase_starts = [e.start_ms for e in self._phases]
        self._next = [m for m in timeline.markers() if m.role in ("set", "exercise")]
        self._next_starts = [m.start_ms for m in self._next]

    def at(self, ms: int, *, extra_ms: int = 0, paused: bool = False,
           elapsed_ms: int | None = None) -> Status:
        """The state at timeline ``ms``; ``extra_ms`` of inserted rest still to come there;
        ``elapsed_ms`` the real time so far (the timeline position when not given)."""
        total = self.timeline.duration_ms
        exercise = _last(self._exercises, self._exercise_starts, ms)
        chapter = _last(self._chapters, self._chapter_starts, ms)
        if chapter is not None and (chapter.end_ms <= ms or exercise is None
                                    or chapter.exercise != exercise.exercise):
            chapter = None
        if exercise is not None and exercise.end_ms <= ms:
            exercise = None
        side = rep = reps = None
        if chapter is not None and chapter.role == "set":
            latest = _last(self._counted, self._counted_starts, ms)
            if latest is not None and (latest.exercise, latest.set) == (
                    chapter.exercise, chapter.set):
                side, rep = latest.side, latest.rep
                reps = self._reps.get((latest.exercise, latest.set, latest.side))
        spoken = _last(self._speech, self._speech_starts, ms)
        phase = _last(self._phases, self._phase_starts, ms)
        if phase is not None and phase.end_ms <= ms:
            phase = None
        resting = chapter is not None and chapter.role == "rest"
        return Status(
            workout=self.timeline.title,
            exercise=self._names.get(exercise.exercise) if exercise is not None else None,
            set=chapter.set if chapter is not None else None,
            sets=self._sets.get(chapter.exercise) if chapter is not None else None,
            side=side,
            rep=rep,
            reps=reps,
            resting=resting,
            cue=spoken.text if spoken is not None and spoken.end_ms > ms else None,
            next_up=self._next_up(ms),
            elapsed_ms=ms if elapsed_ms is None else elapsed_ms,
            remaining_ms=max(0, total - ms) + extra_ms,
            total_ms=total,
            paused=paused,
            position_ms=ms,
            phase=PHASE_WORDS[phase.role] if phase is not None else None,
            phase_left_ms=phase.end_ms - ms if phase is not None else 0,
            rest_left_ms=(chapter.end_ms - ms + extra_ms
                          if resting and chapter is not None else 0),
        )

    def _next_up(self, ms: int) -> str | None:
        i = bisect.bisect_right(self._next_starts, ms)
        if i >= len(self._next):
            return "finish"
        upcoming = self._next[i]
        if upcoming.role == "exercise":
            return upcoming.text or upcoming.exercise
        name = self._names.get(upcoming.exercise, upcoming.exercise)
        return f"{name}, set {upcoming.set}/{self._sets.get(upcoming.exercise)}"


def _last(events: list[Event], starts: list[int], ms: int) -> Event | None:
    i = bisect.bisect_right(starts, ms) - 1
    return events[i] if i >= 0 else None
