"""Ducking measured from the output: a steady sine as the music, read back by lock-in.

The exported WAV holds voice, tones and the probe. The probe's amplitude over a window is
``2 |sum(x * exp(-i w n))| / N``: the voice and tones have next to nothing at 9 kHz, so
this reads the music's level alone from the mix, wherever the window sits.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import numpy.typing as npt

from repcue.clip import Clip
from repcue.music.ducking import Ducking
from repcue.timeline import Timeline

PROBE_HZ = 9000.0
#: Windows for the rest and dip levels.
WINDOW_MS = 100
#: The dip must be complete this long before a clip starts (design: ~150 ms).
BEFORE_MS = 140
Floats = npt.NDArray[np.float64]


def _amplitude(x: Floats, start: int, stop: int, rate: int) -> float:
    n = np.arange(start, stop)
    phasor = np.exp(-2j * math.pi * PROBE_HZ * n / rate)
    return float(2.0 * abs(np.sum(x[start:stop] * phasor)) / max(1, stop - start))


def _spans(timeline: Timeline, clips: Mapping[str, Clip], rate: int, lead: int
           ) -> list[tuple[int, int]]:
    spans = []
    for event in timeline.speech():
        clip = clips[event.text or ""]
        start = lead + event.start_ms * rate // 1000
        spans.append((start, start + -(-len(clip.samples) * rate // clip.rate)))
    return sorted(spans)


def _sine_lufs(amplitude: float, rate: int) -> float:
    from repcue.mix.loudness import measure

    t = np.arange(3 * rate) / rate
    lufs, _ = measure((amplitude * np.sin(2 * math.pi * PROBE_HZ * t)).astype(np.float32), rate)
    return lufs


def ducking(timeline: Timeline, clips: Mapping[str, Clip], probe: Path) -> None:
    """Export ``timeline`` as WAV with ``probe`` as the music; print what the bed did."""
    from repcue.export import ExportOptions, export_mix, export_session
    from repcue.music import MusicBed, MusicChoice
    from repcue.tones import default_palette

    choice = MusicChoice(probe)
    options = ExportOptions(format="wav", sidecars=False, force=True, music=choice)
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "probe.wav"
        mix = export_mix(timeline, clips, default_palette(), options)
        result = export_session(mix, wav, options)
        print(f"probe export: {result.lufs:.2f} LUFS, true peak {result.true_peak_dbtp:.2f} dBTP")
        bed = mix.bed
        assert isinstance(bed, MusicBed)
        # Where the probe loops onto itself: an equal-power crossfade keeps uncorrelated
        # music at its level, but a sine crossfading with itself in phase sums to +3 dB.
        loops = [(p.start, p.start + p.fade_in) for p in bed.placements if p.fade_in]
        measure_ducking(timeline, clips, wav, options.sample_rate, options.lead_in_ms,
                        options.target_lufs, bed.envelope.ducking, loops)
        planned = _planned_dips(bed, timeline, clips, options.sample_rate, options.lead_in_ms)
        print(f"  the envelope (the plan) is fully down {BEFORE_MS} ms before {planned[0]} of "
              f"{planned[1]} clips that start a dip")


def measure_ducking(timeline: Timeline, clips: Mapping[str, Clip], wav: Path, rate: int,
                    lead_in_ms: int, target_lufs: float, ducking: Ducking,
                    loops: list[tuple[int, int]]) -> None:
    """Print the three levels read from ``wav``: in long rests, near the cues, under speech."""
    import soundfile

    x = soundfile.read(str(wav), dtype="float64")[0]
    lead = lead_in_ms * rate // 1000
    spans = _spans(timeline, clips, rate, lead)
    window = WINDOW_MS * rate // 1000

    def looping(a: int, b: int) -> bool:
        return any(lo < b and a < hi for lo, hi in loops)

    # Long rests: the music is all the way up from 3 s before a cue to 3.5 s after one.
    edges = [(a - rate * 4, b + rate * 4) for a, b in spans]
    rests = [_amplitude(x, t, t + window, rate)
             for t in range(lead + 5 * rate, len(x) - 10 * rate, window)
             if all(t + window <= a or t >= b for a, b in edges) and not looping(t, t + window)]
    # Near a cue: the bed, from 1.5 s before a clip until its dip starts 400 ms before it,
    # where nothing sounded for the 2 s before.
    near = []
    for (_, stop), (a, _) in zip([(0, -10 * rate), *spans], spans, strict=False):
        t = a - rate * 14 // 10
        if stop + 2 * rate <= t and t >= lead + 5 * rate and not looping(t, a):
            near.append(_amplitude(x, t, t + rate * 9 // 10, rate))
    dips = [_amplitude(x, t, t + window, rate) for a, b in spans
            for t in range(a, b - window, window) if not looping(t, t + window)]
    rest_db, near_db, dip_db = (20 * np.log10(np.array(v)) for v in (rests, near, dips))
    print(f"ducking, probe {PROBE_HZ / 1000:.0f} kHz, from the exported WAV ({len(rests)} rest, "
          f"{len(near)} near-cue and {len(dips)} speech windows):")
    rest_lufs = _sine_lufs(float(np.median(rests)), rate)
    print(f"  in long rests: {rest_lufs:.2f} LUFS = {target_lufs - rest_lufs:.2f} dB under the "
          f"target (chosen for this session: {ducking.rest_db}); windows "
          f"{np.percentile(rest_db, 5):.2f} to {np.percentile(rest_db, 95):.2f} dBFS (5-95 %)")
    bed_lufs = _sine_lufs(float(np.median(near)), rate)
    print(f"  near the cues (the bed): {target_lufs - bed_lufs:.2f} dB under the target "
          f"(chosen {ducking.level_db:.0f}); windows {np.percentile(near_db, 5):.2f} to "
          f"{np.percentile(near_db, 95):.2f} dBFS (5-95 %)")
    bed = float(np.median(near_db))
    print(f"  under speech: {float(np.median(dip_db)) - bed:.2f} dB below the bed (chosen "
          f"{ducking.duck_db:.0f}); windows {np.percentile(dip_db, 5) - bed:.2f} to "
          f"{np.percentile(dip_db, 95) - bed:.2f} dB (5-95 %)")
    before = BEFORE_MS * rate // 1000
    complete = 0
    # Past the music's fade-in (3 s after the lead-in) and before its fade-out.
    starts = [a for a in _dip_starts(spans, rate) if lead + 5 * rate <= a < len(x) - 10 * rate]
    in_loops = [a for a in starts if looping(a - before, a)]
    starts = [a for a in starts if a not in in_loops]
    for a in starts:
        level = 20 * math.log10(_amplitude(x, a - before, a, rate))
        complete += abs(level - float(np.median(dip_db))) <= 1.0
    print(f"  dip complete in the {BEFORE_MS} ms before a clip's first sample: "
          f"{complete} of {len(starts)} clips that start a dip ({len(in_loops)} more start in "
          f"a loop crossfade of the probe, where the sine adds to itself: not counted)")
    away = [(a - rate * 3 // 2, b + rate * 3 // 2) for a, b in spans]
    _tones_above(timeline, x, rate, lead, away, float(np.median(near)))


def _tones_above(timeline: Timeline, x: Floats, rate: int, lead: int,
                 edges: list[tuple[int, int]], bed_amplitude: float) -> None:
    """Peak of the rep tones that sound away from speech, against the bed's peak."""
    over = []
    for event in timeline.events:
        if event.kind != "tone":
            continue
        a = lead + event.start_ms * rate // 1000
        b = a + rate // 10
        if b < len(x) and all(b <= lo or a >= hi for lo, hi in edges):
            over.append(20 * math.log10(float(np.max(np.abs(x[a:b]))) / bed_amplitude))
    if over:
        print(f"  rep tones away from speech: peak {np.median(over):.1f} dB over the bed's "
              f"peak (median of {len(over)}; lowest {min(over):.1f} dB)")


def _planned_dips(bed: object, timeline: Timeline, clips: Mapping[str, Clip], rate: int,
                  lead_in_ms: int) -> tuple[int, int]:
    """Clips whose dip the envelope completes ``BEFORE_MS`` ahead, of those that start one."""
    from repcue.music import MusicBed

    assert isinstance(bed, MusicBed)
    lead = lead_in_ms * rate // 1000
    starts = _dip_starts(_spans(timeline, clips, rate, lead), rate)
    before = BEFORE_MS * rate // 1000
    down = [float(bed.envelope.gains(a - before, a).max()) for a in starts]
    dip = float(bed.envelope.dip)
    inside = [(g, a) for g, a in zip(down, starts, strict=True)
              if bed.envelope.start + bed.envelope.ducking.fade_in_ms * rate // 1000
              <= a - before
              and a < bed.envelope.fade_out_at]
    return sum(g <= dip * 1.0001 for g, _ in inside), len(inside)


def _dip_starts(spans: list[tuple[int, int]], rate: int) -> list[int]:
    """First samples of clips that begin a dip (not bridged to the clip before)."""
    starts, last_end = [], -10 * rate
    for a, b in spans:
        if a - last_end >= rate:
            starts.append(a)
        last_end = max(last_end, b)
    return starts

