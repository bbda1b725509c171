"""Whole exports, read back the way a phone or a checker would: decoded, probed, parsed."""

from __future__ import annotations

import json
import re
import subprocess
import threading
import wave
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import mutagen.id3
import numpy as np
import pytest
from scipy import signal

from export_support import decode, export_to, workout
from repcue.clip import Clip
from repcue.errors import ExportError, InputError
from repcue.export import ExportOptions, ExportResult
from repcue.export.chapters import chapters, cue_lines
from repcue.mix.gain_search import palette_at
from repcue.mix.loudness import measure
from repcue.render import Renderer, RenderSettings
from repcue.timeline import Timeline
from repcue.tones import default_palette
from timelines import event

RATE = 22050  # the export default: the speech engines' rate
LEAD_IN = 1500
MP3_FRAME = 576  # samples per MPEG-2 Layer III frame
PALETTE = default_palette(44100)
#: A hand-built session: its timeline and the clips it speaks.
Session = tuple[Timeline, Mapping[str, Clip]]


@pytest.fixture(scope="module")
def session() -> Session:
    return workout(sets=2, reps=3)


@pytest.fixture(scope="module")
def mp3(tmp_path_factory: pytest.TempPathFactory, session: Session) -> ExportResult:
    timeline, clips = session
    path = tmp_path_factory.mktemp("mp3") / "session.mp3"
    stages: set[str] = set()
    result = export_to(timeline, clips, PALETTE, path, ExportOptions(track=2, date="2026"),
                            progress=lambda stage, done, total: stages.add(stage))
    assert {"measuring", "encoding"} <= stages
    return result


def _probe(path: Path) -> dict[str, Any]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_chapters",
                          "-of", "json", str(path)], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout))


def test_mp3_lasts_the_timeline_plus_the_lead_in(mp3: ExportResult, session: Session) -> None:
    timeline, _ = session
    expected = (LEAD_IN + timeline.duration_ms) * RATE // 1000
    assert len(decode(mp3.path, RATE)) == expected  # gapless: LAME delay and padding trimmed
    probed = float(_probe(mp3.path)["format"]["duration"])
    # ffprobe counts whole frames, LAME's delay and padding included: at most three frames.
    assert 0 <= probed * RATE - expected <= 3 * MP3_FRAME
    assert mp3.duration_ms == LEAD_IN + timeline.duration_ms
    assert mp3.bytes == mp3.path.stat().st_size


def test_mp3_chapters_read_back_in_time_order(mp3: ExportResult, session: Session) -> None:
    timeline, _ = session
    expected = chapters(timeline, LEAD_IN)
    assert len(expected) == 1 + 2 + 2 + 4  # intro; two exercises; squat sets; row sets per side
    tag = mutagen.id3.ID3(mp3.path)
    by_id = {c.element_id: c for c in tag.getall("CHAP")}
    order = tag.getall("CTOC")[0].child_element_ids
    got = [(by_id[i].start_time, by_id[i].end_time, str(by_id[i].sub_frames["TIT2"]))
           for i in order]
    assert got == [(c.start_ms, c.end_ms, c.title) for c in expected]
    assert got[0][:2] == (0, expected[1].start_ms) and got[1][2] == "Kettlebell squat"
    assert got[2][2] == "Kettlebell squat — set 1 of 2"
    assert got[-1][2] == "Dumbbell row — set 2 of 2 (right)"
    # The raw frames are in time order too (players list CHAPs in file order).
    head = mp3.path.read_bytes()[:200_000]
    raw = [head[m.end() + 6:head.index(b"\x00", m.end() + 6)].decode()
           for m in re.finditer(b"CHAP", head)]
    assert raw == order
    probed = _probe(mp3.path)["chapters"]
    assert [c["tags"]["title"] for c in probed] == [c.title for c in expected]


def test_tags_and_synced_lyrics(mp3: ExportResult, session: Session) -> None:
    timeline, _ = session
    tag = mutagen.id3.ID3(mp3.path)
    assert str(tag["TIT2"]) == "Test workout" and str(tag["TRCK"]) == "2"
    assert str(tag["TDRC"]) == "2026" and tag.getall("APIC")[0].mime == "image/png"
    cues = cue_lines(timeline, LEAD_IN)
    assert tag.getall("SYLT")[0].text == [(c.text, c.start_ms) for c in cues]
    assert tag.getall("USLT")[0].text.splitlines() == [c.text for c in cues]
    speech = [e for e in timeline.events if e.kind == "speech"]
    assert [c.start_ms for c in cues] == [e.start_ms + LEAD_IN for e in speech]


