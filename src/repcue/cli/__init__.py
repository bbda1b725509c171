"""The ``repcue`` command: the only place that prints or exits.

Every RepcueError becomes one ``Error: …`` line and an exit status (2 for bad
input or usage, 1 for a runtime failure, 130 for Ctrl-C); ``--debug`` shows the
traceback instead.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from enum import IntEnum

import click

from repcue import __version__
from repcue.errors import RepcueError


class ExitStatus(IntEnum):
    OK = 0
    FAILURE = 1
    BAD_INPUT = 2
    INTERRUPTED = 130


@click.group(
    epilog="\b\nExamples:\n  repcue list\n  repcue plan back-strength\n"
    "  repcue export back-strength -o ~/Music/\n  repcue play back-strength",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="repcue")
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
def cli(debug: bool) -> None:
    """Voice-guided workouts: form cues on the rep tempo, played live or exported as MP3."""


def _register() -> None:
    # Imported once the group exists: each command module imports repcue.cli.options,
    # which runs this package's __init__ first.
    from repcue.cli import (
        content_commands,
        export_commands,
        play_commands,
        serve_commands,
        speech_commands,
    )

    for module in (content_commands, speech_commands, export_commands, play_commands,
                   serve_commands):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or bool(os.environ.get("REPCUE_DEBUG"))
    try:
        cli.main(args, prog_name="repcue", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.exceptions.Abort:
        click.echo("Interrupted.", err=True)
        sys.exit(ExitStatus.INTERRUPTED)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        if debug:
            raise
        click.echo("Interrupted.", err=True)
        sys.exit(ExitStatus.INTERRUPTED)
    except RepcueError as err:
        if debug:
            raise
        line = f"Error: {err.message}"
        if err.hint:
            line += f" (hint: {err.hint})"
        click.echo(line, err=True)
        sys.exit(err.exit_code)
    except Exception as err:  # the last line of defence: never a bare traceback for a user
        if debug:
            raise
        click.echo(f"Error: unexpected failure: {type(err).__name__}: {err} "
                   "(hint: run again with --debug and report the traceback)", err=True)
        sys.exit(ExitStatus.FAILURE)
