"""The engine registry and the unknown-voice error."""

from __future__ import annotations

import pickle

import pytest

from repcue.errors import ContentError, SpeechError
from repcue.speech import UnknownVoiceError, VoiceSettings, neural_available, resolve_engine
from repcue.speech.engine import (
    BUILTIN_ENGINES,
    engine_names,
    engine_path,
    load_engine_class,
)
from repcue.speech.piper_engine import PiperEngine
from repcue.speech.pyttsx3_engine import Pyttsx3Engine


def test_builtin_engines_load_by_name() -> None:
    assert {"pyttsx3", "piper"} <= set(engine_names())
    assert load_engine_class(engine_path("pyttsx3")) is Pyttsx3Engine
    assert load_engine_class(engine_path("piper")) is PiperEngine
    assert set(BUILTIN_ENGINES) == {"pyttsx3", "piper"}


def test_an_unknown_engine_name_suggests_the_close_one() -> None:
    with pytest.raises(SpeechError, match=r"no speech engine named 'pyttsx'; did you mean "
                                          r"'pyttsx3'\?") as caught:
        resolve_engine(VoiceSettings(engine="pyttsx"))
    assert caught.value.exit_code == 2


def test_a_path_that_is_not_an_engine_is_refused() -> None:
    with pytest.raises(SpeechError, match="not a repcue SpeechEngine"):
        load_engine_class("repcue.speech.engine:VoiceInfo")
    with pytest.raises(SpeechError, match="cannot load speech engine"):
        load_engine_class("repcue.no_such_module:Engine")


def test_auto_picks_piper_exactly_when_the_neural_extra_is_installed() -> None:
    expected = "piper" if neural_available() else "pyttsx3"
    assert resolve_engine(VoiceSettings()) == expected
    assert resolve_engine(VoiceSettings(engine="pyttsx3")) == "pyttsx3"


def test_unknown_voice_names_close_matches_and_survives_a_process_boundary() -> None:
    error = UnknownVoiceError("pyttsx3", "en-uss", ["gmw/en-us", "en-us", "de", "fr-fr"])
    assert str(error) == "engine pyttsx3 has no voice 'en-uss'; did you mean en-us, gmw/en-us?"
    assert error.exit_code == 2
    assert error.hint == "list them with: repcue voices --engine pyttsx3"
    back = pickle.loads(pickle.dumps(error))
    assert isinstance(back, UnknownVoiceError)
    assert (str(back), back.hint) == (str(error), error.hint)


@pytest.mark.parametrize("rate", [0.2, 3.0])
def test_a_rate_out_of_range_is_a_content_error(rate: float) -> None:
    with pytest.raises(ContentError, match="rate"):
        VoiceSettings(rate=rate)
