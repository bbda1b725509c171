"""The timeline: every sound of a session as integer-millisecond events.

This is the public contract printed by ``repcue plan --json`` (schema
``repcue.timeline/1``) and the only input the renderer, exporter and player need
besides the audio clips. Times are integer milliseconds; samples exist only at
the rendering edge.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from repcue.model import Phase

SCHEMA = "repcue.timeline/1"


class EventKind(StrEnum):
    SPEECH = "speech"
    TONE = "tone"
    PHASE = "phase"  # the silent movement grid
    MARKER = "marker"  # chapter boundaries


class SpeechRole(StrEnum):
    INTRO = "intro"
    ANNOUNCE = "announce"
    SETUP = "setup"
    PRESET = "preset"
    GO = "go"
    COUNT = "count"
    FORM = "form"
    MISTAKE = "mistake"
    HALFWAY = "halfway"
    LAST = "last"
    COUNTDOWN = "countdown"
    REST = "rest"
    SWITCH = "switch"
    FINISH = "finish"


#: A phase event's role is the phase of the rep it spans.
PhaseRole = Phase


class ToneRole(StrEnum):
    """The phase a tone marks, or the countdown, the first rep's start, the session's finish."""

    ECCENTRIC = "eccentric"
    BOTTOM = "bottom"
    CONCENTRIC = "concentric"
    TOP = "top"
    HOLD = "hold"
    COUNTDOWN = "countdown"
    START = "start"
    FINISH = "finish"


class MarkerRole(StrEnum):
    EXERCISE = "exercise"
    SET = "set"
    REST = "rest"
    #: Inside a rest that waits for the lifter (live play only): where the rest goes on once
    #: they are ready ("Ten seconds.", then the set). Not a chapter of its own.
    READY = "ready"


Role = SpeechRole | PhaseRole | ToneRole | MarkerRole
#: The roles each kind of event may have.
ROLES: dict[EventKind, type[Role]] = {
    EventKind.SPEECH: SpeechRole,
    EventKind.TONE: ToneRole,
    EventKind.PHASE: PhaseRole,
    EventKind.MARKER: MarkerRole,
}
TONE_ROLES: tuple[ToneRole, ...] = tuple(ToneRole)


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happens in the session, from ``start_ms`` to ``end_ms``.

    ``kind`` and ``role`` may be given as their strings (as a timeline read from JSON has
    them); they are checked against each other and kept as the enum members.
    """

    start_ms: int
    end_ms: int
    kind: EventKind
    role: Role
    text: str | None = None
    exercise: str | None = None
    set: int | None = None
    side: str | None = None
    rep: int | None = None

    def __post_init__(self) -> None:
        if self.start_ms < 0 or self.end_ms < self.start_ms:
            raise ValueError(f"event times must satisfy 0 <= start <= end: {self}")
        try:
            kind = EventKind(self.kind)
        except ValueError:
            raise ValueError(f"unknown event kind {self.kind!r} (allowed: "
                             f"{', '.join(EventKind)})") from None
        roles = ROLES[kind]
        try:
            role = roles(self.role)
        except ValueError:
            raise ValueError(f"{self.role!r} is not a role of a {kind} event (allowed: "
                             f"{', '.join(roles)})") from None
        # Strings from JSON or callers become the members: frozen, so set them directly.
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "role", role)

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    def to_dict(self) -> dict[str, Any]:
        # Field order is the contract's key order.
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class Timeline:
    """A whole session: sorted events, total length and what the planner had to give up."""

    workout_id: str
    title: str
    duration_ms: int
    events: tuple[Event, ...]
    warnings: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "workout": {"id": self.workout_id, "title": self.title},
            "duration_ms": self.duration_ms,
            "events": [e.to_dict() for e in self.events],
            "warnings": list(self.warnings),
        }

    def to_json(self) -> str:
        """Valid JSON with one event per line, so a diff of two plans reads event by event."""
        data = self.to_dict()
        events = data.pop("events")
        warnings = data.pop("warnings")
        head = json.dumps(data, ensure_ascii=False)[:-1]
        lines = ",\n  ".join(json.dumps(e, ensure_ascii=False) for e in events)
        warn = ",\n  ".join(json.dumps(w, ensure_ascii=False) for w in warnings)
        return (f'{head},\n "events": [\n  {lines}\n ],\n "warnings": [' +
                (f"\n  {warn}\n ]" if warnings else "]") + "}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Timeline:
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not a {SCHEMA} document")
        events = tuple(Event(**e) for e in data["events"])
        return cls(
            workout_id=data["workout"]["id"],
            title=data["workout"]["title"],
            duration_ms=int(data["duration_ms"]),
            events=events,
            warnings=tuple(data.get("warnings", ())),
        )

    def speech(self) -> tuple[Event, ...]:
        return tuple(e for e in self.events if e.kind == EventKind.SPEECH)

    def markers(self, role: MarkerRole | str | None = None) -> tuple[Event, ...]:
        """The chapter markers, or those of one role (a MarkerRole or its string)."""
        return tuple(
            e for e in self.events
            if e.kind == EventKind.MARKER and (role is None or e.role == role)
        )
