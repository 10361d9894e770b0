"""The exact JSON parser: the value and every problem of the text, with its position.

:func:`parse_text` reads the raw bytes the slow, careful way and reports
:class:`~glance_validate.text.values.TextProblem` records: duplicate keys,
NaN and Infinity, a byte order mark, trailing commas, bad UTF-8, nesting
deeper than the limit, numbers out of range, and the first syntax error.
:func:`glance_validate.text.load.load_bytes` calls it only when orjson cannot
prove the text clean.

Design notes
------------
* Nothing recurses: open containers are kept on an explicit stack, so
  100,000 nested arrays are handled without ``RecursionError`` and in linear
  time.
* The parser is a small state machine whose state is the innermost open
  container: :meth:`_Parser.object_members` reads an object's members and
  :meth:`_Parser.array_elements` an array's elements, each in a tight loop
  that returns only when a nested container opens or its own closes.  A
  value that is not a plain string is read by the reader for its first
  character (:data:`_READERS`).  So the Python-level work per value stays
  one loop pass, as the parser is also used on big payloads with problems.
* Line and column are computed from character offsets only when a problem
  is reported.
* Integers longer than the interpreter's int/str conversion limit
  (``sys.get_int_max_str_digits()``, 4300 digits by default) are converted
  exactly without touching that limit and are *also* reported as
  ``"number-out-of-range"``: such a value cannot be turned back into text with
  ``str()`` in this process, so it is not usable by downstream code.  Floats
  that overflow to infinity (``1e400``) are reported with the same kind and
  keep the value ``inf``.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable
from typing import Any, Final

from glance_validate.core.findings import escape_token
from glance_validate.text.decode import Undecodable, decode
from glance_validate.text.lines import Lines
from glance_validate.text.tokens import (
    DIGITS,
    NEXT_SIMPLE_KEY,
    NUMBER,
    NUMBER_FOLLOW,
    SIMPLE_KEY,
    SIMPLE_STRING,
    WORD,
    WS,
    WS_CHARS,
    ParseFailure,
    big_int,
    check_number_end,
    int_limit,
    read_key,
    scan_string,
    show_char,
    show_text,
    unexpected,
)
from glance_validate.text.values import NO_VALUE, ParsedText, TextProblem

__all__ = ["parse_text"]

_LITERALS: Final[dict[str, object]] = {"true": True, "false": False, "null": None}
_NON_FINITE: Final[dict[str, float]] = {"NaN": math.nan, "Infinity": math.inf}

# What a reader returns instead of a value when it opened a container; given to a state,
# it means "a value starts here".
_OPENED: Final = object()

_Step = tuple[object, int]
# The state of an open container: read its values from an index, after storing a given one.
_State = Callable[["_Parser", int, object], _Step]
# (container, its state, current key, keys seen -> offset); the container is None at the top.
_Frame = tuple[Any, _State | None, str, dict[str, int]]


def parse_text(data: bytes, *, max_depth: int = 10_000) -> ParsedText:
    """Parse JSON ``data`` with positions; never raises on bytes input."""
    problems: list[TextProblem] = []
    text = decode(data, problems)
    if isinstance(text, Undecodable):
        pointer = _pointer_where_text_ends(text.prefix) if text.prefix else ""
        problems.append(_with_pointer(text.problem, pointer))
        return ParsedText(NO_VALUE, tuple(problems))
    if WS.match(text).end() == len(text):  # type: ignore[union-attr]
        what = "empty" if not text else "only whitespace"
        problems.append(TextProblem("empty", f"the document is {what}; expected a JSON value", 1, 1, ""))
        return ParsedText(NO_VALUE, tuple(problems))
    value, _stopped = _Parser(text, max(0, max_depth), problems).parse()
    return ParsedText(value, tuple(problems))


def _pointer_where_text_ends(prefix: str) -> str:
    """Pointer for bad bytes after ``prefix``: as for a text that ends there (see _Parser.parse)."""
    scratch: list[TextProblem] = []
    _value, stopped = _Parser(prefix, sys.maxsize, scratch).parse()
    if stopped != len(prefix) or not scratch:
        return ""
    return scratch[-1].pointer


def _ends_in_key(prefix: str) -> bool:
    """Whether the string ``prefix`` ends inside is an object key (closed, a ':' must follow)."""
    scratch: list[TextProblem] = []
    _Parser(prefix + '"', sys.maxsize, scratch).parse()
    return bool(scratch) and "after object key" in scratch[-1].message


def _with_pointer(problem: TextProblem, pointer: str) -> TextProblem:
    return TextProblem(problem.kind, problem.message, problem.line, problem.column, pointer)


def _pointer(frames: list[_Frame]) -> str:
    """Pointer built from each frame's current child (key or next index)."""
    parts: list[str] = []
    for container, _state, key, _seen in frames:
        if container is None:
            continue
        parts.append("/")
        parts.append(escape_token(key) if type(container) is dict else str(len(container)))
    return "".join(parts)


