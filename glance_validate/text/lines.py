"""Line and column of a character offset.

``"\\n"``, ``"\\r\\n"`` and a lone ``"\\r"`` each end a line.  Line starts are
found only when a first position is asked for, so text without problems never
pays for them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Final

__all__ = ["NEWLINE", "Lines", "line_starts"]

NEWLINE: Final = re.compile(r"\r\n|\r|\n")


class Lines:
    """Maps character offsets of one text to (line, column), both 1-based, lazily."""

    __slots__ = ("_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts: list[int] | None = None

    def position(self, offset: int) -> tuple[int, int]:
        starts = self._starts
        if starts is None:
            starts = self._starts = line_starts(self._text)
        line = bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1


def line_starts(text: str) -> list[int]:
    """Offsets where each line of ``text`` starts."""
    starts = [0]
    if "\r" in text:
        starts.extend(m.end() for m in NEWLINE.finditer(text))
        return starts
    find = text.find  # only "\n" ends lines: find runs at C speed between them
    at = find("\n")
    while at >= 0:
        starts.append(at + 1)
        at = find("\n", at + 1)
    return starts
