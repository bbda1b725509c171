"""Turn a workout and its timing into abstract cues on the rigid movement grid.

The plan knows what the coach wants to say and where, but not how long each phrase
takes: ``schedule`` places the speech once durations are known (estimated, or
measured from real clips). Segments alternate between rigid ones (the rep grid and
countdowns, which speech never moves) and flexible ones (intro, announcement,
pre-set window, side switch, rest), which may grow to fit what is said.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from repcue.model import Exercise, Phase, PresetMode, Sides, Verbosity, Workout
from repcue.timing import Layer, Timing, resolve

NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()
TENS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy",
        80: "eighty", 90: "ninety"}

#: Speech priority inside a rep: lower numbers win when two cues want the same time.
PRIORITY = {"go": 0, "countdown": 0, "count": 1, "form": 3, "phase": 4}

TONE_MS = 150


def number_word(n: int) -> str:
    if 0 <= n < len(NUMBER_WORDS):
        return NUMBER_WORDS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return TENS[tens * 10] + (f"-{NUMBER_WORDS[ones]}" if ones else "")
    return str(n)


def brief_of(text: str) -> str | None:
    """The short variant of a cue: its last sentence, when it has more than one."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    return sentences[-1] if len(sentences) > 1 else None


def seconds_phrase(ms: int) -> str:
    seconds = round(ms / 1000)
    if seconds >= 60 and seconds % 60 == 0:
        minutes = seconds // 60
        return "one minute" if minutes == 1 else f"{number_word(minutes)} minutes"
    if seconds > 60:
        minutes, rest = divmod(seconds, 60)
        lead = "one minute" if minutes == 1 else f"{number_word(minutes)} minutes"
        return f"{lead} {number_word(rest)}"
    return f"{number_word(seconds)} seconds"


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

    role: str
    text: str
    context: Context
    brief: str | None = None
    priority: int = 3
    at_ms: int = 0
    latest_end_ms: int = 0
    align_end: bool = False


@dataclass(frozen=True, slots=True)
class Mark:
    """A silent or tone event at a fixed offset in a segment (phases, tones, chapter markers)."""

    offset_ms: int
    duration_ms: int
    kind: str
    role: str
    context: Context
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Flex:
    """A segment that grows to fit its speech: head cues in order, tail cues before the end."""

    name: str
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

    name: str
    duration_ms: int
    context: Context
    marks: tuple[Mark, ...] = ()
    cues: tuple[Cue, ...] = ()


Segment = Flex | Rigid


@dataclass(frozen=True, slots=True)
class Plan:
    workout_id: str
    title: str
    segments: tuple[Segment, ...]

    def texts(self) -> list[str]:
        """Every phrase the plan may speak, brief variants included, each once."""
        seen: dict[str, None] = {}
        for seg in self.segments:
            cues = (*seg.head, *seg.tail) if isinstance(seg, Flex) else seg.cues
            for cue in cues:
                seen.setdefault(cue.text)
                if cue.brief:
                    seen.setdefault(cue.brief)
        return list(seen)


def resolve_timings(workout: Workout, config: Sequence[Layer] = (), cli: Sequence[Layer] = (),
                    per_exercise: dict[str, list[Layer]] | None = None) -> list[Timing]:
    """The timing of each workout entry, through the whole override chain."""
    per_exercise = per_exercise or {}
    timings = []
    for i, entry in enumerate(workout.entries):
        ex = entry.exercise
        layers = [
            Layer(ex.source, ex.defaults, "defaults"),
            *config,
            Layer(workout.source, workout.timing, "timing"),
            Layer(workout.source, entry.overrides, f"exercise[{i}]"),
            *cli,
            *per_exercise.get(ex.id, []),
        ]
        timings.append(resolve(layers))
    return timings


class _Rotation:
    """Cycles through phrasings in a seeded order, so the same seed gives the same session."""

    def __init__(self, items: Sequence[str], rng: random.Random) -> None:
        self.items = list(items)
        rng.shuffle(self.items)
        self.i = 0

    def next(self) -> str:
        item = self.items[self.i % len(self.items)]
        self.i += 1
        return item


