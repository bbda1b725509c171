"""Error lines in the user's words: their config's real sections and path, TOML values, grammar."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_support import run_main


def test_a_bad_engine_in_the_config_names_the_config_file(
        config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config.write_text('[voice]\nengine = "pyttsx"\n')
    code, _, err = run_main(["plan", "activation"], capsys)
    assert code == 2
    # Other tests register engines of their own in this process: check the start of the list.
    assert err.startswith(f"Error: {config}: voice.engine: no speech engine named pyttsx; did "
                          "you mean 'pyttsx3'? (allowed: auto, piper, pyttsx3")


def test_a_bad_engine_flag_lists_auto_too(config: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(["plan", "activation", "--engine", "espeak"], capsys)
    assert code == 2
    assert "(known: auto, piper, pyttsx3" in err


@pytest.mark.parametrize(("sounds", "fragment"), [
    ('beep = "x.wav"', "sounds.beep: unknown tone role beep"),
    ('countdown = "/no/such/beep.wav"', "sounds.countdown: sound file not found"),
])
def test_sound_errors_name_the_config_section_that_is_there(
        sounds: str, fragment: str, config: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    config.write_text(f"[sounds]\n{sounds}\n")
    code, _, err = run_main(["export", "activation", "-o", str(tmp_path / "a.mp3"),
                             "--engine", "pyttsx3"], capsys)
    assert code == 2
    assert fragment in err and "tones." not in err


def test_values_are_shown_as_toml_not_python(config: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    config.write_text("[timing]\npreset = true\n")
    code, _, err = run_main(["plan", "activation", "--estimate"], capsys)
    assert code == 2
    assert "timing.preset: true is not allowed" in err and "True" not in err


def test_unknown_names_read_as_english(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(["show", "nothing"], capsys)
    assert code == 2
    assert "known exercises and workouts: activation," in err


def test_seconds_are_shown_as_typed(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(["plan", "activation", "--estimate", "--tempo", "3-1-1-70"], capsys)
    assert code == 2
    assert "the top pause is 70 s, longer than 60 s" in err
    assert "_ms" not in err and "60000" not in err


@pytest.mark.parametrize(("voice", "shown"), [
    ("rate = true", "voice.rate: true is not allowed"),
    ("engine = false", "voice.engine: false is not allowed"),
])
def test_config_voice_values_are_toml(voice: str, shown: str, config: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    config.write_text(f"[voice]\n{voice}\n")
    code, _, err = run_main(["plan", "activation", "--estimate"], capsys)
    assert code == 2
    assert shown in err


def test_export_says_when_a_setting_changed_nothing(config: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    config.write_text("[timing]\nrest = 75\n")
    code, _, err = run_main(["export", "activation", "-o", str(tmp_path / "a.mp3"), "--engine",
                             "pyttsx3", "--tempo", "3-1-1-0"], capsys)
    assert code == 0, err
    assert ("Note: pelvic-tilt-drill: tempo 3-1-1-0 from --tempo ignored: it is a 5 s hold"
            in err)
    assert "Note: pelvic-tilt-drill: rest = 75 from your config outranked by the program's" in err
