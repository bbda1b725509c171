"""Writing your own content: every error once, a BOM, optional fields, a broken file in a list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_support import run_main

BROKEN = """
name = "Curl"
targets = "biceps"
tempo = "3-1-1-0"
[cues]
form = ["...", "Elbows still."]
"""

USES_BROKEN = """
title = "Arms {n}"
[[exercise]]
id = "curl"
[[exercise]]
id = "curl"
reps = 0
"""


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPCUE_CONFIG", str(tmp_path / "no-config.toml"))


def _folder(tmp_path: Path, exercises: dict[str, str], workouts: dict[str, str]) -> Path:
    root = tmp_path / "mine"
    for kind, files in (("exercises", exercises), ("workouts", workouts)):
        (root / kind).mkdir(parents=True)
        for name, text in files.items():
            (root / kind / f"{name}.toml").write_text(text, encoding="utf-8")
    return root


def test_validate_lists_every_error_in_a_file_once(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = _folder(tmp_path, {"curl": BROKEN},
                   {"arms-a": USES_BROKEN.format(n="A"), "arms-b": USES_BROKEN.format(n="B")})
    code, _, err = run_main(["validate", str(root)], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    curl = [line for line in lines if "curl.toml" in line]
    assert len(curl) == 3, err
    assert any("tempo: unknown key 'tempo'" in line for line in curl)
    assert any("targets: \"biceps\" is not a list" in line for line in curl)
    assert any("cues.form[0]: \"...\" has nothing to say" in line for line in curl)
    # Each workout's own error is there too, and nothing is said twice.
    assert any("arms-a.toml: exercise[1].reps: 0 is out of range" in line for line in lines)
    assert any("arms-b.toml: exercise[1].reps: 0 is out of range" in line for line in lines)
    assert len(lines) == len(set(lines))
    assert lines[-1] == "5 errors in 3 of 3 files."


def test_a_file_with_a_byte_order_mark_is_read(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    root = _folder(tmp_path, {}, {})
    (root / "workouts" / "bom.toml").write_bytes(
        b"\xef\xbb\xbf" + b'title = "Bom"\n[[exercise]]\nid = "pelvic-tilt-drill"\n')
    code, out, err = run_main(["validate", str(root / "workouts" / "bom.toml")], capsys)
    assert code == 0, err
    assert out.strip() == "The file is valid."
    config = tmp_path / "config.toml"
    config.write_bytes(b"\xef\xbb\xbf[timing]\ncount = false\n")
    code, out, err = run_main(["plan", "bom", "--content", str(root), "--estimate"], capsys)
    assert code == 0, err


def test_a_custom_exercise_needs_only_a_name(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    root = _folder(tmp_path, {"curl": 'name = "Curl"\ntargets = ["biceps"]\n'},
                   {"arms": 'title = "Arms"\n[[exercise]]\nid = "curl"\nsets = 1\nreps = 3\n'})
    code, out, err = run_main(["validate", str(root)], capsys)
    assert code == 0, err
    code, out, err = run_main(["plan", "arms", "--content", str(root), "--estimate", "--json"],
                              capsys)
    assert code == 0, err
    texts = [e["text"] for e in json.loads(out)["events"] if e["kind"] == "speech"]
    assert "It works the biceps." in texts
    assert not any("as the base" in t for t in texts)
    assert texts.count("Get set. Brace.") == 3
    assert texts.count("Lower.") == 3  # the default go word for the default start phase
    code, out, _ = run_main(["show", "curl", "--content", str(root)], capsys)
    assert code == 0
    assert "stabiliser" not in out and "Get set. Brace. (default)" in out


def test_list_with_a_broken_file_still_lists_the_rest(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    root = _folder(tmp_path, {"curl": BROKEN}, {"arms": USES_BROKEN.format(n="A")})
    code, out, err = run_main(["list", "--content", str(root)], capsys)
    assert code == 0
    assert "back-strength" in out and "overhead-press" in out
    assert "arms                 (has errors: see below)" in out
    assert "curl                 (has errors: see below)" in out
    assert "curl.toml: tempo: unknown key 'tempo'" in err
    assert "repcue validate" in err


def test_a_cue_with_nothing_to_say_fails_validate(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = _folder(tmp_path, {"curl": 'name = "Curl"\n[cues]\ngo = { concentric = "!!" }\n'},
                   {})
    code, _, err = run_main(["validate", str(root)], capsys)
    assert code == 2
    assert 'curl.toml: cues.go.concentric: "!!" has nothing to say' in err
