"""Running ``repcue.cli.main`` in-process as the console script does, exit status included."""

from __future__ import annotations

import pytest

from repcue.cli import main


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of ``repcue ARGS``; a return without SystemExit is 0."""
    code: int = 0
    try:
        main(args)
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    out, err = capsys.readouterr()
    return code, out, err
