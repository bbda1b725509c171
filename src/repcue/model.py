"""The workout as a lifter describes it: exercises, tempo, phases and sides.

Everything here is frozen and checked when it is built, so a bad tempo fails where
it is written, not deep in the renderer. Times are integer milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class Phase(StrEnum):
    """One part of a rep, named as in the ``E-B-C-T`` tempo convention (plus isometric holds)."""

    ECCENTRIC = "eccentric"
    BOTTOM = "bottom"
    CONCENTRIC = "concentric"
    TOP = "top"
    HOLD = "hold"


#: The order of the four tempo phases: a rep cycles through them from its starting phase.
TEMPO_ORDER: tuple[Phase, ...] = (Phase.ECCENTRIC, Phase.BOTTOM, Phase.CONCENTRIC, Phase.TOP)

#: "X" (explosive) in a tempo: as fast as possible, which still takes time on a real bar.
EXPLOSIVE_MS = 600

_PART = r"\s*([0-9.]+|[xX])\s*"
_TEMPO_RE = re.compile(rf"^{_PART}-{_PART}-{_PART}-{_PART}$")
MAX_PHASE_MS = 60_000
#: Each tempo phase as a lifter names it, for messages.
_PHASE_WORDS = {
    Phase.ECCENTRIC: "eccentric (lowering)",
    Phase.BOTTOM: "bottom pause",
    Phase.CONCENTRIC: "concentric (lifting)",
    Phase.TOP: "top pause",
}


class PresetMode(StrEnum):
    """When the lower-back pre-set cue is spoken."""

    EVERY_REP = "every-rep"
    EVERY_SET = "every-set"
    FIRST_REP = "first-rep"
    OFF = "off"


class Verbosity(StrEnum):
    """How much the coach talks, from teaching everything to counting only."""

    COACH = "coach"
    STANDARD = "standard"
    BRIEF = "brief"
    MINIMAL = "minimal"


class Sides(StrEnum):
    """Whether a set works both sides at once or each side in turn."""

    BOTH = "both"
    EACH = "each"


@dataclass(frozen=True, slots=True)
class Tempo:
    """Seconds per phase in ``E-B-C-T`` order, held as integer milliseconds."""

    eccentric_ms: int
    bottom_ms: int
    concentric_ms: int
    top_ms: int

    def __post_init__(self) -> None:
        for phase in TEMPO_ORDER:
            value = self.phase_ms(phase)
            if not isinstance(value, int) or value < 0 or value > MAX_PHASE_MS:
                shown = f"{value / 1000:g} s" if isinstance(value, int) else repr(value)
                raise ValueError(f"the {_PHASE_WORDS[phase]} is {shown}; each phase is 0 to "
                                 f"{MAX_PHASE_MS // 1000} s")
        if self.rep_ms <= 0:
            raise ValueError("a tempo of all zeros has no movement")

    @classmethod
    def parse(cls, text: str) -> Tempo:
        """Parse ``"3-1-1-0"`` or ``"2-0-X-1"``; raise ValueError with what is allowed."""
        match = _TEMPO_RE.match(text)
        if not match:
            raise ValueError(f"{text.strip() or 'an empty tempo'} is not four numbers of "
                             "seconds E-B-C-T like 3-1-1-0")
        values: list[int] = []
        for phase, part in zip(TEMPO_ORDER, match.groups(), strict=True):
            if part in ("x", "X"):
                values.append(EXPLOSIVE_MS)
                continue
            try:
                seconds = float(part)
            except ValueError:
                raise ValueError(f"the {_PHASE_WORDS[phase]}, {part}, is not a number of "
                                 "seconds") from None
            if seconds * 1000 > MAX_PHASE_MS:
                raise ValueError(f"the {_PHASE_WORDS[phase]} is {part} s, longer than "
                                 f"{MAX_PHASE_MS // 1000} s")
            values.append(round(seconds * 1000))
        return cls(*values)

    def phase_ms(self, phase: Phase) -> int:
        return {
            Phase.ECCENTRIC: self.eccentric_ms,
            Phase.BOTTOM: self.bottom_ms,
            Phase.CONCENTRIC: self.concentric_ms,
            Phase.TOP: self.top_ms,
        }[phase]

    @property
    def rep_ms(self) -> int:
        return self.eccentric_ms + self.bottom_ms + self.concentric_ms + self.top_ms

    def phases_from(self, start: Phase) -> tuple[tuple[Phase, int], ...]:
        """The phases of one rep in order from ``start``, skipping zero-length ones."""
        if start not in TEMPO_ORDER:
            raise ValueError(f"a rep starts with one of {', '.join(TEMPO_ORDER)}")
        i = TEMPO_ORDER.index(start)
        order = TEMPO_ORDER[i:] + TEMPO_ORDER[:i]
        return tuple((p, self.phase_ms(p)) for p in order if self.phase_ms(p) > 0)

    def __str__(self) -> str:
        def fmt(ms: int) -> str:
            return f"{ms / 1000:g}"

        return "-".join(
            fmt(v) for v in (self.eccentric_ms, self.bottom_ms, self.concentric_ms, self.top_ms)
        )


def _frozen(mapping: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, slots=True)
class Exercise:
    """An exercise from the library: what it trains, how to set up, and what the coach says."""

    id: str
    name: str
    targets: tuple[str, ...]
    stabiliser: str
    equipment: tuple[str, ...]
    explanation: str
    setup: tuple[str, ...]
    preset_cues: tuple[str, ...]
    go_cues: Mapping[Phase, str]
    form_cues: tuple[str, ...]
    mistakes: tuple[str, ...]
    #: Raw timing knobs from the file's ``[defaults]`` table, validated by ``timing``.
    defaults: Mapping[str, Any] = field(default_factory=dict)
    source: str = "<memory>"

    def __post_init__(self) -> None:
        object.__setattr__(self, "go_cues", _frozen(self.go_cues))
        object.__setattr__(self, "defaults", _frozen(self.defaults))


@dataclass(frozen=True, slots=True)
class WorkoutEntry:
    """One exercise in a workout, with the timing it overrides for that workout."""

    exercise: Exercise
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "overrides", _frozen(self.overrides))


@dataclass(frozen=True, slots=True)
class Workout:
    """A session: exercises in order, the words that open it, and shared timing."""

    id: str
    title: str
    intro: tuple[str, ...]
    entries: tuple[WorkoutEntry, ...]
    timing: Mapping[str, Any] = field(default_factory=dict)
    seed: int = 0
    source: str = "<memory>"

    def __post_init__(self) -> None:
        if not self.entries:
            raise ValueError("a workout needs at least one exercise")
        object.__setattr__(self, "timing", _frozen(self.timing))
