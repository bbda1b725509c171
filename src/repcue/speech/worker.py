"""Speech runs in worker processes, each job under a time limit.

espeak can end its whole process on a broken install and pyttsx3 can hang, so
no engine ever runs in the CLI's own process. Each worker loads its engine
once, then takes one job at a time over a pipe. It reports "started" once the
engine is loaded, which starts the job's clock; a worker that misses its
deadline is killed, and one that dies is noticed through its process sentinel.
Either way the caller gets a :class:`SpeechError` naming the text, never a
frozen or vanished CLI.

Workers are started with ``spawn`` on every platform: a fresh interpreter
shares no threads, locks or audio state with the parent.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import tempfile
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from repcue.errors import RepcueError, SpeechError
from repcue.speech.engine import THREADS_ENV, SpeechEngine, load_engine_class
from repcue.speech.polish import polish

#: Seconds one text may take once the engine is loaded.
DEFAULT_TEXT_LIMIT = 30.0
#: Seconds a worker may take to start and load its engine (piper reads a 60 MB model).
DEFAULT_LOAD_LIMIT = 60.0


@dataclass(frozen=True)
class Job:
    """One thing for a worker to do: ``speak`` a text, or list the engine's ``voices``."""

    kind: str
    engine: str
    engine_path: str
    voice: str | None = None
    rate: float = 1.0
    text: str = ""

    def describe(self) -> str:
        return f"speaking {self.text!r}" if self.kind == "speak" else "listing voices"


def _run_job(engines: dict[str, SpeechEngine], job: Job, conn: Connection) -> object:
    if job.engine_path not in engines:
        engines[job.engine_path] = load_engine_class(job.engine_path)()
    engine = engines[job.engine_path]
    conn.send(("started", None))
    if job.kind == "voices":
        return engine.voices()
    return polish(engine.speak(job.text, job.voice, job.rate))


def _portable(error: BaseException, job: Job) -> RepcueError:
    """The error to send back: repcue's own as it is (they pickle), any other one in words."""
    if isinstance(error, RepcueError):
        try:
            pickle.dumps(error)
        except Exception:  # a kept value that does not pickle: keep the words and the status
            portable = SpeechError(error.message, error.hint)
            portable.exit_code = error.exit_code
            return portable
        return error
    return SpeechError(
        f"speech engine {job.engine} failed {job.describe()}: {type(error).__name__}: {error}")


def worker_main(conn: Connection, scratch: str, threads: int) -> None:
    """A worker's life: quiet stdout, stderr to a file, then jobs until told to stop.

    Its temporary files go in the pool's ``scratch`` folder, which the pool
    removes even when it had to kill the worker halfway through a file.
    """
    # The parent owns Ctrl-C; a worker that died of it would look like a crash.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # pyttsx3 prints "Audio saved to …"; silencing fd 1 itself also catches C libraries.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    errors = os.open(os.path.join(scratch, "stderr"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(errors, 2)
    os.environ["TMPDIR"] = scratch
    tempfile.tempdir = scratch
    os.environ[THREADS_ENV] = str(threads)
    engines: dict[str, SpeechEngine] = {}
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            result = _run_job(engines, job, conn)
        except BaseException as error:  # anything an engine throws becomes a message
            conn.send(("error", _portable(error, job)))
        else:
            conn.send(("done", result))


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    scratch: Path
    index: int = -1
    deadline: float = 0.0
    started: bool = False


