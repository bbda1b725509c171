"""Commands for trying voices and managing the clip cache: voices, say, cache."""

from __future__ import annotations

from pathlib import Path

import click

from repcue.clip import Clip
from repcue.errors import AudioError, InputError
from repcue.export.clip_file import write_clip
from repcue.export.formats import ExportFormat, format_of, known_suffixes
from repcue.export.safe_write import prepare_destination
from repcue.player.devices import pick_output, portaudio
from repcue.resample import resample
from repcue.speech import (
    VoiceSettings,
    cache_clear,
    cache_info,
    default_cache_dir,
    list_voices,
    resolve_engine,
    synthesize,
)
from repcue.wording import count

ENGINE_HELP = "Speech engine: auto (piper if installed, else pyttsx3), piper, pyttsx3."
CACHE_DIR_HELP = "Clip cache folder (default: $REPCUE_CACHE or the user cache folder)."


def cache_dir_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--cache-dir", type=click.Path(file_okay=False, path_type=Path), help=CACHE_DIR_HELP
    )(f)


@click.command(
    "voices",
    epilog="\b\nExamples:\n  repcue voices\n  repcue voices --engine pyttsx3",
)
@click.option("--engine", default="auto", show_default=True, help=ENGINE_HELP)
def voices(engine: str) -> None:
    """List the voices an engine offers (id, language, name)."""
    name = resolve_engine(VoiceSettings(engine=engine))
    found = sorted(list_voices(name), key=lambda v: (v.language, v.id))
    id_width = max([len("ID"), *(len(v.id) for v in found)])
    language_width = max([len("LANGUAGE"), *(len(v.language) for v in found)])
    plural = "" if len(found) == 1 else "s"
    click.echo(f"{len(found)} {name} voice{plural}; pass the ID as --voice")
    click.echo(f"{'ID':<{id_width}}  {'LANGUAGE':<{language_width}}  NAME")
    for voice in found:
        click.echo(f"{voice.id:<{id_width}}  {voice.language:<{language_width}}  {voice.name}")


def play_clip(clip: Clip, device: str | None) -> None:
    """Play ``clip`` on the device ``play`` would use, at that device's own rate, and wait."""
    output = pick_output(device)  # no device: the same message play gives
    rate = round(output.default_rate)
    sounddevice = portaudio()
    try:
        # Many devices (JACK, a lot of USB and Bluetooth ones) run at 44.1 or 48 kHz only.
        sounddevice.play(resample(clip.samples, clip.rate, rate), rate, device=output.index)
        sounddevice.wait()
    except sounddevice.PortAudioError as error:
        raise AudioError(f"cannot play on {output.name}: {error}",
                         hint="write a file instead with -o say.wav") from error


def _output_format(output: Path) -> ExportFormat:
    codec = format_of(output)
    if codec is None:
        raise InputError("-o", f"{output} does not end in the suffix of an audio format",
                         allowed=known_suffixes())
    return codec


@click.command(
    "say",
    epilog="\b\nExamples:\n"
    '  repcue say "Tailbone down. Brace."\n'
    '  repcue say "Now press." --engine pyttsx3 --voice en-us --rate 1.2\n'
    '  repcue say "Rest." -o rest.wav\n'
    '  repcue say "Now row." --device \'USB Audio\'',
)
@click.argument("text")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a file instead of playing; the suffix picks the format "
              "(.wav, .mp3, .ogg, .m4a).")
@click.option("--force", is_flag=True, help="Replace the -o file if it already exists.")
@click.option("--device", help="Output device: its number or part of its name "
              "(see repcue devices). Default: the system's default output.")
@click.option("--engine", default="auto", show_default=True, help=ENGINE_HELP)
@click.option("--voice", help="Voice id, name or .onnx path (see repcue voices).")
@click.option("--rate", type=float, default=1.0, show_default=True,
              help="Speech speed: 1.0 normal, 1.2 is 20% faster.")
@cache_dir_option
def say(text: str, output: Path | None, force: bool, device: str | None, engine: str,
        voice: str | None, rate: float, cache_dir: Path | None) -> None:
    """Speak one phrase with the chosen voice, exactly as a cue would sound."""
    if not any(char.isalnum() for char in text):
        raise InputError("say", f"{text!r} has nothing to speak",
                         allowed="words or numbers, e.g. repcue say \"Brace.\"")
    settings = VoiceSettings(engine=engine, voice=voice, rate=rate)
    codec = None
    if output is not None:
        codec = _output_format(output)
        prepare_destination([output], force=force)  # before synthesis, which takes a while
    clip = synthesize([text], settings, cache_dir=cache_dir)[text]
    if output is None or codec is None:
        play_clip(clip, device)
        return
    written_rate = write_clip(output, clip, codec, title=text, force=force)
    click.echo(f"Wrote {output} ({clip.duration_ms / 1000:.2f} s, {written_rate} Hz, "
               f"{resolve_engine(settings)})")


@click.group(
    "cache",
    epilog="\b\nExamples:\n  repcue cache info\n  repcue cache clear --cache-dir /tmp/clips",
)
def cache() -> None:
    """Show or empty the cache of synthesised speech clips (and decoded music)."""


@cache.command(
    "info", epilog="\b\nExamples:\n  repcue cache info\n  REPCUE_CACHE=/tmp/clips repcue cache info"
)
@cache_dir_option
def cache_info_command(cache_dir: Path | None) -> None:
    """Show how many clips are cached, their size and where."""
    from repcue.music.kept import MAX_BYTES, kept_info
    from repcue.music.remembered import kept_folder

    entries, size, folder = cache_info(cache_dir)
    click.echo(f"Clips:    {entries}")
    click.echo(f"Size:     {size / 1_000_000:.1f} MB")
    click.echo(f"Location: {folder}")
    tracks, kept = kept_info(kept_folder(folder))
    click.echo(f"Music:    {count(tracks, 'track')} decoded and kept, {kept / 1_000_000:.1f} MB "
               f"(at most {MAX_BYTES / 2**30:.0f} GiB)")


@cache.command("clear", epilog="\b\nExamples:\n  repcue cache clear")
@cache_dir_option
def cache_clear_command(cache_dir: Path | None) -> None:
    """Delete every cached clip and decoded music; they are made again when next needed."""
    from repcue.music.kept import clear_kept
    from repcue.music.remembered import kept_folder

    removed = cache_clear(cache_dir)
    folder = cache_dir or default_cache_dir()
    click.echo(f"Removed {count(removed, 'clip')} from {folder}")
    tracks, size = clear_kept(kept_folder(folder))
    if tracks:
        click.echo(f"Removed {count(tracks, 'decoded music track')} "
                   f"({size / 1_000_000:.1f} MB)")


COMMANDS: list[click.Command] = [voices, say, cache]
