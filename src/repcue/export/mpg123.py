"""MP3 decoding in-process by libmpg123, through ctypes.

An export's MP3 is decoded again to measure it (decoded.py). libmpg123 does that in this
process, at about a third of the CPU of an ffmpeg process fed through pipes (65-minute
session: 0.6-0.8 s against 1.6-2.7 s), and ctypes lets go of the GIL for each call, so the
render and the encoder keep running beside it. Its samples are ffmpeg's to within 1e-6
(both decoders follow the standard's float synthesis), in the same place: fed bare frames,
it returns LAME's delay and its own 529 samples first, as ffmpeg does.

The library is a system package (Debian: libmpg123-0, which libsndfile1 already pulls in
and scripts/setup installs); where it is missing, :func:`available` says so and the export
decodes with ffmpeg instead.
"""

from __future__ import annotations

import ctypes
import weakref
from collections.abc import Iterator
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from repcue.native import load_library

_OK = 0
_NEED_MORE = -10
_NEW_FORMAT = -11
_DONE = -12
_ADD_FLAGS = 2  # mpg123_param: MPG123_ADD_FLAGS
#: MPG123_QUIET: libmpg123 would print its complaints about damaged frames on stderr.
_QUIET = 0x20
_MONO = 1
_FLOAT_32 = 0x200
#: Samples returned per call: two seconds at 22.05 kHz, so a caller's temporaries stay small.
PIECE_SAMPLES = 44_100


@lru_cache(maxsize=1)
def _library() -> ctypes.CDLL | None:
    lib = load_library("libmpg123.so.0", "mpg123")
    if lib is None:
        return None
    handle = ctypes.c_void_p
    lib.mpg123_init.restype = ctypes.c_int
    lib.mpg123_init.argtypes = []
    lib.mpg123_new.restype = handle
    lib.mpg123_new.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
    lib.mpg123_delete.restype = None
    lib.mpg123_delete.argtypes = [handle]
    for call in ("mpg123_open_feed", "mpg123_format_none"):
        getattr(lib, call).restype = ctypes.c_int
        getattr(lib, call).argtypes = [handle]
    lib.mpg123_param.restype = ctypes.c_int
    lib.mpg123_param.argtypes = [handle, ctypes.c_int, ctypes.c_long, ctypes.c_double]
    lib.mpg123_format.restype = ctypes.c_int
    lib.mpg123_format.argtypes = [handle, ctypes.c_long, ctypes.c_int, ctypes.c_int]
    lib.mpg123_decode.restype = ctypes.c_int
    lib.mpg123_decode.argtypes = [handle, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p,
                                  ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)]
    if lib.mpg123_init() != _OK:  # a no-op since 1.27; older ones need it once
        return None
    return lib


def available() -> bool:
    """Whether libmpg123 can be loaded here."""
    return _library() is not None


class Mpg123Error(RuntimeError):
    """libmpg123 refused the stream (damaged frames) or could not start."""


class Mp3Decoder:
    """One MP3 stream, mono float32 at ``rate``: :meth:`decode` its bytes in order.

    A gapless decoder: fed a whole file, it drops the encoder delay and padding that the
    LAME info frame announces; fed bare frames, it returns every sample it decodes.
    """

    def __init__(self, rate: int) -> None:
        lib = _library()
        if lib is None:
            raise Mpg123Error("libmpg123 is not installed")
        error = ctypes.c_int(0)
        handle = lib.mpg123_new(None, ctypes.byref(error))
        if not handle:
            raise Mpg123Error(f"libmpg123 could not start (error {error.value})")
        self._lib, self._handle = lib, handle
        weakref.finalize(self, lib.mpg123_delete, handle)
        if (lib.mpg123_param(handle, _ADD_FLAGS, _QUIET, 0.0) != _OK
                or lib.mpg123_format_none(handle) != _OK
                or lib.mpg123_format(handle, rate, _MONO, _FLOAT_32) != _OK
                or lib.mpg123_open_feed(handle) != _OK):
            raise Mpg123Error(f"libmpg123 cannot decode to mono float at {rate} Hz")
        self._out = np.empty(PIECE_SAMPLES, dtype=np.float32)
        self._done = ctypes.c_size_t(0)

    def decode(self, data: bytes) -> Iterator[npt.NDArray[np.float32]]:
        """The samples ``data`` completes, in pieces of at most PIECE_SAMPLES (each a new
        array). Frames split across calls are held until the rest arrives."""
        out, done = self._out, self._done
        call = self._lib.mpg123_decode
        code = call(self._handle, data, len(data), out.ctypes.data, out.nbytes,
                    ctypes.byref(done))
        while True:
            count = done.value // 4
            if count:
                yield out[:count].copy()
            if code in (_NEED_MORE, _DONE):
                return
            if code not in (_OK, _NEW_FORMAT):
                raise Mpg123Error(f"libmpg123 could not decode the stream (error {code})")
            code = call(self._handle, None, 0, out.ctypes.data, out.nbytes, ctypes.byref(done))
