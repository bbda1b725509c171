"""The URL token: long, random, kept owner-only beside the config, rotated on request."""

from __future__ import annotations

import stat
from pathlib import Path

from repcue.serve.token import is_token, load_token, token_path


def test_a_token_is_made_once_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "repcue" / "serve-token"
    token, made = load_token(path)
    assert made and is_token(token) and len(token) >= 32
    assert load_token(path) == (token, False)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_rotating_makes_a_new_one(tmp_path: Path) -> None:
    path = tmp_path / "serve-token"
    first, _ = load_token(path)
    second, made = load_token(path, rotate=True)
    assert made and second != first and load_token(path) == (second, False)


def test_a_damaged_token_file_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "serve-token"
    path.write_text("short\n")
    token, made = load_token(path)
    assert made and is_token(token)
    path.write_bytes(b"\xff\xfe" * 20)
    assert load_token(path)[1]


def test_it_lives_beside_the_config() -> None:
    # conftest points REPCUE_CONFIG into a per-run folder.
    assert token_path().parent.name == "repcue" and token_path().name == "serve-token"
