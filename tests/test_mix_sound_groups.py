"""Loudness from distinct groups of sounds: the figure a full render of the mix measures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import pytest

from export_support import metered, speech_like, workout
from repcue.clip import Clip
from repcue.mix.gain_search import MEASURE_RATE, PeakProfile, measuring_palette
from repcue.mix.loudness import LoudnessMeter
from repcue.mix.sound_groups import MAX_GROUP_MS, SoundGroups
from repcue.render import Renderer, RenderSettings
from repcue.timeline import Timeline
from repcue.tones import default_palette
from timelines import event

PALETTE = measuring_palette(default_palette(44100))
SETTINGS = RenderSettings(rate=MEASURE_RATE, block_size=MEASURE_RATE, lead_in_ms=1500)


def _whole(timeline: Timeline, clips: Mapping[str, Clip], settings: RenderSettings,
           ) -> LoudnessMeter:
    return metered(Renderer(timeline, clips, PALETTE, settings))


@pytest.mark.parametrize("gain", [0.0, 8.0, 16.0])
def test_groups_measure_what_a_full_render_measures(gain: float) -> None:
    timeline, clips = workout(sets=2, reps=4)
    settings = replace(SETTINGS, gain_db=gain)
    whole = _whole(timeline, clips, settings)
    found = SoundGroups(timeline, clips, PALETTE, SETTINGS).loudness(gain)
    assert found.lufs == pytest.approx(whole.integrated_lufs, abs=0.01)
    assert found.sample_peak == pytest.approx(whole.sample_peak, abs=1e-4)


def test_a_repeated_group_is_rendered_once_and_counted_each_time() -> None:
    timeline, clips = workout(sets=3, reps=4)
    groups = SoundGroups(timeline, clips, PALETTE, SETTINGS)
    copies = [len(starts) for starts in groups.places.values()]
    assert len(copies) < sum(copies) / 2  # sets repeat themselves
    seen: list[int] = []
    profile = PeakProfile(MEASURE_RATE)

    def weigh(samples: object, count: int) -> None:
        seen.append(count)

    groups.loudness(6.0, weigh)
    assert sorted(seen) == sorted(copies)
    groups.loudness(6.0, profile.add)
    assert profile.loss_db(0.0) <= 0.0


def test_a_session_that_never_pauses_is_cut_and_still_measured_closely() -> None:
    clip = speech_like(3, 1000)
    clips = {"Go.": clip}
    events = tuple(event(t, t + 1000, "speech", "count", "Go.")
                   for t in range(0, 2 * MAX_GROUP_MS + 5000, 950))  # each overlaps the next
    timeline = Timeline("nonstop", "Nonstop", 2 * MAX_GROUP_MS + 6000, events)
    settings = replace(SETTINGS, lead_in_ms=0, gain_db=10.0)
    groups = SoundGroups(timeline, clips, PALETTE, replace(settings, gain_db=0.0))
    assert len(groups.places) >= 2  # cut without a gap: memory stays bounded
    whole = _whole(timeline, clips, settings)
    assert groups.loudness(10.0).lufs == pytest.approx(whole.integrated_lufs, abs=0.1)


def test_a_silent_session_measures_silence() -> None:
    timeline = Timeline("quiet", "Quiet", 5000, ())
    found = SoundGroups(timeline, {}, PALETTE, SETTINGS).loudness(0.0)
    assert found.lufs == float("-inf")
    assert found.sample_peak == 0.0
