"""The planner on its own: which cues a timing asks for, where, and in the coach's words.

``schedule`` decides when each cue is heard; these tests read the plan itself, so a
change in what the coach *wants* to say shows up here and not as a shifted timeline.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from repcue import wording
from repcue.model import Exercise, Phase, PresetMode, Sides, Tempo, Verbosity, Workout, WorkoutEntry
from repcue.plan import (
    HALFWAY_MIN_REPS,
    LAST_REP_MIN_REPS,
    REST_WARNING_LEAD_MS,
    REST_WARNING_MIN_MS,
    Plan,
    brief_of,
    plan,
    resolve_timings,
    wants_preset,
)
from repcue.segments import Cue, Flex, Rigid, SegmentName
from repcue.timeline import EventKind, SpeechRole, ToneRole
from repcue.timing import Layer, Timing

PRESS = Exercise(
    id="press", name="Press", targets=("shoulders", "triceps"), stabiliser="lower back",
    equipment=(), explanation="The base of every push. Brace first.",
    setup=("Stand tall.", "Grip just outside the shoulders."),
    preset_cues=("Tailbone down. Brace.", "Lock it in.", "Ribs down."),
    go_cues={Phase.ECCENTRIC: "Lower.", Phase.CONCENTRIC: "Now press."},
    form_cues=("Elbows under the bar.", "Press straight up."),
    mistakes=("Don't lean back.", "Don't flare the ribs."),
)
#: A custom exercise that names nothing but its name: every word comes from the defaults.
PLAIN = Exercise(id="plain", name="Plain lift", targets=(), stabiliser="", equipment=(),
                 explanation="", setup=(), preset_cues=(), go_cues={}, form_cues=(),
                 mistakes=())
INTRO = ("Welcome.", "Two lifts today.", "Breathe.")
#: Quiet apart from what a test turns on: no countdown, rest, halfway or last-rep call.
QUIET = Timing(reps=4, sets=1, rest_ms=0, countdown=0, halfway=False, last_rep=False,
               form_every=0, preset=PresetMode.OFF)


def _workout(*exercises: Exercise) -> Workout:
    return Workout("test", "Test session", INTRO, tuple(WorkoutEntry(e) for e in exercises))


def _plan(timing: Timing, *exercises: Exercise, seed: int = 0) -> Plan:
    exercises = exercises or (PRESS,)
    return plan(_workout(*exercises), [timing] * len(exercises), seed=seed)


def _cues(p: Plan, role: SpeechRole | None = None) -> list[Cue]:
    out: list[Cue] = []
    for seg in p.segments:
        out += [*seg.head, *seg.tail] if isinstance(seg, Flex) else seg.cues
    return [c for c in out if role is None or c.role == role]


def _texts(p: Plan, role: SpeechRole) -> list[str]:
    return [c.text for c in _cues(p, role)]


def _at(cues: list[Cue]) -> list[tuple[int | None, str | None, int | None]]:
    """Where each cue falls: (set, side, rep)."""
    return [(c.context.set, c.context.side, c.context.rep) for c in cues]


# --- pre-set modes ---------------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "rep", "first_start", "wanted"), [
    (PresetMode.EVERY_REP, 1, True, True), (PresetMode.EVERY_REP, 3, False, True),
    (PresetMode.EVERY_SET, 1, True, True), (PresetMode.EVERY_SET, 1, False, True),
    (PresetMode.EVERY_SET, 2, True, False),
    (PresetMode.FIRST_REP, 1, True, True), (PresetMode.FIRST_REP, 1, False, False),
    (PresetMode.FIRST_REP, 2, True, False),
    (PresetMode.OFF, 1, True, False), (PresetMode.OFF, 2, False, False),
])
def test_wants_preset_table(mode: PresetMode, rep: int, first_start: bool, wanted: bool) -> None:
    assert wants_preset(mode, rep, first_start) is wanted


@pytest.mark.parametrize(("mode", "where"), [
    (PresetMode.EVERY_REP, [(s, side, r) for s in (1, 2) for side in ("left", "right")
                            for r in (1, 2, 3)]),
    (PresetMode.EVERY_SET, [(s, side, 1) for s in (1, 2) for side in ("left", "right")]),
    (PresetMode.FIRST_REP, [(1, "left", 1)]),
    (PresetMode.OFF, []),
])
def test_each_preset_mode_places_its_cues(mode: PresetMode,
                                          where: list[tuple[int, str, int]]) -> None:
    timing = dataclasses.replace(QUIET, reps=3, sets=2, sides=Sides.EACH, preset=mode)
    p = _plan(timing)
    assert _at(_cues(p, SpeechRole.PRESET)) == where
    # The pre-set window is held only where a cue is wanted; elsewhere rep one starts at once.
    windows = [(s.context.set, s.context.side, s.context.rep, s.base_ms) for s in p.segments
               if isinstance(s, Flex) and s.name == SegmentName.PRESET]
    assert windows == [(*w, timing.preset_hold_ms) for w in where]


def test_the_four_preset_modes_give_four_different_plans() -> None:
    timing = dataclasses.replace(QUIET, reps=3, sets=2, sides=Sides.EACH)
    plans = {mode: _plan(dataclasses.replace(timing, preset=mode)).segments
             for mode in PresetMode}
    assert len(set(plans.values())) == len(PresetMode) == 4


def test_preset_cues_rotate_through_every_phrasing_before_repeating() -> None:
    timing = dataclasses.replace(QUIET, reps=6, preset=PresetMode.EVERY_REP)
    said = _texts(_plan(timing), SpeechRole.PRESET)
    assert len(said) == 6
    assert set(said[:3]) == set(said[3:]) == set(PRESS.preset_cues)
    # Two-sentence cues carry their last sentence as the short variant.
    briefs = {c.text: c.brief for c in _cues(_plan(timing), SpeechRole.PRESET)}
    assert briefs["Tailbone down. Brace."] == "Brace."
    assert briefs["Lock it in."] is None


def test_an_exercise_without_preset_cues_gets_the_neutral_default() -> None:
    timing = dataclasses.replace(QUIET, preset=PresetMode.EVERY_SET, sets=2)
    assert _texts(_plan(timing, PLAIN), SpeechRole.PRESET) == list(wording.DEFAULT_PRESET) * 2


# --- halfway and last rep --------------------------------------------------------------------


@pytest.mark.parametrize(("reps", "halfway_rep"), [
    (HALFWAY_MIN_REPS - 1, None), (HALFWAY_MIN_REPS, 4), (7, 4), (12, 7), (20, 11),
])
def test_halfway_is_called_only_in_sets_long_enough_for_it(reps: int,
                                                            halfway_rep: int | None) -> None:
    p = _plan(dataclasses.replace(QUIET, reps=reps, halfway=True))
    assert [c.context.rep for c in _cues(p, SpeechRole.HALFWAY)] == (
        [halfway_rep] if halfway_rep else [])
    assert all(c.text == wording.HALFWAY for c in _cues(p, SpeechRole.HALFWAY))


@pytest.mark.parametrize(("reps", "called"), [
    (1, False), (LAST_REP_MIN_REPS - 1, False), (LAST_REP_MIN_REPS, True), (10, True),
])
def test_last_rep_is_called_from_three_reps_up(reps: int, called: bool) -> None:
    p = _plan(dataclasses.replace(QUIET, reps=reps, last_rep=True))
    assert _at(_cues(p, SpeechRole.LAST)) == ([(1, None, reps)] if called else [])
    assert all(c.text == wording.LAST_REP for c in _cues(p, SpeechRole.LAST))


def test_halfway_and_last_rep_follow_their_switches_and_every_set_and_side() -> None:
    on = dataclasses.replace(QUIET, reps=8, sets=2, sides=Sides.EACH, halfway=True,
                             last_rep=True)
    p = _plan(on)
    sides = [(s, side) for s in (1, 2) for side in ("left", "right")]
    assert _at(_cues(p, SpeechRole.HALFWAY)) == [(*w, 5) for w in sides]
    assert _at(_cues(p, SpeechRole.LAST)) == [(*w, 8) for w in sides]
    # A call with no pre-set gets a window of its own that adds no time of its own.
    between = [s for s in p.segments if isinstance(s, Flex) and s.name == SegmentName.BETWEEN]
    assert {s.base_ms for s in between} == {0}
    off = _plan(dataclasses.replace(on, halfway=False, last_rep=False))
    assert not _cues(off, SpeechRole.HALFWAY) and not _cues(off, SpeechRole.LAST)


def test_a_call_shares_the_window_with_the_preset_and_comes_first() -> None:
    p = _plan(dataclasses.replace(QUIET, reps=6, halfway=True, last_rep=True,
                                  preset=PresetMode.EVERY_REP))
    windows = {s.context.rep: [c.role for c in s.head] for s in p.segments
               if isinstance(s, Flex) and s.name == SegmentName.PRESET}
    assert windows[4] == [SpeechRole.HALFWAY, SpeechRole.PRESET]
    assert windows[6] == [SpeechRole.LAST, SpeechRole.PRESET]
    assert windows[2] == [SpeechRole.PRESET]


# --- verbosity -------------------------------------------------------------------------------

SAID_BY_VERBOSITY = {
    # intro lines, announcement roles, a mistake, setup lines, finish lines
    Verbosity.COACH: (list(INTRO), 4, 1, 2, 2),
    Verbosity.STANDARD: (list(INTRO[:2]), 3, 1, 1, 2),
    Verbosity.BRIEF: (["Test session."], 2, 0, 0, 1),
    Verbosity.MINIMAL: (["Test session."], 2, 0, 0, 1),
}


@pytest.mark.parametrize("verbosity", list(Verbosity))
def test_what_each_verbosity_says_around_the_sets(verbosity: Verbosity) -> None:
    intro, announce, mistakes, setup, finish = SAID_BY_VERBOSITY[verbosity]
    p = _plan(dataclasses.replace(QUIET, verbosity=verbosity))
    assert _texts(p, SpeechRole.INTRO) == intro
    # Announcement lines: what it is and the set line ("Set one of one.") always; what it
    # works from standard up; the explanation from the coach only.
    assert len(_cues(p, SpeechRole.ANNOUNCE)) == announce
    assert len(_cues(p, SpeechRole.MISTAKE)) == mistakes
    assert _texts(p, SpeechRole.SETUP) == list(PRESS.setup[:setup])
    assert len(_texts(p, SpeechRole.FINISH)) == finish


def test_the_coach_explains_with_a_short_variant() -> None:
    p = _plan(dataclasses.replace(QUIET, verbosity=Verbosity.COACH))
    explained = [c for c in _cues(p, SpeechRole.ANNOUNCE) if c.text == PRESS.explanation]
    assert [c.brief for c in explained] == ["Brace first."]


@pytest.mark.parametrize("verbosity", list(Verbosity))
def test_minimal_drops_the_calls_form_cues_and_what_comes_next(verbosity: Verbosity) -> None:
    timing = Timing(reps=8, sets=2, rest_ms=60_000, form_every=2, verbosity=verbosity)
    p = _plan(timing, PRESS, PLAIN)
    talks = verbosity != Verbosity.MINIMAL
    assert bool(_cues(p, SpeechRole.HALFWAY)) is talks
    assert bool(_cues(p, SpeechRole.LAST)) is talks
    assert bool(_cues(p, SpeechRole.FORM)) is talks
    rests = _texts(p, SpeechRole.REST)
    assert ("Next: set two of two." in rests) is talks
    assert ("Next up: Plain lift." in rests) is talks
    # The count, the go words and the rest itself stay at every level.
    assert "Rest. One minute." in rests
    go = [c for c in _cues(p, SpeechRole.GO) if not c.phase_word]
    assert len(_cues(p, SpeechRole.COUNT)) == len(go) == 2 * 2 * 8


def test_phase_words_are_a_coach_only_first_rep_help() -> None:
    def phase_words(verbosity: Verbosity) -> list[tuple[int | None, str]]:
        p = _plan(dataclasses.replace(QUIET, reps=3, verbosity=verbosity,
                                      start=Phase.ECCENTRIC))
        return [(c.context.rep, c.text) for c in _cues(p, SpeechRole.GO) if c.phase_word]

    assert phase_words(Verbosity.COACH) == [(1, "Now press.")]
    assert phase_words(Verbosity.STANDARD) == []


# --- form cues, rest, counts -----------------------------------------------------------------


@pytest.mark.parametrize(("every", "reps"), [(0, []), (2, [2, 4]), (3, [3]), (5, [])])
def test_form_cues_every_n_reps_but_never_on_the_last(every: int, reps: list[int]) -> None:
    p = _plan(dataclasses.replace(QUIET, reps=5, form_every=every))
    forms = _cues(p, SpeechRole.FORM)
    assert [c.context.rep for c in forms] == reps
    assert {c.text for c in forms} <= set(PRESS.form_cues)


@pytest.mark.parametrize(("rest_ms", "warned"), [
    (REST_WARNING_MIN_MS - 1, False), (REST_WARNING_MIN_MS, True), (90_000, True)])
def test_long_rests_warn_ten_seconds_before_the_end(rest_ms: int, warned: bool) -> None:
    p = _plan(dataclasses.replace(QUIET, sets=2, rest_ms=rest_ms))
    rest = [s for s in p.segments if isinstance(s, Flex) and s.name == SegmentName.REST]
    assert [s.base_ms for s in rest] == [rest_ms]  # no rest after the session's last set
    assert [c.text for c in rest[0].tail] == ([wording.TEN_SECONDS] if warned else [])
    assert rest[0].tail_lead_ms == REST_WARNING_LEAD_MS


def test_no_rest_segment_when_rest_is_zero() -> None:
    p = _plan(dataclasses.replace(QUIET, sets=3, rest_ms=0))
    assert not [s for s in p.segments if s.name == SegmentName.REST]


def test_counts_end_on_the_last_phase_and_the_countdown_counts_down() -> None:
    timing = dataclasses.replace(QUIET, reps=2, countdown=3, tempo=Tempo.parse("3-1-2-0"),
                                 start=Phase.ECCENTRIC)
    p = _plan(timing)
    countdown = [s for s in p.segments if isinstance(s, Rigid)
                 and s.name == SegmentName.COUNTDOWN]
    assert len(countdown) == 1
    assert [(c.text, c.at_ms) for c in countdown[0].cues] == [
        ("Three.", 0), ("Two.", 1000), ("One.", 2000)]
    assert [m.role for m in countdown[0].marks] == [ToneRole.COUNTDOWN] * 3
    counts = _cues(p, SpeechRole.COUNT)
    assert [c.text for c in counts] == ["One.", "Two."]
    # The count lands as the rep ends: it starts with the concentric (4 s in) and ends by 6 s.
    assert {(c.at_ms, c.latest_end_ms, c.align_end) for c in counts} == {(4000, 6000, True)}
    assert not _cues(_plan(dataclasses.replace(timing, count=False)), SpeechRole.COUNT)


def test_a_rep_is_its_phases_in_order_from_the_starting_one() -> None:
    timing = dataclasses.replace(QUIET, reps=2, tempo=Tempo.parse("3-1-2-0"),
                                 start=Phase.CONCENTRIC)
    reps = [s for s in _plan(timing).segments if isinstance(s, Rigid)
            and s.name == SegmentName.REP]
    assert [s.duration_ms for s in reps] == [6000, 6000]
    phases = [(m.role, m.offset_ms, m.duration_ms) for m in reps[0].marks
              if m.kind == EventKind.PHASE]
    assert phases == [(Phase.CONCENTRIC, 0, 2000), (Phase.ECCENTRIC, 2000, 3000),
                      (Phase.BOTTOM, 5000, 1000)]
    # The first tone of the set is the start tone; later reps sound their phase.
    first_tones = [m.role for m in reps[0].marks if m.kind == EventKind.TONE]
    assert first_tones[0] == ToneRole.START
    assert [m.role for m in reps[1].marks if m.kind == EventKind.TONE][0] == ToneRole.CONCENTRIC


# --- the coach's wording in the plan -------------------------------------------------------


def test_the_wording_reaches_the_plan() -> None:
    timing = dataclasses.replace(QUIET, reps=1, sets=2, sides=Sides.EACH, rest_ms=45_000,
                                 verbosity=Verbosity.STANDARD)
    p = _plan(timing, PRESS, PLAIN)
    announce = _texts(p, SpeechRole.ANNOUNCE)
    assert announce[:2] == ["First up: Press. Two sets of one rep, each side.",
                            "It works the shoulders and triceps, with the lower back as the base."]
    assert "Next exercise: Plain lift. Two sets of one rep, each side." in announce
    assert announce.count("Set one of two.") == announce.count("Set two of two.") == 2
    # A custom exercise that names no targets is not said to work anything.
    assert not [t for t in announce if t.startswith("It works") and "Plain" in t]
    switch = _texts(p, SpeechRole.SWITCH)
    assert switch[:3] == ["Left side.", "Switch sides.", "Right side."]
    assert _texts(p, SpeechRole.REST)[:2] == ["Rest. Forty-five seconds.", "Next: set two of two."]
    assert "Next up: Plain lift." in _texts(p, SpeechRole.REST)
    assert _texts(p, SpeechRole.FINISH) == ["Workout complete.", "Four sets done. Great work."]


def test_one_set_one_hold_reads_in_the_singular() -> None:
    p = _plan(dataclasses.replace(QUIET, reps=1, sets=1, hold_ms=5000))
    assert _texts(p, SpeechRole.ANNOUNCE)[0] == (
        "First up: Press. One set of one five-second hold.")
    assert _texts(p, SpeechRole.FINISH)[-1] == "One set done. Great work."


def test_go_words_come_from_the_exercise_or_the_default_with_a_warning() -> None:
    hold = dataclasses.replace(QUIET, reps=2, hold_ms=3000)
    p = _plan(hold)
    assert _texts(p, SpeechRole.GO) == [wording.DEFAULT_GO[Phase.HOLD]] * 2
    assert p.warnings == ('press: no go cue of its own for a hold; says "Hold."',)
    own = _plan(dataclasses.replace(QUIET, reps=2, start=Phase.CONCENTRIC))
    assert _texts(own, SpeechRole.GO) == ["Now press.", "Now press."]
    assert own.warnings == ()
    plain = _plan(dataclasses.replace(QUIET, reps=1, start=Phase.ECCENTRIC), PLAIN)
    assert _texts(plain, SpeechRole.GO) == ["Lower."]
    assert plain.warnings == ('plain: no go cue of its own for the eccentric phase; '
                              'says "Lower."',)


# --- the plan as a whole ---------------------------------------------------------------------


def test_segments_run_intro_announce_set_reps_finish() -> None:
    p = _plan(dataclasses.replace(QUIET, reps=2, countdown=2, preset=PresetMode.EVERY_SET))
    assert [s.name for s in p.segments] == [
        SegmentName.INTRO, SegmentName.ANNOUNCE, SegmentName.SET, SegmentName.PRESET,
        SegmentName.COUNTDOWN, SegmentName.REP, SegmentName.REP, SegmentName.FINISH]
    assert Counter(type(s) for s in p.segments) == {Flex: 5, Rigid: 3}


def test_the_same_seed_gives_the_same_plan_and_texts_are_listed_once() -> None:
    timing = dataclasses.replace(QUIET, reps=6, sets=3, form_every=1,
                                 preset=PresetMode.EVERY_REP)
    assert _plan(timing, seed=7) == _plan(timing, seed=7)
    orders = {tuple(_texts(_plan(timing, seed=s), SpeechRole.PRESET)) for s in range(6)}
    assert len(orders) > 1  # the seed picks the order of the phrasings
    texts = _plan(timing, seed=7).texts()
    assert len(texts) == len(set(texts))
    assert "Brace." in texts  # brief variants are spoken too, so they are synthesised


def test_one_timing_per_entry_is_required() -> None:
    with pytest.raises(ValueError, match="one timing per workout entry"):
        plan(_workout(PRESS, PLAIN), [QUIET])


def test_resolve_timings_applies_config_and_command_line_layers() -> None:
    workout = Workout("w", "W", (), (WorkoutEntry(PRESS, {"reps": 5}),), timing={"sets": 2})
    config = Layer("config.toml", {"verbosity": "brief", "sets": 4}, "timing", "config")
    flag = Layer("--rest", {"rest": "75"}, "", "command line")
    [timing] = resolve_timings(workout, [config], [flag])
    assert (timing.reps, timing.sets, timing.rest_ms, timing.verbosity) == (
        5, 2, 75_000, Verbosity.BRIEF)


@pytest.mark.parametrize(("text", "brief"), [
    ("Tailbone down. Brace.", "Brace."), ("Brace.", None), ("Ready? Go!", "Go!"),
    ("  One. Two.  Three.  ", "Three."), ("No stop at the end", None),
])
def test_brief_of_is_the_last_sentence(text: str, brief: str | None) -> None:
    assert brief_of(text) == brief
