"""Properties of placed timelines, over random valid timings, plus the golden files."""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repcue.content import Library
from repcue.model import Exercise, Phase, PresetMode, Sides, Tempo, Verbosity, Workout, WorkoutEntry
from repcue.plan import plan, resolve_timings
from repcue.schedule import GAP_MS, estimate_ms, layout, schedule
from repcue.timeline import Event, Timeline
from repcue.timing import Timing

GOLDEN = Path(__file__).parent / "golden"

EXERCISE = Exercise(
    id="press", name="Press", targets=("shoulders",), stabiliser="lower back", equipment=(),
    explanation="Brace first. Then press.", setup=("Stand tall.",),
    preset_cues=("Tailbone down. Brace.", "Lock it in."),
    go_cues={Phase.CONCENTRIC: "Now press.", Phase.ECCENTRIC: "Lower.", Phase.TOP: "Lock out.",
             Phase.BOTTOM: "Reset.", Phase.HOLD: "Hold."},
    form_cues=("Ribs down. Don't lean back.", "Press straight up."),
    mistakes=("Don't press from a loose back.",),
)

phase_s = st.sampled_from(["0", "0.5", "1", "2", "3", "X"])


@st.composite
def timings(draw: st.DrawFn) -> Timing:
    parts = draw(st.tuples(phase_s, phase_s, phase_s, phase_s).filter(
        lambda p: any(x != "0" for x in p)))
    tempo = Tempo.parse("-".join(parts))
    nonzero = [p for p, ms in zip((Phase.ECCENTRIC, Phase.BOTTOM, Phase.CONCENTRIC, Phase.TOP),
               (tempo.eccentric_ms, tempo.bottom_ms, tempo.concentric_ms, tempo.top_ms),
               strict=True) if ms]
    return Timing(
        tempo=tempo,
        start=draw(st.sampled_from(nonzero)),
        reps=draw(st.integers(1, 12)),
        hold_ms=draw(st.sampled_from([0, 0, 0, 3000, 5500])),
        sets=draw(st.integers(1, 3)),
        sides=draw(st.sampled_from(list(Sides))),
        rest_ms=draw(st.sampled_from([0, 15_000, 60_000])),
        switch_ms=draw(st.sampled_from([0, 3000])),
        preset=draw(st.sampled_from(list(PresetMode))),
        preset_hold_ms=draw(st.sampled_from([0, 1000, 3000])),
        lead_ms=draw(st.sampled_from([0, 2000])),
        countdown=draw(st.integers(0, 5)),
        verbosity=draw(st.sampled_from(list(Verbosity))),
        count=draw(st.booleans()),
        form_every=draw(st.integers(0, 4)),
    )


def _workout(n: int) -> Workout:
    return Workout("prop", "Property", ("Hello.",), tuple(WorkoutEntry(EXERCISE) for _ in range(n)))


def _check_invariants(timeline: Timeline, spans: tuple[object, ...], ts: list[Timing]) -> None:
    events = timeline.events
    assert [e.start_ms for e in events] == sorted(e.start_ms for e in events)
    speech = timeline.speech()
    for a, b in zip(speech, speech[1:], strict=False):
        assert a.end_ms <= b.start_ms, f"speech overlaps: {a} / {b}"
    assert all(e.end_ms <= timeline.duration_ms for e in events)
    reps = _check_grid(events, ts)
    _check_cues(timeline, reps, ts[0])
    _check_spans(timeline, spans)


