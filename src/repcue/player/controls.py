"""Single keys from the terminal, no Enter needed: the lifter's hands are busy.

A thread reads the terminal in cbreak mode and queues commands; the player polls them.
When input is not a terminal (a pipe, a cron job, a test), there are no keys and the
session simply plays.
"""

from __future__ import annotations

import enum
import os
import queue
import select
import sys
import threading
from collections.abc import Iterable
from typing import Any, Protocol

from repcue.player.clock import Clock


class Command(enum.Enum):
    PAUSE = "pause"  # toggles pause and resume
    RESUME = "resume"  # play if paused (a media Play button)
    HOLD = "hold"  # pause if playing (a media Pause button)
    NEXT_SET = "next set"
    BACK = "restart set"
    MORE_REST = "more rest"
    QUIT = "quit"


KEYS: dict[str, Command] = {
    " ": Command.PAUSE,
    "p": Command.PAUSE,
    "n": Command.NEXT_SET,
    "b": Command.BACK,
    "+": Command.MORE_REST,
    "=": Command.MORE_REST,  # the + key without shift
    "q": Command.QUIT,
}

#: What each key does, one per line, for ``--help`` (80 columns).
HELP = ("space  pause/resume; in a rest that waits for you (--rest ready): go on\n"
        "n      next set (in a rest that waits: go on)\n"
        "b      restart the set (again: the one before)\n"
        "+      15 s more rest\n"
        "q      quit")


def command_for(key: str) -> Command | None:
    return KEYS.get(key.lower() if key.isalpha() else key)


class Controls(Protocol):
    def start(self) -> None: ...
    def poll(self) -> list[Command]: ...
    def stop(self) -> None: ...


class NoControls:
    """No keys at all: the session plays to the end."""

    def start(self) -> None:
        pass

    def poll(self) -> list[Command]:
        return []

    def stop(self) -> None:
        pass


class AllControls:
    """Several sources of commands at once: the keyboard and the media keys."""

    def __init__(self, *sources: Controls) -> None:
        self.sources = sources

    def start(self) -> None:
        for source in self.sources:
            source.start()

    def poll(self) -> list[Command]:
        return [command for source in self.sources for command in source.poll()]

    def stop(self) -> None:
        for source in self.sources:
            source.stop()


class ScriptedControls:
    """Commands at given session-clock times, for tests and benchmarks: [(seconds, command)]."""

    def __init__(self, script: Iterable[tuple[float, Command]], clock: Clock) -> None:
        self._script = sorted(script, key=lambda item: item[0])
        self._clock = clock
        self._t0 = 0.0

    def start(self) -> None:
        self._t0 = self._clock.now()

    def poll(self) -> list[Command]:
        due = []
        elapsed = self._clock.now() - self._t0
        while self._script and self._script[0][0] <= elapsed:
            due.append(self._script.pop(0)[1])
        return due

    def stop(self) -> None:
        pass


class KeyboardControls:
    """Keys read from ``fd`` (stdin by default) in cbreak mode; a no-op when it is no tty."""

    def __init__(self, fd: int | None = None) -> None:
        self.fd = sys.stdin.fileno() if fd is None else fd
        self.active = _is_tty(self.fd)
        self._queue: queue.Queue[Command] = queue.Queue()
        self._stop = threading.Event()
        self._saved: list[Any] | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if not self.active:
            return
        import termios
        import tty

        self._saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd)
        self._thread = threading.Thread(target=self._read, name="repcue-keys", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if not ready:
                continue
            try:
                data = os.read(self.fd, 32)
            except OSError:
                return
            if not data:
                return
            for key in data.decode("utf-8", errors="ignore"):
                command = command_for(key)
                if command is not None:
                    self._queue.put(command)

    def poll(self) -> list[Command]:
        commands = []
        while True:
            try:
                commands.append(self._queue.get_nowait())
            except queue.Empty:
                return commands

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
            self._thread = None
        if self._saved is not None:
            import termios

            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            self._saved = None


def _is_tty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False
