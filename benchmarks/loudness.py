"""Loudness benchmark: what the exported files measure, and what the voice keeps of itself.

    PYTHONPATH=src python benchmarks/loudness.py [--engine auto] [--long] [--formats mp3,wav]
                                                 [--loudness -19]

For each built-in workout (activation, back-strength; long-session with ``--long``) it masters
the session once, exports that mix to each format, decodes each file with ffmpeg and prints:

- ``LUFS`` / ``dBTP``: integrated loudness and true peak as repcue printed them, and as
  ffmpeg's ``ebur128=peak=true`` measures the file (targets: -19 ± 1 LUFS, ≤ -1 dBTP,
  repcue within 0.5 LU / 0.5 dB of ffmpeg);
- ``PLR``: the speech's peak-to-loudness ratio in the rendered mix, against the clips' own
  (target: within 1.5 dB). Per speech cue: sample peak over the K-weighted loudness of its
  active 10 ms blocks (within 35 dB of its loudest, as the speech polish gates); the median
  over every cue the session speaks. ``near``: the share of active blocks whose peak is
  within 1 dB of their cue's peak (a squashed voice sits at its ceiling);
- ``GR>1``: the share of active speech 10 ms blocks in which the limiter takes more than
  1 dB (target ≤ 5 %), and ``GR99``, the 99th percentile of its gain reduction over them.
  Read off the mix rendered with and without the limiter, sample by sample;
- ``SDR``: speech signal-to-difference of the decoded file against the decoded WAV export,
  aligned to the sample (target for MP3 ≥ 20 dB: codec noise only).
"""

from __future__ import annotations

import argparse
import math
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src")]

from repcue.clip import Clip  # noqa: E402
from repcue.timeline import Timeline  # noqa: E402
from repcue.units import db_to_gain  # noqa: E402

Floats = npt.NDArray[np.float64]

WORKOUTS = ("activation", "back-strength")
FORMATS = ("mp3", "ogg", "m4a", "wav")
BLOCK_MS = 10
#: Active speech: 10 ms blocks within this of the cue's loudest (the polish's gate).
ACTIVE_WITHIN_DB = 35.0
#: Samples either way the decoded file may sit from the WAV before it counts as misaligned.
MAX_LAG = 2048


@dataclass(frozen=True)
class Row:
    workout: str
    fmt: str
    lufs: float
    tp: float
    ff_lufs: float
    ff_tp: float
    plr: float
    clip_plr: float
    near: float
    clip_near: float
    gr_share: float
    gr_p99: float
    sdr: float | None
    seconds: float


def decode(path: Path, rate: int) -> npt.NDArray[np.float32]:
    """The file as ffmpeg decodes it, mono float at ``rate``."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1",
                          "-ar", str(rate), "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype="<f4").copy()


def ebur128(path: Path) -> tuple[float, float]:
    """ffmpeg's integrated loudness and true peak of the file."""
    err = subprocess.run(["ffmpeg", "-nostats", "-hide_banner", "-i", str(path), "-filter_complex",
                          "ebur128=peak=true", "-f", "null", "-"], capture_output=True,
                         text=True, check=True).stderr
    summary = err[err.rfind("Summary:"):]
    lufs = float(re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary).group(1))  # type: ignore[union-attr]
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))  # type: ignore[union-attr]
    return lufs, peak


def speech_spans(timeline: Timeline, rate: int, lead_in_ms: int) -> list[tuple[int, int, str]]:
    """Each speech cue's samples in the export: start, stop, text."""
    spans = []
    for event in timeline.speech():
        if event.text is None:
            continue
        start = (lead_in_ms + event.start_ms) * rate // 1000
        stop = (lead_in_ms + event.end_ms) * rate // 1000
        spans.append((start, stop, event.text))
    return spans


def _blocks(x: Floats, rate: int) -> Floats:
    size = rate * BLOCK_MS // 1000
    whole = len(x) // size * size
    return x[:whole].reshape(-1, size)


def active_blocks(x: Floats, rate: int) -> npt.NDArray[np.bool_]:
    """Which 10 ms blocks of one cue are speech, not pauses (relative to its loudest)."""
    blocks = _blocks(x, rate)
    if len(blocks) == 0:
        return np.zeros(0, dtype=bool)
    rms = np.sqrt(np.mean(blocks**2, axis=1))
    active: npt.NDArray[np.bool_] = (rms >= rms.max() * db_to_gain(-ACTIVE_WITHIN_DB)
                                     if rms.max() > 0 else rms > 0)
    return active


