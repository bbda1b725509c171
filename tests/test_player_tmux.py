"""The live screen as a lifter sees it: ``repcue play`` in a real 80 x 24 tmux pane."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from audio_fixtures import ROOT, jack_server_fixture  # noqa: F401
from repcue.player.screen import LEGEND, big_text

pytestmark = [pytest.mark.audio, pytest.mark.slow]


@pytest.fixture(name="tmux")
def tmux_fixture(tmp_path: Path) -> Iterator[list[str]]:
    """A private tmux server (its own socket), killed afterwards."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux not installed (scripts/setup --test installs it)")
    command = ["tmux", "-S", str(tmp_path / "tmux.sock")]
    try:
        yield command
    finally:
        subprocess.run([*command, "kill-server"], capture_output=True, check=False)


def capture(tmux: list[str], *, joined: bool = False) -> list[str]:
    args = [*tmux, "capture-pane", "-p", "-t", "play"] + (["-J"] if joined else [])
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout.splitlines()


def test_the_screen_at_80_by_24_shows_every_part_without_a_cut_or_wrap(
        jack_server: dict[str, str], tmux: list[str], tmp_path: Path) -> None:
    env = dict(jack_server, PYTHONPATH=str(ROOT / "src"), REPCUE_CACHE=str(tmp_path / "cache"),
               TERM="xterm-256color")
    # Three seconds before the first rest: a hold counting down, then the rest.
    play = [sys.executable, "-m", "repcue", "play", "activation", "--engine", "pyttsx3",
            "--device", "system", "--lead-in", "0", "--start-at", "01:36"]
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()
                       if k in ("PYTHONPATH", "REPCUE_CACHE", "JACK_DEFAULT_SERVER",
                                "JACK_NO_AUDIO_RESERVATION", "HOME", "PATH", "TERM"))
    subprocess.run([*tmux, "new-session", "-d", "-s", "play", "-x", "80", "-y", "24",
                    f"env {exports} {shlex.join(play)}; sleep 30"], check=True, env=env)
    frames: list[list[str]] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        frame = capture(tmux)
        if any("elapsed" in line for line in frame):
            frames.append(frame)
            joined = capture(tmux, joined=True)
            assert all(len(line) <= 80 for line in joined), joined  # nothing wrapped
            if any("next: Pelvic tilt drill, set 2/3" in line for line in frame) and len(
                    [f for f in frames if any(line.strip() == "REST" for line in f)]) >= 2:
                break
        time.sleep(0.5)
    subprocess.run([*tmux, "send-keys", "-t", "play", "q"], check=True)
    text = ["\n".join(frame) for frame in frames]
    assert text, "the screen never showed"
    holding = [t for t in text if "HOLD" in t and "Set 1/3 · Rep" in t]
    resting = [t for t in text if "REST" in t and "Set 1/3 · rest" in t]
    assert holding and resting, text[-1]
    assert "PELVIC TILT DRILL" in holding[0] and "Lower back activation" in holding[0]
    assert any(all(row.rstrip() in t for row in big_text("0:4")) for t in resting) or any(
        all(row.rstrip() in t for row in big_text("0:3")) for t in resting), resting[-1]
    assert "next: Pelvic tilt drill, set 2/3" in resting[-1]
    assert any("“Rest. Forty seconds.”" in t for t in resting)
    for frame in frames:
        assert LEGEND in frame  # the legend whole, on its own row
        assert any("elapsed ·" in line and "left" in line for line in frame)
        assert len(frame) <= 24
    # The frame is kept for the README (tests/output is not tracked).
    out = Path(os.environ.get("REPCUE_SCREEN_FRAME", tmp_path / "frame.txt"))
    out.write_text(text[-1] + "\n")
