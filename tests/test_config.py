"""The user's config file: where it is, what it holds, where it sits in the override chain,
and one clear line naming the file and the key when it is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_support import run_main
from repcue.config import Config, config_path, load_config
from repcue.errors import ContentError, ExitStatus
from repcue.model import Exercise, Phase, PresetMode, Verbosity, Workout, WorkoutEntry
from repcue.settings import STRUCTURE_KEYS, resolve_session, resolve_workout
from repcue.timing import KNOBS, Layer, Timing

# --- where it is and what it holds -----------------------------------------------------------


def test_the_config_lives_in_the_user_config_dir_unless_repcue_config_says(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPCUE_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_path() == tmp_path / "xdg" / "repcue" / "config.toml"
    monkeypatch.setenv("REPCUE_CONFIG", str(tmp_path / "mine.toml"))
    assert config_path() == tmp_path / "mine.toml"


def test_no_config_file_is_an_empty_config(config: Path) -> None:
    assert not config.exists()
    loaded = load_config()
    assert loaded == Config()
    assert dict(loaded.timing.values) == {} and loaded.path is None


def test_every_section_is_read(config: Path) -> None:
    config.write_text(
        "loudness = -19\n"
        '[timing]\nrest = "1:15"\npreset = "first-rep"\nhalfway = false\n'
        '[voice]\nengine = "pyttsx3"\nvoice = "en-us"\nrate = 1.1\n'
        '[sounds]\ncountdown = "~/beep.wav"\n'
        '[music]\npath = "~/Music/gym"\nshuffle = true\nlevel = 18\nduck = 6\n',
        encoding="utf-8")
    loaded = load_config()
    assert loaded.path == config
    assert loaded.loudness == -19.0
    assert dict(loaded.timing.values) == {"rest": "1:15", "preset": "first-rep",
                                          "halfway": False}
    assert (loaded.timing.source, loaded.timing.prefix, loaded.timing.origin) == (
        str(config), "timing", "config")
    assert loaded.voice == {"engine": "pyttsx3", "voice": "en-us", "rate": 1.1}
    assert loaded.sounds == {"countdown": "~/beep.wav"}
    assert loaded.music == {"path": "~/Music/gym", "shuffle": True, "level": 18, "duck": 6}


def test_a_path_given_is_read_instead_of_the_default(config: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text("[timing]\nsets = 2\n")
    config.write_text("[timing]\nsets = 5\n")
    assert dict(load_config(other).timing.values) == {"sets": 2}


def test_a_byte_order_mark_is_accepted(config: Path) -> None:
    config.write_bytes("\ufeff[timing]\nreps = 6\n".encode())
    assert dict(load_config().timing.values) == {"reps": 6}


# --- a bad config: one line, naming the file and the key --------------------------------------


@pytest.mark.parametrize(("text", "key", "problem"), [
    ("[timeing]\nrest = 60\n", "timeing", "unknown key 'timeing'; did you mean 'timing'?"),
    ("timing = 3\n", "timing", "is not a table"),
    ("[timing]\nrest = 2000\n", "timing.rest", "2000 is out of range"),
    ("[timing]\nverbosity = \"chatty\"\n", "timing.verbosity", "chatty is not allowed"),
    ("[timing]\nrepz = 6\n", "timing.repz", "unknown timing key 'repz'; did you mean 'reps'?"),
    ("[voice]\nrate = 3\n", "voice.rate", "3 is not allowed"),
    ("[voice]\nspeed = 1.2\n", "voice.speed", "unknown key 'speed'"),
    ("[sounds]\ncountdown = 5\n", "sounds.countdown", "5 is not a file path"),
    ("loudness = -3\n", "loudness", "-3 is not allowed"),
    ("[music]\nlevel = 90\n", "music.level", "90 is not allowed"),
    ("[music]\nvolume = 3\n", "music.volume", "unknown key 'volume'"),
    # Quieter in rests than around the cues would be the music going down, not up.
    ("[music]\nrest = 30\n", "music.rest", "30 is not allowed"),
    ("[music]\nlevel = 10\nrest = 12\n", "music.rest", "12 is not allowed"),
])
def test_a_bad_value_names_the_file_and_the_key(text: str, key: str, problem: str,
                                                config: Path) -> None:
    config.write_text(text)
    with pytest.raises(ContentError) as caught:
        load_config()
    error = caught.value
    assert (error.source, error.field) == (str(config), key)
    assert error.message.startswith(f"{config}: {key}: {problem}")
    assert "\n" not in error.message
    assert error.exit_code == ExitStatus.BAD_INPUT


def test_broken_toml_names_the_file_and_the_line(config: Path) -> None:
    config.write_text("[timing]\nrest = \n")
    with pytest.raises(ContentError) as caught:
        load_config()
    assert caught.value.message.startswith(f"{config}: invalid TOML: ")
    assert "line 2" in caught.value.message


@pytest.mark.parametrize("command", [["plan", "activation", "--estimate"],
                                     ["show", "activation"]])
def test_through_repcue_a_bad_config_is_one_error_line_and_status_2(
        command: list[str], config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config.write_text('[timing]\nrest = "forever"\n')
    code, out, err = run_main(command, capsys)
    assert code == ExitStatus.BAD_INPUT
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"Error: {config}: timing.rest: forever is not a duration")


# --- precedence: style keys follow the lifter, structure keys follow the program ---------------

SQUAT = Exercise(id="squat", name="Squat", targets=("legs",), stabiliser="", equipment=(),
                 explanation="", setup=(), preset_cues=(), go_cues={Phase.ECCENTRIC: "Down."},
                 form_cues=(), mistakes=(), defaults={"reps": 10, "verbosity": "coach"},
                 source="squat.toml")


def _resolve(config_values: dict[str, object], *, workout: dict[str, object] | None = None,
             entry: dict[str, object] | None = None, flags: dict[str, object] | None = None,
             set_values: dict[str, object] | None = None) -> Timing:
    program = Workout("legs", "Legs", (), (WorkoutEntry(SQUAT, entry or {}),),
                      timing=workout or {}, source="legs.toml")
    config = Layer("config.toml", config_values, "timing", "config")
    cli = [Layer(f"--{k}", {k: v}, "", "command line") for k, v in (flags or {}).items()]
    per_exercise = {"squat": [Layer("--set", set_values, "squat", "--set")]} if set_values else {}
    [resolved] = resolve_workout(program, config, cli, per_exercise)
    return resolved.timing


def test_structure_keys_from_the_config_fill_in_only_what_the_program_leaves_open() -> None:
    timing = _resolve({"reps": 4, "sets": 5, "rest": 75}, workout={"sets": 2})
    assert timing.reps == 10  # the exercise file's [defaults]
    assert timing.sets == 2  # the workout's [timing]
    assert timing.rest_ms == 75_000  # nobody else set it: the config fills it in


def test_style_keys_from_the_config_win_over_exercise_and_workout() -> None:
    timing = _resolve({"verbosity": "minimal", "preset": "off"},
                      workout={"verbosity": "brief", "preset": "every-set"},
                      entry={"preset": "first-rep"})
    assert (timing.verbosity, timing.preset) == (Verbosity.MINIMAL, PresetMode.OFF)


@pytest.mark.parametrize("knob", ["reps", "verbosity"])
def test_flags_beat_the_config_and_set_beats_the_flags(knob: str) -> None:
    values = {"reps": (4, 5, 6), "verbosity": ("brief", "coach", "minimal")}[knob]
    field = KNOBS[knob][0]
    config_value, flag_value, set_value = values
    only_config = _resolve({knob: config_value})
    with_flag = _resolve({knob: config_value}, flags={knob: flag_value})
    with_set = _resolve({knob: config_value}, flags={knob: flag_value},
                        set_values={knob: set_value})
    assert str(getattr(with_flag, field)) == str(flag_value)
    assert str(getattr(with_set, field)) == str(set_value)
    if knob == "verbosity":  # style: the config's value beat the exercise's "coach"
        assert getattr(only_config, field) == Verbosity.BRIEF
    else:  # structure: the exercise's 10 beat the config's 4
        assert getattr(only_config, field) == 10


def test_every_knob_is_either_structure_or_style_and_the_split_is_the_documented_one() -> None:
    assert {"tempo", "start", "reps", "hold", "sets", "sides", "rest"} == STRUCTURE_KEYS
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    structure_line = readme[readme.index("- **Structure**"):readme.index("- **Style**")]
    style_line = readme[readme.index("- **Style**"):readme.index("Nothing you set is ignored")]
    for knob in KNOBS:
        in_structure = f"`{knob}`" in structure_line.split(")")[0]
        in_style = f"`{knob}`" in style_line.split(")")[0]
        assert in_structure is (knob in STRUCTURE_KEYS), knob
        assert in_style is (knob not in STRUCTURE_KEYS), knob


def test_the_session_timing_follows_the_same_chain() -> None:
    program = Workout("legs", "Legs", (), (WorkoutEntry(SQUAT),),
                      timing={"verbosity": "brief", "sets": 2}, source="legs.toml")
    config = Layer("config.toml", {"verbosity": "coach", "sets": 4}, "timing", "config")
    session = resolve_session(program, config)
    assert (session.verbosity, session.sets) == (Verbosity.COACH, 2)


def test_the_config_file_reaches_plan_through_repcue(
        config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config.write_text('[timing]\nverbosity = "minimal"\ncount = false\n')
    code, out, _ = run_main(["plan", "activation", "--estimate", "--count"], capsys)
    assert code == 0
    assert "your config: verbosity minimal" in out
    # The flag wins, and the plan says the config's value changed nothing.
    assert "pelvic-tilt-drill: count = false from your config outranked by --count" in out
