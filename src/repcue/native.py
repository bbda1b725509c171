"""System C libraries opened through ctypes (libebur128, libmpg123), when installed."""

from __future__ import annotations

import ctypes
import ctypes.util


def load_library(soname: str, name: str) -> ctypes.CDLL | None:
    """The library by its ``soname`` (the ABI the calls are declared for), else wherever
    the system finds ``name``; None when neither opens."""
    for candidate in (soname, ctypes.util.find_library(name)):
        if candidate is None:
            continue
        try:
            return ctypes.CDLL(candidate)
        except OSError:
            continue
    return None
