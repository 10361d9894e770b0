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
    is_compressed,
    is_stream,
    open_decompressed,
    open_stdin,
    reason,
    size_text,
)


def read_jsonl(item: Input, stdin: BinaryIO | None, limits: Limits = DEFAULT_LIMITS) -> Iterator[Payload]:
    """The payloads of a JSON Lines input (a file, a FIFO or standard input), line by line."""
    origin = Origin(item.label, item.path)
    if item.path is None:
        yield from read_jsonl_stream(origin, open_stdin(stdin, limits.pipe_timeout), limits.max_bytes)
        return
    try:
        handle = open_decompressed(item.path, limits)
    except OSError as exc:
        yield problem(origin, UNREADABLE, f"cannot read {shown(item.label)}: {reason(exc)}")
        return
    endless = is_stream(item.path) or is_compressed(item.path)
    with handle:
        yield from read_jsonl_stream(origin, handle, limits.max_bytes, endless=endless)


def read_jsonl_stream(
    origin: Origin, handle: BinaryIO, max_bytes: int, *, endless: bool = True
) -> Iterator[Payload]:
    """The payloads of JSON Lines read from ``handle``; ``endless``: it may never end (a stream)."""
    number = 0
    try:
        for payload in _jsonl_lines(origin, _bounded_lines(handle, max_bytes, endless=endless), 0):
            number = payload.origin.line or number
            yield payload
    except OSError as exc:  # a FIFO gone silent, an I/O error: the lines read so far stand
        where = f" after line {number}" if number else ""
        yield problem(origin, UNREADABLE, f"cannot read {shown(origin.input)}{where}: {reason(exc)}")


# Bytes asked of the input at once: line ends are found with bytes.find over large reads.
_CHUNK = 1 << 20
# A stream (standard input, a FIFO, a device) may never end: a line longer than the limit is
# read past for at most this many times the limit before the rest of the stream is given up.
ENDLESS_LINE_FACTOR = 16


@dataclass(frozen=True)
class _Skipped:
    """A line longer than the size limit, read past without keeping it."""

    size: int  # bytes, line break included
    limit: int
    endless: bool = False  # no line break came within ENDLESS_LINE_FACTOR times the limit


@dataclass(frozen=True)
class _Binary:
    """A line of a stream holding a NUL byte: binary data (``/dev/urandom``), not JSON Lines."""


def _bounded_lines(
    handle: BinaryIO, limit: int, *, endless: bool = False
) -> Iterator[bytes | _Skipped | _Binary]:
    """The lines of ``handle``; a line longer than ``limit`` bytes is skipped, never held whole.

    Memory stays under ``limit`` plus one read. With ``endless`` (a stream), a line longer than
    ``ENDLESS_LINE_FACTOR`` times the limit, or one holding a NUL byte, ends the reading.
    """
    read = getattr(handle, "read1", handle.read)  # read1: what is there, without waiting for more
    pending = bytearray()  # the start of the current line
    skipped = 0  # bytes of the current line already dropped (over the limit)
    while chunk := read(_CHUNK):
        if skipped:
            cut = chunk.find(b"\n")
            if cut < 0:
                skipped += len(chunk)
                if endless and skipped > ENDLESS_LINE_FACTOR * limit:
                    yield _Skipped(skipped, limit, endless=True)
                    return
                continue
            yield _Skipped(skipped + cut + 1, limit)
            skipped, chunk = 0, chunk[cut + 1 :]
        searched = len(pending)
        pending += chunk
        start = 0
        while (cut := pending.find(b"\n", max(start, searched))) >= 0:
            line = bytes(pending[start : cut + 1])
            start = cut + 1
            if endless and b"\0" in line:
                yield _Binary()
                return
            yield line if len(line) <= limit + 1 else _Skipped(len(line), limit)
        del pending[:start]
        if len(pending) > limit:
            skipped = len(pending)
            pending.clear()
    if skipped:
        yield _Skipped(skipped, limit)
    elif pending:
        if endless and b"\0" in pending:
            yield _Binary()
        else:
            yield bytes(pending) if len(pending) <= limit else _Skipped(len(pending), limit)


def next_line_start(handle: BinaryIO, position: int) -> int | None:
    """The offset of the first line that starts at or after ``position`` in a seekable file.

    Found with large reads and ``bytes.find``, so a long line is read once at disk speed;
    None when no line starts there (the file ends first). The handle is left at that offset.
    """
    if position == 0:
        handle.seek(0)
        return 0
    handle.seek(position - 1)
    offset = position - 1
    while chunk := handle.read(_CHUNK):
        cut = chunk.find(b"\n")
        if cut >= 0:
            handle.seek(offset + cut + 1)
            return offset + cut + 1
        offset += len(chunk)
    return None


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
        position = next_line_start(handle, start)  # the rest of a line owned by the range before
        if position is None:
            return
        yield from _jsonl_lines(origin, _lines_until(handle, position, end, max_bytes), 0, count)


def _lines_until(
    handle: BinaryIO, position: int, end: int, limit: int
) -> Iterator[bytes | _Skipped | _Binary]:
    lines = _bounded_lines(handle, limit)
    while position < end:
        line = next(lines, None)
        if line is None:
            return
        if isinstance(line, _Binary):  # only streams are read for binary data
            return
        position += line.size if isinstance(line, _Skipped) else len(line)
        yield line


def _jsonl_lines(
    origin: Origin,
    lines: Iterator[bytes | _Skipped | _Binary],
    before: int,
    count: LineCount | None = None,
) -> Iterator[Payload]:
    number = before
    for line in lines:
        number += 1
        if count is not None:
            count.lines = number - before
        if isinstance(line, _Binary):
            yield problem(
                origin.at_line(number),
                UNREADABLE,
                f"{shown(origin.input)}: line {number} holds a NUL byte: binary data, not JSON Lines; "
                "the rest of the stream is not read",
            )
        elif isinstance(line, _Skipped) and line.endless:
            too_large = TooLarge(f"line {number}", None, line.limit)
            yield problem(
                origin.at_line(number),
                TOO_LARGE,
                f"{shown(origin.input)}: {too_large}; no line break in {size_text(line.size)}: "
                "the rest of the stream is not read",
            )
        elif isinstance(line, _Skipped):
            too_large = TooLarge(f"line {number}", line.size, line.limit)
            yield problem(origin.at_line(number), TOO_LARGE, f"{shown(origin.input)}: {too_large}")
        elif line.strip():
            body = line.rstrip(b"\r\n")  # the line break ends the line, not the payload
            yield Payload(origin.at_line(number), body, line_shift=number - 1)


def jsonl_ranges(path: str, size: int) -> list[tuple[int, int]]:
    """Byte ranges of about ``size`` bytes covering a JSON Lines file, each starting a line.

    Each cut is moved to the next line start, found at disk speed, so a line longer than
    ``size`` lies in one range and is read past once, not once per range it spans; a file
    without a line break after the first cut is one range. One range if the size is unknown.
    """
    try:
        total = Path(path).stat().st_size
        if total <= size:
            return [(0, max(total, 1))]
        handle = Path(path).open("rb")  # noqa: SIM115 - closed below
    except OSError:
        return [(0, 1)]
    ranges: list[tuple[int, int]] = []
    start = 0
    with handle:
        while start < total:
            try:
                cut = next_line_start(handle, start + size) if start + size < total else None
            except OSError:
                cut = None
            if cut is None or cut >= total:
                ranges.append((start, total))
                break
            ranges.append((start, cut))
            start = cut
    return ranges
