"""One Mix for play and export: the measured gain, remembered, and the seam for a music bed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from export_support import decode, export_to, workout
from repcue.clip import Samples
from repcue.export import ExportOptions
from repcue.limiter import CEILING_DBFS
from repcue.mix import PCM_HEADROOM_DB, master
from repcue.mix.loudness import measure
from repcue.tones import default_palette
from repcue.units import db_to_gain

RATE = 44100


def test_live_mix_matches_a_wav_export_and_its_gain_is_remembered(tmp_path: Path) -> None:
    timeline, clips = workout()
    palette = default_palette(RATE)
    mix = master(timeline, clips, palette, rate=RATE, lead_in_ms=1500, remember_in=tmp_path)
    remembered = list((tmp_path / "levels").glob("*.gain"))
    assert len(remembered) == 1
    # A remembered gain is used as it is: change the file and the next Mix reads it back.
    remembered[0].write_text("3.25")
    again = master(timeline, clips, palette, rate=RATE, lead_in_ms=1500, remember_in=tmp_path)
    assert again.gain_db == 3.25
    remembered[0].write_text(repr(mix.gain_db))

    live = mix.renderer()
    heard = live.render_range(0, live.total_samples)
    lufs, _ = measure(heard, RATE)
    out = tmp_path / "session.wav"
    export_to(timeline, clips, palette, out,
              ExportOptions(format="wav", sample_rate=RATE, sidecars=False))
    written = decode(out, RATE)
    assert len(written) == len(heard)
    # The export is the live mix as it is, in 16 bits (32767 to full scale, decoded over
    # 32768): nothing is taken off on the way out.
    assert mix.headroom_db == PCM_HEADROOM_DB == 0.0
    assert float(abs(written - heard).max()) < 2 / 32768
    assert lufs == pytest.approx(-19.0, abs=0.3)


def test_a_different_session_gets_its_own_gain(tmp_path: Path) -> None:
    palette = default_palette(RATE)
    one, clips_one = workout(sets=1)
    two, clips_two = workout(sets=2, rest_ms=20000)
    for timeline, clips in ((one, clips_one), (two, clips_two)):
        master(timeline, clips, palette, rate=RATE, remember_in=tmp_path)
    assert len(list((tmp_path / "levels").glob("*.gain"))) == 2


class Hum:
    """A steady tone read by absolute session sample, as a music bed must be."""

    def __init__(self, level: float) -> None:
        self.level = level

    def render(self, lo: int, hi: int) -> Samples | None:
        t = np.arange(lo, hi) / RATE
        return (self.level * np.sin(2 * np.pi * 110 * t)).astype(np.float32)


def test_a_bed_is_summed_before_the_limiter_the_same_for_any_block_size() -> None:
    timeline, clips = workout(sets=1, reps=2)
    plain = master(timeline, clips, default_palette(RATE), rate=RATE)
    loud_bed = Hum(level=1.5)  # far over full scale: only the limiter keeps it in
    with_bed = master(timeline, clips, default_palette(RATE), rate=RATE, bed=loud_bed)
    assert with_bed.gain_db == plain.gain_db  # the gain is searched on voice and tones alone
    whole = with_bed.renderer().render_range(0, 3 * RATE)
    assert float(np.max(np.abs(whole))) <= db_to_gain(CEILING_DBFS)
    pieces = np.concatenate(list(with_bed.renderer(block_size=1000).blocks()))[: 3 * RATE]
    np.testing.assert_array_equal(pieces, whole)
    quiet = plain.renderer().render_range(0, 3 * RATE)
    assert not np.array_equal(quiet, whole)
