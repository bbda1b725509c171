"""LRC and WebVTT files carry each cue at its time."""

from __future__ import annotations

import re

from repcue.export.chapters import Chapter, CueLine
from repcue.export.sidecars import lrc, vtt

CUES = [CueLine(1500, 2300, "Squat."), CueLine(2300, 3100, "Tailbone  down.\nBrace."),
        CueLine(3_725_006, 3_726_000, "Rest --> breathe.")]


def test_lrc_lines_and_clearing_stamps() -> None:
    text = lrc("Test", "repcue", "album", 3_726_000, CUES)
    lines = text.splitlines()
    assert lines[:5] == ["[ti:Test]", "[ar:repcue]", "[al:album]", "[length:62:06]", "[re:repcue]"]
    assert lines[5:] == ["[00:01.50]Squat.", "[00:02.30]Tailbone down. Brace.", "[00:03.10]",
                         "[62:05.01]Rest --> breathe.", "[62:06.00]"]


def test_vtt_cues_and_chapter_note() -> None:
    text = vtt("Test", CUES, [Chapter(1500, 3000, "Squat --> set 1", 1)])
    assert text.startswith("WEBVTT - Test\n\nNOTE chapters\n00:00:01.500 Squat -> set 1\n\n")
    cues = re.findall(r"(\d+)\n(\S+) --> (\S+)\n(.*)\n", text)
    assert cues == [("1", "00:00:01.500", "00:00:02.300", "Squat."),
                    ("2", "00:00:02.300", "00:00:03.100", "Tailbone down. Brace."),
                    ("3", "01:02:05.006", "01:02:06.000", "Rest -> breathe.")]
