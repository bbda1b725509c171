"""The list page's words: counts agree with their nouns ("1 set", not "1 sets")."""

from __future__ import annotations

from pathlib import Path

import pytest

from export_support import workout
from repcue.export import ExportOptions
from repcue.serve.episodes import EpisodeShelf
from repcue.serve.pages import index
from repcue.tones import default_palette


@pytest.mark.parametrize(("sets", "shown"), [(1, "· 1 set ·"), (2, "· 2 sets ·")])
def test_the_list_counts_sets_in_good_english(tmp_path: Path, sets: int, shown: str) -> None:
    timeline, clips = workout(sets=sets, reps=2, rest_ms=3000, exercises=("Kettlebell squat",))
    episode, _ = EpisodeShelf(tmp_path).episode("squat", "squat", timeline, clips,
                                                default_palette(44100), ExportOptions())
    assert shown in index([episode], "http://127.0.0.1:1/T/", "/T/")
