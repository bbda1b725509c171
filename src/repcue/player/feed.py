"""The feed between renderer and sound device: blocks rendered ahead, copied out on demand.

A producer thread renders blocks into a bounded queue; ``fill`` (called from the audio
callback) only copies samples out of it, so rendering never runs on the audio thread.
Positions are output samples of the session as the renderer numbers them. Jumps (skip,
back, extra rest) bump a generation number: blocks rendered for an older generation are
dropped, so nothing from before a jump is heard after it.

Music (a :class:`LiveBed`) keeps a clock of its own: the music samples the lifter has heard.
The feed tells the bed where each stretch of session starts and at what music sample, and
fills extra rest with it, so the music plays on through ``+`` and rests that wait, and a
jump neither stops nor replays it. Lead-in silence (``quiet``) holds the music clock.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from repcue.clip import Samples
from repcue.render import Renderer

#: Blocks rendered ahead. With 4096-sample blocks at 44.1 kHz this is about 0.75 s.
AHEAD_BLOCKS = 8


class LiveBed(Protocol):
    """A bed on its own clock (``music.live.LiveMusic``); the renderer sums its ``render``."""

    def render(self, lo: int, hi: int) -> Samples | None: ...

    def begin(self, at: int, clock: int, from_gain: float | None) -> None: ...

    def held(self, at: int, clock: int, n: int, began: int, from_gain: float) -> Samples: ...

    def gain_at(self, at: int) -> float: ...

    def held_gain(self, at: int) -> float: ...


@runtime_checkable
class Livened(Protocol):
    """A bed that can give each live player its own :class:`LiveBed`."""

    def live(self) -> LiveBed: ...


@dataclass(frozen=True, slots=True)
class Block:
    """Samples to play. ``start`` is the session sample they begin at; inserted silence
    (extra rest) starts where it is inserted and does not move the session on. ``clock`` is
    the music sample the block begins at; a ``quiet`` block holds it still."""

    generation: int
    start: int
    samples: Samples
    inserted: bool = False
    silence_after: int = 0  # inserted silence still to come after this block
    end: bool = False  # the session is over: nothing after this
    clock: int = 0
    quiet: bool = False


class Feed:
    """Session audio from ``start`` on, with pause, jumps and inserted silence."""

    def __init__(self, renderer: Renderer, start: int = 0, *, silence_first: int = 0,
                 ahead: int = AHEAD_BLOCKS, bed: LiveBed | None = None) -> None:
        self.renderer = renderer
        self._bed = bed  # the renderer's bed too: begin() changes what it renders
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
        self._insert_quiet = True  # the lead-in's silence: no music, the clock holds
        self._clock = start  # music sample of the next sample rendered
        self._from_gain: float | None = None  # the music's level where the next stretch starts
        self._held: tuple[int, float] | None = None  # extra rest's music: (began at, from level)
        self._blocks: Iterator[Samples] | None = None
        self._carry: Samples | None = None
        self._ended = False
        # Consumer state (audio thread). ``_jump_to`` and ``_jump_silence`` are written by the
        # controlling thread before the generation is bumped, so the consumer sees them with
        # the new generation and never needs the lock.
        self._seen = 0
        self._jump_to = start
        self._jump_silence = silence_first  # inserted silence right at ``_jump_to``
        self._jump_clock = start
        self._block: Block | None = None
        self._offset = 0
        self._position = start
        self._silence_left = silence_first
        self._heard_clock = start
        self._in_quiet = bool(silence_first)
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
        if self._thread.is_alive():  # a daemon: after a moment, exit does not wait for it
            self._thread.join(timeout=1)

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

    @property
    def clock(self) -> int:
        """Next music sample to be handed to the device."""
        if self._seen != self._generation:
            return self._jump_clock
        return self._heard_clock

    def seek(self, start: int, *, insert_at: int = -1, insert: int = 0,
             quiet: bool = False) -> None:
        """Play from ``start`` on, with ``insert`` samples of extra rest at ``insert_at``
        (with the music under it; ``quiet``: silence, for the lead-in)."""
        start = max(0, min(start, self.total))
        with self._lock:
            clock, level = self.clock, self._level_now()
            self._cursor = start
            self._insert_at, self._insert_left = (insert_at, insert) if insert else (-1, 0)
            self._insert_total = self._insert_left
            self._insert_quiet = quiet
            self._clock, self._from_gain, self._held = clock, level, None
            self._blocks = None
            self._carry = None
            self._ended = False
            self._jump_to = start
            self._jump_silence = self._insert_total if insert_at == start else 0
            self._jump_clock = clock
            self._generation += 1
            self._wake.notify_all()
        self._drain()

    def _level_now(self) -> float | None:
        """The music's level the lifter hears now (roughly: where a jump ramps from)."""
        if self._bed is None:
            return None
        if self.silence_left:
            return 0.0 if self._in_quiet else self._bed.held_gain(self.position)
        return self._bed.gain_at(self.position)

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
                rest = self._next_rest()
                carry = None
                if rest is None:
                    carry, self._carry = self._carry, None
                if rest is None and carry is None and self._blocks is None:
                    self._begin_stretch()
                blocks = self._blocks
                start = self._cursor
            # Rendering happens outside the lock so jumps never wait for it.
            if rest is not None:
                block = rest()
            else:
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

    def _begin_stretch(self) -> None:
        """Render on from the cursor; a bed learns where its music stands there."""
        if self._bed is not None:
            self._bed.begin(self._cursor, self._clock, self._from_gain)
            self._from_gain = None
            self.renderer.forget()
        self._blocks = self.renderer.blocks(self._cursor)

    def _next_rest(self) -> Callable[[], Block] | None:
        """The next block of inserted rest, made when called (outside the lock), or None."""
        if not self._insert_left or self._insert_at != self._cursor:
            return None
        n = min(self._size, self._insert_left)
        self._insert_left -= n
        at, clock, generation, bed = self._cursor, self._clock, self._generation, self._bed
        quiet = Block(generation, at, self._zeros[:n], inserted=True,
                      silence_after=self._insert_left, clock=clock, quiet=True)
        if bed is None:
            return lambda: quiet
        # The session after the rest is rendered again, from where the music is then.
        self._blocks, self._carry = None, None
        if self._insert_quiet:
            self._from_gain = 0.0
            return lambda: quiet
        if self._held is None:
            # Where the level ramps from: the jump's, or the session's at this point.
            start = bed.gain_at(at) if self._from_gain is None else self._from_gain
            self._held = (clock, start)
        began, level = self._held
        self._from_gain = bed.held_gain(at)
        if not self._insert_left:
            self._held = None
        self._clock += n

        def music() -> Block:
            return Block(generation, at, bed.held(at, clock, n, began, level), inserted=True,
                         silence_after=quiet.silence_after, clock=clock)
        return music

    def _place(self, generation: int, start: int, samples: Samples | None) -> Block:
        if samples is None:
            self._ended = True
            return Block(generation, start, self._zeros[:0], end=True, clock=self._clock)
        if self._insert_left and start < self._insert_at < start + len(samples):
            # The rest goes inside this block: play up to it, keep the rest for after.
            cut = self._insert_at - start
            self._carry = samples[cut:]
            samples = samples[:cut]
        self._cursor = start + len(samples)
        clock, self._clock = self._clock, self._clock + len(samples)
        return Block(generation, start, samples, clock=clock)

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
            self._heard_clock = self._jump_clock
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
            self._heard_clock = block.clock + (0 if block.quiet else self._offset)
            self._in_quiet = block.quiet
            if block.inserted:
                self._silence_left = len(block.samples) - self._offset + block.silence_after
            else:
                self._position = block.start + self._offset
                self._silence_left = 0
            if self._offset >= len(block.samples):
                self._block = None
        return True
