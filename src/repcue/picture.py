"""A picture of a session's shape as SVG: time left to right, one band per exercise.

Sets are blocks, rests are the gaps between them, spoken cues are ticks above the
blocks, and a legend says which is which. The same drawing is written by
``repcue plan NAME --picture FILE.svg`` and shown on the follow-along page, where
a playhead (the ``playhead`` line, hidden until the page moves it) runs over it.
The page finds the plot from the root's ``data-plot-left``, ``data-plot-width``
and ``data-duration-ms`` attributes, in timeline time (the export's lead-in not included).

Pure: reads a Timeline, returns text. No audio library, no file I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from repcue.timeline import Timeline

WIDTH = 960
LABEL_WIDTH = 170
RIGHT_PAD = 18
TITLE_HEIGHT = 40
BAND_HEIGHT = 44
TICK_HEIGHT = 10
BAND_GAP = 8
AXIS_HEIGHT = 26
LEGEND_HEIGHT = 34

BACKGROUND = "#161a21"
INK = "#e9edf2"
FAINT = "#8b95a3"
SET_FILL = "#f08c28"

#: Cue ticks by what the lifter hears: the lower-back pre-set and go, form, counting, talk.
CUE_GROUPS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("pre-set & go", "#3ec7b0", frozenset({"preset", "go"})),
    ("form", "#b48cf2", frozenset({"form", "mistake"})),
    ("count", "#c3cad3", frozenset({"count", "countdown", "halfway", "last"})),
    ("talk", "#6aa8ff", frozenset({"intro", "announce", "setup", "rest", "switch", "finish"})),
)

#: Minute steps the time axis may use; the first giving at most 12 labels wins.
_AXIS_STEPS_MS = (15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000)


@dataclass(frozen=True, slots=True)
class Block:
    """One set on its band: where it starts and ends, and its short label (``2``, ``1L``)."""

    band: int
    start_ms: int
    end_ms: int
    label: str


def _band_names(timeline: Timeline) -> dict[str, str]:
    """Exercise id -> name, in the order the session reaches them."""
    names: dict[str, str] = {}
    for marker in timeline.markers("exercise"):
        exercise = marker.exercise or marker.text or "exercise"
        names.setdefault(exercise, marker.text or exercise.replace("-", " ").capitalize())
    for event in timeline.events:
        if event.exercise is not None:
            names.setdefault(event.exercise, event.exercise.replace("-", " ").capitalize())
    return names


def set_blocks(timeline: Timeline) -> list[Block]:
    """Each set from its marker to the next set, rest or exercise marker (or the end)."""
    bands = {exercise: i for i, exercise in enumerate(_band_names(timeline))}
    markers = timeline.markers()
    blocks = []
    for i, marker in enumerate(markers):
        if marker.role != "set" or marker.exercise not in bands:
            continue
        end = next((m.start_ms for m in markers[i + 1:] if m.start_ms > marker.start_ms),
                   timeline.duration_ms)
        label = str(marker.set or "") + (marker.side[:1].upper() if marker.side else "")
        blocks.append(Block(bands[marker.exercise], marker.start_ms, end, label))
    return blocks


def cue_ticks(timeline: Timeline) -> list[tuple[int, int, str]]:
    """``(band, start_ms, colour)`` for each spoken cue; a cue outside any exercise (the
    intro, the finish) sits on the band of the exercise before it, or the first band."""
    bands = {exercise: i for i, exercise in enumerate(_band_names(timeline))}
    colours = {role: colour for _, colour, roles in CUE_GROUPS for role in roles}
    ticks = []
    band = 0
    for event in timeline.events:
        if event.exercise in bands:
            band = bands[event.exercise]
        if event.kind == "speech":
            ticks.append((band, event.start_ms, colours.get(event.role, FAINT)))
    return ticks


def _clock(ms: int) -> str:
    minutes, seconds = divmod(round(ms / 1000), 60)
    return f"{minutes}:{seconds:02d}"


def _axis_step(duration_ms: int) -> int:
    return next((s for s in _AXIS_STEPS_MS if duration_ms / s <= 12), _AXIS_STEPS_MS[-1])


class _Canvas:
    """Maps session time to x and collects SVG elements."""

    def __init__(self, duration_ms: int, bands: int) -> None:
        self.duration_ms = max(1, duration_ms)
        self.plot_left = LABEL_WIDTH
        self.plot_width = WIDTH - LABEL_WIDTH - RIGHT_PAD
        self.plot_top = TITLE_HEIGHT
        self.plot_bottom = TITLE_HEIGHT + max(1, bands) * (BAND_HEIGHT + BAND_GAP)
        self.height = self.plot_bottom + AXIS_HEIGHT + LEGEND_HEIGHT
        self.parts: list[str] = []

    def x(self, ms: int) -> float:
        return round(self.plot_left + self.plot_width * min(ms, self.duration_ms)
                     / self.duration_ms, 1)

    def band_top(self, band: int) -> int:
        return self.plot_top + band * (BAND_HEIGHT + BAND_GAP)

    def add(self, element: str) -> None:
        self.parts.append(element)

    def text(self, x: float, y: float, words: str, *, size: int = 13, colour: str = INK,
             anchor: str = "start", weight: str = "normal") -> None:
        self.add(f'<text x="{x}" y="{y}" font-size="{size}" fill="{colour}" '
                 f'text-anchor="{anchor}" font-weight="{weight}">{escape(words)}</text>')


def _draw_bands(canvas: _Canvas, names: Iterable[str]) -> None:
    for band, name in enumerate(names):
        top = canvas.band_top(band)
        canvas.add(f'<rect class="band" x="{canvas.plot_left}" y="{top}" '
                   f'width="{canvas.plot_width}" height="{BAND_HEIGHT}" fill="#ffffff" '
                   'fill-opacity="0.04"/>')
        label = name if len(name) <= 22 else name[:21] + "…"
        canvas.text(10, top + BAND_HEIGHT / 2 + 5, label, size=14)


def _draw_sets(canvas: _Canvas, blocks: Iterable[Block]) -> None:
    for block in blocks:
        x0, x1 = canvas.x(block.start_ms), canvas.x(block.end_ms)
        top = canvas.band_top(block.band) + TICK_HEIGHT + 2
        height = BAND_HEIGHT - TICK_HEIGHT - 2
        width = max(1.5, round(x1 - x0 - 1, 1))
        canvas.add(f'<rect class="set" x="{x0}" y="{top}" width="{width}" height="{height}" '
                   f'rx="3" fill="{SET_FILL}"><title>{escape(_clock(block.start_ms))} set '
                   f'{escape(block.label)}</title></rect>')
        if width >= 10 * max(1, len(block.label)):
            canvas.text(round(x0 + width / 2, 1), top + height / 2 + 5, block.label, size=12,
                        colour=BACKGROUND, anchor="middle", weight="bold")


def _draw_ticks(canvas: _Canvas, ticks: Iterable[tuple[int, int, str]]) -> None:
    for band, start_ms, colour in ticks:
        x = canvas.x(start_ms)
        top = canvas.band_top(band)
        canvas.add(f'<line class="cue" x1="{x}" x2="{x}" y1="{top}" y2="{top + TICK_HEIGHT}" '
                   f'stroke="{colour}" stroke-width="1.2"/>')


def _draw_axis(canvas: _Canvas) -> None:
    step = _axis_step(canvas.duration_ms)
    y = canvas.plot_bottom
    canvas.add(f'<line x1="{canvas.plot_left}" x2="{canvas.plot_left + canvas.plot_width}" '
               f'y1="{y}" y2="{y}" stroke="{FAINT}" stroke-width="1"/>')
    for ms in range(0, canvas.duration_ms + 1, step):
        x = canvas.x(ms)
        canvas.add(f'<line x1="{x}" x2="{x}" y1="{y}" y2="{y + 5}" stroke="{FAINT}"/>')
        canvas.text(x, y + 18, _clock(ms), size=12, colour=FAINT, anchor="middle")


def _draw_legend(canvas: _Canvas) -> None:
    y = canvas.plot_bottom + AXIS_HEIGHT + 14
    x = float(canvas.plot_left)
    canvas.add(f'<rect x="{x}" y="{y - 10}" width="22" height="12" rx="2" fill="{SET_FILL}"/>')
    canvas.text(x + 28, y, "set", size=12)
    x += 62
    canvas.add(f'<rect x="{x}" y="{y - 10}" width="22" height="12" fill="none" '
               f'stroke="{FAINT}" stroke-dasharray="3 2"/>')
    canvas.text(x + 28, y, "gap = rest", size=12)
    x += 102
    for label, colour, _ in CUE_GROUPS:
        canvas.add(f'<line x1="{x + 5}" x2="{x + 5}" y1="{y - 11}" y2="{y + 1}" '
                   f'stroke="{colour}" stroke-width="2"/>')
        canvas.text(x + 13, y, f"{label} cue", size=12)
        x += 26 + 6.6 * len(label + " cue")


def picture_svg(timeline: Timeline) -> str:
    """The session as a standalone SVG document (UTF-8 text)."""
    names = _band_names(timeline)
    canvas = _Canvas(timeline.duration_ms, len(names))
    title = f"{timeline.title} ({_clock(timeline.duration_ms)})"
    canvas.add(f'<rect width="{WIDTH}" height="{canvas.height}" fill="{BACKGROUND}"/>')
    canvas.text(10, 26, title, size=17, weight="bold")
    _draw_bands(canvas, names.values())
    _draw_sets(canvas, set_blocks(timeline))
    _draw_ticks(canvas, cue_ticks(timeline))
    _draw_axis(canvas)
    _draw_legend(canvas)
    canvas.add(f'<line class="playhead" x1="{canvas.plot_left}" x2="{canvas.plot_left}" '
               f'y1="{canvas.plot_top - 4}" y2="{canvas.plot_bottom}" stroke="#ffffff" '
               'stroke-width="2.5" visibility="hidden"/>')
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {canvas.height}" '
            f'width="{WIDTH}" height="{canvas.height}" role="img" '
            f'font-family="system-ui, sans-serif" class="session-picture" '
            f'data-plot-left="{canvas.plot_left}" data-plot-width="{canvas.plot_width}" '
            f'data-duration-ms="{timeline.duration_ms}" aria-label={quoteattr(title)}>')
    return "\n".join([head, f"<title>{escape(title)}</title>", *canvas.parts, "</svg>"]) + "\n"