def _check_grid(events: tuple[Event, ...], ts: list[Timing]
                ) -> dict[tuple[object, ...], list[Event]]:
    """The rigid grid: each rep's phases are contiguous and exactly the tempo."""
    # Keyed by the exercise's place in the workout too: an exercise may appear twice.
    reps: dict[tuple[object, ...], list[Event]] = defaultdict(list)
    place = -1
    for e in events:
        if e.kind == "marker" and e.role == "exercise":
            place += 1
        if e.kind == "phase":
            reps[(place, e.exercise, e.set, e.side, e.rep)].append(e)
    timing = ts[0]
    expected = ((("hold", timing.hold_ms),) if timing.is_hold else
                tuple((p.value, ms) for p, ms in timing.tempo.phases_from(timing.start)))
    for phases in reps.values():
        assert tuple((p.role, p.duration_ms) for p in phases) == expected
        for a, b in zip(phases, phases[1:], strict=False):
            assert a.end_ms == b.start_ms
    sides = 2 if timing.sides == Sides.EACH else 1
    assert len(reps) == timing.reps * timing.sets * sides * len(ts)
    return reps


def _check_cues(timeline: Timeline, reps: dict[tuple[object, ...], list[Event]],
                timing: Timing) -> None:
    events, speech = timeline.events, timeline.speech()
    # The pre-set cue finishes before its rep begins, for every rep in every-rep mode.
    presets = {}
    place = -1
    for e in events:
        if e.kind == "marker" and e.role == "exercise":
            place += 1
        if e.kind == "speech" and e.role == "preset":
            presets[(place, e.exercise, e.set, e.side, e.rep)] = e
    if timing.preset == PresetMode.EVERY_REP:
        for key, phases in reps.items():
            assert key in presets, f"no pre-set before rep {key}"
            assert presets[key].end_ms <= phases[0].start_ms
    # The go cue lands on the first phase of its rep.
    firsts = {phases[0].start_ms for phases in reps.values()}
    first_words = {EXERCISE.go_cues[Phase(p[0].role)] for p in reps.values()}
    for e in speech:
        if e.role == "go" and e.start_ms in firsts:
            assert e.text in first_words
    gos = {e.start_ms for e in speech if e.role == "go"}
    if not firsts <= gos:  # only a rep too short for its go cue may lack one, and it says so
        assert any("go cue dropped" in w for w in timeline.warnings)
        assert min(e.end_ms - e.start_ms for p in reps.values() for e in p[:1]) < max(
            estimate_ms(w) for w in first_words)


def _check_spans(timeline: Timeline, spans: tuple[object, ...]) -> None:
    # The total is the sum of its parts: segments are contiguous from 0 to the end.
    starts = [s.start_ms for s in spans]  # type: ignore[attr-defined]
    ends = [s.end_ms for s in spans]  # type: ignore[attr-defined]
    assert starts[0] == 0 and ends[-1] == timeline.duration_ms
    assert starts[1:] == ends[:-1]
    assert sum(e - s for s, e in zip(starts, ends, strict=True)) == timeline.duration_ms


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(timings(), st.integers(1, 2), st.integers(0, 1000))
def test_placed_timelines_keep_their_promises(timing: Timing, n: int, seed: int) -> None:
    workout = _workout(n)
    ts = [timing] * n
    placed = layout(plan(workout, ts, seed=seed), estimate_ms)
    _check_invariants(placed.timeline, placed.spans, ts)


@settings(max_examples=40, deadline=None)
@given(timings(), st.integers(0, 50))
def test_same_inputs_same_timeline(timing: Timing, seed: int) -> None:
    workout = _workout(1)
    first = schedule(plan(workout, [timing], seed=seed))
    again = schedule(plan(workout, [timing], seed=seed))
    assert first == again


def test_long_speech_grows_flexible_segments_and_warns() -> None:
    timing = Timing(preset_hold_ms=500, reps=3, sets=1)
    timeline = schedule(plan(_workout(1), [timing]), lambda text: 2000)
    assert any("pre-set window grew to fit speech" in w for w in timeline.warnings)
    presets = [e for e in timeline.speech() if e.role == "preset"]
    assert presets and all(p.duration_ms == 2000 for p in presets)


