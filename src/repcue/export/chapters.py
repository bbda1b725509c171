"""Chapters and cue lines of an exported file, in file time (lead-in included).

Phones list chapters flat, in file order, and jump to the next one with a button, so the
chapters tile the file: the first starts at 0, each ends where the next begins, the last
ends with the file, and none overlap. In order:

- ``Intro``: the lead-in and whatever is said before the first exercise (when nothing is,
  the first exercise's chapter starts at 0 and holds the lead-in);
- per exercise, its name (``Dumbbell row``): the announcement and set-up before set 1;
- per set, ``Dumbbell row — set one of three (left)``: the set and the rest after it, so
  "next chapter" during a rest goes to the next set, and the list stays one line a set.

A chapter that would be empty (an exercise whose first set starts at once) is left out;
the set's title names the exercise anyway. The ``.vtt`` NOTE lists these same chapters.
"""

from __future__ import annotations

from dataclasses import dataclass

from repcue.timeline import Event, Timeline

INTRO_TITLE = "Intro"
_LEVEL = {"intro": 0, "exercise": 0, "set": 1}


@dataclass(frozen=True, slots=True)
class Chapter:
    start_ms: int
    end_ms: int
    title: str
    level: int  # 0 = intro or exercise, 1 = set


@dataclass(frozen=True, slots=True)
class CueLine:
    """One spoken cue as the lyrics show it."""

    start_ms: int
    end_ms: int
    text: str


def _exercise_name(marker: Event) -> str:
    return marker.text or (marker.exercise or "Exercise").replace("-", " ").capitalize()


def _set_title(exercise_name: str, marker: Event) -> str:
    if marker.text:
        label = marker.text[:1].lower() + marker.text[1:]
    else:
        label = f"set {marker.set}" if marker.set is not None else "set"
    title = f"{exercise_name} — {label}"
    if marker.side:
        title += f" ({marker.side})"
    return title


def _starts(timeline: Timeline) -> list[tuple[int, str, str]]:
    """(timeline start, kind, title) of each exercise and set chapter."""
    starts: list[tuple[int, str, str]] = []
    exercise_name = timeline.title
    for marker in timeline.markers():
        if marker.role == "exercise":
            exercise_name = _exercise_name(marker)
            starts.append((marker.start_ms, "exercise", exercise_name))
        elif marker.role == "set":
            starts.append((marker.start_ms, "set", _set_title(exercise_name, marker)))
    # An exercise before its own first set when both start at once (the empty one goes).
    starts.sort(key=lambda s: (s[0], _LEVEL[s[1]]))
    return starts


def chapters(timeline: Timeline, lead_in_ms: int = 0) -> list[Chapter]:
    """The chapters of ``timeline`` in file time: from 0 to the end, in order, no gaps."""
    starts = [(start + lead_in_ms, kind, title) for start, kind, title in _starts(timeline)]
    if not starts:
        return []  # no exercise, no set: nothing to jump between
    if starts[0][0] > lead_in_ms:  # something is said before the first exercise
        starts.insert(0, (0, "intro", INTRO_TITLE))
    else:  # only the lead-in's quiet: the first exercise has it
        starts[0] = (0, *starts[0][1:])
    end_of_file = timeline.duration_ms + lead_in_ms
    found: list[Chapter] = []
    for i, (start, kind, title) in enumerate(starts):
        end = min(starts[i + 1][0] if i + 1 < len(starts) else end_of_file, end_of_file)
        if end > start:
            found.append(Chapter(start, end, title, _LEVEL[kind]))
    return found


def cue_lines(timeline: Timeline, lead_in_ms: int = 0) -> list[CueLine]:
    """Every speech event with text, shifted by ``lead_in_ms``, in time order."""
    return [
        CueLine(e.start_ms + lead_in_ms, e.end_ms + lead_in_ms, e.text)
        for e in timeline.speech()
        if e.text
    ]
