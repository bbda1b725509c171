"""Every way ``repcue`` ends, through the real entry point: the status and the one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from repcue.cli import main
from repcue.errors import ExitStatus, NotFoundError
from repcue.speech import neural_available


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def test_success_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["validate"], capsys)
    assert code == ExitStatus.OK
    assert "files are valid" in out


def test_validate_with_errors_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "workouts").mkdir()
    bad = tmp_path / "workouts" / "broken.toml"
    bad.write_text("title = \n")
    code, _, err = run_main(["validate", str(bad)], capsys)
    assert code == ExitStatus.BAD_INPUT
    assert "broken.toml: invalid TOML" in err


@pytest.mark.parametrize(("args", "fragment"), [
    (["play", "activation", "--latency", "soon"], "--latency: 'soon' is not a latency"),
    (["export", "activation", "--sound", "beep.wav"], "--sound: 'beep.wav' is not"),
    (["plan", "activation", "--estimate", "--tempo", "fast"], "tempo"),
    (["plan", "no-such-workout", "--estimate"], "no workout named 'no-such-workout'"),
    (["plan"], "Missing argument"),
])
def test_bad_input_exits_2_with_one_line(args: list[str], fragment: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(args, capsys)
    assert code == ExitStatus.BAD_INPUT, err
    assert fragment in err
    assert "Traceback" not in err


def test_a_file_in_the_way_exits_2_and_names_force(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "a.mp3"
    target.write_bytes(b"keep")
    code, _, err = run_main(["export", "activation", "-o", str(target)], capsys)
    assert code == ExitStatus.BAD_INPUT
    assert f"Error: {target} already exists; pass --force to replace it" in err
    assert target.read_bytes() == b"keep"


@pytest.mark.speech
@pytest.mark.skipif(not neural_available(), reason="needs pip install 'repcue[neural]'")
def test_a_missing_voice_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nobody.onnx"
    code, _, err = run_main(["say", "Brace.", "--engine", "piper", "--voice", str(missing),
                             "-o", str(tmp_path / "x.wav")], capsys)
    assert code == ExitStatus.BAD_INPUT
    assert err.startswith(f"Error: voice file {missing} does not exist")


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_before_or_after_the_subcommand_shows_the_traceback(where: str) -> None:
    args = ["plan", "no-such-workout", "--estimate"]
    args = ["--debug", *args] if where == "before" else [*args, "--debug"]
    with pytest.raises(NotFoundError):
        main(args)


def test_debug_after_a_nested_subcommand_is_accepted(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["cache", "info", "--cache-dir", str(tmp_path), "--debug"], capsys)
    assert code == ExitStatus.OK
    assert "Clips:" in out


@pytest.mark.speech
def test_as_a_user_runs_it_a_runtime_failure_exits_1() -> None:
    # A folder nobody can create files in (not even root) is the machine's fault, not the input.
    done = subprocess.run(
        [sys.executable, "-m", "repcue", "say", "Brace.", "-o", "/proc/repcue-test.wav",
         "--engine", "pyttsx3"],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == ExitStatus.FAILURE, done.stderr
    assert done.stderr.startswith("Error: ")
    assert "Traceback" not in done.stderr


TAKES = "--content takes the folder that holds exercises/ and workouts/"


@pytest.mark.parametrize(("layout", "given", "message", "hint"), [
    (None, "nowhere", "nowhere does not exist", TAKES),
    ("file", "afile", "afile is a file, not a folder", TAKES),
    ("empty", "mydir", "mydir has no exercises/ or workouts/ folder",
     "a content folder holds exercises/*.toml and workouts/*.toml"),
    ("workouts", "mydir/workouts", "mydir/workouts has no exercises/ or workouts/ folder",
     "point --content at {root}/mydir, the folder that holds exercises/ and workouts/"),
])
def test_a_content_folder_that_is_not_one_exits_2_naming_it(
        layout: str | None, given: str, message: str, hint: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    if layout == "file":
        (tmp_path / "afile").write_text("")
    elif layout == "empty":
        (tmp_path / "mydir").mkdir()
    elif layout == "workouts":
        (tmp_path / "mydir" / "workouts").mkdir(parents=True)
        (tmp_path / "mydir" / "workouts" / "legs.toml").write_text('title = "Legs"\n')
    for command in (["plan", "activation", "--estimate"], ["list"], ["validate"]):
        code, _, err = run_main([*command, "--content", given], capsys)
        assert code == ExitStatus.BAD_INPUT, command
        assert err == (f"Error: --content: {message} "
                       f"(hint: {hint.format(root=tmp_path.resolve())})\n"), command


def test_a_repcue_content_folder_that_is_not_one_exits_2_naming_the_variable(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPCUE_CONTENT", str(tmp_path / "nowhere"))
    for command in (["plan", "activation", "--estimate"], ["list"]):
        code, _, err = run_main(command, capsys)
        assert code == ExitStatus.BAD_INPUT, command
        assert err == (f"Error: REPCUE_CONTENT: {tmp_path / 'nowhere'} does not exist (hint: "
                       "REPCUE_CONTENT takes the folder that holds exercises/ and workouts/)\n")


def test_ctrl_c_before_play_got_going_still_says_how_to_resume() -> None:
    from repcue.cli import interrupted

    said = interrupted(["play", "back-strength", "--rest", "ready", "--music", "my tracks"])
    assert said == ("Stopped before the first sound.\nTo resume:\n"
                    "  repcue play back-strength --rest ready --music 'my tracks'")
    assert interrupted(["export", "activation"]) == "Interrupted."
