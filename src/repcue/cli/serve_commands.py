"""``repcue serve``: workouts to the phone as a podcast feed and a follow-along page."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from repcue.cli.export_commands import terminate_cleanly
from repcue.cli.options import (
    MusicFlags,
    SessionOptions,
    music_for,
    music_options,
    session_options,
    sound_option,
    with_seed,
)
from repcue.content import Library
from repcue.errors import ExitStatus
from repcue.export import ExportOptions
from repcue.tones import TonePalette
from repcue.units import MIX_RATE

if TYPE_CHECKING:
    from repcue.music import MusicChoice
    from repcue.serve.episodes import Episode

EXAMPLES = """\b
Examples:
  repcue serve back-strength                # one workout, on your LAN
  repcue serve --all                        # every workout
  repcue serve --all --rest 60 --port 9000  # your overrides, another port
  repcue serve --all --music ~/Music/gym/   # your music under the voice
  repcue serve activation --host 127.0.0.1  # only this computer
  repcue serve --all --new-token            # new URLs (old ones stop)
"""

DEFAULT_PORT = 8765


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _workout_names(names: tuple[str, ...], all_workouts: bool,
                   content_dirs: tuple[Path, ...]) -> list[str]:
    library = Library.discover(content_dirs)
    if all_workouts:
        if names:
            raise click.UsageError("give workout names or --all, not both")
        return sorted(library.workout_files)
    if not names:
        raise click.UsageError("name a workout to serve (see repcue list), or pass --all")
    for name in names:
        library.workout(name)  # an unknown or broken workout stops here, before any work
    return list(dict.fromkeys(names))


def _qr(url: str) -> str:
    import segno

    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True)
    return out.getvalue().rstrip("\n")


def _episodes(chosen: list[str], palette: TonePalette, asked: SessionOptions,
              music: MusicChoice | None) -> list[Episode]:
    """Each workout's episode: kept when its audio would not change, rendered when it would."""
    from repcue.serve.episodes import EpisodeShelf, slugs
    from repcue.serve.feed import clock as feed_clock
    from repcue.speech import default_cache_dir

    shelf = EpisodeShelf()
    episodes = []
    for name, slug in slugs(chosen).items():
        started = time.monotonic()
        session = asked.prepare(name)
        options = ExportOptions(music=with_seed(music, asked.seed, session.workout.seed),
                                remember_in=asked.cache_dir or default_cache_dir())
        episode, rendered = shelf.episode(name, slug, session.timeline, session.clips,
                                          palette, options)
        took = f"rendered in {time.monotonic() - started:.1f} s" if rendered else "unchanged"
        click.echo(f"{slug}: {episode.title}, {feed_clock(episode.duration_ms)} ({took})")
        episodes.append(episode)
    shelf.forget_older(episodes)
    return episodes


@click.command("serve", epilog=EXAMPLES)
@click.argument("names", nargs=-1, metavar="NAME…")
@click.option("--all", "all_workouts", is_flag=True, help="Serve every workout in the library.")
@click.option("--host", help="Address to listen on. Default: this computer's LAN address; "
              "127.0.0.1 keeps it on this computer.")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--no-qr", is_flag=True, help="Do not print the QR code of the page URL.")
@click.option("--new-token", is_flag=True,
              help="Make a new secret for the URLs; phones subscribed to the old feed lose it.")
@sound_option
@music_options
@session_options
def serve(names: tuple[str, ...], all_workouts: bool, host: str | None, port: int, no_qr: bool,
          new_token: bool, sounds: tuple[str, ...], asked: SessionOptions,
          music: MusicFlags) -> None:
    """Serve workouts to your phone: a podcast feed and a page that follows the session."""
    from repcue.serve.address import lan_address, listen
    from repcue.serve.app import ServeApp, make_server
    from repcue.serve.token import load_token

    terminate_cleanly()
    chosen = _workout_names(names, all_workouts, asked.content_dirs)
    choice = music_for(music, asked.config)  # checked before the port and the speech
    host = host or lan_address()
    sock = listen(host, port)
    try:
        token, made = load_token(rotate=new_token)
        episodes = _episodes(chosen, asked.palette(sounds, MIX_RATE), asked, choice)
        server = make_server(ServeApp(token, episodes, log=click.echo))
        root = f"http://{_url_host(host)}:{sock.getsockname()[1]}/{token}/"
        if made:
            click.echo("Made a new secret token for the URLs." if new_token else
                       "Made a secret token for the URLs (kept for next time).")
        click.echo(f"Page: {root}")
        click.echo(f"Feed: {root}feed.xml")
        if not no_qr:
            click.echo(_qr(root))
        click.echo("Scan the code or open the page on your phone (same Wi-Fi). Ctrl-C stops.")
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:
            # uvicorn has shut down and re-raised the Ctrl-C.
            click.echo("Stopped.")
            raise click.exceptions.Exit(ExitStatus.INTERRUPTED) from None
    finally:
        sock.close()


COMMANDS = [serve]
