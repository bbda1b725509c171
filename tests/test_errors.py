"""The error family: messages, exit statuses, and pickling across a process boundary."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from repcue.errors import (
    AudioError,
    ContentError,
    ExitStatus,
    FileInTheWayError,
    InputError,
    NotFoundError,
    RepcueError,
    SpeechError,
)
from repcue.model import Exercise
from repcue.speech.engine import UnknownEngineError, UnknownVoiceError, VoiceFileMissingError


def test_exit_statuses_are_the_documented_numbers() -> None:
    assert [int(s) for s in ExitStatus] == [0, 1, 2, 130]


@pytest.mark.parametrize("error", [
    RepcueError("plain", hint="a hint"),
    InputError("--latency", "'x' is not a latency", value="x", allowed="low, high"),
    ContentError("a.toml", "reps", "0 is out of range", value=0, allowed="1-100"),
    NotFoundError("workout", "back-strenth", ["back-strength", "activation"]),
    SpeechError("engine died"),
    AudioError("no device"),
    FileInTheWayError("x.mp3 already exists"),
    UnknownVoiceError("pyttsx3", "en-uss", ["en-us", "en-gb"]),
    UnknownEngineError("no engine named 'pipr'"),
    VoiceFileMissingError(Path("/no/voice.onnx")),
])
def test_every_error_survives_pickling_with_its_fields(error: RepcueError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert copy.hint == error.hint
    assert copy.exit_code == error.exit_code
    assert vars(copy) == vars(error)


def test_bad_input_exits_2_and_runtime_failures_exit_1() -> None:
    for bad_input in (InputError, ContentError, NotFoundError, FileInTheWayError,
                      UnknownVoiceError, UnknownEngineError, VoiceFileMissingError):
        assert bad_input.exit_code is ExitStatus.BAD_INPUT, bad_input
    for failure in (RepcueError, SpeechError, AudioError):
        assert failure.exit_code is ExitStatus.FAILURE, failure


def test_input_error_is_one_line_naming_the_flag_and_what_is_allowed() -> None:
    error = InputError("--latency", "'x' is not a latency", value="x", allowed="low, high")
    assert str(error) == "--latency: 'x' is not a latency (allowed: low, high)"
    assert error.value == "x"
    assert isinstance(ContentError("a.toml", "", "bad"), InputError)


def test_a_value_with_a_line_break_is_shown_escaped_on_one_line() -> None:
    # Found by the property test over malformed documents: a TOML key holding "\n".
    from repcue.content import workout_from_text
    from repcue.errors import toml_value

    assert toml_value({"\n": "nan", "ok-key": 'a"b', "x y": "\u2028"}) == (
        '{ "\\n" = "nan", ok-key = "a\\"b", "x y" = "\\u2028" }')
    text = 'intro = {"\\n" = "nan"}\ntitle = "Legs"\n[[exercise]]\nid = "goblet-squat"\n'
    with pytest.raises(ContentError) as caught:
        workout_from_text(text, "fuzz.toml", "fuzz", _no_exercise, {})
    said = [str(e) for e in getattr(caught.value, "errors", (caught.value,))]
    assert not any("\n" in line for line in said)
    assert any('intro: { "\\n" = "nan" } is not a list' in line for line in said), said


def _no_exercise(exercise_id: str) -> Exercise:
    raise NotFoundError("exercise", exercise_id, [])
