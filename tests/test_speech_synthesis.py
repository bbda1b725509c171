"""synthesize() with the real default engine: cache hits, misses and damaged entries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from repcue.errors import SpeechError
from repcue.speech import (
    VoiceSettings,
    cache_clear,
    cache_info,
    default_cache_dir,
    synthesis,
    synthesize,
)

pytestmark = pytest.mark.speech

ESPEAK = VoiceSettings(engine="pyttsx3")
TEXTS = ["Tailbone down. Brace.", "Now row.", "Switch sides."]


def test_second_run_is_served_from_the_cache(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    first = synthesize(TEXTS, ESPEAK, cache_dir=tmp_path)
    assert cache_info(tmp_path)[0] == 3

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a fully cached run must not start speech workers")

    monkeypatch.setattr(synthesis, "WorkerPool", no_pool)
    second = synthesize(TEXTS, ESPEAK, cache_dir=tmp_path)
    for text in TEXTS:
        np.testing.assert_array_equal(first[text].samples, second[text].samples)


def test_a_new_text_or_setting_is_a_miss(tmp_path: Path) -> None:
    synthesize(TEXTS, ESPEAK, cache_dir=tmp_path)
    synthesize([*TEXTS, "Breathe."], ESPEAK, cache_dir=tmp_path)
    assert cache_info(tmp_path)[0] == 4
    synthesize(TEXTS, VoiceSettings(engine="pyttsx3", rate=1.2), cache_dir=tmp_path)
    assert cache_info(tmp_path)[0] == 7


def test_a_corrupted_entry_is_synthesised_again(tmp_path: Path) -> None:
    good = synthesize(TEXTS, ESPEAK, cache_dir=tmp_path)
    victim = max(tmp_path.rglob("*.clip"), key=lambda p: p.stat().st_size)
    size = victim.stat().st_size
    victim.write_bytes(victim.read_bytes()[: size // 3])
    again = synthesize(TEXTS, ESPEAK, cache_dir=tmp_path)
    assert victim.stat().st_size == size
    for text in TEXTS:
        assert abs(again[text].duration_ms - good[text].duration_ms) <= 30


def test_cache_clear_empties_it(tmp_path: Path) -> None:
    synthesize(TEXTS, ESPEAK, cache_dir=tmp_path)
    assert cache_clear(tmp_path) == 3
    assert cache_info(tmp_path)[:2] == (0, 0)


def test_an_empty_text_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SpeechError, match="empty"):
        synthesize(["Brace.", "  "], ESPEAK, cache_dir=tmp_path)


def test_default_cache_dir_follows_repcue_cache(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPCUE_CACHE", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("REPCUE_CACHE")
    assert default_cache_dir().parts[-2:] == ("repcue", "clips")
