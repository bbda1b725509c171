"""Commands that read the library and the plan: list, show, validate, plan."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import click

from repcue.cli.columns import hanging
from repcue.cli.options import (
    SessionOptions,
    content_option,
    session_options,
    synthesis_progress,
)
from repcue.config import load_config
from repcue.content import Library
from repcue.errors import NotFoundError, RepcueError
from repcue.export.safe_write import write_bytes_safely
from repcue.model import Exercise
from repcue.picture import picture_svg
from repcue.plan import plan
from repcue.prepare import Request, prepare, resolve_request
from repcue.schedule import schedule
from repcue.settings import chain, differences, resolve_traced, resolve_workout
from repcue.timeline import MarkerRole, Timeline
from repcue.timing import Layer, Timing
from repcue.units import plan_time_text
from repcue.wording import DEFAULT_PRESET, count


@click.command("list", epilog="\b\nExamples:\n  repcue list\n  repcue list --content ~/my-workouts")
@content_option
def list_command(content_dirs: tuple[Path, ...]) -> None:
    """List the workouts and exercises in the library (a broken file is named, not fatal)."""
    library = Library.discover(content_dirs)
    config = load_config().timing
    broken: list[str] = []
    click.echo("Workouts:")
    for name in sorted(library.workout_files):
        try:
            workout = library.workout(name)
            timings = [r.timing for r in resolve_workout(workout, config)]
            minutes = round(schedule(plan(workout, timings)).duration_ms / 60000)
        except RepcueError as err:
            broken.append(err.message)
            click.echo(f"  {name:<20} (has errors: see below)")
            continue
        exercises = ", ".join(dict.fromkeys(e.exercise.name for e in workout.entries))
        click.echo(hanging(f"  {name:<20} ", f"{workout.title} (about {minutes} min): {exercises}"))
    click.echo("Exercises:")
    for name in sorted(library.exercise_files):
        try:
            exercise = library.exercise(name)
        except RepcueError as err:
            broken.append(err.message)
            click.echo(f"  {name:<20} (has errors: see below)")
            continue
        click.echo(hanging(f"  {name:<20} ", f"{exercise.name}: {', '.join(exercise.targets)}"))
    for message in dict.fromkeys(broken):
        click.echo(f"Error: {message}", err=True)
    if broken:
        click.echo("Run repcue validate to see every problem in those files.", err=True)


@click.command("show", epilog="\b\nExamples:\n  repcue show overhead-press\n"
               "  repcue show back-strength")
@click.argument("name")
@content_option
def show_command(name: str, content_dirs: tuple[Path, ...]) -> None:
    """Show an exercise (targets, cues, mistakes, defaults) or a workout."""
    library = Library.discover(content_dirs)
    config = load_config().timing
    if name in library.exercise_files:
        ex = library.exercise(name)
        timing = resolve_traced(chain([_defaults_layer(ex)], config)).timing
        click.echo(f"{ex.name} ({ex.id})")
        base = f"; stabiliser: {ex.stabiliser}" if ex.stabiliser else ""
        click.echo(hanging("  Targets:    ", f"{', '.join(ex.targets) or 'none'}{base}"))
        click.echo(hanging("  Equipment:  ", ', '.join(ex.equipment) or 'none'))
        click.echo(hanging("  Why:        ", ex.explanation or '(none)'))
        _items("Set-up", ex.setup)
        _items("Pre-set", ex.preset_cues or [f"{DEFAULT_PRESET[0]} (default)"])
        _items("Go", [f"{p.value}: {t}" for p, t in ex.go_cues.items()])
        _items("Form", ex.form_cues)
        _items("Mistakes", ex.mistakes)
        click.echo(hanging("  Defaults:   ", _timing_summary(timing)))
        return
    if name in library.workout_files:
        workout = library.workout(name)
        click.echo(f"{workout.title} ({workout.id})")
        for line in workout.intro:
            click.echo(hanging("  ", line))
        for entry, r in zip(workout.entries, resolve_workout(workout, config), strict=True):
            click.echo(hanging("  - ", f"{entry.exercise.name}: {_timing_summary(r.timing)}"))
        return
    raise NotFoundError("exercise or workout", name,
                        [*library.exercise_files, *library.workout_files],
                        plural="exercises and workouts")


def _defaults_layer(ex: Exercise) -> Layer:
    return Layer(ex.source, ex.defaults, "defaults", "exercise")


def _items(label: str, items: Sequence[str]) -> None:
    leads = [f"  {label + ':':<11} "] + [" " * 14] * (len(items) - 1)
    for lead, item in zip(leads, items or ["(none)"], strict=False):
        click.echo(hanging(lead, item))


def _timing_summary(t: Timing) -> str:
    if t.is_hold:
        work = f"{t.reps} x {t.hold_ms / 1000:g} s hold"
    else:
        work = f"{count(t.reps, 'rep')}, tempo {t.tempo} from {t.start.value}"
    sides = ", each side" if t.sides.value == "each" else ""
    rest = (f"rest when ready (planned {t.rest_ms / 1000:g} s)" if t.rest_ready
            else f"rest {t.rest_ms / 1000:g} s")
    return (f"{count(t.sets, 'set')} of {work}{sides}; {rest}; "
            f"pre-set {t.preset.value}; verbosity {t.verbosity.value}")


@click.command("validate", epilog="\b\nExamples:\n  repcue validate\n"
               "  repcue validate my-workouts/workouts/push-day.toml")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@content_option
def validate_command(paths: tuple[Path, ...], content_dirs: tuple[Path, ...]) -> None:
    """Check content files (or the whole library); exit 2 on any error."""
    extra = list(content_dirs)
    for path in paths:
        # A file's own folder joins the library, so its workouts can name its exercises.
        root = path.parent.parent if path.parent.name in ("exercises", "workouts") else None
        if root is not None and root not in extra:
            extra.append(root)
        if path.is_dir():
            extra.append(path)
    library = Library.discover(extra)
    files = [p for p in paths if not p.is_dir()]
    for folder in (p for p in paths if p.is_dir()):
        files += sorted(folder.glob("exercises/*.toml")) + sorted(folder.glob("workouts/*.toml"))
    for missing in (p for p in files if not p.exists()):
        raise click.BadParameter(f"{missing} does not exist", param_hint="PATH")
    checked, errors = library.validate(files)
    for err in errors:
        click.echo(f"Error: {err.message}", err=True)
    if errors:
        bad = len({err.source for err in errors})
        click.echo(f"{count(len(errors), 'error')} in {bad} of {count(checked, 'file')}.",
                   err=True)
        raise click.exceptions.Exit(2)
    click.echo(f"All {count(checked, 'file')} are valid." if checked != 1 else
               "The file is valid.")


@click.command("plan", epilog="\b\nExamples:\n  repcue plan back-strength\n"
               "  repcue plan back-strength --tempo 3-1-1-0 --rest 60 --preset every-set\n"
               "  repcue plan back-strength --set overhead-press.reps=6 --json > plan.json\n"
               "  repcue plan back-strength --picture back-strength.svg")
@click.argument("name")
@session_options
@click.option("--json", "as_json", is_flag=True, help="Print the timeline contract as JSON.")
@click.option("--estimate", is_flag=True,
              help="Estimate speech lengths instead of synthesising (fast, no audio).")
@click.option("--all", "show_all", is_flag=True, help="Also list phases and tones.")
@click.option("--picture", type=click.Path(dir_okay=False, path_type=Path),
              help="Also draw the session's shape as an SVG file (replaced if it exists).")
def plan_command(name: str, as_json: bool, estimate: bool, show_all: bool,
                 picture: Path | None, asked: SessionOptions) -> None:
    """Show the whole session, second by second: every cue, its time and the totals."""
    request = asked.request(name, estimate=estimate)
    progress, done = (None, lambda: None) if estimate else synthesis_progress()
    try:
        session = prepare(request, progress)
    finally:
        done()
    if picture is not None:
        write_bytes_safely(picture, picture_svg(session.timeline).encode(), force=True)
    if as_json:
        click.echo(session.timeline.to_json())
        return
    _print_table(session.timeline, show_all)
    _print_settings(request)
    source = "estimated" if session.engine is None else f"measured ({session.engine})"
    click.echo(f"Speech timings: {source}.")


def _print_settings(request: Request) -> None:
    """Each value that differs from the built-in default, and the layer that set it."""
    workout, resolved, _ = resolve_request(request)
    width = max(len(e.exercise.id) for e in workout.entries)
    lines: list[str] = []
    for entry, r in zip(workout.entries, resolved, strict=True):
        for i, (origin, values) in enumerate(differences(r).items()):
            name = entry.exercise.id if i == 0 else ""
            lines.append(hanging(f"  {name:<{width}}  ", f"{origin}: {', '.join(values)}"))
    if lines:
        click.echo("Settings that differ from the built-in defaults, and who set them:")
        for line in lines:
            click.echo(line)


def _print_table(timeline: Timeline, show_all: bool) -> None:
    click.echo(f"{timeline.title} ({timeline.workout_id})")
    click.echo(f"{'time':>8}  {'event':<18} text")
    for e in timeline.events:
        if e.kind == "marker":
            event, text = {"exercise": "== ", "set": "-- ", "rest": ".. "}[e.role] + e.role, e.text
        elif e.kind == "speech":
            event, text = "say " + e.role, e.text
        elif show_all:
            event, text = f"{e.kind} {e.role}", f"rep {e.rep}" if e.rep else ""
        else:
            continue
        click.echo(hanging(f"{plan_time_text(e.start_ms):>8}  {event:<18} ", text or ""))
    reps = Counter((e.exercise, e.set, e.side, e.rep) for e in timeline.events
                   if e.kind == "phase")
    sets = len(timeline.markers(MarkerRole.SET))
    click.echo("")
    duration = timeline.duration_ms
    click.echo(f"Duration {plan_time_text(duration)} ({duration / 60000:.1f} min), "
               f"{count(sets, 'set')}, {count(len(reps), 'rep')}, "
               f"{count(len(timeline.speech()), 'spoken cue')}.")
    if timeline.warnings:
        click.echo(f"{count(len(timeline.warnings), 'warning')}:")
        for w in timeline.warnings:
            click.echo(hanging("  - ", w))


COMMANDS = [list_command, show_command, validate_command, plan_command]
