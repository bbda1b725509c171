"""Sound output devices through PortAudio: finding them, picking one, and the errors around it."""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from repcue.errors import AudioError, NotFoundError

EXPORT_HINT = "use `repcue export NAME` to write an MP3 for your phone instead"
INSTALL_HINT = "install PortAudio: sudo apt-get install libportaudio2"


#: Longest wait for PortAudio's own clean-up at exit (closing a JACK client talks to the server).
EXIT_WAIT_S = 0.5


def portaudio() -> Any:
    """The ``sounddevice`` module, or an AudioError saying how to install PortAudio."""
    try:
        import sounddevice
    except OSError as err:  # sounddevice raises OSError when libportaudio is missing
        raise AudioError(f"the PortAudio library could not be loaded ({err})",
                         hint=INSTALL_HINT) from err
    if not _exit.bounded:
        _exit.bounded = True
        # Ctrl-C must end the process at once, and PortAudio's clean-up can wait on a busy or
        # vanished JACK server: give it a moment in the background, then leave without it.
        atexit.unregister(sounddevice._exit_handler)
        atexit.register(_terminate_briefly, sounddevice)
    return sounddevice


class _ExitState:
    bounded = False  # our clean-up replaced sounddevice's
    skip = False  # a stream could not be closed: PortAudio's clean-up would block on it


_exit = _ExitState()


def skip_portaudio_cleanup() -> None:
    """Leave PortAudio alone at exit: a stream is still closing or opening in the background."""
    _exit.skip = True


def _terminate_briefly(sd: Any) -> None:
    if _exit.skip:
        return
    worker = threading.Thread(target=_close_quietly_with, args=(sd._exit_handler,), daemon=True)
    worker.start()
    worker.join(EXIT_WAIT_S)


@dataclass(frozen=True)
class OutputDevice:
    index: int
    name: str
    host: str
    channels: int
    default_rate: float
    is_default: bool

    def describe(self) -> str:
        mark = "*" if self.is_default else " "
        return (f"{mark} {self.index:>2}  {self.name}  ({self.host}, {self.channels} out, "
                f"{self.default_rate:.0f} Hz)")


def output_devices() -> list[OutputDevice]:
    sd = portaudio()
    hosts = sd.query_hostapis()
    default = _default_output(sd)
    found = []
    for info in sd.query_devices():
        if info["max_output_channels"] > 0:
            found.append(OutputDevice(
                index=int(info["index"]),
                name=str(info["name"]),
                host=str(hosts[info["hostapi"]]["name"]),
                channels=int(info["max_output_channels"]),
                default_rate=float(info["default_samplerate"]),
                is_default=info["index"] == default,
            ))
    return found


def _default_output(sd: Any) -> int | None:
    index = sd.default.device[1]
    if index is not None and index >= 0:
        return int(index)
    # PortAudio has no default when ALSA has none; JACK may still offer one.
    for host in sd.query_hostapis():
        if host["default_output_device"] >= 0:
            return int(host["default_output_device"])
    return None


def pick_output(spec: str | None) -> OutputDevice:
    """The device named (index or part of its name) by ``spec``, or the default output."""
    devices = output_devices()
    if not devices:
        raise AudioError("no audio output device found", hint=EXPORT_HINT)
    if spec is None:
        for device in devices:
            if device.is_default:
                return device
        return devices[0]
    if spec.strip().isdigit():
        for device in devices:
            if device.index == int(spec):
                return device
    else:
        wanted = spec.casefold()
        for device in devices:
            if device.name.casefold() == wanted:
                return device
        for device in devices:
            if wanted in device.name.casefold():
                return device
    raise NotFoundError("audio output device", spec, [d.name for d in devices])


def abandon(stream: Any) -> None:
    """Let go of a stream whose device vanished.

    Closing such a stream can block forever inside PortAudio (seen with JACK), and so can
    PortAudio's own clean-up at exit; close it in the background and skip that clean-up.
    """
    skip_portaudio_cleanup()
    threading.Thread(target=_close_quietly_with, args=(stream.close,), daemon=True).start()


def _close_quietly_with(close: Any) -> None:
    # The device is gone: there is nothing left to report.
    with contextlib.suppress(Exception):
        close()


@contextlib.contextmanager
def c_messages_to(log: Path) -> Iterator[Path]:
    """Send what C libraries write to the process's stderr (PortAudio, JACK, ALSA) to ``log``.

    A vanished JACK server makes PortAudio print dozens of lines that would scroll the
    lifter's display away. Python's own ``sys.stderr`` keeps the terminal. The log is
    emptied first, so it holds this session's messages only.
    """
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        sink = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError:  # a read-only cache: the messages stay where they were
        yield log
        return
    sys.stderr.flush()
    terminal = os.dup(2)
    os.dup2(sink, 2)
    os.close(sink)
    previous = sys.stderr
    if _writes_to_fd(previous, 2):
        sys.stderr = open(terminal, "w", encoding=previous.encoding, errors=previous.errors,  # noqa: SIM115
                          buffering=1, closefd=False)
    try:
        yield log
    finally:
        # A stream still closing in the background may yet print: then the log keeps fd 2
        # (and Python keeps writing to the terminal) until the process ends.
        if not _exit.skip:
            if sys.stderr is not previous:
                sys.stderr.flush()
                sys.stderr = previous
            os.dup2(terminal, 2)
            os.close(terminal)


def _writes_to_fd(stream: Any, fd: int) -> bool:
    try:
        return bool(stream.fileno() == fd)
    except (AttributeError, OSError, ValueError):  # a test's captured stream
        return False
