"""Ctrl-C at random moments of ``repcue play``: it must always stop, fast, and say how to resume.

    python benchmarks/ctrl_c.py [--runs 50] [--workout activation] [--group] [--no-busy]

Starts a private ``jackd --no-realtime -d dummy``, keeps both cores busy with two spinning
processes, and runs ``repcue play`` on it ``--runs`` times. Each run gets one SIGINT at a
random moment between the end of Python's own start-up (measured: the time ``import
repcue.cli`` takes in a fresh process, under the same load) and three seconds into the
session: device look-up, speech synthesis, device open, the level measurement, mid-play.
One run in five starts with an empty speech cache, so synthesis is long. ``--group`` sends
the signal to the whole process group, as a terminal's Ctrl-C does (speech workers too).

A run passes when the process exits with 130 within 2 s of the signal, says how to resume
and prints no traceback. A run still alive 15 s after the signal is a hang: it is killed.

Target: 0 hangs, every run passes.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from play import start_jack  # noqa: E402

#: The exit must come this soon after the signal.
EXIT_BUDGET_S = 2.0
#: After this long the run counts as hung and is killed.
HANG_S = 15.0


@dataclass
class Run:
    delay_s: float
    phase: str  # what the player had said when the signal went: starting | playing
    cold: bool
    exit_s: float | None  # None: hung
    returncode: int | None
    stderr: str

    @property
    def problem(self) -> str | None:
        if self.exit_s is None:
            return "hung"
        if self.returncode != 130:
            return f"exit {self.returncode}"
        if "Traceback" in self.stderr:
            return "traceback"
        if "To resume:" not in self.stderr:
            return "no resume line"
        if self.exit_s > EXIT_BUDGET_S:
            return f"slow exit ({self.exit_s:.2f} s)"
        return None


def one_run(env: dict[str, str], args: list[str], delay: float, group: bool, cold: bool) -> Run:
    proc = subprocess.Popen([sys.executable, "-m", "repcue", *args], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert proc.stderr is not None
    said: list[str] = []
    playing = threading.Event()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            said.append(line)
            if line.startswith("Playing "):
                playing.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    time.sleep(delay)
    phase = "playing" if playing.is_set() else "starting"
    sent = time.monotonic()
    try:
        if group:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
    except ProcessLookupError:
        pass
    exit_s = wait_or_kill(proc, sent)
    reader.join(timeout=5)
    return Run(delay, phase, cold, exit_s, proc.returncode, "".join(said))


def wait_or_kill(proc: subprocess.Popen[str], sent: float) -> float | None:
    """Seconds from the signal to the exit; None for a hang, after dumping its stacks."""
    try:
        proc.wait(timeout=HANG_S)
        return time.monotonic() - sent
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGUSR1)  # faulthandler (see STACKS) prints every thread
        time.sleep(1.0)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return None


#: Loaded into each player through PYTHONPATH: SIGUSR1 prints every thread's stack, so a
#: hang shows where it is stuck.
STACKS = "import faulthandler, signal\nfaulthandler.register(signal.SIGUSR1, all_threads=True)\n"


def time_to_play(env: dict[str, str], args: list[str]) -> float:
    """Seconds from process start to the "Playing" line, with the speech cache warm."""
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "repcue", *args], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert proc.stderr is not None
    took = None
    for line in proc.stderr:
        if line.startswith("Playing "):
            took = time.monotonic() - t0
            break
    os.killpg(proc.pid, signal.SIGINT)
    if wait_or_kill(proc, time.monotonic()) is None:
        print("the calibration run hung after Ctrl-C:\n" + proc.stderr.read(), flush=True)
    if took is None:
        sys.exit("the player never started playing: is the JACK server up?")
    return took


def import_time(env: dict[str, str]) -> float:
    """Seconds a fresh process takes to start Python and load repcue's commands (worst of 3).

    A signal before that lands in the interpreter's own start-up, which repcue cannot guard.
    """
    worst = 0.0
    for _ in range(3):
        t0 = time.monotonic()
        subprocess.run([sys.executable, "-c", "import repcue.cli"], env=env, check=True)
        worst = max(worst, time.monotonic() - t0)
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--workout", default="activation")
    parser.add_argument("--engine", default="pyttsx3")
    parser.add_argument("--group", action="store_true",
                        help="signal the process group, as a terminal's Ctrl-C does")
    parser.add_argument("--no-busy", action="store_true", help="leave the cores idle")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()

    # Started as a shell's ``&`` job, this script ignores SIGINT and so would every player it
    # starts (Python installs no KeyboardInterrupt handler then): give them the default.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    name = f"repcue-ctrl-c-{os.getpid()}"
    scratch = Path(tempfile.mkdtemp(prefix="repcue-ctrl-c-"))
    server = start_jack(name, scratch / "jackd.log", realtime=False)
    (scratch / "stacks").mkdir()
    (scratch / "stacks" / "sitecustomize.py").write_text(STACKS)
    env = dict(os.environ, JACK_DEFAULT_SERVER=name, JACK_NO_AUDIO_RESERVATION="1",
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(scratch / "stacks")]),
               REPCUE_CACHE=str(scratch / "cache"))
    play = ["play", args.workout, "--engine", args.engine, "--device", "system",
            "--lead-in", "0"]
    busy: list[subprocess.Popen[bytes]] = []
    runs: list[Run] = []
    try:
        if not args.no_busy:
            busy = [subprocess.Popen(["yes"], stdout=subprocess.DEVNULL) for _ in range(2)]
        floor = import_time(env)
        warm = time_to_play(env, play)
        for i in range(args.runs):
            cold = i % 5 == 4
            run_env = env
            if cold:
                run_env = dict(env, REPCUE_CACHE=str(scratch / f"cold-{i}"))
            run = one_run(run_env, play, rng.uniform(floor, warm + 3.0), args.group, cold)
            runs.append(run)
            mark = run.problem or "ok"
            took = f"{run.exit_s:.2f} s" if run.exit_s is not None else "-"
            print(f"run {i + 1:>3}  signal at {run.delay_s:5.2f} s ({run.phase:8s}"
                  f"{', cold' if cold else ''})  exit {run.returncode}  in {took}  {mark}",
                  flush=True)
    finally:
        for spinner in busy:
            spinner.kill()
            spinner.wait()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        shutil.rmtree(scratch, ignore_errors=True)
    report(runs, floor, warm, seed, args)


def report(runs: list[Run], floor: float, warm: float, seed: int,
           args: argparse.Namespace) -> None:
    exits = [r.exit_s for r in runs if r.exit_s is not None]
    failed = [r for r in runs if r.problem]
    print(f"\nworkout {args.workout}, engine {args.engine}, seed {seed}, signal to "
          f"{'the process group' if args.group else 'the player'}, cores "
          f"{'idle' if args.no_busy else 'busy (2x yes)'}")
    print(f"signals between {floor:.2f} s (repcue loaded) and {warm + 3:.2f} s "
          f"(3 s after a warm start began playing)")
    for phase in ("starting", "playing"):
        n = sum(1 for r in runs if r.phase == phase)
        print(f"  {phase:8s} {n} runs")
    print(f"runs      {len(runs)}   hangs {sum(r.exit_s is None for r in runs)}   "
          f"failed {len(failed)}  (target: 0 hangs, 0 failed)")
    if exits:
        print(f"exit time median {statistics.median(exits):.2f} s, worst {max(exits):.2f} s "
              f"(budget {EXIT_BUDGET_S:.0f} s)")
    for r in failed:
        if r.exit_s is None:
            print(f"  HUNG: signal at {r.delay_s:.2f} s ({r.phase}); its threads:\n{r.stderr}")
            continue
        tail = " | ".join(line.strip() for line in r.stderr.splitlines()[-4:])
        print(f"  FAILED {r.problem}: signal at {r.delay_s:.2f} s ({r.phase}): {tail}")


if __name__ == "__main__":
    main()
