"""The decoded-peak safety net: a lossy file that decodes over -1 dBTP is encoded again, quieter.

Real encodes of a short hand-built session (a few seconds each), decoded by libmpg123 (MP3)
and ffmpeg. Also here: an MP3 measured while it is encoded reads exactly as the finished
file does, with either decoder.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path

import pytest

from export_support import decode, export_to, workout
from repcue.clip import Clip
from repcue.errors import ExportError
from repcue.export import ExportOptions, exporter, mpg123
from repcue.export.decoded import DecodingMeter, measure_decoded
from repcue.mix.loudness import measure
from repcue.timeline import Timeline
from repcue.tones import default_palette

RATE = 22050
PALETTE = default_palette(44100)
Session = tuple[Timeline, Mapping[str, Clip]]


@pytest.fixture(scope="module")
def session() -> Session:
    return workout(sets=1, reps=3, rest_ms=3000, exercises=("Kettlebell squat",))


@pytest.fixture(params=["mpg123", "ffmpeg"])
def decoder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Which decoder measures MP3s: libmpg123 in-process, or (where it is missing) ffmpeg.
    The value is whether MP3 files are read back by libmpg123."""
    if request.param == "ffmpeg":
        monkeypatch.setattr(mpg123, "available", lambda: False)
    else:
        assert mpg123.available()  # scripts/setup installs it: the main path must be tested
    return bool(request.param == "mpg123")


def test_low_bitrate_aac_decodes_under_minus_1_dbtp(tmp_path: Path, session: Session,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    timeline, clips = session
    options = ExportOptions(format="m4a", bitrate_kbps=16, sidecars=False)
    # Without the net this file decodes over the line: the net has work to do.
    monkeypatch.setattr(exporter, "MAX_DECODED_PEAK_DBTP", 10.0)
    hot = export_to(timeline, clips, PALETTE, tmp_path / "hot.m4a", options)
    assert hot.true_peak_dbtp > -1.0
    monkeypatch.undo()
    result = export_to(timeline, clips, PALETTE, tmp_path / "s.m4a", options)
    lufs, true_peak = measure(decode(result.path, RATE), RATE)
    assert true_peak <= -1.0
    assert result.true_peak_dbtp == pytest.approx(true_peak, abs=0.05)
    assert result.lufs == pytest.approx(lufs, abs=0.05)
    # Quieter by the excess and the margin, no more (the codec's noise scales nearly with it).
    excess = hot.true_peak_dbtp + 1.0 + exporter.RETRY_MARGIN_DB
    assert hot.lufs - lufs == pytest.approx(excess, abs=0.5)
    # The lifter is told, with the way out.
    assert hot.warnings == ()
    assert result.warnings == (
        f"at 16 kbps the m4a coding noise lifted the peaks over -1 dBTP, so the file was "
        f"encoded again {excess:.1f} dB quieter ({result.lufs:.1f} LUFS); a higher --bitrate "
        f"keeps the loudness",)


def test_the_net_holds_any_line(tmp_path: Path, session: Session,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    # At 64 kbps an MP3 decodes around -1.5 dBTP; a line at -4 makes it encode again.
    timeline, clips = session
    options = ExportOptions(sidecars=False)
    plain = export_to(timeline, clips, PALETTE, tmp_path / "plain.mp3", options)
    monkeypatch.setattr(exporter, "MAX_DECODED_PEAK_DBTP", -4.0)
    result = export_to(timeline, clips, PALETTE, tmp_path / "s.mp3", options)
    lufs, true_peak = measure(decode(result.path, RATE), RATE)
    assert true_peak <= -4.0 and result.true_peak_dbtp == pytest.approx(true_peak, abs=0.05)
    assert lufs < plain.lufs - 1.0


def _no_figures(meter: DecodingMeter) -> None:
    """A decode that gave nothing: its decoder stopped, as finish() would leave it."""
    meter.abort()


def test_a_file_that_cannot_be_read_back_reports_the_renders_figures(
        tmp_path: Path, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    timeline, clips = session
    options = ExportOptions(sidecars=False)
    decoded = export_to(timeline, clips, PALETTE, tmp_path / "d.mp3", options)
    monkeypatch.setattr(exporter, "measure_decoded", lambda path, rate, mp3: None)
    monkeypatch.setattr(DecodingMeter, "finish", _no_figures)
    result = export_to(timeline, clips, PALETTE, tmp_path / "s.mp3", options)
    # The render's figures: the same loudness, the peak under the limiter's ceiling.
    assert result.lufs == pytest.approx(decoded.lufs, abs=0.1)
    assert result.true_peak_dbtp <= -2.0 < decoded.true_peak_dbtp


def test_an_mp3_measured_while_encoded_reads_as_the_finished_file(
        tmp_path: Path, session: Session, decoder: bool) -> None:
    timeline, clips = session
    result = export_to(timeline, clips, PALETTE, tmp_path / "s.mp3", ExportOptions(sidecars=False))
    # The same samples: the figures agree to rounding, not just within a tolerance.
    assert (result.lufs, result.true_peak_dbtp) == pytest.approx(
        measure_decoded(result.path, RATE, mp3=decoder), abs=1e-9)
    # And the other decoder reads the file the same, to its 1e-6 of difference in samples.
    assert (result.lufs, result.true_peak_dbtp) == pytest.approx(
        measure_decoded(result.path, RATE, mp3=not decoder), abs=1e-3)


def test_a_decoding_meter_fed_nothing_has_no_figures(decoder: bool) -> None:
    assert DecodingMeter(RATE, 1105, RATE).finish() is None


def test_a_decoding_meter_fed_no_mp3_has_no_figures(decoder: bool) -> None:
    meter = DecodingMeter(RATE, 1105, RATE)
    for _ in range(50):
        meter.feed(b"not an mp3 frame " * 1000)
    assert meter.finish() is None


def test_an_aborted_decoding_meter_stops_its_decoder(decoder: bool) -> None:
    meter = DecodingMeter(RATE, 1105, RATE)
    meter.feed(b"\xff" * 100)
    meter.abort()
    assert not meter._thread.is_alive()
    if not decoder:
        assert meter._decoder._process.poll() is not None  # type: ignore[attr-defined]


def test_a_decode_that_falls_short_is_done_again_from_the_file(
        tmp_path: Path, session: Session, monkeypatch: pytest.MonkeyPatch, decoder: bool) -> None:
    timeline, clips = session
    monkeypatch.setattr(DecodingMeter, "finish", _no_figures)
    result = export_to(timeline, clips, PALETTE, tmp_path / "s.mp3", ExportOptions(sidecars=False))
    assert (result.lufs, result.true_peak_dbtp) == pytest.approx(
        measure_decoded(result.path, RATE, mp3=decoder), abs=1e-9)


def test_a_cancelled_mp3_export_stops_its_decoder(tmp_path: Path, session: Session,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  decoder: bool) -> None:
    timeline, clips = session
    started: list[DecodingMeter] = []
    original = DecodingMeter.__init__

    def recording(self: DecodingMeter, rate: int, skip: int, count: int) -> None:
        original(self, rate, skip, count)
        started.append(self)

    monkeypatch.setattr(DecodingMeter, "__init__", recording)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ExportError, match="cancelled"):
        export_to(timeline, clips, PALETTE, tmp_path / "s.mp3", ExportOptions(sidecars=False),
                  cancel=cancel)
    assert started and not any(meter._thread.is_alive() for meter in started)
    if not decoder:
        assert all(meter._decoder._process.poll() is not None  # type: ignore[attr-defined]
                   for meter in started)
    assert list(tmp_path.iterdir()) == []