def plan(workout: Workout, timings: Sequence[Timing], *, seed: int | None = None,
         session_timing: Timing | None = None) -> Plan:
    """Build the plan; ``timings`` has one entry per workout entry (``resolve_timings``)."""
    if len(timings) != len(workout.entries):
        raise ValueError("one timing per workout entry is needed")
    rng = random.Random(workout.seed if seed is None else seed)
    overall = session_timing or timings[0]
    segs: list[Segment] = []
    none = Context()

    intro: list[str] = []
    if overall.verbosity in (Verbosity.COACH, Verbosity.STANDARD):
        intro = list(workout.intro) if overall.verbosity == Verbosity.COACH else list(
            workout.intro[:2])
    if not intro:
        intro = [f"{workout.title}."]
    segs.append(Flex("intro", 1000, none,
                     head=tuple(Cue("intro", t, none) for t in intro)))

    for index, (entry, timing) in enumerate(zip(workout.entries, timings, strict=True)):
        nxt = workout.entries[index + 1].exercise.name if index + 1 < len(workout.entries) else None
        last_exercise = index + 1 == len(workout.entries)
        segs += _exercise(entry.exercise, timing, index, nxt, last_exercise, rng)

    finish_ctx = Context()
    total_sets = sum(t.sets for t in timings)
    words = ["Workout complete.", f"{number_word(total_sets).capitalize()} sets done. Great work."]
    if overall.verbosity in (Verbosity.BRIEF, Verbosity.MINIMAL):
        words = ["Workout complete."]
    segs.append(Flex("finish", 1500, finish_ctx,
                     head=tuple(Cue("finish", w, finish_ctx) for w in words),
                     marks=(Mark(0, TONE_MS, "tone", "finish", finish_ctx),)))
    return Plan(workout.id, workout.title, tuple(segs))


def _exercise(ex: Exercise, timing: Timing, index: int, next_name: str | None,
              last_exercise: bool, rng: random.Random) -> list[Segment]:
    v = timing.verbosity
    talky = v in (Verbosity.COACH, Verbosity.STANDARD)
    presets = _Rotation(ex.preset_cues, rng)
    forms = _Rotation(ex.form_cues, rng)
    mistakes = _Rotation(ex.mistakes, rng)
    ctx = Context(exercise=ex.id)
    segs: list[Segment] = []

    # The announcement: what it is, what it trains, one mistake to avoid, how to set up.
    amount = (f"{number_word(timing.sets)} sets of {number_word(timing.hold_ms // 1000)}-second "
              f"holds, {number_word(timing.reps)} reps" if timing.is_hold
              else f"{number_word(timing.sets)} sets of {number_word(timing.reps)}")
    if timing.sides == Sides.EACH:
        amount += ", each side"
    opener = "First up" if index == 0 else "Next exercise"
    head = [Cue("announce", f"{opener}: {ex.name}. {amount.capitalize()}.", ctx)]
    if talky:
        head.append(Cue("announce", f"It works the {_join(ex.targets)}, with the "
                        f"{ex.stabiliser} as the base.", ctx))
    if v == Verbosity.COACH:
        head.append(Cue("announce", ex.explanation, ctx, brief=brief_of(ex.explanation)))
    if talky:
        head.append(Cue("mistake", mistakes.next(), ctx))
    if v == Verbosity.COACH:
        head += [Cue("setup", s, ctx) for s in ex.setup]
    elif v == Verbosity.STANDARD:
        head.append(Cue("setup", ex.setup[0], ctx))
    segs.append(Flex("announce", 3000, ctx, head=tuple(head),
                     marks=(Mark(0, 0, "marker", "exercise", ctx, ex.name),)))

    sides: tuple[str | None, ...] = ("left", "right") if timing.sides == Sides.EACH else (None,)
    for s in range(1, timing.sets + 1):
        set_ctx = Context(ex.id, s)
        set_text = f"Set {number_word(s)} of {number_word(timing.sets)}."
        for side_i, side in enumerate(sides):
            side_ctx = Context(ex.id, s, side)
            if side_i == 0:
                words = [Cue("announce", set_text, side_ctx)]
                if side:
                    words.append(Cue("switch", f"{side.capitalize()} side.", side_ctx))
                segs.append(Flex("set", timing.lead_ms, side_ctx, head=tuple(words),
                                 marks=(Mark(0, 0, "marker", "set", set_ctx,
                                             set_text.rstrip(".")),)))
            else:
                segs.append(Flex("switch", timing.switch_ms, side_ctx, head=(
                    Cue("switch", "Switch sides.", side_ctx),
                    Cue("switch", f"{(side or '').capitalize()} side.", side_ctx))))
            segs += _reps(ex, timing, s, side, presets, forms)
        if s < timing.sets or not last_exercise:
            segs += _rest(ex.id, timing, s, next_name)
    return segs


