"""The gain found for a session, remembered so live play need not measure it again.

Finding the gain means measuring the mix (about half a second for an hour). Live play must
make its first sound within a fraction of a second, so the gain found for a session (its
timeline, its clips, its tones and the render settings) is kept in a small file beside the
speech cache and reused next time; the first play of a new session pays the measurement
once. A remembered gain is a speed-up only: a cache that cannot be read or written
just means measuring again.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from repcue.clip import Clip
from repcue.mix.voice import VOICE_VERSION, unmastered
from repcue.render import RenderSettings
from repcue.timeline import Timeline
from repcue.tones import TonePalette

#: Bump when the gain search or the limiter changes, so old remembered gains are not reused.
#: 3: the limiter's ceiling went to -2 dBFS. 4: the clips as spoken are hashed, with the
#: voice processing's version (hashing the mastered cues would master them all first).
LEVEL_VERSION = "4"


def level_key(timeline: Timeline, clips: Mapping[str, Clip], palette: TonePalette,
              settings: RenderSettings, level_lufs: float) -> str:
    """A name for everything the gain depends on."""
    digest = hashlib.sha256(f"{LEVEL_VERSION}.{VOICE_VERSION}".encode())
    digest.update(timeline.to_json().encode())
    spoken = unmastered(clips)
    for text in sorted(spoken):
        clip = spoken[text]
        digest.update(text.encode() + b"\0" + str(clip.rate).encode())
        digest.update(clip.samples.tobytes())
    for role in sorted(palette.tones):
        digest.update(role.encode() + palette.tones[role].samples.tobytes())
    digest.update(repr((settings.rate, settings.lead_in_ms, settings.lead_in_noise,
                        settings.duck_db, settings.tone_db, level_lufs)).encode())
    return digest.hexdigest()


def recall(path: Path) -> float | None:
    """The gain (dB) remembered at ``path``, or None."""
    try:
        return float(path.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return None


def remember(path: Path, gain_db: float) -> None:
    try:  # a read-only cache still plays
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(repr(gain_db), encoding="ascii")
        os.replace(tmp, path)
    except OSError:
        pass
