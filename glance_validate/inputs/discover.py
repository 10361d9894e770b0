"""Inputs: find what to check (files, directories, stdin) and read the payloads out of them.

An input is a file named on the command line, a file found under a directory, or standard
input. Reading an input yields payloads, each with its origin:

- ``.json``: the whole file is one payload;
- ``.jsonl`` / ``.ndjson``: one payload per non-blank line, read line by line (memory stays
  flat however long the file is), positions are the file's lines;
- ``.har``: one payload per captured response to ``GET /v2/images``, ``/v2/images/{id}``,
  ``/v2/schemas/images`` or ``/v2/schemas/image``; positions count from the start of the body;
- ``.http`` (or any file starting with ``HTTP/``): a response saved with its head
  (``curl -i``): status line, headers, a blank line, the body.

Nothing here validates: a payload is bytes plus where they came from, or a finding saying why
there is no payload (the input cannot be read, the capture is not usable). Request headers of
captures (tokens, cookies) are never read, and credentials in query strings are masked.
"""

from __future__ import annotations

import base64
import binascii
import errno
import fnmatch
import io
import os
import re
import stat
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, Literal, NamedTuple

from glance_validate.core.catalog import finding
from glance_validate.core.findings import Finding
from glance_validate.core.secrets import CREDENTIAL_NAME, MIN_SECRET, Secrets

InputFormat = Literal["json", "jsonl", "har", "http"]
INPUT_FORMATS: tuple[InputFormat, ...] = ("json", "jsonl", "har", "http")
FORMAT_BY_SUFFIX: dict[str, InputFormat] = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".har": "har",
    ".http": "http",
}
DEFAULT_INCLUDE: tuple[str, ...] = ("*.json", "*.jsonl", "*.ndjson", "*.har", "*.http")
STDIN_LABEL = "<stdin>"

# Codes of findings about inputs rather than payloads.
UNREADABLE = "P009"
TOO_LARGE = "P011"
NOT_A_CAPTURE = "P020"
ENTRY_UNUSABLE = "P021"
NOTHING_TO_CHECK = "P022"
NOT_READ = frozenset({UNREADABLE, TOO_LARGE})  # the content was not checked: counted as unreadable

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_PIPE_TIMEOUT = 30.0

_HAR_START = re.compile(rb"\A(?:\xef\xbb\xbf)?[ \t\r\n]*\{[ \t\r\n]*\"log\"[ \t\r\n]*:")
_STATUS_LINE = re.compile(rb"HTTP/[0-9](?:\.[0-9])? ([0-9]{3})(?: [^\r\n]*)?\r?\n")
_IMAGE_API_PATH = re.compile(r"/v2/(?:images(?:/[^/]+)?|schemas/images?)/?$")
_GZIP_MAGIC = b"\x1f\x8b"
_BLANK_LINE = re.compile(rb"\r\n\r\n|\n\n")
_SURROGATE_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\udc([89a-f][0-9a-f])")


