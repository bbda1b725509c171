"""What each override does, through ``repcue``: preset modes, go cues, holds, config precedence."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from cli_support import run_main


def _plan_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code, out, err = run_main(["plan", *args, "--estimate", "--json"], capsys)
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def _speech(data: dict[str, Any], role: str) -> list[dict[str, Any]]:
    return [e for e in data["events"] if e["kind"] == "speech" and e["role"] == role]


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPCUE_CONFIG", str(tmp_path / "no-config.toml"))


def test_the_four_preset_modes_each_do_something_different(
        capsys: pytest.CaptureFixture[str]) -> None:
    presets = {}
    for mode in ("every-rep", "every-set", "first-rep", "off"):
        data = _plan_json(["back-strength", "--preset", mode], capsys)
        presets[mode] = [(e["exercise"], e["set"], e["side"], e["rep"])
                         for e in _speech(data, "preset")]
    reps = {(e, s, side, r) for e, s, side, r in presets["every-rep"]}
    assert len(presets["every-rep"]) == len(reps) > 100
    # every-set: the first rep of each set, and of each side of a one-sided set.
    assert presets["every-set"] and all(r == 1 for *_, r in presets["every-set"])
    starts = {(e, s, side) for e, s, side, _ in presets["every-rep"]}
    assert len(presets["every-set"]) == len(starts)
    # first-rep: once per exercise, before its very first rep.
    assert [(s, r) for _, s, _, r in presets["first-rep"]] == [(1, 1)] * 4
    assert presets["off"] == []
    assert len({tuple(v) for v in presets.values()}) == 4


def test_preset_help_says_what_each_mode_means(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["plan", "--help"], capsys)
    assert code == 0
    text = re.sub(r"-\s+", "-", " ".join(out.split()))
    for phrase in ("every-rep", "every-set", "first-rep", "off"):
        assert phrase in text
    assert "first rep of every set" in text
    assert "very first rep of each exercise" in text


@pytest.mark.parametrize(("args", "exercise", "word"), [
    (["back-strength", "--set", "overhead-press.hold=10"], "overhead-press", "Hold."),
    (["activation", "--set", "pelvic-tilt-drill.hold=0"], "pelvic-tilt-drill", "Lower."),
])
def test_an_override_never_leaves_an_exercise_without_a_go_cue(
        args: list[str], exercise: str, word: str, capsys: pytest.CaptureFixture[str]) -> None:
    data = _plan_json(args, capsys)
    reps = {(e["set"], e["side"], e["rep"]) for e in data["events"]
            if e["kind"] == "phase" and e["exercise"] == exercise}
    go = [e for e in _speech(data, "go") if e["exercise"] == exercise]
    assert len(go) == len(reps) and all(e["text"] == word for e in go)
    assert any(f'{exercise}: no go cue of its own' in w and word in w for w in data["warnings"])


def test_tempo_on_a_hold_is_a_plan_warning(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["plan", "activation", "--tempo", "3-1-1-0", "--estimate"], capsys)
    assert code == 0
    assert ("pelvic-tilt-drill: tempo 3-1-1-0 from --tempo ignored: it is a 5 s hold" in out)


def test_config_style_keys_win_over_the_workout_structure_keys_do_not(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[timing]\npreset = "off"\nverbosity = "brief"\nrest = 75\nreps = 4\n')
    monkeypatch.setenv("REPCUE_CONFIG", str(config))
    data = _plan_json(["activation"], capsys)
    # Style: the config beats the workout's own preset and verbosity.
    assert _speech(data, "preset") == []
    assert not _speech(data, "mistake")
    # Structure: the workout's rest 40 and reps 8 stand, and the plan says so.
    assert "Rest. Forty seconds." in [e["text"] for e in _speech(data, "rest")]
    assert max(e["rep"] for e in data["events"] if e["kind"] == "phase") == 8
    assert any("rest = 75 from your config outranked by the program's own rest" in w
               for w in data["warnings"])
    # The plan lists who set each value.
    code, out, _ = run_main(["plan", "activation", "--estimate"], capsys)
    assert code == 0
    assert "your config: preset off, verbosity brief" in out
    assert "workout activation.toml: rest 40 s" in out


def test_plan_shows_who_set_each_changed_value(capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one setting a line: the test reads them by line
    code, out, _ = run_main(["plan", "back-strength", "--estimate", "--rest", "60",
                             "--set", "overhead-press.reps=6"], capsys)
    assert code == 0
    lines = out[out.index("Settings that differ"):].splitlines()
    press = lines[[i for i, line in enumerate(lines) if "overhead-press" in line][0]:]
    assert any("exercise overhead-press.toml:" in line and "start concentric" in line
               for line in press)
    assert any("command line: rest 60 s" in line for line in press)
    assert any("--set: reps 6" in line for line in press)


def test_show_honours_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # the test reads whole lines
    config = tmp_path / "config.toml"
    config.write_text('[timing]\npreset = "first-rep"\nverbosity = "minimal"\n')
    monkeypatch.setenv("REPCUE_CONFIG", str(config))
    for name in ("activation", "overhead-press"):
        code, out, _ = run_main(["show", name], capsys)
        assert code == 0
        assert "pre-set first-rep; verbosity minimal" in out
