"""What the display shows at given times, and that the live view draws on the injected clock."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from rich.console import Console

from audio_fixtures import REST_MS, SET_MS, FakeClock, short_mix, short_renderer
from repcue.player.controls import Command, ScriptedControls
from repcue.player.display import LiveDisplay
from repcue.player.guide import Guide, Status
from repcue.player.playback import play
from repcue.player.screen import LEGEND, big_text, screen
from repcue.player.sink import RecordingSink
from repcue.timeline import Timeline

SET1, SET2 = 1000, 1000 + SET_MS + REST_MS


@pytest.fixture(scope="module")
def timeline() -> Timeline:
    return short_renderer().timeline


@pytest.fixture(scope="module")
def guide(timeline: Timeline) -> Guide:
    return Guide(timeline)


def test_intro(guide: Guide) -> None:
    status = guide.at(300)
    assert (status.exercise, status.set, status.rep, status.cue) == (None, None, None, "Welcome.")
    assert status.next_up == "Row"
    assert status.where() == "Short session"


def test_in_a_set_with_the_rep_being_counted(guide: Guide) -> None:
    status = guide.at(SET2 + 3200 + 300)
    assert (status.exercise, status.set, status.sets, status.rep, status.reps) == (
        "Row", 2, 2, 2, 2)
    assert status.cue == "row 2 rep 2."
    assert status.where() == "Row · set 2/2 · rep 2/2"
    assert status.next_up == "Squat"


def test_before_the_first_rep_no_rep_is_shown(guide: Guide) -> None:
    status = guide.at(SET1 + 300)
    assert status.where() == "Row · set 1/2"
    assert status.cue == "row set 1."


def test_resting_shows_rest_and_the_next_set(guide: Guide, timeline: Timeline) -> None:
    status = guide.at(SET1 + SET_MS + 2000)
    assert status.where() == "Row · set 1/2 · rest"
    assert status.cue is None
    assert status.next_up == "Row, set 2/2"
    assert status.elapsed_ms == SET1 + SET_MS + 2000
    assert status.remaining_ms == timeline.duration_ms - status.elapsed_ms


def test_extra_rest_counts_in_the_time_left(guide: Guide, timeline: Timeline) -> None:
    status = guide.at(SET1 + SET_MS + 2000, extra_ms=15_000, paused=True)
    assert status.remaining_ms == timeline.duration_ms - status.elapsed_ms + 15_000
    assert status.paused


def test_after_the_last_exercise(guide: Guide, timeline: Timeline) -> None:
    status = guide.at(timeline.duration_ms - 500)
    assert (status.exercise, status.cue, status.next_up) == (None, "Done.", "finish")


def render(status: Status, note: str | None = None, width: int = 80) -> list[str]:
    console = Console(file=io.StringIO(), width=width, height=24, record=True)
    console.print(screen(status, note))
    return console.export_text().splitlines()


def test_screen_shows_every_part() -> None:
    status = Status("Back strength", "Dumbbell row", 2, 3, "left", 4, 8, cue="Now row.",
                    next_up="Dumbbell row, set 3/3", elapsed_ms=61_000, remaining_ms=120_000,
                    total_ms=181_000, paused=True, phase="Lower", phase_left_ms=2_100)
    text = "\n".join(render(status, "audio device lost at 01:01"))
    for part in ("Back strength", "PAUSED", "DUMBBELL ROW · left side", "Set 2/3 · Rep 4/8",
                 "LOWER", *big_text("3"), "“Now row.”", "next: Dumbbell row, set 3/3",
                 "01:01 elapsed · 02:00 left", "audio device lost at 01:01", LEGEND):
        assert part in text, part


def test_rest_counts_down_in_big_digits_with_the_next_set(guide: Guide) -> None:
    status = guide.at(SET1 + SET_MS + 1500, extra_ms=15_000)
    assert status.resting and status.rest_left_ms == REST_MS - 1500 + 15_000
    text = "\n".join(render(status))
    assert "REST" in text and "next: Row, set 2/2" in text
    for row in big_text("0:18"):  # 2.5 s of the rest plus 15 s more, rounded up
        assert row in text


def test_a_phase_counts_down_its_seconds(guide: Guide) -> None:
    status = guide.at(SET1 + 1500 + 400)  # 1.1 s into the first rep's 1.5 s lift
    assert (status.phase, status.phase_left_ms) == ("Lift", 1100)
    lines = render(status)
    assert "LIFT" in lines and all(row in lines for row in big_text("2"))


def test_every_moment_fits_80_columns_on_the_same_rows(timeline: Timeline, guide: Guide) -> None:
    long = Guide(timeline)  # a long workout title and cue must be cut, not wrapped
    heights = set()
    for ms in range(0, timeline.duration_ms, 250):
        for status in (guide.at(ms, paused=ms % 1000 == 0),
                       replace(long.at(ms), workout="A" * 120, cue="word " * 40)):
            lines = render(status, "note " * 30 if ms % 2000 == 0 else None)
            assert all(len(line) <= 80 for line in lines), lines
            heights.add(len(lines))
    assert heights == {18}  # fixed in place, and inside 24 rows


class StepClock:
    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds


def test_live_display_redraws_at_most_fps_times_a_second_of_its_clock(guide: Guide) -> None:
    clock = StepClock()
    out = io.StringIO()
    display = LiveDisplay(Console(file=out, width=100, force_terminal=True), clock, fps=4)
    display.start()
    drawn = []
    for step in range(40):  # one second of the clock in 25 ms steps
        before = out.tell()
        display.show(guide.at(SET1 + step * 25))
        drawn.append(out.tell() > before)
        clock.sleep(0.025)
    display.stop()
    assert sum(drawn) == 4
    assert "Set 1/2" in out.getvalue()


def test_live_display_draws_a_picture_once_while_nothing_on_it_changes(guide: Guide) -> None:
    clock = StepClock()
    out = io.StringIO()
    display = LiveDisplay(Console(file=out, width=80, force_terminal=True), clock, fps=4)
    display.start()
    still = guide.at(SET1)
    drawn = []
    for _ in range(8):  # two seconds of the same moment (paused, say)
        before = out.tell()
        display.show(still)
        drawn.append(out.tell() > before)
        clock.sleep(0.25)
    display.show(replace(still, elapsed_ms=still.elapsed_ms + 1000))  # the clock moved on
    display.stop()
    assert drawn == [True] + [False] * 7
    assert out.getvalue().count("elapsed") >= 2


def test_notes_expire_after_a_few_seconds(guide: Guide) -> None:
    clock = StepClock()
    out = io.StringIO()
    display = LiveDisplay(Console(file=out, width=80, force_terminal=True), clock, fps=4)
    display.start()
    display.show(guide.at(SET1))
    display.note("+ adds rest during a rest period")
    assert "+ adds rest" in out.getvalue()
    clock.sleep(5.0)
    mark = out.tell()
    display.show(guide.at(SET1 + 5000))
    display.stop()
    assert "+ adds rest" not in out.getvalue()[mark:]


class Frames:
    """A display that keeps every status it is shown."""

    def __init__(self) -> None:
        self.shown: list[Status] = []

    def start(self) -> None:
        pass

    def show(self, status: Status) -> None:
        self.shown.append(status)

    def note(self, message: str) -> None:
        pass

    def stop(self) -> None:
        pass


def test_elapsed_keeps_counting_through_more_rest_and_time_left_includes_it() -> None:
    mix = short_mix(exercises=("row",), sets=1)
    sink = RecordingSink()
    clock = FakeClock(sink)
    frames = Frames()
    controls = ScriptedControls([(6.5, Command.MORE_REST)], clock)
    result = play(mix, sink, controls, frames, clock)
    assert result.completed
    held = [s for s in frames.shown if s.remaining_ms > s.total_ms - s.position_ms]
    assert len(held) > 100  # 15 s of extra rest at 50 ms a tick
    elapsed = [s.elapsed_ms for s in held]
    assert elapsed == sorted(elapsed) and elapsed[-1] - elapsed[0] > 14_000
    assert len({s.position_ms for s in held}) < len(held) // 10  # the timeline waits
    total = mix.timeline.duration_ms
    last = frames.shown[-1]
    assert last.elapsed_ms >= total + 15_000 - 100  # real time: the plan plus the extra rest
