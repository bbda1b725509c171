"""An export killed at any moment (SIGINT, SIGTERM, SIGKILL) never leaves a partial file.

A real subprocess exports a session over an earlier file with --force semantics; it is
killed at moments spread over the whole export (loudness passes, encoding, the final
rename). Afterwards the destination holds either the earlier file, byte for byte, or a
complete new one, and the next run leaves no temporary file behind.

The moments are read from the export's own progress, not guessed from the length of an
earlier run: on a busy machine one run can take twice as long as the next, and kills timed
by the clock then landed after the export had finished.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from export_support import decode

ROOT = Path(__file__).resolve().parents[1]
RATE = 44100

SCRIPT = f"""
import sys
sys.path[:0] = [{str(ROOT / 'src')!r}, {str(ROOT / 'tests')!r}]
from pathlib import Path
from export_support import export_to, workout
from repcue.cli.export_commands import terminate_cleanly
from repcue.export import ExportOptions
from repcue.tones import default_palette

terminate_cleanly()
timeline, clips = workout(sets=2, reps=4)
palette = default_palette()
print(timeline.duration_ms, flush=True)
said = set()

def progress(stage, done, total):
    line = f"{{stage}} {{done * 100 // total}}"
    if line not in said:
        said.add(line)
        print(line, flush=True)

export_to(timeline, clips, palette, Path(sys.argv[1]), ExportOptions(force=True), progress)
print("done 100", flush=True)
"""

#: When to signal: as the export starts (the first loudness pass), after that pass, at points
#: through the encoding, once the last chunk is in (the encoder's finish and the final
#: rename), and as the process exits.
MOMENTS = [("start", 0), ("measuring", 100), ("encoding", 10), ("encoding", 30),
           ("encoding", 50), ("encoding", 70), ("encoding", 90), ("encoding", 100),
           ("done", 100)]


def _start(dest: Path) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen([sys.executable, "-c", SCRIPT, str(dest)],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    duration_ms = int(process.stdout.readline())  # imports done, export starting
    return process, duration_ms


def _wait_for(process: subprocess.Popen[str], stage: str, percent: int) -> list[str]:
    """Read the export's progress until it reaches ``stage`` at ``percent`` (or it ends)."""
    assert process.stdout is not None
    seen: list[str] = []
    if stage == "start":
        return seen
    for line in process.stdout:
        seen.append(line.strip())
        name, done = line.split()
        if name == stage and int(done) >= percent:
            break
    return seen


def _leftovers(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.endswith(".repcue-part"))


@pytest.mark.slow
def test_killed_exports_never_leave_a_partial_file(tmp_path: Path) -> None:
    dest = tmp_path / "session.mp3"
    process, duration_ms = _start(dest)
    assert process.wait(60) == 0
    assert process.stdout is not None
    process.stdout.close()
    expected_samples = (1500 + duration_ms) * RATE // 1000
    assert len(decode(dest)) == expected_samples

    kills = [signal.SIGINT, signal.SIGTERM, signal.SIGKILL]
    outcomes = []
    for i, (stage, percent) in enumerate(MOMENTS):
        before = dest.read_bytes()
        process, _ = _start(dest)
        seen = _wait_for(process, stage, percent)
        process.send_signal(kills[i % 3])
        rest, _ = process.communicate(timeout=60)
        code = process.returncode
        finished = "done 100" in [*seen, *rest.splitlines()]
        outcomes.append((kills[i % 3].name, stage, percent, code, finished))
        if finished:
            assert len(decode(dest)) == expected_samples
        else:
            assert dest.read_bytes() == before, outcomes
        if kills[i % 3] != signal.SIGKILL:
            assert _leftovers(tmp_path) == [], outcomes  # cleaned up on the way out
        assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
            "session.lrc", "session.mp3", "session.vtt"]

    # Most kills must have landed mid-export, or this test proved nothing.
    assert sum(1 for *_, finished in outcomes if not finished) >= 5, outcomes
    process, _ = _start(dest)
    assert process.wait(60) == 0
    assert process.stdout is not None
    process.stdout.close()
    assert _leftovers(tmp_path) == []
    assert len(decode(dest)) == expected_samples
