"""Find, parse and validate exercise and workout files (TOML).

Layered like the rest of the loading code: ``load_*(path)`` reads a file and calls
``*_from_text(text, source)``, which tests use without touching the disk. A
``Library`` stacks content folders: built-in first, then the user's data dir,
``REPCUE_CONTENT`` and ``--content`` folders, later ones replacing earlier ids.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from repcue.errors import ContentError, NotFoundError, RepcueError, did_you_mean
from repcue.model import Exercise, Phase, Workout, WorkoutEntry
from repcue.timing import KNOBS, Layer, resolve, validate_layer

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MAX_TEXT = 400
MAX_ITEMS = 50

EXERCISE_KEYS = ("name", "targets", "stabiliser", "equipment", "explanation", "setup", "defaults",
                 "cues")
CUE_KEYS = ("preset", "go", "form", "mistakes")
WORKOUT_KEYS = ("title", "intro", "seed", "timing", "exercise")


def builtin_dirs() -> list[Path]:
    """The shipped library: inside the installed package, or the checkout's ``content/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "content", here.parents[1] / "content"):
        if (candidate / "workouts").is_dir():
            return [candidate]
    return []


def user_dirs(extra: Sequence[Path] = ()) -> list[Path]:
    """User folders, lowest precedence first: platform data dir, REPCUE_CONTENT, --content."""
    import platformdirs

    dirs = [Path(platformdirs.user_data_dir("repcue")) / "content"]
    env = os.environ.get("REPCUE_CONTENT", "")
    dirs += [Path(p) for p in env.split(os.pathsep) if p]
    dirs += list(extra)
    return dirs


# --- small checkers: each names the field and says what is allowed -------------------------


