"""Conversions between milliseconds, samples and decibels, and the times shown to the lifter."""

from __future__ import annotations

import math

import numpy as np

from repcue.units import (
    MIX_RATE,
    SPEECH_RATE,
    db_to_gain,
    duration_text,
    gain_to_db,
    ms_to_samples,
    plan_time_text,
    position_text,
    raised_cosine,
    samples_to_ms,
)


def test_ms_and_samples_round_down_the_same_way_everywhere() -> None:
    assert MIX_RATE == 2 * SPEECH_RATE
    assert ms_to_samples(1000, MIX_RATE) == 44100
    assert ms_to_samples(1, MIX_RATE) == 44  # 44.1 rounds down
    assert samples_to_ms(44099, MIX_RATE) == 999
    assert samples_to_ms(ms_to_samples(1234, SPEECH_RATE), SPEECH_RATE) == 1233


def test_decibels_and_gain_are_inverse() -> None:
    assert db_to_gain(0.0) == 1.0
    assert math.isclose(db_to_gain(-6.0206), 0.5, rel_tol=1e-4)
    assert math.isclose(gain_to_db(db_to_gain(-13.5)), -13.5)
    assert gain_to_db(0.0) == -math.inf


def test_raised_cosine_rises_from_zero_smoothly() -> None:
    ramp = raised_cosine(8)
    assert ramp[0] == 0.0
    assert np.all(np.diff(ramp) > 0)
    assert ramp[-1] < 1.0
    assert len(raised_cosine(0)) == 0


def test_times_shown_to_the_lifter() -> None:
    assert position_text(0) == "00:00"
    assert position_text(75_999) == "01:15"
    assert position_text(3_725_000) == "1:02:05"
    assert duration_text(327_400) == "5:27"
    assert duration_text(3_725_000) == "1:02:05"
    assert plan_time_text(75_250) == "01:15.2"
