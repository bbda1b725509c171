"""The player loop with a fake clock and a recording sink: what the keys do, to the sample."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import pytest

from audio_fixtures import RATE, REST_MS, SET_MS, FakeClock, short_mix, short_session
from repcue.errors import AudioError
from repcue.mix import Mix
from repcue.player.controls import Command, NoControls, ScriptedControls
from repcue.player.display import LineDisplay, QuietDisplay
from repcue.player.navigation import AGAIN_MS, EXTRA_REST_MS
from repcue.player.playback import PlayResult, play
from repcue.player.sink import RecordingSink
from repcue.render import Renderer, RenderSettings
from repcue.tones import default_palette

TICK = 0.05
STEP = round(TICK * RATE)  # samples per loop turn


@pytest.fixture(scope="module")
def mix() -> Mix:
    return short_mix()


@pytest.fixture(scope="module")
def renderer(mix: Mix) -> Renderer:
    return mix.renderer()


@pytest.fixture(scope="module")
def pcm(renderer: Renderer) -> np.ndarray:
    return renderer.render_range(0, renderer.total_samples)


def run(mix: Mix, script: Sequence[tuple[int, Command]] = (), start_ms: int = 0
        ) -> tuple[PlayResult, np.ndarray, LineDisplay]:
    """Play with commands at loop turns (``turn * TICK`` seconds); the samples heard."""
    sink = RecordingSink()
    clock = FakeClock(sink)
    controls = ScriptedControls([(turn * TICK, c) for turn, c in script], clock)
    display = LineDisplay(io.StringIO())
    result = play(mix, sink, controls, display, clock,
                  start_ms=start_ms, tick_s=TICK)
    return result, sink.samples(), display


def same(heard: np.ndarray, *parts: np.ndarray) -> None:
    expected = np.concatenate(parts)
    assert len(heard) >= len(expected)
    np.testing.assert_array_equal(heard[: len(expected)], expected)
    assert not heard[len(expected):].any(), "nothing after the end of the session"


def at(ms: int) -> int:
    return ms * RATE // 1000


def test_plays_the_export_pcm_sample_for_sample(mix: Mix, pcm: np.ndarray) -> None:
    result, heard, _ = run(mix)
    same(heard, pcm)
    assert result == PlayResult(mix.timeline.duration_ms, 0, True, "finished", ())


def test_pause_holds_the_position_and_resumes_on_the_same_sample(
        mix: Mix, pcm: np.ndarray) -> None:
    result, heard, display = run(mix, [(40, Command.PAUSE), (100, Command.PAUSE)])
    cut = 40 * STEP
    same(heard, pcm[:cut], np.zeros(60 * STEP, np.float32), pcm[cut:])
    assert result.completed
    assert any("paused" in line for line in display.lines)


def test_next_set_jumps_to_the_start_of_the_next_set(mix: Mix, pcm: np.ndarray
                                                     ) -> None:
    # Turn 30 is 1.5 s in: set 1 of "row" (starts at 1 s). Set 2 starts after set + rest.
    _, heard, _ = run(mix, [(30, Command.NEXT_SET)])
    set2 = at(1000 + SET_MS + REST_MS)
    same(heard, pcm[: 30 * STEP], pcm[set2:])


def test_next_set_in_the_last_set_is_refused_with_a_note(mix: Mix, pcm: np.ndarray
                                                         ) -> None:
    last_set = 1000 + 3 * (SET_MS + REST_MS)
    turn = (last_set + 500) * RATE // 1000 // STEP + 1
    result, heard, _ = run(mix, [(turn, Command.NEXT_SET)])
    same(heard, pcm)
    assert result.notes == ("this is the last set: nothing to skip to",)


def test_back_restarts_the_set_and_again_goes_to_the_set_before(
        mix: Mix, pcm: np.ndarray) -> None:
    set1, set2 = at(1000), at(1000 + SET_MS + REST_MS)
    first = set2 // STEP + 80  # 4 s into set 2: restart set 2
    second = first + 20  # 1 s after that restart (< AGAIN_MS): the set before
    assert 20 * STEP < at(AGAIN_MS) < 80 * STEP
    _, heard, _ = run(mix, [(first, Command.BACK), (second, Command.BACK)])
    same(heard, pcm[: first * STEP], pcm[set2 : set2 + 20 * STEP], pcm[set1:])


def test_more_rest_inserts_silence_after_the_rest_cue(mix: Mix, pcm: np.ndarray
                                                      ) -> None:
    rest = 1000 + SET_MS
    cue_end = at(rest + 200 + 1000)  # "Rest after row 1." is sounding when + is pressed
    turn = at(rest + 400) // STEP + 1
    _, heard, _ = run(mix, [(turn, Command.MORE_REST)])
    same(heard, pcm[:cue_end], np.zeros(at(EXTRA_REST_MS), np.float32), pcm[cue_end:])


def test_more_rest_twice_and_during_the_silence_adds_up(mix: Mix, pcm: np.ndarray
                                                        ) -> None:
    rest = 1000 + SET_MS
    quiet = at(rest + 1500)  # between the two rest cues: silence goes in right there
    turn = quiet // STEP + 1
    press = turn * STEP
    # Twice before it starts, then once more 5 s into the inserted silence.
    script = [(turn, Command.MORE_REST), (turn + 1, Command.MORE_REST),
              (turn + 101, Command.MORE_REST)]
    _, heard, _ = run(mix, script)
    silence = 3 * at(EXTRA_REST_MS)
    same(heard, pcm[:press], np.zeros(silence, np.float32), pcm[press:])


def test_more_rest_outside_a_rest_changes_nothing(mix: Mix, pcm: np.ndarray) -> None:
    result, heard, _ = run(mix, [(30, Command.MORE_REST)])
    same(heard, pcm)
    assert result.notes == ("+ adds rest during a rest period",)


def test_quit_reports_where_it_stopped(mix: Mix) -> None:
    result, heard, _ = run(mix, [(70, Command.QUIT)])
    assert (result.completed, result.reason) == (False, "quit")
    assert result.stopped_at_ms == 70 * STEP * 1000 // RATE
    assert len(heard) == 70 * STEP


def test_start_at_plays_the_lead_in_as_silence_then_from_that_time() -> None:
    mix = short_mix(lead_in_ms=500)
    renderer = mix.renderer()
    pcm = renderer.render_range(0, renderer.total_samples)
    _, heard, _ = run(mix, start_ms=6000)
    same(heard, np.zeros(renderer.lead_in_samples, np.float32), pcm[renderer.sample_at(6000):])


def test_the_line_display_follows_exercise_set_and_rep(mix: Mix) -> None:
    _, _, display = run(mix)
    text = "\n".join(display.lines)
    assert "[00:00] Short session · “Welcome.”" in text
    assert "Row · set 1/2 · rep 1/2" in text
    assert "Row · set 2/2 · rep 2/2 · “row 2 rep 2.”" in text
    assert "Squat · set 1/2 · rest · “Rest after squat 1.”" in text


def test_without_keys_and_without_display_it_simply_plays(mix: Mix, pcm: np.ndarray
                                                          ) -> None:
    sink = RecordingSink(free_run=True)
    clock = FakeClock()
    result = play(mix, sink, NoControls(), QuietDisplay(), clock,
                  tick_s=TICK)
    assert result.completed
    same(sink.samples(), pcm)


def test_bluetooth_offset_moves_the_heard_position_back(mix: Mix) -> None:
    sink = RecordingSink()
    clock = FakeClock(sink)
    controls = ScriptedControls([(70 * TICK, Command.QUIT)], clock)
    result = play(mix, sink, controls, QuietDisplay(), clock,
                  tick_s=TICK, bt_offset_ms=500)
    assert result.stopped_at_ms == (70 * STEP - at(500)) * 1000 // RATE


class LosingSink(RecordingSink):
    """A device that goes away after ``lose_at`` samples and comes back on the second try."""

    def __init__(self, lose_at: int, comes_back: bool = True) -> None:
        super().__init__()
        self.lose_at = lose_at
        self.comes_back = comes_back
        self.taken = 0
        self.tries = 0

    def pump(self, frames: int) -> None:
        if self.lost:
            return
        if self.taken + frames > self.lose_at and not self.tries:
            frames = self.lose_at - self.taken
            self.lost = True
        self.taken += frames
        super().pump(frames)

    def reopen(self) -> bool:
        self.tries += 1
        self.lost = self.tries < 2 or not self.comes_back
        return not self.lost


def test_a_lost_device_pauses_reports_and_resumes_at_the_same_sample() -> None:
    mix = short_mix(lead_in_ms=300)
    renderer = mix.renderer()
    pcm = renderer.render_range(0, renderer.total_samples)
    lose_at = 3 * RATE + 1234
    sink = LosingSink(lose_at)
    clock = FakeClock(sink)
    result = play(mix, sink, NoControls(), QuietDisplay(), clock,
                  tick_s=TICK)
    assert result.completed and sink.tries == 2
    heard_ms = (lose_at - renderer.lead_in_samples) * 1000 // RATE
    assert result.notes == (f"audio device lost at 00:0{heard_ms // 1000}: paused, reconnecting…",
                            f"reconnected: resuming at 00:0{heard_ms // 1000}")
    # The lead-in's silence again (earbuds wake up), then on from the very sample lost.
    same(sink.samples(), pcm[:lose_at], np.zeros(renderer.lead_in_samples, np.float32),
         pcm[lose_at:])


def test_a_device_that_stays_away_ends_the_session_with_where_it_stopped() -> None:
    mix = short_mix()
    sink = LosingSink(2 * RATE, comes_back=False)
    clock = FakeClock(sink)
    result = play(mix, sink, NoControls(), QuietDisplay(), clock,
                  tick_s=TICK, reconnect_s=5)
    assert (result.completed, result.reason, result.stopped_at_ms) == (False, "device lost", 2000)
    assert sink.tries == 6  # once a second for the 5 s window, then one last time


class BreakingRenderer(Renderer):
    def render_range(self, start: int, stop: int) -> np.ndarray:
        if start > 5 * RATE:
            raise ValueError("disk on fire")
        return super().render_range(start, stop)


class BreakingMix(Mix):
    def renderer(self, block_size: int | None = None) -> Renderer:
        return BreakingRenderer(self.timeline, self.clips, self.palette, self.settings)


def test_a_render_failure_is_an_audio_error_not_a_hang() -> None:
    timeline, clips = short_session()
    mix = BreakingMix(timeline, clips, default_palette(RATE), RenderSettings(rate=RATE))
    sink = RecordingSink()
    with pytest.raises(AudioError, match="rendering the session failed: ValueError: disk on"):
        play(mix, sink, NoControls(), QuietDisplay(), FakeClock(sink),
             tick_s=TICK)


@pytest.mark.parametrize("into_rest_ms", [400, 1500])  # during the rest cue / in a quiet moment
def test_two_quick_presses_give_thirty_seconds(mix: Mix, pcm: np.ndarray,
                                               into_rest_ms: int) -> None:
    rest = 1000 + SET_MS
    turn = at(rest + into_rest_ms) // STEP + 1
    point = max(turn * STEP, at(rest + 1200))  # after "Rest after row 1." if it is sounding
    # Both presses in one loop turn: the second comes before any of the first is played.
    _, heard, _ = run(mix, [(turn, Command.MORE_REST), (turn, Command.MORE_REST)])
    same(heard, pcm[:point], np.zeros(2 * at(EXTRA_REST_MS), np.float32), pcm[point:])
