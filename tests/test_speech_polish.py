"""Trimming and levelling on signals whose right answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from repcue.clip import Clip
from repcue.speech.polish import (
    PAD_SECONDS,
    PEAK_CEILING,
    TARGET_DBFS,
    level,
    polish,
    speech_level_dbfs,
    trim,
)

RATE = 22050


def tone(seconds: float, amplitude: float, hz: float = 220.0) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    return (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(RATE * seconds), dtype=np.float32)


def test_trim_cuts_silence_around_speech_but_keeps_a_pad() -> None:
    burst = tone(0.5, 0.3)
    clip = Clip(np.concatenate([silence(0.4), burst, silence(0.6)]), RATE)
    trimmed = trim(clip)
    expected = len(burst) / RATE
    assert expected <= len(trimmed.samples) / RATE <= expected + 2 * PAD_SECONDS + 0.02
    assert trimmed.rate == RATE


def test_trim_fades_the_cut_edges_so_they_do_not_click() -> None:
    trimmed = trim(Clip(tone(0.5, 0.5), RATE))
    assert abs(trimmed.samples[0]) < 1e-6
    assert abs(trimmed.samples[-1]) < 0.01


def test_trim_keeps_a_quiet_word_between_loud_ones() -> None:
    samples = np.concatenate([tone(0.2, 0.5), silence(0.3), tone(0.2, 0.02), silence(0.5)])
    trimmed = trim(Clip(samples, RATE))
    # The quiet word is 28 dB down: still speech, so it stays.
    assert len(trimmed.samples) / RATE >= 0.7


def test_silence_trims_to_an_empty_clip_and_levels_to_itself() -> None:
    empty = polish(Clip(silence(0.3), RATE))
    assert len(empty.samples) == 0
    assert speech_level_dbfs(empty) == float("-inf")
    assert len(polish(Clip(np.zeros(0, dtype=np.float32), RATE)).samples) == 0


@pytest.mark.parametrize("amplitude", [0.01, 0.1, 0.6])
def test_level_brings_any_loudness_to_the_target(amplitude: float) -> None:
    levelled = level(Clip(np.concatenate([tone(0.5, amplitude), silence(0.5)]), RATE))
    assert speech_level_dbfs(levelled) == pytest.approx(TARGET_DBFS, abs=0.2)


def test_pauses_do_not_count_towards_the_speech_level() -> None:
    short = Clip(tone(0.5, 0.1), RATE)
    with_pause = Clip(np.concatenate([tone(0.5, 0.1), silence(2.0)]), RATE)
    assert speech_level_dbfs(short) == pytest.approx(speech_level_dbfs(with_pause), abs=0.1)


def test_level_never_lets_the_peak_pass_the_ceiling() -> None:
    # A click on a quiet bed: reaching -20 dB would need far more than the click allows.
    samples = tone(1.0, 0.005)
    samples[1000] = 0.9
    levelled = level(Clip(samples, RATE))
    assert float(np.max(np.abs(levelled.samples))) <= PEAK_CEILING + 1e-6


def test_a_clip_shorter_than_one_frame_is_handled() -> None:
    clip = polish(Clip(tone(0.004, 0.3), RATE))
    assert clip.samples.dtype == np.float32
    assert len(clip.samples) <= int(RATE * 0.004)