def _reps(ex: Exercise, timing: Timing, s: int, side: str | None, presets: _Rotation,
          forms: _Rotation) -> list[Segment]:
    v = timing.verbosity
    segs: list[Segment] = []
    n = timing.reps
    if timing.is_hold:
        phases: tuple[tuple[Phase, int], ...] = ((Phase.HOLD, timing.hold_ms),)
    else:
        phases = timing.tempo.phases_from(timing.start)
    rep_ms = sum(ms for _, ms in phases)
    halfway_rep = n // 2 + 1 if timing.halfway and n >= 6 and v != Verbosity.MINIMAL else None

    for r in range(1, n + 1):
        ctx = Context(ex.id, s, side, r)
        wants_preset = (
            timing.preset == PresetMode.EVERY_REP
            or (timing.preset in (PresetMode.EVERY_SET, PresetMode.FIRST_REP) and r == 1)
        )
        pre: list[Cue] = []
        if r == n and n >= 3 and timing.last_rep and v != Verbosity.MINIMAL:
            pre.append(Cue("last", "Last rep.", ctx))
        elif r == halfway_rep:
            pre.append(Cue("halfway", "Halfway.", ctx))
        if wants_preset:
            text = presets.next()
            pre.append(Cue("preset", text, ctx, brief=brief_of(text)))
        if r == 1 or pre:
            segs.append(Flex("preset" if wants_preset else "between", timing.preset_hold_ms
                             if wants_preset else 0, ctx, head=tuple(pre)))
        if r == 1 and timing.countdown:
            segs.append(_countdown(timing.countdown, Context(ex.id, s, side)))

        marks: list[Mark] = []
        cues: list[Cue] = []
        offset = 0
        for i, (phase, ms) in enumerate(phases):
            marks.append(Mark(offset, ms, "phase", phase.value, ctx))
            tone_role = "start" if (r == 1 and i == 0) else phase.value
            marks.append(Mark(offset, min(TONE_MS, ms), "tone", tone_role, ctx))
            word = ex.go_cues.get(phase)
            if i == 0 and word:
                cues.append(Cue("go", word, ctx, priority=PRIORITY["go"], at_ms=0,
                                latest_end_ms=rep_ms))
            elif word and r == 1 and v == Verbosity.COACH:
                cues.append(Cue("go", word, ctx, priority=PRIORITY["phase"], at_ms=offset,
                                latest_end_ms=offset + ms))
            offset += ms
        if timing.count:
            last_start = offset - phases[-1][1]
            cues.append(Cue("count", f"{number_word(r).capitalize()}.", ctx,
                            priority=PRIORITY["count"], at_ms=last_start,
                            latest_end_ms=rep_ms, align_end=True))
        if (timing.form_every and v != Verbosity.MINIMAL and r % timing.form_every == 0
                and r < n):
            longest = max(range(len(phases)), key=lambda k: phases[k][1])
            at = sum(ms for _, ms in phases[:longest])
            text = forms.next()
            cues.append(Cue("form", text, ctx, brief=brief_of(text), priority=PRIORITY["form"],
                            at_ms=at, latest_end_ms=rep_ms))
        segs.append(Rigid("rep", rep_ms, ctx, tuple(marks), tuple(cues)))
    return segs


def _countdown(seconds: int, ctx: Context) -> Rigid:
    marks = []
    cues = []
    for k in range(seconds):
        left = seconds - k
        marks.append(Mark(k * 1000, TONE_MS, "tone", "countdown", ctx))
        cues.append(Cue("countdown", f"{number_word(left).capitalize()}.", ctx,
                        priority=PRIORITY["countdown"], at_ms=k * 1000,
                        latest_end_ms=(k + 1) * 1000))
    return Rigid("countdown", seconds * 1000, ctx, tuple(marks), tuple(cues))


def _rest(exercise_id: str, timing: Timing, s: int, next_name: str | None) -> list[Segment]:
    if timing.rest_ms <= 0:
        return []
    ctx = Context(exercise_id, s)
    head = [Cue("rest", f"Rest. {seconds_phrase(timing.rest_ms).capitalize()}.", ctx)]
    if timing.next_up and timing.verbosity != Verbosity.MINIMAL:
        if s < timing.sets:
            head.append(Cue("rest", f"Next: set {number_word(s + 1)} of "
                            f"{number_word(timing.sets)}.", ctx))
        elif next_name:
            head.append(Cue("rest", f"Next up: {next_name}.", ctx))
    tail: tuple[Cue, ...] = ()
    if timing.rest_ms >= 30_000:
        tail = (Cue("rest", "Ten seconds.", ctx),)
    return [Flex("rest", timing.rest_ms, ctx, head=tuple(head), tail=tail, tail_lead_ms=10_000,
                 marks=(Mark(0, 0, "marker", "rest", ctx, "Rest"),))]


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
