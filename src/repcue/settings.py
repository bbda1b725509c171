"""Which layer sets each timing value: the override chain, and what it did.

A lifter's config says how *they* like to be coached; a workout says what the
program *is*. So the chain depends on the kind of key:

- **Structure** (tempo, start, reps, hold, sets, sides, rest): the program the author
  wrote. Built-in < your config < the exercise file < the workout's ``[timing]`` < the
  workout's entry < command-line flags < ``--set``. Your config fills in what the
  content leaves open; it does not rewrite a program's reps or rest.
- **Style** (everything else: preset, verbosity, count, countdown, lead, ...): how the
  coach talks to you. Built-in < the exercise file < the workout < your config <
  command-line flags < ``--set``. Your config wins over every workout. ``rest = "ready"``
  is style too: it says how *you* pace the rests (the program's rest stays the planned
  one, which exports use).

Nothing is silently ignored: each resolved value keeps the layer that set it, and a
config or flag value that another layer outranked is kept as ``Masked``, so
``repcue plan`` can show it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from repcue.errors import toml_value
from repcue.model import Workout
from repcue.timing import KNOBS, READY, Layer, Timing, validate_layer

#: Knobs that describe the program itself; the rest are coaching style.
STRUCTURE_KEYS = frozenset({"tempo", "start", "reps", "hold", "sets", "sides", "rest"})
#: Layers that speak for the lifter (rather than the content author).
USER_ORIGINS = frozenset({"config", "command line", "--set"})


@dataclass(frozen=True, slots=True)
class Masked:
    """A user's value that a higher layer outranked for one exercise."""

    knob: str
    value: Any
    layer: Layer
    winner: Layer


@dataclass(frozen=True, slots=True)
class Resolved:
    """One exercise's timing, plus which layer set each knob."""

    timing: Timing
    #: Knob name -> the layer whose value won.
    origins: Mapping[str, Layer]
    masked: tuple[Masked, ...] = ()
    #: The whole chain, lowest first.
    layers: tuple[Layer, ...] = ()


def is_structure(key: str, value: Any) -> bool:
    """Whether ``key = value`` describes the program (see the module docstring)."""
    if key == "rest" and isinstance(value, str) and value.strip().lower() == READY:
        return False
    return key in STRUCTURE_KEYS


def split_config(config: Layer) -> tuple[Layer, Layer]:
    """The config's structure keys and its style keys, as two layers of the chain."""
    structure = {k: v for k, v in config.values.items() if is_structure(k, v)}
    style = {k: v for k, v in config.values.items() if not is_structure(k, v)}
    origin = config.origin or "config"
    return (dataclasses.replace(config, values=structure, origin=origin),
            dataclasses.replace(config, values=style, origin=origin))


def content_layers(workout: Workout, index: int) -> list[Layer]:
    """The content's own layers for one workout entry, lowest first."""
    entry = workout.entries[index]
    ex = entry.exercise
    return [
        Layer(ex.source, ex.defaults, "defaults", "exercise"),
        Layer(workout.source, workout.timing, "timing", "workout"),
        Layer(workout.source, entry.overrides, f"exercise[{index}]", "workout"),
    ]


def chain(content: Sequence[Layer], config: Layer | None, cli: Sequence[Layer] = ()
          ) -> list[Layer]:
    """Every layer in precedence order (lowest first) for one exercise."""
    if config is None:
        return [*content, *cli]
    structure, style = split_config(config)
    return [structure, *content, style, *cli]


def resolve_traced(layers: Sequence[Layer], base: Timing | None = None) -> Resolved:
    """Apply ``layers`` in order (later wins), remembering who set what."""
    timing = base or Timing()
    origins: dict[str, Layer] = {}
    setters: dict[str, list[Layer]] = {}
    for layer in layers:
        changes = validate_layer(layer)
        if changes:
            timing = dataclasses.replace(timing, **changes)
        for knob in layer.values:
            origins[knob] = layer
            setters.setdefault(knob, []).append(layer)
    masked = tuple(
        Masked(knob, layer.values[knob], layer, origins[knob])
        for knob, those in setters.items()
        for layer in those
        if layer.origin in USER_ORIGINS and layer is not origins[knob]
    )
    return Resolved(timing, origins, masked, tuple(layers))


