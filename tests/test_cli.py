"""The CLI in-process with CliRunner, and once as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from repcue.cli import cli, main
from repcue.timeline import SCHEMA

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def _wider_than_80(text: str) -> list[str]:
    return [line for line in text.splitlines() if len(line) > 80]


def test_every_command_shows_an_example_in_its_help_within_80_columns(
        runner: CliRunner) -> None:
    # click wraps its own text to the terminal, but not the examples (\b blocks).
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "--help"], terminal_width=80)
        assert result.exit_code == 0, name
        assert "Example" in result.output, f"repcue {name} --help has no example"
        assert not _wider_than_80(result.output), name
        for child in getattr(command, "commands", {}):
            result = runner.invoke(cli, [name, child, "--help"], terminal_width=80)
            assert "Example" in result.output, f"repcue {name} {child} --help has no example"
            assert not _wider_than_80(result.output), f"{name} {child}"


def test_list_shows_workouts_and_exercises(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["list"])
    assert result.exit_code == 0
    assert "back-strength" in result.output and "Back strength" in result.output
    assert "overhead-press" in result.output and "shoulders" in result.output


def test_show_exercise_lists_cues_mistakes_and_defaults(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["show", "overhead-press"])
    assert result.exit_code == 0
    assert "Now press." in result.output
    assert "Tailbone down. Brace." in result.output
    assert "Don't press with a loose lower back" in result.output
    assert "tempo 3-0-1-1 from concentric" in result.output


def test_plan_json_is_the_timeline_contract(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["plan", "activation", "--estimate", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["schema"] == SCHEMA
    assert data == json.loads((GOLDEN / "activation.json").read_text())
    assert set(data["events"][0]) == {"start_ms", "end_ms", "kind", "role", "text", "exercise",
                                      "set", "side", "rep"}


def test_plan_table_has_totals_and_warnings(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["plan", "back-strength", "--estimate"])
    assert result.exit_code == 0, result.output
    assert "say preset" in result.output and "Tailbone down. Brace." in result.output
    assert "11 sets" in result.output
    assert "spoken cues" in result.output
    assert "Speech timings: estimated." in result.output


def test_overrides_change_the_plan(runner: CliRunner) -> None:
    base = json.loads(runner.invoke(cli, ["plan", "back-strength", "--estimate", "--json"]).output)
    result = runner.invoke(cli, ["plan", "back-strength", "--estimate", "--json", "--preset",
                                 "off", "--set", "overhead-press.reps=6", "--rest", "60"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert not [e for e in data["events"] if e["role"] == "preset"]
    press_reps = {e["rep"] for e in data["events"]
                  if e["kind"] == "phase" and e["exercise"] == "overhead-press"}
    assert press_reps == set(range(1, 7))
    assert data["duration_ms"] < base["duration_ms"]


def test_setup_time_lengthens_the_set_up_and_lead_still_works(runner: CliRunner) -> None:
    def plan(*extra: str) -> dict[str, Any]:
        result = runner.invoke(cli, ["plan", "activation", "--estimate", "--json", *extra])
        assert result.exit_code == 0, result.output
        data: dict[str, Any] = json.loads(result.output)
        return data

    longer = plan("--setup-time", "9")
    assert longer["duration_ms"] > plan()["duration_ms"]
    assert plan("--lead", "9") == longer  # the old spelling


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--reps", "0"], "--reps: 0 is out of range"),
        (["--preset", "sometimes"], "allowed: every-rep, every-set, first-rep, off"),
        (["--tempo", "fast"], "--tempo: fast is not four numbers of seconds E-B-C-T"),
        (["--set", "overhead-pres.reps=6"], "--set: overhead-pres: 'overhead-pres' is not in"),
        (["--set", "overhead-press.repz=6"], "did you mean 'reps'"),
        (["--set", "nonsense"], "is not EXERCISE.KEY=VALUE"),
    ],
)
def test_bad_overrides_are_one_line_errors_with_exit_2(
        args: list[str], fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(["plan", "back-strength", "--estimate", *args], capsys)
    assert code == 2
    assert err.startswith("Error: ")
    assert fragment in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_workout_exits_2_with_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(["plan", "back-strenth", "--estimate"], capsys)
    assert code == 2
    assert "did you mean back-strength" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(["plan"], capsys)
    assert code == 2
    assert "Missing argument" in err


def test_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    from repcue.errors import NotFoundError

    with pytest.raises(NotFoundError):
        main(["--debug", "plan", "no-such-workout", "--estimate"])


def test_validate_accepts_the_library_and_rejects_bad_files(
        runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(cli, ["validate"]).exit_code == 0
    (tmp_path / "workouts").mkdir()
    bad = tmp_path / "workouts" / "broken.toml"
    bad.write_text('title = "Broken"\n[[exercise]]\nid = "dumbell-row"\n')
    result = runner.invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "exercise[0].id: no exercise named 'dumbell-row'; did you mean 'dumbbell-row'?" \
        in result.output


def test_config_file_sits_below_the_workout(tmp_path: Path, runner: CliRunner,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[timing]\ncount = false\nrest = 45\n')
    monkeypatch.setenv("REPCUE_CONFIG", str(config))
    data = json.loads(runner.invoke(cli, ["plan", "activation", "--estimate", "--json"]).output)
    assert not [e for e in data["events"] if e["role"] == "count"]
    rest = [e for e in data["events"] if e["kind"] == "marker" and e["role"] == "rest"]
    # The activation workout sets its own rest (40 s), which wins over the config's 45 s.
    assert rest and all(e["text"] == "Rest" for e in rest)
    say_rest = [e["text"] for e in data["events"] if e["role"] == "rest" and e["kind"] == "speech"]
    assert "Rest. Forty seconds." in say_rest


def test_python_dash_m_runs_as_a_user_would() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "repcue", "plan", "activation", "--estimate", "--json"],
        capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["workout"]["id"] == "activation"
    bad = subprocess.run([sys.executable, "-m", "repcue", "plan", "activation", "--reps", "x",
                          "--estimate"], capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 2
    assert bad.stderr.startswith("Error: --reps: x is not a whole number")


def _beep(path: Path, hz: float = 1500.0) -> Path:
    import wave

    import numpy as np

    t = np.arange(4410) / 44100
    pcm = (np.sin(2 * np.pi * hz * t) * 0.5 * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(44100)
        out.writeframes(pcm.tobytes())
    return path


def test_users_own_sounds_come_from_config_and_flags(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    from repcue.cli.options import palette_for
    from repcue.tones import default_palette

    config = tmp_path / "config.toml"
    config.write_text(f'[sounds]\nfinish = "{_beep(tmp_path / "bell.wav", 600.0)}"\n')
    monkeypatch.setenv("REPCUE_CONFIG", str(config))
    palette = palette_for((f"countdown={_beep(tmp_path / 'beep.wav')}",), 44100)
    builtin = default_palette(44100)
    for role in ("finish", "countdown"):
        assert not np.array_equal(palette.tone(role).samples, builtin.tone(role).samples)
    assert np.array_equal(palette.tone("start").samples, builtin.tone("start").samples)


@pytest.mark.parametrize(("sound", "fragment"), [
    ("countdown", "--sound: 'countdown' is not ROLE=FILE"),
    ("beep=x.wav", "--sound: beep=x.wav: unknown tone role beep"),
    ("countdown=/no/such/file.wav", "/no/such/file.wav"),
])
def test_bad_sounds_are_one_line_errors(sound: str, fragment: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(["export", "activation", "--sound", sound, "-o", "/tmp/unused.mp3",
                             "--engine", "pyttsx3"], capsys)
    assert code == 2, err
    assert fragment in err
    assert len(err.strip().splitlines()) == 1
