"""JSON Lines: one payload per non-blank line, streamed, and big files planned as byte ranges.

A file is read line by line, so memory stays flat however long it is; a line longer than the
size limit is skipped without being held (a ``P011`` finding) and the lines after it are read.
``jsonl_ranges`` cuts a big file into ranges that ``read_jsonl_range`` reads independently
(in worker processes): each line belongs to the range its first byte falls in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from glance_validate.inputs.discover import Input
from glance_validate.inputs.payloads import TOO_LARGE, UNREADABLE, Origin, Payload, problem, shown
from glance_validate.inputs.reading import (
    DEFAULT_LIMITS,
    DEFAULT_MAX_BYTES,
    Limits,
    TooLarge,
    open_input,
    open_stdin,
    reason,
)


def read_jsonl(item: Input, stdin: BinaryIO | None, limits: Limits = DEFAULT_LIMITS) -> Iterator[Payload]:
    """The payloads of a JSON Lines input (a file, a FIFO or standard input), line by line."""
    origin = Origin(item.label, item.path)
    if item.path is None:
        yield from _streamed(origin, open_stdin(stdin, limits.pipe_timeout), limits.max_bytes)
        return
    try:
        handle = open_input(item.path, limits)
    except OSError as exc:
        yield problem(origin, UNREADABLE, f"cannot read {shown(item.label)}: {reason(exc)}")
        return
    with handle:
        yield from _streamed(origin, handle, limits.max_bytes)


def _streamed(origin: Origin, handle: BinaryIO, max_bytes: int) -> Iterator[Payload]:
    number = 0
    try:
        for payload in _jsonl_lines(origin, _bounded_lines(handle, max_bytes), 0):
            number = payload.origin.line or number
            yield payload
    except OSError as exc:  # a FIFO gone silent, an I/O error: the lines read so far stand
        where = f" after line {number}" if number else ""
        yield problem(origin, UNREADABLE, f"cannot read {shown(origin.input)}{where}: {reason(exc)}")


@dataclass(frozen=True)
class _Skipped:
    """A line longer than the size limit, read past without keeping it."""

    size: int  # bytes, line break included
    limit: int


def _bounded_lines(handle: BinaryIO, limit: int) -> Iterator[bytes | _Skipped]:
    """The lines of ``handle``; a line longer than ``limit`` bytes is skipped, never held whole."""
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not (len(line) == limit + 1 and line.endswith(b"\n")):
            yield _Skipped(len(line) + _skip_line(handle), limit)
            continue
        yield line


def _skip_line(handle: BinaryIO) -> int:
    """Read past the rest of the current line in bounded chunks; the bytes skipped."""
    skipped = 0
    while True:
        chunk = handle.readline(1 << 16)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


class LineCount:
    """How many lines a read of JSON Lines went through (blank ones included)."""

    __slots__ = ("lines",)

    def __init__(self) -> None:
        self.lines = 0


def read_jsonl_range(
    item: Input, start: int, end: int, count: LineCount, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Payload]:
    """Payloads of the lines of ``item`` that start at a byte offset in [start, end).

    Lines are numbered from 1 at the first line of the range; the caller adds the lines of the
    ranges before it. ``count.lines`` is the number of lines the range holds.
    """
    origin = Origin(item.label, item.path)
    assert item.path is not None
    try:
        handle = Path(item.path).open("rb")  # noqa: SIM115 - closed below, after streaming
    except OSError as exc:
        if start == 0:
            yield problem(origin, UNREADABLE, f"cannot read {shown(item.label)}: {reason(exc)}")
        return
    with handle:
        position = start
        if start > 0:
            handle.seek(start - 1)
            if handle.read(1) != b"\n":
                position += _skip_line(handle)  # the rest of a line owned by the range before
        yield from _jsonl_lines(origin, _lines_until(handle, position, end, max_bytes), 0, count)


def _lines_until(handle: BinaryIO, position: int, end: int, limit: int) -> Iterator[bytes | _Skipped]:
    lines = _bounded_lines(handle, limit)
    while position < end:
        line = next(lines, None)
        if line is None:
            return
        position += line.size if isinstance(line, _Skipped) else len(line)
        yield line


def _jsonl_lines(
    origin: Origin, lines: Iterator[bytes | _Skipped], before: int, count: LineCount | None = None
) -> Iterator[Payload]:
    number = before
    for line in lines:
        number += 1
        if count is not None:
            count.lines = number - before
        if isinstance(line, _Skipped):
            too_large = TooLarge(f"line {number}", line.size, line.limit)
            yield problem(origin.at_line(number), TOO_LARGE, f"{shown(origin.input)}: {too_large}")
        elif line.strip():
            body = line.rstrip(b"\r\n")  # the line break ends the line, not the payload
            yield Payload(origin.at_line(number), body, line_shift=number - 1)


def jsonl_ranges(path: str, size: int) -> list[tuple[int, int]]:
    """Byte ranges of about ``size`` bytes covering a JSON Lines file (one range if unknown)."""
    try:
        total = Path(path).stat().st_size
    except OSError:
        return [(0, 1)]
    if total <= size:
        return [(0, max(total, 1))]
    return [(start, min(start + size, total)) for start in range(0, total, size)]
