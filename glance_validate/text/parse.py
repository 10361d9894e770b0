"""Position-aware JSON text parsing for payload validation.

The fast path (:func:`load_bytes`) hands the bytes to ``orjson``.  When that
fails, or when a finding has to be reported with a line and a column, the
pure-Python parser in this module (:func:`parse_text`) re-reads the raw text
and reports :class:`TextProblem` records that carry a 1-based line, a 1-based
column (counted in characters of the decoded line) and an RFC 6901 JSON
Pointer.  :func:`locate` maps JSON Pointers back to text positions.

Design notes
------------
* Nothing here recurses: containers are tracked on an explicit stack, so
  100,000 nested arrays are handled without ``RecursionError`` and in linear
  time.
* Runs of text (strings, numbers, literals, whitespace) are consumed with
  compiled regular expressions; the Python-level loop runs once per token.
* Line and column are computed lazily from character offsets and only when a
  problem is reported.  ``"\\n"``, ``"\\r\\n"`` and a lone ``"\\r"`` each end a
  line.  A leading UTF-8 byte order mark is not counted as a column.
* Integers longer than the interpreter's int/str conversion limit
  (``sys.get_int_max_str_digits()``, 4300 digits by default) are converted
  exactly without touching that limit (chunked, sub-quadratic conversion) and
  are *also* reported as ``"number-out-of-range"``: such a value cannot be
  turned back into text with ``str()`` in this process, so it is not usable
  by downstream code.  Floats that overflow to infinity (``1e400``) are
  reported with the same kind and keep the value ``inf``.
"""

from __future__ import annotations

import json
import math
import re
import sys
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

import orjson

from glance_validate.core.findings import escape_token
from glance_validate.core.secrets import clip

__all__ = [
    "NO_VALUE",
    "ParsedText",
    "TextProblem",
    "load_bytes",
    "locate",
    "parse_text",
]


# ---------------------------------------------------------------------------
# Public data types
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextProblem:
    """One finding about the raw JSON text, with its position."""

    kind: str
    message: str
    line: int
    column: int
    pointer: str


class _NoValue:
    """Type of :data:`NO_VALUE`; there is exactly one instance."""

    __slots__ = ()
    _instance: _NoValue | None = None

    def __new__(cls) -> _NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_VALUE"

    def __reduce__(self) -> str:
        # Pickle by reference to the module global so identity survives.
        return "NO_VALUE"


NO_VALUE: Final = _NoValue()

_HARMLESS_KINDS: Final = frozenset({"bom"})


@dataclass(frozen=True, slots=True)
class ParsedText:
    """The parsed value (or :data:`NO_VALUE`) and the problems found."""

    value: object
    problems: tuple[TextProblem, ...]

    def ok(self) -> bool:
        """True when no problem prevents using :attr:`value`."""
        return all(p.kind in _HARMLESS_KINDS for p in self.problems)


# ---------------------------------------------------------------------------
# Compiled patterns
# ---------------------------------------------------------------------------

_WS_CHARS: Final = " \t\n\r"
_WS: Final = re.compile(r"[ \t\n\r]*")
_NEWLINE: Final = re.compile(r"\r\n|\r|\n")
# A string without escapes or control characters (the common case).
_STR_SIMPLE: Final = re.compile(r'"([^"\\\x00-\x1f]*)"')
# Same, for an object key, consuming the ':' and the whitespace after it.
_KEY_SIMPLE: Final = re.compile(r'"([^"\\\x00-\x1f]*)"[ \t\n\r]*:[ \t\n\r]*')
# One run of plain string characters followed by the character that ends it.
_STR_CHUNK: Final = re.compile(r'([^"\\\x00-\x1f]*)(["\\\x00-\x1f])')
_HEX4: Final = re.compile(r"[0-9a-fA-F]{4}")
_HEX_RUN: Final = re.compile(r"[0-9a-fA-F]*")
# RFC 8259 number; group 1 = fraction, group 2 = exponent.  [0-9], not \d,
# because \d also matches non-ASCII digits in str patterns.
_NUMBER: Final = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_WORD: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUM_FOLLOW: Final = ".eE0123456789"
_DIGITS: Final = "0123456789"

