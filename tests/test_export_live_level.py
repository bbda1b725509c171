"""Live play renders at the loudness an export measures, and remembers it."""

from __future__ import annotations

from pathlib import Path

import pytest

from export_support import decode, workout
from repcue.export import ExportOptions, export_session
from repcue.export.live_level import live_gain
from repcue.export.loudness import measure
from repcue.render import Renderer, RenderSettings
from repcue.tones import default_palette

RATE = 44100


def test_live_level_matches_a_wav_export_and_is_remembered(tmp_path: Path) -> None:
    timeline, clips = workout()
    palette = default_palette(RATE)
    gain = live_gain(timeline, clips, palette, rate=RATE, lead_in_ms=1500, lead_in_noise=False,
                     cache_dir=tmp_path)
    remembered = list((tmp_path / "levels").glob("*.gain"))
    assert len(remembered) == 1
    # A remembered level is used as it is: change the file and the next call reads it back.
    remembered[0].write_text("3.25")
    assert live_gain(timeline, clips, palette, rate=RATE, lead_in_ms=1500, lead_in_noise=False,
                     cache_dir=tmp_path) == 3.25
    remembered[0].write_text(repr(gain))

    live = Renderer(timeline, clips, palette, RenderSettings(rate=RATE, lead_in_ms=1500,
                                                           gain_db=gain))
    heard = live.render_range(0, live.total_samples)
    lufs, _ = measure(heard, RATE)
    out = tmp_path / "session.wav"
    export_session(timeline, clips, palette, out,
                   ExportOptions(format="wav", sample_rate=RATE, sidecars=False))
    written = decode(out, RATE)
    assert len(written) == len(heard)
    # The export is the live mix scaled down by the WAV headroom (0.2 dB), then 16-bit.
    scale = 10 ** (-0.2 / 20)
    assert float(abs(written - heard * scale).max()) < 2 / 32768
    assert lufs == pytest.approx(-15.8, abs=0.5)


def test_a_different_session_gets_its_own_level(tmp_path: Path) -> None:
    palette = default_palette(RATE)
    one, clips_one = workout(sets=1)
    two, clips_two = workout(sets=2, rest_ms=20000)
    for timeline, clips in ((one, clips_one), (two, clips_two)):
        live_gain(timeline, clips, palette, rate=RATE, lead_in_ms=0, lead_in_noise=False,
                  cache_dir=tmp_path)
    assert len(list((tmp_path / "levels").glob("*.gain"))) == 2
