"""``repcue export``: workouts to audio files with chapters and cue lyrics, one or a folder."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import Any

import click

from repcue.cli.options import (
    load_session,
    music_from_options,
    music_options,
    palette_for,
    pop_session_options,
    session_options,
    sound_option,
    synthesis_progress,
    with_seed,
)
from repcue.clip import Clip
from repcue.content import Library
from repcue.export import (
    ExportOptions,
    ExportResult,
    export_mix,
    export_program,
    export_session,
    sidecar_paths,
)
from repcue.export.encoders import FORMATS
from repcue.export.exporter import SessionFactory
from repcue.export.safe_write import prepare_destination
from repcue.mix.gain_search import Progress
from repcue.timeline import Timeline
from repcue.tones import TonePalette
from repcue.units import MIX_RATE, duration_text

EXAMPLES = """\b
Examples:
  repcue export back-strength                  # ./back-strength.mp3 (+ .lrc, .vtt)
  repcue export back-strength -o ~/Music/      # into a folder
  repcue export back-strength -o squats.ogg    # format from the suffix
  repcue export --all -o ~/Music/repcue/       # every workout, plus workouts.m3u8
  repcue export activation back-strength -o out/ --bitrate 96 --lead-in 3
  repcue export back-strength --music ~/Music/gym.m3u8 --sample-rate 44100
"""

_STAGES = {"measuring": "Measuring loudness", "correcting": "Measuring loudness",
           "encoding": "Encoding"}


def terminate_cleanly() -> None:
    """Turn SIGTERM into SystemExit, so ``finally`` blocks remove half-written files."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)


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


def _format_for(output: Path | None, fmt: str | None) -> str:
    suffix = output.suffix.lower().lstrip(".") if output is not None else ""
    if suffix in FORMATS:
        if fmt is not None and fmt != suffix:
            raise click.UsageError(f"-o {output} ends in .{suffix} but --format is {fmt}")
        return suffix
    return fmt or "mp3"


def _is_folder(output: Path) -> bool:
    return output.is_dir() or str(output).endswith(("/", "\\")) or output.suffix == ""


@click.command("export", epilog=EXAMPLES)
@click.argument("names", nargs=-1, metavar="NAME…")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="File to write (one workout) or folder (any number). Default: here.")
@click.option("--all", "all_workouts", is_flag=True, help="Export every workout in the library.")
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="Audio format (default: from the -o suffix, else mp3).")
@click.option("--bitrate", type=click.IntRange(8, 320), default=64, show_default=True,
              help="kbps; mono 64 is clear speech on a phone.")
@click.option("--sample-rate", type=click.Choice(["22050", "44100"]), default="22050",
              show_default=True,
              help="Hz. 22050 is the voices' own rate and the cleanest speech at 64 kbps.")
@click.option("--no-sidecars", is_flag=True, help="Do not write .lrc and .vtt cue files.")
@click.option("--force", is_flag=True, help="Replace files that already exist.")
@click.option("--lead-in", type=click.FloatRange(0, 30), default=1.5, show_default=True,
              help="Seconds of quiet before the first sound, so Bluetooth earbuds wake up.")
@click.option("--lead-in-noise", is_flag=True,
              help="Fill the lead-in with very quiet noise (for earbuds that sleep on silence).")
@click.option("--jobs", type=click.IntRange(1, 16), default=2, show_default=True,
              help="Workouts exported at once.")
@sound_option
@music_options
@session_options
def export(names: tuple[str, ...], output: Path | None, all_workouts: bool, fmt: str | None,
           bitrate: int, sample_rate: str, no_sidecars: bool, force: bool, lead_in: float,
           lead_in_noise: bool, jobs: int, sounds: tuple[str, ...], **kwargs: Any) -> None:
    """Write workouts as audio files with chapters, synced cue lyrics and cue sidecars."""
    terminate_cleanly()
    music = music_from_options(kwargs)
    opts = pop_session_options(kwargs)
    if all_workouts:
        if names:
            raise click.UsageError("give workout names or --all, not both")
        names = tuple(Library.discover(tuple(opts.get("content_dirs") or ())).workout_files)
    if not names:
        raise click.UsageError("name a workout to export (see repcue list), or pass --all")
    several = len(names) > 1 or all_workouts
    if several and output is not None and output.suffix.lower().lstrip(".") in FORMATS:
        raise click.UsageError("-o must be a folder when exporting several workouts")
    options = ExportOptions(
        format=_format_for(output, fmt), bitrate_kbps=bitrate, sidecars=not no_sidecars,
        force=force, lead_in_ms=round(lead_in * 1000), lead_in_noise=lead_in_noise,
        sample_rate=int(sample_rate), music=music)
    palette = palette_for(sounds, MIX_RATE)

    if not several:
        _export_one(names[0], output, options, palette, opts)
        return

    folder = output if output is not None else Path(".")
    # export_program refuses a name given twice, or files in the way, before any synthesis.
    # Synthesis runs one workout at a time (it already uses every core and shares a cache);
    # rendering and encoding overlap across workouts.
    synthesis = threading.Lock()

    def factory(name: str) -> SessionFactory:
        def build() -> tuple[Timeline, Mapping[str, Clip]]:
            with synthesis:
                session = load_session(name, **opts)
            return session.timeline, session.clips

        return build

    with _export_progress(f"{len(names)} workouts") as progress:
        results = export_program([(Path(n).stem, factory(n)) for n in names], folder, palette,
                                 options,
                                 jobs=jobs, playlist_name="workouts", progress=progress)
    for result in results:
        _show(result)
    click.echo(f"Wrote {folder / 'workouts.m3u8'}")


def _export_one(name: str, output: Path | None, options: ExportOptions, palette: TonePalette,
                opts: dict[str, Any]) -> None:
    target = Path(f"{Path(name).stem}.{options.format}")
    if output is not None:
        target = output / target if _is_folder(output) else output
    # Refuse before synthesis, which can take a while, rather than after it.
    prepare_destination([target, *(sidecar_paths(target) if options.sidecars else ())],
                        force=options.force)
    speech_progress, done = synthesis_progress()
    try:
        session = load_session(name, progress=speech_progress, **opts)
    finally:
        done()
    options = replace(options, music=with_seed(options.music, opts, session.workout.seed))
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
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)


COMMANDS = [export]
