"""What a speech engine is, and the registry that finds one by name.

An engine turns one text into one raw clip. It is built once per worker
process (loading a voice can take a second) and then asked for many texts.
Built-in engines are named here by import path so that nothing heavy is
imported until a worker needs it; third parties add theirs through the
``repcue.engines`` entry-point group (value ``"package.module:EngineClass"``)
or, in-process, with :func:`register_engine`.

To add an engine, subclass :class:`SpeechEngine`, give it a ``name``, and
implement :meth:`SpeechEngine.speak` and :meth:`SpeechEngine.voices`; override
:meth:`SpeechEngine.fingerprint` so cached clips are dropped when the engine or
voice changes.
"""

from __future__ import annotations

import difflib
import importlib
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import ClassVar

from repcue.clip import Clip
from repcue.errors import ExitStatus, SpeechError, did_you_mean

ENTRY_POINT_GROUP = "repcue.engines"
#: Set in each worker process: how many threads an engine there should use, so that
#: several workers do not each claim every core.
THREADS_ENV = "REPCUE_ENGINE_THREADS"

#: Engines shipped with repcue, as ``module:class`` so they import lazily.
BUILTIN_ENGINES: dict[str, str] = {
    "pyttsx3": "repcue.speech.pyttsx3_engine:Pyttsx3Engine",
    "piper": "repcue.speech.piper_engine:PiperEngine",
}

_registered: dict[str, str] = {}


@dataclass(frozen=True)
class VoiceInfo:
    """One voice an engine offers: the id for ``--voice``, its language and a readable name."""

    id: str
    language: str
    name: str


class UnknownVoiceError(SpeechError):
    """A ``--voice`` the engine does not have; names the closest ones it does have."""

    exit_code = ExitStatus.BAD_INPUT

    def __init__(self, engine: str, voice: str, known: Iterable[str], hint: str | None = None):
        self.engine = engine
        self.voice = voice
        self.known = sorted(set(known))
        lowered = {k.lower(): k for k in self.known}
        close = [lowered[c] for c in difflib.get_close_matches(voice.lower(), lowered, n=3)]
        text = f"engine {engine} has no voice {voice!r}"
        if close:
            text += f"; did you mean {', '.join(close)}?"
        super().__init__(text, hint or f"list them with: repcue voices --engine {engine}")


class VoiceFileMissingError(SpeechError):
    """A ``--voice`` path (or the config's) to a voice file that is not there."""

    exit_code = ExitStatus.BAD_INPUT

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"voice file {path} does not exist",
                         "pass a voice file that exists, or a name from repcue voices")


class UnknownEngineError(SpeechError):
    """An ``--engine`` name that no built-in, registered or installed engine has."""

    exit_code = ExitStatus.BAD_INPUT


class SpeechEngine(ABC):
    """Text in, raw mono clip out. Built once per worker process, then reused."""

    #: The name users pick with ``--engine``.
    name: ClassVar[str]
    #: Worker processes per CPU core by default; above 1 for engines that mostly wait.
    workers_per_core: ClassVar[int] = 1

    @classmethod
    def fingerprint(cls, voice: str | None) -> str:
        """What the cache key must change with: engine version and voice identity.

        Runs in the calling process before any worker starts, so it must be
        cheap and must not load the engine. It may raise :class:`SpeechError`
        for a voice it can already tell is wrong.
        """
        return f"{cls.name} {cls.__module__}.{cls.__qualname__} voice={voice}"

    @abstractmethod
    def voices(self) -> list[VoiceInfo]:
        """Every voice this engine can speak with."""

    @abstractmethod
    def speak(self, text: str, voice: str | None, rate: float) -> Clip:
        """Speak ``text`` into a clip at the engine's own sample rate.

        ``rate`` 1.0 is the engine's normal speed. An unknown voice raises
        :class:`UnknownVoiceError`; any other failure raises :class:`SpeechError`.
        """


def register_engine(engine: type[SpeechEngine]) -> None:
    """Make ``engine`` available by its ``name`` in this process and in the worker processes.

    Workers import the class again by its module path, so it must live at
    module level in an importable module.
    """
    _registered[engine.name] = f"{engine.__module__}:{engine.__qualname__}"


def _entry_points() -> dict[str, str]:
    return {ep.name: ep.value for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}


def engine_names() -> list[str]:
    """Every engine name that can be asked for (built-in, registered, installed plug-ins)."""
    return sorted({**BUILTIN_ENGINES, **_entry_points(), **_registered})


def engine_path(name: str) -> str:
    """The ``module:class`` path of the engine called ``name``."""
    for table in (_registered, BUILTIN_ENGINES):
        if name in table:
            return table[name]
    plugins = _entry_points()
    if name in plugins:
        return plugins[name]
    known = ["auto", *engine_names()]
    raise UnknownEngineError(
        f"no speech engine named {name!r}{did_you_mean(name, known)} (known: {', '.join(known)})"
    )


def load_engine_class(path: str) -> type[SpeechEngine]:
    """Import the engine class at ``module:class``."""
    module_name, _, qualname = path.partition(":")
    try:
        target: object = importlib.import_module(module_name)
        for part in qualname.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as error:
        raise SpeechError(f"cannot load speech engine {path!r}: {error}") from error
    if not (isinstance(target, type) and issubclass(target, SpeechEngine)):
        raise SpeechError(f"{path!r} is not a repcue SpeechEngine subclass")
    return target
