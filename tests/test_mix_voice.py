"""The voice mastered cue by cue: levelled, loud syllables ridden down, the rest untouched."""

from __future__ import annotations

import math

import numpy as np
import pytest

from export_support import speech_like
from repcue.clip import Clip
from repcue.mix.voice import (
    CUE_LOUDNESS_LUFS,
    RELEASE_MS,
    THRESHOLD_LU,
    cue_loudness,
    master_cue,
    master_cues,
    reduction_db,
)

RATE = 22050


def _peak_over_loudness(clip: Clip) -> float:
    return 20 * math.log10(float(np.max(np.abs(clip.samples)))) - cue_loudness(clip.samples,
                                                                               clip.rate)


def _with_shout(clip: Clip, at_ms: int, ms: int, db: float) -> Clip:
    """The clip with one stretch (a loud syllable) raised by ``db``."""
    x = clip.samples.copy()
    a, b = at_ms * RATE // 1000, (at_ms + ms) * RATE // 1000
    x[a:b] *= np.float32(10 ** (db / 20))
    return Clip(x, clip.rate)


@pytest.mark.parametrize("scale", [0.03, 0.3, 3.0])
def test_a_cue_masters_the_same_whatever_level_it_came_in_at(scale: float) -> None:
    clip = _with_shout(speech_like(1, 1500), 500, 120, 6.0)
    louder_or_quieter = Clip(clip.samples * np.float32(scale), RATE)
    reference, mastered = master_cue(clip), master_cue(louder_or_quieter)
    assert len(mastered.samples) == len(clip.samples) and mastered.rate == RATE
    assert np.allclose(mastered.samples, reference.samples, rtol=1e-4, atol=1e-6)
    # Riding the loudest syllables takes a little off the loudness; levelling set the rest.
    assert CUE_LOUDNESS_LUFS - 3.0 < cue_loudness(mastered.samples, RATE) <= CUE_LOUDNESS_LUFS


def test_a_cue_whose_peaks_fit_is_only_levelled() -> None:
    x = speech_like(2, 1200).samples.astype(np.float64)
    x = np.tanh(8 * x / np.max(np.abs(x))) * 0.1  # peaks only a few dB over the loudness
    clip = Clip(x.astype(np.float32), RATE)
    assert _peak_over_loudness(clip) < THRESHOLD_LU - 2
    mastered = master_cue(clip)
    assert cue_loudness(mastered.samples, RATE) == pytest.approx(CUE_LOUDNESS_LUFS, abs=0.01)
    sounding = np.abs(clip.samples) > 1e-3
    ratio = mastered.samples[sounding] / clip.samples[sounding]
    assert np.ptp(ratio) < 1e-4 * np.mean(ratio)  # one gain for the whole cue


def test_a_shouted_syllable_is_ridden_down_smoothly_and_released_slowly() -> None:
    clip = _with_shout(speech_like(3, 2000), 800, 150, 10.0)
    before = _peak_over_loudness(clip)
    mastered = master_cue(clip)
    levelling_db = CUE_LOUDNESS_LUFS - cue_loudness(clip.samples, RATE)
    loud = np.abs(clip.samples) > 1e-3
    reduction = np.zeros(len(clip.samples))
    reduction[loud] = levelling_db - 20 * np.log10(mastered.samples[loud].astype(np.float64)
                                                   / clip.samples[loud].astype(np.float64))
    a, b = 800 * RATE // 1000, 950 * RATE // 1000
    assert np.max(reduction[a:b]) > 3.0  # the shout is taken down...
    assert _peak_over_loudness(mastered) < before - 3.0
    # ...with no step in the gain (no click): at most 0.3 dB from one sample to the next...
    lo, hi = a - RATE // 100, b + RATE // 10
    both = loud[lo:hi - 1] & loud[lo + 1:hi]
    assert np.max(np.abs(np.diff(reduction[lo:hi]))[both]) < 0.3
    # ...and let go slowly: 40 ms after the shout (a consonant) most of the reduction is
    # still there, so the consonant is not pumped up over the vowel; a few release times
    # later, the voice is ridden as if nobody had shouted.
    def curve(cue: Clip) -> np.ndarray:
        return reduction_db(cue.samples.astype(np.float64) * 10 ** (levelling_db / 20), RATE,
                            CUE_LOUDNESS_LUFS)

    shouted, plain = curve(clip), curve(speech_like(3, 2000))
    assert np.allclose(shouted[loud], reduction[loud], atol=0.01)
    after = b + 40 * RATE // 1000
    assert shouted[b] > 1.0 and shouted[after] > 0.7 * shouted[b]
    later = b + 4 * RELEASE_MS * RATE // 1000
    assert np.allclose(shouted[later:], plain[later:], atol=0.2)


def test_silence_and_empty_cues_pass_through() -> None:
    for samples in (np.zeros(0, np.float32), np.zeros(RATE, np.float32)):
        clip = Clip(samples, RATE)
        assert master_cue(clip) is clip


def test_the_same_cue_always_masters_to_the_same_samples() -> None:
    clips = {"a": _with_shout(speech_like(4, 900), 300, 100, 8.0), "b": speech_like(5, 400)}
    first, second = master_cues(clips), master_cues(clips)
    for text in clips:
        assert np.array_equal(first[text].samples, second[text].samples)


def test_cues_are_mastered_when_first_asked_for_and_their_lengths_known_before() -> None:
    from repcue.mix.voice import MasteredCues, master_cue, master_cues, unmastered

    rate = 22050
    t = np.arange(rate) / rate
    clips = {f"cue {k}.": Clip((0.2 * np.sin(2 * np.pi * (200 + 50 * k) * t)).astype(np.float32),
                               rate) for k in range(3)}
    cues = master_cues(clips)
    assert isinstance(cues, MasteredCues) and master_cues(cues) is cues
    assert "cue 1." in cues and "nothing." not in cues and len(cues) == 3
    assert unmastered(cues) is clips
    assert cues._done == {}  # asking what is there masters nothing
    np.testing.assert_array_equal(cues["cue 1."].samples, master_cue(clips["cue 1."]).samples)
    assert list(cues._done) == ["cue 1."]
    assert cues["cue 1."] is cues["cue 1."]  # once
