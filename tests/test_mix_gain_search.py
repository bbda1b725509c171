"""The gain search: measured passes land the limited mix on the target loudness."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from export_support import metered, workout
from repcue.clip import Clip
from repcue.mix.gain_search import MEASURE_RATE, PeakProfile, find_gain, measuring_palette
from repcue.mix.sound_groups import Loudness, SoundGroups
from repcue.render import Renderer, RenderSettings
from repcue.timeline import Timeline
from repcue.tones import default_palette

PALETTE = measuring_palette(default_palette(44100))


def _renderer(timeline: Timeline, clips: Mapping[str, Clip], gain: float) -> Renderer:
    return Renderer(timeline, clips, PALETTE,
                    RenderSettings(rate=MEASURE_RATE, block_size=MEASURE_RATE, gain_db=gain))


def _whole(renderer: Renderer) -> float:
    return metered(renderer).integrated_lufs


def test_the_palette_is_halved_without_changing_its_sound() -> None:
    full = default_palette(44100)
    for role, clip in PALETTE.tones.items():
        source = full.tones[role]
        assert clip.rate == MEASURE_RATE
        assert len(clip.samples) == -(-len(source.samples) // 2)
        energy = float((clip.samples.astype(float) ** 2).sum()) * 2
        assert energy == pytest.approx(float((source.samples.astype(float) ** 2).sum()), rel=0.05)


@pytest.mark.parametrize("target", [-19.0, -14.0, -24.0])
def test_the_gain_found_brings_the_mix_to_the_target(target: float) -> None:
    timeline, clips = workout(sets=1, reps=3)
    groups = SoundGroups(timeline, clips, PALETTE, RenderSettings(rate=MEASURE_RATE))
    passes: list[float] = []

    def measure(gain: float, profile: PeakProfile | None) -> Loudness:
        passes.append(gain)
        return groups.loudness(gain, None if profile is None else profile.add)

    gain = find_gain(measure, target)
    assert _whole(_renderer(timeline, clips, gain)) == pytest.approx(target, abs=0.2)
    assert passes[0] == 0.0 and len(passes) <= 5


def test_the_peak_profile_predicts_the_limiters_take() -> None:
    timeline, clips = workout(sets=1, reps=3)
    profile = PeakProfile(MEASURE_RATE)
    base = _renderer(timeline, clips, 0.0)
    for block in base.blocks():
        profile.add(block)
    assert profile.loss_db(-20.0) == 0.0  # far under the ceiling: nothing taken
    at_0 = _whole(base)
    for gain in (6.0, 10.0, 14.0):
        measured_rise = _whole(_renderer(timeline, clips, gain)) - at_0
        assert gain + profile.loss_db(gain) == pytest.approx(measured_rise, abs=1.0)
        assert profile.gain_for(gain + profile.loss_db(gain)) == pytest.approx(gain, abs=0.01)
