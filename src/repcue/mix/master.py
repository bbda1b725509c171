"""One mastered session: what play and export both take, so both sound the same.

``master()`` turns a prepared session (its timeline and speech clips) and a tone palette
into a :class:`Mix`: every cue mastered (levelled, its loudest syllables ridden down:
voice.py), the render settings at the mix rate, and the gain that brings the limited mix
to the target loudness (found by measuring, gain_search.py, or remembered from an earlier
measurement of the same session, remembered_gain.py). Every output takes the same render:
the limiter's ceiling (-2 dBFS) is the room lossy codecs need for the peaks they add, so
nothing is rendered hotter and scaled down afterwards, and a WAV or MP3 export is what
live play sends, sample for sample.

Signal path of one renderer frame (render.py, ``Renderer._mix`` then ``_frame``)::

    speech clips, mastered ─┐
    tones, ducked ──────────┴─ sum ─ × gain ─ + bed ─ + lead-in noise ─ limiter ─ blocks
                                      ▲
                                      └─ where a continuous source (the music bed) is summed

The music bed enters here: pass ``bed=`` to :func:`master` (a :class:`repcue.render.Bed`:
``render(lo, hi)`` returns session samples ``[lo, hi)`` or None, the same values for the
same sample whatever window asks, so any frame and any start point sound the same). It
is added after the measured gain, so its level is its own (set relative to the target
loudness); the gain search measures voice and tones alone (sound groups rely on the
session repeating itself, which a bed does not); the limiter sees the whole mix. A bed
that ducks under speech reads the speech spans from the timeline with the renderer's
rounding (``Renderer.sample_at``: lead-in plus ``ms_to_samples``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from repcue.clip import Clip
from repcue.mix.gain_search import MEASURE_RATE, PeakProfile, Progress, find_gain, palette_at
from repcue.mix.remembered_gain import level_key, recall, remember
from repcue.mix.sound_groups import Loudness, SoundGroups
from repcue.mix.voice import master_cues
from repcue.render import Bed, Renderer, RenderSettings
from repcue.timeline import Timeline
from repcue.tones import TonePalette
from repcue.units import MIX_RATE, db_to_gain

#: Spoken word in mono. -16 LUFS is the podcast norm for stereo files; a mono file plays in
#: both ears and is heard about 3 dB louder, so mono speech aims at -19 (same -1 dBTP).
#: Louder targets are the lifter's choice (--loudness), paid for in the voice's peaks.
DEFAULT_TARGET_LUFS = -19.0
#: What an output takes off the mix on the way out: nothing, for every output, since the
#: limiter's ceiling leaves the codecs their room. Kept for callers that scale by it.
PCM_HEADROOM_DB = 0.0


@dataclass(frozen=True)
class Mix:
    """A session ready to be heard: timeline, clips and tones at a known rate and gain.

    Build one with :func:`master`; ask it for a :meth:`renderer` per thread that reads it.
    """

    timeline: Timeline
    clips: Mapping[str, Clip]
    palette: TonePalette  # at settings.rate (or twice it: the renderer resamples)
    settings: RenderSettings  # rate, lead-in and the measured gain
    #: Taken off by the output (export scales by ``output_gain``; play sends samples as is).
    headroom_db: float = PCM_HEADROOM_DB
    bed: Bed | None = None

    @property
    def rate(self) -> int:
        return self.settings.rate

    @property
    def gain_db(self) -> float:
        return self.settings.gain_db

    @property
    def lead_in_ms(self) -> int:
        return self.settings.lead_in_ms

    @property
    def output_gain(self) -> float:
        """The factor that takes the headroom off again on the way out."""
        return db_to_gain(-self.headroom_db)

    def renderer(self, block_size: int | None = None) -> Renderer:
        """A new renderer of this mix (each keeps its own frame and speech cache)."""
        settings = self.settings if block_size is None else replace(self.settings,
                                                                    block_size=block_size)
        return Renderer(self.timeline, self.clips, self.palette, settings, bed=self.bed)


def master(
    timeline: Timeline,
    clips: Mapping[str, Clip],
    palette: TonePalette,
    *,
    rate: int = MIX_RATE,
    lead_in_ms: int = 0,
    lead_in_noise: bool = False,
    target_lufs: float = DEFAULT_TARGET_LUFS,
    headroom_db: float = PCM_HEADROOM_DB,
    remember_in: Path | None = None,
    bed: Bed | None = None,
    progress: Progress | None = None,
) -> Mix:
    """The session at ``rate``, with the gain that brings it to ``target_lufs + headroom_db``.

    With ``remember_in`` (a cache folder) the gain found for the same session and settings
    is read back instead of measured, and a new one is kept there for next time.
    """
    clips = master_cues(clips)
    palette = palette_at(palette, rate)  # tones halved once here, not per renderer
    settings = RenderSettings(rate=rate, lead_in_ms=lead_in_ms, lead_in_noise=lead_in_noise)
    level = target_lufs + headroom_db
    path = None
    if remember_in is not None:
        key = level_key(timeline, clips, palette, settings, level)
        path = remember_in / "levels" / f"{key}.gain"
        remembered = recall(path)
        if remembered is not None:
            return Mix(timeline, clips, palette, replace(settings, gain_db=remembered),
                       headroom_db, bed)
    gain_db = measured_gain(timeline, clips, palette, settings, level, progress)
    if path is not None:
        remember(path, gain_db)
    return Mix(timeline, clips, palette, replace(settings, gain_db=gain_db), headroom_db, bed)


def measured_gain(timeline: Timeline, clips: Mapping[str, Clip], palette: TonePalette,
                  settings: RenderSettings, level_lufs: float,
                  progress: Progress | None = None) -> float:
    """The gain (dB) at which the limited mix of voice and tones measures ``level_lufs``."""
    groups = SoundGroups(timeline, clips, palette_at(palette, MEASURE_RATE),
                         replace(settings, rate=MEASURE_RATE))

    def measure(gain_db: float, profile: PeakProfile | None) -> Loudness:
        return groups.loudness(gain_db, None if profile is None else profile.add)

    return find_gain(measure, level_lufs, progress)
