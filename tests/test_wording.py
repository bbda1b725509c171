"""The coach's grammar as a table, and a property: no "one" or "1" beside a plural noun."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_support import run_main
from repcue import wording
from repcue.cli import cli
from repcue.content import Library
from repcue.plan import plan, resolve_timings
from repcue.prepare import Request, build_plan
from repcue.schedule import estimate_ms, schedule


@pytest.mark.parametrize(("n", "word"), [
    (0, "zero"), (1, "one"), (2, "two"), (12, "twelve"), (20, "twenty"), (21, "twenty-one"),
    (45, "forty-five"), (90, "ninety"), (100, "one hundred"), (115, "one hundred and fifteen"),
])
def test_number_words(n: int, word: str) -> None:
    assert wording.number_word(n) == word


@pytest.mark.parametrize(("ms", "words"), [
    (500, "half a second"), (1000, "one second"), (1500, "one and a half seconds"),
    (2000, "two seconds"), (12_000, "twelve seconds"), (60_000, "one minute"),
    (90_000, "one minute thirty"), (120_000, "two minutes"), (150_000, "two minutes thirty"),
])
def test_seconds_as_a_coach_says_them(ms: int, words: str) -> None:
    assert wording.seconds_words(ms) == words


@pytest.mark.parametrize(("ms", "words"), [
    (500, "half-second"), (1000, "one-second"), (2500, "two-and-a-half-second"),
    (5000, "five-second"), (90_000, "ninety-second"), (120_000, "two-minute"),
])
def test_hold_lengths_as_adjectives(ms: int, words: str) -> None:
    assert wording.hold_length(ms) == words


@pytest.mark.parametrize(("sets", "reps", "hold_ms", "each", "text"), [
    (1, 1, 0, False, "one set of one rep"),
    (1, 8, 0, False, "one set of eight"),
    (3, 12, 0, True, "three sets of twelve, each side"),
    (2, 1, 0, True, "two sets of one rep, each side"),
    (1, 1, 5000, False, "one set of one five-second hold"),
    (3, 8, 500, False, "three sets of eight half-second holds"),
    (2, 2, 1000, True, "two sets of two one-second holds, each side"),
    (1, 3, 90_000, False, "one set of three ninety-second holds"),
])
def test_amounts(sets: int, reps: int, hold_ms: int, each: bool, text: str) -> None:
    assert wording.amount(sets, reps, hold_ms=hold_ms, each_side=each) == text


@pytest.mark.parametrize(("phrase", "text"), [
    (wording.rest(1000), "Rest. One second."),
    (wording.rest(500), "Rest. Half a second."),
    (wording.rest(90_000), "Rest. One minute thirty."),
    (wording.sets_done(1), "One set done. Great work."),
    (wording.sets_done(12), "Twelve sets done. Great work."),
    (wording.set_of(1, 1), "Set one of one."),
    (wording.next_set(2, 3), "Next: set two of three."),
    (wording.count_word(3), "Three."),
    (wording.side("left"), "Left side."),
    (wording.works(("quads", "glutes", "core"), "lower back"),
     "It works the quads, glutes and core, with the lower back as the base."),
    (wording.works(("biceps",), ""), "It works the biceps."),
])
def test_phrases(phrase: str, text: str) -> None:
    assert phrase == text


def test_works_says_nothing_without_targets() -> None:
    assert wording.works((), "lower back") is None


@pytest.mark.parametrize(("n", "text"), [(0, "0 warnings"), (1, "1 warning"), (2, "2 warnings")])
def test_screen_counts(n: int, text: str) -> None:
    assert wording.count(n, "warning") == text


PLURALS = ("sets", "reps", "holds", "seconds", "minutes", "warnings", "cues", "spoken cues")
ONE_WITH_PLURAL = re.compile(
    r"\b(?:one|1)\s+(?:[a-z-]+\s+)?(?:" + "|".join(PLURALS) + r")\b", re.IGNORECASE)


def _activation(sets: int, reps: int, hold: str, rest: str, verbosity: str,
                sides: str) -> list[str]:
    request = Request("activation", overrides={"sets": sets, "reps": reps, "rest": rest,
                                               "verbosity": verbosity},
                      per_exercise={"pelvic-tilt-drill": {"hold": hold, "sides": sides}})
    _, the_plan = build_plan(request)
    return [*the_plan.texts(), *schedule(the_plan, estimate_ms).warnings]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sets=st.integers(1, 3), reps=st.integers(1, 12),
       hold=st.sampled_from(["0", "0.5", "1", "1.5", "5", "60", "90"]),
       rest=st.sampled_from(["0", "1", "0.5", "30", "60", "61", "90"]),
       verbosity=st.sampled_from(["coach", "standard", "brief", "minimal"]),
       sides=st.sampled_from(["both", "each"]))
def test_no_one_beside_a_plural(sets: int, reps: int, hold: str, rest: str, verbosity: str,
                                sides: str) -> None:
    for text in _activation(sets, reps, hold, rest, verbosity, sides):
        assert not ONE_WITH_PLURAL.search(text), text
    # The table a lifter reads: every spoken line, the totals, the warnings, the settings.
    shown = CliRunner().invoke(cli, [
        "plan", "activation", "--estimate", "--sets", str(sets), "--reps", str(reps),
        "--rest", rest, "--verbosity", verbosity, "--set", f"pelvic-tilt-drill.hold={hold}",
        "--set", f"pelvic-tilt-drill.sides={sides}"])
    assert shown.exit_code == 0, shown.output
    for line in shown.output.splitlines():
        assert not ONE_WITH_PLURAL.search(line), line


def test_the_pattern_catches_the_old_slips() -> None:
    for slip in ("One sets of five-second holds, one reps.", "One sets done.", "1 warnings",
                 "1 sets", "one seconds"):
        assert ONE_WITH_PLURAL.search(slip), slip


def test_one_set_one_rep_reads_right_through_the_cli(capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # whole sentences on a line, as the test reads them
    code, out, _ = run_main(["plan", "activation", "--sets", "1", "--reps", "1", "--estimate"],
                            capsys)
    assert code == 0
    assert "One set of one five-second hold." in out
    assert "One set done. Great work." in out
    assert re.search(r"\b1 set, 1 rep, \d+ spoken cues\.", out)
    assert not ONE_WITH_PLURAL.search(out), out


def test_every_builtin_phrase_passes_the_plural_check() -> None:
    library = Library.discover()
    for name in library.workout_files:
        workout = library.workout(name)
        for text in plan(workout, resolve_timings(workout)).texts():
            assert not ONE_WITH_PLURAL.search(text), text


ROW = "Next exercise: Dumbbell row. One set of one rep, each side."
WORKS = "It works the upper back and lats, with the lower back as the base."
DONE = "Four sets done. Great work."


@pytest.mark.parametrize(("verbosity", "said", "unsaid"), [
    ("coach", [ROW, WORKS, "Welcome to back strength.", "Tailbone down, brace, then move.",
               "Let the dumbbell hang under your shoulder. Flat back, chest proud.", DONE],
     ["Back strength."]),
    ("standard", [ROW, WORKS, "Welcome to back strength.",
                  "One hand and knee on the bench, the other foot planted wide.", DONE],
     ["Tailbone down, brace, then move.", "Back strength."]),
    ("brief", [ROW, "Back strength.", "Left side.", "Switch sides.", "Next up: Kettlebell squat."],
     [WORKS, DONE, "Welcome to back strength."]),
    ("minimal", [ROW, "Back strength.", "Left side.", "Workout complete."],
     [WORKS, DONE, "Next up: Kettlebell squat.", "Last rep."]),
])
def test_what_each_verbosity_says(verbosity: str, said: list[str], unsaid: list[str],
                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(["plan", "back-strength", "--estimate", "--json", "--sets", "1",
                               "--reps", "1", "--verbosity", verbosity], capsys)
    assert code == 0, err
    texts = {e["text"] for e in json.loads(out)["events"] if e["kind"] == "speech"}
    assert set(said) <= texts
    assert not set(unsaid) & texts
