"""What the lifter sees between sets: where they are, what is being said, what comes next.

``Guide`` answers "where are we at this millisecond" from the timeline alone; the displays
draw its answer (rich Live on a terminal, one line per change otherwise, or nothing).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Protocol

from repcue.player.clock import Clock
from repcue.player.controls import HELP
from repcue.timeline import Event, MarkerRole, Timeline
from repcue.units import position_text

if TYPE_CHECKING:  # rich loads with the live view only: every repcue command imports this module
    from rich.console import Console, Group


@dataclass(frozen=True)
class Status:
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
    elapsed_ms: int = 0
    remaining_ms: int = 0
    total_ms: int = 0
    paused: bool = False

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
        self._exercises = list(timeline.markers(MarkerRole.EXERCISE))
        self._exercise_starts = [m.start_ms for m in self._exercises]
        self._names = {m.exercise: m.text or m.exercise for m in self._exercises}
        self._chapters = [m for m in timeline.markers() if m.role in ("set", "rest")]
        self._chapter_starts = [m.start_ms for m in self._chapters]
        self._sets: dict[str | None, int] = {}
        for m in timeline.markers(MarkerRole.SET):
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
        self._next = [m for m in timeline.markers() if m.role in ("set", "exercise")]
        self._next_starts = [m.start_ms for m in self._next]

    def at(self, ms: int, *, extra_ms: int = 0, paused: bool = False) -> Status:
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
        cue = spoken.text if spoken is not None and spoken.end_ms > ms else None
        return Status(
            workout=self.timeline.title,
            exercise=self._names.get(exercise.exercise) if exercise is not None else None,
            set=chapter.set if chapter is not None else None,
            sets=self._sets.get(chapter.exercise) if chapter is not None else None,
            side=side,
            rep=rep,
            reps=reps,
            resting=chapter is not None and chapter.role == "rest",
            cue=cue,
            next_up=self._next_up(ms),
            elapsed_ms=ms,
            remaining_ms=max(0, total - ms) + extra_ms,
            total_ms=total,
            paused=paused,
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


class Display(Protocol):
    def start(self) -> None: ...
    def show(self, status: Status) -> None: ...
    def note(self, message: str) -> None: ...
    def stop(self) -> None: ...


class QuietDisplay:
    """``--quiet``: nothing on screen (notes still reach the caller through PlayResult)."""

    def start(self) -> None:
        pass

    def show(self, status: Status) -> None:
        pass

    def note(self, message: str) -> None:
        pass

    def stop(self) -> None:
        pass


class LineDisplay:
    """One line each time the place or the cue changes: for logs and pipes."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.lines: list[str] = []
        self._last: tuple[object, ...] | None = None

    def start(self) -> None:
        pass

    def show(self, status: Status) -> None:
        where = status.where()
        key = (where, status.cue, status.paused)
        if key == self._last:
            return
        self._last = key
        line = f"[{position_text(status.elapsed_ms)}] {where}"
        if status.paused:
            line += " · paused"
        if status.cue:
            line += f" · “{status.cue}”"
        self._emit(line)

    def note(self, message: str) -> None:
        self._emit(message)

    def _emit(self, line: str) -> None:
        self.lines.append(line)
        self.out.write(line + "\n")
        self.out.flush()

    def stop(self) -> None:
        pass


class LiveDisplay:
    """A rich Live panel redrawn at most ``fps`` times a second of the injected clock."""

    def __init__(self, console: Console, clock: Clock, fps: float = 4.0) -> None:
        self.console = console
        self.clock = clock
        self.interval = 1.0 / fps
        from rich.live import Live

        self._live = Live(console=console, auto_refresh=False, transient=False)
        self._next_draw = 0.0
        self._note: str | None = None
        self._status: Status | None = None

    def start(self) -> None:
        self._live.start()

    def show(self, status: Status) -> None:
        now = self.clock.now()
        # Pausing shows at once; everything else waits for the next frame.
        toggled = self._status is not None and status.paused != self._status.paused
        if now < self._next_draw and not toggled:
            return
        self._next_draw = now + self.interval
        self._status = status
        self._live.update(panel(status, self._note), refresh=True)

    def note(self, message: str) -> None:
        self._note = message
        if self._status is not None:
            self._live.update(panel(self._status, message), refresh=True)

    def stop(self) -> None:
        self._live.stop()


def panel(status: Status, note: str | None = None) -> Group:
    """The live view: title, place, cue, next, times and a bar, then the keys."""
    from rich.console import Group
    from rich.progress_bar import ProgressBar
    from rich.text import Text

    head = Text(status.workout, style="bold")
    if status.paused:
        head.append("  ⏸ paused", style="yellow bold")
    lines: list[Text | ProgressBar] = [head, Text(status.where(), style="cyan")]
    lines.append(Text(f"“{status.cue}”" if status.cue else " ", style="italic"))
    if status.next_up:
        lines.append(Text(f"next: {status.next_up}", style="dim"))
    lines.append(Text(f"{position_text(status.elapsed_ms)} elapsed · "
                      f"{position_text(status.remaining_ms)} left"))
    lines.append(ProgressBar(total=max(1, status.total_ms), completed=status.elapsed_ms,
                             width=40))
    if note:
        lines.append(Text(note, style="yellow"))
    lines.append(Text(HELP, style="dim"))
    return Group(*lines)
