"""One track at the mix's rate, readable at any sample: the same samples however it is read.

A streaming resampler's output depends on everything before it, so a seek (a live jump)
would give different samples from a straight read. Instead the track is cut into chunks
on a grid where input and output samples line up exactly (``rate / gcd`` apart), and each
chunk is resampled on its own from its input plus a margin either side, longer than
soxr's filter reaches. A chunk is then a pure function of the file and its index: read
straight through or entered anywhere, the track gives identical samples, and a seek costs
one chunk. The margins cost ~5 % more resampling work than one stream would.

Because a chunk depends on nothing else, a track read through once can be kept on disk
(``TrackInfo.kept_in``, see kept.py) and later Tracks of it read their chunks from there.
"""

from __future__ import annotations

import math

import numpy as np

from repcue.clip import Samples
from repcue.music.decode import Source, TrackInfo, open_source
from repcue.music.kept import KeptTrack

#: About this much input per chunk.
CHUNK_SECONDS = 1.0
#: Input samples either side of a chunk, at least: soxr's HQ filter reaches well under this
#: (measured: chunked output equals one stream's to 1e-6 from 256 on).
MARGIN_FRAMES = 1024
#: Resampled chunks kept: the renderer's frames overlap a little for its limiter.
_KEEP = 3


class Track:
    """``info``'s file at ``rate``, mono: ``length`` samples, read with :meth:`read`."""

    def __init__(self, info: TrackInfo, rate: int) -> None:
        self.info = info
        self.rate = rate
        # ffmpeg resamples as it decodes (in its own process): its output is already at
        # the mix rate, the same samples for a straight read or a restart.
        src = rate if info.via_ffmpeg else info.rate
        self._src = src
        common = math.gcd(src, rate)
        unit_in = src // common
        self._chunk_in = unit_in * max(1, round(src * CHUNK_SECONDS / unit_in))
        self._chunk_out = self._chunk_in * rate // src
        self._margin = 0 if src == rate else unit_in * -(-MARGIN_FRAMES // unit_in)
        self.length = -(-info.frames * rate // info.rate)
        self._frames = self.length if info.via_ffmpeg else info.frames
        self._source: Source | None = None
        self._held_at = 0  # input frame where ``_held`` starts; the source sits at its end
        self._held: Samples = np.zeros(0, dtype=np.float32)
        self._chunks: dict[int, Samples] = {}
        self._kept = KeptTrack.open(info, rate, self._chunk_out,
                                    -(-self.length // self._chunk_out))

    def read(self, start: int, stop: int) -> Samples:
        """Track samples [start, stop) at the mix rate; zeros past the end (a new array,
        the caller's to change)."""
        index, offset = divmod(start, self._chunk_out)
        if 0 <= start < stop <= min(self.length, (index + 1) * self._chunk_out):
            # Within one chunk, as most of the bed's quarter-second blocks are: one copy.
            return self._chunk(index)[offset : offset + stop - start].copy()
        out = np.zeros(max(0, stop - start), dtype=np.float32)
        pos = max(start, 0)
        stop = min(stop, self.length)
        while pos < stop:
            index, offset = divmod(pos, self._chunk_out)
            chunk = self._chunk(index)
            take = min(len(chunk) - offset, stop - pos)
            out[pos - start : pos - start + take] = chunk[offset : offset + take]
            pos += take
        return out

    def close(self) -> None:
        if self._kept is not None:
            self._kept.close()
        if self._source is not None:
            self._source.close()
            self._source = None
        self._chunks.clear()
        self._held = np.zeros(0, dtype=np.float32)

    def _chunk(self, index: int) -> Samples:
        chunk = self._chunks.get(index)
        if chunk is not None:
            return chunk
        chunk = self._kept.read(index) if self._kept is not None else None
        if chunk is None:
            chunk = self._make(index)
            if self._kept is not None:
                self._kept.offer(index, chunk)
        if len(self._chunks) >= _KEEP:
            del self._chunks[min(self._chunks)]
        self._chunks[index] = chunk
        return chunk

    def _make(self, index: int) -> Samples:
        """Chunk ``index`` from the file: ``_chunk_out`` samples at the mix rate."""
        lo = index * self._chunk_in - self._margin
        hi = (index + 1) * self._chunk_in + self._margin
        samples = self._input(lo, hi)
        if self._margin:
            import soxr

            resampled = soxr.resample(samples, self._src, self.rate, quality="HQ")
            skip = self._margin * self.rate // self._src
            return np.ascontiguousarray(resampled[skip : skip + self._chunk_out],
                                        dtype=np.float32)
        return samples

    def _input(self, lo: int, hi: int) -> Samples:
        """Input frames [lo, hi) of the file, zeros outside it (before 0, past ``frames``)."""
        out = np.zeros(hi - lo, dtype=np.float32)
        a, b = max(lo, 0), min(hi, self._frames)
        if a >= b:
            return out
        held_end = self._held_at + len(self._held)
        if self._source is None or not self._held_at <= a <= held_end:
            if self._source is None:
                self._source = open_source(self.info, self.rate)
            self._source.seek(a)
            self._held_at, self._held = a, np.zeros(0, dtype=np.float32)
            held_end = a
        fresh = self._source.read(b - held_end) if b > held_end else np.zeros(0, np.float32)
        joined = np.concatenate([self._held[a - self._held_at:], fresh])
        out[a - lo : a - lo + len(joined)] = joined[: b - a]  # a short file reads as zeros
        # Keep what the next chunk's margin will want again.
        keep = min(len(joined), 2 * self._margin)
        self._held_at, self._held = a + len(joined) - keep, joined[len(joined) - keep:].copy()
        return out
