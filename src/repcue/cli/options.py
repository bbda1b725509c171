"""Options shared by every command that builds a session (plan, export, play)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from repcue.config import load_config
from repcue.errors import ContentError, InputError, did_you_mean
from repcue.prepare import PreparedSession, Progress, Request, prepare
from repcue.tones import TONE_ROLES, TonePalette, default_palette, load_palette

if TYPE_CHECKING:
    from repcue.music import MusicChoice

F = TypeVar("F", bound=Callable[..., Any])

#: CLI flag -> timing knob name. The values are validated by the timing layer.
TIMING_FLAGS = {
    "tempo": "tempo", "reps": "reps", "sets": "sets", "rest": "rest", "lead": "lead",
    "preset": "preset", "verbosity": "verbosity",
}


def content_option(f: F) -> F:
    return click.option(
        "--content", "content_dirs", multiple=True, type=click.Path(path_type=Path),
        help="Extra content folder (with exercises/ and workouts/); may repeat.")(f)


def sound_option(f: F) -> F:
    return click.option(
        "--sound", "sounds", multiple=True, metavar="ROLE=FILE",
        help="Your own WAV/MP3/OGG for a tone role (countdown, start, finish, eccentric, bottom, "
             "concentric, top, hold), e.g. --sound countdown=beep.wav; may repeat.")(f)


def music_options(f: F) -> F:
    """--music and its companions; the command receives them as keyword arguments."""
    options = [
        click.option("--music", type=click.Path(path_type=Path), metavar="PATH",
                     help="Your music under the voice: an audio file, a folder (name order) or "
                          "an .m3u/.m3u8 playlist; ducked under every cue."),
        click.option("--no-music", is_flag=True, help="No music, even if the config has some."),
        click.option("--shuffle/--no-shuffle", default=None,
                     help="Shuffle the music (with the session seed)."),
        click.option("--music-level", type=float, metavar="DB",
                     help="How far the music sits under the voice between cues (default 15)."),
        click.option("--music-duck", type=float, metavar="DB",
                     help="How much further it dips under speech (default 10)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


MUSIC_KEYS = ("music", "no_music", "shuffle", "music_level", "music_duck")


def music_from_options(opts: dict[str, Any]) -> MusicChoice | None:
    """Take the music options out of a command's kwargs; with the config, what to play.

    The path and the first file are checked here, before any speech is made.
    """
    from repcue.music import check_music, music_choice

    given = {k: opts.pop(k) for k in MUSIC_KEYS if k in opts}
    config = load_config()
    choice = music_choice(given.get("music"), no_music=bool(given.get("no_music")),
                          shuffle=given.get("shuffle"), level_db=given.get("music_level"),
                          duck_db=given.get("music_duck"), config=config.music,
                          config_dir=config.path.parent if config.path else None)
    if choice is not None:
        check_music(choice)
    return choice


def with_seed(choice: MusicChoice | None, opts: dict[str, Any], workout_seed: int
              ) -> MusicChoice | None:
    """The choice with the session's seed (--seed, else the workout's), for --shuffle."""
    if choice is None:
        return None
    seed = opts.get("seed")
    return replace(choice, seed=workout_seed if seed is None else int(seed))


def palette_for(sounds: tuple[str, ...], rate: int) -> TonePalette:
    """The tone palette: built-in tones, with the config's ``[sounds]`` and ``--sound`` files."""
    config = load_config()
    overrides = {role: Path(path).expanduser() for role, path in config.sounds.items()}
    for role in overrides:
        if role not in TONE_ROLES:
            raise ContentError(str(config.path), f"sounds.{role}", f"unknown tone role {role}"
                               f"{did_you_mean(role, TONE_ROLES)}", allowed=", ".join(TONE_ROLES))
    for item in sounds:
        role, sep, path = item.partition("=")
        if not sep or not role.strip() or not path.strip():
            raise InputError("--sound", f"{item!r} is not ROLE=FILE", value=item,
                               allowed="e.g. --sound countdown=~/beep.wav")
        if role.strip() not in TONE_ROLES:
            raise InputError("--sound", f"{item}: unknown tone role {role.strip()}"
                             f"{did_you_mean(role.strip(), TONE_ROLES)}",
                             allowed=", ".join(TONE_ROLES))
        overrides[role.strip()] = Path(path.strip()).expanduser()
    return load_palette(overrides, rate) if overrides else default_palette(rate)


