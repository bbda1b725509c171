"""The field reference (content/README.md) names every key the loader accepts, with a default."""

from __future__ import annotations

import re
from pathlib import Path

from repcue.content import CUE_KEYS, EXERCISE_KEYS, WORKOUT_KEYS
from repcue.durations import seconds_text
from repcue.timing import KNOBS, Timing

REFERENCE = Path(__file__).parents[1] / "content" / "README.md"


def _rows() -> dict[str, list[str]]:
    rows = {}
    for line in REFERENCE.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        key = re.fullmatch(r"`\[*([a-z_.]+)\]*`", cells[0]) if line.startswith("|") else None
        if key:
            rows[key.group(1)] = cells
    return rows


def test_every_content_key_is_in_the_reference() -> None:
    rows = _rows()
    expected = {*EXERCISE_KEYS, *(f"cues.{k}" for k in CUE_KEYS), *WORKOUT_KEYS, *KNOBS}
    assert expected - {"cues", "exercise"} <= set(rows), expected - set(rows)


def test_timing_defaults_in_the_reference_are_the_real_ones() -> None:
    rows = _rows()
    default = Timing()
    for knob, (field, _, _) in KNOBS.items():
        value = getattr(default, field)
        written = rows[knob][2].strip("`\"")
        if field.endswith("_ms"):
            assert seconds_text(int(written) if written.isdigit() else -1) == seconds_text(
                value / 1000), knob
        elif isinstance(value, bool):
            assert written == ("true" if value else "false"), knob
        else:
            assert written == str(value), knob
