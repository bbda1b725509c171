"""Durations as lifters write them, in every place one is taken."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from audio_fixtures import ROOT, alsa_null_fixture  # noqa: F401
from cli_support import run_main
from repcue.durations import parse_ms

REPCUE = [sys.executable, "-m", "repcue"]


@pytest.mark.parametrize(("text", "ms"), [
    ("90", 90_000), ("90s", 90_000), ("90 sec", 90_000), ("1:30", 90_000), ("2m", 120_000),
    ("2 min", 120_000), ("1m30s", 90_000), ("07:18.5", 438_500), ("1:02:03", 3_723_000),
    ("0.5", 500), ("1h", 3_600_000),
])
def test_parse(text: str, ms: int) -> None:
    assert parse_ms(text) == ms


@pytest.mark.parametrize("text", ["", "abc", "1:75", "1::30", "2 parsecs", "m", "1:60:00"])
def test_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="not|empty"):
        parse_ms(text)


def _rests(args: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    code, out, err = run_main(["plan", *args, "--estimate", "--json"], capsys)
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return [e["text"] for e in data["events"]
            if e["kind"] == "speech" and e["role"] == "rest" and e["text"].startswith("Rest.")]


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPCUE_CONFIG", str(tmp_path / "no-config.toml"))


@pytest.mark.parametrize("written", ["90", "90s", "1:30", "1.5m"])
def test_flags_and_set_take_every_form(written: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert set(_rests(["activation", "--rest", written], capsys)) == {"Rest. One minute thirty."}
    assert set(_rests(["activation", "--set", f"pelvic-tilt-drill.rest={written}"], capsys)) == {
        "Rest. One minute thirty."}


def test_content_and_config_take_every_form(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "workouts").mkdir()
    (tmp_path / "workouts" / "quick.toml").write_text(
        'title = "Quick"\n[[exercise]]\nid = "pelvic-tilt-drill"\nrest = "2m"\nsets = 2\n')
    assert _rests(["quick", "--content", str(tmp_path)], capsys) == ["Rest. Two minutes."]
    config = tmp_path / "config.toml"
    config.write_text('[timing]\nlead = "0:07"\n')
    monkeypatch.setenv("REPCUE_CONFIG", str(config))
    code, out, _ = run_main(["plan", "activation", "--estimate"], capsys)
    assert code == 0
    assert "your config: lead 7 s" in out


def test_a_bad_duration_says_how_to_write_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(["plan", "activation", "--estimate", "--rest", "20m"], capsys)
    assert code == 2
    assert err.strip() == ("Error: --rest: 20m is out of range "
                           "(allowed: 0 s to 15 min, written 90, 90s, 1:30 or 2m; "
                           "or ready to wait until you press)")


@pytest.mark.audio
@pytest.mark.slow
def test_start_at_takes_tenths_of_a_second(alsa_null: dict[str, str]) -> None:
    env = dict(alsa_null, PYTHONPATH=str(ROOT / "src"))
    late = subprocess.run([*REPCUE, "play", "activation", "--engine", "pyttsx3",
                           "--start-at", "99:00.5"], env=env, capture_output=True, text=True,
                          timeout=180, stdin=subprocess.DEVNULL)
    assert late.returncode == 2
    assert "Error: --start-at: 99:00.5 is past the end of the session" in late.stderr
    near_end = subprocess.run([*REPCUE, "play", "activation", "--engine", "pyttsx3",
                               "--start-at", "05:18.5"], env=env, capture_output=True,
                              text=True, timeout=180, stdin=subprocess.DEVNULL)
    assert near_end.returncode == 0, near_end.stderr
    assert "from 05:18" in near_end.stderr.splitlines()[0]


def test_a_flag_is_named_as_typed(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(["plan", "activation", "--estimate", "--setup-time", "7x"], capsys)
    assert code == 2
    assert err.startswith("Error: --setup-time: 7x is not a duration (allowed: 0 s to 1 min")
