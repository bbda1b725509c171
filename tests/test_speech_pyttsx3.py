"""pyttsx3 through espeak-ng, for real: durations, rate, voices, levels."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from repcue.errors import SpeechError
from repcue.speech import (
    UnknownVoiceError,
    VoiceSettings,
    list_voices,
    pyttsx3_engine,
    synthesize,
)
from repcue.speech.polish import TARGET_DBFS, speech_level_dbfs

pytestmark = pytest.mark.speech

PHRASES = [
    "Tailbone down. Brace.",
    "Now press.",
    "Three.",
    "Rest for ninety seconds. Shake out your arms.",
]
ESPEAK = VoiceSettings(engine="pyttsx3")


def test_phrases_are_spoken_with_lengths_that_fit_their_words(tmp_path: Path) -> None:
    clips = synthesize(PHRASES, ESPEAK, cache_dir=tmp_path)
    durations = {text: clip.duration_ms for text, clip in clips.items()}
    assert 150 <= durations["Three."] <= 900
    assert 300 <= durations["Now press."] <= 1500
    assert durations["Three."] < durations["Now press."] < durations["Tailbone down. Brace."]
    assert durations["Tailbone down. Brace."] < durations[PHRASES[-1]] <= 5000
    for clip in clips.values():
        assert clip.samples.dtype == np.float32
        assert clip.rate == 22050  # espeak-ng's rate, read from the WAV header
        assert speech_level_dbfs(clip) == pytest.approx(TARGET_DBFS, abs=1.0)


def test_durations_agree_across_runs_within_a_few_milliseconds(tmp_path: Path) -> None:
    first = synthesize(PHRASES, ESPEAK, cache_dir=tmp_path / "a")
    second = synthesize(PHRASES, ESPEAK, cache_dir=tmp_path / "b")
    for text in PHRASES:
        assert abs(first[text].duration_ms - second[text].duration_ms) <= 30, text


FIRST_CLIP_SCRIPT = """
from repcue.speech.pyttsx3_engine import Pyttsx3Engine
engine = Pyttsx3Engine()
attempts = []
speak_once = engine._speak_once
engine._speak_once = lambda text: attempts.append(text) or speak_once(text)
text = "Rest for ninety seconds. Shake out your arms. " * 6  # longer than pyttsx3's 10 ms tick
first, second = (len(engine.speak(text, None, 1.0).samples) for _ in range(2))
print(len(attempts), first, second)
"""


def test_a_fresh_engines_first_clip_is_read_once_espeak_has_written_it() -> None:
    """pyttsx3's first runAndWait returns after one 10 ms tick, before espeak has finished.
    A worker often speaks one text only, and reading the file then raced espeak's writing
    of it: under load, now and then a clip cut short. A long text makes the race certain."""
    src = str(Path(__file__).resolve().parents[1] / "src")
    run = subprocess.run([sys.executable, "-c", FIRST_CLIP_SCRIPT], capture_output=True,
                         text=True, timeout=60, check=False, env={"PYTHONPATH": src})
    assert run.returncode == 0, run.stderr
    attempts, first, second = map(int, run.stdout.split()[-3:])
    assert attempts == 2  # one each: the first was not empty, so not asked again
    assert abs(first - second) <= 22050 * 30 // 1000


def test_a_faster_rate_gives_shorter_speech(tmp_path: Path) -> None:
    text = PHRASES[-1]
    normal = synthesize([text], ESPEAK, cache_dir=tmp_path)[text]
    fast = synthesize([text], VoiceSettings(engine="pyttsx3", rate=1.5), cache_dir=tmp_path)[text]
    assert fast.duration_ms < normal.duration_ms * 0.85


def test_a_voice_can_be_named_by_id_name_or_language(tmp_path: Path) -> None:
    clips = [
        synthesize(["Brace."], VoiceSettings(engine="pyttsx3", voice=v), cache_dir=tmp_path)
        for v in ("gmw/en-us", "English (America)", "en-us")
    ]
    lengths = [c["Brace."].duration_ms for c in clips]
    assert max(lengths) - min(lengths) <= 30


def test_an_unknown_voice_is_rejected_with_suggestions(tmp_path: Path) -> None:
    with pytest.raises(UnknownVoiceError, match=r"no voice 'en-uss'; did you mean .*en-us"):
        synthesize(["Brace."], VoiceSettings(engine="pyttsx3", voice="en-uss"),
                   cache_dir=tmp_path)
    assert not list(tmp_path.rglob("*.clip"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="espeak-ng voice ids")
def test_voices_lists_espeak_voices_with_languages() -> None:
    voices = {v.id: v for v in list_voices("pyttsx3")}
    assert len(voices) > 50
    assert voices["gmw/en-us"].language == "en-us"
    assert voices["gmw/en-us"].name == "English (America)"


FALLBACK_SCRIPT = """
import sys
import repcue.speech.pyttsx3_engine as engine
engine._system_espeak = lambda: None  # as on a machine without libespeak-ng1
clip = engine.Pyttsx3Engine().speak("Tailbone down. Brace.", None, 1.0)
mapped = {line.split()[-1] for line in open("/proc/self/maps") if "espeak-ng.so" in line}
print(len(clip.samples), clip.rate, *sorted(mapped))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the loader wheel is for Linux")
def test_without_system_espeak_the_loader_wheel_speaks() -> None:
    loader = pytest.importorskip("espeakng_loader")
    src = str(Path(__file__).resolve().parents[1] / "src")
    run = subprocess.run([sys.executable, "-c", FALLBACK_SCRIPT], capture_output=True,
                         text=True, timeout=60, check=False, env={"PYTHONPATH": src})
    assert run.returncode == 0, run.stderr
    samples, rate, *libraries = run.stdout.split()[-3:]
    assert int(samples) > 22050 and rate == "22050"
    assert libraries == [str(loader.get_library_path())]


def test_without_any_espeak_the_error_gives_both_install_lines(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pyttsx3_engine, "_system_espeak", lambda: None)
    monkeypatch.setattr(pyttsx3_engine, "_loader_paths", lambda: None)
    monkeypatch.setattr(sys, "platform", "linux")
    with pytest.raises(SpeechError) as caught:
        pyttsx3_engine.prepare_espeak()
    assert "sudo apt-get install libespeak-ng1" in str(caught.value)
    assert "pip install 'repcue[neural]'" in str(caught.value)


def test_a_broken_espeak_install_is_an_error_not_a_dead_cli(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """espeak-ng with no data exits its whole process; only the worker may die of it."""
    empty = tmp_path / "espeak-ng-data"
    empty.mkdir()
    monkeypatch.setenv("ESPEAK_DATA_PATH", str(empty))
    with pytest.raises(SpeechError) as caught:
        synthesize(["Brace."], ESPEAK, cache_dir=tmp_path / "clips")
    assert "pyttsx3 ended its process (exit code 1) while starting" in str(caught.value)
    assert "phontab" in str(caught.value)
