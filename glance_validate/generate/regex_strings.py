"""Strings that match a JSON Schema ``pattern`` (ECMA-262), for generating test data.

A schema's patterns are read with a small parser for the part of ECMA-262 that schemas use:
literals and escapes, ``.``, character classes (ranges, negation, ``\\d \\w \\s``), groups
(capturing and ``(?:...)``), alternation, the quantifiers ``* + ? {n} {n,} {n,m}`` (greedy or
lazy) and the anchors ``^ $``. Look-arounds and back-references are not generated: they raise
:class:`UnsupportedPattern`, and so does a pattern whose generated strings do not match it.
Every random decision goes through a :class:`Choices` source, so the same source gives the same
strings (and a hypothesis source shrinks them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from glance_validate.regex import ecma as ecma_regex

# Characters drawn for ".", negated classes and \W \D \S: printable ASCII, readable in files.
_PRINTABLE = tuple(chr(c) for c in range(0x21, 0x7F))
_SPACE = " \t\n\r\x0b\x0c"
_CLASS_ESCAPES: dict[str, tuple[tuple[int, int], ...]] = {
    "d": ((0x30, 0x39),),
    "w": ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)),
    "s": tuple((ord(c), ord(c)) for c in _SPACE),
}
_CHAR_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "v": "\v", "0": "\0"}
_OPEN_REPEAT_EXTRA = 4  # "a*" gives at most 4 more than its minimum: readable strings
_ATTEMPTS = 8


class UnsupportedPattern(ValueError):
    """The pattern uses syntax the generator does not produce strings for."""


class Choices(Protocol):
    """A source of decisions: random, seeded, or hypothesis's draws."""

    def integer(self, low: int, high: int) -> int: ...

    def chance(self, probability: float) -> bool: ...


# The parsed pattern: a small tree of frozen nodes. -----------------------------------------


@dataclass(frozen=True)
class CharSet:
    ranges: tuple[tuple[int, int], ...]
    negated: bool = False


@dataclass(frozen=True)
class Sequence_:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Alternation:
    options: tuple[Node, ...]


@dataclass(frozen=True)
class Repeat:
    node: Node
    low: int
    high: int | None


@dataclass(frozen=True)
class Anchor:
    start: bool


Node = CharSet | Sequence_ | Alternation | Repeat | Anchor


class _Reader:
    def __init__(self, pattern: str) -> None:
        self.text = pattern
        self.at = 0

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def take(self) -> str:
        char = self.peek()
        if not char:
            raise UnsupportedPattern(f"pattern {self.text!r} ends unexpectedly")
        self.at += 1
        return char

    def error(self, what: str) -> UnsupportedPattern:
        return UnsupportedPattern(f"pattern {self.text!r}: {what} at offset {self.at}")


@cache
def parse(pattern: str) -> Node:
    """The pattern as a tree, or UnsupportedPattern."""
    reader = _Reader(pattern)
    node = _alternation(reader)
    if reader.peek():
        raise reader.error(f"unexpected {reader.peek()!r}")
    return node


def _alternation(reader: _Reader) -> Node:
    options = [_sequence(reader)]
    while reader.peek() == "|":
        reader.take()
        options.append(_sequence(reader))
    return options[0] if len(options) == 1 else Alternation(tuple(options))


def _sequence(reader: _Reader) -> Node:
    items: list[Node] = []
    while reader.peek() and reader.peek() not in "|)":
        items.append(_quantified(reader, _atom(reader)))
    return items[0] if len(items) == 1 else Sequence_(tuple(items))


def _atom(reader: _Reader) -> Node:
    char = reader.take()
    if char == "(":
        if reader.peek() == "?":
            reader.take()
            if reader.take() != ":":
                raise reader.error("look-around groups are not supported")
        inner = _alternation(reader)
        if reader.take() != ")":
            raise reader.error("unclosed group")
        return inner
    if char == "[":
        return _char_class(reader)
    if char == ".":
        return CharSet(((0x0A, 0x0A), (0x0D, 0x0D)), negated=True)
    if char in "^$":
        return Anchor(start=char == "^")
    if char == "\\":
        return _escape(reader, in_class=False)
    if char in "*+?{":
        if char == "{" and not _is_quantifier(reader.text, reader.at - 1):
            return _literal(char)
        raise reader.error(f"nothing to repeat before {char!r}")
    return _literal(char)


def _literal(char: str) -> CharSet:
    return CharSet(((ord(char), ord(char)),))


def _escape(reader: _Reader, *, in_class: bool) -> CharSet:
    char = reader.take()
    lower = char.lower()
    if lower in _CLASS_ESCAPES:
        return CharSet(_CLASS_ESCAPES[lower], negated=char.isupper())
    if char in _CHAR_ESCAPES:
        return _literal(_CHAR_ESCAPES[char])
    if char in "xu":
        width = 2 if char == "x" else 4
        digits = reader.text[reader.at : reader.at + width]
        if len(digits) != width or any(d not in "0123456789abcdefABCDEF" for d in digits):
            raise reader.error(f"bad \\{char} escape")
        reader.at += width
        return _literal(chr(int(digits, 16)))
    if char.isdigit() or (char in "bB" and not in_class):
        raise reader.error(f"\\{char} (back-references and word boundaries) is not supported")
    if char == "b":  # [\b] is a backspace
        return _literal("\b")
    return _literal(char)


