"""An MP3 encoded in two halves at once, one per core, joined in a silent rest.

LAME is one thread, and the longest job of an export: alone it takes most of the time a
whole export does. A workout falls silent between sets, so the session is cut in the rest
nearest its middle and each half gets its own encoder, on its own thread (lameenc lets go
of the GIL), while this thread renders both halves and a decoder meters each. The second
half's frames go to a temporary file and are appended to the first's; one info frame then
describes the whole stream, which decodes exactly as one encoder's would in its layout:

- LAME turns ``n`` samples into ``ceil(n / F) + 1152 / F`` frames of ``F`` samples (its
  look-ahead and flush; checked after the first half, which falls back to one encoder if
  a LAME version counts otherwise). The first half is samples ``[0, S)``; its frames hold
  ``S + c`` samples' worth, so the second encoder starts at sample ``S + c`` and its first
  sample decodes exactly where a single stream's would. The ``c`` samples left out lie in
  the rest, and decode as the silence they were.
- At the join both encoders see only silence, so the decoder's overlap from the first
  half's last frame into the second's first is silence too: the joined file decodes to
  the same samples as each half decoded alone (tested), and a second of silence either
  side keeps the loudness gate's blocks across the join silent, so the two meters' figures
  joined are one meter's (:meth:`LoudnessMeter.joined`; the true peak to its last bits).

Where there is no such rest (music under the voice, a session that never pauses, or a
short one) the export uses one encoder, as before.
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass

import numpy as np

from repcue.export.decoded import DecodingMeter
from repcue.export.encoders import Mp3Encoder
from repcue.export.formats import MP3
from repcue.export.pipeline import encode_parts
from repcue.export.safe_write import PendingFile
from repcue.mix.gain_search import Progress
from repcue.render import Renderer

#: Sessions shorter than this are encoded whole: a few seconds saved is not worth the join.
SHORTEST_S = 120
#: Silence kept on either side of what the join touches: the K-weighting rings out and the
#: loudness blocks (400 ms) across the join hold nothing but silence.
QUIET_S = 1.0
#: Samples a decoder returns before a bare frame stream's first (LAME's delay and its own).
STREAM_SKIP = MP3.stream_skip or 0


def lame_frames(samples: int, frame_samples: int) -> int:
    """Frames LAME writes for ``samples`` (measured, lameenc 1.x, MPEG-1 and MPEG-2)."""
    return -(-samples // frame_samples) + 1152 // frame_samples


@dataclass(frozen=True)
class Cut:
    """Where a session's samples go: ``[0, first_end)`` to the first encoder,
    ``[second_start, total)`` to the second; the meters take ``[0, metered_to)`` and
    ``[metered_from, total)``, both cut on the loudness meter's 100 ms grid."""

    first_end: int
    second_start: int
    metered_to: int
    metered_from: int
    total: int


def find_cut(renderer: Renderer, frame_samples: int) -> Cut | None:
    """The cut in the silent rest nearest the session's middle, or None where none will do.

    The renderer's silence is checked on its samples, not only read from its timeline.
    """
    rate, total = renderer.rate, renderer.total_samples
    if total < SHORTEST_S * rate:
        return None
    step, quiet = rate // 10, int(QUIET_S * rate)
    middle = total // 2
    # Beyond the cut: the first half's flush, the second's start, grid rounding either side.
    reach = 2 * step + lame_frames(1, frame_samples) * frame_samples
    candidates = []
    for lo, hi in renderer.silent_spans(2 * quiet + reach):
        first_end = min(max(middle, lo + quiet + step), hi - quiet - reach)
        second_start = lame_frames(first_end, frame_samples) * frame_samples
        cut = Cut(first_end, second_start, first_end // step * step,
                  -(-second_start // step) * step, total)
        # Lopsided halves would gain little: the longer one sets the pace.
        if (total // 5 <= first_end <= total - total // 5 and lo <= cut.metered_to - quiet
                and cut.metered_from + quiet <= hi):
            candidates.append(cut)
    for cut in sorted(candidates, key=lambda cut: abs(cut.first_end - middle)):
        around = renderer.render_range(cut.metered_to - quiet, cut.metered_from + quiet)
        if not np.any(around):
            return cut
    return None


@dataclass(frozen=True)
class HalvesJob:
    renderer: Renderer
    cut: Cut
    pending: PendingFile
    bitrate: int
    tag: bytes | None
    progress: Progress | None
    cancel: threading.Event | None


def encode_halves(job: HalvesJob, scale: float) -> tuple[float, float] | None:
    """Encode the session ``* scale`` in two halves into the pending file; return its
    loudness and true peak as decoded (None when a decode fell short).

    A first half that LAME framed otherwise than :func:`lame_frames` says raises
    :class:`HalvesMisfit`; the file is then to be encoded whole.
    """
    renderer, cut, pending = job.renderer, job.cut, job.pending
    rate = renderer.rate
    pending.file.seek(0)
    pending.file.truncate()
    if job.tag:
        pending.file.write(job.tag)
    meters = (DecodingMeter(rate, STREAM_SKIP, cut.metered_to),
              DecodingMeter(rate, STREAM_SKIP + cut.metered_from - cut.second_start,
                            cut.total - cut.metered_from))
    try:
        with tempfile.TemporaryFile(dir=pending.target.parent) as spool:
            first = Mp3Encoder(pending.file, rate, job.bitrate, meters[0].feed)
            second = Mp3Encoder(spool, rate, job.bitrate, meters[1].feed, info=False)
            encode_parts([(renderer.blocks(0, cut.first_end), first.write),
                          (renderer.blocks(cut.second_start, cut.total), second.write)],
                         scale, cut.first_end + cut.total - cut.second_start, job.progress,
                         job.cancel, pending.target)
            first.flush()
            second.flush()
            if first.frames != lame_frames(cut.first_end, first.frame_samples):
                raise HalvesMisfit(f"LAME wrote {first.frames} frames for the first half")
            first.join(second, spool)
    except BaseException:
        for meter in meters:
            meter.abort()
        raise
    pending.file.flush()  # a decoder may read the file by its name
    measured = [meter.finish_meter() for meter in meters]
    if measured[0] is None or measured[1] is None:
        return None
    return measured[0].joined(measured[1])


class HalvesMisfit(RuntimeError):
    """The first half's frames do not end where the second half was started."""