def session_options(f: F) -> F:
    """Workout overrides plus voice options; the command receives them as keyword arguments."""
    options = [
        click.option("--tempo", help="E-B-C-T seconds for every exercise, e.g. 3-1-1-0."),
        click.option("--reps", help="Reps per set for every exercise."),
        click.option("--sets", help="Sets for every exercise."),
        click.option("--rest", help="Seconds of rest after each set."),
        # --lead was its first name: too close to --lead-in (quiet before the first sound).
        click.option("--setup-time", "--lead", "lead",
                     help="Seconds to get in position before the countdown."),
        click.option("--preset", metavar="MODE",
                     help="When the lower-back pre-set cue is spoken: every-rep (before each "
                     "rep), every-set (before the first rep of every set, and of each side), "
                     "first-rep (before the very first rep of each exercise only) or off."),
        click.option("--verbosity", help="coach, standard, brief or minimal."),
        click.option("--count/--no-count", default=None, help="Say the rep count."),
        click.option("--seed", type=int, help="Seed for the cue rotation."),
        click.option("--set", "set_values", multiple=True, metavar="EXERCISE.KEY=VALUE",
                     help="Override one exercise, e.g. --set overhead-press.reps=6; may repeat."),
        click.option("--engine", help="Speech engine: auto, piper or pyttsx3."),
        click.option("--voice", help="Voice id, name or .onnx path (see repcue voices)."),
        click.option("--rate", type=float, help="Speech speed, 1.0 normal, 1.2 faster."),
        click.option("--cache-dir", type=click.Path(path_type=Path),
                     help="Where synthesised speech is cached."),
        content_option,
    ]
    for option in reversed(options):
        f = option(f)
    return f


SESSION_KEYS = ("tempo", "reps", "sets", "rest", "lead", "preset", "verbosity", "count", "seed",
                "set_values", "engine", "voice", "rate", "cache_dir", "content_dirs")


def pop_session_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Take the session options out of a command's kwargs (leaving its own)."""
    return {k: kwargs.pop(k) for k in SESSION_KEYS if k in kwargs}


def parse_set_values(values: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    per: dict[str, dict[str, Any]] = {}
    for item in values:
        key, sep, value = item.partition("=")
        exercise, dot, knob = key.partition(".")
        if not sep or not dot or not exercise or not knob:
            raise ContentError("--set", item, "is not EXERCISE.KEY=VALUE",
                               value=item, allowed="e.g. --set overhead-press.reps=6")
        per.setdefault(exercise.strip(), {})[knob.strip()] = value.strip()
    return per


def request_from_options(name: str, *, estimate: bool = False, **opts: Any) -> Request:
    overrides: dict[str, Any] = {}
    for flag, knob in TIMING_FLAGS.items():
        if opts.get(flag) is not None:
            overrides[knob] = opts[flag]
    if opts.get("count") is not None:
        overrides["count"] = opts["count"]
    return Request(
        name=name,
        content_dirs=tuple(opts.get("content_dirs") or ()),
        overrides=overrides,
        per_exercise=parse_set_values(tuple(opts.get("set_values") or ())),
        seed=opts.get("seed"),
        estimate=estimate,
        engine=opts.get("engine"),
        voice=opts.get("voice"),
        rate=opts.get("rate"),
        cache_dir=opts.get("cache_dir"),
    )


def load_session(name: str, *, estimate: bool = False, progress: Progress | None = None,
                 **opts: Any) -> PreparedSession:
    """Build the session a command asked for (see ``session_options``)."""
    return prepare(request_from_options(name, estimate=estimate, **opts), progress)


def synthesis_progress() -> tuple[Progress | None, Callable[[], None]]:
    """A progress bar for synthesis on a terminal; nothing when output is piped."""
    if not sys.stderr.isatty():
        return None, lambda: None
    from rich.progress import Progress as Bar

    bar = Bar(transient=True)
    task = bar.add_task("Synthesising speech", total=None)
    bar.start()

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return update, bar.stop
