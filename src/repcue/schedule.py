"""Place the plan's speech on the clock, given how long each phrase takes to say.

Pure: durations come in through a function (an estimate, or the measured length
of a synthesised clip). The rigid grid never moves; flexible segments grow to fit
their speech; a rep cue that cannot fit is moved within its window, shortened to
its brief variant, or dropped, lowest priority first. Every such decision becomes
a warning, counted per exercise so a long session gives a readable list.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from repcue.plan import Plan
from repcue.segments import Context, Cue, Flex, Mark, Rigid, SegmentName
from repcue.timeline import Event, EventKind, MarkerRole, Role, Timeline

#: Silence between two phrases, so cues don't run together.
GAP_MS = 250
#: Flexible segments that have a time budget; growing past it is worth a warning.
BUDGETED = {SegmentName.PRESET: "pre-set window", SegmentName.BETWEEN: "gap between reps",
            SegmentName.SWITCH: "side switch", SegmentName.REST: "rest",
            SegmentName.SET: "set-up lead"}
#: Events starting together: the chapter marker first, the speech last.
_KIND_ORDER = {EventKind.MARKER: 0, EventKind.PHASE: 1, EventKind.TONE: 2, EventKind.SPEECH: 3}

DurationOf = Callable[[str], int]


def estimate_ms(text: str) -> int:
    """A speaking-time guess (about 170 words a minute plus pauses) for planning without audio."""
    words = len(text.split())
    pauses = len(re.findall(r"[.,;:!?]", text))
    return 200 + 350 * words + 120 * pauses


@dataclass
class _Tally:
    count: int = 0
    most_ms: int = 0


@dataclass
class _Warnings:
    tallies: dict[tuple[str, str], _Tally] = field(default_factory=dict)

    def add(self, exercise: str | None, what: str, ms: int = 0) -> None:
        tally = self.tallies.setdefault((exercise or "session", what), _Tally())
        tally.count += 1
        tally.most_ms = max(tally.most_ms, ms)

    def lines(self) -> tuple[str, ...]:
        out = []
        for (where, what), tally in self.tallies.items():
            times = "once" if tally.count == 1 else f"{tally.count} times"
            extra = f" (up to +{tally.most_ms / 1000:.1f} s)" if tally.most_ms else ""
            out.append(f"{where}: {what} {times}{extra}")
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Span:
    """Where one plan segment landed: its name and [start, end) in ms."""

    name: SegmentName
    start_ms: int
    end_ms: int


@dataclass(frozen=True, slots=True)
class Layout:
    timeline: Timeline
    spans: tuple[Span, ...]


def schedule(plan: Plan, duration_of: DurationOf = estimate_ms) -> Timeline:
    """The timeline of ``plan`` with every phrase placed; see ``layout`` for segment spans."""
    return layout(plan, duration_of).timeline


def layout(plan: Plan, duration_of: DurationOf = estimate_ms) -> Layout:
    events: list[Event] = []
    spans: list[Span] = []
    warnings = _Warnings()
    t = 0
    finish_at: int | None = None
    for seg in plan.segments:
        if isinstance(seg, Flex):
            if seg.name == SegmentName.FINISH:
                finish_at = t
            length = _place_flex(seg, t, duration_of, events, warnings)
        else:
            length = _place_rigid(seg, t, duration_of, events, warnings)
        spans.append(Span(seg.name, t, t + length))
        t += length
    events = _close_markers(events, finish_at if finish_at is not None else t)
    events.sort(key=lambda e: (e.start_ms, _KIND_ORDER[e.kind]))
    timeline = Timeline(plan.workout_id, plan.title, t, tuple(events),
                        plan.warnings + warnings.lines())
    return Layout(timeline, tuple(spans))


def _event(start: int, end: int, kind: EventKind, role: Role, ctx: Context,
           text: str | None = None) -> Event:
    return Event(start, end, kind, role, text, ctx.exercise, ctx.set, ctx.side, ctx.rep)


def _speech(start: int, end: int, cue: Cue, text: str) -> Event:
    return _event(start, end, EventKind.SPEECH, cue.role, cue.context, text)


def _marks(marks: tuple[Mark, ...], t: int, events: list[Event]) -> None:
    for m in marks:
        start = t + m.offset_ms
        events.append(_event(start, start + m.duration_ms, m.kind, m.role, m.context, m.text))


def _place_flex(seg: Flex, t: int, duration_of: DurationOf, events: list[Event],
                warnings: _Warnings) -> int:
    _marks(seg.marks, t, events)
    cursor = t
    for cue in seg.head:
        cursor += GAP_MS
        d = duration_of(cue.text)
        events.append(_speech(cursor, cursor + d, cue, cue.text))
        cursor += d
    need = cursor - t + (GAP_MS if seg.head else 0)
    tail_ms = sum(GAP_MS + duration_of(c.text) for c in seg.tail)
    if seg.tail:
        need += max(seg.tail_lead_ms, tail_ms)
    length = max(seg.base_ms, need)
    if length > seg.base_ms and seg.name in BUDGETED:
        what = f"{BUDGETED[seg.name]} grew to fit speech"
        warnings.add(seg.context.exercise, what, length - seg.base_ms)
    if seg.tail:
        cursor = t + length - max(seg.tail_lead_ms, tail_ms)
        for cue in seg.tail:
            cursor += GAP_MS
            d = duration_of(cue.text)
            events.append(_speech(cursor, cursor + d, cue, cue.text))
            cursor += d
    return length


def _place_rigid(seg: Rigid, t: int, duration_of: DurationOf, events: list[Event],
                 warnings: _Warnings) -> int:
    _marks(seg.marks, t, events)
    taken: list[tuple[int, int]] = []
    for cue in sorted(seg.cues, key=lambda c: (c.priority, c.at_ms)):
        placed = _fit(cue, cue.text, duration_of(cue.text), taken)
        text = cue.text
        if placed is None and cue.brief:
            placed = _fit(cue, cue.brief, duration_of(cue.brief), taken)
            text = cue.brief
            if placed is not None:
                warnings.add(cue.context.exercise, f"{_label(cue)} shortened to fit the rep")
        if placed is None:
            warnings.add(cue.context.exercise, f"{_label(cue)} dropped (no room in the rep)")
            continue
        start, end = placed
        if not cue.align_end and start != cue.at_ms:
            warnings.add(cue.context.exercise, f"{_label(cue)} moved later in the rep",
                         start - cue.at_ms)
        taken.append((start, end))
        events.append(_speech(t + start, t + end, cue, text))
    return seg.duration_ms


def _label(cue: Cue) -> str:
    return "phase word" if cue.phase_word else f"{cue.role} cue"


def _fit(cue: Cue, text: str, d: int, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The start nearest the cue's wish where ``d`` ms fit its window without overlap."""
    lo, hi = cue.at_ms, cue.latest_end_ms - d
    if hi < lo:
        return None
    # Candidate starts: the wish, and just after each taken interval (or just before, when
    # aligned to the end). The first candidate that is free wins.
    if cue.align_end:
        candidates = sorted({hi, *(s - d for s, _ in taken)}, reverse=True)
    else:
        candidates = sorted({lo, *(e + GAP_MS for _, e in taken)})
    for start in candidates:
        if lo <= start <= hi and all(start + d <= s or start >= e for s, e in taken):
            return start, start + d
    return None


#: Marker levels: a marker ends at the next one of its level or a higher (smaller) one.
_LEVEL = {MarkerRole.EXERCISE: 0, MarkerRole.SET: 1, MarkerRole.REST: 1, MarkerRole.READY: 2}


def _close_markers(events: list[Event], finish_at: int) -> list[Event]:
    """Give each chapter marker its end: the next marker of its level or higher, or the finish."""
    markers = sorted((e for e in events if e.kind == EventKind.MARKER), key=lambda e: e.start_ms)
    others = [e for e in events if e.kind != EventKind.MARKER]
    closed = []
    for i, m in enumerate(markers):
        end = finish_at
        for later in markers[i + 1:]:
            if _LEVEL[MarkerRole(later.role)] <= _LEVEL[MarkerRole(m.role)]:
                end = later.start_ms
                break
        closed.append(Event(m.start_ms, max(end, m.start_ms), m.kind, m.role, m.text, m.exercise,
                            m.set, m.side, m.rep))
    return others + closed
