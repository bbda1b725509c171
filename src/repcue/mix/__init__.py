"""Mixing: the gain search, loudness metering and the one Mix that play and export take.

``master()`` (master.py) is the entry point; see its module docstring for the signal path
and where a music bed is summed.
"""

from repcue.mix.master import DEFAULT_TARGET_LUFS, PCM_HEADROOM_DB, Mix, master

__all__ = ["DEFAULT_TARGET_LUFS", "PCM_HEADROOM_DB", "Mix", "master"]
