"""The live screen: what a lifter reads from two metres, at 80 x 24 and up.

Every line is cut to the width with an ellipsis, never wrapped, and every part keeps its row
whether it has something to say or not, so nothing jumps about between frames. The one big
number is what matters most at that moment: the rest left during a rest, the seconds left of
the phase (lower 3, 2, 1; hold 5, 4…) during a set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from repcue.player.guide import Status
from repcue.units import position_text

if TYPE_CHECKING:  # rich loads with the live view only: every repcue command imports this
    from rich.console import Group
    from rich.text import Text

#: The keys, short enough for 80 columns (``--help`` has the long form).
LEGEND = "space pause · n next set · b back a set · + 15 s more rest · q quit"

#: Five rows per character, drawn with full blocks.
_FONT = {
    "0": ("████", "█  █", "█  █", "█  █", "████"),
    "1": ("  █ ", " ██ ", "  █ ", "  █ ", " ███"),
    "2": ("████", "   █", "████", "█   ", "████"),
    "3": ("████", "   █", " ███", "   █", "████"),
    "4": ("█  █", "█  █", "████", "   █", "   █"),
    "5": ("████", "█   ", "████", "   █", "████"),
    "6": ("████", "█   ", "████", "█  █", "████"),
    "7": ("████", "   █", "  █ ", " █  ", " █  "),
    "8": ("████", "█  █", "████", "█  █", "████"),
    "9": ("████", "█  █", "████", "   █", "████"),
    ":": ("  ", "██", "  ", "██", "  "),
    "+": ("    ", " █  ", "███ ", " █  ", "    "),
}
BIG_ROWS = 5


def big_text(text: str) -> list[str]:
    """``text`` (digits, ``:`` and ``+``) as five rows of block characters."""
    rows = []
    for row in range(BIG_ROWS):
        rows.append(" ".join(_FONT[ch][row] for ch in text if ch in _FONT).rstrip())
    return rows


def seconds_up(ms: int) -> int:
    """Whole seconds left, rounded up: a countdown shows 1 until the very end."""
    return max(0, -(-ms // 1000))


def big_number(status: Status) -> tuple[str, str]:
    """The number to draw big and its label: rest left, or the phase's seconds left."""
    if status.waiting_ms is not None:  # counted up: the rest ends when the lifter says so
        seconds = status.waiting_ms // 1000
        return f"{seconds // 60}:{seconds % 60:02d}", "REST · SPACE OR PLAY WHEN READY"
    if status.resting:
        seconds = seconds_up(status.rest_left_ms)
        return f"{seconds // 60}:{seconds % 60:02d}", "REST"
    if status.phase is not None:
        return str(seconds_up(status.phase_left_ms)), status.phase.upper()
    return "", ""


def shown(status: Status, note: str | None = None) -> tuple[object, ...]:
    """Everything ``screen`` draws, cheaply: equal for two moments that look the same, so
    the live view redraws only when something on it changed (rich's layout is the costly
    part of live play: about 3.5 ms a frame)."""
    seconds = status.elapsed_ms // 1000, status.remaining_ms // 1000
    done = max(0.0, min(1.0, status.position_ms / max(1, status.total_ms)))
    filled = round(done * BAR_WIDTH), round(done * 100)
    return (status.workout, status.paused, status.exercise, status.side, _counts(status),
            big_number(status), status.cue, status.next_up, seconds, filled,
            status.alert or note)


def screen(status: Status, note: str | None = None) -> Group:
    """The whole live view for ``status``; ``note`` is a passing message (it expires)."""
    from rich.console import Group

    head = _line(status.workout, "bold")
    if status.paused:
        head.append("  ⏸ PAUSED", style="bold yellow")
    place = _line(status.exercise.upper() if status.exercise else " ", "bold cyan")
    if status.side:
        place.append(f" · {status.side} side", style="cyan")
    count = _line(_counts(status), "bold")
    number, label = big_number(status)
    big = [_line(row, "bold green" if status.resting else "bold") for row in big_text(number)]
    big += [_line(" ")] * (BIG_ROWS - len(big))
    lines: list[Text] = [
        head, _line(" "), place, count, _line(label or " ", "bold"), *big, _line(" "),
        _line(f"“{status.cue}”" if status.cue else " ", "italic"),
        _line(f"next: {status.next_up}" if status.next_up else " ", "dim"),
        _line(" "),
        _line(f"{position_text(status.elapsed_ms)} elapsed · "
              f"{position_text(status.remaining_ms)} left"),
        _bar(status.position_ms / max(1, status.total_ms)),
        _line(status.alert or note or " ", "bold red" if status.alert else "yellow"),
        _line(LEGEND, "dim"),
    ]
    return Group(*lines)


def _counts(status: Status) -> str:
    parts = []
    if status.set is not None:
        parts.append(f"Set {status.set}/{status.sets}")
    if status.resting:
        parts.append("rest")
    elif status.rep is not None:
        parts.append(f"Rep {status.rep}/{status.reps}")
    return " · ".join(parts) or " "


#: Columns of the progress bar: with its percentage it fits 80 columns.
BAR_WIDTH = 64


def _bar(done: float) -> Text:
    # Drawn as text: rich's ProgressBar does not end its line, so the next line was glued on.
    filled = round(max(0.0, min(1.0, done)) * BAR_WIDTH)
    bar = _line("━" * filled, "green")
    bar.append("─" * (BAR_WIDTH - filled), style="dim")
    bar.append(f" {done:4.0%}")
    return bar


def _line(text: str, style: str = "") -> Text:
    from rich.text import Text

    return Text(text, style=style, no_wrap=True, overflow="ellipsis", end="\n")
