"""``repcue export``: workouts to audio files with chapters and cue lyrics, one or a folder."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType
from typing import Any

import click

from repcue.cli.options import (
    LeadIn,
    MusicFlags,
    SessionOptions,
    lead_in_options,
    loudness_option,
    music_for,
    music_options,
    session_options,
    sound_option,
    synthesis_progress,
    target_loudness,
    with_seed,
)
from repcue.clip import Clip
from repcue.content import Library
from repcue.errors import InputError
from repcue.export import (
    ExportOptions,
    ExportResult,
    export_mix,
    export_program,
    export_session,
    sidecar_paths,
)
from repcue.export.formats import EXPORT_RATES, FORMATS, ExportFormat, format_of, known_suffixes
from repcue.export.program import SessionFactory
from repcue.export.safe_write import prepare_destination
from repcue.mix.gain_search import Progress
from repcue.speech import default_cache_dir
from repcue.timeline import Timeline
from repcue.tones import TonePalette
from repcue.units import MIX_RATE, duration_text
from repcue.wording import count

EXAMPLES = """\b
Examples:
  repcue export back-strength                # ./back-strength.mp3, .lrc, .vtt
  repcue export back-strength -o ~/Music/    # into a folder
  repcue export back-strength -o squats.ogg  # format from the suffix
  repcue export --all -o ~/Music/repcue/     # all, plus workouts.m3u8
  repcue export activation back-strength -o out/ --bitrate 96 --lead-in 3
  repcue export back-strength --music ~/Music/gym.m3u8 --sample-rate 44100
"""

_STAGES = {"measuring": "Measuring loudness", "correcting": "Measuring loudness",
           "encoding": "Encoding"}


def terminate_cleanly() -> None:
    """Turn SIGTERM and SIGHUP (the terminal closed) into SystemExit, so ``finally`` blocks
    remove half-written files; the status is the shell's 128 + the signal's number."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)
        if hasattr(signal, "SIGHUP"):  # not on Windows
            signal.signal(signal.SIGHUP, handler)


