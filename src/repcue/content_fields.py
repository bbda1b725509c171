"""Checking the fields of one content document, collecting every problem in it.

An author fixing a file wants the whole list at once, not one error per run, so a
``Fields`` checker records each problem and carries on with a harmless default;
``Problems.raise_any`` then raises them together as one ``InvalidContent``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from repcue.errors import ContentError, did_you_mean, toml_value
from repcue.timing import Layer, validate_layer

MAX_TEXT = 400
MAX_ITEMS = 50


class InvalidContent(ContentError):
    """Every problem found in one file; reads as the first, with the rest in ``errors``."""

    def __init__(self, errors: Sequence[ContentError]) -> None:
        first = errors[0]
        more = len(errors) - 1
        hint = (f"{more} more {'error' if more == 1 else 'errors'} in this file; "
                "repcue validate lists them all") if more else first.hint
        super().__init__(first.source, first.field, first.problem, value=first.value,
                         allowed=first.allowed, hint=hint)
        self.errors = tuple(errors)


class Problems:
    """The problems found so far in one document."""

    def __init__(self) -> None:
        self.errors: list[ContentError] = []

    def add(self, error: ContentError) -> None:
        if isinstance(error, InvalidContent):
            self.errors += error.errors
        else:
            self.errors.append(error)

    def raise_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise InvalidContent(self.errors)


def show(value: object) -> str:
    text = toml_value(value)
    return text if len(text) <= 40 else text[:37] + "..."


class Fields:
    """A parsed TOML table plus where it came from; each check records what is wrong."""

    def __init__(self, data: Mapping[str, Any], source: str, problems: Problems,
                 prefix: str = "") -> None:
        self.data = data
        self.source = source
        self.problems = problems
        self.prefix = prefix

    def path(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def error(self, key: str, problem: str, value: object = None, allowed: str | None = None
              ) -> ContentError:
        return ContentError(self.source, self.path(key), problem, value=value, allowed=allowed)

    def report(self, key: str, problem: str, value: object = None, allowed: str | None = None
               ) -> None:
        self.problems.add(self.error(key, problem, value, allowed))

    def reject_unknown(self, known: Sequence[str]) -> None:
        for key in self.data:
            if key not in known:
                self.report(key, f"unknown key {key!r}{did_you_mean(key, known)}", key,
                            ", ".join(known))

    def text(self, key: str, *, required: bool = False) -> str:
        """A spoken or shown string; empty when it is missing (reported when required)."""
        if key not in self.data:
            if required:
                self.report(key, "is missing", allowed="a non-empty string")
            return ""
        return self.check_text(key, self.data[key]) or ""

    def texts(self, key: str, *, required: bool = False, allow_empty: bool = False
              ) -> tuple[str, ...]:
        allowed = "a list of non-empty strings"
        if key not in self.data:
            if required:
                self.report(key, "is missing", allowed=allowed)
            return ()
        value = self.data[key]
        if not isinstance(value, list):
            self.report(key, f"{show(value)} is not a list", value, allowed)
            return ()
        if not value and not allow_empty:
            self.report(key, "is empty", value, allowed)
        if len(value) > MAX_ITEMS:
            self.report(key, f"has {len(value)} items", value, f"at most {MAX_ITEMS}")
            return ()
        checked = (self.check_text(f"{key}[{i}]", v) for i, v in enumerate(value))
        return tuple(t for t in checked if t)

    def table(self, key: str, *, required: bool = False) -> Fields:
        if key not in self.data:
            if required:
                self.report(key, "is missing", allowed="a table")
            return Fields({}, self.source, self.problems, self.path(key))
        value = self.data[key]
        if not isinstance(value, dict):
            self.report(key, f"{show(value)} is not a table", value, "a table")
            return Fields({}, self.source, self.problems, self.path(key))
        return Fields(value, self.source, self.problems, self.path(key))

    def timing(self) -> dict[str, Any]:
        """The table's timing knobs, parsed; each bad knob is its own problem."""
        parsed: dict[str, Any] = {}
        for key, value in self.data.items():
            try:
                parsed |= validate_layer(Layer(self.source, {key: value}, self.prefix))
            except ContentError as err:
                self.problems.add(err)
        return parsed

    def check_text(self, key: str, value: object) -> str | None:
        allowed = f"a non-empty string of at most {MAX_TEXT} characters"
        if not isinstance(value, str):
            self.report(key, f"{show(value)} is not a string", value, allowed)
            return None
        text = " ".join(value.split())
        problem = None
        if not text:
            problem = "is empty"
        elif len(text) > MAX_TEXT:
            problem = f"is {len(text)} characters long"
        elif any(ord(c) < 32 for c in text):
            problem = "contains control characters"
        elif not any(c.isalnum() for c in text):
            problem, allowed = f"{show(value)} has nothing to say", "words the coach can speak"
        if problem:
            self.report(key, problem, value, allowed)
            return None
        return text
