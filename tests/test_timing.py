from __future__ import annotations

import pytest

from repcue.errors import ContentError
from repcue.model import PresetMode, Tempo, Verbosity
from repcue.timing import Layer, Timing, resolve


def test_later_layers_win() -> None:
    timing = resolve([
        Layer("exercise.toml", {"reps": 10, "tempo": "3-1-1-0"}),
        Layer("config.toml", {"reps": 8, "rest": 60}),
        Layer("command line", {"reps": "6"}),
    ])
    assert timing.reps == 6
    assert timing.rest_ms == 60_000
    assert timing.tempo == Tempo(3000, 1000, 1000, 0)


def test_defaults_hold_without_layers() -> None:
    assert resolve([]) == Timing()


def test_strings_from_flags_are_parsed() -> None:
    timing = resolve([Layer("--set", {"preset": "every-set", "verbosity": "brief",
                                      "count": "false", "hold": "4.5"})])
    assert timing.preset == PresetMode.EVERY_SET
    assert timing.verbosity == Verbosity.BRIEF
    assert timing.count is False
    assert timing.hold_ms == 4500


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"reps": 0}, "reps: 0 is out of range (allowed: a whole number from 1 to 100)"),
        ({"reps": 2.5}, "is not a whole number"),
        ({"rest": -5},
         "rest: -5 is out of range (allowed: 0 s to 15 min, written 90, 90s, 1:30 or 2m; or ready"),
        ({"rest": "20m"}, "rest: 20m is out of range (allowed: 0 s to 15 min"),
        ({"rest": "1:3o"}, "rest: 1:3o is not a duration"),
        ({"count": "maybe"}, "count: maybe is not true or false"),
        ({"preset": True}, "preset: true is not allowed"),
        ({"tempo": "3-1-1-70"}, "tempo: 3-1-1-70: the top pause is 70 s, longer than 60 s"),
        ({"preset": "evry-rep"}, "did you mean 'every-rep'"),
        ({"tempo": "3-1-1"}, "E-B-C-T"),
        ({"reps": True}, "not a whole number"),
        ({"rest": float("nan")}, "out of range"),
        ({"tmepo": "3-1-1-0"}, "unknown timing key 'tmepo'; did you mean 'tempo'"),
    ],
)
def test_bad_values_name_source_field_and_what_is_allowed(values: dict[str, object],
                                                          fragment: str) -> None:
    with pytest.raises(ContentError) as err:
        resolve([Layer("my.toml", values, "timing")])
    message = str(err.value)
    assert message.startswith("my.toml: timing.")
    assert fragment in message


@pytest.mark.parametrize(("written", "ms"), [
    (90, 90_000), (90.5, 90_500), ("90", 90_000), ("90s", 90_000), ("90 s", 90_000),
    ("1:30", 90_000), ("01:30.5", 90_500), ("2m", 120_000), ("1m30s", 90_000),
    ("1.5 min", 90_000), ("0:05", 5_000),
])
def test_durations_as_lifters_write_them(written: object, ms: int) -> None:
    assert resolve([Layer("my.toml", {"rest": written}, "timing")]).rest_ms == ms
