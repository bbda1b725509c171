from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repcue.content import Library, exercise_from_text, workout_from_text
from repcue.content_fields import InvalidContent
from repcue.errors import ContentError, NotFoundError
from repcue.model import Exercise, Phase

EXERCISE = """
name = "Goblet squat"
targets = ["quads", "glutes"]
explanation = "Set the lower back first."
setup = ["Hold the bell at your chest."]
[defaults]
tempo = "3-1-1-0"
start = "eccentric"
[cues]
preset = ["Tailbone down. Brace."]
go = { eccentric = "Down." }
form = ["Drop straight down."]
mistakes = ["Don't skip the brace."]
"""

WORKOUT = """
title = "Legs"
[timing]
rest = 60
[[exercise]]
id = "goblet-squat"
reps = 6
"""


def _find(exercise_id: str) -> Exercise:
    if exercise_id == "goblet-squat":
        return exercise_from_text(EXERCISE, "goblet-squat.toml", "goblet-squat")
    raise NotFoundError("exercise", exercise_id, ["goblet-squat"])


def test_exercise_parses_from_text() -> None:
    ex = exercise_from_text(EXERCISE, "goblet-squat.toml", "goblet-squat")
    assert ex.name == "Goblet squat"
    assert ex.go_cues[Phase.ECCENTRIC] == "Down."
    # No stabiliser named: the coach will not claim one.
    assert ex.stabiliser == ""


def test_workout_parses_and_keeps_entry_overrides() -> None:
    w = workout_from_text(WORKOUT, "legs.toml", "legs", _find, ["goblet-squat"])
    assert w.title == "Legs"
    assert w.entries[0].overrides == {"reps": 6}
    assert w.timing == {"rest": 60}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (EXERCISE.replace("name =", "nmae ="),
         "ex.toml: nmae: unknown key 'nmae'; did you mean 'name'?"),
        (EXERCISE.replace('targets = ["quads", "glutes"]', "targets = []"),
         "ex.toml: targets: is empty (allowed: a list of non-empty strings)"),
        (EXERCISE.replace('tempo = "3-1-1-0"', 'tempo = "fast"'), "ex.toml: defaults.tempo: "),
        (EXERCISE.replace('go = { eccentric = "Down." }', 'go = { eccentrc = "Up." }'),
         "ex.toml: cues.go.eccentrc: unknown key 'eccentrc'; did you mean 'eccentric'?"),
        (EXERCISE.replace('"Down."', '"..."'), 'ex.toml: cues.go.eccentric: "..." has nothing'),
        (EXERCISE.replace('name = "Goblet squat"', "name = 5"),
         "ex.toml: name: 5 is not a string"),
        ("name = [", "ex.toml: invalid TOML: "),
    ],
)
def test_bad_exercise_files_get_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(ContentError) as err:
        exercise_from_text(text, "ex.toml", "ex")
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_toml_syntax_errors_keep_line_and_column() -> None:
    with pytest.raises(ContentError) as err:
        exercise_from_text('name = "x"\ntargets = [1,,]\nsetup = 1\n', "ex.toml", "ex")
    assert "line 2, column" in str(err.value)


def test_missing_exercise_lists_the_ones_that_exist() -> None:
    text = WORKOUT.replace('id = "goblet-squat"', 'id = "goblet-sqat"')
    with pytest.raises(ContentError) as err:
        workout_from_text(text, "legs.toml", "legs", _find, ["goblet-squat"])
    assert "legs.toml: exercise[0].id: no exercise named 'goblet-sqat'; did you mean " \
           "'goblet-squat'?" in str(err.value)
    assert "allowed: goblet-squat" in str(err.value)


def test_bad_override_in_a_workout_entry_names_the_entry() -> None:
    text = WORKOUT.replace("reps = 6", "reps = -6")
    with pytest.raises(ContentError) as err:
        workout_from_text(text, "legs.toml", "legs", _find, ["goblet-squat"])
    assert str(err.value).startswith("legs.toml: exercise[0].reps: -6 is out of range")


