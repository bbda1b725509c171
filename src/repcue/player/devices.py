"""Sound output devices through PortAudio: finding them, picking one, and the errors around it."""

from __future__ import annotations

import atexit
import contextlib
import threading
from dataclasses import dataclass
from typing import Any

from repcue.errors import AudioError, NotFoundError

EXPORT_HINT = "use `repcue export NAME` to write an MP3 for your phone instead"
INSTALL_HINT = "install PortAudio: sudo apt-get install libportaudio2"


def portaudio() -> Any:
    """The ``sounddevice`` module, or an AudioError saying how to install PortAudio."""
    try:
        import sounddevice
    except OSError as err:  # sounddevice raises OSError when libportaudio is missing
        raise AudioError(f"the PortAudio library could not be loaded ({err})",
                         hint=INSTALL_HINT) from err
    return sounddevice


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
    sd = portaudio()
    atexit.unregister(sd._exit_handler)
    threading.Thread(target=_close_quietly, args=(stream,), daemon=True).start()


def _close_quietly(stream: Any) -> None:
    # The device is gone: there is nothing left to report.
    with contextlib.suppress(Exception):
        stream.close(ignore_errors=True)
