"""The export format registry: one record per format, and what the CLI reads from it."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import mutagen
import pytest

from export_support import export_to, workout
from repcue.errors import AudioError, InputError
from repcue.export import ExportOptions
from repcue.export.formats import FORMATS, OGG, format_named, format_of
from repcue.tones import default_palette

PALETTE = default_palette(44100)


def test_every_format_is_one_record_found_by_name_and_suffix() -> None:
    assert list(FORMATS) == ["mp3", "wav", "ogg", "m4a"]
    for name, codec in FORMATS.items():
        assert format_named(name) is codec
        for suffix in codec.suffixes:
            assert format_of(Path(f"x.{suffix.upper()}")) is codec
    assert format_of(Path("x.flac")) is None and format_of(Path("folder")) is None
    with pytest.raises(InputError, match=r"unknown format 'flac' \(allowed: mp3, wav, ogg, m4a\)"):
        format_named("flac")


@pytest.mark.slow
@pytest.mark.parametrize("rate", [22050, 44100])
@pytest.mark.parametrize("name", ["mp3", "ogg", "m4a"])
def test_every_offered_bitrate_encodes(name: str, rate: int, tmp_path: Path) -> None:
    """The table is the truth: each bitrate it offers makes a file ffmpeg reads back."""
    timeline, clips = workout(sets=1, reps=1, exercises=("Kettlebell squat",))
    codec = FORMATS[name]
    for kbps in (min(codec.allowed_bitrates(rate)), max(codec.allowed_bitrates(rate))):
        path = tmp_path / f"{kbps}.{codec.suffix}"
        export_to(timeline, clips, PALETTE, path,
                       ExportOptions(format=name, bitrate_kbps=kbps, sample_rate=rate,
                                     sidecars=False, lead_in_ms=0))
        probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=sample_rate",
                                "-of", "csv=p=0", str(path)], capture_output=True, text=True)
        assert probe.stdout.strip() == str(rate), (kbps, probe.stderr)
        assert mutagen.File(path) is not None


def test_a_bitrate_the_encoder_refuses_is_refused_before_any_work() -> None:
    with pytest.raises(InputError) as refused:
        ExportOptions(format="ogg", bitrate_kbps=96)
    assert str(refused.value) == ("--bitrate: ogg at 22050 Hz cannot use 96 kbps "
                                  "(allowed: 16, 24, 32, 40, 48, 56, 64, 80)")
    assert refused.value.hint == "ogg offers 96 kbps with --sample-rate 44100"


def test_when_ffmpeg_fails_anyway_its_last_line_is_the_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A table that offers what libvorbis refuses: the real ffmpeg then fails mid-export.
    lying = dataclasses.replace(OGG, bitrates={22050: (96,), 44100: (96,)})
    monkeypatch.setitem(FORMATS, "ogg", lying)
    timeline, clips = workout(sets=1, reps=1, exercises=("Kettlebell squat",))
    path = tmp_path / "s.ogg"
    with pytest.raises(AudioError) as failed:
        export_to(timeline, clips, PALETTE, path,
                       ExportOptions(format="ogg", bitrate_kbps=96, sidecars=False))
    assert str(failed.value).startswith("ffmpeg could not encode ogg: ")
    assert "bit_rate" in str(failed.value)
    assert list(tmp_path.iterdir()) == []  # nor a half-written file
