"""Bytes to text: JSON text must be UTF-8, without a byte order mark.

A UTF-8 byte order mark is reported (kind ``"bom"``, harmless) and skipped, so
it is not counted as a column.  UTF-16 and UTF-32 text, recognised by its byte
order mark or by the NUL bytes of its first two characters, and bytes that are
not UTF-8 are reported with kind ``"invalid-utf8"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from glance_validate.text.lines import Lines
from glance_validate.text.values import TextProblem

__all__ = ["BOM_UTF8", "Undecodable", "decode"]

BOM_UTF8: Final = b"\xef\xbb\xbf"

_FOREIGN_BOMS: Final = (
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
    (b"\xff\xfe", "UTF-16 (little-endian)"),
    (b"\xfe\xff", "UTF-16 (big-endian)"),
)


@dataclass(frozen=True, slots=True)
class Undecodable:
    """Bytes that are not UTF-8 text: the problem (pointer still empty) and the text before it."""

    problem: TextProblem
    prefix: str


def decode(data: bytes, problems: list[TextProblem]) -> str | Undecodable:
    """Decode ``data``; a UTF-8 byte order mark is reported into ``problems`` and skipped."""
    foreign = _foreign_encoding(data)
    if foreign:
        return Undecodable(TextProblem("invalid-utf8", foreign, 1, 1, ""), "")
    body = data
    if data.startswith(BOM_UTF8):
        problems.append(
            TextProblem(
                "bom",
                "the file starts with a UTF-8 byte order mark; JSON text must not begin with a BOM",
                1,
                1,
                "",
            )
        )
        body = data[3:]
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as err:
        return _undecodable(body, err)


def _foreign_encoding(data: bytes) -> str:
    """The message for UTF-16 or UTF-32 text, or "" when ``data`` does not look like it."""
    for bom, name in _FOREIGN_BOMS:
        if data.startswith(bom):
            return (
                f"the file starts with a {name} byte order mark, so it looks {name.split()[0]} "
                "encoded; JSON text must be UTF-8"
            )
    if _looks_utf16_or_utf32(data):
        return (
            "the file has NUL bytes at the start, so it looks UTF-16 or UTF-32 encoded; "
            "JSON text must be UTF-8"
        )
    return ""


def _looks_utf16_or_utf32(data: bytes) -> bool:
    """The RFC 4627 signature of UTF-16/32 text without a BOM.

    A JSON text starts with two ASCII characters, so NUL bytes in these
    places of an even-length input mean UTF-16 or UTF-32 encoding.
    """
    if len(data) < 4 or len(data) % 2:
        return False
    b0, b1, b2, b3 = data[0], data[1], data[2], data[3]
    return (
        (b0 == 0 and b1 == 0 and b2 == 0 and b3 != 0)  # UTF-32BE
        or (b0 == 0 and b1 != 0 and b2 == 0 and b3 != 0)  # UTF-16BE
        or (b0 != 0 and b1 == 0 and b2 == 0 and b3 == 0)  # UTF-32LE
        or (b0 != 0 and b1 == 0 and b2 != 0 and b3 == 0)  # UTF-16LE
    )


def _undecodable(body: bytes, err: UnicodeDecodeError) -> Undecodable:
    """The problem at the first byte that is not UTF-8."""
    prefix = body[: err.start].decode("utf-8")
    line, column = Lines(prefix).position(len(prefix))
    bad = body[err.start]
    if err.end >= len(body) and "end" in str(err.reason):
        message = (
            f"incomplete UTF-8 sequence starting with byte 0x{bad:02X} at the end of input; "
            "JSON text must be valid UTF-8"
        )
    else:
        message = f"invalid UTF-8 byte 0x{bad:02X}; JSON text must be valid UTF-8"
    return Undecodable(TextProblem("invalid-utf8", message, line, column, ""), prefix)
