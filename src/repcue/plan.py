"""Turn a workout and its timing into abstract cues on the rigid movement grid.

The plan knows what the coach wants to say and where, but not how long each phrase
takes: ``schedule`` places the speech once durations are known (estimated, or
measured from real clips). Segments (``segments``) alternate between rigid ones (the
rep grid and countdowns, which speech never moves) and flexible ones (intro,
announcement, pre-set window, side switch, rest), which may grow to fit what is said.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from repcue import wording
from repcue.model import Exercise, Phase, PresetMode, Sides, Verbosity, Workout
from repcue.segments import Context, Cue, Flex, Mark, Rigid, Segment, SegmentName
from repcue.settings import resolve_workout
from repcue.timeline import EventKind, MarkerRole, SpeechRole, ToneRole
from repcue.timing import Layer, Timing

TONE_MS = 150
#: Least time each flexible segment takes, even with nothing to say (ms).
INTRO_MS = 1000
ANNOUNCE_MS = 3000
FINISH_MS = 1500
#: Sets shorter than this get no halfway call (three reps in, it is not news).
HALFWAY_MIN_REPS = 6
#: Sets shorter than this get no last-rep call.
LAST_REP_MIN_REPS = 3
#: Rests this long get a ten-second warning, which starts this long before the rest ends.
REST_WARNING_MIN_MS = 30_000
REST_WARNING_LEAD_MS = 10_000
#: A rest that waits for the lifter says "Ready when you are." about this often while it waits.
READY_REMINDER_MS = 60_000
#: The reminder starts this long before the waiting stretch ends: the player loops that
#: stretch from silence to silence, so the reminder must end well before it.
READY_REMINDER_LEAD_MS = 4_000


def brief_of(text: str) -> str | None:
    """The short variant of a cue: its last sentence, when it has more than one."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    return sentences[-1] if len(sentences) > 1 else None


@dataclass(frozen=True, slots=True)
class Plan:
    workout_id: str
    title: str
    segments: tuple[Segment, ...]
    #: What the planner had to decide for the lifter (an ignored tempo, a default go word).
    warnings: tuple[str, ...] = ()

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
    """The timing of each workout entry, through the whole override chain (see ``settings``)."""
    resolved = resolve_workout(workout, config[0] if config else None, cli, per_exercise)
    return [r.timing for r in resolved]


class _Rotation:
    """Cycles through phrasings in a seeded order, so the same seed gives the same session."""

    def __init__(self, items: Sequence[str], rng: random.Random) -> None:
        self.items = list(items)
        rng.shuffle(self.items)
        self.i = 0

    def next(self) -> str | None:
        """The next phrasing, or None when the exercise has none of this kind."""
        if not self.items:
            return None
        item = self.items[self.i % len(self.items)]
        self.i += 1
        return item


def plan(workout: Workout, timings: Sequence[Timing], *, seed: int | None = None,
         session_timing: Timing | None = None, notes: Sequence[str] = (),
         live: bool = False) -> Plan:
    """Build the plan; ``timings`` has one entry per workout entry (``resolve_timings``).

    ``notes`` are warnings found while resolving the timing (``settings``); the plan
    adds its own and hands them all to the timeline. ``live``: the plan is for live play,
    where a ``rest = "ready"`` rest waits for the lifter; elsewhere it lasts as planned.
    """
    if len(timings) != len(workout.entries):
        raise ValueError("one timing per workout entry is needed")
    rng = random.Random(workout.seed if seed is None else seed)
    overall = session_timing or timings[0]
    segs: list[Segment] = []
    warnings = list(notes)
    none = Context()

    intro: list[str] = []
    if overall.verbosity in (Verbosity.COACH, Verbosity.STANDARD):
        intro = list(workout.intro) if overall.verbosity == Verbosity.COACH else list(
            workout.intro[:2])
    if not intro:
        intro = [wording.title_line(workout.title)]
    segs.append(Flex(SegmentName.INTRO, INTRO_MS, none,
                     head=tuple(Cue(SpeechRole.INTRO, t, none) for t in intro)))

    for index, (entry, timing) in enumerate(zip(workout.entries, timings, strict=True)):
        nxt = workout.entries[index + 1].exercise.name if index + 1 < len(workout.entries) else None
        last_exercise = index + 1 == len(workout.entries)
        segs += _exercise(entry.exercise, timing, index, nxt, last_exercise, rng, live)
        warnings += _go_warnings(entry.exercise, timing)
    if not live:
        warnings += _ready_warning(workout, timings)

    finish_ctx = Context()
    total_sets = sum(t.sets for t in timings)
    words = [wording.WORKOUT_COMPLETE, wording.sets_done(total_sets)]
    if overall.verbosity in (Verbosity.BRIEF, Verbosity.MINIMAL):
        words = [wording.WORKOUT_COMPLETE]
    segs.append(Flex(SegmentName.FINISH, FINISH_MS, finish_ctx,
                     head=tuple(Cue(SpeechRole.FINISH, w, finish_ctx) for w in words),
                     marks=(Mark(0, TONE_MS, EventKind.TONE, ToneRole.FINISH, finish_ctx),)))
    return Plan(workout.id, workout.title, tuple(segs), tuple(dict.fromkeys(warnings)))


