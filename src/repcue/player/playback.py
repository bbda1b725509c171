"""One live session: feed, sink, keys and display, from the first sample to the last.

``play`` owns the loop; everything it touches is passed in (the clock too), so the same
loop runs a real device with a terminal and a test with a recording and a fake clock.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from repcue.errors import AudioError, RepcueError
from repcue.mix import Mix
from repcue.player.clock import Clock
from repcue.player.controls import Command, Controls
from repcue.player.display import Display, Guide
from repcue.player.feed import Feed
from repcue.player.navigation import EXTRA_REST_MS, Course
from repcue.player.sink import Sink
from repcue.render import Renderer
from repcue.timeline import Timeline
from repcue.units import position_text, samples_to_ms

#: How often the loop looks at keys, the device and the display.
TICK_S = 0.05
#: GIL switch interval while playing (Python's default is 5 ms).
GIL_SWITCH_S = 0.001
#: How long to keep trying a device that went away before giving up.
RECONNECT_S = 30.0


@dataclass(frozen=True)
class PlayResult:
    """How a session ended. ``stopped_at_ms`` is timeline time, what was last heard."""

    stopped_at_ms: int
    underruns: int
    completed: bool
    reason: str = "finished"  # finished | quit | interrupted | device lost
    notes: tuple[str, ...] = ()


class _Player:
    def __init__(self, timeline: Timeline, renderer: Renderer, feed: Feed, sink: Sink,
                 display: Display, bt_offset_ms: int) -> None:
        self.timeline = timeline
        self.renderer = renderer
        self.feed = feed
        self.sink = sink
        self.display = display
        self.course = Course.of(timeline, renderer.sample_at, renderer.rate)
        self.bt_offset = self.course.samples(bt_offset_ms)
        self.guide = Guide(timeline)
        self.notes: list[str] = []
        self.lost_at: int | None = None  # where the device was lost, while it is away

    def heard(self) -> int:
        """The sample reaching the ear now: written minus device latency and Bluetooth delay."""
        return max(0, self.feed.position - self.sink.latency_samples - self.bt_offset)

    def ms(self, sample: int) -> int:
        ms = samples_to_ms(sample - self.renderer.lead_in_samples, self.renderer.rate)
        return max(0, min(ms, self.timeline.duration_ms))

    def note(self, message: str) -> None:
        self.notes.append(message)
        self.display.note(message)

    def show(self) -> None:
        extra = samples_to_ms(self.feed.silence_left, self.renderer.rate)
        self.display.show(self.guide.at(self.ms(self.heard()), extra_ms=extra,
                                        paused=self.feed.paused))

    def apply(self, command: Command) -> None:
        feed, course = self.feed, self.course
        if command is Command.PAUSE:
            feed.paused = not feed.paused
        elif command is Command.NEXT_SET:
            target = course.next_set(self.heard())
            if target is None:
                self.note("this is the last set: nothing to skip to")
            else:
                feed.seek(target)
        elif command is Command.BACK:
            feed.seek(course.restart_set(self.heard()))
        elif command is Command.MORE_REST:
            self.more_rest()

    def more_rest(self) -> None:
        feed, course = self.feed, self.course
        extra = course.samples(EXTRA_REST_MS)
        here = feed.position
        left = feed.silence_left
        pending = feed.pending_insert
        if left > 0:
            feed.seek(here, insert_at=here, insert=left + extra)
        elif pending is not None:
            feed.seek(here, insert_at=pending[0], insert=pending[1] + extra)
        else:
            point = course.extra_rest_point(here)
            if point is None:
                self.note("+ adds rest during a rest period")
                return
            feed.seek(here, insert_at=point, insert=extra)

    def reconnect(self, clock: Clock, timeout: float) -> bool:
        resume = self.lost_at = self.heard()
        self.note(f"audio device lost at {position_text(self.ms(resume))}: paused, reconnecting…")
        deadline = clock.now() + timeout
        while True:
            # Resume with the lead-in's silence again so Bluetooth earbuds are awake.
            self.feed.seek(resume, insert_at=resume, insert=self.renderer.lead_in_samples)
            if self.sink.reopen():
                self.lost_at = None
                self.note(f"reconnected: resuming at {position_text(self.ms(resume))}")
                return True
            if clock.now() >= deadline:
                return False
            clock.sleep(1.0)


def play(
    mix: Mix,
    sink: Sink,
    controls: Controls,
    display: Display,
    clock: Clock,
    *,
    start_ms: int = 0,
    bt_offset_ms: int = 0,
    reconnect_s: float = RECONNECT_S,
    tick_s: float = TICK_S,
) -> PlayResult:
    """Play ``mix`` from ``start_ms`` until it ends, the lifter quits or presses Ctrl-C,
    or the device is gone for good. Never raises for those: the result says what happened.

    The rendered samples go out as they are, as a WAV export writes them."""
    timeline, renderer = mix.timeline, mix.renderer()
    if start_ms > 0:
        # A resumed session gets the lead-in again, as silence, before its first word.
        start, silence = renderer.sample_at(start_ms), renderer.lead_in_samples
    else:
        start, silence = 0, 0
    feed = Feed(renderer, start, silence_first=silence)
    player = _Player(timeline, renderer, feed, sink, display, bt_offset_ms)
    reason = "finished"
    # The audio callback needs the GIL within one device period; a shorter switch interval
    # bounds how long the render thread can keep it waiting.
    switch = sys.getswitchinterval()
    sys.setswitchinterval(GIL_SWITCH_S)
    feed.start()
    try:
        feed.wait_ready()
        display.start()
        controls.start()
        sink.start(feed)
        while not sink.done:
            if feed.error is not None:
                raise _render_failure(feed.error)
            commands = controls.poll()
            if Command.QUIT in commands:
                reason = "quit"
                break
            for command in commands:
                player.apply(command)
            if sink.lost and not player.reconnect(clock, reconnect_s):
                reason = "device lost"
                break
            player.show()
            clock.sleep(tick_s)
        player.show()
    except KeyboardInterrupt:
        reason = "interrupted"
    finally:
        controls.stop()
        stopped_at = player.ms(player.heard() if player.lost_at is None else player.lost_at)
        sink.close()
        feed.stop()
        display.stop()
        sys.setswitchinterval(switch)
    if feed.error is not None:
        raise _render_failure(feed.error)
    completed = reason == "finished"
    if completed:
        stopped_at = timeline.duration_ms
    return PlayResult(stopped_at, feed.underruns + sink.underruns, completed, reason,
                      tuple(player.notes))


def _render_failure(err: Exception) -> RepcueError:
    if isinstance(err, RepcueError):
        return err
    return AudioError(f"rendering the session failed: {type(err).__name__}: {err}")
