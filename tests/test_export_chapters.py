"""Chapters from markers: one per exercise and per set, in time order, in the lifter's words."""

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


def test_a_chapter_per_exercise_and_per_set_with_titles() -> None:
    assert chapters(_timeline()) == [
        Chapter(1000, 30000, "Kettlebell squat", 0),
        Chapter(1000, 9000, "Kettlebell squat — set 1 of 2", 1),
        Chapter(20000, 30000, "Kettlebell squat — set 2 of 2", 1),
        Chapter(30000, 50000, "Dumbbell row", 0),
        Chapter(31000, 40000, "Dumbbell row — set 1 of 1 (left)", 1),
        Chapter(40000, 50000, "Dumbbell row — set 1 (right)", 1),
    ]


def test_the_lead_in_shifts_every_time() -> None:
    shifted = chapters(_timeline(), lead_in_ms=1500)
    assert [c.start_ms for c in shifted] == [2500, 2500, 21500, 31500, 32500, 41500]
    assert shifted[-1].end_ms == 51500
    assert cue_lines(_timeline(), 1500)[1].start_ms == 42500


def test_cue_lines_are_the_spoken_texts_in_order() -> None:
    assert [c.text for c in cue_lines(_timeline())] == ["Welcome.", "Now row."]


def test_no_markers_no_chapters() -> None:
    assert chapters(Timeline("w", "W", 1000, (event(0, 500, "speech", "intro", "Hi."),))) == []
