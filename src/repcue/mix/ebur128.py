"""Integrated loudness by libebur128, the reference EBU R 128 library, through ctypes.

Its K-weighting is the IIR filter itself, run in C: about a third of the CPU of the numpy
FFT route in :mod:`repcue.mix.loudness`, with the same figures (within 1e-8 LU). ctypes lets
go of the GIL for the call, so the render thread keeps running beside the meter; the
pyebur128 wrapper holds it for the whole call and would stall the render instead.

The library is a system package (Debian: libebur128-1, which scripts/setup installs); where
it is missing, :func:`native_loudness` says so and the meter does the work in numpy.
"""

from __future__ import annotations

import ctypes
import math
import weakref
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from repcue.native import load_library

#: EBUR128_MODE_I: gated integrated loudness, every 400 ms block kept (not the histogram,
#: which rounds the blocks to 0.1 LU).
_MODE_I = (1 << 2) | (1 << 0)
_SUCCESS = 0
#: Silent 100 ms steps fed before more are skipped: the 400 ms a block spans, and 100 ms
#: for the filter to ring out (below 1e-9 within ~75 ms).
_RUNG_OUT_STEPS = 5


@lru_cache(maxsize=1)
def _library() -> ctypes.CDLL | None:
    lib = load_library("libebur128.so.1", "ebur128")
    if lib is None:
        return None
    lib.ebur128_init.restype = ctypes.c_void_p
    lib.ebur128_init.argtypes = [ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
    lib.ebur128_destroy.restype = None
    lib.ebur128_destroy.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
    for add, sample in (("ebur128_add_frames_float", ctypes.c_float),
                        ("ebur128_add_frames_double", ctypes.c_double)):
        getattr(lib, add).restype = ctypes.c_int
        getattr(lib, add).argtypes = [ctypes.c_void_p, ctypes.POINTER(sample),
                                      ctypes.c_size_t]
    lib.ebur128_loudness_global.restype = ctypes.c_int
    lib.ebur128_loudness_global.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_double)]
    lib.ebur128_loudness_global_multiple.restype = ctypes.c_int
    lib.ebur128_loudness_global_multiple.argtypes = [
        ctypes.POINTER(ctypes.c_void_p), ctypes.c_size_t, ctypes.POINTER(ctypes.c_double)]
    return lib


def _destroy(lib: ctypes.CDLL, state: int) -> None:
    lib.ebur128_destroy(ctypes.byref(ctypes.c_void_p(state)))


class NativeLoudness:
    """One mono signal's integrated loudness: :meth:`add` blocks, read :attr:`lufs`.

    Long silences (a session's rests) are not filtered: once half a second of exact zeros
    has gone in, the filter has rung out and every 400 ms block holds silence, which the
    gate drops, so further silent 100 ms steps are skipped whole, keeping the blocks where
    they fall. The figure is the one feeding them would give (to rounding in the 1e-9 LU).
    """

    def __init__(self, lib: ctypes.CDLL, state: int, rate: int) -> None:
        self._lib, self._state = lib, state
        weakref.finalize(self, _destroy, lib, state)
        self._step = (rate + 5) // 10  # libebur128's 100 ms, to which its blocks keep time
        self._position = 0  # samples taken (fed or skipped)
        self._quiet_steps = 0  # whole silent steps just before the step in progress
        self._open_quiet = True  # whether the step in progress is silent so far

    def add(self, block: npt.NDArray[np.floating]) -> None:
        """Take the next samples (float32 as they are, anything else as float64)."""
        step, n = self._step, len(block)
        head = min(-self._position % step, n)  # the rest of the step in progress
        self._position += n
        if head:
            self._open_quiet = self._open_quiet and not block[:head].any()
            if head < n or self._position % step == 0:
                self._end_step(self._open_quiet)
        whole = (n - head) // step
        tail = head + whole * step
        feed_from = 0
        if whole:
            sounding = np.any(block[head:tail].reshape(whole, step), axis=1)
            for i, heard in enumerate(sounding.tolist()):
                quiet = not heard
                lo = head + i * step
                if quiet and self._quiet_steps >= _RUNG_OUT_STEPS:
                    self._feed(block[feed_from:lo])
                    feed_from = lo + step  # skipped
                self._end_step(quiet)
        if tail < n:
            self._open_quiet = not block[tail:].any()
        self._feed(block[feed_from:])

    def _end_step(self, quiet: bool) -> None:
        self._quiet_steps = self._quiet_steps + 1 if quiet else 0
        self._open_quiet = True

    def _feed(self, block: npt.NDArray[np.floating]) -> None:
        if len(block) == 0:
            return
        if block.dtype == np.float32:
            samples = np.ascontiguousarray(block)
            floats = samples.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
            result = self._lib.ebur128_add_frames_float(self._state, floats, len(samples))
        else:
            wide = np.ascontiguousarray(block, dtype=np.float64)
            doubles = wide.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
            result = self._lib.ebur128_add_frames_double(self._state, doubles, len(wide))
        if result != _SUCCESS:
            raise MemoryError("libebur128 could not take more samples")

    @property
    def lufs(self) -> float:
        """Gated integrated loudness; ``-inf`` for silence or under 400 ms of audio."""
        out = ctypes.c_double()
        if self._lib.ebur128_loudness_global(self._state, ctypes.byref(out)) != _SUCCESS:
            return -math.inf
        return out.value

    def lufs_with(self, *others: NativeLoudness) -> float:
        """The gated loudness of this signal's blocks and ``others``' together."""
        states = (ctypes.c_void_p * (1 + len(others)))(self._state, *(o._state for o in others))
        out = ctypes.c_double()
        if self._lib.ebur128_loudness_global_multiple(states, len(states),
                                                      ctypes.byref(out)) != _SUCCESS:
            return -math.inf
        return out.value


def native_loudness(rate: int) -> NativeLoudness | None:
    """A libebur128 meter for mono at ``rate``; None without the library (or for a rate it
    does not take).

    Meters may be made on several threads at once: ``ebur128_init`` writes a few
    library-wide constants, but always the same values, and each meter's state is its own.
    """
    lib = _library()
    if lib is None:
        return None
    state = lib.ebur128_init(1, rate, _MODE_I)
    if not state:
        return None
    return NativeLoudness(lib, state, rate)