def _phases(timing: Timing) -> tuple[tuple[Phase, int], ...]:
    if timing.is_hold:
        return ((Phase.HOLD, timing.hold_ms),)
    return timing.tempo.phases_from(timing.start)


def go_word(ex: Exercise, phase: Phase) -> str:
    """The exercise's own go cue for ``phase``, or the default word for that phase."""
    return ex.go_cues.get(phase) or wording.DEFAULT_GO[phase]


def _go_warnings(ex: Exercise, timing: Timing) -> list[str]:
    first = _phases(timing)[0][0]
    if first in ex.go_cues:
        return []
    what = "a hold" if first == Phase.HOLD else f"the {first.value} phase"
    return [f"{ex.id}: no go cue of its own for {what}; says \"{wording.DEFAULT_GO[first]}\""]


def _ready_warning(workout: Workout, timings: Sequence[Timing]) -> list[str]:
    """One line for every rest that would wait in live play but cannot in a file."""
    planned = {entry.exercise.id: f"{t.rest_ms / 1000:g} s"
               for entry, t in zip(workout.entries, timings, strict=True) if t.rest_ready}
    if not planned:
        return []
    listed = ", ".join(f"{ex} {rest}" for ex, rest in planned.items())
    return [f"rest = ready: only play waits; files rest as planned ({listed})"]


def _exercise(ex: Exercise, timing: Timing, index: int, next_name: str | None,
              last_exercise: bool, rng: random.Random, live: bool) -> list[Segment]:
    v = timing.verbosity
    talky = v in (Verbosity.COACH, Verbosity.STANDARD)
    presets = _Rotation(ex.preset_cues or wording.DEFAULT_PRESET, rng)
    forms = _Rotation(ex.form_cues, rng)
    mistakes = _Rotation(ex.mistakes, rng)
    ctx = Context(exercise=ex.id)
    segs: list[Segment] = []

    # The announcement: what it is, what it trains, one mistake to avoid, how to set up.
    amount = wording.amount(timing.sets, timing.reps, hold_ms=timing.hold_ms,
                            each_side=timing.sides == Sides.EACH)
    head = [Cue(SpeechRole.ANNOUNCE, wording.announce(ex.name, amount, first=index == 0), ctx)]
    works = wording.works(ex.targets, ex.stabiliser)
    if talky and works:
        head.append(Cue(SpeechRole.ANNOUNCE, works, ctx))
    if v == Verbosity.COACH and ex.explanation:
        head.append(Cue(SpeechRole.ANNOUNCE, ex.explanation, ctx, brief=brief_of(ex.explanation)))
    mistake = mistakes.next() if talky else None
    if mistake:
        head.append(Cue(SpeechRole.MISTAKE, mistake, ctx))
    if v == Verbosity.COACH:
        head += [Cue(SpeechRole.SETUP, s, ctx) for s in ex.setup]
    elif v == Verbosity.STANDARD and ex.setup:
        head.append(Cue(SpeechRole.SETUP, ex.setup[0], ctx))
    segs.append(Flex(SegmentName.ANNOUNCE, ANNOUNCE_MS, ctx, head=tuple(head),
                     marks=(Mark(0, 0, EventKind.MARKER, MarkerRole.EXERCISE, ctx, ex.name),)))

    sides: tuple[str | None, ...] = ("left", "right") if timing.sides == Sides.EACH else (None,)
    for s in range(1, timing.sets + 1):
        set_ctx = Context(ex.id, s)
        set_text = wording.set_of(s, timing.sets)
        for side_i, side in enumerate(sides):
            side_ctx = Context(ex.id, s, side)
            if side_i == 0:
                words = [Cue(SpeechRole.ANNOUNCE, set_text, side_ctx)]
                if side:
                    words.append(Cue(SpeechRole.SWITCH, wording.side(side), side_ctx))
                segs.append(Flex(SegmentName.SET, timing.lead_ms, side_ctx, head=tuple(words),
                                 marks=(Mark(0, 0, EventKind.MARKER, MarkerRole.SET, set_ctx,
                                             set_text.rstrip(".")),)))
            else:
                segs.append(Flex(SegmentName.SWITCH, timing.switch_ms, side_ctx, head=(
                    Cue(SpeechRole.SWITCH, wording.SWITCH_SIDES, side_ctx),
                    Cue(SpeechRole.SWITCH, wording.side(side or ""), side_ctx))))
            first_start = s == 1 and side_i == 0
            segs += _reps(ex, timing, Context(ex.id, s, side), first_start, presets, forms)
        if s < timing.sets or not last_exercise:
            segs += _rest(ex.id, timing, s, next_name, live and timing.rest_ready)
    return segs


