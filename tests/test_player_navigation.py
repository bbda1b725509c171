"""Where skip, back, extra rest and --start-at land, in samples and milliseconds."""

from __future__ import annotations

import pytest

from audio_fixtures import RATE, REST_MS, SET_MS, short_renderer
from repcue.errors import InputError, NotFoundError
from repcue.player.navigation import AGAIN_MS, Course, start_ms
from repcue.render import Renderer


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return short_renderer(lead_in_ms=1000)


@pytest.fixture(scope="module")
def course(renderer: Renderer) -> Course:
    return Course.of(renderer.timeline, renderer.sample_at, renderer.rate)


def s(renderer: Renderer, ms: int) -> int:
    return renderer.sample_at(ms)


SETS_MS = [1000 + i * (SET_MS + REST_MS) for i in range(4)]  # row 1, row 2, squat 1, squat 2


def test_set_starts_are_the_set_markers_after_the_lead_in(renderer: Renderer,
                                                          course: Course) -> None:
    assert course.set_starts == tuple(s(renderer, ms) for ms in SETS_MS)
    assert course.set_starts[0] == RATE + 1000 * RATE // 1000


def test_next_set_from_the_intro_a_set_and_a_rest(renderer: Renderer, course: Course) -> None:
    assert course.next_set(0) == s(renderer, SETS_MS[0])
    assert course.next_set(s(renderer, SETS_MS[0])) == s(renderer, SETS_MS[1])
    assert course.next_set(s(renderer, SETS_MS[1] + SET_MS + 10)) == s(renderer, SETS_MS[2])
    assert course.next_set(s(renderer, SETS_MS[3] + 1)) is None


def test_restart_set_and_again_the_one_before(renderer: Renderer, course: Course) -> None:
    set2 = s(renderer, SETS_MS[1])
    assert course.restart_set(set2 + s(renderer, AGAIN_MS) - s(renderer, 0)) == set2
    assert course.restart_set(set2 + 10) == s(renderer, SETS_MS[0])
    # In the rest after set 2, back means "that set again".
    assert course.restart_set(s(renderer, SETS_MS[1] + SET_MS + 1000)) == set2
    assert course.restart_set(s(renderer, 500)) == 0  # the intro: from the top
    assert course.restart_set(s(renderer, SETS_MS[0] + 100)) == s(renderer, SETS_MS[0])


def test_extra_rest_goes_after_the_sounding_cue_and_only_in_a_rest(renderer: Renderer,
                                                                   course: Course) -> None:
    rest = SETS_MS[0] + SET_MS
    assert course.extra_rest_point(s(renderer, rest + 500)) == s(renderer, rest + 1200)
    assert course.extra_rest_point(s(renderer, rest + 1500)) == s(renderer, rest + 1500)
    assert course.extra_rest_point(s(renderer, rest - 1)) is None
    assert course.extra_rest_point(s(renderer, rest + REST_MS)) is None


def test_start_at_an_exercise_a_set_or_a_time(renderer: Renderer) -> None:
    timeline = renderer.timeline
    assert start_ms(timeline, "squat") == SETS_MS[2]
    assert start_ms(timeline, "row:2") == SETS_MS[1]
    assert start_ms(timeline, "00:12") == 12_000
    assert start_ms(timeline, "0:00:30") == 30_000


def test_start_at_errors_name_what_is_allowed(renderer: Renderer) -> None:
    timeline = renderer.timeline
    with pytest.raises(NotFoundError, match="no exercise in this session named 'sqat'; "
                       "did you mean squat"):
        start_ms(timeline, "sqat")
    with pytest.raises(InputError, match=r"--start-at: row has no set '3' \(allowed: 1, 2\)"):
        start_ms(timeline, "row:3")
    with pytest.raises(InputError, match="past the end"):
        start_ms(timeline, "59:00")


def test_next_set_into_a_new_exercise_lands_on_its_announcement() -> None:
    # Exercise 2 starts at 100 with its set-up talk; its first set at 150.
    course = Course(1000, set_starts=(10, 60, 150, 200), rests=((40, 60), (90, 100)),
                    sounding=(), exercise_starts=(0, 100))
    assert course.next_set(95) == 100  # from the rest: the new exercise's announcement
    assert course.next_set(100) == 150  # from the announcement: its first set
    assert course.next_set(20) == 60
    assert course.next_set(200) is None