class _Parser:
    """Iterative JSON parser over one decoded text."""

    __slots__ = (
        "container",
        "int_limit",
        "key",
        "lines",
        "max_depth",
        "problems",
        "seen",
        "stack",
        "state",
        "text",
    )

    def __init__(self, text: str, max_depth: int, problems: list[TextProblem]) -> None:
        self.text = text
        self.max_depth = max_depth
        self.problems = problems
        self.lines = Lines(text)
        self.int_limit = int_limit() or sys.maxsize
        # The innermost open container, its state, its current key and the keys it has seen;
        # the frames of the containers around it are on the stack.
        self.stack: list[_Frame] = []
        self.container: Any = None
        self.state: _State | None = None
        self.key = ""
        self.seen: dict[str, int] = {}

    def parse(self) -> tuple[object, int]:
        """Parse the whole text.

        Returns the value and ``-1``; on a fatal problem, reports it and
        returns ``(NO_VALUE, offset_of_problem)``.
        """
        s = self.text
        i = WS.match(s).end()  # type: ignore[union-attr]
        try:
            value, i = _READERS.get(s[i : i + 1], _read_other)(self, i)
            while self.state is not None:
                value, i = self.state(self, i, value)
            self._end_of_document(i)
        except ParseFailure as failure:
            # Syntax errors get the pointer of the container being parsed, a text that ends
            # inside a string value (not a key) the value's; "too-deep" the too deep container's.
            cut_value = failure.offset == len(self.text) and "inside a string" in failure.message
            deeper = failure.kind == "too-deep" or (cut_value and not _ends_in_key(self.text))
            frames = self.frames() if deeper else self.stack
            self.report(failure.kind, failure.offset, failure.message, _pointer(frames))
            return NO_VALUE, failure.offset
        return value, -1

    def frames(self) -> list[_Frame]:
        """Every open container's frame, the innermost last."""
        return [*self.stack, (self.container, self.state, self.key, self.seen)]

    def report(self, kind: str, offset: int, message: str, pointer: str) -> None:
        line, column = self.lines.position(offset)
        self.problems.append(TextProblem(kind, message, line, column, pointer))

    def report_here(self, kind: str, offset: int, message: str) -> None:
        """Report a problem of the value being read (not fatal)."""
        self.report(kind, offset, message, _pointer(self.frames()))

    # ---- the states: inside an object, inside an array, after the top value ----

    def object_members(self, i: int, value: object) -> _Step:
        """Store ``value`` (unless it is _OPENED) and read members until a container opens or closes."""
        s = self.text
        n = len(s)
        container = self.container
        seen = self.seen
        while True:
            if value is _OPENED:
                c = s[i] if i < n else ""
                if c == '"' and (m := _string_match(s, i)) is not None:
                    value = m.group(1)
                    i = m.end()
                elif c in _PLAIN_INT_START and (m := _plain_int_match(s, i)) is not None:
                    value = int(m.group())
                    i = m.end()
                else:
                    value, i = _READERS.get(c, _read_other)(self, i)
                    if value is _OPENED:
                        return value, i
            container[self.key] = value
            value = _OPENED
            m = _next_key_match(s, i)
            if m is not None and (key := m.group(1)) not in seen:
                self.key = key
                seen[key] = m.start(1) - 1
                i = m.end()
                continue
            if i < n and s[i] in WS_CHARS:
                i = WS.match(s, i).end()  # type: ignore[union-attr]
            c = s[i] if i < n else ""
            if c == ",":
                i = self._next_key(i + 1, seen)
            elif c == "}":
                self.container, self.state, self.key, self.seen = self.stack.pop()
                return container, i + 1
            else:
                raise unexpected(s, i, " after object value", "',' or '}'")

    def _next_key(self, j: int, seen: dict[str, int]) -> int:
        """Read any key after a ',' (reporting a duplicate); the index of its value."""
        s = self.text
        if j < len(s) and s[j] in WS_CHARS:
            j = WS.match(s, j).end()  # type: ignore[union-attr]
        m = SIMPLE_KEY.match(s, j)
        if m is not None:
            key, i = m.group(1), m.end()
        else:
            key, i = read_key(s, j, " after ','")
        self.key = key
        first = seen.get(key)
        if first is None:
            seen[key] = j
        else:
            line, column = self.lines.position(first)
            self.report_here(
                "duplicate-key",
                j,
                f"duplicate key {show_text(key)} in object (first at line {line}, column {column})",
            )
        return i

    def array_elements(self, i: int, value: object) -> _Step:
        """Store ``value`` (unless it is _OPENED) and read elements until a container opens or closes."""
        s = self.text
        n = len(s)
        container = self.container
        while True:
            if value is _OPENED:
                c = s[i] if i < n else ""
                if c == '"' and (m := _string_match(s, i)) is not None:
                    value = m.group(1)
                    i = m.end()
                elif c in _PLAIN_INT_START and (m := _plain_int_match(s, i)) is not None:
                    value = int(m.group())
                    i = m.end()
                else:
                    value, i = _READERS.get(c, _read_other)(self, i)
                    if value is _OPENED:
                        return value, i
            if i < n and s[i] in WS_CHARS:
                i = WS.match(s, i).end()  # type: ignore[union-attr]
            container.append(value)
            c = s[i] if i < n else ""
            if c == ",":
                i += 1
                if i < n and s[i] in WS_CHARS:
                    i = WS.match(s, i).end()  # type: ignore[union-attr]
                value = _OPENED
            elif c == "]":
                self.container, self.state, self.key, self.seen = self.stack.pop()
                return container, i + 1
            else:
                raise unexpected(s, i, " after array element", "',' or ']'")

    def _end_of_document(self, i: int) -> None:
        """The top-level value is complete: only whitespace may follow."""
        s = self.text
        if i < len(s) and s[i] in WS_CHARS:
            i = WS.match(s, i).end()  # type: ignore[union-attr]
        if i < len(s):
            raise ParseFailure(
                i, f"extra data after the JSON value: unexpected {show_char(s[i])}; expected end of input"
            )

    # ---- opening a container (it closes in its state) ----

    def open_container(self, i: int) -> _Step:
        """The '{' or '[' at ``i``: an empty container, or _OPENED once it is the innermost."""
        s = self.text
        stack = self.stack
        if len(stack) >= self.max_depth:
            raise self._too_deep(i)
        j = i + 1
        if j < len(s) and s[j] in WS_CHARS:
            j = WS.match(s, j).end()  # type: ignore[union-attr]
        if s[i] == "[":
            if s.startswith("]", j):
                return [], j + 1
            stack.append((self.container, self.state, self.key, self.seen))
            self.container = []
            self.state = _Parser.array_elements
            return _OPENED, j
        if s.startswith("}", j):
            return {}, j + 1
        stack.append((self.container, self.state, self.key, self.seen))
        self.container = {}
        self.state = _Parser.object_members
        m = SIMPLE_KEY.match(s, j)
        if m is not None:
            key, i = m.group(1), m.end()
        else:
            key, i = read_key(s, j, " after '{'")
        self.key = key
        self.seen = {key: j}
        return _OPENED, i

    def _too_deep(self, i: int) -> ParseFailure:
        limit = self.max_depth
        return ParseFailure(
            i,
            f"nesting depth exceeds the maximum of {limit}; "
            f"expected at most {limit} nested arrays or objects",
            "too-deep",
        )

    # ---- reading a value that is not a plain string, by its first character ----

    def read_string(self, i: int) -> _Step:
        m = SIMPLE_STRING.match(self.text, i)
        if m is not None:
            return m.group(1), m.end()
        return scan_string(self.text, i)

    def read_number(self, i: int) -> _Step:
        s = self.text
        m = NUMBER.match(s, i)
        if m is None:
            return self._minus_infinity(i)
        j = m.end()
        if j < len(s) and s[j] in NUMBER_FOLLOW:
            check_number_end(s, j, m.lastindex)
        token = m.group()
        if m.lastindex is None:
            if len(token) > self.int_limit:
                return self._long_int(token, i), j
            return int(token), j
        number = float(token)
        if number in (math.inf, -math.inf):
            self.report_here(
                "number-out-of-range",
                i,
                f"number {show_text(token)} is too large for a float "
                "(it overflows to infinity); expected a finite number",
            )
        return number, j

    def _minus_infinity(self, i: int) -> _Step:
        """'-' not followed by a digit: "-Infinity" (reported, kept) or an error."""
        w = WORD.match(self.text, i + 1)
        if w is None or w.group() != "Infinity":
            raise unexpected(self.text, i + 1, " after '-'", "a digit")
        self.report_here("non-finite", i, "-Infinity is not valid JSON; numbers must be finite")
        return -math.inf, w.end()

    def _long_int(self, token: str, i: int) -> int:
        digits = len(token) - token.startswith("-")
        limit = self.int_limit
        if digits <= limit:
            return int(token)
        self.report_here(
            "number-out-of-range",
            i,
            f"integer with {digits} digits exceeds Python's limit of {limit} digits "
            "for int/str conversion; expected a shorter number",
        )
        return big_int(token)

    def read_word(self, i: int) -> _Step:
        """A literal (true, false, null; NaN and Infinity are reported) or the error at ``i``."""
        m = WORD.match(self.text, i)
        if m is None:
            raise self._not_a_value(i)
        word = m.group()
        value = _LITERALS.get(word, NO_VALUE)
        if value is NO_VALUE:
            if word not in _NON_FINITE:
                raise self._bad_literal(word, i, m.end())
            value = _NON_FINITE[word]
            self.report_here("non-finite", i, f"{word} is not valid JSON; numbers must be finite")
        return value, m.end()

    def _not_a_value(self, i: int) -> ParseFailure:
        s = self.text
        if i >= len(s):
            return ParseFailure(len(s), "unexpected end of input; expected a value")
        container = self.container
        if container is None:
            return unexpected(s, i, "", "a value")
        if type(container) is dict:
            return unexpected(s, i, " after ':'", "a value")
        if not container:
            return unexpected(s, i, " after '['", "a value or ']'")
        if s[i] == "]":
            return ParseFailure(
                i, "unexpected ']' after ','; expected a value (trailing commas are not allowed)"
            )
        return unexpected(s, i, " after ','", "a value")

    def _bad_literal(self, word: str, i: int, end: int) -> ParseFailure:
        n = len(self.text)
        full = [w for w in _LITERALS if w.startswith(word)]
        if end >= n and full:
            return ParseFailure(n, f"unexpected end of input; expected '{full[0]}'")
        return ParseFailure(
            i,
            f"invalid literal {show_text(word)}; expected a value "
            "(true, false, null, a number, a string, an array or an object)",
        )


_string_match: Final = SIMPLE_STRING.match
# An integer of at most 18 digits that no '.', exponent or digit follows: int() takes it as is.
_plain_int_match: Final = re.compile(r"-?(?:0|[1-9][0-9]{0,17})(?![.eE0-9])").match
_PLAIN_INT_START: Final = frozenset("-0123456789")
_next_key_match: Final = NEXT_SIMPLE_KEY.match
_read_other: Final = _Parser.read_word
_READERS: Final[dict[str, Callable[[_Parser, int], _Step]]] = {
    '"': _Parser.read_string,
    "{": _Parser.open_container,
    "[": _Parser.open_container,
    "-": _Parser.read_number,
    **dict.fromkeys(DIGITS, _Parser.read_number),
}
