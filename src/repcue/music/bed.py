"""The music bed: tracks one after another with crossfades, looped, shaped by the envelope.

Where each track sits is worked out once, from the track lengths in the headers, so the
bed is a pure function of the session sample: play and export, any block size, any jump,
the same samples. Only the tracks sounding near the asked range are open; a three-hour
playlist costs a few open files and a few seconds of decoded audio.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from repcue.clip import Samples
from repcue.errors import RepcueError
from repcue.music.decode import TrackInfo
from repcue.music.ducking import Envelope
from repcue.music.live import LiveMusic
from repcue.music.track import Track

#: Tracks overlap this long, fading across (equal power: uncorrelated music keeps its level).
CROSSFADE_MS = 2500
#: The bed is computed in aligned blocks of 1/BLOCKS_PER_SECOND s and cut from them.
BLOCKS_PER_SECOND = 4
#: Tracks no longer needed are closed once the session is this far past them.
_CLOSE_AFTER_MS = 1000
#: Live play lays the tracks out this much further at a time once it runs past the plan.
_EXTEND_BY_S = 600


#: A track quieter than the voice by more than this is raised no further: it is near silence.
MAX_TRACK_GAIN_DB = 30.0


@dataclass(frozen=True)
class LevelledTrack:
    """A usable track and its measured loudness (LUFS)."""

    info: TrackInfo
    lufs: float

    def gain_db(self, voice_lufs: float) -> float:
        """The gain that brings the track to ``voice_lufs`` (the envelope then sets it under)."""
        return min(MAX_TRACK_GAIN_DB, voice_lufs - self.lufs)


@dataclass(frozen=True)
class Placement:
    """One play of a track in the session (session samples at the mix rate)."""

    start: int
    length: int
    track: int  # index into the bed's tracks
    fade_in: int
    fade_out: int

    @property
    def stop(self) -> int:
        return self.start + self.length


def lay_out(lengths: Sequence[int], start: int, end: int, crossfade: int) -> list[Placement]:
    """Tracks of ``lengths`` from ``start`` until ``end``, looping, each crossfading the next."""
    placed: list[Placement] = []
    pos, index, fade_in = start, 0, 0
    while pos < end and lengths:
        length = lengths[index]
        following = (index + 1) % len(lengths)
        overlap = min(crossfade, length // 2, lengths[following] // 2)
        fade_out = overlap if pos + length < end else 0
        placed.append(Placement(pos, length, index, fade_in, fade_out))
        pos += max(1, length - overlap)
        index, fade_in = following, overlap
    return placed


class MusicBed:
    """The music of a session at ``rate``: :meth:`render` gives any range of it, ducked.

    ``voice_lufs`` is the voice's loudness where the bed is summed (the mix's level after
    its gain): tracks are brought to it, then the envelope sets them under it.
    It is a :class:`repcue.render.Bed`; renderers in several threads may share one.
    """

    def __init__(self, tracks: Sequence[LevelledTrack], rate: int, envelope: Envelope,
                 voice_lufs: float) -> None:
        self.tracks = list(tracks)
        self.voice_lufs = voice_lufs
        self.rate = rate
        self.envelope = envelope
        lengths = [-(-t.info.frames * rate // t.info.rate) for t in self.tracks]
        self._lengths = lengths
        self.placements = lay_out(lengths, envelope.start, envelope.end,
                                  CROSSFADE_MS * rate // 1000)
        self._laid_to = envelope.end
        self._starts = [p.start for p in self.placements]
        self._longest = max(lengths, default=0)
        self._gains = [np.float32(10.0 ** (t.gain_db(voice_lufs) / 20.0)) for t in self.tracks]
        self._lock = threading.Lock()
        self._block = rate // BLOCKS_PER_SECOND
        self._blocks: dict[int, Samples | None] = {}
        self._ducked_blocks: dict[int, Samples | None] = {}
        self._open: dict[int, Track] = {}
        self.failed: dict[Path, str] = {}
        #: What went wrong while playing, one line each, for the CLI to show.
        self.warnings: list[str] = []

    @property
    def used(self) -> list[Path]:
        """The files the session plays, in first-play order."""
        return list(dict.fromkeys(self.tracks[p.track].info.path for p in self.placements))

    def add_to(self, mix: Samples, start: int) -> None:
        """Add the music over session samples ``[start, start + len(mix))`` into ``mix``."""
        music = self.render(start, start + len(mix))
        if music is not None:
            mix += music

    def render(self, lo: int, hi: int) -> Samples | None:
        """The ducked music over session samples [lo, hi), or None where there is none."""
        return self._cut(lo, hi, self._ducked)

    def music(self, lo: int, hi: int) -> Samples | None:
        """The tracks over [lo, hi) as laid out, levelled but not ducked; None for silence."""
        return self._cut(lo, hi, self._cached)

    def _cut(self, lo: int, hi: int, block_at: Callable[[int], Samples | None]
             ) -> Samples | None:
        """[lo, hi) cut from whole aligned blocks, each always computed the same way: the
        renderer asks for a few thousand samples at a time, and the per-call work is what
        costs there."""
        with self._lock:
            size = self._block
            first, last = lo // size, (hi - 1) // size
            if hi <= lo:
                return None
            blocks = [block_at(k) for k in range(first, last + 1)]
            if all(b is not None for b in blocks):  # all music: no zeros to fill first
                parts = [block for block in blocks if block is not None]
                parts[-1] = parts[-1][: hi - last * size]
                parts[0] = parts[0][lo - first * size :]
                return np.concatenate(parts) if len(parts) > 1 else parts[0].copy()
            if all(b is None for b in blocks):
                return None
            out = np.zeros(hi - lo, dtype=np.float32)
            for k, block in zip(range(first, last + 1), blocks, strict=True):
                if block is None:
                    continue
                a, b = max(lo, k * size), min(hi, (k + 1) * size)
                out[a - lo : b - lo] = block[a - k * size : b - k * size]
            return out

    def _ducked(self, index: int) -> Samples | None:
        if index not in self._ducked_blocks:
            music = self._cached(index)
            if music is not None:
                size = self._block
                music = music * self.envelope.level(index * size, (index + 1) * size)
            if len(self._ducked_blocks) >= 3:
                del self._ducked_blocks[min(self._ducked_blocks)]
            self._ducked_blocks[index] = music
        return self._ducked_blocks[index]

    def extend(self, until: int) -> None:
        """Lay the tracks out (looping) until at least ``until``: live play's music runs on
        past the session's end when the lifter rests longer than planned."""
        with self._lock:
            if until <= self._laid_to:
                return
            self._laid_to = max(until, self._laid_to + _EXTEND_BY_S * self.rate)
            self.placements = lay_out(self._lengths, self.envelope.start, self._laid_to,
                                      CROSSFADE_MS * self.rate // 1000)
            self._starts = [p.start for p in self.placements]
            self._close_all()  # the last placement's fade may have changed

    def live(self) -> LiveMusic:
        """This bed for one live player: the music keeps its own clock (see live.py)."""
        return LiveMusic(self)

    def _cached(self, index: int) -> Samples | None:
        if index in self._blocks:
            return self._blocks[index]
        block = self._render(index * self._block, (index + 1) * self._block)
        if len(self._blocks) >= 3:
            del self._blocks[min(self._blocks)]
        self._blocks[index] = block
        return block

    def _render(self, lo: int, hi: int) -> Samples | None:
        first = bisect.bisect_left(self._starts, lo - self._longest + 1)
        last = bisect.bisect_left(self._starts, hi)
        sounding = [i for i in range(first, last) if self.placements[i].stop > lo]
        self._close_except(sounding, lo)
        if not sounding:
            return None
        out = np.zeros(hi - lo, dtype=np.float32)
        for i in sounding:
            self._add(out, lo, i)
        return out

    def close(self) -> None:
        """Close every open file (the bed reopens what it needs if asked again)."""
        with self._lock:
            self._close_all()

    def _close_all(self) -> None:
        self._blocks.clear()
        self._ducked_blocks.clear()
        for track in self._open.values():
            track.close()
        self._open.clear()

    def _add(self, out: Samples, lo: int, index: int) -> None:
        place = self.placements[index]
        track_info = self.tracks[place.track].info
        if track_info.path in self.failed:
            return
        a, b = max(lo, place.start), min(lo + len(out), place.stop)
        track = self._open.get(index)
        if track is None:
            track = self._open[index] = Track(track_info, self.rate)
        try:
            samples = track.read(a - place.start, b - place.start)
        except (RepcueError, RuntimeError, OSError, ValueError) as err:
            self._fail(track_info.path, a, err)
            return
        samples *= self._gains[place.track]
        _crossfade(samples, a - place.start, place)
        out[a - lo : b - lo] += samples

    def _fail(self, path: Path, at: int, err: BaseException) -> None:
        self.failed[path] = str(err)
        seconds = max(0, at - self.envelope.start) // self.rate
        self.warnings.append(f"music: {path} failed at {seconds // 60}:{seconds % 60:02d} "
                             f"({err}); it is skipped from there on")

    def _close_except(self, sounding: list[int], lo: int) -> None:
        behind = lo - _CLOSE_AFTER_MS * self.rate // 1000
        for index in list(self._open):
            place = self.placements[index]
            if index not in sounding and (place.stop < behind or place.start > lo + self.rate):
                self._open.pop(index).close()


def _crossfade(samples: Samples, offset: int, place: Placement) -> None:
    """Equal-power fades at the placement's ends; ``samples`` start ``offset`` into it."""
    stop = offset + len(samples)
    if offset < place.fade_in:
        idx = np.arange(offset, min(stop, place.fade_in))
        samples[: len(idx)] *= np.sin(0.5 * math.pi * idx / place.fade_in).astype(np.float32)
    tail_from = place.length - place.fade_out
    if place.fade_out and stop > tail_from:
        idx = np.arange(max(offset, tail_from), stop)
        left = (place.length - idx) / place.fade_out
        samples[len(samples) - len(idx):] *= np.sin(0.5 * math.pi * left).astype(np.float32)
