"""One way for tests to build timelines: events from plain strings, checked like any Event.

``event(0, 500, "speech", "go", "Now press.")`` reads like the JSON contract; the kind and
role become the timeline's vocabulary (a typo fails here, naming what is allowed).
"""

from __future__ import annotations

from repcue.timeline import ROLES, Event, EventKind, Timeline


def event(start_ms: int, end_ms: int, kind: str, role: str, text: str | None = None,
          exercise: str | None = None, set: int | None = None,
          side: str | None = None, rep: int | None = None) -> Event:
    checked = EventKind(kind)
    return Event(start_ms, end_ms, checked, ROLES[checked](role), text, exercise, set, side, rep)


def timeline(duration_ms: int, *events: Event, workout_id: str = "test", title: str = "Test",
             warnings: tuple[str, ...] = ()) -> Timeline:
    """A timeline of ``events`` sorted by start, as the scheduler hands them out."""
    ordered = tuple(sorted(events, key=lambda e: e.start_ms))
    return Timeline(workout_id, title, duration_ms, ordered, warnings)
