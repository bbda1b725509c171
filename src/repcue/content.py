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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from repcue.content_fields import Fields, InvalidContent, Problems, show
from repcue.errors import ContentError, InputError, NotFoundError, did_you_mean
from repcue.model import Exercise, Phase, Workout, WorkoutEntry
from repcue.timing import KNOBS

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")

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
    dirs += [check_content_folder(Path(p), "REPCUE_CONTENT") for p in env.split(os.pathsep) if p]
    dirs += list(extra)
    return dirs


def check_content_folder(folder: Path, where: str = "--content") -> Path:
    """A folder the user named (``--content``, ``REPCUE_CONTENT``), or an InputError naming
    the path: a folder that cannot hold content is never silently ignored."""
    holds = "the folder that holds exercises/ and workouts/"
    if not folder.exists():
        raise InputError(where, f"{folder} does not exist", value=folder,
                         hint=f"{where} takes {holds}")
    if not folder.is_dir():
        raise InputError(where, f"{folder} is a file, not a folder", value=folder,
                         hint=f"{where} takes {holds}")
    if not (folder / "exercises").is_dir() and not (folder / "workouts").is_dir():
        hint = (f"point {where} at {folder.resolve().parent}, {holds}"
                if folder.resolve().name in ("exercises", "workouts")
                else "a content folder holds exercises/*.toml and workouts/*.toml")
        raise InputError(where, f"{folder} has no exercises/ or workouts/ folder",
                         value=folder, hint=hint)
    return folder


def _parse_toml(text: str, source: str) -> dict[str, Any]:
    try:
        # Windows editors save UTF-8 with a byte-order mark; TOML itself does not allow one.
        return tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as err:
        raise ContentError(source, "", f"invalid TOML: {err}", allowed="TOML syntax") from None


def _check_id(name: str, source: str, problems: Problems) -> None:
    if not ID_RE.match(name):
        problems.add(ContentError(
            source, "", f"file name {name!r} is not a valid id",
            value=name, allowed="lower-case letters, digits and dashes, e.g. dumbbell-row.toml",
        ))


# --- exercises -----------------------------------------------------------------------------


def exercise_from_text(text: str, source: str, exercise_id: str) -> Exercise:
    """Parse and validate one exercise document; every problem in it is reported together."""
    problems = Problems()
    _check_id(exercise_id, source, problems)
    doc = Fields(_parse_toml(text, source), source, problems)
    doc.reject_unknown(EXERCISE_KEYS)
    defaults = doc.table("defaults")
    defaults.timing()
    cues = doc.table("cues")
    cues.reject_unknown(CUE_KEYS)
    go = cues.table("go")
    phases = [p.value for p in Phase]
    go.reject_unknown(phases)
    go_cues = {Phase(k): t for k in go.data if k in phases for t in [go.text(k)] if t}
    exercise = Exercise(
        id=exercise_id,
        name=doc.text("name", required=True),
        targets=doc.texts("targets"),
        stabiliser=doc.text("stabiliser"),
        equipment=doc.texts("equipment", allow_empty=True),
        explanation=doc.text("explanation"),
        setup=doc.texts("setup"),
        preset_cues=cues.texts("preset"),
        go_cues=go_cues,
        form_cues=cues.texts("form"),
        mistakes=cues.texts("mistakes"),
        defaults=dict(defaults.data),
        source=source,
    )
    problems.raise_any()
    return exercise


def load_exercise(path: Path) -> Exercise:
    return exercise_from_text(_read(path), str(path), path.stem)


# --- workouts ------------------------------------------------------------------------------


def workout_from_text(
    text: str, source: str, workout_id: str, find_exercise: Callable[[str], Exercise],
    known_exercises: Iterable[str] = (),
) -> Workout:
    """Parse and validate one workout document; exercises are looked up by id.

    A broken exercise file's own problems are reported with it (once, however many
    workouts use it); the workout's own problems are all collected.
    """
    problems = Problems()
    _check_id(workout_id, source, problems)
    doc = Fields(_parse_toml(text, source), source, problems)
    doc.reject_unknown(WORKOUT_KEYS)
    seed = doc.data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        doc.report("seed", f"{show(seed)} is not allowed", seed, "a whole number 0 to 2^32-1")
        seed = 0
    timing = doc.table("timing")
    timing.timing()
    entries = _entries(doc, find_exercise, sorted(known_exercises))
    title = doc.text("title", required=True)
    intro = doc.texts("intro", allow_empty=True)
    problems.raise_any()
    return Workout(id=workout_id, title=title, intro=intro, entries=tuple(entries),
                   timing=dict(timing.data), seed=seed, source=source)


def _entries(doc: Fields, find_exercise: Callable[[str], Exercise], known: list[str]
             ) -> list[WorkoutEntry]:
    raw_entries = doc.data.get("exercise")
    allowed = "one or more [[exercise]] tables with an id"
    if not isinstance(raw_entries, list) or not raw_entries:
        doc.report("exercise", "is missing or empty", raw_entries, allowed)
        return []
    entries = []
    for i, raw in enumerate(raw_entries):
        if not isinstance(raw, dict):
            doc.report(f"exercise[{i}]", f"{show(raw)} is not a table", raw, allowed)
            continue
        entry = Fields(raw, doc.source, doc.problems, f"exercise[{i}]")
        entry.reject_unknown(("id", *KNOBS))
        overrides = {k: v for k, v in raw.items() if k != "id"}
        Fields(overrides, doc.source, doc.problems, entry.prefix).timing()
        exercise_id = entry.text("id", required=True)
        if not exercise_id:
            continue
        try:
            entries.append(WorkoutEntry(find_exercise(exercise_id), overrides))
        except NotFoundError:
            entry.report("id", f"no exercise named {exercise_id!r}"
                         f"{did_you_mean(exercise_id, known)}", exercise_id,
                         ", ".join(known) or "none found")
        except ContentError as err:
            doc.problems.add(err)
    return entries


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
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

    def validate(self, paths: Sequence[Path] = ()) -> tuple[int, list[ContentError]]:
        """Check the given files (or the whole library); return (files checked, errors).

        Each problem is listed once: an exercise used by three workouts is not three errors.
        """
        targets = list(paths) or [*self.exercise_files.values(), *self.workout_files.values()]
        errors: dict[str, ContentError] = {}
        for path in sorted(targets, key=lambda p: p.parent.name != "exercises"):
            try:
                if path.parent.name == "exercises":
                    load_exercise(path)
                else:
                    self._load_workout(path)
            except InvalidContent as err:
                errors.update((str(e), e) for e in err.errors)
            except ContentError as err:
                errors.setdefault(str(err), err)
        return len(targets), list(errors.values())
