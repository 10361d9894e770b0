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
import fnmatch
import os
import re
import stat
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO, Literal, NamedTuple

from glance_validate.catalog import finding
from glance_validate.findings import Finding

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
NOT_A_CAPTURE = "P020"
ENTRY_UNUSABLE = "P021"
NOTHING_TO_CHECK = "P022"

_HAR_START = re.compile(rb"\A(?:\xef\xbb\xbf)?[ \t\r\n]*\{[ \t\r\n]*\"log\"[ \t\r\n]*:")
_STATUS_LINE = re.compile(rb"HTTP/[0-9](?:\.[0-9])? ([0-9]{3})(?: [^\r\n]*)?\r?\n")
_IMAGE_API_PATH = re.compile(r"/v2/(?:images(?:/[^/]+)?|schemas/images?)/?$")
_SECRET_QUERY_NAME = re.compile(r"token|auth|key|secret|passw|signature|credential|session|sig$", re.I)
_GZIP_MAGIC = b"\x1f\x8b"
MAX_DECOMPRESSED = 512 * 1024 * 1024


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
        if arg == "-":
            items: Iterator[Input] | list[Input] = [stdin_input(input_format)]
        elif Path(arg).is_dir():
            items = _walk(arg, patterns, tuple(exclude), input_format)
        else:
            items = [Input(arg, arg, input_format or format_of(arg))]
        before = len(found)
        for item in items:
            key = STDIN_LABEL if item.path is None else os.path.normpath(item.path)
            if key not in seen:
                seen.add(key)
                found.append(item)
        if notes is not None and len(found) == before and arg != "-" and Path(arg).is_dir():
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
        return self if not lines or self.line is None else replace(self, line=self.line + lines)


@dataclass(frozen=True)
class Payload:
    """Bytes to validate, or the finding that says why there are none."""

    origin: Origin
    data: bytes = b""
    line_shift: int = 0  # lines before the payload in its file: added to finding lines
    problem: Finding | None = None
    content_type: str | None = None

    @property
    def http_error(self) -> bool:
        return self.origin.status is not None and self.origin.status >= 400


def problem(origin: Origin, code: str, message: str) -> Payload:
    return Payload(origin, problem=finding(code, "", message))


def read(item: Input, stdin: BinaryIO | None = None) -> Iterator[Payload]:
    """Every payload of one input, in order; JSON Lines are streamed."""
    origin = Origin(item.label, item.path)
    if item.problem is not None:
        yield problem(origin, UNREADABLE, f"{_shown(item.label)}: {item.problem}")
        return
    if item.format == "jsonl":
        yield from _jsonl(item, stdin)
        return
    try:
        data = _read_all(item, stdin)
    except OSError as exc:
        yield problem(origin, UNREADABLE, f"cannot read {_shown(item.label)}: {_reason(exc)}")
        return
    yield from payloads_of(origin, data, item.format)


def payloads_of(origin: Origin, data: bytes, input_format: InputFormat | None) -> Iterator[Payload]:
    """The payloads in the bytes of a whole input, by format (None: by content)."""
    if input_format == "har" or (input_format is None and _HAR_START.match(data)):
        yield from read_har(origin, data)
    elif input_format == "http" or (input_format is None and data.startswith(b"HTTP/")):
        yield read_http(origin, data)
    else:
        yield Payload(origin, data)


def _read_all(item: Input, stdin: BinaryIO | None) -> bytes:
    if item.path is None:
        return _stdin(stdin).read()
    with Path(item.path).open("rb") as handle:
        return handle.read()


def _stdin(stdin: BinaryIO | None) -> BinaryIO:
    import sys

    return stdin if stdin is not None else sys.stdin.buffer


def _shown(label: str) -> str:
    return repr(label)


# JSON Lines --------------------------------------------------------------------------------


def _jsonl(item: Input, stdin: BinaryIO | None) -> Iterator[Payload]:
    origin = Origin(item.label, item.path)
    if item.path is None:
        yield from _jsonl_lines(origin, iter(_stdin(stdin)), 0)
        return
    try:
        handle = Path(item.path).open("rb")  # noqa: SIM115 - closed below, after streaming
    except OSError as exc:
        yield problem(origin, UNREADABLE, f"cannot read {_shown(item.label)}: {_reason(exc)}")
        return
    with handle:
        yield from _jsonl_lines(origin, iter(handle), 0)


class LineCount:
    """How many lines a read of JSON Lines went through (blank ones included)."""

    __slots__ = ("lines",)

    def __init__(self) -> None:
        self.lines = 0


def read_jsonl_range(item: Input, start: int, end: int, count: LineCount) -> Iterator[Payload]:
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
                position += len(handle.readline())  # the rest of a line owned by the range before
        yield from _jsonl_lines(origin, _lines_until(handle, position, end), 0, count)