class _Doc:
    """A parsed TOML table plus where it came from, for error messages."""

    def __init__(self, data: Mapping[str, Any], source: str, prefix: str = "") -> None:
        self.data = data
        self.source = source
        self.prefix = prefix

    def path(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def error(self, key: str, problem: str, value: object = None, allowed: str | None = None
              ) -> ContentError:
        return ContentError(self.source, self.path(key), problem, value=value, allowed=allowed)

    def reject_unknown(self, known: Sequence[str]) -> None:
        for key in self.data:
            if key not in known:
                raise self.error(
                    key, f"unknown key {key!r}{did_you_mean(key, known)}", key, ", ".join(known)
                )

    def text(self, key: str, *, required: bool = True, default: str = "") -> str:
        if key not in self.data:
            if required:
                raise self.error(key, "is missing", allowed="a non-empty string")
            return default
        return _check_text(self, key, self.data[key])

    def texts(self, key: str, *, required: bool = True, allow_empty: bool = False
              ) -> tuple[str, ...]:
        allowed = "a list of non-empty strings"
        if key not in self.data:
            if required:
                raise self.error(key, "is missing", allowed=allowed)
            return ()
        value = self.data[key]
        if not isinstance(value, list):
            raise self.error(key, f"{_show(value)} is not a list", value, allowed)
        if not value and not allow_empty:
            raise self.error(key, "is empty", value, allowed)
        if len(value) > MAX_ITEMS:
            raise self.error(key, f"has {len(value)} items", value, f"at most {MAX_ITEMS}")
        return tuple(_check_text(self, f"{key}[{i}]", v) for i, v in enumerate(value))

    def table(self, key: str, *, required: bool = False) -> _Doc:
        if key not in self.data:
            if required:
                raise self.error(key, "is missing", allowed="a table")
            return _Doc({}, self.source, self.path(key))
        value = self.data[key]
        if not isinstance(value, dict):
            raise self.error(key, f"{_show(value)} is not a table", value, "a table")
        return _Doc(value, self.source, self.path(key))


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_text(doc: _Doc, key: str, value: object) -> str:
    allowed = f"a non-empty string of at most {MAX_TEXT} characters"
    if not isinstance(value, str):
        raise doc.error(key, f"{_show(value)} is not a string", value, allowed)
    text = " ".join(value.split())
    if not text:
        raise doc.error(key, "is empty", value, allowed)
    if len(text) > MAX_TEXT:
        raise doc.error(key, f"is {len(text)} characters long", value, allowed)
    if any(ord(c) < 32 for c in text):
        raise doc.error(key, "contains control characters", value, allowed)
    return text


def _parse_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ContentError(source, "", f"invalid TOML: {err}", allowed="TOML syntax") from None


def _check_id(name: str, source: str) -> str:
    if not ID_RE.match(name):
        raise ContentError(
            source, "", f"file name {name!r} is not a valid id",
            value=name, allowed="lower-case letters, digits and dashes, e.g. dumbbell-row.toml",
        )
    return name


# --- exercises -----------------------------------------------------------------------------


def exercise_from_text(text: str, source: str, exercise_id: str) -> Exercise:
    """Parse and validate one exercise document."""
    _check_id(exercise_id, source)
    doc = _Doc(_parse_toml(text, source), source)
    doc.reject_unknown(EXERCISE_KEYS)
    defaults = doc.table("defaults")
    timing = validate_layer(Layer(source, defaults.data, defaults.prefix))
    cues = doc.table("cues", required=True)
    cues.reject_unknown(CUE_KEYS)
    go = cues.table("go", required=True)
    phases = [p.value for p in Phase]
    go.reject_unknown(phases)
    go_cues = {Phase(k): go.text(k) for k in go.data}
    start = timing.get("start", Phase.ECCENTRIC)
    needed = Phase.HOLD if timing.get("hold_ms", 0) > 0 else start
    if needed not in go_cues:
        raise go.error(needed.value, f"is missing: a rep starts with the {needed.value} phase",
                       allowed="a go cue for the phase a rep starts with")
    try:
        return Exercise(
            id=exercise_id,
            name=doc.text("name"),
            targets=doc.texts("targets"),
            stabiliser=doc.text("stabiliser", required=False, default="lower back"),
            equipment=doc.texts("equipment", required=False, allow_empty=True),
            explanation=doc.text("explanation"),
            setup=doc.texts("setup"),
            preset_cues=cues.texts("preset"),
            go_cues=go_cues,
            form_cues=cues.texts("form"),
            mistakes=cues.texts("mistakes"),
            defaults=dict(defaults.data),
            source=source,
        )
    except ValueError as err:
        raise ContentError(source, "", str(err)) from None


def load_exercise(path: Path) -> Exercise:
    return exercise_from_text(_read(path), str(path), path.stem)


# --- workouts ------------------------------------------------------------------------------


def workout_from_text(
    text: str, source: str, workout_id: str, find_exercise: Callable[[str], Exercise],
    known_exercises: Iterable[str] = (),
) -> Workout:
    """Parse and validate one workout document; exercises are looked up by id."""
    _check_id(workout_id, source)
    doc = _Doc(_parse_toml(text, source), source)
    doc.reject_unknown(WORKOUT_KEYS)
    seed = doc.data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise doc.error("seed", f"{_show(seed)} is not allowed", seed, "a whole number 0 to 2^32-1")
    timing = doc.table("timing")
    validate_layer(Layer(source, timing.data, timing.prefix))
    raw_entries = doc.data.get("exercise")
    allowed = "one or more [[exercise]] tables with an id"
    if not isinstance(raw_entries, list) or not raw_entries:
        raise doc.error("exercise", "is missing or empty", raw_entries, allowed)
    known = sorted(known_exercises)
    entries = []
    for i, raw in enumerate(raw_entries):
        if not isinstance(raw, dict):
            raise doc.error(f"exercise[{i}]", f"{_show(raw)} is not a table", raw, allowed)
        entry = _Doc(raw, source, f"exercise[{i}]")
        entry.reject_unknown(("id", *KNOBS))
        exercise_id = entry.text("id")
        try:
            exercise = find_exercise(exercise_id)
        except NotFoundError:
            raise entry.error(
                "id", f"no exercise named {exercise_id!r}{did_you_mean(exercise_id, known)}",
                exercise_id, ", ".join(known) or "none found",
            ) from None
        overrides = {k: v for k, v in raw.items() if k != "id"}
        layers = [Layer(exercise.source, exercise.defaults, "defaults"),
                  Layer(source, overrides, entry.prefix)]
        resolved = resolve(layers)
        if resolved.is_hold and Phase.HOLD not in exercise.go_cues:
            raise entry.error("hold", f"{exercise_id} has no go cue for a hold",
                              allowed="hold = 0 for this exercise")
        if not resolved.is_hold and resolved.start not in exercise.go_cues:
            raise entry.error("start", f"{exercise_id} has no go cue for {resolved.start.value}",
                              allowed=", ".join(p.value for p in exercise.go_cues))
        entries.append(WorkoutEntry(exercise, overrides))
    try:
        return Workout(
            id=workout_id,
            title=doc.text("title"),
            intro=doc.texts("intro", required=False, allow_empty=True),
            entries=tuple(entries),
            timing=dict(timing.data),
            seed=seed,
            source=source,
        )
    except ValueError as err:
        raise ContentError(source, "", str(err)) from None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContentError(str(path), "", "is not UTF-8 text",
                           allowed="a UTF-8 TOML file") from None
    except OSError as err:
        raise ContentError(str(path), "", f"cannot be read: {err.strerror}") from None


# --- the layered library -------------------------------------------------------------------


@dataclass
class Library:
    """Every exercise and workout file visible from a stack of content folders."""

    exercise_files: dict[str, Path]
    workout_files: dict[str, Path]

    @classmethod
    def discover(cls, extra_dirs: Sequence[Path] = (), *, include_user: bool = True) -> Library:
        dirs = builtin_dirs() + (user_dirs(extra_dirs) if include_user else list(extra_dirs))
        exercises: dict[str, Path] = {}
        workouts: dict[str, Path] = {}
        for folder in dirs:
            for path in sorted((folder / "exercises").glob("*.toml")):
                exercises[path.stem] = path
            for path in sorted((folder / "workouts").glob("*.toml")):
                workouts[path.stem] = path
        return cls(exercises, workouts)

    def exercise(self, exercise_id: str) -> Exercise:
        path = self.exercise_files.get(exercise_id)
        if path is None:
            raise NotFoundError("exercise", exercise_id, self.exercise_files)
        return load_exercise(path)

    def workout(self, name: str) -> Workout:
        path = self.workout_files.get(name)
        if path is None:
            candidate = Path(name)
            if candidate.suffix == ".toml" and candidate.is_file():
                path = candidate
            else:
                raise NotFoundError("workout", name, self.workout_files)
        return self._load_workout(path)

    def _load_workout(self, path: Path) -> Workout:
        return workout_from_text(
            _read(path), str(path), path.stem, self.exercise, self.exercise_files
        )

    def validate(self, paths: Sequence[Path] = ()) -> tuple[int, list[RepcueError]]:
        """Check the given files (or the whole library); return (files checked, errors)."""
        targets = list(paths) or [*self.exercise_files.values(), *self.workout_files.values()]
        errors: list[RepcueError] = []
        for path in targets:
            try:
                if path.parent.name == "exercises":
                    load_exercise(path)
                else:
                    self._load_workout(path)
            except RepcueError as err:
                errors.append(err)
        return len(targets), errors
