"""The worker pool: parallel jobs, and engines that hang, crash or fail.

The engines here are tiny stand-ins registered for these tests only: what is
under test is the pool that runs them, which is real (real processes, real
time limits, real kills).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from repcue.clip import Clip
from repcue.errors import SpeechError
from repcue.speech import VoiceSettings, register_engine, synthesize
from repcue.speech.engine import SpeechEngine, VoiceInfo, engine_path
from repcue.speech.worker import Job, WorkerPool


class ToneEngine(SpeechEngine):
    """One 100 ms tone per character, and the pid that made it, so parallelism shows."""

    name = "test-tone"

    def voices(self) -> list[VoiceInfo]:
        return [VoiceInfo("beep", "xx", "Beep")]

    def speak(self, text: str, voice: str | None, rate: float) -> Clip:
        log = os.environ.get("REPCUE_TEST_LOG")
        if log:
            with open(log, "a", encoding="utf-8") as out:
                out.write(f"{os.getpid()} {text}\n")
        time.sleep(0.2)
        n = int(8000 * 0.1 * len(text) / rate)
        return Clip((0.3 * np.sin(np.arange(n) * 0.2)).astype(np.float32), 8000)


class HangingEngine(ToneEngine):
    """Starts writing a temporary file, as pyttsx3 does, then never returns."""

    name = "test-hang"

    def speak(self, text: str, voice: str | None, rate: float) -> Clip:
        handle, path = tempfile.mkstemp(suffix=".wav")
        os.close(handle)
        log = os.environ.get("REPCUE_TEST_LOG")
        if log:
            Path(log).write_text(path)
        while True:
            time.sleep(60)


class CrashingEngine(ToneEngine):
    """Ends its process the way espeak does on a broken install."""

    name = "test-crash"

    def speak(self, text: str, voice: str | None, rate: float) -> Clip:
        sys.stderr.write("Error processing file 'phontab': No such file or directory.\n")
        sys.stderr.flush()
        os._exit(1)


class FailingEngine(ToneEngine):
    name = "test-fail"

    def speak(self, text: str, voice: str | None, rate: float) -> Clip:
        raise ValueError("no such phoneme")


class StuckLoadingEngine(ToneEngine):
    """Never finishes loading, as pyttsx3 can when its driver wedges at start-up."""

    name = "test-stuck"

    def __init__(self) -> None:
        while True:
            time.sleep(60)


for engine in (ToneEngine, HangingEngine, CrashingEngine, FailingEngine, StuckLoadingEngine):
    register_engine(engine)


def speak_jobs(engine: str, texts: list[str]) -> list[Job]:
    return [Job("speak", engine, engine_path(engine), None, 1.0, t) for t in texts]


def no_workers_left() -> bool:
    return not [p for p in multiprocessing.active_children() if p.is_alive()]


def test_jobs_run_in_parallel_and_come_back_by_index(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "log.txt"
    monkeypatch.setenv("REPCUE_TEST_LOG", str(log))
    texts = ["a", "bb", "ccc", "dddd", "eeeee", "ffffff"]
    results: dict[int, Clip] = {}
    with WorkerPool(2) as pool:
        pool.run(speak_jobs("test-tone", texts), results.__setitem__)
    assert sorted(results) == list(range(6))
    # Polished, so not exactly 100 ms a letter, but in order of length.
    lengths = [results[i].duration_ms for i in range(6)]
    assert lengths == sorted(lengths)
    assert len({line.split()[0] for line in log.read_text().splitlines()}) == 2
    assert no_workers_left()


def test_a_hanging_engine_is_stopped_within_its_limit(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "log.txt"
    monkeypatch.setenv("REPCUE_TEST_LOG", str(log))
    start = time.monotonic()
    with pytest.raises(SpeechError, match=r"test-hang hung speaking 'Brace\.'.*after 1 s"):
        synthesize(["Brace."], VoiceSettings(engine="test-hang"), time_limit=1.0,
                   cache_dir=tmp_path, workers=1)
    # One second of limit plus starting a Python process; nowhere near "frozen".
    assert time.monotonic() - start < 8
    assert no_workers_left()
    # The file it was writing when it was killed went with the pool's scratch folder.
    assert not Path(log.read_text()).exists()


def test_an_engine_stuck_loading_is_stopped_within_its_limits() -> None:
    start = time.monotonic()
    with (pytest.raises(SpeechError, match=r"test-stuck did not start within 1\.5 s"),
          WorkerPool(1, load_limit=1.0, text_limit=0.5) as pool):
        pool.run(speak_jobs("test-stuck", ["Go."]), lambda i, r: None)
    assert time.monotonic() - start < 8
    assert no_workers_left()


def test_a_crashing_engine_becomes_an_error_that_quotes_its_last_words() -> None:
    with pytest.raises(SpeechError) as caught, WorkerPool(1) as pool:
        pool.run(speak_jobs("test-crash", ["Now press."]), lambda i, r: None)
    message = str(caught.value)
    assert "exit code 1" in message
    assert "'Now press.'" in message
    assert "phontab" in message
    assert no_workers_left()


def test_an_engine_exception_becomes_a_speech_error_naming_the_text() -> None:
    with (pytest.raises(SpeechError, match=r"test-fail failed speaking 'Rest\.'.*no such phoneme"),
          WorkerPool(1) as pool):
        pool.run(speak_jobs("test-fail", ["Rest."]), lambda i, r: None)
    assert no_workers_left()


def test_synthesis_only_speaks_unique_texts_the_cache_lacks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "log.txt"
    monkeypatch.setenv("REPCUE_TEST_LOG", str(log))
    settings = VoiceSettings(engine="test-tone")
    cache = tmp_path / "clips"
    first = synthesize(["one", "two", "one"], settings, cache_dir=cache)
    assert list(first) == ["one", "two"]
    assert sorted(line.split()[1] for line in log.read_text().splitlines()) == ["one", "two"]
    log.write_text("")
    seen: list[tuple[int, int]] = []
    again = synthesize(["two", "one", "three"], settings, cache_dir=cache,
                       progress=lambda done, total: seen.append((done, total)))
    assert [line.split()[1] for line in log.read_text().splitlines()] == ["three"]
    np.testing.assert_array_equal(again["one"].samples, first["one"].samples)
    assert seen == [(2, 3), (3, 3)]
