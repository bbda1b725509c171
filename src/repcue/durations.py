"""Durations as lifters write them: ``90``, ``90s``, ``1:30``, ``2m``, ``1m30s``, ``07:18.5``.

One reader for every place a duration is taken (flags, ``--set``, TOML content,
the config, ``--start-at``), so ``rest = "1:30"`` and ``--rest 90s`` mean the same.
"""

from __future__ import annotations

import math
import re

#: How a duration may be written, for "allowed" lists in error messages.
FORMS = "90, 90s, 1:30 or 2m"

_CLOCK = re.compile(r"^(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$")
_UNITS = re.compile(
    r"^(?:(?P<h>\d+(?:\.\d+)?)\s*h)?\s*"
    r"(?:(?P<m>\d+(?:\.\d+)?)\s*(?:m|min|mins|minutes?))?\s*"
    r"(?:(?P<s>\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds?))?$"
)


def parse_seconds(text: str) -> float:
    """Seconds in ``text``; raise ValueError naming the forms allowed.

    A bare number is seconds. ``m:ss`` and ``h:mm:ss`` are clock times (seconds may
    have a fraction, ``07:18.5``); ``2m``, ``90s``, ``1m30s``, ``1.5 min`` use units.
    """
    value = text.strip().lower()
    if not value:
        raise ValueError(f"an empty duration (write it as {FORMS})")
    try:
        seconds = float(value)
    except ValueError:
        seconds = _with_units(value)
    if not math.isfinite(seconds):
        raise ValueError(f"{text.strip()} is not a duration (write it as {FORMS})")
    return seconds


def _with_units(value: str) -> float:
    clock = _CLOCK.match(value)
    if clock:
        hours, minutes, seconds = clock.groups()
        if float(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
            raise ValueError(f"{value} is not a clock time (seconds and minutes stop at 59)")
        return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    units = _UNITS.match(value)
    if units and any(units.groupdict().values()):
        parts = {k: float(v) for k, v in units.groupdict().items() if v}
        return parts.get("h", 0) * 3600 + parts.get("m", 0) * 60 + parts.get("s", 0)
    raise ValueError(f"{value} is not a duration (write it as {FORMS})")


def parse_ms(text: str) -> int:
    """Whole milliseconds in ``text`` (see ``parse_seconds``)."""
    return round(parse_seconds(text) * 1000)


def seconds_text(seconds: float) -> str:
    """A limit as a lifter reads it: ``0 s``, ``90 s``, ``15 min``, ``1 min 30 s``."""
    if seconds >= 60:
        minutes, rest = divmod(seconds, 60)
        return f"{minutes:g} min" + (f" {rest:g} s" if rest else "")
    return f"{seconds:g} s"
