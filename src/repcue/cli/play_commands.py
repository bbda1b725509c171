"""``repcue play`` (a live session through earbuds) and ``repcue devices``."""

from __future__ import annotations

import shlex
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

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
from repcue.errors import AudioError, ExitStatus, InputError
from repcue.mix import master
from repcue.player.clock import Clock, WallClock
from repcue.player.controls import HELP, KeyboardControls
from repcue.player.devices import EXPORT_HINT, output_devices, pick_output
from repcue.player.display import Display, LineDisplay, LiveDisplay, QuietDisplay
from repcue.player.navigation import start_ms
from repcue.player.playback import PlayResult
from repcue.player.playback import play as play_session
from repcue.player.sink import SoundDeviceSink
from repcue.speech import default_cache_dir
from repcue.units import MIX_RATE, position_text

EXAMPLES = """\b
Examples:
  repcue play back-strength
  repcue play back-strength --device 'USB Audio' --bt-offset 200
  repcue play back-strength --start-at dumbbell-row:2     # resume at a set
  repcue play back-strength --start-at 12:30 --rest 60
  repcue play back-strength --music ~/Music/gym/ --shuffle
\b
Keys while playing: """ + HELP


def _latency(text: str) -> float | str:
    if text in ("low", "high"):
        return text
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 2:
        raise InputError("--latency", f"{text!r} is not a latency", value=text,
                           allowed="low, high, or seconds up to 2")
    return seconds


def resume_line(ctx: click.Context, name: str, at_ms: int) -> str:
    """The command that picks the session up again: same options, ``--start-at`` the stop."""
    words = ["repcue", "play", name]
    for param in ctx.command.params:
        if not isinstance(param, click.Option) or param.name in (None, "start_at"):
            continue
        value = ctx.params.get(param.name)
        if value is None or value == param.default or value == ():
            continue
        if param.is_flag and param.secondary_opts:
            words.append(param.opts[0] if value else param.secondary_opts[0])
        elif param.is_flag:
            if value:
                words.append(param.opts[0])
        else:
            for item in value if param.multiple else (value,):
                words += [max(param.opts, key=len), str(item)]
    words += ["--start-at", position_text(at_ms)]
    return shlex.join(words)


def _display(quiet: bool, clock: Clock) -> Display:
    if quiet:
        return QuietDisplay()
    if sys.stdout.isatty():
        from rich.console import Console

        return LiveDisplay(Console(), clock)
    return LineDisplay(sys.stdout)


@click.command("play", epilog=EXAMPLES)
@click.argument("name")
@click.option("--device", help="Output device: its number or part of its name "
              "(see repcue devices). Default: the system's default output.")
@click.option("--latency", default="high", show_default=True,
              help="Output latency: low, high, or seconds. High is safest for Bluetooth.")
@click.option("--bt-offset", type=click.IntRange(0, 2000), default=0, metavar="MS",
              help="Extra delay of Bluetooth earbuds; the display and the resume point "
              "follow what you hear.")
@lead_in_options
@click.option("--start-at", metavar="EXERCISE[:SET]|MM:SS",
              help="Start at an exercise, one of its sets, or a time (to resume).")
@click.option("--quiet", is_flag=True, help="No live display (keys still work).")
@loudness_option
@sound_option
@music_options
@session_options
@click.pass_context
def play(ctx: click.Context, /, name: str, device: str | None, latency: str, bt_offset: int,
         lead_in: LeadIn, start_at: str | None, quiet: bool, loudness: float | None,
         sounds: tuple[str, ...], asked: SessionOptions,
         music: MusicFlags) -> None:
    """Play a workout live: spoken cues, rep tones and rests, with single-key controls."""
    choice = music_for(music, asked.config)  # checked before the device and the speech
    stream_latency = _latency(latency)
    output = pick_output(device)  # before synthesis: no device means nothing to wait for
    sink = SoundDeviceSink(output.index, MIX_RATE, latency=stream_latency,
                           channels=output.channels)
    # The device opens (and earbuds wake) while the session loads: both take a while.
    with ThreadPoolExecutor(1) as pool:
        opening = pool.submit(sink.open)
        progress, done = synthesis_progress()
        try:
            session = asked.prepare(name, progress=progress)
        except BaseException:
            opening.result()
            sink.close()
            raise
        finally:
            done()
        opening.result()
    closing = ExitStack()
    try:
        timeline = session.timeline
        begin = start_ms(timeline, start_at) if start_at else 0
        palette = asked.palette(sounds, MIX_RATE)
        target = target_loudness(loudness, asked.config)
        # Live play sounds as loud as a WAV export: the same measured gain, remembered.
        mix = master(timeline, session.clips, palette, rate=MIX_RATE,
                     lead_in_ms=lead_in.ms, lead_in_noise=lead_in.noise,
                     target_lufs=target,
                     remember_in=asked.cache_dir or default_cache_dir())
        choice = with_seed(choice, asked.seed, session.workout.seed)
        if choice is not None:
            from repcue.music import with_music

            mix = with_music(mix, choice, target + mix.headroom_db)
            closing.callback(getattr(mix.bed, "close", lambda: None))
        clock = WallClock()
        if not quiet:
            click.echo(f"Playing {timeline.title} on {output.name} "
                       f"({position_text(timeline.duration_ms)})"
                       + (f" from {position_text(begin)}" if begin else ""), err=True)
        result = play_session(mix, sink, KeyboardControls(),
                              _display(quiet, clock), clock, start_ms=begin,
                              bt_offset_ms=bt_offset)
    finally:
        sink.close()
        closing.close()
    _finish(ctx, name, result)


def _finish(ctx: click.Context, name: str, result: PlayResult) -> None:
    underruns = f"{result.underruns} underrun{'s' if result.underruns != 1 else ''}"
    if result.completed:
        click.echo(f"Workout complete ({underruns}).", err=True)
        return
    resume = resume_line(ctx, name, result.stopped_at_ms)
    if result.reason == "device lost":
        raise AudioError(f"the audio device went away at {position_text(result.stopped_at_ms)} "
                         "and did not come back", hint=f"reconnect it, then: {resume}")
    click.echo(f"Stopped at {position_text(result.stopped_at_ms)} ({underruns}).\n"
               f"To resume:\n  {resume}", err=True)
    if result.reason == "interrupted":
        sys.exit(ExitStatus.INTERRUPTED)


@click.command("devices", epilog="\b\nExamples:\n  repcue devices\n"
               "  repcue play back-strength --device 3")
def devices() -> None:
    """List the sound output devices repcue can play on (* marks the default)."""
    found = output_devices()
    if not found:
        raise AudioError("no audio output device found", hint=EXPORT_HINT)
    for device in found:
        click.echo(device.describe())


COMMANDS = [play, devices]
