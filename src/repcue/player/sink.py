"""Where the feed's samples go: a PortAudio stream, or a recording for tests and fast runs."""

from __future__ import annotations

import contextlib
import os
import threading
from time import monotonic as _monotonic
from time import perf_counter as _perf_counter
from typing import Any, Protocol

import numpy as np

from repcue.clip import Samples
from repcue.errors import AudioError
from repcue.player.devices import EXPORT_HINT, abandon, portaudio
from repcue.player.feed import Feed


class Sink(Protocol):
    """An output the player can drive. ``lost`` means the device went away mid-session."""

    @property
    def latency_samples(self) -> int: ...
    @property
    def underruns(self) -> int: ...
    @property
    def done(self) -> bool: ...
    @property
    def lost(self) -> bool: ...
    def start(self, feed: Feed) -> None: ...
    def reopen(self) -> bool: ...
    def close(self) -> None: ...


class RecordingSink:
    """Keeps every sample it is handed. Driven by ``pump`` (a test's clock) or, with
    ``free_run``, by its own thread as fast as the renderer goes."""

    def __init__(self, frames: int = 1024, *, free_run: bool = False) -> None:
        self.frames = frames
        self.free_run = free_run
        self.written: list[Samples] = []
        self.latency_samples = 0
        self.underruns = 0
        self.lost = False
        self._feed: Feed | None = None
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._closing = False

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def start(self, feed: Feed) -> None:
        self._feed = feed
        if self.free_run:
            self._thread = threading.Thread(target=self._run, name="repcue-record", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._done.is_set() and not self._closing:
            self.pump(self.frames)

    def pump(self, frames: int) -> None:
        """Take ``frames`` samples from the feed, in chunks of ``self.frames``."""
        feed = self._feed
        if feed is None or self._done.is_set():
            return
        while frames > 0:
            out = np.empty(min(frames, self.frames), dtype=np.float32)
            # Wait for late blocks: a recording is not real time, so a gap would be a lie.
            more = feed.fill(out, wait=5.0)
            self.written.append(out)
            frames -= len(out)
            if not more:
                self._done.set()
                return

    def samples(self) -> Samples:
        return np.concatenate(self.written) if self.written else np.zeros(0, np.float32)

    def reopen(self) -> bool:
        return True

    def close(self) -> None:
        self._closing = True
        if self._thread is not None:
            self._thread.join(timeout=5)


class SoundDeviceSink:
    """A PortAudio output stream whose callback only copies from the feed.

    Mono is copied to every channel (up to two) so both earbuds get the cues. With ``tap``,
    a copy of each buffer handed to PortAudio is kept, for tests comparing it with the export.
    ``wait`` lets the callback wait for a late block: only for devices that are not real time
    (the ALSA null device in tests), where a wait costs nothing and a gap would be a lie.
    """

    def __init__(self, device: int | None, rate: int, *, latency: float | str = "high",
                 channels: int = 1, tap: list[Samples] | None = None, wait: float = 0.0
                 ) -> None:
        self.device = device
        self.rate = rate
        self.latency = latency
        self.channels = max(1, min(2, channels))
        self.tap = tap
        self.wait = wait
        self.first_call_at: float | None = None
        self.device_underruns = 0
        self.underflows_at: list[int] = []  # frames handed over before each underflow
        self.frames_out = 0
        self.slowest_callback_s = 0.0  # how close the callback came to missing its period
        self.calls = 0
        self.latency_samples = 0
        self._feed: Feed | None = None
        self._stream: Any = None
        self._finished = threading.Event()
        self._closing = False
        self._sd = portaudio()

    @property
    def underruns(self) -> int:
        return self.device_underruns

    @property
    def done(self) -> bool:
        return self._finished.is_set() and self._feed is not None and self._feed.finished

    @property
    def lost(self) -> bool:
        if self._stream is None or self._closing or self.done:
            return False
        # The stream stopped on its own before the session ended: the device is gone.
        return self._finished.is_set() or not self._stream.active

    def open(self) -> None:
        """Open the device ahead of the session: it plays silence until ``start``.

        Opening can take a good part of a second (a JACK client, Bluetooth waking up), so
        the CLI does it while the session loads.
        """
        if self._stream is None:
            self._open()

    def start(self, feed: Feed) -> None:
        self._feed = feed
        self.open()

    def _open(self) -> None:
        self._finished.clear()
        try:
            stream = self._sd.OutputStream(
                samplerate=self.rate, blocksize=0, device=self.device, channels=self.channels,
                dtype="float32", latency=self.latency, callback=self._callback,
                finished_callback=self._finished.set,
            )
            stream.start()
        except self._sd.PortAudioError as err:
            raise AudioError(f"could not open the audio output device: {err}",
                             hint=EXPORT_HINT) from err
        self._stream = stream
        self.latency_samples = int(round(float(stream.latency) * self.rate))

    def _callback(self, outdata: Any, frames: int, time: Any, status: Any) -> None:
        entered = _perf_counter()
        self._copy(outdata, frames, status)
        took = _perf_counter() - entered
        if took > self.slowest_callback_s:
            self.slowest_callback_s = took

    def _copy(self, outdata: Any, frames: int, status: Any) -> None:
        feed = self._feed
        if feed is None:  # opened early, the session is not ready yet
            outdata.fill(0)
            return
        if status.output_underflow:
            self.device_underruns += 1
            self.underflows_at.append(self.frames_out)
        self.frames_out += frames
        more = feed.fill(outdata[:, 0], self.wait)
        if self.channels > 1:
            outdata[:, 1] = outdata[:, 0]
        if self.tap is not None:
            self.tap.append(outdata[:, 0].copy())
        if self.first_call_at is None:
            self.first_call_at = _monotonic()  # the first sound of the session
            _raise_priority()
        self.calls += 1
        if not more:
            raise self._sd.CallbackStop

    def reopen(self) -> bool:
        """After a loss: let the old stream go and try once to open the device again."""
        if self._stream is not None:
            abandon(self._stream)
            self._stream = None
        try:
            self._open()
        except AudioError:
            return False
        return True

    def close(self) -> None:
        was_lost = self.lost
        self._closing = True
        stream, self._stream = self._stream, None
        if stream is None:
            return
        if was_lost:
            abandon(stream)
            return
        if stream.active and not self._finished.is_set():
            stream.abort(ignore_errors=True)
        stream.close(ignore_errors=True)


#: Nice value asked for the audio thread: ahead of ordinary work, as audio servers do.
AUDIO_NICE = -11


def _raise_priority() -> None:
    """Ask the kernel to run the calling (audio) thread ahead of ordinary threads.

    Without it, on a loaded machine the thread can wait longer than one device period
    for a CPU and the device underruns. Unprivileged users are refused: then it stays as is.
    """
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), AUDIO_NICE)
