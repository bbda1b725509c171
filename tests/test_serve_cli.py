"""``repcue serve`` through the real entry point: bad input is one line and nothing starts;
as a user runs it, it renders, prints the URLs, serves, and stops on Ctrl-C."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from repcue.cli import cli, main

ROOT = Path(__file__).resolve().parents[1]
FAST = ["--engine", "pyttsx3"]


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def test_help_shows_examples() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "repcue serve --all" in result.output and "--new-token" in result.output


@pytest.mark.parametrize(("args", "message"), [
    ([], "name a workout to serve"),
    (["activation", "--all"], "not both"),
    (["activation", "--port", "70000"], "70000 is not in the range"),
])
def test_usage_errors(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["serve", *args], catch_exceptions=False)
    assert result.exit_code == 2
    assert message in result.output


def test_unknown_workout_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(["serve", "activaton", "--host", "127.0.0.1", "--port", "0"],
                              capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "no workout named 'activaton'; did you mean activation?" in err


@contextmanager
def taken_port() -> Iterator[int]:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def test_a_port_in_use_is_one_line_before_any_work(capsys: pytest.CaptureFixture[str]) -> None:
    with taken_port() as port:
        code, out, err = run_main(["serve", "activation", "--host", "127.0.0.1", "--port",
                                   str(port), *FAST], capsys)
    assert code == 1 and out == ""
    assert err == (f"Error: port {port} on 127.0.0.1 is already in use (hint: pass --port with "
                   "another number, or stop the other server)\n")


def test_a_host_that_is_not_ours_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(["serve", "activation", "--host", "203.0.113.9", "--port", "0"],
                              capsys)
    assert code == 2 and out == ""
    assert err.startswith("Error: --host: 203.0.113.9 is not an address of this computer")
    assert err.count("\n") == 1


@pytest.mark.speech
def test_a_render_failure_is_one_line_and_frees_the_port(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the episode cache would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, out, err = run_main(["serve", "activation", "--host", "127.0.0.1", "--port",
                               str(port), *FAST], capsys)
    assert code == 1 and "Page:" not in out
    assert err.startswith("Error: cannot keep the rendered activation in ") and err.count(
        "\n") == 1
    with socket.socket() as again:
        again.bind(("127.0.0.1", port))  # nothing was left listening


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs util-linux unshare")
def test_no_lan_address_is_one_line() -> None:
    # A fresh network namespace has only a loopback that is down: no LAN to serve on.
    try:
        subprocess.run(["unshare", "-rn", "true"], check=True, capture_output=True, timeout=30)
    except subprocess.CalledProcessError:
        pytest.skip("user namespaces are not allowed here")
    run = subprocess.run(["unshare", "-rn", sys.executable, "-m", "repcue", "serve",
                          "activation"], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr.startswith("Error: no LAN address found") and run.stderr.count("\n") == 1


class Serving:
    """``repcue serve`` as a user starts it, read line by line until the URLs are printed."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "repcue", "serve", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONUNBUFFERED": "1"})
        self.lines: list[str] = []
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if line.startswith("Scan the code"):
                break
        else:
            raise AssertionError(f"serve ended early: {self.lines} {self.process.stderr}")
        self.page = next(line for line in self.lines if line.startswith("Page: "))[6:]

    def stop(self) -> tuple[int, str, float]:
        started = time.monotonic()
        self.process.send_signal(signal.SIGINT)
        out, _ = self.process.communicate(timeout=60)
        return self.process.returncode, out, time.monotonic() - started


@pytest.mark.slow
@pytest.mark.speech
def test_as_a_user_serve_starts_serves_and_stops_on_ctrl_c() -> None:
    serving = Serving("activation", "--host", "127.0.0.1", "--port", "0", *FAST)
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/[A-Za-z0-9_-]{32}/", serving.page)
        assert serving.lines[-1].startswith("Scan the code")
        assert any("▀" in line or "▄" in line for line in serving.lines)  # the QR code
        assert httpx.get(serving.page, timeout=30).status_code == 200
        assert httpx.get(serving.page + "feed.xml", timeout=30).status_code == 200
        # A phone part-way through the MP3 does not hold the server open.
        with httpx.stream("GET", serving.page + "media/activation.mp3", timeout=30) as audio:
            next(audio.iter_bytes(4096))
            code, out, took = serving.stop()
    finally:
        if serving.process.poll() is None:
            serving.process.kill()
    assert code == 130
    assert " GET /TOKEN/feed.xml 200" in out
    assert out.rstrip("\n").endswith("Stopped.")
    assert took < 10


@pytest.mark.slow
@pytest.mark.speech
def test_the_token_and_the_render_are_kept_between_runs() -> None:
    first = Serving("activation", "--host", "127.0.0.1", "--port", "0", "--no-qr", *FAST)
    first.stop()
    again = Serving("activation", "--host", "127.0.0.1", "--port", "0", "--no-qr", *FAST)
    old_page = again.page
    again.stop()
    assert old_page.split("/")[3] == first.page.split("/")[3]
    assert "(unchanged)" in again.lines[0]
    assert not any("▀" in line for line in again.lines)

    rotated = Serving("activation", "--host", "127.0.0.1", "--port", "0", "--no-qr",
                      "--new-token", *FAST)
    try:
        assert "Made a new secret token for the URLs." in rotated.lines
        new_token, old_token = rotated.page.split("/")[3], old_page.split("/")[3]
        assert new_token != old_token
        server = rotated.page[: rotated.page.index(new_token)]
        assert httpx.get(f"{server}{old_token}/feed.xml", timeout=30).status_code == 404
        assert httpx.get(rotated.page + "feed.xml", timeout=30).status_code == 200
    finally:
        rotated.stop()
