"""Lines that fit the terminal: long text wraps under its own column, not under the label.

A terminal wraps a long line at its edge, back to column 0, which breaks a table's columns
(``repcue plan`` at 80 columns). Output that is not a terminal wraps at 80 too (or at
``COLUMNS``), so what a test or a pipe sees is what a lifter sees.
"""

from __future__ import annotations

import shutil
import textwrap

#: Narrower than this, wrapping would leave a word or two a line: let the terminal do it.
_NARROWEST = 40


def width() -> int:
    return max(_NARROWEST, shutil.get_terminal_size((80, 24)).columns)


def hanging(lead: str, text: str) -> str:
    """``lead`` then ``text``, wrapped to the terminal, later lines indented to the text."""
    if not text.strip():
        return lead.rstrip()
    return textwrap.fill(text, width(), initial_indent=lead, subsequent_indent=" " * len(lead),
                         break_long_words=False, break_on_hyphens=False)
