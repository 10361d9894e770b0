"""Reading single JSON tokens (strings, object keys, numbers) and describing bad characters.

Runs of text are consumed with compiled regular expressions, so the exact
parser (:mod:`glance_validate.text.exact`) and :mod:`~glance_validate.text.locate`
loop in Python once per token, not once per character.  A malformed token
raises :class:`ParseFailure` with the offset of the problem and a message
that says what was found and what was expected.
"""

from __future__ import annotations

import re
import sys
from typing import Final

from glance_validate.core.secrets import clip

__all__ = [
    "DIGITS",
    "NEXT_SIMPLE_KEY",
    "NUMBER",
    "NUMBER_FOLLOW",
    "SIMPLE_KEY",
    "SIMPLE_STRING",
    "WORD",
    "WS",
    "WS_CHARS",
    "ParseFailure",
    "big_int",
    "check_number_end",
    "int_limit",
    "read_key",
    "scan_string",
    "show_char",
    "show_text",
    "unexpected",
]

WS_CHARS: Final = " \t\n\r"
WS: Final = re.compile(r"[ \t\n\r]*")
# A string without escapes or control characters (the common case).
SIMPLE_STRING: Final = re.compile(r'"([^"\\\x00-\x1f]*)"')
# Same, for an object key, consuming the ':' and the whitespace after it.
SIMPLE_KEY: Final = re.compile(r'"([^"\\\x00-\x1f]*)"[ \t\n\r]*:[ \t\n\r]*')
# A ',' and the SIMPLE_KEY after it: the next member of an object, in one match.
NEXT_SIMPLE_KEY: Final = re.compile(r'[ \t\n\r]*,[ \t\n\r]*"([^"\\\x00-\x1f]*)"[ \t\n\r]*:[ \t\n\r]*')
# RFC 8259 number; group 1 = fraction, group 2 = exponent.  [0-9], not \d,
# because \d also matches non-ASCII digits in str patterns.
NUMBER: Final = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
WORD: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Characters that may not follow a complete number token (each is diagnosed).
NUMBER_FOLLOW: Final = ".eE0123456789"
DIGITS: Final = "0123456789"

# One run of plain string characters followed by the character that ends it.
_STR_CHUNK: Final = re.compile(r'([^"\\\x00-\x1f]*)(["\\\x00-\x1f])')
_HEX4: Final = re.compile(r"[0-9a-fA-F]{4}")
_HEX_RUN: Final = re.compile(r"[0-9a-fA-F]*")
_ESCAPES: Final = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}


class ParseFailure(Exception):
    """A fatal problem in the text; the readers catch it and report it, it never escapes them."""

    def __init__(self, offset: int, message: str, kind: str = "invalid-json") -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message
        self.kind = kind


def show_char(c: str) -> str:
    """Render one character for a message."""
    if c == "'":
        return '"\'"'
    if (" " < c < "\x7f") or (c > "\x7f" and c.isprintable()):
        return f"'{c}'"
    return f"U+{ord(c):04X}"


def show_text(text: str, limit: int = 40) -> str:
    """Render a key or token for a message, shortened and quoted."""
    short = clip(text, limit)
    if short.isprintable() and "'" not in short:
        return f"'{short}'"
    return repr(short)


def _hint(c: str) -> str:
    if c == "'":
        return " (strings and keys must use double quotes)"
    if c == "/":
        return " (comments are not allowed in JSON)"
    return ""


def unexpected(s: str, i: int, after: str, expected: str) -> ParseFailure:
    """Build the failure for an unexpected character (or end) at ``i``."""
    if i >= len(s):
        return ParseFailure(len(s), f"unexpected end of input{after}; expected {expected}")
    c = s[i]
    return ParseFailure(i, f"unexpected {show_char(c)}{after}; expected {expected}{_hint(c)}")


def scan_string(s: str, i: int) -> tuple[str, int]:
    """Decode the string whose opening quote is at ``i``; return (text, end)."""
    n = len(s)
    chunks: list[str] = []
    append = chunks.append
    chunk_match = _STR_CHUNK.match
    i += 1
    while True:
        m = chunk_match(s, i)
        if m is None:
            raise ParseFailure(n, "unexpected end of input inside a string; expected '\"'")
        content, term = m.groups()
        if content:
            append(content)
        i = m.end()
        if term == '"':
            return "".join(chunks), i
        if term != "\\":
            raise ParseFailure(
                i - 1,
                f"unescaped control character {show_char(term)} in string; "
                "expected it to be escaped (for example \\n or \\u001f)",
            )
        if i >= n:
            raise ParseFailure(n, "unexpected end of input in string escape; expected an escape character")
        if s[i] == "u":
            decoded, i = _unicode_escape(s, i)
        else:
            decoded = _ESCAPES.get(s[i], "")
            if not decoded:
                raise ParseFailure(
                    i - 1,
                    f"invalid escape '\\{s[i]}' in string; expected one of "
                    '\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX',
                )
            i += 1
        append(decoded)


