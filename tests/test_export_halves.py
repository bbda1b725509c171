"""An MP3 encoded in two halves joined in a rest: the file a single encoder's would be.

Real encodes (lameenc) of a hand-built four-minute session, decoded by ffmpeg to check
what a player hears, and by libmpg123 as the export measures.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

import lameenc
import numpy as np
import pytest

from export_support import decode, export_to, workout
from repcue.clip import Clip
from repcue.errors import ExportError
from repcue.export import ExportOptions, exporter, halves
from repcue.export.decoded import DecodingMeter, measure_decoded
from repcue.export.encoders import FrameCounter, mp3_frame_samples
from repcue.export.halves import Cut, find_cut, lame_frames
from repcue.mix import master
from repcue.mix.loudness import LoudnessMeter
from repcue.render import Renderer
from repcue.timeline import Timeline
from repcue.tones import default_palette

RATE = 22050
PALETTE = default_palette(44100)
Session = tuple[Timeline, Mapping[str, Clip]]


@pytest.fixture(scope="module")
def session() -> Session:
    return workout(sets=2, reps=3, rest_ms=20_000)


def _renderer(session: Session, rate: int = RATE) -> Renderer:
    timeline, clips = session
    return master(timeline, clips, PALETTE, rate=rate, lead_in_ms=1500).renderer(rate)


def _cuts(monkeypatch: pytest.MonkeyPatch) -> list[Cut | None]:
    """Records the cut every export finds."""
    found: list[Cut | None] = []
    original = halves.find_cut

    def recording(renderer: Renderer, frame_samples: int) -> Cut | None:
        found.append(original(renderer, frame_samples))
        return found[-1]

    monkeypatch.setattr(exporter, "find_cut", recording)
    return found


@pytest.mark.parametrize("rate", [22050, 44100])
def test_lame_frames_counts_what_lame_writes(rate: int) -> None:
    frame = mp3_frame_samples(rate)
    rng = np.random.default_rng(rate)
    for samples in (1, frame - 1, frame, frame + 1, 3 * frame + 7, 100_003, 441_000):
        encoder = lameenc.Encoder()
        encoder.set_bit_rate(64)
        encoder.set_in_sample_rate(rate)
        encoder.set_out_sample_rate(rate)
        encoder.set_channels(1)
        encoder.set_quality(5)
        counter = FrameCounter()
        pcm = (rng.standard_normal(samples) * 3000).astype("<i2").tobytes()
        counter.feed(bytes(encoder.encode(pcm)))
        counter.feed(bytes(encoder.flush()))
        assert counter.frames == lame_frames(samples, frame), samples


@pytest.mark.parametrize("rate", [22050, 44100])
def test_the_cut_lies_in_the_rest_nearest_the_middle(session: Session, rate: int) -> None:
    renderer = _renderer(session, rate)
    cut = find_cut(renderer, mp3_frame_samples(rate))
    assert cut is not None
    total, step, quiet = renderer.total_samples, rate // 10, rate
    assert cut.total == total and total // 5 <= cut.first_end <= total - total // 5
    assert cut.metered_to % step == 0 and cut.metered_from % step == 0
    assert cut.metered_to <= cut.first_end < cut.second_start <= cut.metered_from
    frame = mp3_frame_samples(rate)
    assert cut.second_start == lame_frames(cut.first_end, frame) * frame
    around = renderer.render_range(cut.metered_to - quiet, cut.metered_from + quiet)
    assert not np.any(around)
    # Nearest the middle: no other rest long enough starts between the cut and the middle.
    spans = renderer.silent_spans(3 * quiet)
    inside = [lo <= cut.first_end < hi for lo, hi in spans]
    assert sum(inside) == 1
    assert all(not np.any(renderer.render_range(lo, hi)) for lo, hi in spans)


def test_no_cut_without_a_long_enough_session_or_silence(session: Session) -> None:
    short = _renderer(workout(sets=1, reps=2, rest_ms=3000, exercises=("Goblet squat",)))
    assert find_cut(short, 576) is None
    timeline, clips = session

    class Hum:  # a bed: sound everywhere, so no rest is silent
        def render(self, lo: int, hi: int) -> np.ndarray:
            return np.full(hi - lo, 0.01, dtype=np.float32)

    with_bed = master(timeline, clips, PALETTE, rate=RATE, bed=Hum()).renderer(RATE)
    assert with_bed.silent_spans(1) == []
    assert find_cut(with_bed, 576) is None


@pytest.mark.parametrize("rate", [22050, 44100])  # MPEG-2 and MPEG-1 frames
def test_a_halves_export_decodes_to_the_render(tmp_path: Path, session: Session,
                                               monkeypatch: pytest.MonkeyPatch, rate: int) -> None:
    timeline, clips = session
    cuts = _cuts(monkeypatch)
    result = export_to(timeline, clips, PALETTE, tmp_path / "s.mp3",
                       ExportOptions(sidecars=False, sample_rate=rate))
    wav = export_to(timeline, clips, PALETTE, tmp_path / "s.wav",
                    ExportOptions(format="wav", sidecars=False, sample_rate=rate))
    cut = cuts[0]
    assert cut is not None
    heard, written = decode(result.path, rate), decode(wav.path, rate)
    # Every sample in its place: the same length, and codec noise only, in both halves.
    assert len(heard) == len(written) == cut.total
    for lo, hi in ((0, cut.first_end), (cut.second_start, cut.total)):
        signal, noise = written[lo:hi].astype(np.float64), (heard - written)[lo:hi]
        assert 10 * np.log10(np.sum(signal**2) / np.sum(noise.astype(np.float64)**2)) > 20
    # The join is the rest's silence.
    assert not np.any(heard[cut.metered_to - rate:cut.metered_from + rate])
    # The figures printed are the finished file's (the two meters joined are one; the true
    # peak's interpolation rounds in the last bits by where the decoded pieces fall), and
    # ffmpeg's within its 1e-6 of difference in samples.
    figures = (result.lufs, result.true_peak_dbtp)
    lufs, true_peak = measure_decoded(result.path, rate, mp3=True) or (0.0, 0.0)
    assert result.lufs == pytest.approx(lufs, abs=1e-9)
    assert result.true_peak_dbtp == pytest.approx(true_peak, abs=1e-6)
    assert figures == pytest.approx(measure_decoded(result.path, rate), abs=1e-3)


def test_halves_read_as_one_encoders_file(tmp_path: Path, session: Session,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    timeline, clips = session
    cuts = _cuts(monkeypatch)
    two = export_to(timeline, clips, PALETTE, tmp_path / "two.mp3", ExportOptions(sidecars=False))
    monkeypatch.setattr(exporter, "find_cut", lambda renderer, frame_samples: None)
    one = export_to(timeline, clips, PALETTE, tmp_path / "one.mp3", ExportOptions(sidecars=False))
    cut = cuts[0]
    assert cut is not None
    a, b = decode(one.path, RATE), decode(two.path, RATE)
    assert len(a) == len(b)
    np.testing.assert_array_equal(a[:cut.first_end], b[:cut.first_end])  # one encoder's alike
    assert abs(one.lufs - two.lufs) < 0.01 and abs(one.true_peak_dbtp - two.true_peak_dbtp) < 0.2
    # As many frames as one encoder writes (sizes differ by where padding bytes fall).
    assert abs(two.path.stat().st_size - one.path.stat().st_size) < 8


def test_a_misframed_first_half_is_encoded_whole(tmp_path: Path, session: Session,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    timeline, clips = session
    cut = find_cut(_renderer(session), 576)
    assert cut is not None
    monkeypatch.setattr(exporter, "find_cut", lambda renderer, frame_samples: cut)
    counted: list[int] = []

    def miscounted(samples: int, frame: int) -> int:  # as if LAME had changed its framing
        counted.append(samples)
        return lame_frames(samples, frame) + 1

    monkeypatch.setattr(halves, "lame_frames", miscounted)
    result = export_to(timeline, clips, PALETTE, tmp_path / "s.mp3", ExportOptions(sidecars=False))
    assert counted == [cut.first_end]  # the halves were tried, found misframed, dropped
    assert len(decode(result.path, RATE)) == _renderer(session).total_samples
    assert (result.lufs, result.true_peak_dbtp) == pytest.approx(
        measure_decoded(result.path, RATE, mp3=True), abs=1e-9)


def test_a_cancelled_halves_export_stops_everything(tmp_path: Path, session: Session,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    timeline, clips = session
    cuts = _cuts(monkeypatch)
    meters: list[DecodingMeter] = []
    original = DecodingMeter.__init__

    def recording(self: DecodingMeter, rate: int, skip: int, count: int) -> None:
        original(self, rate, skip, count)
        meters.append(self)

    monkeypatch.setattr(DecodingMeter, "__init__", recording)
    before = threading.active_count()
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ExportError, match="cancelled"):
        export_to(timeline, clips, PALETTE, tmp_path / "s.mp3", ExportOptions(sidecars=False),
                  cancel=cancel)
    assert cuts and cuts[0] is not None and len(meters) == 2
    assert not any(meter._thread.is_alive() for meter in meters)
    assert threading.active_count() == before  # both encoders' threads ended too
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("native", [True, False])
def test_two_meters_joined_in_silence_read_as_one(native: bool,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    if not native:
        monkeypatch.setattr("repcue.mix.loudness.native_loudness", lambda rate: None)
    rng = np.random.default_rng(7)
    signal = np.zeros(RATE * 20, dtype=np.float32)
    signal[: RATE * 8] = rng.standard_normal(RATE * 8) * 0.1
    signal[RATE * 12:] = rng.standard_normal(RATE * 8) * 0.05
    signal[RATE * 3] = 0.9  # the loudest peak, in the first part
    whole = LoudnessMeter(RATE)
    whole.add(signal)
    first, second = LoudnessMeter(RATE), LoudnessMeter(RATE)
    step = RATE // 10
    first.add(signal[: 95 * step])
    second.add(signal[105 * step:])
    lufs, peak = first.joined(second)
    assert lufs == pytest.approx(whole.integrated_lufs, abs=1e-9)
    assert peak == whole.true_peak_dbtp


@pytest.mark.parametrize("limit", [300_000, 1_500_000])  # fails in the first half, at the join
def test_a_full_destination_fails_a_halves_export_cleanly(tmp_path: Path, limit: int) -> None:
    # A file size limit fails writes the way a full disk does, without filling one; the
    # second half's frames go to an unnamed file in the same folder, limited alike.
    script = f"""
import resource, signal, sys
from pathlib import Path
sys.path[:0] = [{str(Path(__file__).parents[1] / 'src')!r}, {str(Path(__file__).parent)!r}]
from export_support import export_to, workout
from repcue.errors import ExportError
from repcue.export import ExportOptions, halves
from repcue.tones import default_palette
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
timeline, clips = workout(sets=2, reps=3, rest_ms=20_000)
cuts = []
halves_find_cut = halves.find_cut
import repcue.export.exporter as exporter
exporter.find_cut = lambda r, f: cuts.append(halves_find_cut(r, f)) or cuts[-1]
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
try:
    export_to(timeline, clips, default_palette(44100), Path({str(tmp_path / 'out.mp3')!r}),
              ExportOptions(sidecars=False))
except ExportError as err:
    print(cuts[0] is not None, err)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    assert out.startswith(f"True cannot write {tmp_path / 'out.mp3'}: the file is larger")
    assert os.listdir(tmp_path) == []