class WorkerPool:
    """A few engine processes that run jobs in parallel, each under a deadline.

    Use as a context manager; leaving it stops every worker, killing any that
    does not stop at once.
    """

    def __init__(
        self,
        size: int,
        *,
        text_limit: float = DEFAULT_TEXT_LIMIT,
        load_limit: float = DEFAULT_LOAD_LIMIT,
    ) -> None:
        self.size = max(1, size)
        self.text_limit = text_limit
        self.load_limit = load_limit
        self._context = multiprocessing.get_context("spawn")
        self._folder = tempfile.TemporaryDirectory(prefix="repcue-speech-",
                                                   ignore_cleanup_errors=True)
        self._workers: list[_Worker] = []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(kill=exc[0] is not None)

    def _start(self) -> _Worker:
        threads = max(1, (os.cpu_count() or 1) // self.size)
        scratch = Path(self._folder.name) / f"worker-{len(self._workers)}"
        scratch.mkdir()
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=worker_main, args=(child, str(scratch), threads), daemon=True
        )
        process.start()
        child.close()
        worker = _Worker(process, parent, scratch)
        self._workers.append(worker)
        return worker

    def run(self, jobs: Sequence[Job], on_done: Callable[[int, Any], None]) -> None:
        """Run every job; call ``on_done(index, result)`` in the caller's process as each ends.

        Raises :class:`SpeechError` (or the engine's own :class:`RepcueError`)
        at the first failure, timeout or dead worker.
        """
        queue = deque(enumerate(jobs))
        while len(self._workers) < min(self.size, len(jobs)):
            self._start()
        idle = [w for w in self._workers if w.process.is_alive()]
        busy: list[_Worker] = []

        def hand_out(worker: _Worker) -> None:
            index, job = queue.popleft()
            worker.index = index
            worker.deadline = time.monotonic() + self.load_limit + self.text_limit
            worker.started = False
            try:
                worker.conn.send(job)
            except OSError:  # it died before it could take the job
                raise self._died(worker, job) from None
            busy.append(worker)

        while queue and idle:
            hand_out(idle.pop())
        while busy:
            timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            waitables: list[Any] = [w.conn for w in busy] + [w.process.sentinel for w in busy]
            ready = set(wait(waitables, timeout))
            for worker in list(busy):
                job = jobs[worker.index]
                if worker.conn in ready or worker.conn.poll():
                    finished, payload = self._receive(worker, job)
                    if not finished:
                        continue
                    busy.remove(worker)
                    on_done(worker.index, payload)
                    if queue:
                        hand_out(worker)
                elif worker.process.sentinel in ready:
                    raise self._died(worker, job)
                elif time.monotonic() >= worker.deadline:
                    worker.process.kill()
                    raise self._stopped(worker, job)

    def _receive(self, worker: _Worker, job: Job) -> tuple[bool, Any]:
        """``(finished, result)`` from the worker's next message; its errors are raised here."""
        try:
            kind, payload = worker.conn.recv()
        except EOFError:
            raise self._died(worker, job) from None
        if kind == "started":
            worker.deadline = time.monotonic() + self.text_limit
            worker.started = True
            return False, None
        if kind == "error":
            raise payload
        return True, payload

    def _stopped(self, worker: _Worker, job: Job) -> SpeechError:
        if worker.started:
            return SpeechError(f"speech engine {job.engine} hung {job.describe()} and was "
                               f"stopped after {self.text_limit:g} s")
        return SpeechError(f"speech engine {job.engine} did not start within "
                           f"{self.load_limit + self.text_limit:g} s and was stopped")

    def _died(self, worker: _Worker, job: Job) -> SpeechError:
        worker.process.join(1.0)
        code = worker.process.exitcode
        detail = ""
        with contextlib.suppress(OSError):
            stderr = (worker.scratch / "stderr").read_text(errors="replace")
            lines = [line for line in stderr.splitlines() if line]
            if lines:
                detail = f": {lines[-1].strip()}"
        doing = job.describe() if worker.started else "while starting"
        return SpeechError(
            f"speech engine {job.engine} ended its process (exit code {code}) {doing}{detail}",
            hint="check the engine's install, or try --engine with another engine",
        )

    def close(self, kill: bool = False) -> None:
        """Stop the workers: politely unless ``kill``, and by force for any that lingers."""
        for worker in self._workers:
            if not kill and worker.process.is_alive():
                with contextlib.suppress(OSError, ValueError):
                    worker.conn.send(None)
        deadline = time.monotonic() + (0.0 if kill else 2.0)
        for worker in self._workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(5.0)
            worker.conn.close()
            with contextlib.suppress(ValueError):
                worker.process.close()
        self._workers.clear()
        self._folder.cleanup()

