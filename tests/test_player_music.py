"""Music in live play keeps its own clock: it plays on through extra rest, rests that wait
and jumps, and until the first of those it is the export's, sample for sample."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from audio_fixtures import (
    RATE,
    REST_MS,
    SET_MS,
    FakeClock,
    phrase_mix,
    ready_timeline,
    short_mix,
)
from music_support import make_noise
from repcue.mix import Mix
from repcue.music import Ducking, MusicBed, MusicChoice, bed_for
from repcue.player.controls import Command, ScriptedControls
from repcue.player.display import LineDisplay
from repcue.player.navigation import EXTRA_REST_MS
from repcue.player.playback import PlayResult, play
from repcue.player.sink import RecordingSink
from repcue.timeline import MarkerRole

TICK = 0.05
STEP = round(TICK * RATE)
VOICE_LUFS = -20.0


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("live-music")
    # Noise never repeats itself, so music heard at the wrong place cannot match by chance.
    make_noise(folder / "a.wav", 12.0, RATE, 1, amplitude=0.4)
    make_noise(folder / "b.flac", 9.0, RATE, 1, amplitude=0.2)
    return folder


def _with_music(mix: Mix, folder: Path, rest_db: float | None = None) -> Mix:
    choice = MusicChoice(folder, ducking=Ducking(rest_db=rest_db))
    bed = bed_for(choice, mix.timeline, mix.clips, mix.rate, mix.lead_in_ms, VOICE_LUFS)
    return replace(mix, bed=bed)


@pytest.fixture(scope="module")
def mix(folder: Path) -> Mix:
    return _with_music(short_mix(lead_in_ms=500), folder)


def _run(mix: Mix, script: Sequence[tuple[int, Command]] = (), start_ms: int = 0
         ) -> tuple[PlayResult, np.ndarray]:
    sink = RecordingSink()
    clock = FakeClock(sink)
    controls = ScriptedControls([(turn * TICK, c) for turn, c in script], clock)
    result = play(mix, sink, controls, LineDisplay(io.StringIO()), clock,
                  start_ms=start_ms, tick_s=TICK)
    return result, sink.samples()


def _bed(mix: Mix) -> MusicBed:
    assert isinstance(mix.bed, MusicBed)
    return mix.bed


def _music_away_from_speech(mix: Mix, clock: int, n: int, rest: bool = False) -> np.ndarray:
    """What the lifter should hear of the music from music sample ``clock`` near the cues
    (``rest``: in a long rest)."""
    bed = _bed(mix)
    music = bed.music(clock, clock + n)
    assert music is not None
    return music * (bed.envelope.rest if rest else bed.envelope.bed)


def at(ms: int, lead_in_ms: int = 500) -> int:
    return (lead_in_ms + ms) * RATE // 1000


def test_until_a_key_is_pressed_play_is_the_export_sample_for_sample(mix: Mix) -> None:
    _, heard = _run(mix)
    renderer = mix.renderer()
    expected = renderer.render_range(0, renderer.total_samples)
    np.testing.assert_array_equal(heard[: len(expected)], expected)
    assert np.abs(expected).max() > 0


def test_extra_rest_plays_the_music_on_and_the_session_picks_it_up_after(mix: Mix) -> None:
    rest = 1000 + SET_MS
    cue_end = at(rest + 200 + 1000)  # "Rest after row 1." is sounding when + is pressed
    turn = at(rest + 400) // STEP + 1
    _, heard = _run(mix, [(turn, Command.MORE_REST)])
    extra = at(EXTRA_REST_MS, 0)
    export = mix.renderer().render_range(0, at(rest + REST_MS))
    np.testing.assert_array_equal(heard[:cue_end], export[:cue_end])
    # The inserted rest is the music at the rest level, once up from the release (2 s),
    # from where the music was: nothing stops, nothing repeats.
    settled = 2 * RATE  # up from the release, like a rest
    inserted = heard[cue_end + settled : cue_end + extra]
    np.testing.assert_allclose(inserted, _music_away_from_speech(mix, cue_end + settled,
                                                             extra - settled), atol=1e-6)
    assert np.sqrt(np.mean(inserted**2)) > 1e-3
    # After the rest, the session goes on with the music 15 s further along: in the quiet
    # before "Soon row 1." the music is the one 15 s after the rest's own.
    quiet = at(rest + REST_MS - 1000) - 450 * RATE // 1000 - cue_end  # the dip: 400 ms
    after = heard[cue_end + extra : cue_end + extra + quiet]
    np.testing.assert_allclose(after, _music_away_from_speech(mix, cue_end + extra, quiet),
                               atol=1e-6)
    # And the voice comes back where it left off, over the music 15 s further along.
    soon, n = at(rest + REST_MS - 1000), RATE // 2
    bed = _bed(mix)
    live_music = bed.music(soon + extra, soon + extra + n)
    export_music = bed.music(soon, soon + n)
    assert live_music is not None and export_music is not None
    gains = bed.envelope.gains(soon, soon + n)
    voice = export[soon : soon + n] - export_music * gains
    np.testing.assert_allclose(heard[soon + extra : soon + extra + n] - live_music * gains,
                               voice, atol=1e-5)
    assert np.abs(voice).max() > 0.1


def test_a_jump_does_not_make_the_music_jump(mix: Mix) -> None:
    set2 = at(1000 + SET_MS + REST_MS)
    turn = at(1000 + 2500) // STEP  # mid set 1: skip to set 2
    _, heard = _run(mix, [(turn, Command.NEXT_SET)])
    jumped = turn * STEP
    # In the rest after set 2, the music is the one the lifter's clock has reached, which
    # is behind the session by the part of set 1 and its rest that was skipped.
    skipped = set2 - jumped
    quiet_from = at(1000 + 2 * SET_MS + REST_MS + 1700)  # after "Rest after row 2."
    quiet_to = at(1000 + 2 * SET_MS + 2 * REST_MS - 1500)  # before the dip for "Soon"
    heard_from = quiet_from - skipped
    np.testing.assert_allclose(heard[heard_from : heard_from + (quiet_to - quiet_from)],
                               _music_away_from_speech(mix, heard_from, quiet_to - quiet_from),
                               atol=1e-6)


def test_a_rest_that_waits_plays_the_music_on_instead_of_replaying_it(folder: Path) -> None:
    rate = 22050
    waiting = phrase_mix(ready_timeline(live=True), rate)
    mix = _with_music(waiting, folder, rest_db=5.0)  # up in the rests, 10 dB over the bed
    rest = waiting.timeline.markers(MarkerRole.REST)[0].start_ms
    start = mix.renderer().sample_at(rest - 1000)
    sink = RecordingSink()
    clock = FakeClock(sink, rate)
    controls = ScriptedControls([(200.0, Command.QUIT)], clock)
    play(mix, sink, controls, LineDisplay(io.StringIO()), clock, start_ms=rest - 1000,
         tick_s=TICK)
    heard = sink.samples()
    # 200 s of waiting replay the waiting stretch three times or more (test_rest_ready).
    # The music's clock is the lifter's: sample t heard is music sample start + t, at the
    # rest level away from the cues, in every replay.
    late = slice(100 * rate, 195 * rate)
    expected = _music_away_from_speech(mix, start, 195 * rate, rest=True)[late]
    matches = np.isclose(heard[late], expected, rtol=0, atol=1e-6)
    assert matches.mean() > 0.7
    windows = heard[late][: 95 * rate].reshape(95, rate)
    assert np.sqrt(np.mean(windows**2, axis=1)).min() > 1e-3  # never silent


def test_extra_rest_brings_the_music_up_to_the_rest_level(folder: Path) -> None:
    mix = _with_music(short_mix(lead_in_ms=500), folder, rest_db=5.0)
    rest = 1000 + SET_MS
    cue_end = at(rest + 200 + 1000)
    turn = at(rest + 400) // STEP + 1
    _, heard = _run(mix, [(turn, Command.MORE_REST)])
    settled, extra = 2 * RATE, at(EXTRA_REST_MS, 0)
    np.testing.assert_allclose(heard[cue_end + settled : cue_end + extra],
                               _music_away_from_speech(mix, cue_end + settled, extra - settled,
                                                   rest=True), atol=1e-6)
