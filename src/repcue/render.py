"""The streaming renderer: a Timeline, its speech clips and the tones, as float32 sample blocks.

One renderer feeds the live player and the exporter, so what is exported is, sample for
sample, what is heard. Times stay integer milliseconds until :meth:`Renderer.sample_at`,
the one place they become samples (floor of ``ms * rate / 1000``, after the lead-in).

Memory is bounded by the block size: events are indexed by start sample and each block
mixes only the sounds that overlap it; rests with nothing in them cost a ``np.zeros``.
Internally the session is cut into frames aligned to sample 0; a frame is always computed
the same way, with the same context around it for the limiter, so any block size and any
start point give identical samples.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from repcue.clip import Clip, Samples
from repcue.errors import AudioError
from repcue.limiter import CEILING_DBFS, Limiter
from repcue.resample import resample, resampled_length
from repcue.timeline import EventKind, Timeline
from repcue.tones import TonePalette
from repcue.units import MIX_RATE, db_to_gain, ms_to_samples, raised_cosine

__all__ = ["Bed", "RenderSettings", "Renderer"]

#: Internal frame length in samples. Blocks of any size are cut from frames. Each frame has a
#: fixed cost in Python: 8192 renders the 65-minute long-session ~20 % faster than 4096 did
#: (1.6-1.9 s of CPU against 2.1-2.2 s), to the same samples.
FRAME = 8192
#: Tones fade down this long before speech starts, so the first syllable is already clear...
DUCK_ATTACK_MS = 30
#: ...and come back this slowly after it, so the return is not a jump.
DUCK_RELEASE_MS = 120
#: Lead-in noise level: far below hearing over gym noise, enough to keep earbuds awake.
NOISE_DBFS = -60.0
_NOISE_TABLE = 1 << 16
_NOISE_FADE_MS = 50
#: Resampled speech kept for reuse; older clips are resampled again when needed.
SPEECH_CACHE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class RenderSettings:
    """How a timeline is turned into samples."""

    rate: int = MIX_RATE
    block_size: int = 4096  # samples per block
    lead_in_ms: int = 0  # silence before the first sound, so Bluetooth earbuds are awake
    lead_in_noise: bool = False  # very low noise instead of digital silence in the lead-in
    gain_db: float = 0.0  # on the whole mix before the limiter (the loudness pass sets it)
    duck_db: float = -12.0  # tones under speech drop by this much
    tone_db: float = -14.0  # tone peak level; speech clips come pre-levelled
    ceiling_dbfs: float = CEILING_DBFS  # where the limiter holds the peaks

    def __post_init__(self) -> None:
        if self.rate <= 0:
            raise AudioError(f"render rate must be a positive number of Hz, got {self.rate}")
        if self.block_size <= 0:
            raise AudioError(f"render block_size must be a positive sample count, "
                             f"got {self.block_size}")
        if self.lead_in_ms < 0:
            raise AudioError(f"lead-in must be 0 ms or more, got {self.lead_in_ms}")
        if self.duck_db > 0:
            raise AudioError(f"duck_db must be 0 dB or below, got {self.duck_db}")


class Bed(Protocol):
    """A continuous sound under the cues (a music bed), summed into the mix before the limiter.

    It is added after the mix gain, so its level is its own. The renderer asks for
    overlapping windows (each frame with the limiter's context around it), so the bed must
    give the same value for the same session sample whatever window asks for it.
    """

    def render(self, lo: int, hi: int) -> Samples | None:
        """The bed's session samples ``[lo, hi)``, or None where it is silent.

        ``lo`` may be negative and ``hi`` past the end (the limiter's context).
        """


class _Sounds:
    """Sounds of one kind indexed by start sample, for finding the ones overlapping a span."""

    def __init__(self, placed: list[tuple[int, int, str]]) -> None:
        placed.sort(key=lambda p: (p[0], p[2]))
        self.starts = [p[0] for p in placed]
        self.lengths = [p[1] for p in placed]
        self.keys = [p[2] for p in placed]
        self.longest = max(self.lengths, default=0)

    def overlapping(self, lo: int, hi: int) -> range:
        """Indices of sounds that may overlap [lo, hi), in start order (callers clip to span)."""
        first = bisect.bisect_left(self.starts, lo - self.longest + 1)
        return range(first, bisect.bisect_left(self.starts, hi))


def _rise(n: int) -> Samples:
    return raised_cosine(n).astype(np.float32)


class Renderer:
    """Timeline + speech clips + tone palette -> blocks of mono float32 samples.

    ``timeline``, ``settings``, ``rate``, ``lead_in_samples`` and ``total_samples`` are
    public. A renderer keeps its last frame and a cache of resampled speech, so give each
    thread its own; two renderers of the same inputs give the same samples.
    """

    def __init__(
        self,
        timeline: Timeline,
        clips: Mapping[str, Clip],
        palette: TonePalette,
        settings: RenderSettings = RenderSettings(),
        *,
        bed: Bed | None = None,
    ) -> None:
        self.timeline = timeline
        self._bed = bed
        self.settings = settings
        rate = settings.rate
        self.rate = rate
        self.lead_in_samples = ms_to_samples(settings.lead_in_ms, rate)
        self.total_samples: int = self.sample_at(timeline.duration_ms)

        self._clips = clips
        # Lengths from the clips as spoken: a mastered cue (repcue.mix.voice) keeps its
        # length, and asking the mastered ones would master every cue before the first sound.
        spoken: Mapping[str, Clip] = getattr(clips, "unmastered", clips)
        speech: list[tuple[int, int, str]] = []
        tones: list[tuple[int, int, str]] = []
        self._tones: dict[str, Samples] = {}
        for event in timeline.events:
            if event.kind == EventKind.SPEECH:
                text = event.text
                if text is None or text not in clips:
                    raise AudioError(
                        f"no speech clip for {text!r} (the {event.role} cue at "
                        f"{event.start_ms} ms); synthesise every cue before rendering"
                    )
                clip = spoken[text]
                speech.append((self.sample_at(event.start_ms),
                               resampled_length(len(clip.samples), clip.rate, rate), text))
            elif event.kind == EventKind.TONE:
                if event.role not in self._tones:
                    tone = palette.tone(event.role)
                    self._tones[event.role] = resample(tone.samples, tone.rate, rate)
                length = len(self._tones[event.role])
                tones.append((self.sample_at(event.start_ms), length, event.role))
        self._speech = _Sounds(speech)
        self._tone_sounds = _Sounds(tones)
        self._speech_cache: OrderedDict[str, Samples] = OrderedDict()
        self._speech_cache_bytes = 0

        self._gain = np.float32(db_to_gain(settings.gain_db))
        self._tone_gain = np.float32(db_to_gain(settings.tone_db))
        self._tone_cut = np.float32(db_to_gain(settings.tone_db)
                                    * (1.0 - db_to_gain(settings.duck_db)))
        self._duck_in = _rise(max(1, ms_to_samples(DUCK_ATTACK_MS, rate)))
        self._duck_out = _rise(max(1, ms_to_samples(DUCK_RELEASE_MS, rate)))[::-1].copy()
        self._limiter = Limiter(rate, settings.ceiling_dbfs)
        self._noise = self._noise_table() if settings.lead_in_noise else None
        self._frame_cache: tuple[int, Samples] | None = None

    # --- the public edge: ms -> samples, blocks ----------------------------------------------

    def sample_at(self, ms: int) -> int:
        """Output sample index of timeline time ``ms``: lead-in + floor(ms * rate / 1000)."""
        return self.lead_in_samples + ms_to_samples(ms, self.rate)

    def blocks(self, start_sample: int = 0, stop_sample: int | None = None
               ) -> Iterator[Samples]:
        """Consecutive ``block_size`` blocks from ``start_sample`` to ``stop_sample`` (None:
        the end); the last may be short."""
        stop = self.total_samples if stop_sample is None else stop_sample
        if not 0 <= start_sample <= stop <= self.total_samples:
            raise AudioError(f"sample range {start_sample}..{stop} is outside the session "
                             f"(0 to {self.total_samples})")
        size = self.settings.block_size
        for pos in range(start_sample, stop, size):
            yield self.render_range(pos, min(pos + size, stop))

    def silent_spans(self, shortest: int) -> list[tuple[int, int]]:
        """Sample spans ``[lo, hi)`` of at least ``shortest`` where the render is exact zeros.

        Silence is where no cue or tone sounds (the limiter only scales, so what it sees
        as zero stays zero); a bed may sound anywhere, so with one there is none.
        """
        if self._bed is not None:
            return []
        sounds = sorted((start, start + length)
                        for kind in (self._speech, self._tone_sounds)
                        for start, length in zip(kind.starts, kind.lengths, strict=True))
        spans = []
        quiet_from = self.lead_in_samples if self._noise is not None else 0
        for start, stop in [*sounds, (self.total_samples, self.total_samples)]:
            if start - quiet_from >= shortest:
                spans.append((quiet_from, start))
            quiet_from = max(quiet_from, stop)
        return spans

    def forget(self) -> None:
        """Drop the frame kept for the next call: a live bed (player/feed.py) has changed
        what the samples around it sound like."""
        self._frame_cache = None

    def render_range(self, start: int, stop: int) -> Samples:
        """Samples [start, stop) of the session, exactly as a full render would have them."""
        if not 0 <= start <= stop <= self.total_samples:
            raise AudioError(f"sample range {start}..{stop} is outside the session "
                             f"(0 to {self.total_samples})")
        out = np.empty(stop - start, dtype=np.float32)
        pos = start
        while pos < stop:
            index, offset = divmod(pos, FRAME)
            frame = self._frame(index)
            take = min(len(frame) - offset, stop - pos)
            out[pos - start : pos - start + take] = frame[offset : offset + take]
            pos += take
        return out

    # --- frames ------------------------------------------------------------------------------

    def _frame(self, index: int) -> Samples:
        if self._frame_cache is not None and self._frame_cache[0] == index:
            return self._frame_cache[1]
        lo = index * FRAME
        hi = min(lo + FRAME, self.total_samples)
        limiter = self._limiter
        window = self._mix(lo - limiter.before, hi + limiter.after)
        frame = (np.zeros(hi - lo, dtype=np.float32) if window is None
                 else limiter.apply(window))
        self._frame_cache = (index, frame)
        return frame

    def _mix(self, lo: int, hi: int) -> Samples | None:
        """The mix over [lo, hi) before limiting, or None when it is all silence."""
        speech = self._speech.overlapping(lo, hi)
        tones = self._tone_sounds.overlapping(lo, hi)
        noisy = self._noise is not None and lo < self.lead_in_samples
        bed = None if self._bed is None else self._bed.render(lo, hi)
        if not speech and not tones and not noisy and bed is None:
            return None
        mix = np.zeros(hi - lo, dtype=np.float32)
        end = self.total_samples
        for i in speech:
            key = self._speech.keys[i]
            _add(mix, lo, self._speech.starts[i], self._speech_samples(key), end)
        if tones:
            ducked = self._tone_gains(lo, hi)
            for i in tones:
                sound = self._tones[self._tone_sounds.keys[i]]
                _add(mix, lo, self._tone_sounds.starts[i], sound, end,
                     self._tone_gain if ducked is None else ducked)
        if self._gain != 1.0:
            mix *= self._gain
        if bed is not None:  # the one place a continuous source joins (mix/master.py)
            mix += bed
        if noisy:
            self._add_noise(mix, lo)
        return mix

    def _tone_gains(self, lo: int, hi: int) -> Samples | None:
        """Tone gain over [lo, hi): ``tone_db``, ducked smoothly around each speech clip."""
        ahead, behind = len(self._duck_in), len(self._duck_out)
        near = self._speech.overlapping(lo - behind, hi + ahead)
        if not near:
            return None
        depth = np.zeros(hi - lo, dtype=np.float32)
        for i in near:
            start = self._speech.starts[i]
            stop = start + self._speech.lengths[i]
            _peak(depth, lo, start - ahead, self._duck_in)
            a, b = max(start, lo), min(stop, hi)
            if a < b:
                depth[a - lo : b - lo] = 1.0
            _peak(depth, lo, stop, self._duck_out)
        if not np.any(depth):
            return None
        return self._tone_gain - depth * self._tone_cut

    # --- sources -----------------------------------------------------------------------------

    def _speech_samples(self, text: str) -> Samples:
        cached = self._speech_cache.get(text)
        if cached is not None:
            self._speech_cache.move_to_end(text)
            return cached
        clip = self._clips[text]
        samples = resample(clip.samples, clip.rate, self.rate)
        self._speech_cache[text] = samples
        self._speech_cache_bytes += samples.nbytes
        while self._speech_cache_bytes > SPEECH_CACHE_BYTES and len(self._speech_cache) > 1:
            _, old = self._speech_cache.popitem(last=False)
            self._speech_cache_bytes -= old.nbytes
        return samples

    def _noise_table(self) -> Samples:
        # A fixed seed and a table read by absolute sample keep the noise identical however
        # the session is cut into blocks.
        rng = np.random.default_rng(20261125)
        return (rng.standard_normal(_NOISE_TABLE) * db_to_gain(NOISE_DBFS)).astype(np.float32)

    def _add_noise(self, mix: Samples, lo: int) -> None:
        assert self._noise is not None
        a, b = max(lo, 0), min(lo + len(mix), self.lead_in_samples)
        if a >= b:
            return
        idx = np.arange(a, b)
        noise = self._noise[idx % _NOISE_TABLE]
        fade = min(self.lead_in_samples // 2, ms_to_samples(_NOISE_FADE_MS, self.rate))
        if fade > 0:
            ramp = _rise(fade)
            head = idx < fade
            noise[head] *= ramp[idx[head]]
            tail = idx >= self.lead_in_samples - fade
            noise[tail] *= ramp[self.lead_in_samples - 1 - idx[tail]]
        mix[a - lo : b - lo] += noise


def _add(mix: Samples, lo: int, start: int, sound: Samples, end: int,
         gain: Samples | np.float32 | None = None) -> None:
    """Add ``sound`` placed at ``start`` into ``mix`` (which begins at ``lo``), within [0, end).

    ``gain`` is one level or a per-sample level aligned with ``mix``.
    """
    a = max(start, lo, 0)
    b = min(start + len(sound), lo + len(mix), end)
    if a >= b:
        return
    part = sound[a - start : b - start]
    if isinstance(gain, np.ndarray):
        part = part * gain[a - lo : b - lo]
    elif gain is not None:
        part = part * gain
    mix[a - lo : b - lo] += part


def _peak(depth: Samples, lo: int, start: int, ramp: Samples) -> None:
    """Raise ``depth`` to ``ramp`` placed at sample ``start`` where they overlap."""
    a, b = max(start, lo), min(start + len(ramp), lo + len(depth))
    if a < b:
        np.maximum(depth[a - lo : b - lo], ramp[a - start : b - start],
                   out=depth[a - lo : b - lo])
