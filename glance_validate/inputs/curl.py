"""HTTP responses saved with their head (``curl -i``): status line, headers, a blank line, the body.

Interim ``1xx`` heads, redirects and proxy ``CONNECT`` heads before the final response are
skipped. The body is the payload; its positions stay those of the file unless a content
encoding or a chunked transfer encoding (saved raw, with its chunk sizes) had to be removed.
``decoded_body`` (gzip, deflate) serves HAR captures too: a body that does not decompress, or
ends before its compressed data does, is reported as such rather than read as JSON.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import replace
from typing import NamedTuple

from glance_validate.inputs.payloads import (
    ENTRY_UNUSABLE,
    NOT_A_CAPTURE,
    TOO_LARGE,
    Origin,
    Payload,
    not_json_by_type,
    problem,
    shown,
)
from glance_validate.inputs.reading import DEFAULT_MAX_BYTES, TooLarge

_STATUS_LINE = re.compile(rb"HTTP/[0-9](?:\.[0-9])? ([0-9]{3})(?: [^\r\n]*)?\r?\n")
_BLANK_LINE = re.compile(rb"\r\n\r\n|\n\n")
_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK_SIZE_LINE = re.compile(rb"([0-9A-Fa-f]{1,16})(?:;[^\r\n]*)?\r?\n")


class _Head(NamedTuple):
    status: int
    headers: dict[str, str]
    body_start: int


def read_http(origin: Origin, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Payload:
    """The body of a response saved with its head; positions stay those of the file."""
    head = _final_head(data)
    if isinstance(head, str):
        return problem(origin, NOT_A_CAPTURE, f"{shown(origin.label)} is not an HTTP capture: {head}")
    origin = replace(origin, status=head.status)
    skipped = not_json_by_type(origin, head.headers.get("content-type"))
    if skipped is not None:
        return skipped
    body = data[head.body_start :]
    framed = "chunked" in head.headers.get("transfer-encoding", "").lower()
    if framed and _CHUNK_SIZE_LINE.match(body):
        dechunked = _dechunked(body)
        if isinstance(dechunked, str):
            return problem(origin, ENTRY_UNUSABLE, f"response body cannot be read: {dechunked}")
        body = dechunked
    else:
        framed = False  # marked chunked but saved without the framing (curl -i removes it)
    try:
        decoded = decoded_body(body, head.headers.get("content-encoding", ""), max_bytes)
    except TooLarge as exc:
        return problem(origin, TOO_LARGE, f"{shown(origin.label)}: {exc}")
    if isinstance(decoded, str):
        return problem(origin, ENTRY_UNUSABLE, f"response body cannot be read: {decoded}")
    if decoded is not body or framed:
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
        if sep and name.strip().lower() in ("content-type", "content-encoding", "transfer-encoding"):
            headers[name.strip().lower()] = value.strip()
    return headers


def decoded_body(body: bytes, content_encoding: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes | str:
    """The body with a gzip/deflate content encoding removed (the same bytes when there is none).

    Decompression stops at ``max_bytes`` (a small body can inflate to gigabytes): TooLarge.
    """
    encoding = content_encoding.strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate") or body.startswith(_GZIP_MAGIC):
        window = 47 if encoding != "deflate" else 15  # 47: gzip or zlib header, detected
        name = encoding if encoding not in ("", "identity") else "gzip"
        try:
            inflater = zlib.decompressobj(window)
            out = inflater.decompress(body, max_bytes + 1)
        except zlib.error as exc:
            if encoding in ("", "identity"):
                return body
            return f"the body is marked {name} but does not decompress: {str(exc).rpartition(': ')[2]}"
        if len(out) > max_bytes:
            raise TooLarge("the decompressed response body", None, max_bytes)
        if not inflater.eof:
            return (
                f"the body is marked {name} but is truncated: it ends before its compressed data "
                "does (an interrupted transfer, or a capture cut short)"
            )
        return out
    if encoding in ("", "identity"):
        return body
    return f"content encoding {encoding!r} is not supported"


def _dechunked(body: bytes) -> bytes | str:
    """A body saved in chunked transfer framing (chunk sizes in hex) without the framing.

    The reason in words when the framing is broken or ends before its last (zero-size) chunk.
    """
    out = bytearray()
    position = 0
    while True:
        size_line = _CHUNK_SIZE_LINE.match(body, position)
        if size_line is None and position == len(body):
            return (
                "the body is marked chunked (Transfer-Encoding) but is truncated: "
                "it ends before its last (zero-size) chunk"
            )
        if size_line is None:
            return (
                "the body is marked chunked (Transfer-Encoding) but has no chunk size line "
                f"at byte {position} of the body"
            )
        size = int(size_line.group(1), 16)
        start = size_line.end()
        if size == 0:
            return bytes(out)
        end = start + size
        if end > len(body):
            return (
                "the body is marked chunked (Transfer-Encoding) but is truncated: "
                f"a chunk of {size} bytes at byte {position} of the body ends past its end"
            )
        out += body[start:end]
        line_end = re.compile(rb"\r?\n").match(body, end)
        if line_end is None:
            return (
                "the body is marked chunked (Transfer-Encoding) but a chunk of "
                f"{size} bytes at byte {position} of the body is not followed by a line break"
            )
        position = line_end.end()
