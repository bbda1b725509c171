"""Pipes from a decoder process that can run ahead of the reader."""

from __future__ import annotations

import contextlib

try:
    import fcntl
except ImportError:  # Windows: no such pipes to widen
    fcntl = None  # type: ignore[assignment]

#: A pipe this big holds several seconds of decoded audio: ffmpeg decodes on the other core
#: while this side works, instead of waiting for every read (64 KiB is the Linux default).
WIDE_PIPE_BYTES = 1 << 20


def widen(fd: int, size: int = WIDE_PIPE_BYTES) -> None:
    """Let the pipe at ``fd`` hold ``size`` bytes, where the system allows it."""
    if fcntl is not None and hasattr(fcntl, "F_SETPIPE_SZ"):
        with contextlib.suppress(OSError):  # above the system's limit: keep the default
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, size)
