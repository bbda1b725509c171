"""The timeline contract: kinds and roles are a closed vocabulary, checked where events are made."""

from __future__ import annotations

import json

import pytest

from repcue.model import Phase
from repcue.timeline import (
    Event,
    EventKind,
    MarkerRole,
    SpeechRole,
    Timeline,
    ToneRole,
)


def test_strings_become_the_vocabulary_and_compare_as_strings() -> None:
    event = Event(0, 500, "speech", "go", "Now press.")  # type: ignore[arg-type]
    assert event.kind is EventKind.SPEECH and event.role is SpeechRole.GO
    # StrEnum members equal their strings (mypy cannot see it: Literal types do not overlap).
    assert event.kind == "speech" and event.role == "go"  # type: ignore[comparison-overlap]
    assert Event(0, 10, "phase", "eccentric").role is Phase.ECCENTRIC  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "role", "message"),
    [
        ("speech", "eccentric", "'eccentric' is not a role of a speech event"),
        ("tone", "cue", "'cue' is not a role of a tone event (allowed: eccentric, bottom"),
        ("marker", "go",
         "'go' is not a role of a marker event (allowed: exercise, set, rest, ready)"),
        ("music", "intro", "unknown event kind 'music' (allowed: speech, tone, phase, marker)"),
    ],
)
def test_a_role_must_belong_to_its_kind(kind: str, role: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Event(0, 10, kind, role)  # type: ignore[arg-type]


def test_json_is_plain_strings_and_round_trips() -> None:
    events = (Event(0, 0, EventKind.MARKER, MarkerRole.EXERCISE, "Row", "row"),
              Event(0, 150, EventKind.TONE, ToneRole.START, None, "row", 1, None, 1),
              Event(200, 900, EventKind.SPEECH, SpeechRole.COUNT, "One.", "row", 1, "left", 1))
    timeline = Timeline("w", "W", 1000, events, ("a warning",))
    text = timeline.to_json()
    assert '"kind": "speech", "role": "count"' in text
    again = Timeline.from_dict(json.loads(text))
    assert again == timeline
    assert again.to_json() == text
    assert again.markers(MarkerRole.EXERCISE) == again.markers("exercise") == events[:1]
