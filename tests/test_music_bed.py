"""The bed: tracks laid end to end with crossfades, looped, levelled and ducked on the timeline."""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pytest

from music_support import make_noise, make_tone
from repcue.mix.loudness import measure
from repcue.music import MusicBed, MusicChoice, choose_tracks, session_bed
from repcue.music.bed import lay_out
from repcue.music.ducking import Ducking, Envelope
from repcue.timeline import Timeline
from timelines import event

RATE = 22050
VOICE_LUFS = -20.0


def test_tracks_crossfade_and_loop_until_the_session_ends() -> None:
    placed = lay_out([100, 40], start=10, end=400, crossfade=30)
    assert [(p.start, p.length, p.track) for p in placed[:4]] == [
        (10, 100, 0), (90, 40, 1), (110, 100, 0), (190, 40, 1)]
    # A crossfade is at most half the shorter track.
    assert placed[0].fade_in == 0 and placed[0].fade_out == 20
    assert placed[1].fade_in == 20 and placed[1].fade_out == 20
    assert placed[-1].start < 400 <= placed[-1].stop and placed[-1].fade_out == 0


def _envelope(speech: list[tuple[int, int]], ducking: Ducking | None = None) -> Envelope:
    ms = RATE // 1000
    return Envelope([(a * RATE // 1000, b * RATE // 1000) for a, b in speech], RATE,
                    ducking or Ducking(),
                    start=0, fade_out_at=60_000 * ms, end=60_000 * ms)


def _db_at(envelope: Envelope, ms: int) -> float:
    at = ms * RATE // 1000
    return 20 * math.log10(float(envelope.gains(at, at + 1)[0]))


def test_the_bed_is_fully_down_150_ms_before_speech_and_back_500_ms_after() -> None:
    env = _envelope([(10_000, 12_000)])
    assert _db_at(env, 8_000) == pytest.approx(-15.0, abs=0.01)
    assert _db_at(env, 9_800) < -15.5  # on its way down
    for ms in (9_850, 10_000, 11_999, 12_000):
        assert _db_at(env, ms) == pytest.approx(-25.0, abs=0.01)
    assert -25.0 < _db_at(env, 12_250) < -15.0
    assert _db_at(env, 12_501) == pytest.approx(-15.0, abs=0.01)


def test_short_gaps_between_clips_keep_the_dip() -> None:
    env = _envelope([(10_000, 11_000), (11_900, 12_500), (14_000, 15_000)])
    gap = env.gains(11_000 * RATE // 1000, 11_900 * RATE // 1000)
    assert 20 * math.log10(float(np.max(gap))) == pytest.approx(-25.0, abs=0.01)
    # 1.5 s later the bed comes up between clips.
    assert _db_at(env, 13_200) == pytest.approx(-15.0, abs=0.01)


def test_levels_follow_the_options() -> None:
    env = _envelope([(10_000, 12_000)], Ducking(level_db=20.0, duck_db=6.0))
    assert _db_at(env, 5_000) == pytest.approx(-20.0, abs=0.01)
    assert _db_at(env, 11_000) == pytest.approx(-26.0, abs=0.01)


def _timeline(seconds: int, speech: list[tuple[int, int]]) -> Timeline:
    events = [event(a, b, "speech", "form", f"cue {i}") for i, (a, b) in enumerate(speech)]
    events.append(event(seconds * 1000 - 2000, seconds * 1000 - 1500, "tone", "finish"))
    return Timeline("test", "Test", seconds * 1000, tuple(events))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bed")
    make_noise(folder / "1-loud.mp3", 3.0, 48000, 2, amplitude=0.5)
    make_noise(folder / "2-quiet.ogg", 2.5, 32000, 1, amplitude=0.05)
    make_tone(folder / "3-tone.m4a", 2.0, 44100, 2)
    return folder


def _bed(folder: Path, seconds: int = 20, lead_in: int = 1000) -> tuple[MusicBed, int]:
    speech = [(4000, 5500), (12_000, 13_000)]
    timeline = _timeline(seconds, speech)
    tracks = choose_tracks(MusicChoice(folder), timeline.duration_ms)
    spans = [(lead_in + a * RATE // 1000, lead_in + b * RATE // 1000) for a, b in speech]
    total = lead_in + seconds * RATE
    return session_bed(tracks, timeline, spans, RATE, lead_in, total, Ducking(),
                       VOICE_LUFS), total


def test_any_blocks_and_jumps_give_the_same_bed(folder: Path) -> None:
    bed, total = _bed(folder)
    assert [p.name for p in bed.used] == ["1-loud.mp3", "2-quiet.ogg", "3-tone.m4a"]
    whole = bed.render(0, total)
    assert whole is not None and np.all(whole[:1000] == 0)  # silent through the lead-in
    bed.close()
    rng = random.Random(5)
    cuts = sorted(rng.sample(range(1, total), 40))
    blocks = [bed.render(a, b) for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    assert np.array_equal(np.concatenate([b for b in blocks if b is not None]), whole)
    for _ in range(10):
        a = rng.randrange(total - 5000)
        part = bed.render(a, a + 5000)
        assert part is not None and np.array_equal(part, whole[a : a + 5000])
    bed.close()


def test_tracks_are_levelled_to_the_same_loudness(folder: Path) -> None:
    tracks = choose_tracks(MusicChoice(folder), 60_000)
    loud, quiet = tracks[0].gain_db(VOICE_LUFS), tracks[1].gain_db(VOICE_LUFS)
    # 0.05 against 0.5 amplitude, less the 3 dB ffmpeg took off the stereo copy's sides.
    assert quiet - loud == pytest.approx(20.0 - 3.0, abs=1.0)
    bed, total = _bed(folder, seconds=40)
    rest = bed.render(16 * RATE, 30 * RATE)  # no speech from 13.5 s to the fade-out
    assert rest is not None
    lufs, _ = measure(rest, RATE)
    assert lufs == pytest.approx(VOICE_LUFS - 15.0, abs=2.0)
    bed.close()


def test_a_track_failing_mid_session_is_skipped_with_a_warning(tmp_path: Path) -> None:
    make_noise(tmp_path / "a.wav", 3.0)
    doomed = make_noise(tmp_path / "b.wav", 3.0)
    bed, total = _bed(tmp_path)
    first = bed.render(0, 2 * RATE)
    doomed.write_bytes(b"RIFF-no-longer-audio" * 50)  # replaced after it was checked
    later = bed.render(2 * RATE, total)
    assert first is not None and later is not None
    assert bed.warnings and "b.wav failed at" in bed.warnings[0]
    assert "\n" not in bed.warnings[0]
    assert np.max(np.abs(later)) > 0  # a.wav still plays when the loop comes back to it
    bed.close()


def test_the_bed_adds_into_windows_reaching_past_the_session(folder: Path) -> None:
    bed, total = _bed(folder, seconds=8)
    whole = bed.render(0, total)
    assert whole is not None
    mix = np.ones(total + 300, dtype=np.float32)
    bed.add_to(mix, -100)  # the renderer's limiter context reaches before 0 and past the end
    assert np.array_equal(mix[100 : 100 + total], whole + 1)
    assert np.all(mix[:100] == 1) and np.all(mix[100 + total:] == 1)
    bed.close()


def test_in_a_long_rest_the_music_comes_up_to_the_rest_level_and_back_before_a_cue() -> None:
    env = _envelope([(10_000, 12_000), (40_000, 41_000)], Ducking(rest_db=3.0))
    assert _db_at(env, 12_000 + 1400) == pytest.approx(-15.0, abs=0.01)  # held at the bed
    assert -15.0 < _db_at(env, 12_000 + 2500) < -3.0  # on its way up
    assert _db_at(env, 20_000) == pytest.approx(-3.0, abs=0.01)
    assert _db_at(env, 40_000 - 3100) == pytest.approx(-3.0, abs=0.01)
    assert _db_at(env, 40_000 - 1500) == pytest.approx(-15.0, abs=0.01)  # the bed again
    assert _db_at(env, 40_500) == pytest.approx(-25.0, abs=0.01)


def test_cues_a_few_seconds_apart_keep_the_bed_between_them() -> None:
    env = _envelope([(10_000, 11_000), (16_000, 17_000)], Ducking(rest_db=3.0))
    gap = env.gains(11_000 * RATE // 1000, 16_000 * RATE // 1000)
    assert 20 * math.log10(float(np.max(gap))) == pytest.approx(-15.0, abs=0.01)


def test_the_rest_level_brings_a_mostly_rest_session_up_and_leaves_a_busy_one() -> None:
    from repcue.music.rest_level import MIN_REST_DB, rest_level_db

    hour = 3_600_000
    # A cue of 2 s every 90 s: with the bed 15 dB down, BS.1770's gate lets the rests pull
    # the whole 7 LU under the target; only music close to the voice brings it back.
    sparse = [(t, t + 2000) for t in range(5000, hour, 90_000)]
    assert rest_level_db(sparse, hour, Ducking(), -19.0) == MIN_REST_DB
    # Cues back to back: voice and bed are on the target already; the music stays down.
    busy = [(t, t + 2500) for t in range(0, hour, 3000)]
    assert rest_level_db(busy, hour, Ducking(), -19.0) == 15.0
    # Everything is relative to the target: the level depends on the session's shape alone.
    assert rest_level_db(sparse, hour, Ducking(), -14.0) == MIN_REST_DB
    assert rest_level_db(busy, hour, Ducking(), -14.0) == 15.0


def test_a_tone_far_from_any_cue_keeps_the_bed_around_it() -> None:
    ms = RATE // 1000
    env = Envelope([(10_000 * ms, 12_000 * ms)], RATE, Ducking(rest_db=3.0), start=0,
                   fade_out_at=60_000 * ms, end=60_000 * ms, tones=[(30_000 * ms, 30_200 * ms)])
    assert _db_at(env, 20_000) == pytest.approx(-3.0, abs=0.01)  # a long hold: music up
    for at_ms in (30_000 - 1400, 30_000, 30_200 + 1400):
        assert _db_at(env, at_ms) == pytest.approx(-15.0, abs=0.01)  # the tone: the bed
    assert _db_at(env, 30_100) == pytest.approx(-15.0, abs=0.01)  # and no dip: not speech


def test_the_level_is_one_value_where_the_gains_hold_one() -> None:
    # The bed scales its blocks by ``level``: one value in a steady stretch, else the very
    # gains, fades at the ends included.
    env = _envelope([(10_000, 12_000), (40_000, 41_000)], Ducking(rest_db=3.0))
    steady, moving = 0, 0
    for lo in range(0, env.end + 5000, 2205):
        hi = lo + 2205
        level, gains = env.level(lo, hi), env.gains(lo, hi)
        if isinstance(level, np.ndarray):
            moving += 1
            assert np.array_equal(level, gains)
        else:
            steady += 1
            assert level.dtype == np.float32
            assert np.array_equal(np.full(hi - lo, level, dtype=np.float32), gains)
    assert steady and moving