def _unicode_escape(s: str, i: int) -> tuple[str, int]:
    """Decode the \\u escape whose 'u' is at ``i`` (a surrogate pair as one character)."""
    if _HEX4.match(s, i + 1) is None:
        run = _HEX_RUN.match(s, i + 1)
        if run is not None and run.end() >= len(s):
            raise ParseFailure(len(s), "unexpected end of input in \\u escape; expected 4 hex digits")
        raise ParseFailure(i - 1, "invalid \\u escape in string; expected '\\u' followed by 4 hex digits")
    code = int(s[i + 1 : i + 5], 16)
    i += 5
    if 0xD800 <= code <= 0xDBFF and s.startswith("\\u", i) and _HEX4.match(s, i + 2):
        low = int(s[i + 2 : i + 6], 16)
        if 0xDC00 <= low <= 0xDFFF:
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            i += 6
    # A lone surrogate is kept, as Python's json module does.
    return chr(code), i


def read_key(s: str, i: int, after: str) -> tuple[str, int]:
    """Read an object key at ``i`` plus the ':' and whitespace after it (any key, slower than SIMPLE_KEY)."""
    n = len(s)
    if i >= n or s[i] != '"':
        expected = "a string key or '}'" if after == " after '{'" else "a string key"
        if i < n and s[i] == "}":
            raise ParseFailure(
                i, f"unexpected '}}'{after}; expected a string key (trailing commas are not allowed)"
            )
        raise unexpected(s, i, after, expected)
    key, i = scan_string(s, i)
    if i < n and s[i] in WS_CHARS:
        i = WS.match(s, i).end()  # type: ignore[union-attr]
    if i >= n or s[i] != ":":
        raise unexpected(s, i, " after object key", "':'")
    i += 1
    if i < n and s[i] in WS_CHARS:
        i = WS.match(s, i).end()  # type: ignore[union-attr]
    return key, i


def check_number_end(s: str, j: int, lastindex: int | None) -> None:
    """Diagnose a number followed by '.', 'e', 'E' or a digit."""
    n = len(s)
    c = s[j]
    if c in DIGITS:
        # Only possible after a lone leading '0'.
        raise ParseFailure(
            j, f"unexpected digit {show_char(c)} after a leading '0'; numbers must not have leading zeros"
        )
    if c == "." and lastindex is None:
        raise unexpected(s, j + 1, " after '.' in number", "a digit")
    if c in "eE" and lastindex != 2:
        k = j + 1
        if k < n and s[k] in "+-":
            k += 1
        raise unexpected(s, k, " in number exponent", "a digit")


def int_limit() -> int:
    """The interpreter's int/str conversion limit in digits (0: no limit)."""
    getter = getattr(sys, "get_int_max_str_digits", None)
    return int(getter()) if getter is not None else 0


def big_int(token: str) -> int:
    """Exact int of a long decimal token without hitting the str->int limit.

    Chunks of 4000 digits are converted with int() and combined pairwise
    bottom-up (so big multiplications use Karatsuba): sub-quadratic, no
    recursion.
    """
    negative = token.startswith("-")
    digits = token[1:] if negative else token
    size = 4000
    first = len(digits) % size or size
    parts = [int(digits[:first])]
    widths = [first]
    for k in range(first, len(digits), size):
        parts.append(int(digits[k : k + size]))
        widths.append(size)
    powers: dict[int, int] = {}
    while len(parts) > 1:
        merged: list[int] = []
        merged_widths: list[int] = []
        for k in range(0, len(parts) - 1, 2):
            width = widths[k + 1]
            power = powers.get(width)
            if power is None:
                power = powers[width] = 10**width
            merged.append(parts[k] * power + parts[k + 1])
            merged_widths.append(widths[k] + width)
        if len(parts) % 2:
            merged.append(parts[-1])
            merged_widths.append(widths[-1])
        parts, widths = merged, merged_widths
    return -parts[0] if negative else parts[0]
