"""Single keys on a real pseudo-terminal: no Enter, the terminal restored afterwards."""

from __future__ import annotations

import os
import termios
import time
from collections.abc import Iterator

import pytest

from repcue.player.controls import HELP, Command, KeyboardControls, command_for


@pytest.fixture
def pty_pair() -> Iterator[tuple[int, int]]:
    leader, follower = os.openpty()
    yield leader, follower
    os.close(leader)
    os.close(follower)


def poll_until(controls: KeyboardControls, count: int) -> list[Command]:
    got: list[Command] = []
    deadline = time.monotonic() + 3
    while len(got) < count and time.monotonic() < deadline:
        got += controls.poll()
        time.sleep(0.01)
    return got


def test_keys_become_commands_without_enter(pty_pair: tuple[int, int]) -> None:
    leader, follower = pty_pair
    before = termios.tcgetattr(follower)
    controls = KeyboardControls(follower)
    assert controls.active
    controls.start()
    try:
        assert not termios.tcgetattr(follower)[3] & termios.ICANON  # no line buffering
        os.write(leader, b" nbx+Q")
        assert poll_until(controls, 5) == [Command.PAUSE, Command.NEXT_SET, Command.BACK,
                                           Command.MORE_REST, Command.QUIT]
    finally:
        controls.stop()
    assert termios.tcgetattr(follower) == before


def test_not_a_terminal_means_no_keys() -> None:
    read, write = os.pipe()
    try:
        controls = KeyboardControls(read)
        assert not controls.active
        controls.start()
        os.write(write, b"q")
        assert controls.poll() == []
        controls.stop()
    finally:
        os.close(read)
        os.close(write)


def test_key_map_and_help() -> None:
    assert command_for("=") is Command.MORE_REST  # + without shift
    assert command_for("N") is Command.NEXT_SET
    assert command_for("z") is None
    for word in ("space  pause", "n      next set", "b      restart", "+      15 s",
                 "q      quit", "--rest ready"):
        assert word in HELP
    assert all(len(line) + 2 <= 80 for line in HELP.splitlines())  # --help indents by 2
