"""How loud a track is, from one window of it, so every track sits at the same level.

A whole-file measurement would decode a three-hour playlist before the first sound. One
20-second window, a quarter of the way in but no further than 45 s (past most intros,
and cheap to reach: libsndfile's MP3 seek decodes its way there), lands within a dB or
two of the whole track on ordinary music. Spreading five windows over the track was
tried: on MP3 a seek to 90 % costs almost a whole decode. Files ffmpeg decodes are read
with ffmpeg's own seek (near the sample, which is plenty for a level).
"""

from __future__ import annotations

import math

from repcue.errors import ContentError
from repcue.mix.loudness import LoudnessMeter
from repcue.music.decode import TrackInfo, bad_track, ffmpeg_window, open_source

WINDOW_SECONDS = 20.0
#: The window starts this far into the track, at most...
WINDOW_AT = 0.25
#: ...and no later than this (seconds).
WINDOW_LATEST = 45.0
#: Below this the track is silence for the bed's purposes (BS.1770's absolute gate).
SILENT_LUFS = -70.0
_READ = 1 << 15


def track_loudness(info: TrackInfo) -> float:
    """Integrated loudness (LUFS) of the track's window; a ContentError if it is unusable."""
    meter = LoudnessMeter(info.rate, true_peak=False)
    window = int(WINDOW_SECONDS * info.rate)
    start = min(int(info.frames * WINDOW_AT), int(WINDOW_LATEST * info.rate))
    whole = info.frames <= window + start
    if whole:
        start, window = 0, info.frames
    try:
        got = _measure_window(info, meter, start, window)
    except ContentError:
        raise
    except (RuntimeError, OSError, ValueError) as err:
        raise bad_track(info.path, f"cannot be decoded ({err})") from None
    if got == 0:
        raise bad_track(info.path, "holds no audio")
    lufs = meter.integrated_lufs
    if not math.isfinite(lufs) or lufs < SILENT_LUFS:
        where = "" if whole else (f" ({WINDOW_SECONDS:.0f} s measured from "
                                  f"{start // info.rate // 60}:{start // info.rate % 60:02d})")
        raise bad_track(info.path, f"is silent{where}")
    return lufs


def _measure_window(info: TrackInfo, meter: LoudnessMeter, start: int, frames: int) -> int:
    """Feed ``frames`` from ``start`` to the meter; how many there were."""
    if info.via_ffmpeg:
        block = ffmpeg_window(info, start, frames)
        meter.add(block)
        return len(block)
    source = open_source(info)
    got = 0
    try:
        source.seek(start)
        while got < frames:
            block = source.read(min(_READ, frames - got))
            if len(block) == 0:
                break
            meter.add(block)
            got += len(block)
    finally:
        source.close()
    return got
