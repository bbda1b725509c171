"""The feed between renderer and sound device: blocks rendered ahead, copied out on demand.

A producer thread renders blocks into a bounded queue; ``fill`` (called from the audio
callback) only copies samples out of it, so rendering never runs on the audio thread.
Positions are output samples of the session as the renderer numbers them. Jumps (skip,
back, extra rest) bump a generation number: blocks rendered for an older generation are
dropped, so nothing from before a jump is heard after it.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from repcue.clip import Samples
from repcue.render import Renderer

#: Blocks rendered ahead. With 4096-sample blocks at 44.1 kHz this is about 0.75 s.
AHEAD_BLOCKS = 8


@dataclass(frozen=True, slots=True)
class Block:
    """Samples to play. ``start`` is the session sample they begin at; inserted silence
    (extra rest) starts where it is inserted and does not move the session on."""

    generation: int
    start: int
    samples: Samples
    inserted: bool = False
    silence_after: int = 0  # inserted silence still to come after this block
    end: bool = False  # the session is over: nothing after this


class Feed:
    """Session audio from ``start`` on, with pause, jumps and inserted silence."""

    def __init__(self, renderer: Renderer, start: int = 0, *, silence_first: int = 0,
                 ahead: int = AHEAD_BLOCKS) -> None:
        self.renderer = renderer
        self.total = renderer.total_samples
        self._size = renderer.settings.block_size
        self._zeros = np.zeros(self._size, dtype=np.float32)
        self._zeros.setflags(write=False)
        self._queue: queue.Queue[Block] = queue.Queue(maxsize=ahead)
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._stopped = False
        # Producer state (under the lock).
        self._generation = 0
        self._cursor = start
        self._insert_at = start if silence_first else -1
        self._insert_left = silence_first
        self._insert_total = silence_first  # as asked; _insert_left counts down as rendered
        self._blocks: Iterator[Samples] | None = None
        self._carry: Samples | None = None
        self._ended = False
        # Consumer state (audio thread). ``_jump_to`` and ``_jump_silence`` are written by the
        # controlling thread before the generation is bumped, so the consumer sees them with
        # the new generation and never needs the lock.
        self._seen = 0
        self._jump_to = start
        self._jump_silence = silence_first  # inserted silence right at ``_jump_to``
        self._block: Block | None = None
        self._offset = 0
        self._position = start
        self._silence_left = silence_first
        self._waiting_first = True  # no block of this generation played yet: gaps are expected
        self.paused = False
        self.finished = False
        self.underruns = 0
        self.error: Exception | None = None  # what stopped the render thread, if anything
        self._thread = threading.Thread(target=self._produce, name="repcue-render", daemon=True)

    # --- controlling thread ------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._wake.notify_all()
        self._drain()
        self._thread.join(timeout=5)

    def wait_ready(self, timeout: float = 5.0) -> bool:
        """Block until the first block is rendered (so the device starts with sound ready)."""
        deadline = time.monotonic() + timeout
        while self._queue.empty() and time.monotonic() < deadline and self._thread.is_alive():
            time.sleep(0.002)
        return not self._queue.empty()

    @property
    def position(self) -> int:
        """Next session sample to be handed to the device."""
        if self._seen != self._generation:
            return self._jump_to
        return self._position

    @property
    def silence_left(self) -> int:
        """Inserted silence (extra rest) still to be played from ``position``."""
        if self._seen != self._generation:
            return self._jump_silence
        return self._silence_left

    @property
    def pending_insert(self) -> tuple[int, int] | None:
        """An insertion not yet reached: (at, samples)."""
        with self._lock:
            if self._insert_total and self._insert_at > self.position:
                return self._insert_at, self._insert_total
        return None

    def seek(self, start: int, *, insert_at: int = -1, insert: int = 0) -> None:
        """Play from ``start`` on, with ``insert`` samples of silence at ``insert_at``."""
        start = max(0, min(start, self.total))
        with self._lock:
            self._cursor = start
            self._insert_at, self._insert_left = (insert_at, insert) if insert else (-1, 0)
            self._insert_total = self._insert_left
            self._blocks = None
            self._carry = None
            self._ended = False
            self._jump_to = start
            self._jump_silence = self._insert_total if insert_at == start else 0
            self._generation += 1
            self._wake.notify_all()
        self._drain()

    def _drain(self) -> None:
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass

    # --- producer thread ---------------------------------------------------------------------

    def _produce(self) -> None:
        try:
            self._render_ahead()
        except Exception as err:
            self.error = err
            with self._lock:
                self._ended = True
                generation, cursor = self._generation, self._cursor
            self._put(Block(generation, cursor, self._zeros[:0], end=True), generation)

    def _render_ahead(self) -> None:
        while True:
            with self._lock:
                while self._ended and not self._stopped:
                    self._wake.wait()
                if self._stopped:
                    return
                generation = self._generation
                block = self._next_silence(generation)
                carry = None
                if block is None:
                    carry, self._carry = self._carry, None
                if block is None and carry is None and self._blocks is None:
                    self._blocks = self.renderer.blocks(self._cursor)
                blocks = self._blocks
                start = self._cursor
            if block is None:
                # Rendering happens outside the lock so jumps never wait for it.
                if carry is not None:
                    samples: Samples | None = carry
                else:
                    assert blocks is not None
                    samples = next(blocks, None)
                with self._lock:
                    if generation != self._generation:
                        continue
                    block = self._place(generation, start, samples)
            self._put(block, generation)

    def _next_silence(self, generation: int) -> Block | None:
        if not self._insert_left or self._insert_at != self._cursor:
            return None
        n = min(self._size, self._insert_left)
        self._insert_left -= n
        return Block(generation, self._cursor, self._zeros[:n], inserted=True,
                      silence_after=self._insert_left)

    def _place(self, generation: int, start: int, samples: Samples | None) -> Block:
        if samples is None:
            self._ended = True
            return Block(generation, start, self._zeros[:0], end=True)
        if self._insert_left and start < self._insert_at < start + len(samples):
            # The silence goes inside this block: play up to it, keep the rest for after.
            cut = self._insert_at - start
            self._carry = samples[cut:]
            samples = samples[:cut]
        self._cursor = start + len(samples)
        return Block(generation, start, samples)

    def _put(self, block: Block, generation: int) -> None:
        while True:
            try:
                self._queue.put(block, timeout=0.05)
                return
            except queue.Full:
                with self._lock:
                    if self._stopped or generation != self._generation:
                        return

    # --- audio thread ------------------------------------------------------------------------

    def fill(self, out: Samples, wait: float = 0.0) -> bool:
        """Copy the next ``len(out)`` samples into ``out``; False once the session has ended
        (the rest of ``out`` is zero). ``wait`` > 0 waits that long for a late block instead
        of counting an underrun (for sinks that are not real time)."""
        if self._seen != self._generation:
            self._seen = self._generation
            self._block = None
            self._position = self._jump_to
            self._silence_left = self._jump_silence
            self._waiting_first = True
        if self.paused or self.finished:
            out.fill(0)
            return not self.finished
        done, n = 0, len(out)
        while done < n:
            block = self._block
            if block is None:
                try:
                    block = self._queue.get(timeout=wait) if wait else self._queue.get_nowait()
                except queue.Empty:
                    if not self._waiting_first:
                        self.underruns += 1
                    out[done:].fill(0)
                    return True
                if block.generation != self._seen:
                    continue
                if block.end:
                    out[done:].fill(0)
                    self._position = block.start
                    self.finished = True
                    return False
                self._block, self._offset = block, 0
                self._waiting_first = False
            take = min(n - done, len(block.samples) - self._offset)
            out[done : done + take] = block.samples[self._offset : self._offset + take]
            done += take
            self._offset += take
            if block.inserted:
                self._silence_left = len(block.samples) - self._offset + block.silence_after
            else:
                self._position = block.start + self._offset
                self._silence_left = 0
            if self._offset >= len(block.samples):
                self._block = None
        return True
