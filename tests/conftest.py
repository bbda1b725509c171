"""Shared fixtures: every test runs with its own empty user dirs, so a developer's config,
content and cache never change a result."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    """Children of every test act on Ctrl-C, however the run was started.

    A shell without job control starts ``&`` jobs with SIGINT ignored, the ignoring is
    inherited across exec, and Python then installs no KeyboardInterrupt handler: run from
    such a job, the tests that send SIGINT to ``repcue play`` or ``serve`` found it deaf
    (serve then exited 0, or not at all). The default handler here makes children start
    with the default disposition again.
    """
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.getbasetemp() / "user-home"
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data")):
        monkeypatch.setenv(var, str(home / sub))
    # One speech cache for the whole run: tests share clips but never touch the user's cache.
    monkeypatch.setenv("REPCUE_CACHE", str(home / "cache" / "clips"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("REPCUE_CONFIG", str(home / "config" / "repcue" / "config.toml"))
    monkeypatch.delenv("REPCUE_CONTENT", raising=False)
    monkeypatch.delenv("REPCUE_DEBUG", raising=False)


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's config file for this test (not written yet): ``REPCUE_CONFIG`` points at it."""
    path = tmp_path / "config.toml"
    monkeypatch.setenv("REPCUE_CONFIG", str(path))
    return path
