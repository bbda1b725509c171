"""``rest = "ready"``: live play waits for the lifter; a file rests as planned and says so."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from audio_fixtures import FakeClock, phrase_clip, phrase_mix, ready_timeline
from cli_support import run_main
from repcue.config import Config
from repcue.errors import ContentError
from repcue.mix import Mix
from repcue.player.controls import Command, ScriptedControls
from repcue.player.display import LineDisplay
from repcue.player.guide import Status
from repcue.player.navigation import Course
from repcue.player.playback import PlayResult, play
from repcue.player.screen import big_number
from repcue.player.sink import RecordingSink
from repcue.prepare import Request, build_plan
from repcue.schedule import schedule
from repcue.timeline import MarkerRole, Timeline
from repcue.timing import Layer
from repcue.wording import READY_REMINDER, REST_READY, TEN_SECONDS

RATE = 22050
TICK = 0.05


@pytest.fixture(scope="module")
def live() -> Mix:
    return phrase_mix(ready_timeline(live=True), RATE)


def _play(mix: Mix, script: Sequence[tuple[float, Command]], start_ms: int,
          stop_after_s: float) -> tuple[PlayResult, np.ndarray, LineDisplay]:
    sink = RecordingSink()
    clock = FakeClock(sink, RATE)
    controls = ScriptedControls([*script, (stop_after_s, Command.QUIT)], clock)
    display = LineDisplay(io.StringIO())
    result = play(mix, sink, controls, display, clock, start_ms=start_ms, tick_s=TICK)
    return result, sink.samples(), display


def _first_rest(timeline: Timeline) -> tuple[int, int]:
    rest = timeline.markers(MarkerRole.REST)[0]
    ready = next(m for m in timeline.markers(MarkerRole.READY) if m.start_ms >= rest.start_ms)
    return rest.start_ms, ready.start_ms


def _heard(samples: np.ndarray, text: str) -> int:
    """How many times ``text``'s clip (its first 100 ms) starts in ``samples``."""
    probe = phrase_clip(text, RATE).samples[: RATE // 10]
    k = 1  # sin(0) is 0 and so is silence: anchor on the second sample
    candidates = np.flatnonzero(samples[k : len(samples) - len(probe) + 1 + k] == probe[k])
    starts = [i for i in candidates if np.array_equal(samples[i : i + len(probe)], probe)]
    # A clip starting at i also matches wherever its waveform repeats the first 100 ms.
    return sum(1 for k, i in enumerate(starts) if k == 0 or i - starts[k - 1] >= len(probe))


# --- the knob and the settings chain --------------------------------------------------------


def test_ready_keeps_the_planned_rest_and_a_number_replaces_it() -> None:
    from repcue.timing import resolve

    ready = resolve([Layer("w.toml", {"rest": 40}), Layer("--rest", {"rest": "ready"})])
    assert ready.rest_ready and ready.rest_ms == 40_000
    again = resolve([Layer("c", {"rest": "ready"}), Layer("--rest", {"rest": "75"})])
    assert not again.rest_ready and again.rest_ms == 75_000


def test_a_bad_rest_names_ready_among_what_is_allowed() -> None:
    from repcue.timing import resolve

    with pytest.raises(ContentError) as caught:
        resolve([Layer("--rest", {"rest": "soon"}, origin="command line")])
    assert "ready" in str(caught.value)
    assert "--rest" in str(caught.value)


def test_ready_in_the_config_wins_over_a_workout_but_a_number_does_not() -> None:
    from repcue.content import Library
    from repcue.settings import resolve_workout

    workout = Library.discover(()).workout("activation")
    ready = resolve_workout(workout, Layer("config.toml", {"rest": "ready"}, origin="config"))
    assert all(r.timing.rest_ready for r in ready)
    number = resolve_workout(workout, Layer("config.toml", {"rest": 75}, origin="config"))
    assert all(r.timing.rest_ms != 75_000 for r in number)  # the program's rest stands
    assert not any(r.timing.rest_ready for r in number)


# --- the plan: live waits, a file rests as planned -------------------------------------------


def test_a_file_rests_as_planned_and_says_so_in_one_line() -> None:
    planned = ready_timeline(live=False)
    plain = schedule(build_plan(Request("activation", config=Config()))[1])
    assert planned.events == plain.events
    notes = [w for w in planned.warnings if "ready" in w]
    assert len(notes) == 1
    assert "only play waits" in notes[0] and "(pelvic-tilt-drill 40 s)" in notes[0]


def test_live_rests_wait_with_a_reminder_then_ten_seconds() -> None:
    timeline = ready_timeline(live=True)
    texts = [e.text for e in timeline.speech() if e.role == "rest"]
    assert REST_READY in texts and READY_REMINDER in texts
    readies = timeline.markers(MarkerRole.READY)
    rests = timeline.markers(MarkerRole.REST)
    assert len(readies) == len(rests) == 2  # three sets, two rests
    for rest, ready in zip(rests, readies, strict=True):
        assert rest.start_ms < ready.start_ms < rest.end_ms == ready.end_ms
        ten = next(e for e in timeline.speech() if e.text == TEN_SECONDS
                   and e.start_ms >= ready.start_ms)
        assert ten.start_ms < ready.end_ms
    assert not any("ready" in w for w in timeline.warnings)


def test_the_course_loops_in_silence_after_the_reminder(live: Mix) -> None:
    course = Course.of(live.timeline, live.renderer().sample_at, RATE)
    assert len(course.waits) == 2
    for wait in course.waits:
        assert wait.start < wait.loop_from < wait.loop_at < wait.ready
        for start, end in course.sounding:  # nothing sounds where the loop cuts and lands
            assert not start <= wait.loop_at < end
            assert not start < wait.loop_from < end


# --- live play ------------------------------------------------------------------------------


def test_without_a_press_the_rest_waits_and_reminds(live: Mix) -> None:
    rest_ms, _ = _first_rest(live.timeline)
    start = rest_ms - 1000
    result, heard, display = _play(live, [], start, stop_after_s=200)
    assert _heard(heard, READY_REMINDER) >= 3  # about once a minute for 200 s
    assert _heard(heard, TEN_SECONDS) == 0
    assert rest_ms <= result.stopped_at_ms < _first_rest(live.timeline)[1]
    waiting = [line for line in display.lines if "waiting for you (space or Play)" in line]
    assert waiting and all("set 1/3 · rest" in line for line in waiting)


def test_a_press_goes_on_with_ten_seconds_then_the_set(live: Mix) -> None:
    rest_ms, ready_ms = _first_rest(live.timeline)
    renderer = live.renderer()
    start = rest_ms - 1000
    result, heard, _ = _play(live, [(90.0, Command.PAUSE)], start, stop_after_s=110)
    assert _heard(heard, TEN_SECONDS) == 1
    # From the press on, the session plays on sample for sample from the ready point.
    ready = renderer.sample_at(ready_ms)
    expected = renderer.render_range(ready, ready + 10 * RATE)
    at = round(90.0 / TICK) * round(TICK * RATE)
    k = int(np.flatnonzero(expected)[0])  # anchor on sound, not on silence
    candidates = at + np.flatnonzero(heard[at + k : at + k + RATE] == expected[k])
    hits = [i for i in candidates if np.array_equal(heard[i : i + RATE], expected[:RATE])]
    assert hits, "the session went on from the ready point after the press"
    assert result.stopped_at_ms > ready_ms
    summary = result.summary
    assert summary is not None and summary.rests_at_your_pace == 1
    assert "at your pace" in summary.describe()


@pytest.mark.parametrize("command", [Command.RESUME, Command.NEXT_SET])
def test_play_and_next_also_end_the_wait(live: Mix, command: Command) -> None:
    rest_ms, ready_ms = _first_rest(live.timeline)
    result, heard, _ = _play(live, [(20.0, command)], rest_ms - 1000, stop_after_s=40)
    assert _heard(heard, TEN_SECONDS) == 1
    assert result.stopped_at_ms > ready_ms


def test_more_rest_in_a_waiting_rest_says_how_to_go_on(live: Mix) -> None:
    rest_ms, _ = _first_rest(live.timeline)
    result, _, _ = _play(live, [(8.0, Command.MORE_REST)], rest_ms - 1000, stop_after_s=10)
    assert any("waits for you" in note for note in result.notes)


def test_the_screen_counts_a_waiting_rest_up() -> None:
    number, label = big_number(Status("W", resting=True, rest_left_ms=5000, waiting_ms=75_400))
    assert number == "1:15"
    assert "READY" in label
    assert big_number(Status("W", resting=True, rest_left_ms=5000)) == ("0:05", "REST")


def test_plan_through_the_real_entry_point_says_the_one_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_main(["plan", "activation", "--estimate", "--rest", "ready"], capsys)
    assert status == 0
    lines = [line for line in (out + err).splitlines() if "rest = ready" in line]
    assert len(lines) == 1, out + err
    status, _, err = run_main(["plan", "activation", "--estimate", "--rest", "soon"], capsys)
    assert status == 2 and "ready" in err


def test_a_workout_file_can_ask_for_ready_rests(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "workouts").mkdir()
    (tmp_path / "workouts" / "self-paced.toml").write_text(
        'title = "Self-paced"\n[timing]\nrest = "ready"\n[[exercise]]\nid = "dumbbell-row"\n'
        'rest = 45\n[[exercise]]\nid = "overhead-press"\n', encoding="utf-8")
    status, out, err = run_main(["validate", "--content", str(tmp_path)], capsys)
    assert status == 0, err
    status, out, err = run_main(["plan", "self-paced", "--estimate", "--content",
                                 str(tmp_path)], capsys)
    assert status == 0, err
    # The entry's own number wins over the workout's ready, as any structure value would.
    assert "rest = ready: only play waits; files rest as planned (overhead-press 90 s)" in out
    assert "workout self-paced.toml: rest ready (planned 90 s)" in out
    assert "workout self-paced.toml: rest 45 s" in out
