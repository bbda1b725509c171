"""From a workout name and the user's overrides to a placed timeline and its speech clips.

This is the one road every command takes (plan, export, play), so what you see in
``repcue plan`` is what you hear. Speech is imported only when clips are needed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from repcue.clip import Clip
from repcue.config import Config, load_config
from repcue.content import Library
from repcue.errors import ContentError, did_you_mean
from repcue.model import Workout
from repcue.plan import Plan, plan
from repcue.schedule import estimate_ms, schedule
from repcue.settings import Resolved, notes, resolve_session, resolve_workout
from repcue.timeline import Timeline
from repcue.timing import Layer, Timing

if TYPE_CHECKING:
    from repcue.speech import VoiceSettings

Progress = Callable[[int, int], None]

#: Timing knobs whose flag has another name than the key in files (``lead`` is ``--setup-time``).
FLAG_SPELLING = {"lead": "--setup-time"}


@dataclass(frozen=True)
class Request:
    """What the user asked for: a workout and every override, from flags or code."""

    name: str
    content_dirs: Sequence[Path] = ()
    overrides: Mapping[str, Any] = field(default_factory=dict)
    per_exercise: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    seed: int | None = None
    estimate: bool = False
    engine: str | None = None
    voice: str | None = None
    rate: float | None = None
    cache_dir: Path | None = None
    config: Config | None = None
    #: For live play: a ``rest = "ready"`` rest waits for the lifter (see ``plan``).
    live: bool = False


@dataclass(frozen=True)
class PreparedSession:
    """A workout planned, spoken and scheduled: what play and export master (repcue.mix)."""
    workout: Workout
    plan: Plan
    timeline: Timeline
    clips: Mapping[str, Clip]
    #: The speech engine actually used, or None for estimated timings.
    engine: str | None = None


def _with_config(request: Request) -> Request:
    """The request with its config read (once: plan and voice both need it)."""
    return request if request.config is not None else replace(request, config=load_config())


def _config(request: Request) -> Config:
    return request.config if request.config is not None else load_config()


def build_plan(request: Request) -> tuple[Workout, Plan]:
    workout, resolved, session_timing = resolve_request(request)
    timings = [r.timing for r in resolved]
    return workout, plan(workout, timings, seed=request.seed, session_timing=session_timing,
                         notes=notes(workout, resolved), live=request.live)


def resolve_request(request: Request) -> tuple[Workout, list[Resolved], Timing]:
    """The workout and each entry's timing through config, flags and ``--set``."""
    config = _config(request)
    library = Library.discover(request.content_dirs)
    workout = library.workout(request.name)
    ids = [e.exercise.id for e in workout.entries]
    per_exercise: dict[str, list[Layer]] = {}
    for exercise_id, values in request.per_exercise.items():
        if exercise_id not in ids:
            raise ContentError("--set", exercise_id, f"{exercise_id!r} is not in {workout.id}",
                               value=exercise_id, allowed=", ".join(dict.fromkeys(ids)))
        per_exercise[exercise_id] = [Layer("--set", values, exercise_id, "--set")]
    # One layer per flag, named as the user typed it, so a bad value names its flag.
    cli = [Layer(FLAG_SPELLING.get(knob, f"--{knob}"), {knob: value}, "", "command line")
           for knob, value in request.overrides.items()]
    resolved = resolve_workout(workout, config.timing, cli, per_exercise)
    return workout, resolved, resolve_session(workout, config.timing, cli)


def voice_settings(request: Request) -> VoiceSettings:
    from repcue.speech import VoiceSettings

    config = _config(request)
    voice = config.voice
    if request.engine is None and "engine" in voice:
        _check_config_engine(str(voice["engine"]), config)
    return VoiceSettings(
        engine=request.engine or str(voice.get("engine", "auto")),
        voice=request.voice or (str(voice["voice"]) if "voice" in voice else None),
        rate=request.rate if request.rate is not None else float(voice.get("rate", 1.0)),
    )


def _check_config_engine(name: str, config: Config) -> None:
    """A bad engine in the config names the config file, not a flag the user never typed."""
    from repcue.speech import UnknownEngineError
    from repcue.speech.engine import engine_names, engine_path

    if name == "auto":
        return
    try:
        engine_path(name)
    except UnknownEngineError:
        known = ["auto", *engine_names()]
        raise ContentError(str(config.path), "voice.engine",
                           f"no speech engine named {name}{did_you_mean(name, known)}",
                           value=name, allowed=", ".join(known)) from None


def prepare(request: Request, progress: Progress | None = None) -> PreparedSession:
    """Plan, synthesise what is missing (unless estimating), and schedule on real durations."""
    request = _with_config(request)
    workout, the_plan = build_plan(request)
    if request.estimate:
        return PreparedSession(workout, the_plan, schedule(the_plan, estimate_ms), {}, None)
    from repcue.speech import resolve_engine, synthesize

    settings = voice_settings(request)
    clips = synthesize(the_plan.texts(), settings, cache_dir=request.cache_dir,
                       progress=progress)
    timeline = schedule(the_plan, lambda text: clips[text].duration_ms)
    spoken = {e.text for e in timeline.speech() if e.text is not None}
    used = {text: clip for text, clip in clips.items() if text in spoken}
    return PreparedSession(workout, the_plan, timeline, used, resolve_engine(settings))


def unique_texts(name: str, content_dirs: Sequence[Path] = ()) -> list[str]:
    """Every phrase a workout may speak (for synthesis benchmarks and cache warming)."""
    _, the_plan = build_plan(Request(name, content_dirs))
    return the_plan.texts()
