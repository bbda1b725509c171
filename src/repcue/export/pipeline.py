"""The stages of the writing pass: render, measure, to PCM (the calling thread), then encode.

Encoding runs in its own thread (one per part: an MP3's two halves, halves.py) fed through
a bounded queue, so memory stays a few
seconds of audio whatever the session length, and on two cores rendering and encoding
overlap (lameenc releases the GIL; ffmpeg is its own process). A third thread for the
meter was tried: no faster on two cores (measured 8.5 vs 8.1 s for 64 minutes).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from itertools import zip_longest
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np

from repcue.clip import Samples
from repcue.errors import ExportError
from repcue.export.encoders import to_pcm16
from repcue.mix.gain_search import Progress

#: Ten seconds of samples per hand-off: few hand-offs, so the encoder thread rarely waits for
#: the GIL while the renderer holds it (at one second it lost ~40 % to that convoy).
CHUNK_SAMPLES = 441000
#: Chunks in flight between renderer and encoder: bounds memory, absorbs jitter.
QUEUE_CHUNKS = 2


def metered(blocks: Iterator[Samples], measure: Callable[[Samples], None]) -> Iterator[Samples]:
    """Pass blocks through, measuring each (block-sized temporaries, not chunk-sized)."""
    for block in blocks:
        measure(block)
        yield block


def chunks(blocks: Iterator[Samples], size: int) -> Iterator[Samples]:
    """Regroup blocks into ``size``-sample chunks (the last may be short)."""
    pending: list[Samples] = []
    held = 0
    for block in blocks:
        pending.append(block)
        held += len(block)
        if held >= size:
            joined = np.concatenate(pending)
            for start in range(0, len(joined) - size + 1, size):
                yield joined[start:start + size]
            rest = joined[len(joined) - len(joined) % size:]
            pending, held = ([rest], len(rest)) if len(rest) else ([], 0)
    if held:
        yield np.concatenate(pending)


Item = TypeVar("Item")


class Stage(Generic[Item]):
    """A thread that applies ``work`` to every item handed over through a bounded queue.

    The export runs one, for the encoder.
    """

    def __init__(self, name: str, work: Callable[[Item], None], depth: int) -> None:
        self.error: BaseException | None = None
        self._cancelled = False
        self._work = work
        self._queue: queue.Queue[Item | None] = queue.Queue(depth)
        self._thread = threading.Thread(target=self._run, name=f"repcue-{name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self.error is None and not self._cancelled:
                try:
                    self._work(item)
                except BaseException as exc:  # handed to the calling thread, which raises it
                    self.error = exc

    def put(self, item: Item) -> None:
        if self.error is not None:
            raise self.error
        self._queue.put(item)

    def close(self, cancel: bool = False) -> None:
        """Finish the queued work (or drop it when cancelled), then re-raise any error."""
        self._cancelled = cancel
        self._queue.put(None)
        self._thread.join()
        if self.error is not None and not cancel:
            raise self.error


def encode_parts(parts: Sequence[tuple[Iterator[Samples], Callable[[bytes], None]]],
                 scale: float, total: int, progress: Progress | None,
                 cancel: threading.Event | None, target: Path) -> None:
    """Hand each part's blocks, ``* scale`` as 16-bit PCM in CHUNK_SAMPLES chunks, to its
    own encoder's ``write`` on its own thread, the parts' chunks taking turns (``total``:
    their samples, for ``progress``).

    PCM conversion stays in this thread: the encoders' is the longer job. ``cancel`` (set
    from another thread) stops with an ExportError naming ``target``; every encoder thread
    has ended when this returns or raises.
    """
    stages = [Stage(f"encoder-{n}", write, QUEUE_CHUNKS)
              for n, (_, write) in enumerate(parts, 1)]
    try:
        done = 0
        for turn in zip_longest(*(chunks(blocks, CHUNK_SAMPLES) for blocks, _ in parts)):
            for stage, chunk in zip(stages, turn, strict=True):
                if chunk is None:
                    continue
                if cancel is not None and cancel.is_set():
                    raise ExportError(f"export of {target} cancelled; nothing was written")
                stage.put(to_pcm16(chunk, scale))
                done += len(chunk)
                if progress is not None:
                    progress("encoding", done, total)
    except BaseException:
        for stage in stages:
            stage.close(cancel=True)
        raise
    failed: list[BaseException] = []
    for stage in stages:  # each closed, whatever another's error
        try:
            stage.close()
        except BaseException as exc:
            failed.append(exc)
    if failed:
        raise failed[0]
