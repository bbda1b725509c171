"""Serve benchmark: start-up when cached, one big MP3 over loopback, many clients at once.

    PYTHONPATH=src python benchmarks/serve.py [--engine auto|piper|pyttsx3] [--seconds 30]

Runs ``repcue serve --all --host 127.0.0.1`` as a user would (a subprocess), with its own
config and episode folders in a temporary directory and the usual speech cache, and prints:
- the time from starting ``repcue serve --all`` to the URLs printed, every export cached
  (best and median of 3 starts; target <= 2 s);
- the download rate of the longest workout's MP3 (``long-session``, about 30 MB at 64 kbps)
  over loopback, best of 3 (target >= 50 MB/s), its bytes checked against the file;
- 20 clients fetching random byte ranges of it at once for 30 s: requests, errors and wrong
  bytes (target 0 errors, 0 wrong);
- the server's peak RSS (VmHWM) after all of that (target <= 150 MB).
Loopback only: nothing listens on the network.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = 20
STARTS = 3


@dataclass
class Server:
    process: subprocess.Popen[str]
    page: str
    lines: list[str] = field(default_factory=list)
    #: CPU seconds the process had used when the URLs were printed.
    startup_cpu: float = 0.0

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=120)

    def peak_rss_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kb = next(int(line.split()[1]) for line in status.splitlines()
                  if line.startswith("VmHWM:"))
        return kb / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(env: dict[str, str], engine: str) -> tuple[Server, float]:
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "repcue", "serve", "--all", "--host", "127.0.0.1", "--port", "0",
         "--no-qr", "--engine", engine],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None and process.stderr is not None
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("Feed: "):
            took = time.perf_counter() - began
            cpu = cpu_seconds(process.pid)
            page = next(x for x in lines if x.startswith("Page: "))[6:]
            # The server logs a line per request: a full pipe would stall it.
            threading.Thread(target=process.stdout.read, daemon=True).start()
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return Server(process, page, lines, cpu), took
    raise SystemExit(f"repcue serve did not start: {lines} {process.stderr.read()}")


def download_rate(url: str, data: bytes) -> float:
    """MB/s of one whole download, best of 3; the bytes must equal the file."""
    best = 0.0
    with httpx.Client(timeout=120) as client:
        for _ in range(3):
            digest = hashlib.sha256()
            began = time.perf_counter()
            with client.stream("GET", url) as response:
                for chunk in response.iter_raw(1 << 20):
                    digest.update(chunk)
            took = time.perf_counter() - began
            if digest.digest() != hashlib.sha256(data).digest():
                raise SystemExit("the downloaded MP3 differs from the file")
            best = max(best, len(data) / 1e6 / took)
    return best


def random_ranges(url: str, data: bytes, seconds: float) -> tuple[int, int, int, int]:
    """``(requests, errors, wrong bytes, bytes)`` from CLIENTS threads for ``seconds``."""
    counts = {"requests": 0, "errors": 0, "wrong": 0, "bytes": 0}
    reasons: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        mine = dict.fromkeys(counts, 0)
        with httpx.Client(timeout=60) as http:
            while time.monotonic() < stop_at:
                first = rng.randrange(len(data))
                last = min(len(data) - 1, first + rng.randrange(1, 1 << 20))
                mine["requests"] += 1
                try:
                    got = http.get(url, headers={"Range": f"bytes={first}-{last}"})
                except httpx.HTTPError as err:
                    mine["errors"] += 1
                    reasons.append(f"{type(err).__name__}: {err}")
                    continue
                if got.status_code != 206:
                    mine["errors"] += 1
                    reasons.append(f"HTTP {got.status_code} for bytes={first}-{last}")
                elif got.content != data[first:last + 1]:
                    mine["wrong"] += 1
                mine["bytes"] += len(got.content)
        with lock:
            for key, value in mine.items():
                counts[key] += value

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for reason in sorted(set(reasons))[:5]:
        print(f"  error: {reason}")
    return counts["requests"], counts["errors"], counts["wrong"], counts["bytes"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", default="auto")
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    import platformdirs

    with tempfile.TemporaryDirectory(prefix="repcue-serve-bench-") as home:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"),
               "XDG_CONFIG_HOME": f"{home}/config", "XDG_CACHE_HOME": f"{home}/cache",
               "REPCUE_CONFIG": f"{home}/config/repcue/config.toml",
               "REPCUE_CACHE": os.environ.get("REPCUE_CACHE") or str(
                   platformdirs.user_cache_path("repcue") / "clips")}
        print("Rendering every workout once (not timed)...", flush=True)
        server, took = start(env, args.engine)
        print(f"  first start, rendering included: {took:.1f} s")
        server.stop()
        times, cpu = [], []
        for _ in range(STARTS):
            server, took = start(env, args.engine)
            times.append(took)
            cpu.append(server.startup_cpu)
            if _ < STARTS - 1:
                server.stop()
        print(f"serve --all to URLs printed, all cached: best {min(times):.2f} s, "
              f"median {statistics.median(times):.2f} s (target <= 2 s); CPU used by then: "
              f"best {min(cpu):.2f} s; load average {os.getloadavg()[0]:.1f} on "
              f"{os.cpu_count()} cores")
        try:
            url = server.page + "media/long-session.mp3"
            data = httpx.get(url, timeout=120).content
            print(f"long-session.mp3: {len(data) / 1e6:.1f} MB")
            print(f"one download over loopback: {download_rate(url, data):.0f} MB/s "
                  "(target >= 50 MB/s)")
            requests, errors, wrong, sent = random_ranges(url, data, args.seconds)
            print(f"{CLIENTS} clients, random ranges for {args.seconds:.0f} s: {requests} "
                  f"requests, {sent / 1e6:.0f} MB, {errors} errors, {wrong} wrong "
                  "(target 0 and 0)")
            print(f"server peak RSS: {server.peak_rss_mb():.0f} MB (target <= 150 MB)")
        finally:
            code = server.stop()
        print(f"server stopped on Ctrl-C with exit status {code}")


if __name__ == "__main__":
    main()
