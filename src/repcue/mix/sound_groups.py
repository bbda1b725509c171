"""The loudness of a session at a gain, from each distinct group of sounds rendered once.

A workout repeats itself: the same count over the same tone at the same offsets, set after
set, with silence between. Sounds less than GAP_MS apart form one group; further apart,
nothing of one reaches the other (ducking reaches 120 ms, the limiter a few, the
K-weighting's ring-down 80 ms), so the K-weighted mix is the sum of its groups, each
alone. Each distinct group is rendered through the real renderer (gain, ducking, limiter),
K-weighted, and its energy per 100 ms step read off a running sum wherever it sits.
Silence costs nothing and repeats cost a few array lookups: a pass over the 65-minute
long-session renders 2.7 minutes of audio (104 distinct groups of 1607; 0.2-0.35 s a
pass, against 3.4 s to render and meter the whole session) and reads the loudness a
full render would, to 0.001 LU: a measurement of the mix, not a model of it. Two
approximations, both far below that: a group's later sounds may sit one sample off
their place in the session (groups are keyed by ms offsets from their first sound, so
repeats match), and lead-in noise is left out.

Groups are cut at MAX_GROUP_MS even without a gap, so memory stays bounded for a session
that never falls silent; there the cut joins are estimated (a few ms of limiter and
ducking context), and the writing pass, which measures every sample, has the last word.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from repcue.clip import Clip, Samples
from repcue.mix.loudness import Floats, gated_loudness, k_weighted
from repcue.mix.voice import unmastered
from repcue.render import Renderer, RenderSettings
from repcue.timeline import Event, EventKind, Role, Timeline
from repcue.tones import TonePalette
from repcue.units import ms_to_samples

#: Sees each distinct group's render and how many copies of it the session holds.
Weigh = Callable[[Samples, int], None]

#: Sounds closer than this share a group: more than ducking's release (120 ms) and the
#: K-weighting's ring-down (~80 ms), so separate groups never touch.
GAP_MS = 200
#: Margin rendered around a group: its sounds' lengths are rounded to whole ms.
MARGIN_MS = 20
#: Longest group rendered at once (memory), even when the sounds never pause.
MAX_GROUP_MS = 30_000


@dataclass(frozen=True)
class Loudness:
    """What a pass measures: integrated loudness (LUFS) and the largest sample magnitude."""

    lufs: float
    sample_peak: float


@dataclass(frozen=True)
class Group:
    """What a window of the session holds (times in ms from the window's start).

    Equal groups are the same sound, wherever they sit in the session.
    """

    lead_ms: int  # silence before the first sound
    length_ms: int
    sounds: tuple[tuple[EventKind, str, int], ...]  # kind, clip text or tone role, start
    #: Each sound's role where the group was first found, to rebuild its events; not part
    #: of what makes two groups the same sound.
    roles: tuple[Role, ...] = field(default=(), compare=False)


def _groups(timeline: Timeline, clips: Mapping[str, Clip],
            palette: TonePalette) -> list[tuple[int, Group]]:
    """Every group with the time (ms) of its first sound."""
    sounds: list[tuple[int, int, EventKind, str, Role]] = []
    spoken = unmastered(clips)  # lengths only: no need to master the cues for them
    for event in timeline.events:
        if event.kind == EventKind.SPEECH and event.text is not None and event.text in spoken:
            length, key = spoken[event.text].duration_ms, event.text
        elif event.kind == EventKind.TONE:
            length, key = palette.tone(event.role).duration_ms, str(event.role)
        else:
            continue
        sounds.append((event.start_ms, event.start_ms + length + 1, event.kind, key, event.role))
    sounds.sort()
    groups: list[tuple[int, Group]] = []
    members: list[tuple[int, int, EventKind, str, Role]] = []

    def close() -> None:
        first = members[0][0]
        lead = min(MARGIN_MS, first)
        stop = min(timeline.duration_ms, max(s[1] for s in members) + MARGIN_MS)
        placed = tuple((kind, key, start - first + lead) for start, _, kind, key, _ in members)
        roles = tuple(role for *_, role in members)
        groups.append((first, Group(lead, stop - first + lead, placed, roles)))

    end = 0
    for sound in sounds:
        if members and (sound[0] >= end + GAP_MS or sound[0] - members[0][0] > MAX_GROUP_MS):
            close()
            members = []
        if not members:
            end = sound[1]
        members.append(sound)
        end = max(end, sound[1])
    if members:
        close()
    return groups


class SoundGroups:
    """A session cut into groups of sounds; :meth:`loudness` measures the mix at a gain."""

    def __init__(self, timeline: Timeline, clips: Mapping[str, Clip], palette: TonePalette,
                 settings: RenderSettings) -> None:
        self._timeline = timeline
        self._clips = clips
        self._palette = palette
        self._settings = replace(settings, lead_in_ms=0, lead_in_noise=False)
        self.rate = settings.rate
        whole = Renderer(timeline, clips, palette, settings)  # checks every cue has a clip
        self._total = whole.total_samples
        self._step = self.rate // 10
        #: Each distinct group, and the session sample at which each copy of it starts.
        self.places: dict[Group, list[int]] = {}
        for first_ms, group in _groups(timeline, clips, palette):
            start = whole.sample_at(first_ms) - ms_to_samples(group.lead_ms, self.rate)
            self.places.setdefault(group, []).append(start)

    def render(self, group: Group, gain_db: float) -> Samples:
        """The group alone, as the session's renderer would mix it at ``gain_db``."""
        events = tuple(Event(at, at, kind, role, text=key if kind == EventKind.SPEECH else None)
                       for (kind, key, at), role in zip(group.sounds, group.roles, strict=True))
        window = Timeline(self._timeline.workout_id, self._timeline.title, group.length_ms,
                          events)
        renderer = Renderer(window, self._clips, self._palette,
                            replace(self._settings, gain_db=gain_db))
        return renderer.render_range(0, renderer.total_samples)

    def loudness(self, gain_db: float, weigh: Weigh | None = None) -> Loudness:
        """Integrated loudness and sample peak of the whole mix at ``gain_db``.

        ``weigh`` sees each distinct group's render and how many copies the session holds.
        """
        step = self._step
        steps: Floats = np.zeros(self._total // step)
        peak = 0.0
        for group, starts in self.places.items():
            samples = self.render(group, gain_db)
            if len(samples) == 0:
                continue
            peak = max(peak, float(np.max(np.abs(samples))))
            if weigh is not None:
                weigh(samples, len(starts))
            weighted = k_weighted(samples, self.rate)
            running = np.concatenate(([0.0], np.cumsum(weighted * weighted)))
            size = len(weighted)
            for start in starts:
                first, last = start // step, min((start + size - 1) // step, len(steps) - 1)
                if last < first:
                    continue
                edges = np.clip(np.arange(first, last + 2) * step - start, 0, size)
                steps[first:last + 1] += np.diff(running[edges])
        return Loudness(gated_loudness(steps, step), peak)