def _lines_until(handle: BinaryIO, position: int, end: int) -> Iterator[bytes]:
    while position < end:
        line = handle.readline()
        if not line:
            return
        position += len(line)
        yield line


def _jsonl_lines(
    origin: Origin, lines: Iterator[bytes], before: int, count: LineCount | None = None
) -> Iterator[Payload]:
    number = before
    for line in lines:
        number += 1
        if count is not None:
            count.lines = number - before
        if line.strip():
            body = line.rstrip(b"\r\n")  # the line break ends the line, not the payload
            yield Payload(replace(origin, line=number), body, line_shift=number - 1)


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


def read_http(origin: Origin, data: bytes) -> Payload:
    """The body of a response saved with its head; positions stay those of the file."""
    head = _final_head(data)
    if isinstance(head, str):
        return problem(origin, NOT_A_CAPTURE, f"{_shown(origin.label)} is not an HTTP capture: {head}")
    origin = replace(origin, status=head.status)
    body = data[head.body_start :]
    decoded = _decoded(body, head.headers.get("content-encoding", ""))
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
        ends = [i for i in (data.find(b"\r\n\r\n", position), data.find(b"\n\n", position)) if i >= 0]
        if not ends:
            return "no blank line ends the HTTP head"
        end = min(ends)
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


def _decoded(body: bytes, content_encoding: str) -> bytes | str:
    """The body with a gzip/deflate content encoding removed (the same bytes when there is none)."""
    encoding = content_encoding.strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate") or body.startswith(_GZIP_MAGIC):
        window = 47 if encoding != "deflate" else 15  # 47: gzip or zlib header, detected
        try:
            inflater = zlib.decompressobj(window)
            out = inflater.decompress(body, MAX_DECOMPRESSED)
        except zlib.error as exc:
            if encoding in ("", "identity"):
                return body
            return f"{encoding} content encoding does not decode ({exc})"
        if inflater.unconsumed_tail:
            return f"decompressed body is larger than {MAX_DECOMPRESSED // (1024 * 1024)} MiB"
        return out
    if encoding in ("", "identity"):
        return body
    return f"content encoding {encoding!r} is not supported"


# HAR captures ------------------------------------------------------------------------------


def read_har(origin: Origin, data: bytes) -> Iterator[Payload]:
    """One payload per captured GET response of the image API, in capture order."""
    import orjson

    try:
        har = orjson.loads(data[3:] if data.startswith(b"\xef\xbb\xbf") else data)
    except orjson.JSONDecodeError:
        yield Payload(origin, data)  # validation reports the broken JSON with its position
        return
    entries = har.get("log", {}).get("entries") if isinstance(har, dict) else None
    if not isinstance(entries, list) or not isinstance(har.get("log"), dict):
        yield problem(
            origin, NOT_A_CAPTURE, f"{_shown(origin.label)} is not a HAR capture: no log.entries array"
        )
        return
    checked = 0
    for index, entry in enumerate(entries):
        payload = _har_entry(origin, index, entry)
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


def _har_entry(har: Origin, index: int, entry: object) -> Payload | None:
    request = _member(entry, "request")
    method, url = request.get("method"), request.get("url")
    if not isinstance(method, str) or method.upper() != "GET" or not isinstance(url, str):
        return None
    target = image_api_target(url)
    if target is None:
        return None
    response = _member(entry, "response")
    status = response.get("status")
    origin = replace(har, entry=index, request=f"GET {target}", body_relative=True)
    if not isinstance(status, int) or isinstance(status, bool) or status == 0:
        return problem(origin, ENTRY_UNUSABLE, "no response was recorded for this request")
    origin = replace(origin, status=status)
    if 100 <= status < 200 or 300 <= status < 400:
        return None  # interim responses, redirects and 304 Not Modified carry no payload
    content = _member(response, "content")
    body = _har_body(content, _response_header(response, "content-encoding"))
    if isinstance(body, str):
        return problem(origin, ENTRY_UNUSABLE, body)
    mime = content.get("mimeType")
    return Payload(origin, body, content_type=mime if isinstance(mime, str) else None)


def _har_body(content: dict[str, Any], content_encoding: str) -> bytes | str:
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
        return _decoded(raw, content_encoding)
    if encoding not in (None, ""):
        return f"response.content.encoding {encoding!r} is not supported"
    return text.encode("utf-8", "surrogatepass")


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
    masked = [(k, "***" if _SECRET_QUERY_NAME.search(k) else v) for k, v in pairs]
    return f"{parts.path}?{urlencode(masked, safe='/:,*')}"
