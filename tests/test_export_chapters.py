"""Chapters from markers: a flat list that tiles the file, in the lifter's words."""

from __future__ import annotations

from repcue.export.chapters import Chapter, chapters, cue_lines
from repcue.timeline import Timeline
from timelines import event


def _timeline() -> Timeline:
    events = (
        event(0, 2000, "speech", "intro", "Welcome."),
        event(1000, 1000, "marker", "exercise", "Kettlebell squat", exercise="kettlebell-squat"),
        event(1000, 1000, "marker", "set", "Set 1 of 2", exercise="kettlebell-squat", set=1),
        event(9000, 9000, "marker", "rest", exercise="kettlebell-squat", set=1),
        event(20000, 20000, "marker", "set", "Set 2 of 2", exercise="kettlebell-squat", set=2),
        event(30000, 30000, "marker", "exercise", None, exercise="dumbbell-row"),
        event(31000, 31000, "marker", "set", "Set 1 of 1", exercise="dumbbell-row", set=1,
              side="left"),
        event(40000, 40000, "marker", "set", None, exercise="dumbbell-row", set=1, side="right"),
        event(41000, 41500, "speech", "go", "Now row."),
        event(41000, 41000, "tone", "concentric"),
    )
    return Timeline("w", "Workout", 50000, events)


def test_chapters_tile_the_file_flat_with_the_exercise_in_every_set_title() -> None:
    assert chapters(_timeline()) == [
        Chapter(0, 1000, "Intro", 0),
        # The squat's own chapter would be empty (set 1 starts with it): only the set is kept.
        Chapter(1000, 20000, "Kettlebell squat — set 1 of 2", 1),  # the rest belongs to set 1
        Chapter(20000, 30000, "Kettlebell squat — set 2 of 2", 1),
        Chapter(30000, 31000, "Dumbbell row", 0),
        Chapter(31000, 40000, "Dumbbell row — set 1 of 1 (left)", 1),
        Chapter(40000, 50000, "Dumbbell row — set 1 (right)", 1),
    ]


def test_the_lead_in_joins_the_first_chapter_and_shifts_the_rest() -> None:
    shifted = chapters(_timeline(), lead_in_ms=1500)
    assert [c.start_ms for c in shifted] == [0, 2500, 21500, 31500, 32500, 41500]
    assert shifted[-1].end_ms == 51500
    assert cue_lines(_timeline(), 1500)[1].start_ms == 42500


def test_a_session_that_starts_with_an_exercise_has_no_intro_even_with_a_lead_in() -> None:
    events = (event(0, 0, "marker", "exercise", "Row", exercise="row"),
              event(3000, 3000, "marker", "set", "Set 1 of 1", exercise="row", set=1))
    assert chapters(Timeline("w", "W", 9000, events)) == [
        Chapter(0, 3000, "Row", 0), Chapter(3000, 9000, "Row — set 1 of 1", 1)]
    assert chapters(Timeline("w", "W", 9000, events), 1000)[0] == Chapter(0, 4000, "Row", 0)


def test_cue_lines_are_the_spoken_texts_in_order() -> None:
    assert [c.text for c in cue_lines(_timeline())] == ["Welcome.", "Now row."]


def test_no_markers_no_chapters() -> None:
    assert chapters(Timeline("w", "W", 1000, (event(0, 500, "speech", "intro", "Hi."),))) == []
