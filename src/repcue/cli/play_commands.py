"""``repcue play`` (a live session through earbuds) and ``repcue devices``."""

from __future__ import annotations

import shlex
import sys
import threading
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from repcue.cli import stopped_before_sound
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
from repcue.player.controls import HELP, AllControls, Controls, KeyboardControls
from repcue.player.devices import EXPORT_HINT, c_messages_to, output_devices, pick_output
from repcue.player.display import (
    AllDisplays,
    Display,
    LineDisplay,
    LiveDisplay,
    QuietDisplay,
)
from repcue.player.navigation import start_ms
from repcue.player.playback import RECONNECT_S, PlayResult
from repcue.player.playback import play as play_session
from repcue.player.sink import SoundDeviceSink
from repcue.prepare import PreparedSession
from repcue.speech import default_cache_dir
from repcue.units import MIX_RATE, position_text

if TYPE_CHECKING:
    from repcue.player.media_keys import MediaKeys

#: Where PortAudio's own messages go during play (in the cache folder), not on the screen.
PORTAUDIO_LOG = "portaudio.log"

EXAMPLES = """\b
Examples:
  repcue play back-strength
  repcue play back-strength --device 'USB Audio' --bt-offset 200
  repcue play back-strength --start-at dumbbell-row:2     # resume at a set
  repcue play back-strength --start-at 12:30 --rest 60
  repcue play back-strength --music ~/Music/gym/ --shuffle
  repcue play back-strength --rest ready   # each rest waits for space or Play
\b
Keys while playing:
""" + "\n".join("  " + line for line in HELP.splitlines())


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


def resume_line(ctx: click.Context, name: str, start_at: str | None) -> str:
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
    if start_at:
        words += ["--start-at", start_at]
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
@click.option("--reconnect", type=click.FloatRange(0, 600), default=RECONNECT_S,
              show_default=True, metavar="SECONDS",
              help="How long to wait for earbuds or a device that dropped out before giving up.")
@click.option("--quiet", is_flag=True, help="No live display (keys still work).")
@loudness_option
@sound_option
@music_options
@session_options
@click.pass_context
def play(ctx: click.Context, /, name: str, device: str | None, latency: str, bt_offset: int,
         lead_in: LeadIn, start_at: str | None, reconnect: float, quiet: bool,
         loudness: float | None, sounds: tuple[str, ...], asked: SessionOptions,
         music: MusicFlags) -> None:
    """Play a workout live: spoken cues, rep tones and rests, with single-key controls."""
    choice = music_for(music, asked.config)  # checked before the device and the speech
    stream_latency = _latency(latency)
    result: PlayResult | None = None
    sink: SoundDeviceSink | None = None
    closing = ExitStack()
    log = (asked.cache_dir or default_cache_dir()) / PORTAUDIO_LOG
    with c_messages_to(log):
        try:
            output = pick_output(device)  # before synthesis: no device, nothing to wait for
            sink = SoundDeviceSink(output.index, MIX_RATE, latency=stream_latency,
                                   channels=output.channels)
            # The device opens (and earbuds wake) while the session loads: both take a while.
            sink.open_early()
            media = _EarlyMediaKeys()
            progress, done = synthesis_progress()
            try:
                session = asked.prepare(name, live=True, progress=progress)
            finally:
                done()
            sink.wait_open()
            result = _play_loaded(session, sink, output.name, start_at, quiet, sounds,
                                  lead_in=lead_in, bt_offset=bt_offset, reconnect=reconnect,
                                  loudness=loudness, asked=asked, music=choice,
                                  closing=closing, media=media)
        except KeyboardInterrupt:
            pass  # Ctrl-C before the first sound: the resume line is the command itself
        finally:
            if sink is not None:
                sink.close()
            closing.close()
    _finish(ctx, name, result, start_at, log)


