"""Output that fits the terminal: long text wraps under its own column."""

from __future__ import annotations

import pytest

from cli_support import run_main
from repcue.cli.columns import hanging


def test_hanging_wraps_under_the_text_not_the_label(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    text = hanging("  Why:  ", "Never press from a loose or neutral lower back. Pre-contract it.")
    lines = text.splitlines()
    assert len(lines) > 1 and all(len(line) <= 40 for line in lines)
    assert lines[0].startswith("  Why:  Never")
    assert all(line.startswith(" " * 8) and line[8] != " " for line in lines[1:])
    assert " ".join(line.strip() for line in lines).endswith("lower back. Pre-contract it.")


def test_hanging_leaves_short_text_and_empty_text_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert hanging("  a  ", "short") == "  a  short"
    assert hanging(" 00:01.0  == rest    ", "") == " 00:01.0  == rest"


@pytest.mark.parametrize("args", [["list"], ["show", "overhead-press"], ["show", "back-strength"],
                                  ["plan", "back-strength", "--estimate"]])
def test_what_a_lifter_reads_fits_80_columns(args: list[str], capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run_main(args, capsys)
    assert code == 0
    assert [line for line in out.splitlines() if len(line) > 80] == []


def test_plan_wraps_a_long_cue_under_the_text_column(capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    _, out, _ = run_main(["plan", "activation", "--estimate"], capsys)
    lines = out.splitlines()
    text_column = lines[1].index("text")
    first = next(i for i, line in enumerate(lines) if "This drill teaches you" in line)
    assert lines[first].index("This drill") == text_column
    assert lines[first + 1][:text_column].strip() == ""  # the rest of the cue, not a new row
    assert lines[first + 1][text_column] != " "
