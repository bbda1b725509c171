"""Options shared by every command that builds a session (plan, export, play, serve)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from repcue.config import LOUDNESS_RANGE, Config, load_config
from repcue.content import check_content_folder
from repcue.errors import ContentError, InputError, did_you_mean
from repcue.mix import DEFAULT_TARGET_LUFS
from repcue.prepare import PreparedSession, Progress, Request, prepare
from repcue.tones import TONE_ROLES, TonePalette, default_palette, load_palette

if TYPE_CHECKING:
    from repcue.music import MusicChoice

F = TypeVar("F", bound=Callable[..., Any])

def _content_folders(ctx: click.Context, param: click.Parameter,
                     folders: tuple[Path, ...]) -> tuple[Path, ...]:
    return tuple(check_content_folder(folder) for folder in folders)


CONTENT_DECLS = ("--content", "content_dirs")
CONTENT_ATTRS: dict[str, Any] = {
    "multiple": True, "type": click.Path(path_type=Path), "callback": _content_folders,
    "help": "Extra content folder (with exercises/ and workouts/); may repeat."}


def content_option(f: F) -> F:
    return click.option(*CONTENT_DECLS, **CONTENT_ATTRS)(f)


def sound_option(f: F) -> F:
    return click.option(
        "--sound", "sounds", multiple=True, metavar="ROLE=FILE",
        help="Your own WAV/MP3/OGG for a tone role (countdown, start, finish, eccentric, bottom, "
             "concentric, top, hold), e.g. --sound countdown=beep.wav; may repeat.")(f)


def music_options(f: F) -> F:
    """--music and its companions, handed to the command as one ``music`` argument
    (:class:`MusicFlags`)."""
    options = [
        click.option("--music", type=click.Path(path_type=Path), metavar="PATH",
                     help="Your music under the voice: an audio file, a folder (name order) or "
                          "an .m3u/.m3u8 playlist; ducked under every cue."),
        click.option("--no-music", is_flag=True, help="No music, even if the config has some."),
        click.option("--shuffle/--no-shuffle", default=None,
                     help="Shuffle the music (with the session seed)."),
        click.option("--music-level", type=float, metavar="DB",
                     help="How far the music sits under the voice around the cues "
                          "(default 15)."),
        click.option("--music-duck", type=float, metavar="DB",
                     help="How much further it dips under speech (default 10)."),
        click.option("--music-rest", type=float, metavar="DB",
                     help="How far under the voice it comes up in long rests (default: as "
                          "close as brings the whole file to the loudness target, at most "
                          "as loud as the voice)."),
    ]

    @functools.wraps(f)
    def with_music(*args: Any, music: Path | None = None, no_music: bool = False,
                   shuffle: bool | None = None, music_level: float | None = None,
                   music_duck: float | None = None, music_rest: float | None = None,
                   **kwargs: Any) -> Any:
        flags = MusicFlags(music, no_music, shuffle, music_level, music_duck, music_rest)
        return f(*args, music=flags, **kwargs)

    wrapped: Any = with_music
    for option in reversed(options):
        wrapped = option(wrapped)
    return cast(F, wrapped)


@dataclass(frozen=True)
class MusicFlags:
    """--music and its companions as given; :func:`music_for` adds the config's ``[music]``."""

    path: Path | None = None
    no_music: bool = False
    shuffle: bool | None = None
    level_db: float | None = None
    duck_db: float | None = None
    rest_db: float | None = None


def music_for(flags: MusicFlags, config: Config) -> MusicChoice | None:
    """What to play, the flags over the config; the path and first file checked (before any
    speech is made)."""
    from repcue.music import check_music, music_choice

    choice = music_choice(flags.path, no_music=flags.no_music, shuffle=flags.shuffle,
                          level_db=flags.level_db, duck_db=flags.duck_db,
                          rest_db=flags.rest_db, config=config.music,
                          config_dir=config.path.parent if config.path else None)
    if choice is not None:
        check_music(choice)
    return choice


def with_seed(choice: MusicChoice | None, seed: int | None, workout_seed: int
              ) -> MusicChoice | None:
    """The choice with the session's seed (--seed, else the workout's), for --shuffle."""
    if choice is None:
        return None
    return replace(choice, seed=workout_seed if seed is None else seed)


def palette_for(sounds: tuple[str, ...], rate: int, config: Config | None = None) -> TonePalette:
    """The tone palette: built-in tones, with the config's ``[sounds]`` and ``--sound`` files."""
    config = config if config is not None else load_config()
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


def loudness_option(f: F) -> F:
    low, high = LOUDNESS_RANGE
    return click.option(
        "--loudness", type=click.FloatRange(low, high), metavar="LUFS",
        help=f"Integrated loudness, {low:g} to {high:g} (default {DEFAULT_TARGET_LUFS:g}, the "
             "spoken-word norm for mono; or loudness = ... in the config). Louder carries "
             "better over gym noise, but the limiter then holds down more of the voice's "
             "peaks and short words lose their edge.")(f)


def target_loudness(flag: float | None, config: Config) -> float:
    """The loudness to master to: --loudness, else the config's, else the default."""
    if flag is not None:
        return flag
    return DEFAULT_TARGET_LUFS if config.loudness is None else config.loudness


def _flag(*decls: str, knob: str | None = None, default: Any = None, **attrs: Any) -> Any:
    """A SessionOptions field that is also the command-line option ``decls``.

    ``knob`` names the timing knob the value overrides (validated by the timing layer).
    """
    return field(default=default, metadata={"decls": decls, "knob": knob,
                                            "attrs": {"default": default, **attrs}})


