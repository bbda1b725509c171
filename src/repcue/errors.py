"""The one error family repcue raises on purpose.

Every subclass keeps the bad value and builds a one-line message; the CLI turns
them into ``Error: …`` lines and exit codes, and nothing else needs to know how.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class RepcueError(Exception):
    """Base of every error repcue raises for the user to read."""

    #: Exit status the CLI uses: 2 for bad input, 1 for a runtime failure.
    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ContentError(RepcueError):
    """A content, config or override value that is not allowed.

    ``source`` names the file (or ``--set``, ``config``), ``field`` the dotted
    path inside it, ``value`` the bad value and ``allowed`` what would be accepted.
    """

    exit_code = 2

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
        self.value = value
        self.problem = problem
        self.allowed = allowed
        where = f"{source}: {field}" if field else source
        text = f"{where}: {problem}"
        if allowed:
            text += f" (allowed: {allowed})"
        super().__init__(text, hint)


class NotFoundError(RepcueError):
    """A workout, exercise or voice name that does not exist."""

    exit_code = 2

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
        super().__init__(text, hint)


class SpeechError(RepcueError):
    """Speech synthesis failed: a missing engine, a broken install, a hung worker."""


class AudioError(RepcueError):
    """Rendering, encoding, or the sound device failed."""


class ExportError(RepcueError):
    """An export could not be written where it was asked to go."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ``; did you mean x?`` suffix, or an empty string when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def toml_value(value: object) -> str:
    """A value as it is written in TOML (``true``, ``"every-set"``, ``75``), not a Python repr."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    return str(value)
