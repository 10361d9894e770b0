"""Readers: the payloads of one input, by its format.

JSON Lines are streamed line by line (``jsonlines``); every other format is read whole, within
``Limits.max_bytes``, and handed to the reader that ``WHOLE_READERS`` names for it. An input
whose format its name does not tell is read as its content says: a HAR log, a response saved
with its head (``HTTP/``), else plain JSON.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import BinaryIO

from glance_validate.inputs import sniff
from glance_validate.inputs.discover import Input, InputFormat
from glance_validate.inputs.payloads import TOO_LARGE, UNREADABLE, Origin, Payload, problem, shown
from glance_validate.inputs.reading import (
    DEFAULT_LIMITS,
    Limits,
    TooLarge,
    is_compressed,
    is_stream,
    open_decompressed,
    open_stdin,
    read_bounded,
    reason,
)

_HAR_START = re.compile(rb"\A(?:\xef\xbb\xbf)?[ \t\r\n]*\{[ \t\r\n]*\"log\"[ \t\r\n]*:")

# The payloads in the bytes of a whole input, given the size limit of decompressed bodies.
WholeReader = Callable[[Origin, bytes, int], Iterator[Payload]]


# YAML's start: a document marker, a directive, a "key:" mapping or a "- " list, after comments.
_YAML_START = re.compile(
    rb"\A(?:\xef\xbb\xbf)?(?:[ \t\r\n]*#[^\n]*\n)*[ \t\r\n]*"
    rb"(?:---|%YAML|[A-Za-z_][\w.-]*[ \t]*:(?:[ \t\r\n]|\Z)|-[ \t])"
)
_JSON_START = re.compile(rb"\A(?:\xef\xbb\xbf)?[ \t\r\n]*(?:[{\[\"0-9-]|true|false|null)")
YAML_NOT_READ = (
    "the image API speaks JSON and YAML is not read; save the API's JSON response (curl) and check that"
)


def _plain_json(origin: Origin, data: bytes, max_bytes: int) -> Iterator[Payload]:
    if is_yaml(origin.input, data):
        yield problem(origin, "P001", f"{shown(origin.input)} is YAML, not JSON: {YAML_NOT_READ}")
        return
    yield Payload(origin, data)


def is_yaml(name: str, data: bytes) -> bool:
    """Whether an input is YAML rather than JSON: its content starts like YAML, or a .yaml/.yml
    name with content that does not start like a JSON value."""
    if _YAML_START.match(data):
        return True
    return name.lower().endswith((".yaml", ".yml")) and not _JSON_START.match(data)


# The readers of captures and JSON Lines are imported when an input needs them: a run over plain
# JSON files (the pre-commit hook's usual case) starts without them.


def _http_capture(origin: Origin, data: bytes, max_bytes: int) -> Iterator[Payload]:
    from glance_validate.inputs.curl import read_http

    yield read_http(origin, data, max_bytes)


def _har_capture(origin: Origin, data: bytes, max_bytes: int) -> Iterator[Payload]:
    from glance_validate.inputs.har import read_har

    yield from read_har(origin, data, max_bytes)


WHOLE_READERS: dict[InputFormat, WholeReader] = {
    "json": _plain_json,
    "har": _har_capture,
    "http": _http_capture,
}


def content_format(data: bytes) -> InputFormat:
    """The format the content of an input says, for an input whose name does not tell."""
    if _HAR_START.match(data):
        return "har"
    if data.startswith(b"HTTP/"):
        return "http"
    return "json"


def read(item: Input, stdin: BinaryIO | None = None, limits: Limits = DEFAULT_LIMITS) -> Iterator[Payload]:
    """Every payload of one input, in order; JSON Lines are streamed.

    A stream or compressed file whose name does not tell its format is JSON Lines when its
    first chunk says so (``sniff``), else read whole and read as its content says.
    """
    origin = Origin(item.label, item.path)
    if item.problem is not None:
        yield problem(origin, UNREADABLE, f"{shown(item.label)}: {item.problem}")
        return
    if item.format == "jsonl":
        from glance_validate.inputs.jsonlines import read_jsonl

        yield from read_jsonl(item, stdin, limits)
        return
    try:
        handle = _opened(item, stdin, limits)
    except OSError as exc:
        yield problem(origin, UNREADABLE, f"cannot read {shown(item.label)}: {reason(exc)}")
        return
    try:
        yield from _read_opened(item, origin, handle, limits)
    finally:
        if item.path is not None:
            handle.close()


def _opened(item: Input, stdin: BinaryIO | None, limits: Limits) -> BinaryIO:
    if item.path is None:
        return open_stdin(stdin, limits.pipe_timeout)
    return open_decompressed(item.path, limits)


def _read_opened(item: Input, origin: Origin, handle: BinaryIO, limits: Limits) -> Iterator[Payload]:
    what = "standard input" if item.path is None else "the file"
    if item.path is not None and is_compressed(item.path):
        what = "the decompressed file"
    try:
        if item.format is None and (item.path is None or is_stream(item.path) or is_compressed(item.path)):
            head = sniff.head_of(handle, limits.max_bytes)
            handle = sniff.joined(head, handle)
            if sniff.looks_like_json_lines(head):
                from glance_validate.inputs.jsonlines import read_jsonl_stream

                yield from read_jsonl_stream(origin, handle, limits.max_bytes)
                return
        data = read_bounded(handle, limits.max_bytes, what)
    except TooLarge as exc:
        yield problem(origin, TOO_LARGE, f"{shown(item.label)}: {exc}")
        return
    except OSError as exc:
        yield problem(origin, UNREADABLE, f"cannot read {shown(item.label)}: {reason(exc)}")
        return
    found = item.format or content_format(data)
    if found == "json" and item.format is None and (item.path is None or is_stream(item.path)):
        yield Payload(origin, data, streamed=True)  # a P001 "extra data" then hints at JSON Lines
        return
    yield from WHOLE_READERS[found](origin, data, limits.max_bytes)