@dataclass(frozen=True)
class SessionOptions:
    """Every option of a command that builds a session (plan, export, play, serve), typed.

    Each field is its own command-line option (``session_options`` adds them all), so the
    two cannot drift apart. The user's config is read once, here, for the whole command.
    """

    tempo: str | None = _flag("--tempo", knob="tempo",
                              help="E-B-C-T seconds for every exercise, e.g. 3-1-1-0.")
    reps: str | None = _flag("--reps", knob="reps", help="Reps per set for every exercise.")
    sets: str | None = _flag("--sets", knob="sets", help="Sets for every exercise.")
    rest: str | None = _flag("--rest", knob="rest", metavar="DURATION",
                             help="Rest after each set: 90, 90s, 1:30 or 2m; or ready: play "
                             "waits until you press space or Play (exports rest as planned).")
    # --lead was its first name: too close to --lead-in (quiet before the first sound).
    lead: str | None = _flag("--setup-time", "--lead", "lead", knob="lead", metavar="DURATION",
                             help="Time to get in position before the countdown, e.g. 5 or 5s.")
    preset: str | None = _flag(
        "--preset", knob="preset", metavar="MODE",
        help="When the lower-back pre-set cue is spoken: every-rep (before each rep), every-set "
        "(before the first rep of every set, and of each side), first-rep (before the very "
        "first rep of each exercise only) or off.")
    verbosity: str | None = _flag("--verbosity", knob="verbosity",
                                  help="coach, standard, brief or minimal.")
    count: bool | None = _flag("--count/--no-count", knob="count", help="Say the rep count.")
    seed: int | None = _flag("--seed", type=int, help="Seed for the cue rotation.")
    set_values: tuple[str, ...] = _flag(
        "--set", "set_values", default=(), multiple=True, metavar="EXERCISE.KEY=VALUE",
        help="Override one exercise, e.g. --set overhead-press.reps=6; may repeat.")
    engine: str | None = _flag("--engine", help="Speech engine: auto, piper or pyttsx3.")
    voice: str | None = _flag("--voice", help="Voice id, name or .onnx path (see repcue voices).")
    rate: float | None = _flag("--rate", type=float,
                               help="Speech speed, 1.0 normal, 1.2 faster.")
    cache_dir: Path | None = _flag("--cache-dir", type=click.Path(path_type=Path),
                                   help="Where synthesised speech is cached.")
    content_dirs: tuple[Path, ...] = _flag(*CONTENT_DECLS, default=(), **CONTENT_ATTRS)
    config: Config = field(default_factory=lambda: load_config())

    def request(self, name: str, *, estimate: bool = False, live: bool = False) -> Request:
        """What ``prepare`` needs: the workout, the flags as override layers, the config."""
        overrides = {spec.metadata["knob"]: getattr(self, spec.name) for spec in _OPTIONS
                     if spec.metadata["knob"] and getattr(self, spec.name) is not None}
        return Request(name=name, content_dirs=self.content_dirs, overrides=overrides,
                       per_exercise=parse_set_values(self.set_values), seed=self.seed,
                       estimate=estimate, engine=self.engine, voice=self.voice, rate=self.rate,
                       cache_dir=self.cache_dir, config=self.config, live=live)

    def prepare(self, name: str, *, estimate: bool = False, live: bool = False,
                progress: Progress | None = None) -> PreparedSession:
        """Plan, speak and schedule ``name`` as the user asked.

        What the planner decided for the user (a flag or config value that changed nothing,
        a default go word) is said on stderr: export and play never ignore a setting silently.
        """
        session = prepare(self.request(name, estimate=estimate, live=live), progress)
        for note in session.plan.warnings:
            click.echo(f"Note: {note}", err=True)
        return session

    def palette(self, sounds: tuple[str, ...], rate: int) -> TonePalette:
        return palette_for(sounds, rate, self.config)


_OPTIONS = [spec for spec in fields(SessionOptions) if "decls" in spec.metadata]
for _spec in _OPTIONS:  # a field and its option carry one name, or the packing below breaks
    if click.Option(_spec.metadata["decls"], **_spec.metadata["attrs"]).name != _spec.name:
        raise TypeError(f"SessionOptions.{_spec.name}: its option has another name")


def _packed(f: Callable[..., Any], into: str, names: Sequence[str],
            make: Callable[..., Any]) -> Callable[..., Any]:
    """``f`` taking ``make(**those options)`` as ``into`` instead of the options ``names``."""

    @functools.wraps(f)
    def command(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in names}
        return f(*args, **{into: make(**values)}, **kwargs)

    return command


def session_options(f: F) -> F:
    """Add every SessionOptions option; the command receives them as ``asked``."""
    command = _packed(f, "asked", [spec.name for spec in _OPTIONS], SessionOptions)
    for spec in reversed(_OPTIONS):
        command = click.option(*spec.metadata["decls"], **spec.metadata["attrs"])(command)
    return cast(F, command)


@dataclass(frozen=True)
class LeadIn:
    """Quiet before the first sound, so Bluetooth earbuds are awake for the first word."""

    ms: int
    noise: bool


def lead_in_options(f: F) -> F:
    """``--lead-in`` and ``--lead-in-noise`` (play and export); the command receives a LeadIn."""
    command = _packed(f, "lead_in", ["lead_in_seconds", "lead_in_noise"],
                      lambda lead_in_seconds, lead_in_noise: LeadIn(round(lead_in_seconds * 1000),
                                                                    lead_in_noise))
    command = click.option(
        "--lead-in-noise", is_flag=True,
        help="Fill the lead-in with very quiet noise (for earbuds that sleep on silence).")(command)
    command = click.option(
        "--lead-in", "lead_in_seconds", type=click.FloatRange(0, 30), default=1.5,
        show_default=True,
        help="Seconds of quiet before the first sound, so Bluetooth earbuds wake up.")(command)
    return cast(F, command)


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