def test_sidecars_agree_with_the_timeline(mp3: ExportResult, session: Session) -> None:
    timeline, _ = session
    cues = cue_lines(timeline, LEAD_IN)
    lrc = mp3.path.with_suffix(".lrc").read_text(encoding="utf-8")
    timed = [(int(m) * 60_000 + int(s) * 1000 + int(c) * 10, text) for m, s, c, text in
             re.findall(r"^\[(\d+):(\d\d)\.(\d\d)\](.+)$", lrc, re.M)]
    assert [text for _, text in timed] == [c.text for c in cues]
    assert all(abs(ms - c.start_ms) <= 5 for (ms, _), c in zip(timed, cues, strict=True))
    vtt = mp3.path.with_suffix(".vtt").read_text(encoding="utf-8")
    stamps = re.findall(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> .*\n(.+)$", vtt, re.M)
    got = [(((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(ms), text)
           for h, m, s, ms, text in stamps]
    assert got == [(c.start_ms, c.text) for c in cues]
    assert mp3.sidecars == (mp3.path.with_suffix(".lrc"), mp3.path.with_suffix(".vtt"))


def test_mp3_loudness_and_true_peak_measured_on_the_decoded_file(mp3: ExportResult) -> None:
    lufs, true_peak = measure(decode(mp3.path, RATE), RATE)
    assert -20.0 <= lufs <= -18.0
    assert true_peak <= -1.0
    assert mp3.lufs == pytest.approx(lufs, abs=0.2)
    assert -20.0 <= mp3.lufs <= -18.0 and mp3.true_peak_dbtp <= -1.0


@pytest.mark.parametrize("fmt", ["ogg", "m4a"])
def test_other_formats_meet_the_same_targets(tmp_path: Path, fmt: str) -> None:
    timeline, clips = workout(sets=1, reps=2)
    result = export_to(timeline, clips, PALETTE, tmp_path / f"s.{fmt}",
                            ExportOptions(format=fmt, sidecars=False))
    decoded = decode(result.path, RATE)
    assert abs(len(decoded) - (LEAD_IN + timeline.duration_ms) * RATE // 1000) <= 2048
    lufs, true_peak = measure(decoded, RATE)
    assert -20.0 <= lufs <= -18.0 and true_peak <= -1.0
    probed = _probe(result.path)
    expected = chapters(timeline, LEAD_IN)
    assert [c["tags"]["title"] for c in probed["chapters"]] == [c.title for c in expected]
    # MP4 chapters are a track (each runs to the next); Ogg ones are Vorbis comments.
    assert [int(c["start"]) for c in probed["chapters"]][1:] == [c.start_ms for c in expected][1:]
    assert list(tmp_path.iterdir()) == [result.path]


def test_44k_exports_are_exact_too(tmp_path: Path) -> None:
    timeline, clips = workout(sets=1, reps=2, exercises=("Kettlebell squat",))
    result = export_to(timeline, clips, PALETTE, tmp_path / "s.mp3",
                            ExportOptions(sample_rate=44100, sidecars=False))
    decoded = decode(result.path, 44100)
    assert len(decoded) == (LEAD_IN + timeline.duration_ms) * 44100 // 1000
    lufs, true_peak = measure(decoded, 44100)
    assert -20.0 <= lufs <= -18.0 and true_peak <= -1.0
    probe = _probe(result.path)
    assert probe["format"]["format_name"] == "mp3"


def _tones_only() -> Timeline:
    events = []
    t = 300
    for i, role in enumerate(["start", "eccentric", "bottom", "concentric", "top", "countdown",
                              "finish"] * 2):
        events.append(event(t, t, "tone", role))
        t += 700 + 37 * i  # onsets on odd milliseconds, off any block boundary
    return Timeline("tones", "Tones", t + 500, tuple(events))


def test_wav_tones_sit_on_their_planned_samples(tmp_path: Path) -> None:
    timeline = _tones_only()
    # Quiet enough that the limiter leaves the tones alone: their shape is the reference.
    result = export_to(timeline, {}, PALETTE, tmp_path / "tones.wav",
                            ExportOptions(format="wav", sidecars=False, lead_in_ms=250,
                                          target_lufs=-30.0))
    x = decode(result.path, RATE)
    palette = palette_at(PALETTE, RATE)
    renderer = Renderer(timeline, {}, palette, RenderSettings(rate=RATE, lead_in_ms=250))
    assert len(x) == renderer.total_samples
    for onset in timeline.events:
        template = palette.tone(onset.role).samples[:1000].astype(np.float64)
        planned = renderer.sample_at(onset.start_ms)
        window = x[planned - 20:planned + len(template) + 20].astype(np.float64)
        lag = int(np.argmax(signal.correlate(window, template, mode="valid"))) - 20
        assert lag == 0, (onset, lag)
        assert not np.any(x[planned - 50:planned])  # silence right up to the onset
        assert np.flatnonzero(x[planned:planned + 50])[0] <= 3  # and sound from it on


def test_wav_never_clips(tmp_path: Path, session: Session) -> None:
    timeline, clips = session
    result = export_to(timeline, clips, PALETTE, tmp_path / "s.wav",
                            ExportOptions(format="wav", sidecars=False, target_lufs=-12.0))
    with wave.open(str(result.path)) as read:
        raw = np.frombuffer(read.readframes(read.getnframes()), "<i2")
    assert np.max(np.abs(raw.astype(np.int32))) < 32767 * 10 ** (-1 / 20)
    lufs, true_peak = measure(decode(result.path, RATE), RATE)
    assert true_peak <= -1.0 and lufs == pytest.approx(result.lufs, abs=0.05)


def test_existing_files_are_kept_unless_forced(tmp_path: Path, session: Session) -> None:
    timeline, clips = session
    path = tmp_path / "s.wav"
    path.with_suffix(".vtt").write_text("mine")
    with pytest.raises(ExportError, match=r"s\.vtt already exists"):
        export_to(timeline, clips, PALETTE, path, ExportOptions(format="wav"))
    assert not path.exists() and path.with_suffix(".vtt").read_text() == "mine"
    export_to(timeline, clips, PALETTE, path, ExportOptions(format="wav", force=True))
    assert path.with_suffix(".vtt").read_text().startswith("WEBVTT")


def test_bad_options_name_the_field_and_what_is_allowed() -> None:
    with pytest.raises(InputError, match=r"format: unknown format 'flac' \(allowed: mp3"):
        ExportOptions(format="flac")
    with pytest.raises(InputError, match="lead-in"):
        ExportOptions(lead_in_ms=-1)
    with pytest.raises(InputError, match=r"ogg at 22050 Hz cannot use 96 kbps \(allowed: 16, 24"):
        ExportOptions(format="ogg", bitrate_kbps=96)
    with pytest.raises(InputError, match="wav is uncompressed"):
        ExportOptions(format="wav", bitrate_kbps=64)
    assert ExportOptions(format="ogg", bitrate_kbps=96, sample_rate=44100).bitrate_kbps == 96


def test_a_cancelled_export_leaves_nothing(tmp_path: Path, session: Session) -> None:
    timeline, clips = session
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ExportError, match="cancelled; nothing was written"):
        export_to(timeline, clips, PALETTE, tmp_path / "s.mp3", ExportOptions(),
                       cancel=cancel)
    assert list(tmp_path.iterdir()) == []


def test_lead_in_is_silent_or_barely_audible_noise(tmp_path: Path) -> None:
    timeline, clips = workout(sets=1, reps=1, exercises=("Kettlebell squat",))
    lead = 2000 * RATE // 1000
    for noise in (False, True):
        result = export_to(timeline, clips, PALETTE, tmp_path / f"n{noise}.wav",
                                ExportOptions(format="wav", sidecars=False, lead_in_ms=2000,
                                              lead_in_noise=noise))
        head = decode(result.path, RATE)[:lead - 100]
        if noise:
            rms_db = 10 * np.log10(np.mean(head.astype(np.float64) ** 2))
            assert -80 < rms_db < -45  # there, to keep earbuds awake, but far below speech
        else:
            assert not head.any()
