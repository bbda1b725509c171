"""The session picture: bands, set blocks, rest gaps, cue ticks, legend; and ``plan --picture``."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from export_support import workout
from repcue.cli import cli
from repcue.picture import picture_svg, set_blocks
from repcue.prepare import Request, prepare
from repcue.timeline import Timeline

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _rects(root: ET.Element, cls: str) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.get("class") == cls]


def _x_of(root: ET.Element, ms: int, duration_ms: int) -> float:
    left, width = float(root.get("data-plot-left", "")), float(root.get("data-plot-width", ""))
    return left + width * ms / duration_ms


@pytest.fixture(scope="module")
def back_strength() -> Timeline:
    return prepare(Request("back-strength", estimate=True)).timeline


def test_one_band_per_exercise_and_one_block_per_set(back_strength: Timeline) -> None:
    root = _parse(picture_svg(back_strength))
    exercises = {m.exercise for m in back_strength.markers("exercise")}
    assert len(_rects(root, "band")) == len(exercises) == 4
    assert len(_rects(root, "set")) == len(back_strength.markers("set"))
    assert len([line for line in root.iter(f"{SVG}line") if line.get("class") == "cue"]) == len(
        back_strength.speech())


def test_rests_are_gaps_between_the_blocks(back_strength: Timeline) -> None:
    root = _parse(picture_svg(back_strength))
    spans = [(float(r.get("x", "")), float(r.get("x", "")) + float(r.get("width", "")))
             for r in _rects(root, "set")]
    rests = back_strength.markers("rest")
    assert rests
    for rest in rests:
        # A moment into the rest lies in no set block.
        x = _x_of(root, rest.start_ms + 2000, back_strength.duration_ms)
        assert not any(left <= x <= right for left, right in spans), rest


def test_blocks_follow_time_on_their_band() -> None:
    timeline, _ = workout(sets=2, exercises=("Kettlebell squat", "Dumbbell row"))
    blocks = set_blocks(timeline)
    # Rows are one set per side: 2 squat sets, 4 row sets labelled with the side.
    assert [b.band for b in blocks] == [0, 0, 1, 1, 1, 1]
    assert [b.label for b in blocks] == ["1", "2", "1L", "1R", "2L", "2R"]
    assert all(b.start_ms < b.end_ms for b in blocks)
    assert all(a.end_ms <= b.start_ms for a, b in zip(blocks, blocks[1:], strict=False))


def test_legend_axis_and_a_hidden_playhead(back_strength: Timeline) -> None:
    svg = picture_svg(back_strength)
    root = _parse(svg)
    words = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    for label in ("set", "gap = rest", "pre-set & go cue", "form cue", "count cue", "talk cue",
                  "0:00", "30:00", "Back strength"):
        assert label in words
    playhead = [line for line in root.iter(f"{SVG}line") if line.get("class") == "playhead"]
    assert len(playhead) == 1 and playhead[0].get("visibility") == "hidden"
    assert root.get("data-duration-ms") == str(back_strength.duration_ms)


def test_titles_are_escaped() -> None:
    timeline, _ = workout(exercises=("Squat <heavy> & slow",))
    svg = picture_svg(Timeline(timeline.workout_id, 'Legs & "back"', timeline.duration_ms,
                               timeline.events))
    root = _parse(svg)
    assert 'Legs & "back"' in (root.findtext(f"{SVG}title") or "")


def test_plan_writes_the_picture(tmp_path: Path) -> None:
    out = tmp_path / "pictures" / "activation.svg"
    result = CliRunner().invoke(cli, ["plan", "activation", "--estimate", "--picture", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Duration" in result.output
    root = _parse(out.read_text(encoding="utf-8"))
    assert len(_rects(root, "set")) == 3
    help_text = CliRunner().invoke(cli, ["plan", "--help"]).output
    assert "--picture back-strength.svg" in help_text