def _play_loaded(session: PreparedSession, sink: SoundDeviceSink, device: str,
                 start_at: str | None, quiet: bool, sounds: tuple[str, ...], *, lead_in: LeadIn,
                 bt_offset: int, reconnect: float, loudness: float | None,
                 asked: SessionOptions, music: Any, closing: ExitStack,
                 media: _EarlyMediaKeys) -> PlayResult:
    timeline = session.timeline
    begin = start_ms(timeline, start_at) if start_at else 0
    palette = asked.palette(sounds, MIX_RATE)
    # Live play sounds as loud as a WAV export: the same measured gain, remembered.
    mix = master(timeline, session.clips, palette, rate=MIX_RATE,
                 lead_in_ms=lead_in.ms, lead_in_noise=lead_in.noise,
                 target_lufs=target_loudness(loudness, asked.config),
                 remember_in=asked.cache_dir or default_cache_dir())
    music = with_seed(music, asked.seed, session.workout.seed)
    if music is not None:
        from repcue.music import with_music

        mix = with_music(mix, music, target_loudness(loudness, asked.config) + mix.headroom_db,
                         remember_in=asked.cache_dir or default_cache_dir())
        closing.callback(getattr(mix.bed, "close", lambda: None))
    clock = WallClock()
    if not quiet:
        click.echo(f"Playing {timeline.title} on {device} "
                   f"({position_text(timeline.duration_ms)})"
                   + (f" from {position_text(begin)}" if begin else ""), err=True)
    controls, display = _media_keys(media.wait(), KeyboardControls(), _display(quiet, clock),
                                    quiet)
    return play_session(mix, sink, controls, display, clock,
                        start_ms=begin, bt_offset_ms=bt_offset, reconnect_s=reconnect)


class _EarlyMediaKeys:
    """dbus-fast takes about 0.4 s to import: load it and join the bus while the session loads,
    so the first sound does not wait for it."""

    def __init__(self) -> None:
        self._media: MediaKeys | None = None
        self._thread = threading.Thread(target=self._load, name="repcue-mpris-load", daemon=True)
        self._thread.start()

    def _load(self) -> None:
        from repcue.player.media_keys import MediaKeys

        media = MediaKeys()
        media.begin()
        self._media = media

    def wait(self) -> MediaKeys | None:
        """The service, or None when dbus-fast could not be loaded (no D-Bus on this system)."""
        self._thread.join()
        return self._media


def _media_keys(media: MediaKeys | None, keys: Controls, display: Display,
                quiet: bool) -> tuple[Controls, Display]:
    """Add earbud buttons and media keys (MPRIS on the session D-Bus) when there is a bus."""
    if media is None or not media.connect():
        if quiet:
            return keys, display
        # Said once, and short: it stays above the live screen (media.failure has the detail).
        click.echo("Media keys and earbud buttons are off: no session D-Bus (keys still work).",
                   err=True)
        return keys, display
    return AllControls(keys, media), AllDisplays(display, media)


def _finish(ctx: click.Context, name: str, result: PlayResult | None,
            start_at: str | None, log: Path) -> None:
    if result is None:
        resume = resume_line(ctx, name, start_at)
        click.echo(stopped_before_sound(resume), err=True)
        sys.exit(ExitStatus.INTERRUPTED)
    done = result.summary.describe() if result.summary is not None else ""
    if result.underruns:  # worth a word only when the sound really broke up
        done += f"{', ' if done else ''}{result.underruns} " \
                f"underrun{'s' if result.underruns != 1 else ''}"
    # The summary on a line of its own: with the rests it does not fit 80 columns after
    # "Workout complete" or "Stopped at".
    if result.completed:
        click.echo("Workout complete." + (f"\nDone: {done}." if done else ""), err=True)
        return
    resume = resume_line(ctx, name, position_text(result.stopped_at_ms))
    if result.reason == "device lost":
        said = f"; PortAudio's messages are in {log}" if _has_text(log) else ""
        raise AudioError(f"the audio device went away at {position_text(result.stopped_at_ms)} "
                         "and did not come back", hint=f"reconnect it, then: {resume}{said}")
    click.echo(f"Stopped at {position_text(result.stopped_at_ms)}."
               + (f"\nSo far: {done}." if done else "") + f"\nTo resume:\n  {resume}", err=True)
    if result.reason == "interrupted":
        sys.exit(ExitStatus.INTERRUPTED)


def _has_text(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


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
