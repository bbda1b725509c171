"""The end-of-session line: sets done, rests planned against taken, time under tension."""

from __future__ import annotations

from audio_fixtures import REST_MS, FakeClock, short_mix, short_session
from repcue.player.controls import Command, NoControls, ScriptedControls
from repcue.player.display import QuietDisplay
from repcue.player.playback import play
from repcue.player.sink import RecordingSink
from repcue.player.summary import Summary, Tally


def test_a_whole_session_counts_every_set_rest_and_phase() -> None:
    timeline, _ = short_session()
    tally = Tally(timeline)
    for ms in range(0, timeline.duration_ms + 1, 50):
        tally.heard(ms, ms / 1000)
    summary = tally.summary()
    # Two exercises of two sets; each set has two 1.5 s concentric phases; four rests.
    assert summary == Summary(sets_done=4, sets_planned=4, rests_taken=4,
                              rest_planned_ms=4 * REST_MS, rest_taken_ms=4 * REST_MS,
                              under_tension_ms=4 * 2 * 1500)
    assert summary.describe() == "4 sets, 4 rests (0:16 planned, 0:16 taken), 0:12 under tension"


def test_a_skipped_set_is_not_done_and_a_held_rest_counts_as_taken() -> None:
    timeline, _ = short_session(exercises=("row",), sets=2)
    tally = Tally(timeline)
    wall = 0.0
    for ms in range(0, 3000, 50):  # into set 1, then skip to set 2
        tally.heard(ms, wall)
        wall += 0.05
    tally.jumped()
    for ms in range(10_000, 16_000, 50):  # set 2 played to its end, into its rest
        tally.heard(ms, wall)
        wall += 0.05
    for _ in range(200):  # ten seconds of pause inside the rest
        tally.heard(16_000, wall, holding=True)
        wall += 0.05
    summary = tally.summary()
    assert summary.sets_done == 1 and summary.sets_planned == 2
    assert summary.rests_taken == 1 and summary.rest_planned_ms == REST_MS
    assert 10_900 <= summary.rest_taken_ms <= 11_000  # 1 s played, 10 s held
    assert summary.describe().startswith("1 of 2 sets, 1 rest (0:04 planned, 0:11 taken)")


def test_the_player_reports_more_rest_as_taken() -> None:
    mix = short_mix(exercises=("row",), sets=1)
    sink = RecordingSink()
    clock = FakeClock(sink)
    controls = ScriptedControls([(6.0, Command.MORE_REST)], clock)
    result = play(mix, sink, controls, QuietDisplay(), clock)
    assert result.completed and result.summary is not None
    assert result.summary.sets_done == 1 and result.summary.rests_taken == 1
    # The planned 4 s rest plus the 15 s "+" gives, within a tick or two.
    assert 18_800 <= result.summary.rest_taken_ms <= 19_300
    assert result.summary.under_tension_ms == 2 * 1500

    plain = play(mix, RecordingSink(free_run=True), NoControls(),
                 QuietDisplay(), FakeClock())
    assert plain.summary is not None and plain.summary.sets_done == 1
