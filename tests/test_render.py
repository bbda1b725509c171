"""The streaming renderer: placement, ducking, limiting, lead-in, and block independence.

Speech clips here are sine bursts: the renderer, not speech, is under test.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from repcue.clip import Clip
from repcue.errors import AudioError
from repcue.limiter import CEILING_DBFS
from repcue.render import Renderer, RenderSettings
from repcue.resample import upsample
from repcue.timeline import Event, Timeline
from repcue.tones import TonePalette, default_palette
from timelines import event, timeline

RATE = 44100
CEILING = 10 ** (CEILING_DBFS / 20)
TONE_GAIN = np.float32(10 ** (-14 / 20))


def burst(hz: float, ms: int, rate: int = RATE, amp: float = 0.3) -> Clip:
    """A speech stand-in: a sine with 5 ms fades."""
    n = rate * ms // 1000
    t = np.arange(n) / rate
    fade = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.005)
    return Clip((amp * np.sin(2 * np.pi * hz * t) * fade).astype(np.float32), rate)


def speech(start_ms: int, text: str, clips: dict[str, Clip]) -> Event:
    return event(start_ms, start_ms + clips[text].duration_ms, "speech", "form", text=text)


def tone(start_ms: int, role: str) -> Event:
    return event(start_ms, start_ms, "tone", role)


@pytest.fixture(scope="module")
def palette() -> TonePalette:
    return default_palette(RATE)


def render_all(renderer: Renderer) -> np.ndarray:
    return np.concatenate(list(renderer.blocks())) if renderer.total_samples else np.zeros(0)


def busy_session() -> tuple[Timeline, dict[str, Clip]]:
    """Speech at two rates, overlapping tones, tones under speech: every path of the mixer."""
    clips = {"Brace.": burst(220, 700, 22050, amp=0.9), "Drive up.": burst(330, 1200, amp=0.9),
             "Rest.": burst(180, 400, 16000, amp=0.5)}
    events = [speech(300, "Brace.", clips), speech(2_050, "Drive up.", clips),
              speech(6_001, "Rest.", clips)]
    for ms, role in ((0, "start"), (250, "countdown"), (1_013, "eccentric"), (2_000, "bottom"),
                     (2_101, "concentric"), (3_333, "top"), (4_000, "hold"), (6_100, "finish")):
        events.append(tone(ms, role))
    return timeline(7_500, *events), clips


# --- ms -> samples ---------------------------------------------------------------------------


def test_sample_at_floors_and_counts_the_lead_in(palette: TonePalette) -> None:
    r = Renderer(timeline(2_000), {}, palette, RenderSettings(lead_in_ms=250))
    assert r.lead_in_samples == 11_025
    assert r.sample_at(0) == 11_025
    assert r.sample_at(1_001) == 11_025 + 44_144  # 1001 * 44.1 = 44144.1, floored
    assert r.total_samples == 11_025 + 88_200
    assert sum(len(b) for b in r.blocks()) == r.total_samples


def test_tone_onsets_land_on_their_planned_sample(palette: TonePalette) -> None:
    onsets = {1_003: "eccentric", 2_517: "bottom", 3_999: "concentric", 5_001: "countdown"}
    tl = timeline(6_000, *(tone(ms, role) for ms, role in onsets.items()))
    r = Renderer(tl, {}, palette, RenderSettings(lead_in_ms=123))
    out = render_all(r)
    assert len(out) == r.total_samples
    covered = np.zeros(len(out), dtype=bool)
    for ms, role in onsets.items():
        at = r.lead_in_samples + ms * RATE // 1000
        expected = palette.tone(role).samples * TONE_GAIN
        assert np.array_equal(out[at : at + len(expected)], expected), role
        covered[at : at + len(expected)] = True
    assert not np.any(out[~covered]), "sound outside the tones"


def test_speech_is_resampled_and_placed(palette: TonePalette) -> None:
    clips = {"Now press.": burst(440, 500, 22050)}
    r = Renderer(timeline(2_000, speech(700, "Now press.", clips)), clips, palette)
    out = render_all(r)
    at = r.sample_at(700)
    placed = out[at : at + 2 * len(clips["Now press."].samples)]
    assert not np.any(out[:at]) and not np.any(out[at + len(placed) :])
    t = np.arange(len(placed)) / RATE
    reference = 0.3 * np.sin(2 * np.pi * 440 * t)
    # Away from the fades the x2 resampling reproduces the sine closely.
    middle = slice(RATE // 100, len(placed) - RATE // 100)
    assert np.max(np.abs(placed[middle] - reference[middle])) < 1e-3


# --- block independence ----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("noise", [False, True])
def test_block_size_and_start_point_do_not_change_a_sample(palette: TonePalette,
                                                           noise: bool) -> None:
    tl, clips = busy_session()
    # +9 dB drives the limiter hard, so its state across blocks is exercised too.
    base = RenderSettings(lead_in_ms=400, lead_in_noise=noise, gain_db=9.0)
    reference = render_all(Renderer(tl, clips, palette, base))
    assert np.max(np.abs(reference)) > 0.99 * CEILING  # the limiter is engaged
    for size in (1000, 777, 4096, 65536):
        settings = RenderSettings(block_size=size, lead_in_ms=400, lead_in_noise=noise,
                                  gain_db=9.0)
        r = Renderer(tl, clips, palette, settings)
        assert np.array_equal(render_all(r), reference), size
        blocks = list(r.blocks())
        assert all(len(b) == size for b in blocks[:-1]) and 0 < len(blocks[-1]) <= size
    for start in (1, 4095, 4096, 17_000, 123_457, len(reference) - 1):
        r = Renderer(tl, clips, palette, RenderSettings(block_size=1000, lead_in_ms=400,
                                                        lead_in_noise=noise, gain_db=9.0))
        assert np.array_equal(np.concatenate(list(r.blocks(start))), reference[start:]), start
    r = Renderer(tl, clips, palette, base)
    rng = np.random.default_rng(7)
    for _ in range(40):
        a, b = sorted(rng.integers(0, len(reference) + 1, 2))
        assert np.array_equal(r.render_range(int(a), int(b)), reference[a:b])
    assert len(list(r.blocks(r.total_samples))) == 0


@settings(max_examples=25, deadline=None)
@given(
    tones=st.lists(st.tuples(st.integers(0, 3_000), st.sampled_from(["top", "bottom", "start"])),
                   max_size=8),
    speech_at=st.lists(st.integers(0, 2_500), max_size=3),
    gain_db=st.sampled_from([0.0, 12.0]),
    lead_in_ms=st.integers(0, 300),
    block_size=st.integers(37, 9_000),
    start_fraction=st.floats(0, 1),
)
def test_any_blocking_gives_the_same_samples(
    tones: list[tuple[int, str]], speech_at: list[int], gain_db: float, lead_in_ms: int,
    block_size: int, start_fraction: float,
) -> None:
    palette = default_palette(RATE)
    clips = {f"cue {i}": burst(200 + 50 * i, 400, 22050, amp=0.8) for i in range(3)}
    # Speech never overlaps speech: lay the cues one after another from each asked start.
    events, free_from = [], 0
    for i, at in enumerate(sorted(speech_at)):
        at = max(at, free_from)
        events.append(speech(at, f"cue {i}", clips))
        free_from = events[-1].end_ms
    events += [tone(ms, role) for ms, role in tones]
    tl = timeline(3_500, *events)
    base = RenderSettings(lead_in_ms=lead_in_ms, lead_in_noise=True, gain_db=gain_db)
    whole = Renderer(tl, clips, palette, base)
    reference = whole.render_range(0, whole.total_samples)
    blocked = Renderer(tl, clips, palette, RenderSettings(
        block_size=block_size, lead_in_ms=lead_in_ms, lead_in_noise=True, gain_db=gain_db))
    start = int(start_fraction * blocked.total_samples)
    out = np.concatenate([np.zeros(0, dtype=np.float32), *blocked.blocks(start)])
    assert np.array_equal(out, reference[start:])
    assert np.max(np.abs(reference)) <= CEILING


# --- ducking ---------------------------------------------------------------------------------


def test_tones_under_speech_are_ducked_smoothly() -> None:
    # A flat "tone" makes the tone's gain directly visible as samples.
    flat = np.ones(RATE * 3, dtype=np.float32)
    flat[:220] = np.linspace(0, 1, 220, dtype=np.float32)
    flat[-220:] = np.linspace(1, 0, 220, dtype=np.float32)
    palette = TonePalette(RATE, {"hold": Clip(flat, RATE)})
    clips = {"Hold it.": burst(300, 1000)}
    with_speech = timeline(4_000, tone(0, "hold"), speech(1_000, "Hold it.", clips))
    speech_only = timeline(4_000, speech(1_000, "Hold it.", clips))
    settings = RenderSettings(duck_db=-12.0)
    mixed = render_all(Renderer(with_speech, clips, palette, settings))
    alone = render_all(Renderer(speech_only, clips, palette, settings))
    gain = (mixed - alone)[: len(flat)] / np.maximum(flat, 1e-9)

    full, ducked = 10 ** (-14 / 20), 10 ** (-26 / 20)
    assert gain[RATE // 2] == pytest.approx(full, rel=1e-5)  # well before the speech
    assert np.allclose(gain[RATE : 2 * RATE], ducked, rtol=1e-4)  # all through the speech
    assert gain[int(2.5 * RATE)] == pytest.approx(full, rel=1e-5)  # well after it
    # Down before the first word, back up after the last, without a jump.
    assert gain[RATE - 1] < 0.3 * full
    assert gain[2 * RATE + RATE // 100] < 0.6 * full
    steps = np.abs(np.diff(gain[1000:-1000]))
    assert np.max(steps) < (full - ducked) / 500


def test_tones_far_from_speech_keep_their_level(palette: TonePalette) -> None:
    clips = {"Go.": burst(250, 300)}
    tl = timeline(3_000, speech(0, "Go.", clips), tone(2_000, "top"))
    out = render_all(Renderer(tl, clips, palette))
    at = 2_000 * RATE // 1000
    expected = palette.tone("top").samples * TONE_GAIN
    assert np.array_equal(out[at : at + len(expected)], expected)


# --- limiter ---------------------------------------------------------------------------------


def test_limiter_keeps_every_sample_and_true_peak_under_the_ceiling(
        palette: TonePalette) -> None:
    tl, clips = busy_session()
    out = render_all(Renderer(tl, clips, palette, RenderSettings(gain_db=18.0)))
    assert np.max(np.abs(out)) <= CEILING
    true_peak = np.max(np.abs(upsample(out, 8)))
    assert 20 * np.log10(true_peak) <= CEILING_DBFS
    # Limiting must not mute: the loud parts stay loud.
    assert np.max(np.abs(out)) > 0.95 * CEILING


def test_limiter_is_a_no_op_below_threshold(palette: TonePalette) -> None:
    clips = {"Brace.": burst(220, 800, amp=0.7)}  # -3.1 dBFS: under the -2 dBFS ceiling
    tl = timeline(2_000, speech(100, "Brace.", clips))
    out = render_all(Renderer(tl, clips, palette))
    at = 100 * RATE // 1000
    assert np.array_equal(out[at : at + len(clips["Brace."].samples)], clips["Brace."].samples)


def test_gain_scales_the_mix(palette: TonePalette) -> None:
    clips = {"Brace.": burst(220, 500, amp=0.1)}
    tl = timeline(1_000, speech(0, "Brace.", clips))
    quiet = render_all(Renderer(tl, clips, palette))
    loud = render_all(Renderer(tl, clips, palette, RenderSettings(gain_db=6.0)))
    assert np.allclose(loud, quiet * 10 ** (6 / 20), atol=1e-7)


# --- lead-in ---------------------------------------------------------------------------------


def test_lead_in_is_silence_of_the_asked_length(palette: TonePalette) -> None:
    tl = timeline(1_000, tone(0, "start"))
    r = Renderer(tl, {}, palette, RenderSettings(lead_in_ms=500))
    out = render_all(r)
    assert len(out) == 22_050 + 44_100
    assert not np.any(out[:22_050])
    assert np.array_equal(out[22_050 : 22_050 + 100],
                          palette.tone("start").samples[:100] * TONE_GAIN)


def test_lead_in_noise_is_quiet_faded_and_only_in_the_lead_in(palette: TonePalette) -> None:
    tl = timeline(1_000, tone(500, "top"))
    settings = RenderSettings(lead_in_ms=1_000, lead_in_noise=True)
    r = Renderer(tl, {}, palette, settings)
    out = render_all(r)
    lead = out[: r.lead_in_samples]
    rms_db = 20 * np.log10(np.sqrt(np.mean(lead[RATE // 10 : -RATE // 10] ** 2)))
    assert -63 < rms_db < -57
    assert abs(lead[0]) < 1e-6 and abs(lead[-1]) < 1e-5  # faded in and out
    assert not np.any(out[r.lead_in_samples : r.sample_at(500)])
    silent = render_all(Renderer(tl, {}, palette, RenderSettings(lead_in_ms=1_000)))
    assert np.array_equal(out[r.lead_in_samples :], silent[r.lead_in_samples :])


@pytest.mark.parametrize("noise", [False, True])
def test_silent_spans_are_where_nothing_sounds(palette: TonePalette, noise: bool) -> None:
    tl = timeline(6_000, tone(1_000, "start"), tone(1_050, "top"), tone(4_000, "start"))
    r = Renderer(tl, {}, palette, RenderSettings(lead_in_ms=1_000, lead_in_noise=noise))
    out = render_all(r)
    spans = r.silent_spans(RATE // 2)
    assert spans and all(not np.any(out[lo:hi]) and hi - lo >= RATE // 2 for lo, hi in spans)
    assert spans[0][0] == (r.lead_in_samples if noise else 0)  # noise is a sound
    assert spans[-1][1] == r.total_samples
    # Everything outside the spans is sound or closer gaps: the tones are not in any span.
    for ms in (1_000, 1_050, 4_000):
        at = r.sample_at(ms)
        assert not any(lo <= at < hi for lo, hi in spans) and out[at:at + 200].any()
    assert len(r.silent_spans(r.total_samples)) == 0


# --- errors and bounds -----------------------------------------------------------------------


def test_missing_speech_clip_is_an_error(palette: TonePalette) -> None:
    tl = timeline(2_000, event(500, 900, "speech", "go", text="Now row."))
    with pytest.raises(AudioError, match=r"no speech clip for 'Now row\.'.*go cue at 500 ms"):
        Renderer(tl, {}, palette)
    tl = timeline(2_000, event(500, 900, "speech", "go", text=None))
    with pytest.raises(AudioError, match="no speech clip for None"):
        Renderer(tl, {}, palette)


def test_a_palette_without_the_tone_is_an_error() -> None:
    quiet = TonePalette(RATE, {})
    with pytest.raises(AudioError, match="no tone for role 'start'"):
        Renderer(timeline(1_000, tone(0, "start")), {}, quiet)


def test_bad_settings_and_ranges(palette: TonePalette) -> None:
    with pytest.raises(AudioError, match="block_size"):
        RenderSettings(block_size=0)
    with pytest.raises(AudioError, match="lead-in"):
        RenderSettings(lead_in_ms=-1)
    with pytest.raises(AudioError, match="rate"):
        RenderSettings(rate=0)
    r = Renderer(timeline(1_000), {}, palette)
    with pytest.raises(AudioError, match="outside the session"):
        r.render_range(0, r.total_samples + 1)
    with pytest.raises(AudioError, match="outside the session"):
        list(r.blocks(-1))
    with pytest.raises(AudioError, match="outside the session"):
        list(r.blocks(0, r.total_samples + 1))
    with pytest.raises(AudioError, match="outside the session"):
        list(r.blocks(10, 9))


def test_blocks_between_two_samples_are_that_range(palette: TonePalette) -> None:
    tl = timeline(3_000, tone(500, "start"), tone(2_000, "top"))
    r = Renderer(tl, {}, palette, RenderSettings(block_size=1000))
    part = list(r.blocks(777, 60_001))
    assert all(len(b) == 1000 for b in part[:-1]) and len(part[-1]) == (60_001 - 777) % 1000
    assert np.array_equal(np.concatenate(part), r.render_range(777, 60_001))


def test_an_empty_speech_clip_renders_as_nothing(palette: TonePalette) -> None:
    clips = {"...": Clip(np.zeros(0, dtype=np.float32), 22050)}
    r = Renderer(timeline(1_000, event(100, 100, "speech", "form", text="...")), clips, palette)
    assert not np.any(render_all(r))


def test_silent_phases_and_markers_make_no_sound(palette: TonePalette) -> None:
    tl = timeline(2_000, event(0, 1_000, "phase", "eccentric"),
                  event(0, 2_000, "marker", "set", exercise="row", set=1))
    out = render_all(Renderer(tl, {}, palette))
    assert len(out) == 88_200 and not np.any(out)


@pytest.mark.slow
def test_memory_is_bounded_by_the_block_not_the_session(palette: TonePalette) -> None:
    # Twenty minutes of sparse sound; the whole session as float32 would be 212 MB.
    clips = {"Rest.": burst(200, 1_500)}
    events = []
    for minute in range(20):
        events.append(speech(minute * 60_000 + 1_000, "Rest.", clips))
        events += [tone(minute * 60_000 + s * 1_000, "countdown") for s in range(10, 15)]
    r = Renderer(timeline(20 * 60_000, *events), clips, palette)
    tracemalloc.start()
    try:
        total = sum(len(block) for block in r.blocks())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == 20 * 60 * RATE
    assert peak < 4_000_000
