"""The session options: one typed record, the same options on every command that builds a
session, and the user's config read once per command."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click
import pytest

from repcue import config as config_module
from repcue.cli import cli, main
from repcue.cli.options import SessionOptions
from repcue.config import Config

SESSION_COMMANDS = ("plan", "export", "play", "serve")


def _params(command: str) -> dict[str, click.Parameter]:
    return {p.name: p for p in cli.commands[command].params if p.name}


@pytest.mark.parametrize("command", SESSION_COMMANDS)
def test_every_session_command_offers_every_session_option(command: str) -> None:
    fields = {f.name for f in dataclasses.fields(SessionOptions) if f.name != "config"}
    assert fields <= set(_params(command))


def test_play_and_export_share_the_lead_in_options() -> None:
    for name in ("lead_in_seconds", "lead_in_noise"):
        play, export = _params("play")[name], _params("export")[name]
        assert (play.opts, play.default, getattr(play, "help", None)) == (
            export.opts, export.default, getattr(export, "help", None))


def test_only_the_flags_given_become_overrides() -> None:
    asked = SessionOptions(reps="3", count=False, set_values=("row.sets=2",), config=Config())
    request = asked.request("activation", estimate=True)
    assert dict(request.overrides) == {"reps": "3", "count": False}
    assert request.per_exercise == {"row": {"sets": "2"}}
    assert request.config is asked.config and request.estimate


def _count_config_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every load_config() (whoever imported it) asks config_path() where the file is."""
    reads: list[Path] = []
    where = config_module.config_path

    def counted() -> Path:
        reads.append(where())
        return reads[-1]

    monkeypatch.setattr(config_module, "config_path", counted)
    return reads


def test_plan_reads_the_config_once_and_uses_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[timing]\npreset = "off"\n')
    monkeypatch.setenv("REPCUE_CONFIG", str(config))
    reads = _count_config_reads(monkeypatch)
    with pytest.raises(SystemExit) as done:
        main(["plan", "activation", "--estimate", "--json"])
    assert done.value.code == 0
    timeline = json.loads(capsys.readouterr().out)
    assert timeline["events"] and not [e for e in timeline["events"] if e["role"] == "preset"]
    assert len(reads) == 1


@pytest.mark.speech
def test_export_reads_the_config_once_for_sounds_and_session(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[voice]\nengine = "pyttsx3"\n')
    monkeypatch.setenv("REPCUE_CONFIG", str(config))
    reads = _count_config_reads(monkeypatch)
    with pytest.raises(SystemExit) as done:
        main(["export", "activation", "-o", str(tmp_path / "a.wav"), "--no-sidecars"])
    assert done.value.code == 0, capsys.readouterr().err
    assert len(reads) == 1