# Lenient patterns used by locate(), which only needs to find token ends.
_STR_ANY: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_SCALAR_ANY: Final = re.compile(r"[-+.0-9A-Za-z_]+")
_SKIP_TOKEN: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}"]', re.DOTALL)
_RAW_DECODE: Final = json.JSONDecoder().raw_decode
_QUICK_SKIP_WINDOWS: Final = (4096, 65536)  # characters given to _RAW_DECODE, in turn

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
_LITERALS: Final[dict[str, object]] = {"true": True, "false": False, "null": None}
_NON_FINITE: Final[dict[str, float]] = {"NaN": math.nan, "Infinity": math.inf}

_BOM_UTF8: Final = b"\xef\xbb\xbf"

_Container = dict[str, object] | list[object]
# (container, container-is-a-dict, current key, keys seen -> offset)
_Frame = tuple[_Container | None, bool, str, dict[str, int]]


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


class _Fail(Exception):
    """Internal: a fatal problem; never escapes the public functions."""

    def __init__(self, offset: int, message: str, kind: str = "invalid-json") -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message
        self.kind = kind


class _Lines:
    """Maps character offsets of one text to (line, column), lazily."""

    __slots__ = ("_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts: list[int] | None = None

    def position(self, offset: int) -> tuple[int, int]:
        starts = self._starts
        if starts is None:
            starts = self._starts = _line_starts(self._text)
        line = bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1


def _line_starts(text: str) -> list[int]:
    """Offsets where each line of ``text`` starts."""
    starts = [0]
    if "\r" in text:
        starts.extend(m.end() for m in _NEWLINE.finditer(text))
        return starts
    find = text.find  # only "\n" ends lines: find runs at C speed between them
    at = find("\n")
    while at >= 0:
        starts.append(at + 1)
        at = find("\n", at + 1)
    return starts


def _show_char(c: str) -> str:
    """Render one character for a message."""
    if c == "'":
        return '"\'"'
    if (" " < c < "\x7f") or (c > "\x7f" and c.isprintable()):
        return f"'{c}'"
    return f"U+{ord(c):04X}"


def _show_text(text: str, limit: int = 40) -> str:
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


def _unexpected(s: str, i: int, after: str, expected: str) -> _Fail:
    """Build the failure for an unexpected character (or end) at ``i``."""
    if i >= len(s):
        return _Fail(len(s), f"unexpected end of input{after}; expected {expected}")
    c = s[i]
    return _Fail(i, f"unexpected {_show_char(c)}{after}; expected {expected}{_hint(c)}")


def _pointer(frames: Iterable[_Frame]) -> str:
    """Pointer built from each frame's current child (key or next index)."""
    parts: list[str] = []
    for container, in_dict, key, _seen in frames:
        if container is None:
            continue
        parts.append("/")
        parts.append(escape_token(key) if in_dict else str(len(container)))
    return "".join(parts)


def _int_limit() -> int:
    getter = getattr(sys, "get_int_max_str_digits", None)
    return int(getter()) if getter is not None else 0


def _big_int(token: str) -> int:
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


def _scan_string(s: str, i: int) -> tuple[str, int]:
    """Decode the string whose opening quote is at ``i``; return (text, end)."""
    n = len(s)
    chunks: list[str] = []
    append = chunks.append
    chunk_match = _STR_CHUNK.match
    i += 1
    while True:
        m = chunk_match(s, i)
        if m is None:
            raise _Fail(n, "unexpected end of input inside a string; expected '\"'")
        content, term = m.groups()
        if content:
            append(content)
        i = m.end()
        if term == '"':
            return "".join(chunks), i
        if term != "\\":
            raise _Fail(
                i - 1,
                f"unescaped control character {_show_char(term)} in string; "
                "expected it to be escaped (for example \\n or \\u001f)",
            )
        if i >= n:
            raise _Fail(n, "unexpected end of input in string escape; expected an escape character")
        esc = s[i]
        if esc == "u":
            if _HEX4.match(s, i + 1) is None:
                run = _HEX_RUN.match(s, i + 1)
                if run is not None and run.end() >= n:
                    raise _Fail(n, "unexpected end of input in \\u escape; expected 4 hex digits")
                raise _Fail(i - 1, "invalid \\u escape in string; expected '\\u' followed by 4 hex digits")
            code = int(s[i + 1 : i + 5], 16)
            i += 5
            if 0xD800 <= code <= 0xDBFF and s.startswith("\\u", i) and _HEX4.match(s, i + 2):
                low = int(s[i + 2 : i + 6], 16)
                if 0xDC00 <= low <= 0xDFFF:
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
            # A lone surrogate is kept, as Python's json module does.
            append(chr(code))
        else:
            decoded = _ESCAPES.get(esc)
            if decoded is None:
                raise _Fail(
                    i - 1,
                    f"invalid escape '\\{esc}' in string; expected one of "
                    '\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX',
                )
            append(decoded)
            i += 1


def _read_key(s: str, i: int, after: str) -> tuple[str, int]:
    """Read an object key at ``i`` plus the ':' after it (slow path)."""
    n = len(s)
    if i >= n or s[i] != '"':
        expected = "a string key or '}'" if after == " after '{'" else "a string key"
        if i < n and s[i] == "}":
            raise _Fail(i, f"unexpected '}}'{after}; expected a string key (trailing commas are not allowed)")
        raise _unexpected(s, i, after, expected)
    key, i = _scan_string(s, i)
    if i < n and s[i] in _WS_CHARS:
        i = _WS.match(s, i).end()  # type: ignore[union-attr]
    if i >= n or s[i] != ":":
        raise _unexpected(s, i, " after object key", "':'")
    i += 1
    if i < n and s[i] in _WS_CHARS:
        i = _WS.match(s, i).end()  # type: ignore[union-attr]
    return key, i


# ---------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------


class _Parser:
    """Iterative JSON parser over one decoded text."""

    __slots__ = ("lines", "max_depth", "problems", "text")

    def __init__(self, text: str, max_depth: int, problems: list[TextProblem]) -> None:
        self.text = text
        self.max_depth = max_depth
        self.problems = problems
        self.lines = _Lines(text)

    def report(self, kind: str, offset: int, message: str, pointer: str) -> None:
        line, column = self.lines.position(offset)
        self.problems.append(TextProblem(kind, message, line, column, pointer))

    def parse(self) -> tuple[object, int]:
        """Parse the whole text.

        Returns the value and ``-1``; on a fatal problem, reports it and
        returns ``(NO_VALUE, offset_of_problem)``.
        """
        s = self.text
        n = len(s)
        max_depth = self.max_depth
        report = self.report
        ws_match = _WS.match
        str_match = _STR_SIMPLE.match
        key_match = _KEY_SIMPLE.match
        num_match = _NUMBER.match
        word_match = _WORD.match
        int_limit = _int_limit()

        stack: list[_Frame] = []
        container: Any = None
        in_dict = False
        key = ""
        seen: dict[str, int] = {}
        depth = 0
        # Describes where a value is expected, for messages.
        after = ""
        i = 0
        value: object = None
        child_pointer = False
        try:
            i = ws_match(s, 0).end()  # type: ignore[union-attr]
            while True:
                # ---------------- one value starting at s[i] ----------------
                if i >= n:
                    raise _Fail(n, "unexpected end of input; expected a value")
                c = s[i]
                if c == '"':
                    m = str_match(s, i)
                    if m is not None:
                        value = m.group(1)
                        i = m.end()
                    else:
                        value, i = _scan_string(s, i)
                elif c == "{" or c == "[":
                    if depth >= max_depth:
                        child_pointer = True
                        raise _Fail(
                            i,
                            f"nesting depth exceeds the maximum of {max_depth}; "
                            f"expected at most {max_depth} nested arrays or objects",
                            "too-deep",
                        )
                    j = i + 1
                    if j < n and s[j] in _WS_CHARS:
                        j = ws_match(s, j).end()  # type: ignore[union-attr]
                    if c == "{":
                        if j < n and s[j] == "}":
                            value = {}
                            i = j + 1
                        else:
                            stack.append((container, in_dict, key, seen))
                            depth += 1
                            container = {}
                            in_dict = True
                            seen = {}
                            m = key_match(s, j)
                            if m is not None:
                                key = m.group(1)
                                i = m.end()
                            else:
                                key, i = _read_key(s, j, " after '{'")
                            seen[key] = j
                            after = " after ':'"
                            continue
                    else:
                        if j < n and s[j] == "]":
                            value = []
                            i = j + 1
                        else:
                            stack.append((container, in_dict, key, seen))
                            depth += 1
                            container = []
                            in_dict = False
                            i = j
                            after = " after '['"
                            continue
                elif c == "-" or c in _DIGITS:
                    m = num_match(s, i)
                    if m is None:
                        # '-' not followed by a digit: "-Infinity" or an error.
                        w = word_match(s, i + 1)
                        if w is None or w.group() != "Infinity":
                            raise _unexpected(s, i + 1, " after '-'", "a digit")
                        report(
                            "non-finite",
                            i,
                            "-Infinity is not valid JSON; numbers must be finite",
                            _pointer([*stack, (container, in_dict, key, seen)]),
                        )
                        value = -math.inf
                        i = w.end()
                    else:
                        j = m.end()
                        if j < n and s[j] in _NUM_FOLLOW:
                            _check_number_end(s, j, m.lastindex)
                        token = m.group()
                        if m.lastindex is None:
                            if int_limit and len(token) > int_limit:
                                value = self._long_int(
                                    token, i, int_limit, [*stack, (container, in_dict, key, seen)]
                                )
                            else:
                                value = int(token)
                        else:
                            number = float(token)
                            if number in (math.inf, -math.inf):
                                report(
                                    "number-out-of-range",
                                    i,
                                    f"number {_show_text(token)} is too large for a float "
                                    "(it overflows to infinity); expected a finite number",
                                    _pointer([*stack, (container, in_dict, key, seen)]),
                                )
                            value = number
                        i = j
                else:
                    m = word_match(s, i)
                    if m is None:
                        expected = "a value or ']'" if after == " after '['" else "a value"
                        if c == "]" and after == " after ','":
                            raise _Fail(
                                i,
                                "unexpected ']' after ','; expected a value "
                                "(trailing commas are not allowed)",
                            )
                        raise _unexpected(s, i, after, expected)
                    word = m.group()
                    value = _LITERALS.get(word, NO_VALUE)
                    if value is NO_VALUE:
                        if word in _NON_FINITE:
                            value = _NON_FINITE[word]
                            report(
                                "non-finite",
                                i,
                                f"{word} is not valid JSON; numbers must be finite",
                                _pointer([*stack, (container, in_dict, key, seen)]),
                            )
                        else:
                            full = [w for w in _LITERALS if w.startswith(word)]
                            if m.end() >= n and full:
                                raise _Fail(n, f"unexpected end of input; expected '{full[0]}'")
                            raise _Fail(
                                i,
                                f"invalid literal {_show_text(word)}; expected a value "
                                "(true, false, null, a number, a string, an array or an object)",
                            )
                    i = m.end()

                # ------------- after a complete value: store it, move on -------------
                while True:
                    if container is None:
                        if i < n and s[i] in _WS_CHARS:
                            i = ws_match(s, i).end()  # type: ignore[union-attr]
                        if i < n:
                            raise _Fail(
                                i,
                                f"extra data after the JSON value: unexpected {_show_char(s[i])}; "
                                "expected end of input",
                            )
                        return value, -1
                    if i < n and s[i] in _WS_CHARS:
                        i = ws_match(s, i).end()  # type: ignore[union-attr]
                    c = s[i] if i < n else ""
                    if in_dict:
                        container[key] = value
                        if c == ",":
                            j = i + 1
                            if j < n and s[j] in _WS_CHARS:
                                j = ws_match(s, j).end()  # type: ignore[union-attr]
                            m = key_match(s, j)
                            if m is not None:
                                key = m.group(1)
                                i = m.end()
                            else:
                                key, i = _read_key(s, j, " after ','")
                            first = seen.get(key)
                            if first is None:
                                seen[key] = j
                            else:
                                line, column = self.lines.position(first)
                                report(
                                    "duplicate-key",
                                    j,
                                    f"duplicate key {_show_text(key)} in object "
                                    f"(first at line {line}, column {column})",
                                    _pointer([*stack, (container, in_dict, key, seen)]),
                                )
                            after = " after ':'"
                            break
                        if c == "}":
                            value = container
                            container, in_dict, key, seen = stack.pop()
                            depth -= 1
                            i += 1
                            continue
                        raise _unexpected(s, i, " after object value", "',' or '}'")
                    container.append(value)
                    if c == ",":
                        i += 1
                        if i < n and s[i] in _WS_CHARS:
                            i = ws_match(s, i).end()  # type: ignore[union-attr]
                        after = " after ','"
                        break
                    if c == "]":
                        value = container
                        container, in_dict, key, seen = stack.pop()
                        depth -= 1
                        i += 1
                        continue
                    raise _unexpected(s, i, " after array element", "',' or ']'")
        except _Fail as fail:
            # Syntax errors get the pointer of the container being parsed;
            # "too-deep" gets the pointer of the container that is too deep.
            frames = [*stack, (container, in_dict, key, seen)] if child_pointer else stack
            report(fail.kind, fail.offset, fail.message, _pointer(frames))
            return NO_VALUE, fail.offset

    def _long_int(
        self,
        token: str,
        i: int,
        limit: int,
        frames: list[_Frame],
    ) -> int:
        digits = len(token) - token.startswith("-")
        if digits <= limit:
            return int(token)
        self.report(
            "number-out-of-range",
            i,
            f"integer with {digits} digits exceeds Python's limit of {limit} digits "
            "for int/str conversion; expected a shorter number",
            _pointer(frames),
        )
        return _big_int(token)


def _check_number_end(s: str, j: int, lastindex: int | None) -> None:
    """Diagnose a number followed by '.', 'e', 'E' or a digit."""
    n = len(s)
    c = s[j]
    if c in _DIGITS:
        # Only possible after a lone leading '0'.
        raise _Fail(
            j, f"unexpected digit {_show_char(c)} after a leading '0'; numbers must not have leading zeros"
        )
    if c == "." and lastindex is None:
        raise _unexpected(s, j + 1, " after '.' in number", "a digit")
    if c in "eE" and lastindex != 2:
        k = j + 1
        if k < n and s[k] in "+-":
            k += 1
        raise _unexpected(s, k, " in number exponent", "a digit")


# ---------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------

_FOREIGN_BOMS: Final = (
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
    (b"\xff\xfe", "UTF-16 (little-endian)"),
    (b"\xfe\xff", "UTF-16 (big-endian)"),
)


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


def _decode(data: bytes, problems: list[TextProblem]) -> str | None:
    """Decode ``data``; on failure report an "invalid-utf8" problem."""
    for bom, name in _FOREIGN_BOMS:
        if data.startswith(bom):
            problems.append(
                TextProblem(
                    "invalid-utf8",
                    f"the file starts with a {name} byte order mark, so it looks {name.split()[0]} "
                    "encoded; JSON text must be UTF-8",
                    1,
                    1,
                    "",
                )
            )
            return None
    start = 0
    if data.startswith(_BOM_UTF8):
        problems.append(
            TextProblem(
                "bom",
                "the file starts with a UTF-8 byte order mark; JSON text must not begin with a BOM",
                1,
                1,
                "",
            )
        )
        start = 3
    elif _looks_utf16_or_utf32(data):
        problems.append(
            TextProblem(
                "invalid-utf8",
                "the file has NUL bytes at the start, so it looks UTF-16 or UTF-32 encoded; "
                "JSON text must be UTF-8",
                1,
                1,
                "",
            )
        )
        return None
    body = data[start:] if start else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as err:
        prefix = body[: err.start].decode("utf-8")
        line, column = _Lines(prefix).position(len(prefix))
        bad = body[err.start]
        if err.end >= len(body) and "end" in str(err.reason):
            message = (
                f"incomplete UTF-8 sequence starting with byte 0x{bad:02X} at the end of input; "
                "JSON text must be valid UTF-8"
            )
        else:
            message = f"invalid UTF-8 byte 0x{bad:02X}; JSON text must be valid UTF-8"
        # Best-effort pointer: where a parse of the valid prefix ran out.
        scratch: list[TextProblem] = []
        _value, stopped = _Parser(prefix, sys.maxsize, scratch).parse()
        pointer = scratch[-1].pointer if stopped == len(prefix) and scratch else ""
        problems.append(TextProblem("invalid-utf8", message, line, column, pointer))
        return None


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------


def parse_text(data: bytes, *, max_depth: int = 10_000) -> ParsedText:
    """Parse JSON ``data`` with positions; never raises on bytes input."""
    problems: list[TextProblem] = []
    text = _decode(data, problems)
    if text is None:
        return ParsedText(NO_VALUE, tuple(problems))
    if _WS.match(text).end() == len(text):  # type: ignore[union-attr]
        what = "empty" if not text else "only whitespace"
        problems.append(TextProblem("empty", f"the document is {what}; expected a JSON value", 1, 1, ""))
        return ParsedText(NO_VALUE, tuple(problems))
    value, _stopped = _Parser(text, max(0, max_depth), problems).parse()
    return ParsedText(value, tuple(problems))


# The orjson fast path
# --------------------
# orjson.loads is strict RFC 8259, but its result can differ from what
# parse_text reports in three ways, each checked after a successful loads:
#
# 1. Duplicate keys: orjson silently keeps the last one.
# 2. Integers outside the 64-bit range come back as floats.
# 3. Nesting: orjson has its own depth limit (1024), max_depth may be lower.
#
# Duplicate keys.  The method suggested first -- one regex walking every
# string token in sequence and counting those followed by ':', compared with
# the number of keys found by an iterative walk of the value -- is exact but
# costs about 6x orjson.loads on a 28 KB, 25-image list (~210 us against
# ~34 us; most of it in the regex, which makes one match per string token).
# The primary method below stays in C and costs ~25 us there (dumps ~9 us,
# each bytes.count ~8 us):
#   In valid JSON every ':' outside strings separates a key from its value, so
#       data.count(b":") = (key tokens) + (':' inside string tokens).
#   orjson.dumps(value) writes each kept key once and each kept string with
#   its ':' characters literally (it escapes only '"', '\' and controls), so
#       dumped.count(b":") = (keys kept) + (':' inside kept strings).
#   If the raw text has no "\u003a"/"\u003A" escape (checked only when the
#   text contains a backslash at all), every ':' of a decoded string is a
#   literal ':' of its raw token.  Without duplicates the raw string tokens
#   and the kept strings are the same, so the counts are equal; with a
#   duplicate the raw text has at least one more key token (and possibly more
#   ':' in dropped values), so its count is strictly larger.  Equal counts
#   therefore mean "no duplicate key", exactly.
# The regex method remains as the fallback when a \u003a escape is present.
#
# Big integers.  orjson returns an integer outside [-2**63, 2**64) as a float
# of magnitude >= 2**63, and orjson.dumps writes every float >= 1e16 in
# exponent form with "e+" (verified at import time below).  The dumped text
# is already at hand, so "no '+' byte in it" (a memchr) proves there is no such
# float; otherwise an iterative walk looks for large floats.
_KEY_TOKEN: Final = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"([ \t\n\r]*:)?', re.DOTALL)
_HUGE_FLOAT: Final = float(2**63)


def _orjson_writes_exponent() -> bool:
    """Whether orjson.dumps writes floats of magnitude >= 2**63 with "e+"."""
    samples = (_HUGE_FLOAT, -_HUGE_FLOAT, float(2**64), 1e300, -1.5e308)
    return all(b"e+" in orjson.dumps(x) for x in samples)


def _orjson_depth_limit() -> int:
    """Largest nesting orjson.loads accepts (1024), or 0 if that is not so."""
    try:
        orjson.loads(b"[" * 1025 + b"]" * 1025)
    except orjson.JSONDecodeError:
        return 1024
    return 0  # pragma: no cover - only if orjson lifts its limit


_ORJSON_EXPONENT: Final = _orjson_writes_exponent()
_ORJSON_DEPTH: Final = _orjson_depth_limit()


def _count_keys(value: object) -> int:
    """Total number of keys of all dicts in ``value`` (iterative)."""
    total = 0
    todo: list[object] = [value]
    pop = todo.pop
    push = todo.append
    while todo:
        item = pop()
        if type(item) is dict:
            total += len(item)
            for child in item.values():
                if type(child) is dict or type(child) is list:
                    push(child)
        elif type(item) is list:
            for child in item:
                if type(child) is dict or type(child) is list:
                    push(child)
    return total


def _max_depth_of(value: object) -> int:
    """Nesting depth of ``value`` (a scalar has depth 0), iterative."""
    deepest = 0
    todo: list[tuple[object, int]] = [(value, 1)]
    while todo:
        item, level = todo.pop()
        children: Iterable[object]
        if type(item) is dict:
            children = item.values()
        elif type(item) is list:
            children = item
        else:
            continue
        deepest = max(deepest, level)
        todo.extend((child, level + 1) for child in children if type(child) is dict or type(child) is list)
    return deepest


def _has_huge_float(value: object) -> bool:
    """Whether ``value`` holds a float of magnitude >= 2**63 (iterative)."""
    todo: list[object] = [value]
    while todo:
        item = todo.pop()
        if type(item) is dict:
            todo.extend(item.values())
        elif type(item) is list:
            todo.extend(item)
        elif type(item) is float and abs(item) >= _HUGE_FLOAT:
            return True
    return False


def _raw_key_count(data: bytes) -> int:
    """Key tokens in valid JSON ``data``: string tokens followed by ':'."""
    colons = _KEY_TOKEN.findall(data)
    return len(colons) - colons.count(b"")


def _no_duplicate_keys(data: bytes, value: object, dumped: bytes | None, colons: int | None = None) -> bool:
    """Exact: ``data`` (valid JSON that orjson parsed to ``value``) has no duplicate key.

    ``colons`` is ``data.count(b":")`` when the caller has counted already.
    """
    # No backslash (a memchr) or no "u003" means no \u003a escape; a rare
    # false alarm (e.g. "\u0030") only costs the slower exact count.
    if dumped is not None and not (b"\\" in data and b"u003" in data):
        return (data.count(b":") if colons is None else colons) == dumped.count(b":")
    return _raw_key_count(data) == _count_keys(value)


def _same_as_exact_parse(data: bytes, value: object, max_depth: int) -> bool:
    """Whether parse_text(data) would return ``value`` with no problem."""
    try:
        dumped: bytes | None = orjson.dumps(value)
    except (TypeError, ValueError):  # pragma: no cover - loads output always dumps
        dumped = None
    may_hold_huge_float = dumped is None or not _ORJSON_EXPONENT or (b"+" in dumped and b"e+" in dumped)
    if may_hold_huge_float and _has_huge_float(value):
        return False
    # One C-level pass keeps only ':', '[' and '{' (three counts took three passes).
    # Every level of nesting opens with '[' or '{', so their count bounds the depth
    # and spares the walk over every container of an ordinary payload.
    marks = data.translate(None, _NOT_COLON_OR_OPENER)
    colons = marks.count(b":")
    if (
        (not _ORJSON_DEPTH or max_depth < _ORJSON_DEPTH)
        and len(marks) - colons > max_depth
        and _max_depth_of(value) > max_depth
    ):
        return False
    return _no_duplicate_keys(data, value, dumped, colons)


_NOT_COLON_OR_OPENER: Final = bytes(b for b in range(256) if b not in b":[{")


def load_bytes(data: bytes, *, max_depth: int = 10_000) -> ParsedText:
    """Parse ``data`` with orjson when it is clean, else with :func:`parse_text`.

    The result is the same as ``parse_text(data, max_depth=max_depth)``; the
    orjson path is taken only when that result would have no problems.
    """
    if not data.startswith(_BOM_UTF8):
        try:
            value = orjson.loads(data)
        except (ValueError, TypeError):
            pass
        else:
            if _same_as_exact_parse(data, value, max_depth):
                return ParsedText(value, ())
    return parse_text(data, max_depth=max_depth)


# ---------------------------------------------------------------------------
# locate()
# ---------------------------------------------------------------------------


class _Node:
    """A trie node of requested pointer tokens."""

    __slots__ = ("children", "offset", "wanted")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.offset = -1
        self.wanted = False


def _split_pointer(pointer: str) -> list[str] | None:
    """RFC 6901 tokens of ``pointer``, or None when it is malformed."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        return None
    tokens = pointer[1:].split("/")
    for k, token in enumerate(tokens):
        if "~" in token:
            if re.search(r"~(?![01])", token):
                return None
            tokens[k] = token.replace("~1", "/").replace("~0", "~")
    return tokens


def _skip_value(s: str, i: int) -> int:
    """Index after the value starting at ``i``, or -1 if malformed."""
    c = s[i]
    if c == '"':
        m = _STR_ANY.match(s, i)
        return -1 if m is None else m.end()
    if c == "{" or c == "[":
        # Most skipped containers (an image record) are small and well-formed: the C scanner
        # of the json module finds their end several times faster than a Python step per
        # token. It reads a bounded window, so a huge container never becomes objects here;
        # whatever it rejects (longer than the window, or malformed) takes the token walk.
        for window in _QUICK_SKIP_WINDOWS:
            try:
                return i + int(_RAW_DECODE(s[i : i + window])[1])
            except (ValueError, RecursionError):
                if i + window >= len(s):
                    break
        return _skip_container(s, i)
    m = _SCALAR_ANY.match(s, i)
    return -1 if m is None else m.end()


def _skip_container(s: str, i: int) -> int:
    """Index after the container starting at ``i``, by its brackets alone, or -1 if malformed."""
    level = 0
    for m in _SKIP_TOKEN.finditer(s, i):
        t = m.group()
        if t == "{" or t == "[":
            level += 1
        elif t == "}" or t == "]":
            level -= 1
            if level == 0:
                return m.end()
        elif t == '"':
            return -1
    return -1


def _walk(s: str, root: _Node, wanted: int) -> None:
    """Record the offset of every trie node reached; stop when all wanted are."""
    n = len(s)
    ws_match = _WS.match
    # (node of the container, is a dict, next array index)
    stack: list[tuple[_Node, bool, int]] = []
    node: _Node | None = root
    i = ws_match(s, 0).end()  # type: ignore[union-attr]
    while True:
        # ---- value at i belonging to trie node `node` (None: not wanted) ----
        if i >= n:
            return
        c = s[i]
        if c in ",:]}":
            return
        if node is not None and node.offset < 0:
            node.offset = i
            if node.wanted:
                wanted -= 1
                if wanted == 0:
                    return
        if node is not None and node.children and (c == "{" or c == "["):
            i = ws_match(s, i + 1).end()  # type: ignore[union-attr]
            if i >= n:
                return
            if c == "{":
                stack.append((node, True, 0))
                if s[i] != "}":
                    if s[i] != '"':
                        return
                    try:
                        key, i = _read_key(s, i, "")
                    except _Fail:
                        return
                    node = stack[-1][0].children.get(key)
                    continue
            else:
                stack.append((node, False, 0))
                if s[i] != "]":
                    node = node.children.get("0")
                    continue
            closing = True
        else:
            i = _skip_value(s, i)
            if i < 0:
                return
            closing = False
        # ---- after a value: ',' or the end of the container ----
        while True:
            if not stack:
                return
            parent, is_dict, index = stack[-1]
            if not closing:
                i = ws_match(s, i).end()  # type: ignore[union-attr]
            closing = False
            if i >= n:
                return
            c = s[i]
            if c == ",":
                i = ws_match(s, i + 1).end()  # type: ignore[union-attr]
                if is_dict:
                    if i >= n or s[i] != '"':
                        return
                    try:
                        key, i = _read_key(s, i, "")
                    except _Fail:
                        return
                    node = parent.children.get(key)
                else:
                    stack[-1] = (parent, False, index + 1)
                    node = parent.children.get(str(index + 1))
                break
            if c == ("}" if is_dict else "]"):
                stack.pop()
                i += 1
                continue
            return


def locate(data: bytes, pointers: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Map JSON Pointers to (line, column) of their values in ``data``.

    A pointer whose value does not exist (for example a missing member) maps
    to the position of its nearest existing ancestor.  Malformed pointers are
    left out.  Malformed text is read up to the first problem and positions
    are given for what was reached; nothing raises.
    """
    root = _Node()
    requested: dict[str, list[str]] = {}
    for pointer in pointers:
        tokens = _split_pointer(pointer)
        if tokens is None:
            continue
        requested[pointer] = tokens
        node = root
        for token in tokens:
            child = node.children.get(token)
            if child is None:
                child = node.children[token] = _Node()
            node = child
        node.wanted = True
    if not requested:
        return {}
    wanted = _count_wanted(root)

    body = data[3:] if data.startswith(_BOM_UTF8) else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        text = body[: err.start].decode("utf-8")
    except (AttributeError, TypeError):
        return {}
    _walk(text, root, wanted)

    lines = _Lines(text)
    result: dict[str, tuple[int, int]] = {}
    for pointer, tokens in requested.items():
        node = root
        best = root.offset
        for token in tokens:
            child = node.children[token]
            if child.offset < 0:
                break
            best = child.offset
            node = child
        if best >= 0:
            result[pointer] = lines.position(best)
    return result


def _count_wanted(root: _Node) -> int:
    total = 0
    todo = [root]
    while todo:
        node = todo.pop()
        total += node.wanted
        todo.extend(node.children.values())
    return total
