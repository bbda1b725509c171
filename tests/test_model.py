from __future__ import annotations

import pytest

from repcue.model import EXPLOSIVE_MS, Phase, Tempo


def test_tempo_parses_seconds_into_milliseconds() -> None:
    tempo = Tempo.parse("3-1-1.5-0")
    assert (tempo.eccentric_ms, tempo.bottom_ms, tempo.concentric_ms, tempo.top_ms) == (
        3000, 1000, 1500, 0)
    assert tempo.rep_ms == 5500
    assert str(tempo) == "3-1-1.5-0"


def test_explosive_phase_has_a_real_length() -> None:
    assert Tempo.parse("2-0-X-1").concentric_ms == EXPLOSIVE_MS


@pytest.mark.parametrize("bad", ["3-1-1", "a-b-c-d", "0-0-0-0", "3-1-1-100", "-1-1-1-1", ""])
def test_bad_tempo_fails_where_it_is_built(bad: str) -> None:
    with pytest.raises(ValueError):
        Tempo.parse(bad)


def test_phases_cycle_from_the_starting_phase_and_skip_zero_ones() -> None:
    tempo = Tempo.parse("3-1-1-0")
    assert tempo.phases_from(Phase.CONCENTRIC) == (
        (Phase.CONCENTRIC, 1000), (Phase.ECCENTRIC, 3000), (Phase.BOTTOM, 1000))
    assert tempo.phases_from(Phase.ECCENTRIC)[0] == (Phase.ECCENTRIC, 3000)
