"""The one error family repcue raises on purpose, and the exit statuses the CLI ends with.

Every subclass keeps the bad value and builds a one-line message; the CLI turns
them into ``Error: …`` lines and the subclass's ``exit_code``, and nothing else
needs to know how. Errors pickle (speech workers raise them in another process)
with their attributes as they are, whatever their ``__init__`` takes.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from enum import IntEnum
from typing import Any


class ExitStatus(IntEnum):
    """How ``repcue`` ends, for scripts and shells (README: Exit status)."""

    OK = 0
    #: Something went wrong while running: a speech engine, an encoder, the sound device, a disk.
    FAILURE = 1
    #: The user's input: a flag, a name, a content or config file, a file in the way.
    BAD_INPUT = 2
    #: Ctrl-C, the shell convention (128 + SIGINT).
    INTERRUPTED = 130


def _rebuild(cls: type[RepcueError], args: tuple[Any, ...]) -> RepcueError:
    # BaseException.__new__ stores args without running the subclass's __init__;
    # pickle then restores the attributes from the state that __reduce__ handed over.
    error: RepcueError = cls.__new__(cls, *args)
    return error


class RepcueError(Exception):
    """Base of every error repcue raises for the user to read."""

    exit_code: ExitStatus = ExitStatus.FAILURE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args), dict(self.__dict__))


class InputError(RepcueError):
    """Bad input from the user: a flag's value, a name, a file in the way.

    ``where`` names the flag or file (``--latency``, ``export``), ``value`` keeps the bad
    value and ``allowed`` says what would be accepted.
    """

    exit_code = ExitStatus.BAD_INPUT

    def __init__(self, where: str, problem: str, *, value: object = None,
                 allowed: str | None = None, hint: str | None = None) -> None:
        self.where = where
        self.problem = problem
        self.value = value
        self.allowed = allowed
        text = f"{where}: {problem}" if where else problem
        if allowed:
            text += f" (allowed: {allowed})"
        super().__init__(text, hint)


class ContentError(InputError):
    """A content, config or override value that is not allowed.

    ``source`` names the file (or ``--set``, ``config``), ``field`` the dotted
    path inside it, ``value`` the bad value and ``allowed`` what would be accepted.
    """

    def __init__(
        self,
        source: str,
        field: str,
        problem: str,
        *,
        value: object = None,
        allowed: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.source = source
        self.field = field
        where = f"{source}: {field}" if field else source
        super().__init__(where, problem, value=value, allowed=allowed, hint=hint)


class NotFoundError(InputError):
    """A workout, exercise or voice name that does not exist."""

    def __init__(self, what: str, name: str, known: Iterable[str], *,
                 plural: str | None = None) -> None:
        self.what = what
        self.name = name
        self.known = sorted(known)
        close = difflib.get_close_matches(name, self.known, n=3)
        text = f"no {what} named {name!r}"
        if close:
            text += f"; did you mean {', '.join(close)}?"
        hint = f"known {plural or what + 's'}: {', '.join(self.known)}" if self.known else None
        super().__init__("", text, value=name, hint=hint)


class SpeechError(RepcueError):
    """Speech synthesis failed: a missing engine, a broken install, a hung worker."""


class AudioError(RepcueError):
    """Rendering, encoding, or the sound device failed."""


class ExportError(RepcueError):
    """An export could not be written where it was asked to go."""


class FileInTheWayError(ExportError):
    """An output file exists and ``--force`` was not given: the user's call, so bad input."""

    exit_code = ExitStatus.BAD_INPUT


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ``; did you mean x?`` suffix, or an empty string when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def toml_value(value: object) -> str:
    """A value as it is written in TOML (``true``, ``"every-set"``, ``75``), not a Python repr."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        # Escaped as TOML escapes them: a message stays on one line whatever the value holds.
        return '"' + "".join(_ESCAPES.get(c, c if c.isprintable() else f"\\u{ord(c):04X}")
                             for c in value) + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {toml_value(v)}"
                                for k, v in value.items()) + " }"
    return str(value)


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _toml_key(key: object) -> str:
    """A bare key when TOML allows one, else a quoted one."""
    text = str(key)
    return text if text and all(c.isascii() and (c.isalnum() or c in "-_") for c in text) \
        else toml_value(text)