@dataclass(frozen=True)
class Limits:
    """Bounds on reading: bytes held at once, and how long a FIFO or device may stay silent.

    ``max_bytes`` bounds a whole input read into memory (JSON, HAR, HTTP captures, standard
    input), each JSON Lines line, and each decompressed body; a larger one is a ``P011`` finding
    and is never read whole. ``pipe_timeout`` bounds the wait for data from a FIFO or a device
    named on the command line (seconds without any byte arriving).
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    pipe_timeout: float = DEFAULT_PIPE_TIMEOUT


DEFAULT_LIMITS = Limits()


class TooLarge(Exception):
    """An input, a line or a body is larger than ``Limits.max_bytes``."""

    def __init__(self, what: str, size: int | None, limit: int) -> None:
        measured = f"is {_size(size)}, more than" if size is not None else "is larger than"
        super().__init__(
            f"{what} {measured} the limit of {_size(limit)}: not read (--max-bytes raises the limit)"
        )


# Inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    """One thing to read: a file (``path``) or standard input (``path`` is None)."""

    label: str
    path: str | None
    format: InputFormat | None = None  # None: decided from the name and the content
    problem: str | None = None  # why it cannot be read, found while discovering it

    @property
    def is_stdin(self) -> bool:
        return self.path is None


def stdin_input(input_format: InputFormat | None = None) -> Input:
    return Input(STDIN_LABEL, None, input_format)


def format_of(path: str) -> InputFormat | None:
    """The input format a file name implies, or None when only its content can tell."""
    return FORMAT_BY_SUFFIX.get(Path(path).suffix.lower())


def discover(
    paths: Sequence[str],
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    input_format: InputFormat | None = None,
    notes: list[str] | None = None,
) -> list[Input]:
    """Every input named by ``paths``, directories walked recursively, in a deterministic order.

    Files named explicitly are always read (whatever their name). Under a directory, files
    matching ``include`` (default: the known suffixes) and no ``exclude`` pattern are read, in
    sorted order; excluded directories are not entered and a directory reached twice through
    symbolic links is entered once. A pattern without ``/`` matches names, one with ``/``
    matches the path relative to the directory given. Each file is read once. A directory
    that holds no such file is named in ``notes``.
    """
    found: list[Input] = []
    seen: set[str] = set()
    patterns = tuple(include) or DEFAULT_INCLUDE
    for arg in paths:
        is_dir = arg != "-" and Path(arg).is_dir()
        if arg == "-":
            items: Iterator[Input] | list[Input] = [stdin_input(input_format)]
        elif is_dir:
            items = _walk(arg, patterns, tuple(exclude), input_format)
        else:
            items = [Input(arg, arg, input_format or format_of(arg))]
        before = len(found)
        for item in items:
            key = STDIN_LABEL if item.path is None else os.path.normpath(item.path)
            if key not in seen:
                seen.add(key)
                found.append(item)
        if notes is not None and len(found) == before and is_dir:
            notes.append(f"no input found under {arg!r} (files matching {' '.join(patterns)})")
    return found


def _walk(
    root: str, include: tuple[str, ...], exclude: tuple[str, ...], input_format: InputFormat | None
) -> Iterator[Input]:
    included, excluded = _Globs(include), _Globs(exclude)
    visited: set[tuple[int, int]] = set()
    root_id = _dir_id(root)
    if root_id is not None:
        visited.add(root_id)
    # A stack of iterators over sorted directory entries: depth first, no recursion.
    stack: list[Iterator[tuple[str, os.DirEntry[str]]]] = []
    listing = _sorted_entries(root, "")
    if isinstance(listing, str):
        yield Input(root, root, input_format, problem=listing)
        return
    stack.append(iter(listing))
    while stack:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
            continue
        relative, entry = item
        label = str(Path(root) / relative)
        if excluded.match(relative, entry.name):
            continue
        if _is_dir(entry):
            ident = _dir_id(entry.path)
            if ident is None or ident in visited:
                continue  # a symbolic link back into the tree: its files are read once
            visited.add(ident)
            listing = _sorted_entries(entry.path, relative)
            if isinstance(listing, str):
                yield Input(label, entry.path, input_format, problem=listing)
            else:
                stack.append(iter(listing))
        elif included.match(relative, entry.name):
            yield Input(label, label, input_format or format_of(entry.name), _not_regular(entry))


def _sorted_entries(directory: str, relative: str) -> list[tuple[str, os.DirEntry[str]]] | str:
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        return f"cannot list directory: {_reason(exc)}"
    return [(f"{relative}/{e.name}" if relative else e.name, e) for e in entries]


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _dir_id(path: str) -> tuple[int, int] | None:
    try:
        info = Path(path).stat()
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


def _not_regular(entry: os.DirEntry[str]) -> str | None:
    """Why a file found under a directory is not read (None for a regular file)."""
    try:
        mode = entry.stat().st_mode
    except OSError as exc:
        return f"cannot read: {_reason(exc)}"
    if stat.S_ISREG(mode):
        return None
    kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    return f"not a regular file ({kind}); name it explicitly to read it"


class _Globs:
    """Glob patterns compiled once: those without ``/`` match names, the others relative paths."""

    __slots__ = ("names", "paths")

    def __init__(self, patterns: tuple[str, ...]) -> None:
        self.names = _joined([p for p in patterns if "/" not in p])
        self.paths = _joined([p for p in patterns if "/" in p])

    def match(self, relative: str, name: str) -> bool:
        return bool(
            (self.names is not None and self.names.match(name))
            or (self.paths is not None and self.paths.match(relative))
        )


def _joined(patterns: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(fnmatch.translate(p) for p in patterns)) if patterns else None


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


# Payloads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """Where a payload came from, as reports show it."""

    input: str  # the input's label: a path or <stdin>
    path: str | None = None  # the file, None for standard input
    line: int | None = None  # the line the payload starts on, when not the first
    entry: int | None = None  # index in a HAR capture's log.entries (from 0)
    request: str | None = None  # "GET /v2/images?limit=2": method, path and masked query only
    status: int | None = None  # HTTP status of a captured response
    body_relative: bool = False  # finding positions count from the start of the response body

    @property
    def label(self) -> str:
        if self.entry is not None:
            return f"{self.input}#entry-{self.entry} ({self.request})"
        return self.input

    def shifted(self, lines: int) -> Origin:
        return self if not lines or self.line is None else self.at_line(self.line + lines)

    def at_line(self, line: int) -> Origin:
        """This origin at ``line``, as ``replace(self, line=line)`` without its cost (per JSON Lines line)."""
        return Origin(self.input, self.path, line, self.entry, self.request, self.status, self.body_relative)


@dataclass(frozen=True)
class Payload:
    """Bytes to validate, or the finding that says why there are none."""

    origin: Origin
    data: bytes = b""
    line_shift: int = 0  # lines before the payload in its file: added to finding lines
    problem: Finding | None = None
    content_type: str | None = None
    # credentials of the captured request (token, cookies): blanked from whatever is reported
    secrets: tuple[str, ...] = field(default=(), repr=False)

    @property
    def http_error(self) -> bool:
        return self.origin.status is not None and self.origin.status >= 400


def problem(origin: Origin, code: str, message: str) -> Payload:
    return Payload(origin, problem=finding(code, "", message))


def read(item: Input, stdin: BinaryIO | None = None, limits: Limits = DEFAULT_LIMITS) -> Iterator[Payload]:
    """Every payload of one input, in order; JSON Lines are streamed."""
    origin = Origin(item.label, item.path)
    if item.problem is not None:
        yield problem(origin, UNREADABLE, f"{_shown(item.label)}: {item.problem}")
        return
    if item.format == "jsonl":
        yield from _jsonl(item, stdin, limits)
        return
    try:
        data = _read_all(item, stdin, limits)
    except TooLarge as exc:
        yield problem(origin, TOO_LARGE, f"{_shown(item.label)}: {exc}")
        return
    except OSError as exc:
        yield problem(origin, UNREADABLE, f"cannot read {_shown(item.label)}: {_reason(exc)}")
        return
    yield from payloads_of(origin, data, item.format, limits.max_bytes)


def payloads_of(
    origin: Origin, data: bytes, input_format: InputFormat | None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Payload]:
    """The payloads in the bytes of a whole input, by format (None: by content)."""
    if input_format == "har" or (input_format is None and _HAR_START.match(data)):
        yield from read_har(origin, data, max_bytes)
    elif input_format == "http" or (input_format is None and data.startswith(b"HTTP/")):
        yield read_http(origin, data, max_bytes)
    else:
        yield Payload(origin, data)


def is_stream(path: str) -> bool:
    """Whether ``path`` is a FIFO or a device (read as a stream), not a regular file or directory."""
    try:
        mode = Path(path).stat().st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _read_all(item: Input, stdin: BinaryIO | None, limits: Limits) -> bytes:
    if item.path is None:
        return _read_bounded(_stdin(stdin), limits.max_bytes, "standard input")
    with open_input(item.path, limits) as handle:
        return _read_bounded(handle, limits.max_bytes, "the file")


def _read_bounded(handle: BinaryIO, limit: int, what: str) -> bytes:
    """All of ``handle``, or TooLarge without holding more than ``limit`` + 1 bytes."""
    try:
        info = os.fstat(handle.fileno())
        size: int | None = info.st_size
        regular = stat.S_ISREG(info.st_mode)
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        size, regular = None, False
    if regular and size is not None and size > limit:
        raise TooLarge(what, size, limit)  # known from its size: not a byte is read
    # read(n) allocates n bytes before reading: ask a regular file for one byte more than its
    # size, and for the rest (up to the limit) only if it grew since fstat.
    want = limit + 1 if not regular or size is None else size + 1
    data = handle.read(want)
    if len(data) == want <= limit:
        data += handle.read(limit + 1 - want)
    if len(data) > limit:
        raise TooLarge(what, size if regular else None, limit)
    return data


def open_input(path: str, limits: Limits = DEFAULT_LIMITS) -> BinaryIO:
    """Open a file named as an input for reading, without ever blocking the run.

    A regular file opens as usual. A FIFO (``mkfifo``, or ``<(command)`` in a shell) or a
    character device is read as a stream: the run waits at most ``limits.pipe_timeout`` seconds
    for each next chunk (a FIFO nobody writes to would otherwise block forever), and then
    reports the input as unreadable. Opening never waits for a writer.
    """
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISREG(mode) or stat.S_ISDIR(mode) or not _can_poll():
            if hasattr(os, "set_blocking"):
                os.set_blocking(descriptor, True)
            return os.fdopen(descriptor, "rb")
        return io.BufferedReader(_PatientReader(descriptor, limits.pipe_timeout))
    except BaseException:
        os.close(descriptor)
        raise


def _can_poll() -> bool:
    import select

    return hasattr(select, "poll") and hasattr(os, "set_blocking")  # not on Windows


class InputStalled(OSError):
    """Nothing arrived from a FIFO or device within the pipe timeout."""


class _PatientReader(io.RawIOBase):
    """A FIFO or device read in non-blocking mode, waiting at most ``timeout`` s for each chunk."""

    def __init__(self, descriptor: int, timeout: float) -> None:
        super().__init__()
        self.descriptor = descriptor
        self.timeout = timeout

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.descriptor

    def readinto(self, buffer: Any) -> int:
        import select

        # On Linux, poll on a FIFO that no writer has opened yet waits (no POLLHUP), so a
        # writer that comes late is still read; one that never comes ends in the timeout.
        poller = select.poll()
        poller.register(self.descriptor, select.POLLIN)
        while True:
            if not poller.poll(max(0, int(self.timeout * 1000))):
                raise InputStalled(
                    errno.ETIMEDOUT,
                    f"nothing arrived for {self.timeout:g} s (a FIFO or device that nobody writes to; "
                    "--pipe-timeout sets the wait)",
                )
            try:
                data = os.read(self.descriptor, len(buffer))
            except BlockingIOError:
                continue
            buffer[: len(data)] = data
            return len(data)

    def close(self) -> None:
        if not self.closed:
            os.close(self.descriptor)
        super().close()


def _size(count: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{count} bytes"


def _stdin(stdin: BinaryIO | None) -> BinaryIO:
    import sys

    return stdin if stdin is not None else sys.stdin.buffer


def _shown(label: str) -> str:
    """A label quoted for a message: one line, bytes of a non-UTF-8 file name as ``\\xNN``."""
    return _SURROGATE_ESCAPE.sub(r"\1\\x\2", repr(label))


# JSON Lines --------------------------------------------------------------------------------


def _jsonl(item: Input, stdin: BinaryIO | None, limits: Limits = DEFAULT_LIMITS) -> Iterator[Payload]:
    origin = Origin(item.label, item.path)
    if item.path is None:
        yield from _jsonl_lines(origin, _bounded_lines(_stdin(stdin), limits.max_bytes), 0)
        return
    try:
        handle = open_input(item.path, limits)
    except OSError as exc:
        yield problem(origin, UNREADABLE, f"cannot read {_shown(item.label)}: {_reason(exc)}")
        return
    with handle:
        lines = _bounded_lines(handle, limits.max_bytes)
        number = 0
        try:
            for payload in _jsonl_lines(origin, lines, 0):
                number = payload.origin.line or number
                yield payload
        except OSError as exc:  # a FIFO gone silent, an I/O error: the lines read so far stand
            where = f" after line {number}" if number else ""
            yield problem(origin, UNREADABLE, f"cannot read {_shown(item.label)}{where}: {_reason(exc)}")


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
            yield problem(origin, UNREADABLE, f"cannot read {_shown(item.label)}: {_reason(exc)}")
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
            yield problem(origin.at_line(number), TOO_LARGE, f"{_shown(origin.input)}: {too_large}")
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


# HTTP responses saved with their head (curl -i) ----------------------------------------------


class _Head(NamedTuple):
    status: int
    headers: dict[str, str]
    body_start: int


def read_http(origin: Origin, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Payload:
    """The body of a response saved with its head; positions stay those of the file."""
    head = _final_head(data)
    if isinstance(head, str):
        return problem(origin, NOT_A_CAPTURE, f"{_shown(origin.label)} is not an HTTP capture: {head}")
    origin = replace(origin, status=head.status)
    body = data[head.body_start :]
    try:
        decoded = _decoded(body, head.headers.get("content-encoding", ""), max_bytes)
    except TooLarge as exc:
        return problem(origin, TOO_LARGE, f"{_shown(origin.label)}: {exc}")
    if isinstance(decoded, str):
        return problem(origin, ENTRY_UNUSABLE, f"response body cannot be read: {decoded}")
    if decoded is not body:
        return Payload(
            replace(origin, body_relative=True), decoded, 0, None, head.headers.get("content-type")
        )
    shift = data.count(b"\n", 0, head.body_start)
    return Payload(origin, body, shift, None, head.headers.get("content-type"))


def _final_head(data: bytes) -> _Head | str:
    """The head of the last response (interim 1xx, redirects and proxy CONNECT heads skipped)."""
    position = 0
    head: _Head | None = None
    while head is None or data.startswith(b"HTTP/", position):
        status_line = _STATUS_LINE.match(data, position)
        if status_line is None:
            return "it does not start with an HTTP status line (HTTP/1.1 200 OK)"
        blank = _BLANK_LINE.search(data, position)  # the first blank line: linear over many heads
        if blank is None:
            return "no blank line ends the HTTP head"
        end = blank.start()
        separator = 4 if data.startswith(b"\r\n\r\n", end) else 2
        head = _Head(int(status_line.group(1)), _headers(data[status_line.end() : end]), end + separator)
        position = head.body_start
    return head


def _headers(block: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    for raw in block.splitlines():
        name, sep, value = raw.decode("latin-1").partition(":")
        if sep and name.strip().lower() in ("content-type", "content-encoding"):
            headers[name.strip().lower()] = value.strip()
    return headers


def _decoded(body: bytes, content_encoding: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes | str:
    """The body with a gzip/deflate content encoding removed (the same bytes when there is none).

    Decompression stops at ``max_bytes`` (a small body can inflate to gigabytes): TooLarge.
    """
    encoding = content_encoding.strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate") or body.startswith(_GZIP_MAGIC):
        window = 47 if encoding != "deflate" else 15  # 47: gzip or zlib header, detected
        try:
            inflater = zlib.decompressobj(window)
            out = inflater.decompress(body, max_bytes + 1)
        except zlib.error as exc:
            if encoding in ("", "identity"):
                return body
            return f"{encoding} content encoding does not decode ({exc})"
        if len(out) > max_bytes:
            raise TooLarge("the decompressed response body", None, max_bytes)
        return out
    if encoding in ("", "identity"):
        return body
    return f"content encoding {encoding!r} is not supported"


# HAR captures ------------------------------------------------------------------------------


def read_har(origin: Origin, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Payload]:
    """One payload per captured GET response of the image API, in capture order."""
    import orjson

    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        har = orjson.loads(body)
    except orjson.JSONDecodeError:
        # orjson also refuses what is only odd (a lone surrogate escape or 1e400 somewhere in an
        # unrelated entry): the exact parser decides whether the capture can be read at all.
        from glance_validate.text.parse import NO_VALUE, parse_text

        har = parse_text(body).value
        if har is NO_VALUE:
            yield Payload(origin, data)  # validation reports the broken JSON with its position
            return
    log = har.get("log") if isinstance(har, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        yield problem(
            origin, NOT_A_CAPTURE, f"{_shown(origin.label)} is not a HAR capture: no log.entries array"
        )
        return
    checked = 0
    for index, entry in enumerate(entries):
        payload = _har_entry(origin, index, entry, max_bytes)
        if payload is not None:
            checked += 1
            yield payload
    if not checked:
        yield problem(
            origin,
            NOTHING_TO_CHECK,
            f"capture holds {len(entries)} entries and no response to GET /v2/images, "
            "/v2/images/{id}, /v2/schemas/images or /v2/schemas/image",
        )


def _har_entry(har: Origin, index: int, entry: object, max_bytes: int = DEFAULT_MAX_BYTES) -> Payload | None:
    request = _member(entry, "request")
    method, url = request.get("method"), request.get("url")
    if not isinstance(method, str) or method.upper() != "GET" or not isinstance(url, str):
        return None
    target = image_api_target(url)
    if target is None:
        return None
    response = _member(entry, "response")
    status = response.get("status")
    secrets = _request_secrets(request)  # a cookie may be an image id in the path: blanked there too
    origin = replace(
        har, entry=index, request=Secrets.of(*secrets).redact(f"GET {target}"), body_relative=True
    )
    if not isinstance(status, int) or isinstance(status, bool) or status == 0:
        return problem(origin, ENTRY_UNUSABLE, "no response was recorded for this request")
    origin = replace(origin, status=status)
    if 100 <= status < 200 or 300 <= status < 400:
        return None  # interim responses, redirects and 304 Not Modified carry no payload
    content = _member(response, "content")
    try:
        body = _har_body(content, _response_header(response, "content-encoding"), max_bytes)
    except TooLarge as exc:
        return problem(origin, TOO_LARGE, str(exc))
    if isinstance(body, str):
        return problem(origin, ENTRY_UNUSABLE, body)
    mime = content.get("mimeType")
    return Payload(origin, body, content_type=mime if isinstance(mime, str) else None, secrets=secrets)


def _request_secrets(request: dict[str, Any]) -> tuple[str, ...]:
    """The credentials a captured request carried: a server may echo them in its response.

    Values of headers and query parameters whose names suggest a credential, the credential of
    ``Authorization``, every cookie, and the password of the URL.
    """
    from urllib.parse import parse_qsl, urlsplit

    found: list[str] = []
    for header in _list(request.get("headers")):
        if not isinstance(header, dict) or not isinstance(header.get("value"), str):
            continue
        name, value = str(header.get("name", "")).lower(), header["value"]
        if name == "cookie":
            found.extend(part.partition("=")[2].strip() for part in value.split(";"))
        elif CREDENTIAL_NAME.search(name):
            found.extend((value.strip(), value.strip().rpartition(" ")[2]))
    for cookie in _list(request.get("cookies")):
        if isinstance(cookie, dict) and isinstance(cookie.get("value"), str):
            found.append(cookie["value"])
    url = request.get("url")
    try:
        parts = urlsplit(url) if isinstance(url, str) else None
        password = parts.password if parts is not None else None
    except ValueError:
        parts, password = None, None
    if password:
        found.append(password)
    if parts is not None:
        found.extend(v for k, v in parse_qsl(parts.query) if CREDENTIAL_NAME.search(k))
    for item in _list(request.get("queryString")):
        if isinstance(item, dict) and CREDENTIAL_NAME.search(str(item.get("name", ""))):
            found.append(str(item.get("value", "")))
    return tuple(sorted({s for s in found if len(s) >= MIN_SECRET}, key=len, reverse=True))


def _har_body(
    content: dict[str, Any], content_encoding: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> bytes | str:
    text, encoding = content.get("text"), content.get("encoding")
    if text is None:
        size = content.get("size")
        if isinstance(size, int) and size <= 0:
            return b""
        recorded = f" ({size} bytes)" if isinstance(size, int) and not isinstance(size, bool) else ""
        return f"the response body{recorded} was not recorded in the capture"
    if not isinstance(text, str):
        return "response.content.text is not a string"
    if encoding == "base64":
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return "response.content.text is not valid base64"
        return _decoded(raw, content_encoding, max_bytes)
    if encoding not in (None, ""):
        return f"response.content.encoding {encoding!r} is not supported"
    return text.encode("utf-8", "surrogatepass")


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _member(value: object, key: str) -> dict[str, Any]:
    child = value.get(key) if isinstance(value, dict) else None
    return child if isinstance(child, dict) else {}


def _response_header(response: dict[str, Any], name: str) -> str:
    headers = response.get("headers")
    if not isinstance(headers, list):
        return ""
    for header in headers:
        if isinstance(header, dict) and str(header.get("name", "")).lower() == name:
            return str(header.get("value", ""))
    return ""


def image_api_target(url: str) -> str | None:
    """``/v2/images?limit=2`` for a URL of the image API worth checking, else None.

    The scheme, host and user information are dropped; query values whose names suggest a
    credential are masked.
    """
    from urllib.parse import parse_qsl, urlencode, urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if _IMAGE_API_PATH.search(parts.path) is None:
        return None
    if not parts.query:
        return parts.path
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    masked = [(k, "***" if CREDENTIAL_NAME.search(k) else v) for k, v in pairs]
    return f"{parts.path}?{urlencode(masked, safe='/:,*')}"
