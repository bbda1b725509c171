"""Shared fixtures: every test runs with its own empty user dirs, so a developer's config,
content and cache never change a result."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


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
