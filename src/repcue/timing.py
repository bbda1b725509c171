"""Every timing knob, its default, what values it allows, and the override chain.

Every layer is a plain mapping with a source name, so an error can say exactly
which file (or flag) held the bad value. The order of the layers (and why the
config sits in two places) is ``settings``' job.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from repcue.durations import FORMS, parse_seconds, seconds_text
from repcue.errors import ContentError, did_you_mean, toml_value
from repcue.model import TEMPO_ORDER, Phase, PresetMode, Sides, Tempo, Verbosity


@dataclass(frozen=True, slots=True)
class Timing:
    """The resolved timing of one exercise in one workout."""

    tempo: Tempo = Tempo(2000, 0, 1000, 0)
    start: Phase = Phase.ECCENTRIC
    reps: int = 8
    hold_ms: int = 0
    sets: int = 3
    sides: Sides = Sides.BOTH
    rest_ms: int = 90_000
    #: ``rest = "ready"``: live play waits for the lifter; ``rest_ms`` stays the planned rest.
    rest_ready: bool = False
    switch_ms: int = 5_000
    preset: PresetMode = PresetMode.EVERY_REP
    preset_hold_ms: int = 3_000
    lead_ms: int = 3_000
    countdown: int = 3
    verbosity: Verbosity = Verbosity.STANDARD
    count: bool = True
    form_every: int = 3
    next_up: bool = True
    halfway: bool = True
    last_rep: bool = True

    @property
    def is_hold(self) -> bool:
        return self.hold_ms > 0


@dataclass(frozen=True, slots=True)
class Layer:
    """One source of overrides: where it came from and the raw key/value pairs."""

    source: str
    values: Mapping[str, Any]
    #: Dotted prefix shown before a key in errors, e.g. ``exercise[2]`` or ``timing``.
    prefix: str = ""
    #: Who set these values, in the lifter's words: ``exercise``, ``workout``, ``config``,
    #: ``command line`` or ``--set`` (``repcue plan`` shows it beside each changed value).
    origin: str = ""


def _shown(value: Any) -> str:
    """A bad value as the user wrote it: ``20m``, ``true``, ``"two words"``."""
    if isinstance(value, str) and value.strip() and not any(c.isspace() for c in value):
        return value
    return toml_value(value)


class _Invalid(Exception):
    """A value a knob's parser refused; carries what is allowed."""

    def __init__(self, problem: str, allowed: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.allowed = allowed


def _seconds_ms(low: float, high: float) -> Callable[[Any], int]:
    allowed = f"{seconds_text(low)} to {seconds_text(high)}, written {FORMS}"

    def parse(value: Any) -> int:
        if isinstance(value, str):
            try:
                seconds = parse_seconds(value)
            except ValueError:
                raise _Invalid(f"{_shown(value)} is not a duration", allowed) from None
        elif isinstance(value, int | float) and not isinstance(value, bool):
            seconds = value
        else:
            raise _Invalid(f"{_shown(value)} is not a duration", allowed)
        if not math.isfinite(seconds) or not low <= seconds <= high:
            raise _Invalid(f"{_shown(value)} is out of range", allowed)
        return round(seconds * 1000)

    return parse


def _whole(low: int, high: int) -> Callable[[Any], int]:
    allowed = f"a whole number from {low} to {high}"

    def parse(value: Any) -> int:
        shown = _shown(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Invalid(f"{shown} is not a whole number", allowed)
        if not low <= value <= high:
            raise _Invalid(f"{shown} is out of range", allowed)
        return value

    return parse


def _choice(kind: type[Any], values: Sequence[str]) -> Callable[[Any], Any]:
    allowed = ", ".join(values)

    def parse(value: Any) -> Any:
        if not isinstance(value, str) or value not in values:
            raise _Invalid(f"{_shown(value)} is not allowed"
                           f"{did_you_mean(str(value), values)}", allowed)
        return kind(value)

    return parse


#: ``rest = "ready"``: the rest ends when the lifter says so (live play; exports use the plan).
READY = "ready"


def _rest(value: Any) -> int | str:
    """Seconds of rest, or ``READY``."""
    if isinstance(value, str) and value.strip().lower() == READY:
        return READY
    try:
        return _REST_SECONDS(value)
    except _Invalid as bad:
        raise _Invalid(bad.problem, f"{bad.allowed}; or ready to wait until you press") from None


_REST_SECONDS = _seconds_ms(0, 900)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "yes", "on", "1"):
        return True
    if isinstance(value, str) and value.lower() in ("false", "no", "off", "0"):
        return False
    raise _Invalid(f"{_shown(value)} is not true or false", "true or false")


def _tempo(value: Any) -> Tempo:
    allowed = "E-B-C-T seconds like 3-1-1-0, X for explosive, each 0 to 60"
    if not isinstance(value, str):
        raise _Invalid(f"{_shown(value)} is not a tempo string", allowed)
    try:
        return Tempo.parse(value)
    except ValueError as err:
        problem = str(err)
        raise _Invalid(problem if problem.startswith(value.strip()) else
                       f"{value.strip()}: {problem}", allowed) from None


#: Knob name in files and flags -> (Timing field, parser, one-line description).
KNOBS: dict[str, tuple[str, Callable[[Any], Any], str]] = {
    "tempo": ("tempo", _tempo, "E-B-C-T seconds, X for explosive"),
    "start": ("start", _choice(Phase, [p.value for p in TEMPO_ORDER]), "phase a rep starts with"),
    "reps": ("reps", _whole(1, 100), "reps per set (per side)"),
    "hold": ("hold_ms", _seconds_ms(0, 300), "seconds per rep for an isometric hold (0: tempo)"),
    "sets": ("sets", _whole(1, 20), "sets"),
    "sides": ("sides", _choice(Sides, [s.value for s in Sides]), "both at once, or each side"),
    "rest": ("rest_ms", _rest, "seconds of rest after a set, or ready (wait for you)"),
    "switch": ("switch_ms", _seconds_ms(0, 60), "seconds to switch sides"),
    "preset": ("preset", _choice(PresetMode, [m.value for m in PresetMode]), "when to pre-set"),
    "preset_hold": ("preset_hold_ms", _seconds_ms(0, 15), "seconds to set the back before a rep"),
    "lead": ("lead_ms", _seconds_ms(0, 60), "seconds to get in position before the countdown"),
    "countdown": ("countdown", _whole(0, 10), "seconds counted down before a set"),
    "verbosity": (
        "verbosity",
        _choice(Verbosity, [v.value for v in Verbosity]),
        "how much the coach talks",
    ),
    "count": ("count", _flag, "say the rep count"),
    "form_every": ("form_every", _whole(0, 100), "a form cue every N reps (0: never)"),
    "next_up": ("next_up", _flag, "announce what comes next during rest"),
    "halfway": ("halfway", _flag, "call the halfway rep"),
    "last_rep": ("last_rep", _flag, "call the last rep"),
}


def parse_knob(key: str, value: Any, *, source: str, field: str) -> tuple[str, Any]:
    """Validate one knob; return (Timing field name, parsed value) or raise ContentError."""
    if key not in KNOBS:
        raise ContentError(
            source,
            field,
            f"unknown timing key {key!r}{did_you_mean(key, KNOBS)}",
            value=key,
            allowed=", ".join(KNOBS),
        )
    name, parser, _ = KNOBS[key]
    try:
        return name, parser(value)
    except _Invalid as bad:
        raise ContentError(source, field, bad.problem, value=value, allowed=bad.allowed) from None


def validate_layer(layer: Layer) -> dict[str, Any]:
    """Parse every knob of a layer, so a bad file fails when it is loaded."""
    parsed: dict[str, Any] = {}
    for key, value in layer.values.items():
        field = f"{layer.prefix}.{key}" if layer.prefix else key
        source = layer.source
        if layer.origin == "command line":
            # A flag names itself: "--rest: 20m is out of range", not "command line: rest".
            source = layer.source if layer.source.startswith("--") else f"--{key}"
            field = ""
        name, parsed_value = parse_knob(key, value, source=source, field=field)
        if name == "rest_ms":
            # "ready" keeps the planned rest from lower layers; a number replaces both.
            parsed["rest_ready"] = parsed_value == READY
            if parsed_value == READY:
                continue
        parsed[name] = parsed_value
    return parsed


def resolve(layers: Sequence[Layer], base: Timing | None = None) -> Timing:
    """Apply layers in order (later wins) over ``base`` (built-in defaults)."""
    timing = base or Timing()
    for layer in layers:
        changes = validate_layer(layer)
        if changes:
            timing = dataclasses.replace(timing, **changes)
    return timing
