"""The secret in every served URL, kept beside the config so a podcast subscription
survives a restart of ``repcue serve``."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from pathlib import Path

from repcue.config import config_path
from repcue.errors import ExportError

#: 32 URL-safe characters: 192 random bits, never percent-encoded in a URL.
TOKEN_BYTES = 24
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,128}$")


def token_path() -> Path:
    return config_path().parent / "serve-token"


def is_token(text: str) -> bool:
    return bool(_TOKEN_RE.match(text))


def load_token(path: Path | None = None, *, rotate: bool = False) -> tuple[str, bool]:
    """``(token, made)``: the kept token, or a new one (``made``) when there is none, the
    kept one is damaged, or ``rotate`` asks for it."""
    path = path or token_path()
    if not rotate:
        with contextlib.suppress(FileNotFoundError, UnicodeDecodeError):
            kept = path.read_text(encoding="ascii").strip()
            if is_token(kept):
                return kept, False
    token = secrets.token_urlsafe(TOKEN_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}")
        # Owner-only: anyone who reads it can fetch the workouts while serve runs.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(token + "\n")
        os.replace(temp, path)
    except OSError as exc:
        raise ExportError(f"cannot keep the serve token in {path}: {exc.strerror}") from exc
    return token, True