def cue_plr(x: Floats, rate: int) -> tuple[float, float]:
    """Peak-to-loudness ratio (dB) of one cue over its active speech, and its share of
    active blocks peaking within 1 dB of its peak."""
    from repcue.mix.loudness import k_weighted

    active = active_blocks(x, rate)
    if not active.any():
        return math.nan, math.nan
    weighted = _blocks(k_weighted(x.astype(np.float32), rate)[: len(x)], rate)[active]
    loudness = -0.691 + 10 * math.log10(float(np.mean(weighted**2)))
    peaks = np.max(np.abs(_blocks(x, rate)), axis=1)[active]
    peak = float(np.max(np.abs(x)))
    return 20 * math.log10(peak) - loudness, float(np.mean(peaks >= peak * 10 ** (-1 / 20)))


def speech_plr(cues: Sequence[Floats], rate: int) -> tuple[float, float]:
    figures = np.array([cue_plr(x, rate) for x in cues])
    return float(np.nanmedian(figures[:, 0])), float(np.nanmean(figures[:, 1]))


def clips_plr(clips: Mapping[str, Clip], spans: Sequence[tuple[int, int, str]]
              ) -> tuple[float, float]:
    """The same figures on the clips as synthesised, one per cue the session speaks."""
    own = {text: cue_plr(clip.samples.astype(np.float64), clip.rate)
           for text, clip in clips.items()}
    figures = np.array([own[text] for _, _, text in spans if text in own])
    return float(np.nanmedian(figures[:, 0])), float(np.nanmean(figures[:, 1]))


def gain_reduction(cues: Sequence[tuple[Floats, Floats]], rate: int) -> tuple[float, float]:
    """Share of active speech blocks the limiter takes > 1 dB from, and its 99th percentile."""
    reductions: list[Floats] = []
    for limited, unlimited in cues:
        active = active_blocks(unlimited, rate)
        ub, lb = _blocks(unlimited, rate)[active], _blocks(limited, rate)[active]
        # The limiter multiplies by a smooth gain, so limited / unlimited reads it exactly
        # wherever the signal is far from a zero crossing.
        loud = np.abs(ub) > 1e-3
        ratio = np.where(loud, np.abs(lb) / np.where(loud, np.abs(ub), 1.0), 1.0)
        reductions.append(-20 * np.log10(np.clip(np.min(ratio, axis=1), 1e-6, 1.0)))
    every = np.concatenate(reductions) if reductions else np.zeros(1)
    return float(np.mean(every > 1.0)), float(np.percentile(every, 99))


def aligned(decoded: Floats, reference: Floats, spans: Sequence[tuple[int, int, str]]) -> Floats:
    """``decoded`` shifted to line up with ``reference`` (the lag read off the longest cue)."""
    a, b, _ = max(spans, key=lambda s: s[1] - s[0])
    lo, hi = max(a, MAX_LAG), min(b, len(decoded) - MAX_LAG)
    segment = reference[lo:hi]
    scores = [float(np.dot(decoded[lo + lag:hi + lag], segment))
              for lag in range(-MAX_LAG, MAX_LAG + 1)]
    lag = int(np.argmax(scores)) - MAX_LAG
    shifted = np.zeros_like(reference)
    if lag >= 0:
        take = min(len(reference), len(decoded) - lag)
        shifted[:take] = decoded[lag:lag + take]
    else:
        take = min(len(reference) + lag, len(decoded))
        shifted[-lag:-lag + take] = decoded[:take]
    return shifted


def sdr(decoded: Floats, reference: Floats, spans: Sequence[tuple[int, int, str]]) -> float:
    """Speech signal-to-difference (dB) of ``decoded`` against ``reference``, aligned."""
    shifted = aligned(decoded, reference, spans)
    signal = sum(float(np.sum(reference[s:e].astype(np.float64) ** 2)) for s, e, _ in spans)
    noise = sum(float(np.sum((shifted[s:e].astype(np.float64) - reference[s:e]) ** 2))
                for s, e, _ in spans)
    return 10 * math.log10(signal / noise) if noise > 0 else math.inf


