"""Opening the system's C libraries: by soname, else by name, else None (the numpy paths)."""

from __future__ import annotations

from repcue.native import load_library


def test_a_library_opens_by_soname_or_by_name() -> None:
    by_soname = load_library("libmpg123.so.0", "no-such-name")
    assert by_soname is not None and hasattr(by_soname, "mpg123_decode")
    by_name = load_library("libno-such-soname.so.9", "ebur128")
    assert by_name is not None and hasattr(by_name, "ebur128_init")


def test_a_missing_library_is_none() -> None:
    assert load_library("libno-such-thing.so.1", "no-such-thing") is None