def _char_class(reader: _Reader) -> CharSet:
    negated = reader.peek() == "^"
    if negated:
        reader.take()
    ranges: list[tuple[int, int]] = []
    first = True
    while first or reader.peek() != "]":
        first = False
        low = _class_item(reader)
        if reader.peek() == "-" and reader.text[reader.at + 1 : reader.at + 2] not in ("]", ""):
            reader.take()
            high = _class_item(reader)
            if len(low.ranges) != 1 or len(high.ranges) != 1 or low.negated or high.negated:
                raise reader.error("a range between classes")
            start, end = low.ranges[0][0], high.ranges[0][0]
            if start > end:
                raise reader.error("a range out of order")
            ranges.append((start, end))
        elif low.negated:
            ranges.extend(_complement(low.ranges))
        else:
            ranges.extend(low.ranges)
    reader.take()
    return CharSet(tuple(ranges), negated)


def _class_item(reader: _Reader) -> CharSet:
    char = reader.take()
    if char == "\\":
        return _escape(reader, in_class=True)
    return _literal(char)


def _complement(ranges: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    allowed = [c for c in _PRINTABLE if not _in_ranges(ord(c), ranges)]
    return [(ord(c), ord(c)) for c in allowed]


def _is_quantifier(text: str, brace: int) -> bool:
    """Whether the "{" at offset ``brace`` opens a quantifier such as {2} or {1,3}."""
    close = text.find("}", brace)
    if close < 0:
        return False
    body = text[brace + 1 : close]
    low, _, high = body.partition(",")
    return low.isdigit() and (high == "" or high.isdigit())


def _quantified(reader: _Reader, node: Node) -> Node:
    char = reader.peek()
    if char == "{" and _is_quantifier(reader.text, reader.at):
        reader.take()
        body = reader.text[reader.at : reader.text.index("}", reader.at)]
        reader.at += len(body) + 1
        low_text, comma, high_text = body.partition(",")
        low = int(low_text)
        high = low if not comma else (int(high_text) if high_text else None)
        node = Repeat(node, low, high)
    elif char in ("*", "+", "?"):
        reader.take()
        node = Repeat(node, *{"*": (0, None), "+": (1, None), "?": (0, 1)}[char])
    else:
        return node
    if isinstance(node.node, Anchor):
        raise reader.error("a repeated anchor")
    if reader.peek() == "?":  # lazy: same strings
        reader.take()
    return node


def _in_ranges(code: int, ranges: Sequence[tuple[int, int]]) -> bool:
    return any(low <= code <= high for low, high in ranges)


# Generation --------------------------------------------------------------------------------


def _generate(node: Node, choices: Choices, out: list[str]) -> None:
    if isinstance(node, CharSet):
        out.append(_char(node, choices))
    elif isinstance(node, Sequence_):
        for item in node.items:
            _generate(item, choices, out)
    elif isinstance(node, Alternation):
        _generate(node.options[choices.integer(0, len(node.options) - 1)], choices, out)
    elif isinstance(node, Repeat):
        high = node.high if node.high is not None else node.low + _OPEN_REPEAT_EXTRA
        for _ in range(choices.integer(node.low, high)):
            _generate(node.node, choices, out)


def _char(charset: CharSet, choices: Choices) -> str:
    if charset.negated:
        options = [c for c in _PRINTABLE if not _in_ranges(ord(c), charset.ranges)]
        if not options:
            raise UnsupportedPattern("a class that excludes every printable character")
        return options[choices.integer(0, len(options) - 1)]
    total = sum(high - low + 1 for low, high in charset.ranges)
    if total == 0:
        raise UnsupportedPattern("an empty character class")
    index = choices.integer(0, total - 1)
    for low, high in charset.ranges:
        if index <= high - low:
            return chr(low + index)
        index -= high - low + 1
    raise AssertionError("unreachable")  # pragma: no cover


def matching_string(pattern: str, choices: Choices) -> str:
    """A string that ``pattern`` matches (ECMA-262 search semantics)."""
    node = parse(pattern)
    for _ in range(_ATTEMPTS):
        out: list[str] = []
        _generate(node, choices, out)
        text = "".join(out)
        if ecma_regex.search(pattern, text):
            return text
    raise UnsupportedPattern(f"pattern {pattern!r}: generated strings do not match it")


def breaks(pattern: str, text: str) -> bool:
    """Whether ``text`` does not match ``pattern`` (ECMA-262 search semantics)."""
    return not ecma_regex.search(pattern, text)
