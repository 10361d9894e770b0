"""JSON Lines recognised by content, for streams whose name cannot say (standard input, FIFOs).

``cat fleet.jsonl | glance-validate -`` and ``glance-validate <(zcat pages.jsonl.gz)`` carry
no file name: the first chunk of the stream is looked at, and several JSON values, one per
line (a complete value on the first line, then a line starting another object or array), make
the stream JSON Lines. The bytes looked at are handed on, so nothing is read twice.
"""

from __future__ import annotations

import io
import json
from typing import Any, BinaryIO

_CHUNK = 1 << 16
_BLANK = b" \t\r\n"


def head_of(handle: BinaryIO, limit: int) -> bytes:
    """The first bytes of ``handle``: enough to see a line break followed by more text.

    Stops at the end of the stream, or past ``limit`` bytes (a first line that long is not
    JSON Lines anyway, and the reader after this one refuses it).
    """
    read = getattr(handle, "read1", handle.read)
    head = bytearray()
    while len(head) <= limit:
        line_end = head.find(b"\n")
        if line_end >= 0 and head[line_end:].strip(_BLANK):
            break
        chunk = read(_CHUNK)
        if not chunk:
            break
        head += chunk
    return bytes(head)


def looks_like_json_lines(head: bytes) -> bool:
    """Whether ``head`` starts with a JSON value on its own line, followed by another value's line."""
    first, newline, rest = head.partition(b"\n")
    following = rest.lstrip(_BLANK)
    if not newline or not following.startswith((b"{", b"[")):
        return False
    try:
        json.loads(first)
    except ValueError:  # UnicodeDecodeError included
        return False
    return True


def joined(head: bytes, handle: BinaryIO) -> BinaryIO:
    """``head`` then the rest of ``handle``, as one stream (``read1`` included)."""
    return io.BufferedReader(_Joined(head, handle), 1 << 20)


class _Joined(io.RawIOBase):
    """Bytes already read, then the stream they came from (which stays open: its owner closes it)."""

    def __init__(self, head: bytes, handle: BinaryIO) -> None:
        super().__init__()
        self.head = memoryview(head)
        self.handle = handle
        self.read_rest = getattr(handle, "read1", handle.read)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.head:
            size = min(len(buffer), len(self.head))
            buffer[:size] = self.head[:size]
            self.head = self.head[size:]
            return size
        data = self.read_rest(len(buffer))
        buffer[: len(data)] = data
        return len(data)
