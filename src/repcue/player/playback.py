"""One live session: feed, sink, keys and display, from the first sample to the last.

``play`` owns the loop; everything it touches is passed in (the clock too), so the same
loop runs a real device with a terminal and a test with a recording and a fake clock.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace

from repcue.errors import AudioError, RepcueError
from repcue.mix import Mix
from repcue.player.clock import Clock
from repcue.player.controls import Command, Controls
from repcue.player.display import Display
from repcue.player.feed import Feed, Livened
from repcue.player.guide import Guide
from repcue.player.navigation import EXTRA_REST_MS, Course
from repcue.player.sink import Sink
from repcue.player.summary import Summary, Tally
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
    summary: Summary | None = None


class _Player:
    def __init__(self, timeline: Timeline, renderer: Renderer, feed: Feed, sink: Sink,
                 display: Display, clock: Clock, bt_offset_ms: int) -> None:
        self.timeline = timeline
        self.clock = clock
        self.tally = Tally(timeline)
        self.renderer = renderer
        self.feed = feed
        self.sink = sink
        self.display = display
        self.course = Course.of(timeline, renderer.sample_at, renderer.rate)
        self.bt_offset = self.course.samples(bt_offset_ms)
        self.guide = Guide(timeline)
        self.notes: list[str] = []
        self.lost_at: int | None = None  # where the device was lost, while it is away
        self.alert: str | None = None
        self.began: float | None = None  # clock time of the first look at the session
        self.wait_began: float | None = None  # clock time a rest that waits for you began

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
        heard = self.ms(self.heard() if self.lost_at is None else self.lost_at)
        now = self.clock.now()
        if self.began is None:
            self.began = now
        self.tally.heard(heard, now, holding=self.feed.paused or extra > 0)
        status = self.guide.at(heard, extra_ms=extra, paused=self.feed.paused,
                               elapsed_ms=round((now - self.began) * 1000))
        if self.lost_at is None and self.course.wait_at(self.heard()) is not None:
            if self.wait_began is None:
                self.wait_began = now
            status = replace(status, waiting_ms=round((now - self.wait_began) * 1000))
        else:
            self.wait_began = None
        self.display.show(replace(status, alert=self.alert) if self.alert else status)

    def keep_waiting(self) -> None:
        """In a rest that waits for the lifter, play its waiting stretch again and again."""
        position = self.feed.position
        wait = self.course.wait_at(position)
        if wait is not None and position >= wait.loop_at and not self.feed.silence_left:
            self.feed.seek(wait.loop_from)

    def ready(self) -> bool:
        """The lifter is ready (space, Play or Next in a waiting rest): on to "Ten seconds."
        False when no rest is waiting for them."""
        wait = self.course.wait_at(self.heard())
        if wait is None:
            return False
        self.feed.paused = False
        self.feed.seek(wait.ready)
        self.tally.jumped()
        return True

    def apply(self, command: Command) -> None:
        feed, course = self.feed, self.course
        if command in (Command.PAUSE, Command.RESUME, Command.NEXT_SET) and self.ready():
            return
        if command is Command.PAUSE:
            feed.paused = not feed.paused
        elif command in (Command.RESUME, Command.HOLD):
            feed.paused = command is Command.HOLD
        elif command is Command.NEXT_SET:
            target = course.next_set(self.heard())
            if target is None:
                self.note("this is the last set: nothing to skip to")
            else:
                feed.seek(target)
                self.tally.jumped()
        elif command is Command.BACK:
            feed.seek(course.restart_set(self.heard()))
            self.tally.jumped()
        elif command is Command.MORE_REST:
            self.more_rest()

    def more_rest(self) -> None:
        feed, course = self.feed, self.course
        if course.wait_at(self.heard()) is not None:
            self.note("this rest waits for you: space, n or Play when you are ready")
            return
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

    def run(self, controls: Controls, reconnect_s: float, tick_s: float) -> str:
        """Look at keys, device and screen every ``tick_s`` until the session ends; how it
        ended: finished, quit or device lost."""
        feed, sink = self.feed, self.sink
        while not sink.done:
            if feed.error is not None:
                raise _render_failure(feed.error)
            commands = controls.poll()
            if Command.QUIT in commands:
                return "quit"
            for command in commands:
                self.apply(command)
            if sink.lost and not self.reconnect(self.clock, reconnect_s):
                return "device lost"
            self.keep_waiting()
            self.show()
            self.clock.sleep(tick_s)
        self.show()
        return "finished"

    def reconnect(self, clock: Clock, timeout: float) -> bool:
        resume = self.lost_at = self.heard()
        lost = f"audio device lost at {position_text(self.ms(resume))}"
        self.notes.append(f"{lost}: paused, reconnecting…")
        deadline = clock.now() + timeout
        while True:
            left = max(0, round(deadline - clock.now()))
            self.alert = f"{lost}: paused; reconnecting, giving up in {left} s"
            self.show()
            # Resume with the lead-in's silence again so Bluetooth earbuds are awake.
            self.feed.seek(resume, insert_at=resume, insert=self.renderer.lead_in_samples,
                           quiet=True)
            if self.sink.reopen():
                self.lost_at = self.alert = None
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
    # Music keeps its own clock live (music/live.py): through extra rest, waits and jumps.
    bed = mix.bed.live() if isinstance(mix.bed, Livened) else None
    timeline = mix.timeline
    renderer = mix.renderer() if bed is None else replace(mix, bed=bed).renderer()
    if start_ms > 0:
        # A resumed session gets the lead-in again, as silence, before its first word.
        start, silence = renderer.sample_at(start_ms), renderer.lead_in_samples
    else:
        start, silence = 0, 0
    feed = Feed(renderer, start, silence_first=silence, bed=bed)
    player = _Player(timeline, renderer, feed, sink, display, clock, bt_offset_ms)
    reason = "interrupted"  # unless run() says otherwise
    # The audio callback needs the GIL within one device period; a shorter switch interval
    # bounds how long the render thread can keep it waiting.
    switch = sys.getswitchinterval()
    try:
        sys.setswitchinterval(GIL_SWITCH_S)
        feed.start()
        feed.wait_ready()
        display.start()
        controls.start()
        sink.start(feed)
        reason = player.run(controls, reconnect_s, tick_s)
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
        player.tally.heard(timeline.duration_ms, clock.now())
    return PlayResult(stopped_at, feed.underruns + sink.underruns, completed, reason,
                      tuple(player.notes), player.tally.summary())


def _render_failure(err: Exception) -> RepcueError:
    if isinstance(err, RepcueError):
        return err
    return AudioError(f"rendering the session failed: {type(err).__name__}: {err}")