def resolve_workout(workout: Workout, config: Layer | None = None, cli: Sequence[Layer] = (),
                    per_exercise: Mapping[str, Sequence[Layer]] | None = None
                    ) -> list[Resolved]:
    """The timing of each workout entry, through the whole chain."""
    per_exercise = per_exercise or {}
    return [
        resolve_traced(chain(content_layers(workout, i), config,
                             [*cli, *per_exercise.get(entry.exercise.id, ())]))
        for i, entry in enumerate(workout.entries)
    ]


def resolve_session(workout: Workout, config: Layer | None = None, cli: Sequence[Layer] = ()
                    ) -> Timing:
    """The session-wide timing (intro and finish): workout ``[timing]`` through the chain."""
    content = [Layer(workout.source, workout.timing, "timing", "workout")]
    return resolve_traced(chain(content, config, cli)).timing


def describe(knob: str, timing: Timing) -> str:
    """A resolved value as the lifter would write it: ``rest 75 s``, ``tempo 3-1-1-0``."""
    field_name = KNOBS[knob][0]
    value = getattr(timing, field_name)
    if knob == "rest" and timing.rest_ready:
        return f"rest ready (planned {value / 1000:g} s)"
    if field_name.endswith("_ms"):
        return f"{knob} {value / 1000:g} s"
    if isinstance(value, bool):
        return f"{knob} {'true' if value else 'false'}"
    return f"{knob} {value}"


def origin_label(layer: Layer, knob: str | None = None) -> str:
    """Where a value came from, short: ``workout activation.toml``, ``config``, ``--rest``."""
    if layer.origin in ("exercise", "workout"):
        return f"{layer.origin} {Path(layer.source).name}"
    if knob and layer.origin == "command line":
        return layer.source if layer.source.startswith("--") else f"--{knob}"
    if layer.origin == "config":
        return "your config"
    if knob and layer.origin == "--set":
        return f"--set {layer.prefix}.{knob}"
    return layer.origin or layer.source


def differences(resolved: Resolved) -> dict[str, list[str]]:
    """Each value that differs from the built-in default, grouped by the layer that set it."""
    default = Timing()
    out: dict[str, list[str]] = {}
    for knob, layer in resolved.origins.items():
        field_name = KNOBS[knob][0]
        ready = knob == "rest" and resolved.timing.rest_ready
        if ready or getattr(resolved.timing, field_name) != getattr(default, field_name):
            out.setdefault(origin_label(layer), []).append(describe(knob, resolved.timing))
    rank = {origin_label(layer): i for i, layer in enumerate(resolved.layers)}
    return dict(sorted(out.items(), key=lambda item: rank.get(item[0], 0)))


def notes(workout: Workout, resolved: Sequence[Resolved]) -> list[str]:
    """Plan warnings for user values that changed nothing: outranked, or meaningless here."""
    out: list[str] = []
    outranked: dict[tuple[str, str, str], list[str]] = {}
    for entry, r in zip(workout.entries, resolved, strict=True):
        ex = entry.exercise.id
        for m in r.masked:
            key = (origin_label(m.layer, m.knob), f"{m.knob} = {toml_value(m.value)}",
                   origin_label(m.winner, m.knob) if m.winner.origin in USER_ORIGINS
                   else f"the program's own {m.knob} (content decides the structure keys "
                        f"{', '.join(sorted(STRUCTURE_KEYS))}; --set overrides it)")
            outranked.setdefault(key, []).append(ex)
        if r.timing.is_hold:
            out += [f"{ex}: {describe(knob, r.timing)} from {origin_label(r.origins[knob], knob)}"
                    f" ignored: it is a {r.timing.hold_ms / 1000:g} s hold (hold = 0 lifts it "
                    "with a tempo)"
                    for knob in ("tempo", "start")
                    if knob in r.origins and r.origins[knob].origin != "exercise"]
    for (who, what, winner), exercises in outranked.items():
        names = ", ".join(dict.fromkeys(exercises))
        out.append(f"{names}: {what} from {who} outranked by {winner}")
    return out
