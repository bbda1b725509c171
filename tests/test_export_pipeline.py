"""The writing pass's plumbing: exact regrouping, errors carried back, cancellation."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from repcue.clip import Samples
from repcue.export.pipeline import Stage, chunks, metered


def test_chunks_regroup_blocks_exactly() -> None:
    blocks = [np.arange(i * 7, (i + 1) * 7, dtype=np.float32) for i in range(10)]
    out = list(chunks(iter(blocks), 16))
    assert [len(c) for c in out] == [16, 16, 16, 16, 6]
    assert np.array_equal(np.concatenate(out), np.arange(70, dtype=np.float32))


def test_every_block_reaches_the_stage_in_order() -> None:
    seen: list[float] = []
    measured: list[float] = []
    stage: Stage[Samples] = Stage("test", lambda block: seen.append(float(block[0])), depth=2)
    blocks = [np.full(3, i, np.float32) for i in range(20)]
    for block in metered(iter(blocks), lambda b: measured.append(float(b[0]))):
        stage.put(block)
    stage.close()
    assert seen == measured == [float(i) for i in range(20)]


def test_an_error_in_a_stage_is_raised_in_the_caller() -> None:
    def work(block: np.ndarray) -> None:
        raise OSError(28, "No space left on device")

    stage = Stage("test", work, depth=1)
    stage.put(np.zeros(1, np.float32))
    with pytest.raises(OSError, match="No space"):
        for _ in range(10):  # the error surfaces on a later put, or at close
            stage.put(np.zeros(1, np.float32))
        stage.close()


def test_cancel_drops_queued_work() -> None:
    gate = threading.Event()
    done: list[int] = []

    def work(block: np.ndarray) -> None:
        gate.wait(5)
        done.append(1)

    stage = Stage("test", work, depth=8)
    for _ in range(5):
        stage.put(np.zeros(1, np.float32))
    threading.Timer(0.2, gate.set).start()  # released while close() is already cancelling
    stage.close(cancel=True)
    assert len(done) <= 1