def test_builtin_library_is_valid_and_complete() -> None:
    library = Library.discover()
    checked, errors = library.validate()
    assert errors == []
    assert checked >= 7
    assert {"back-strength", "activation", "long-session"} <= set(library.workout_files)
    assert {"dumbbell-row", "kettlebell-squat", "overhead-press", "pelvic-tilt-drill"} <= set(
        library.exercise_files)


def test_user_folders_layer_over_builtin_content(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "exercises").mkdir()
    (tmp_path / "workouts").mkdir()
    (tmp_path / "exercises" / "goblet-squat.toml").write_text(EXERCISE)
    (tmp_path / "workouts" / "legs.toml").write_text(WORKOUT)
    monkeypatch.setenv("REPCUE_CONTENT", str(tmp_path))
    library = Library.discover()
    assert library.workout("legs").entries[0].exercise.name == "Goblet squat"
    assert "back-strength" in library.workout_files


def test_unknown_workout_suggests_close_names() -> None:
    with pytest.raises(NotFoundError) as err:
        Library.discover().workout("back-strenght")
    assert "did you mean back-strength" in str(err.value)


# --- thousands of malformed documents: only ContentError may escape -------------------------

scalars = st.one_of(
    st.none().map(lambda _: "nan"), st.integers(-10**20, 10**20), st.floats(allow_nan=False),
    st.text(max_size=30), st.booleans(), st.just(""), st.just("\u202e\u0000x"),
)
toml_values = st.recursive(
    scalars.map(lambda v: v if not isinstance(v, str) else v),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(min_size=1, max_size=12), children, max_size=4),
    max_leaves=12,
)


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if value == value and abs(value) != float("inf") else "inf"
    if isinstance(value, str):
        return '"' + value.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f'{_toml(k)} = {_toml(v)}' for k, v in value.items()) + "}"
    raise TypeError(value)


keys = st.sampled_from(["name", "targets", "explanation", "setup", "defaults", "cues", "title",
                        "intro", "seed", "timing", "exercise", "stabiliser", "equipment", "bogus"])


@st.composite
def documents(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(st.text(max_size=200))  # arbitrary bytes of text: mostly bad TOML
    base = draw(st.sampled_from([EXERCISE, WORKOUT, ""]))
    lines = base.splitlines()
    for _ in range(draw(st.integers(0, 4))):
        drop: bool = draw(st.booleans())
        if lines and drop:
            del lines[draw(st.integers(0, len(lines) - 1))]
        else:
            lines.insert(0, f"{draw(keys)} = {_toml(draw(toml_values))}")
    return "\n".join(lines)


@pytest.mark.slow
@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(documents())
def test_malformed_documents_only_raise_content_errors(text: str) -> None:
    for parse in (
        lambda: exercise_from_text(text, "fuzz.toml", "fuzz"),
        lambda: workout_from_text(text, "fuzz.toml", "fuzz", _find, ["goblet-squat"]),
    ):
        try:
            parse()
        except ContentError as err:
            assert str(err).startswith("fuzz.toml")
            assert "\n" not in str(err)


def test_every_problem_in_a_file_is_kept_and_the_first_is_the_message() -> None:
    text = EXERCISE.replace("name =", "nmae =").replace('"3-1-1-0"', '"fast"')
    with pytest.raises(InvalidContent) as err:
        exercise_from_text(text, "ex.toml", "ex")
    fields = [e.field for e in err.value.errors]
    assert fields == ["nmae", "defaults.tempo", "name"]
    assert str(err.value).startswith("ex.toml: nmae: unknown key")
    assert err.value.hint == "2 more errors in this file; repcue validate lists them all"


def test_a_go_cue_is_optional_for_every_phase() -> None:
    text = EXERCISE.replace('go = { eccentric = "Down." }', "")
    assert exercise_from_text(text, "ex.toml", "ex").go_cues == {}
