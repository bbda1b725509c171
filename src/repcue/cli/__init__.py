"""The ``repcue`` command: the only place that prints or exits.

Every RepcueError becomes one ``Error: …`` line and its exit status (2 for bad
input or usage, 1 for a runtime failure, 130 for Ctrl-C; see ExitStatus);
``--debug``, before or after the subcommand, shows the traceback instead.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import NoReturn

import click

from repcue import __version__
from repcue.errors import ExitStatus, RepcueError

DEBUG_HELP = "Show the full traceback when something fails."


@click.group(
    epilog="\b\nExamples:\n  repcue list\n  repcue plan back-strength\n"
    "  repcue export back-strength -o ~/Music/\n  repcue play back-strength",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="repcue")
@click.option("--debug", is_flag=True, help=DEBUG_HELP)
def cli(debug: bool) -> None:
    """Voice-guided workouts: form cues on the rep tempo, played live or exported as MP3."""


def _accept_debug(command: click.Command) -> None:
    # Error hints say "run again with --debug", and users add it at the end of the line.
    command.params.append(click.Option(["--debug"], is_flag=True, expose_value=False,
                                       hidden=True, help=DEBUG_HELP))
    for child in getattr(command, "commands", {}).values():
        _accept_debug(child)


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
            _accept_debug(command)
            cli.add_command(command)


def stopped_before_sound(resume: str) -> str:
    """What ``play`` says when Ctrl-C came before anything was heard: the command resumes."""
    return f"Stopped before the first sound.\nTo resume:\n  {resume}"


def interrupted(args: Sequence[str]) -> str:
    """What Ctrl-C before a command got going says. ``play`` always ends with how to resume
    (here: the command itself, since nothing was heard yet)."""
    if args[:1] == ["play"]:
        import shlex

        return stopped_before_sound(f"repcue {shlex.join(args)}")
    return "Interrupted."


try:
    _register()
except KeyboardInterrupt:  # Ctrl-C while Python is still loading the commands: no traceback
    click.echo(interrupted(sys.argv[1:]), err=True)
    sys.exit(ExitStatus.INTERRUPTED)


def _wants_debug(args: Sequence[str]) -> bool:
    options = args[:args.index("--")] if "--" in args else args
    return "--debug" in options or bool(os.environ.get("REPCUE_DEBUG"))


def main(argv: Sequence[str] | None = None) -> NoReturn:
    args = list(sys.argv[1:] if argv is None else argv)
    sys.exit(run(args, debug=_wants_debug(args)))


def run(args: list[str], *, debug: bool) -> ExitStatus | int:
    """Run the command line and say how it ended; only ``--debug`` lets a traceback through."""
    try:
        # Without standalone mode click returns the status of a click.exceptions.Exit.
        status = cli.main(args, prog_name="repcue", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo(interrupted(args), err=True)
        return ExitStatus.INTERRUPTED
    except click.ClickException as err:
        err.show()
        return err.exit_code
    except KeyboardInterrupt:
        if debug:
            raise
        click.echo(interrupted(args), err=True)
        return ExitStatus.INTERRUPTED
    except RepcueError as err:
        if debug:
            raise
        line = f"Error: {err.message}"
        if err.hint:
            line += f" (hint: {err.hint})"
        click.echo(line, err=True)
        return err.exit_code
    except Exception as err:  # the last line of defence: never a bare traceback for a user
        if debug:
            raise
        click.echo(f"Error: unexpected failure: {type(err).__name__}: {err} "
                   "(hint: run again with --debug and report the traceback)", err=True)
        return ExitStatus.FAILURE
    return status if isinstance(status, int) else ExitStatus.OK
