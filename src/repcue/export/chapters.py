"""Chapters and cue lines of an exported file, in file time (lead-in included).

A chapter starts at each exercise marker and each set marker. An exercise runs to
the next exercise marker (or the end); a set runs to the next set, rest or exercise
marker. Players list them by start time, the exercise before its first set.
"""

from __future__ import annotations

from dataclasses import dataclass

from repcue.timeline import Event, Timeline

_LEVEL = {"exercise": 0, "set": 1, "rest": 1}


@dataclass(frozen=True, slots=True)
class Chapter:
    start_ms: int
    end_ms: int
    title: str
    level: int  # 0 = exercise, 1 = set


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


def chapters(timeline: Timeline, lead_in_ms: int = 0) -> list[Chapter]:
    """The chapters of ``timeline`` shifted by ``lead_in_ms``, sorted by start (exercise first)."""
    markers = [m for m in timeline.markers() if m.role in _LEVEL]
    end_of_file = timeline.duration_ms + lead_in_ms
    found: list[Chapter] = []
    exercise_name = timeline.title
    for i, marker in enumerate(markers):
        level = _LEVEL[marker.role]
        if marker.role == "exercise":
            exercise_name = _exercise_name(marker)
            title = exercise_name
        elif marker.role == "set":
            title = _set_title(exercise_name, marker)
        else:
            continue  # a rest only closes the set before it
        end = next(
            (m.start_ms for m in markers[i + 1:] if _LEVEL[m.role] <= level),
            timeline.duration_ms,
        )
        start = marker.start_ms + lead_in_ms
        found.append(Chapter(start, min(end + lead_in_ms, end_of_file), title, level))
    found.sort(key=lambda c: (c.start_ms, c.level))
    return found


def cue_lines(timeline: Timeline, lead_in_ms: int = 0) -> list[CueLine]:
    """Every speech event with text, shifted by ``lead_in_ms``, in time order."""
    return [
        CueLine(e.start_ms + lead_in_ms, e.end_ms + lead_in_ms, e.text)
        for e in timeline.speech()
        if e.text
    ]