def wants_preset(mode: PresetMode, rep: int, first_start: bool) -> bool:
    """Whether rep ``rep`` gets a pre-set cue; ``first_start``: the exercise's first set (and
    side). every-rep: before each rep. every-set: before the first rep of every set and
    side. first-rep: before the exercise's very first rep only. off: never."""
    if mode == PresetMode.EVERY_REP:
        return True
    if mode == PresetMode.EVERY_SET:
        return rep == 1
    if mode == PresetMode.FIRST_REP:
        return rep == 1 and first_start
    return False


def _reps(ex: Exercise, timing: Timing, where: Context, first_start: bool,
          presets: _Rotation, forms: _Rotation) -> list[Segment]:
    v = timing.verbosity
    segs: list[Segment] = []
    n = timing.reps
    phases = _phases(timing)
    halfway = timing.halfway and n >= HALFWAY_MIN_REPS and v != Verbosity.MINIMAL
    halfway_rep = n // 2 + 1 if halfway else None

    for r in range(1, n + 1):
        ctx = Context(where.exercise, where.set, where.side, r)
        preset = wants_preset(timing.preset, r, first_start)
        pre: list[Cue] = []
        if r == n and n >= LAST_REP_MIN_REPS and timing.last_rep and v != Verbosity.MINIMAL:
            pre.append(Cue(SpeechRole.LAST, wording.LAST_REP, ctx))
        elif r == halfway_rep:
            pre.append(Cue(SpeechRole.HALFWAY, wording.HALFWAY, ctx))
        text = presets.next() if preset else None
        if text:
            pre.append(Cue(SpeechRole.PRESET, text, ctx, brief=brief_of(text)))
        if r == 1 or pre:
            name = SegmentName.PRESET if preset else SegmentName.BETWEEN
            segs.append(Flex(name, timing.preset_hold_ms if preset else 0, ctx, head=tuple(pre)))
        if r == 1 and timing.countdown:
            segs.append(_countdown(timing.countdown, where))
        segs.append(_rep(ex, timing, phases, ctx, forms))
    return segs


