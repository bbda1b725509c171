"""What the display shows at given times, and that the live view draws on the injected clock."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from audio_fixtures import REST_MS, SET_MS, short_renderer
from repcue.player.display import Guide, LiveDisplay, Status, panel
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


def test_panel_shows_every_part() -> None:
    status = Status("Back strength", "Dumbbell row", 2, 3, "left", 4, 8, cue="Now row.",
                    next_up="Dumbbell row, set 3/3", elapsed_ms=61_000, remaining_ms=120_000,
                    total_ms=181_000, paused=True)
    console = Console(file=io.StringIO(), width=100, record=True)
    console.print(panel(status, "audio device lost at 01:01"))
    text = console.export_text()
    for part in ("Back strength", "paused", "Dumbbell row · set 2/3 · left side · rep 4/8",
                 "“Now row.”", "next: Dumbbell row, set 3/3", "01:01 elapsed · 02:00 left",
                 "audio device lost at 01:01", "n next set"):
        assert part in text, part


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
    assert "Row · set 1/2" in out.getvalue()