class Probe:
    """One session mastered once (export_mix) and exported to each format from that Mix, and
    the mix rendered with and without the limiter. The only part of this script that knows
    how the export is put together."""

    def __init__(self, timeline: Timeline, clips: Mapping[str, Clip], loudness: float) -> None:
        from repcue.export import ExportOptions
        from repcue.export.exporter import export_mix
        from repcue.tones import default_palette

        self.options = ExportOptions(sidecars=False, target_lufs=loudness)
        started = time.perf_counter()
        self.mix = export_mix(timeline, clips, default_palette(), self.options)
        self.master_seconds = time.perf_counter() - started
        self.rate = self.mix.rate
        self.lead_in_ms = self.mix.lead_in_ms

    def export(self, path: Path, fmt: str) -> tuple[float, float]:
        """Repcue's printed loudness and true peak of ``path`` written as ``fmt``."""
        from repcue.export.exporter import export_session

        result = export_session(self.mix, path, replace(self.options, format=fmt))
        return result.lufs, result.true_peak_dbtp

    def speech(self, spans: Sequence[tuple[int, int, str]]) -> list[tuple[Floats, Floats]]:
        """Each span of the mix as rendered, and as it would be with the limiter idle."""
        limited = self.mix.renderer()
        idle = replace(self.mix, settings=replace(self.mix.settings, ceiling_dbfs=40.0))
        unlimited = idle.renderer()
        return [(limited.render_range(a, b).astype(np.float64),
                 unlimited.render_range(a, b).astype(np.float64)) for a, b, _ in spans]


def _fmt(x: float | None, width: int = 6, digits: int = 1) -> str:
    return " " * (width - 1) + "-" if x is None else f"{x:{width}.{digits}f}"


def print_row(row: Row) -> None:
    print(f"{row.workout:14} {row.fmt:4} {_fmt(row.lufs)} {_fmt(row.ff_lufs)} {_fmt(row.tp)} "
          f"{_fmt(row.ff_tp)} {_fmt(row.plr)} {_fmt(row.clip_plr)} {_fmt(100 * row.near, 5, 0)}% "
          f"{_fmt(100 * row.clip_near, 4, 0)}% {_fmt(100 * row.gr_share, 5, 1)}% "
          f"{_fmt(row.gr_p99, 5)} {_fmt(row.sdr, 5)} {_fmt(row.seconds, 5)}", flush=True)


HEADER = ("workout        fmt  LUFS  ffLUFS   dBTP ffdBTP    PLR clipPLR near clipnear "
          "  GR>1  GR99   SDR  secs\n"
          "                    (repcue) (ffmpeg)  (repcue)(ffmpeg)(mix) (clips)"
          "                      (dB)  (vs WAV)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", default="auto")
    parser.add_argument("--long", action="store_true", help="also the 65-minute long-session")
    parser.add_argument("--workouts", default=",".join(WORKOUTS))
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--loudness", type=float, default=-19.0, help="target LUFS")
    args = parser.parse_args()
    from repcue.cli.options import SessionOptions

    names = args.workouts.split(",") + (["long-session"] if args.long else [])
    formats = args.formats.split(",")
    print(HEADER)
    for name in names:
        session = SessionOptions(engine=args.engine).prepare(name)
        probe = Probe(session.timeline, session.clips, args.loudness)
        rate = probe.rate
        spans = speech_spans(session.timeline, rate, probe.lead_in_ms)
        cues = probe.speech(spans)
        plr, near = speech_plr([limited for limited, _ in cues], rate)
        clip_plr, clip_near = clips_plr(session.clips, spans)
        share, p99 = gain_reduction(cues, rate)
        with tempfile.TemporaryDirectory() as folder:
            reference: Floats | None = None
            for fmt in sorted(formats, key=lambda f: f != "wav"):  # the WAV first: the reference
                path = Path(folder) / f"{name}.{fmt}"
                started = time.perf_counter()
                lufs, tp = probe.export(path, fmt)
                seconds = time.perf_counter() - started
                decoded = decode(path, rate).astype(np.float64)
                if fmt == "wav":
                    reference = decoded
                ff_lufs, ff_tp = ebur128(path)
                match = (sdr(decoded, reference, spans)
                         if reference is not None and fmt != "wav" else None)
                print_row(Row(name, fmt, lufs, tp, ff_lufs, ff_tp, plr, clip_plr, near,
                              clip_near, share, p99, match, seconds))
        print(f"  ({name}: mastered once for every format in {probe.master_seconds:.1f} s)")


if __name__ == "__main__":
    main()