def _rep(ex: Exercise, timing: Timing, phases: tuple[tuple[Phase, int], ...], ctx: Context,
         forms: _Rotation) -> Rigid:
    r = ctx.rep or 1
    rep_ms = sum(ms for _, ms in phases)
    marks: list[Mark] = []
    cues: list[Cue] = []
    offset = 0
    for i, (phase, ms) in enumerate(phases):
        marks.append(Mark(offset, ms, EventKind.PHASE, phase, ctx))
        tone_role = ToneRole.START if (r == 1 and i == 0) else ToneRole(phase)
        marks.append(Mark(offset, min(TONE_MS, ms), EventKind.TONE, tone_role, ctx))
        if i == 0:
            cues.append(Cue(SpeechRole.GO, go_word(ex, phase), ctx, at_ms=0,
                            latest_end_ms=rep_ms))
        elif phase in ex.go_cues and r == 1 and timing.verbosity == Verbosity.COACH:
            cues.append(Cue(SpeechRole.GO, ex.go_cues[phase], ctx, phase_word=True,
                            at_ms=offset, latest_end_ms=offset + ms))
        offset += ms
    if timing.count:
        last_start = offset - phases[-1][1]
        cues.append(Cue(SpeechRole.COUNT, wording.count_word(r), ctx, at_ms=last_start,
                        latest_end_ms=rep_ms, align_end=True))
    form_due = (timing.form_every and timing.verbosity != Verbosity.MINIMAL
                and r % timing.form_every == 0 and r < timing.reps)
    text = forms.next() if form_due else None
    if text:
        longest = max(range(len(phases)), key=lambda k: phases[k][1])
        at = sum(ms for _, ms in phases[:longest])
        cues.append(Cue(SpeechRole.FORM, text, ctx, brief=brief_of(text), at_ms=at,
                        latest_end_ms=rep_ms))
    return Rigid(SegmentName.REP, rep_ms, ctx, tuple(marks), tuple(cues))


def _countdown(seconds: int, ctx: Context) -> Rigid:
    marks = []
    cues = []
    for k in range(seconds):
        left = seconds - k
        marks.append(Mark(k * 1000, TONE_MS, EventKind.TONE, ToneRole.COUNTDOWN, ctx))
        cues.append(Cue(SpeechRole.COUNTDOWN, wording.count_word(left), ctx,
                        at_ms=k * 1000,
                        latest_end_ms=(k + 1) * 1000))
    return Rigid(SegmentName.COUNTDOWN, seconds * 1000, ctx, tuple(marks), tuple(cues))


def _rest(exercise_id: str, timing: Timing, s: int, next_name: str | None,
          ready: bool) -> list[Segment]:
    if timing.rest_ms <= 0 and not ready:
        return []
    ctx = Context(exercise_id, s)
    head = [Cue(SpeechRole.REST, wording.REST_READY if ready else wording.rest(timing.rest_ms),
                ctx)]
    if timing.next_up and timing.verbosity != Verbosity.MINIMAL:
        if s < timing.sets:
            head.append(Cue(SpeechRole.REST, wording.next_set(s + 1, timing.sets), ctx))
        elif next_name:
            head.append(Cue(SpeechRole.REST, wording.next_up(next_name), ctx))
    rest_mark = Mark(0, 0, EventKind.MARKER, MarkerRole.REST, ctx, "Rest")
    ten = Cue(SpeechRole.REST, wording.TEN_SECONDS, ctx)
    if ready:
        return _ready_rest(ctx, tuple(head), rest_mark, ten)
    tail: tuple[Cue, ...] = ()
    if timing.rest_ms >= REST_WARNING_MIN_MS:
        tail = (ten,)
    return [Flex(SegmentName.REST, timing.rest_ms, ctx, head=tuple(head), tail=tail,
                 tail_lead_ms=REST_WARNING_LEAD_MS, marks=(rest_mark,))]


def _ready_rest(ctx: Context, head: tuple[Cue, ...], rest_mark: Mark, ten: Cue) -> list[Segment]:
    """A rest that waits: the call, a waiting stretch ending in the reminder (the player loops
    it until the lifter is ready), then from the READY marker "Ten seconds." and the set."""
    reminder = Cue(SpeechRole.REST, wording.READY_REMINDER, ctx)
    wait = Flex(SegmentName.WAIT, READY_REMINDER_MS, ctx, head=head, tail=(reminder,),
                tail_lead_ms=READY_REMINDER_LEAD_MS, marks=(rest_mark,))
    go = Flex(SegmentName.REST, REST_WARNING_LEAD_MS, ctx, tail=(ten,),
              tail_lead_ms=REST_WARNING_LEAD_MS,
              marks=(Mark(0, 0, EventKind.MARKER, MarkerRole.READY, ctx, "Ready"),))
    return [wait, go]