@contextmanager
def _export_progress(label: str) -> Iterator[Progress | None]:
    """A progress bar per export stage on a terminal; nothing when output is piped."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress as Bar

    bar = Bar(transient=True)
    tasks: dict[str, Any] = {}
    lock = threading.Lock()

    def update(stage: str, done: int, total: int) -> None:
        name = f"{_STAGES.get(stage, stage)} {label}"
        with lock:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
            bar.update(tasks[name], completed=done, total=total)

    with bar:
        yield update


def _report(result: ExportResult) -> str:
    size = result.bytes / 1_000_000
    line = (f"Wrote {result.path} ({duration_text(result.duration_ms)}, {size:.1f} MB, "
            f"{result.lufs:.1f} LUFS, true peak {result.true_peak_dbtp:.1f} dBTP)")
    if result.sidecars:
        line += " + " + ", ".join(p.suffix for p in result.sidecars)
    return line


def _bitrate_help() -> str:
    offers = [f"{f.name} " + "/".join(f"{min(f.allowed_bitrates(r))}-{max(f.allowed_bitrates(r))}"
                                      for r in EXPORT_RATES)
              for f in FORMATS.values() if f.bitrates]
    rates = "/".join(str(r) for r in EXPORT_RATES)
    return (f"kbps; default 64, clear speech on a phone. Offered at {rates} Hz: "
            f"{', '.join(offers)} (the exact list is shown if you pick another).")


@dataclass(frozen=True)
class Destination:
    """Where an export goes: one named file, or a folder of NAME.SUFFIX files."""

    format: ExportFormat
    file: Path | None = None
    folder: Path = Path(".")

    def target(self, name: str) -> Path:
        return self.file or self.folder / f"{Path(name).stem}.{self.format.suffix}"


def destination(output: Path | None, fmt: str | None, several: bool) -> Destination:
    """Read ``-o``: a file whose suffix is a format we write, or a folder; anything else is an
    error naming the formats, so a name never holds audio of another format."""
    chosen = FORMATS[fmt or "mp3"]
    if output is None:
        return Destination(chosen)
    if str(output) == "-":
        raise InputError("-o", "repcue writes audio files, not to standard output",
                         allowed=f"a file ending in {known_suffixes()}, or a folder")
    folder = output.is_dir() or str(output).endswith(("/", "\\"))
    by_suffix = None if folder else format_of(output)
    if by_suffix is None:
        if not folder and (output.suffix or output.exists()):
            problem = (f"{output} ends in {output.suffix}, not an audio format repcue writes"
                       if output.suffix else f"{output} is a file with no suffix to say its format")
            raise InputError("-o", problem,
                             allowed=f"{known_suffixes()}, or a folder ending in /")
        return Destination(chosen, folder=output)
    if fmt is not None and by_suffix.name != fmt:
        raise click.UsageError(f"-o {output} ends in {output.suffix} but --format is {fmt}")
    if several:
        raise click.UsageError("-o must be a folder when exporting several workouts")
    return Destination(by_suffix, file=output)


@click.command("export", epilog=EXAMPLES)
@click.argument("names", nargs=-1, metavar="NAME…")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="File to write (one workout; its suffix is the format: .mp3, .wav, .ogg, "
              ".m4a) or folder (any number; an existing one, or ending in /). Default: here.")
@click.option("--all", "all_workouts", is_flag=True, help="Export every workout in the library.")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)),
              help="Audio format (default: from the -o suffix, else mp3).")
@click.option("--bitrate", type=int, metavar="KBPS", help=_bitrate_help())
@click.option("--sample-rate", type=click.Choice([str(r) for r in EXPORT_RATES]),
              default=str(EXPORT_RATES[0]), show_default=True,
              help="Hz. 22050 is the voices' own rate and the cleanest speech at 64 kbps.")
@click.option("--no-sidecars", is_flag=True, help="Do not write .lrc and .vtt cue files.")
@click.option("--force", is_flag=True, help="Replace files that already exist.")
@lead_in_options
@click.option("--jobs", type=click.IntRange(1, 16), default=2, show_default=True,
              help="Workouts exported at once.")
@loudness_option
@sound_option
@music_options
@session_options
def export(names: tuple[str, ...], output: Path | None, all_workouts: bool, fmt: str | None,
           bitrate: int | None, sample_rate: str, no_sidecars: bool, force: bool,
           lead_in: LeadIn, jobs: int, loudness: float | None, sounds: tuple[str, ...],
           asked: SessionOptions, music: MusicFlags) -> None:
    """Write workouts as audio files with chapters, synced cue lyrics and cue sidecars."""
    terminate_cleanly()
    library = Library.discover(asked.content_dirs)
    if all_workouts:
        if names:
            raise click.UsageError("give workout names or --all, not both")
        names = tuple(library.workout_files)
    if not names:
        raise click.UsageError("name a workout to export (see repcue list), or pass --all")
    several = len(names) > 1 or all_workouts
    where = destination(output, fmt, several)
    options = ExportOptions(
        format=where.format.name, bitrate_kbps=bitrate, sidecars=not no_sidecars,
        force=force, lead_in_ms=lead_in.ms, lead_in_noise=lead_in.noise,
        sample_rate=int(sample_rate), target_lufs=target_loudness(loudness, asked.config),
        music=music_for(music, asked.config),
        remember_in=asked.cache_dir or default_cache_dir())
    # Every name is found (and its file read) before anything is written.
    for name in names:
        library.workout(name)
    palette = asked.palette(sounds, MIX_RATE)
    if several:
        # --shuffle takes --seed when given, else each workout's own, as one export would.
        seeds = [asked.seed if asked.seed is not None else library.workout(name).seed
                 for name in names]
        _export_several(names, where.folder, palette, options, jobs, asked, seeds)
    else:
        _export_one(names[0], where.target(names[0]), palette, options, asked)


def _export_one(name: str, target: Path, palette: TonePalette, options: ExportOptions,
                asked: SessionOptions) -> None:
    # Refuse before synthesis, which can take a while, rather than after it.
    prepare_destination([target, *(sidecar_paths(target) if options.sidecars else ())],
                        force=options.force)
    speech_progress, done = synthesis_progress()
    try:
        session = asked.prepare(name, progress=speech_progress)
    finally:
        done()
    options = replace(options, music=with_seed(options.music, asked.seed, session.workout.seed))
    with _export_progress(name) as progress:
        mix = export_mix(session.timeline, session.clips, palette, options, progress)
        result = export_session(mix, target, options, progress)
    _show(result)


def _show(result: ExportResult) -> None:
    click.echo(_report(result))
    if result.music:
        names = "; ".join(path.stem for path in result.music)
        click.echo(f"Music: {len(result.music)} track{'s' * (len(result.music) != 1)} "
                   f"({names})")
    if result.music_levels is not None:
        rest, around = result.music_levels
        in_rests = "as loud as the voice" if rest == 0 else f"{rest:g} dB under the voice"
        click.echo(f"Music: {in_rests} in long rests, {around:g} dB under it around the cues")
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)


def _export_several(names: tuple[str, ...], folder: Path, palette: TonePalette,
                    options: ExportOptions, jobs: int, asked: SessionOptions,
                    seeds: list[int]) -> None:
    # export_program refuses a name given twice, or files in the way, before any synthesis.
    # Synthesis runs one workout at a time (it already uses every core and shares a cache);
    # rendering and encoding overlap across workouts.
    synthesis = threading.Lock()

    def factory(name: str) -> SessionFactory:
        def build() -> tuple[Timeline, Mapping[str, Clip]]:
            with synthesis:
                session = asked.prepare(name)
            return session.timeline, session.clips

        return build

    with _export_progress(count(len(names), "workout")) as progress:
        results = export_program([(Path(n).stem, factory(n)) for n in names], folder, palette,
                                 options, jobs=jobs, playlist_name="workouts",
                                 progress=progress, music_seeds=seeds)
    for result in results:
        _show(result)
    click.echo(f"Wrote {folder / 'workouts.m3u8'}")


COMMANDS = [export]
