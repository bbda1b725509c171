"""What the lifter sees between sets: the live screen, one line per change, or nothing.

Each display draws the ``Status`` the player hands it (see ``guide``); passing notes (a key
that did nothing, a reconnection) expire after a few seconds of the injected clock.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Protocol

from repcue.player.clock import Clock
from repcue.player.guide import Guide, Status
from repcue.player.screen import screen, shown
from repcue.units import position_text

if TYPE_CHECKING:  # rich loads with the live view only: every repcue command imports this module
    from rich.console import Console

__all__ = ["AllDisplays", "Display", "Guide", "LineDisplay", "LiveDisplay", "QuietDisplay",
           "Status"]

#: Seconds a note stays on the live screen.
NOTE_S = 4.0


class Display(Protocol):
    def start(self) -> None: ...
    def show(self, status: Status) -> None: ...
    def note(self, message: str) -> None: ...
    def stop(self) -> None: ...


class AllDisplays:
    """Several displays of one session: the screen and the media-key service's state."""

    def __init__(self, *displays: Display) -> None:
        self.displays = displays

    def start(self) -> None:
        for display in self.displays:
            display.start()

    def show(self, status: Status) -> None:
        for display in self.displays:
            display.show(status)

    def note(self, message: str) -> None:
        for display in self.displays:
            display.note(message)

    def stop(self) -> None:
        for display in self.displays:
            display.stop()


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
        self._alerted: str | None = None

    def start(self) -> None:
        pass

    def show(self, status: Status) -> None:
        if status.alert is not None and self._alerted is None:
            self._emit(status.alert)  # once: a countdown on every change would flood a log
        self._alerted = status.alert
        where = status.where()
        waiting = status.waiting_ms is not None
        key = (where, status.cue, status.paused, waiting)
        if key == self._last:
            return
        self._last = key
        line = f"[{position_text(status.position_ms)}] {where}"
        if waiting:
            line += " · waiting for you (space or Play)"
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
    """The live screen (rich), redrawn at most ``fps`` times a second of the injected clock."""

    def __init__(self, console: Console, clock: Clock, fps: float = 4.0) -> None:
        self.console = console
        self.clock = clock
        self.interval = 1.0 / fps
        from rich.live import Live

        # Cropped, not scrolled: a screen taller than the terminal must not scroll.
        self._live = Live(console=console, auto_refresh=False, transient=False,
                          vertical_overflow="crop")
        self._next_draw = 0.0
        self._note: str | None = None
        self._note_until = 0.0
        self._status: Status | None = None
        self._drawn: tuple[object, ...] | None = None

    def start(self) -> None:
        self._live.start()

    def show(self, status: Status) -> None:
        now = self.clock.now()
        # Pausing and alerts show at once; everything else waits for the next frame.
        last = self._status
        urgent = last is not None and (status.paused, status.alert) != (last.paused, last.alert)
        if now < self._next_draw and not urgent:
            return
        self._next_draw = now + self.interval
        self._status = status
        self._draw(now)

    def note(self, message: str) -> None:
        now = self.clock.now()
        self._note, self._note_until = message, now + NOTE_S
        if self._status is not None:
            self._draw(now)

    def _draw(self, now: float) -> None:
        assert self._status is not None
        if self._note is not None and now >= self._note_until:
            self._note = None
        drawn = shown(self._status, self._note)
        if drawn == self._drawn:
            return  # the same picture: rich's layout costs more than all the rest of play
        self._drawn = drawn
        self._live.update(screen(self._status, self._note), refresh=True)

    def stop(self) -> None:
        self._live.stop()
