"""How loud a track is, from a few windows across it, so every track sits at the same level.

A whole-file measurement would decode a three-hour playlist before the first sound; five
6-second windows spread over the track (quiet intros and fade-outs are one window at
most) land within a dB or two of it on ordinary music, and cost ~30 s of decoding a track.
Files ffmpeg decodes cannot seek, so they are measured whole while being read once.
"""

from __future__ import annotations

import math

from repcue.errors import ContentError
from repcue.mix.loudness import LoudnessMeter
from repcue.music.decode import TrackInfo, bad_track, open_source

WINDOWS = 5
WINDOW_SECONDS = 6.0
#: Below this the track is silence for the bed's purposes (BS.1770's absolute gate).
SILENT_LUFS = -70.0
_READ = 1 << 15


def track_loudness(info: TrackInfo) -> float:
    """Integrated loudness (LUFS) of the track's windows; a ContentError if it is unusable."""
    meter = LoudnessMeter(info.rate, true_peak=False)
    window = int(WINDOW_SECONDS * info.rate)
    if info.via_ffmpeg or info.frames <= WINDOWS * window:
        starts, window = [0], info.frames
    else:
        starts = [int(info.frames * (2 * i + 1) / (2 * WINDOWS)) - window // 2
                  for i in range(WINDOWS)]
    source = open_source(info)
    got = 0
    try:
        for start in starts:
            source.seek(start)
            left = window
            while left > 0:
                block = source.read(min(_READ, left))
                if len(block) == 0:
                    break
                meter.add(block)
                left -= len(block)
                got += len(block)
    except ContentError:
        raise
    except (RuntimeError, OSError, ValueError) as err:
        raise bad_track(info.path, f"cannot be decoded ({err})") from None
    finally:
        source.close()
    if got == 0:
        raise bad_track(info.path, "holds no audio")
    lufs = meter.integrated_lufs
    if not math.isfinite(lufs) or lufs < SILENT_LUFS:
        where = "" if len(starts) == 1 else " (five windows across it)"
        raise bad_track(info.path, f"is silent{where}")
    return lufs