def test_cues_that_cannot_fit_a_rep_are_shortened_or_dropped_with_warnings() -> None:
    timing = Timing(tempo=Tempo.parse("1-0-1-0"), start=Phase.CONCENTRIC, reps=6, sets=1,
                    form_every=1)
    timeline = schedule(plan(_workout(1), [timing]), lambda text: 900 if len(text) < 12 else 1900)
    joined = " ".join(timeline.warnings)
    assert "form cue dropped" in joined or "form cue shortened" in joined
    speech = timeline.speech()
    for a, b in zip(speech, speech[1:], strict=False):
        assert a.end_ms + 0 <= b.start_ms


def test_flexible_speech_is_separated_by_the_gap() -> None:
    timeline = schedule(plan(_workout(1), [Timing()]))
    intro = [e for e in timeline.speech() if e.role == "intro"]
    assert intro[0].start_ms == GAP_MS


def test_markers_span_their_chapters() -> None:
    timeline = schedule(plan(_workout(2), [Timing(sets=2), Timing(sets=2)]))
    exercises = timeline.markers("exercise")
    assert len(exercises) == 2
    assert exercises[0].end_ms == exercises[1].start_ms
    sets = timeline.markers("set")
    assert len(sets) == 4
    assert all(s.end_ms > s.start_ms for s in sets)
    finish = next(e for e in timeline.speech() if e.role == "finish")
    assert exercises[1].end_ms <= finish.start_ms


def _golden_timeline(name: str) -> Timeline:
    workout = Library.discover().workout(name)
    return schedule(plan(workout, resolve_timings(workout)), estimate_ms)


def _check_golden(path: Path, text: str) -> None:
    if os.environ.get("REPCUE_UPDATE_GOLDEN"):
        path.write_text(text)
    assert json.loads(text) == json.loads(path.read_text()), (
        f"{path.name} changed; review the diff and rerun with REPCUE_UPDATE_GOLDEN=1")


@pytest.mark.parametrize("name", ["back-strength", "activation"])
def test_builtin_workouts_match_their_golden_timelines(name: str) -> None:
    timeline = _golden_timeline(name)
    path = GOLDEN / f"{name}.json"
    _check_golden(path, timeline.to_json() + "\n")
    assert Timeline.from_dict(json.loads(path.read_text())) == timeline


def summary_json(timeline: Timeline) -> str:
    """What a long session's golden keeps: length, how many of each event, chapters, warnings.

    A one-line change to the wording then changes a count or a warning, not thousands of
    lines; the full timeline of the short workouts is still compared event by event.
    """
    counts = Counter(f"{e.kind} {e.role}" for e in timeline.events)
    head = {"workout": {"id": timeline.workout_id, "title": timeline.title},
            "duration_ms": timeline.duration_ms}
    lines = ",\n  ".join(f"{json.dumps(k)}: {n}" for k, n in sorted(counts.items()))
    markers = ",\n  ".join(json.dumps({k: v for k, v in m.to_dict().items()
                                       if k not in ("kind", "side", "rep")}, ensure_ascii=False)
                           for m in timeline.markers())
    warnings = ",\n  ".join(json.dumps(w, ensure_ascii=False) for w in timeline.warnings)
    return (json.dumps(head, ensure_ascii=False)[:-1] + f',\n "event_counts": {{\n  {lines}\n }},\n'
            f' "markers": [\n  {markers}\n ],\n "warnings": [\n  {warnings}\n ]}}\n')


def test_the_long_session_matches_its_golden_summary() -> None:
    _check_golden(GOLDEN / "long-session.summary.json",
                  summary_json(_golden_timeline("long-session")))


def test_builtin_workouts_have_the_lengths_the_issue_asks_for() -> None:
    library = Library.discover()
    minutes = {}
    for name in ("back-strength", "activation", "long-session"):
        workout = library.workout(name)
        minutes[name] = schedule(plan(workout, resolve_timings(workout))).duration_ms / 60000
    assert 25 <= minutes["back-strength"] <= 35
    assert 4 <= minutes["activation"] <= 7
    assert 50 <= minutes["long-session"] <= 70
