"""The level live play renders at: the loudness an export measures, remembered per session.

An export finds its gain by measuring the mix (about half a second for an hour). Live play
must make its first sound within a fraction of a second, so the gain found for a session
(its timeline, its clips and the render settings) is kept in a small file beside the speech
cache and reused next time; the first play of a new session pays the measurement once.
Play and a WAV export at the same rate then share the limiter's input level: the export
only scales its output down by the WAV headroom (0.2 dB).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from repcue.clip import Clip
from repcue.export.exporter import ExportOptions, mix_gain
from repcue.timeline import Timeline
from repcue.tones import TonePalette

#: Bump when the gain search changes, so old remembered levels are not reused.
LEVEL_VERSION = "1"


def level_key(timeline: Timeline, clips: Mapping[str, Clip], palette: TonePalette,
              options: ExportOptions) -> str:
    digest = hashlib.sha256(LEVEL_VERSION.encode())
    digest.update(timeline.to_json().encode())
    for text in sorted(clips):
        clip = clips[text]
        digest.update(text.encode() + b"\0" + str(clip.rate).encode())
        digest.update(clip.samples.tobytes())
    for role in sorted(palette.tones):
        digest.update(role.encode() + palette.tones[role].samples.tobytes())
    digest.update(repr((options.sample_rate, options.lead_in_ms, options.lead_in_noise,
                        options.target_lufs)).encode())
    return digest.hexdigest()


def live_gain(timeline: Timeline, clips: Mapping[str, Clip], palette: TonePalette, *,
              rate: int, lead_in_ms: int, lead_in_noise: bool, cache_dir: Path) -> float:
    """The gain (dB) that brings this session to the export's loudness, measured once."""
    options = ExportOptions(format="wav", sample_rate=rate, lead_in_ms=lead_in_ms,
                            lead_in_noise=lead_in_noise)
    path = cache_dir / "levels" / f"{level_key(timeline, clips, palette, options)}.gain"
    try:
        return float(path.read_text(encoding="ascii"))
    except (OSError, ValueError):
        pass
    gain = mix_gain(timeline, clips, palette, options)
    try:  # remembering is a speed-up only: a read-only cache still plays
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(repr(gain), encoding="ascii")
        os.replace(tmp, path)
    except OSError:
        pass
    return gain
