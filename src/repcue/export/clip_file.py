"""One speech clip to a file, in any export format: what ``repcue say -o`` writes."""

from __future__ import annotations

from pathlib import Path

from repcue.clip import Clip
from repcue.export.encoders import to_pcm16
from repcue.export.formats import EXPORT_RATES, EncodeJob, ExportFormat
from repcue.export.safe_write import safe_output
from repcue.export.tags import TrackInfo
from repcue.limiter import CEILING_DBFS
from repcue.resample import resample
from repcue.units import db_to_gain

#: Where the speech polish caps a clip's peak (speech/polish.py).
POLISHED_PEAK_DBFS = -1.0


def write_clip(path: Path, clip: Clip, codec: ExportFormat, *, title: str,
               force: bool = False) -> int:
    """Write ``clip`` to ``path`` as ``codec``, replacing ``path`` only when whole; return the rate.

    A clip at a rate the format does not offer is resampled to the first export rate.
    Lossy formats get the codecs' headroom (a polished clip peaks up to -1 dBFS; the
    session's limiter holds -2), so decoded peaks stay under -1 dBTP; WAV holds the clip's
    own samples.
    """
    samples, rate = clip.samples, clip.rate
    if codec.bitrates and rate not in codec.bitrates:
        samples, rate = resample(samples, rate, EXPORT_RATES[0]), EXPORT_RATES[0]
    bitrate = codec.check_bitrate(rate, None)
    scale = codec.pre_scale * (db_to_gain(CEILING_DBFS - POLISHED_PEAK_DBFS) if codec.bitrates
                               else 1.0)
    tag = codec.write_tag(TrackInfo(title, "repcue", "repcue"), (), ()) if codec.write_tag else None
    with safe_output(path, force=force) as pending:
        encoder = codec.open_encoder(EncodeJob(pending, rate, bitrate, len(samples), tag))
        try:
            encoder.write(to_pcm16(samples, scale))
            encoder.finish()
        except BaseException:
            encoder.abort()
            raise
    return rate
