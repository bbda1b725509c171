"""Real PortAudio: the ALSA null device (faster than real time) and the JACK dummy driver
(real time). Each run is a fresh process, since PortAudio reads its devices at import."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audio_fixtures import (  # noqa: F401  (the fixtures alsa_null and jack_server)
    RATE,
    alsa_null_fixture,
    jack_server_fixture,
    run_player,
    session_args,
    short_renderer,
)

pytestmark = pytest.mark.audio


def assert_heard_is_export(tap: np.ndarray, pcm: np.ndarray) -> None:
    assert len(tap) >= len(pcm)
    np.testing.assert_array_equal(tap[: len(pcm)], pcm)
    assert not tap[len(pcm):].any()


def test_alsa_null_plays_the_export_pcm_faster_than_real_time(
        alsa_null: dict[str, str], tmp_path: Path) -> None:
    renderer = short_renderer(**session_args())
    result, tap = run_player(alsa_null, tmp_path / "tap.npy", "--wait", "2")
    assert (result["host"], result["reason"], result["completed"]) == ("ALSA", "finished", True)
    assert result["underruns"] == 0
    assert_heard_is_export(tap, renderer.render_range(0, renderer.total_samples))
    assert float(result["wall_s"]) < renderer.timeline.duration_ms / 1000 / 4  # type: ignore[arg-type]


SHORT = session_args(exercises=1, sets=1, rest_ms=2500)


@pytest.mark.slow
def test_jack_dummy_plays_the_export_pcm_in_real_time(
        jack_server: dict[str, str], tmp_path: Path) -> None:
    renderer = short_renderer(**SHORT)
    result, tap = run_player(jack_server, tmp_path / "tap.npy", "--device", "system",
                             "--exercises", "1", "--sets", "1", "--rest-ms", "2500")
    assert result["host"] == "JACK Audio Connection Kit"
    assert (result["reason"], result["completed"]) == ("finished", True)
    # What the callback handed to JACK is the export, sample for sample: the feed never
    # starved (a starved block would show up here as zeros).
    assert_heard_is_export(tap, renderer.render_range(0, renderer.total_samples))
    seconds = renderer.timeline.duration_ms / 1000
    assert seconds * 0.95 < float(result["wall_s"]) < seconds + 3  # type: ignore[arg-type]


def test_jack_server_killed_mid_play_is_reported_not_a_crash(
        jack_server: dict[str, str], tmp_path: Path) -> None:
    renderer = short_renderer(**SHORT)
    result, tap = run_player(jack_server, tmp_path / "tap.npy", "--device", "system",
                             "--exercises", "1", "--sets", "1", "--rest-ms", "2500",
                             "--kill-jack-after", "2", "--reconnect", "2", timeout=30)
    assert (result["reason"], result["completed"]) == ("device lost", False)
    notes = result["notes"]
    assert isinstance(notes, list) and notes[0].startswith("audio device lost at 00:0")
    # It gave up after the reconnect window instead of hanging.
    assert float(result["wall_s"]) < 8  # type: ignore[arg-type]
    stopped = int(result["stopped_at_ms"])  # type: ignore[call-overload]
    assert 1000 < stopped < 2500
    # Everything handed over before the loss was the session itself.
    pcm = renderer.render_range(0, len(tap)) if len(tap) <= renderer.total_samples else None
    assert pcm is not None and len(tap) > RATE
    np.testing.assert_array_equal(tap, pcm)
