"""The voice at the right loudness, checked as a lifter's phone and a loudness checker see it:
real speech, exported through ``repcue.cli.main``, decoded and measured by ffmpeg."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from cli_support import run_main
from repcue.cli.options import SessionOptions
from repcue.mix import master
from repcue.render import Renderer
from repcue.tones import default_palette

#: A short real session: one set of the activation drill, spoken by espeak-ng (fast).
SHORT = ["activation", "--sets", "1", "--engine", "pyttsx3"]
RATE = 22050


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech-cache")


def ebur128(path: Path) -> tuple[float, float]:
    """ffmpeg's integrated loudness and true peak of the decoded file."""
    err = subprocess.run(["ffmpeg", "-nostats", "-hide_banner", "-i", str(path),
                          "-filter_complex", "ebur128=peak=true", "-f", "null", "-"],
                         capture_output=True, text=True, check=True).stderr
    summary = err[err.rfind("Summary:"):]
    lufs = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary)
    assert lufs and peak, summary
    return float(lufs.group(1)), float(peak.group(1))


def printed(out: str) -> tuple[float, float]:
    found = re.search(r"(-?[\d.]+) LUFS, true peak (-?[\d.]+) dBTP", out)
    assert found, out
    return float(found.group(1)), float(found.group(2))


@pytest.mark.speech
@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["mp3", "ogg", "m4a", "wav"])
def test_exports_are_minus_19_lufs_and_under_minus_1_dbtp_as_decoded(
        fmt: str, tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / f"activation.{fmt}"
    code, out, _ = run_main(["export", *SHORT, "--cache-dir", str(cache), "-o", str(path)],
                            capsys)
    assert code == 0, out
    lufs, true_peak = ebur128(path)
    assert -20.0 <= lufs <= -18.0 and true_peak <= -1.0
    # What repcue prints is what the checker measures on the file.
    said_lufs, said_peak = printed(out)
    assert said_lufs == pytest.approx(lufs, abs=0.5)
    assert said_peak == pytest.approx(true_peak, abs=0.5)


@pytest.mark.speech
@pytest.mark.slow
def test_loudness_from_the_flag_and_from_the_config(
        tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = Path(__import__("os").environ["REPCUE_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("loudness = -23\n")
    try:
        quiet, loud = tmp_path / "quiet.wav", tmp_path / "loud.wav"
        base = ["export", *SHORT, "--cache-dir", str(cache), "--no-sidecars"]
        code, out, _ = run_main([*base, "-o", str(quiet)], capsys)
        assert code == 0, out
        assert ebur128(quiet)[0] == pytest.approx(-23.0, abs=0.5)
        # The flag wins over the config.
        code, out, _ = run_main([*base, "--loudness", "-16", "-o", str(loud)], capsys)
        assert code == 0, out
        lufs, true_peak = ebur128(loud)
        assert lufs == pytest.approx(-16.0, abs=0.5) and true_peak <= -1.5
    finally:
        config.unlink()


@pytest.mark.parametrize(("args", "config", "message"), [
    (["--loudness", "-5"], None, "'--loudness': -5.0 is not in the range"),
    ([], "loudness = \"loud\"\n", "loudness: 'loud' is not allowed"),
    ([], "loudness = -45\n", "a number of LUFS from -30 to -10"),
])
def test_a_loudness_out_of_range_is_refused_with_exit_2(
        args: list[str], config: str | None, message: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    if config is not None:
        path = Path(__import__("os").environ["REPCUE_CONFIG"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(config)
    try:
        code, out, err = run_main(["export", "activation", *args, "-o",
                                   str(tmp_path / "x.mp3")], capsys)
    finally:
        if config is not None:
            path.unlink()
    assert code == 2
    assert message in out + err
    assert not (tmp_path / "x.mp3").exists()


def _gain_reduction_db(limited: np.ndarray, unlimited: np.ndarray) -> np.ndarray:
    """The limiter's largest gain reduction in each 10 ms block (0 where it did nothing)."""
    size = RATE // 100
    whole = len(limited) // size * size
    lim = np.abs(limited[:whole].astype(np.float64)).reshape(-1, size)
    unl = np.abs(unlimited[:whole].astype(np.float64)).reshape(-1, size)
    sounding = unl > 1e-3
    ratio = np.where(sounding, lim / np.where(sounding, unl, 1.0), 1.0)
    reduction: np.ndarray = -20 * np.log10(np.clip(ratio.min(axis=1), 1e-6, 1.0))
    return reduction[sounding.any(axis=1)]


@pytest.mark.speech
@pytest.mark.slow
def test_the_limiter_only_catches_rare_peaks_of_real_speech(cache: Path) -> None:
    session = SessionOptions(sets="1", engine="pyttsx3", cache_dir=cache).prepare("activation")
    mix = master(session.timeline, session.clips, default_palette(), rate=RATE,
                 lead_in_ms=1500)
    # The same mix with the ceiling far out of reach: the limiter does nothing.
    from dataclasses import replace

    idle = replace(mix, settings=replace(mix.settings, ceiling_dbfs=40.0))
    # 6 dB hotter than mastered: the limiter must ride many syllables, so a measurement that
    # could not see it working fails here. (Whether the mastered mix touches the ceiling
    # at all hangs on a few hundredths of a dB: espeak-ng's output for a text varies a
    # little with what its process spoke before, and workers take texts in any order.)
    hot = replace(mix, settings=replace(mix.settings, gain_db=mix.settings.gain_db + 6.0))
    hot_idle = replace(hot, settings=replace(hot.settings, ceiling_dbfs=40.0))

    def reductions(limited: Renderer, unlimited: Renderer) -> np.ndarray:
        found = []
        for event in session.timeline.speech():
            a, b = limited.sample_at(event.start_ms), limited.sample_at(event.end_ms)
            found.append(_gain_reduction_db(limited.render_range(a, b),
                                            unlimited.render_range(a, b)))
        return np.concatenate(found)

    every = reductions(mix.renderer(), idle.renderer())
    assert len(every) > 1000  # real speech was measured
    assert float(np.mean(every > 1.0)) <= 0.05
    hot_every = reductions(hot.renderer(), hot_idle.renderer())
    assert float(np.mean(hot_every > 1.0)) > 0.2
