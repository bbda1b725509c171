"""The pieces a plan is made of: segments of a session and the cues and marks in them.

The planner (``plan``) decides which segments a session has and what the coach wants to
say in each; ``schedule`` lays them end to end and places the speech. Segments are rigid
(the rep grid and countdowns, which speech never moves) or flexible (intro, announcement,
pre-set window, side switch, rest), which may grow to fit what is said.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from repcue.timeline import EventKind, Role, SpeechRole

#: Speech priority inside a rep: lower numbers win when two cues want the same time.
PRIORITY = {SpeechRole.GO: 0, SpeechRole.COUNTDOWN: 0, SpeechRole.COUNT: 1, SpeechRole.FORM: 3}
OTHER_PRIORITY = 3
#: A go word for a later phase of the rep ("Lower.") gives way to everything else.
PHASE_WORD_PRIORITY = 4


class SegmentName(StrEnum):
    """The stretches a plan is made of; ``schedule`` lays them end to end."""

    INTRO = "intro"
    ANNOUNCE = "announce"  # an exercise: what it is, how to set up
    SET = "set"  # "Set two of three." and time to get in position
    SWITCH = "switch"  # the other side
    PRESET = "preset"  # the pre-set window before a rep
    BETWEEN = "between"  # a halfway or last-rep call before a rep
    REP = "rep"  # rigid: the movement grid
    COUNTDOWN = "countdown"  # rigid
    REST = "rest"
    WAIT = "wait"  # a rest that waits for the lifter (live play): looped until they are ready
    FINISH = "finish"


@dataclass(frozen=True, slots=True)
class Context:
    """Where in the session something happens, copied onto every event."""

    exercise: str | None = None
    set: int | None = None
    side: str | None = None
    rep: int | None = None


@dataclass(frozen=True, slots=True)
class Cue:
    """A phrase the coach wants to say.

    In a rigid segment it is placed at ``at_ms`` (relative to the segment) and may
    move later, but must end by ``latest_end_ms``; ``align_end`` places it to end
    there instead (rep counts land as the rep finishes).
    """

    role: SpeechRole
    text: str
    context: Context
    brief: str | None = None
    at_ms: int = 0
    latest_end_ms: int = 0
    align_end: bool = False
    #: A go word for a later phase of the rep, said mid-rep (warnings call it a phase word).
    phase_word: bool = False

    @property
    def priority(self) -> int:
        """Lower wins when two cues in a rep want the same time."""
        return PHASE_WORD_PRIORITY if self.phase_word else PRIORITY.get(self.role, OTHER_PRIORITY)


@dataclass(frozen=True, slots=True)
class Mark:
    """A silent or tone event at a fixed offset in a segment (phases, tones, chapter markers)."""

    offset_ms: int
    duration_ms: int
    kind: EventKind
    role: Role
    context: Context
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Flex:
    """A segment that grows to fit its speech: head cues in order, tail cues before the end."""

    name: SegmentName
    base_ms: int
    context: Context
    head: tuple[Cue, ...] = ()
    tail: tuple[Cue, ...] = ()
    #: Tail cues start this long before the segment ends (e.g. "Ten seconds.").
    tail_lead_ms: int = 0
    marks: tuple[Mark, ...] = ()


@dataclass(frozen=True, slots=True)
class Rigid:
    """A fixed stretch of the movement grid (a rep, a countdown): its length never changes."""

    name: SegmentName
    duration_ms: int
    context: Context
    marks: tuple[Mark, ...] = ()
    cues: tuple[Cue, ...] = ()


Segment = Flex | Rigid
