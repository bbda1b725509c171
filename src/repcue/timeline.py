"""The timeline: every sound of a session as integer-millisecond events.

This is the public contract printed by ``repcue plan --json`` (schema
``repcue.timeline/1``) and the only input the renderer, exporter and player need
besides the audio clips. Times are integer milliseconds; samples exist only at
the rendering edge.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any, Literal

SCHEMA = "repcue.timeline/1"

Kind = Literal["speech", "tone", "phase", "marker"]
KINDS: tuple[str, ...] = ("speech", "tone", "phase", "marker")
SPEECH_ROLES: tuple[str, ...] = (
    "intro", "announce", "setup", "preset", "go", "count", "form", "mistake",
    "halfway", "last", "countdown", "rest", "switch", "finish",
)
PHASE_ROLES: tuple[str, ...] = ("eccentric", "bottom", "concentric", "top", "hold")
TONE_ROLES: tuple[str, ...] = PHASE_ROLES + ("countdown", "start", "finish")
MARKER_ROLES: tuple[str, ...] = ("exercise", "set", "rest")


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happens in the session, from ``start_ms`` to ``end_ms``."""

    start_ms: int
    end_ms: int
    kind: str
    role: str
    text: str | None = None
    exercise: str | None = None
    set: int | None = None
    side: str | None = None
    rep: int | None = None

    def __post_init__(self) -> None:
        if self.start_ms < 0 or self.end_ms < self.start_ms:
            raise ValueError(f"event times must satisfy 0 <= start <= end: {self}")
        if self.kind not in KINDS:
            raise ValueError(f"unknown event kind {self.kind!r}")

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
        return tuple(e for e in self.events if e.kind == "speech")

    def markers(self, role: str | None = None) -> tuple[Event, ...]:
        return tuple(
            e for e in self.events if e.kind == "marker" and (role is None or e.role == role)
        )
