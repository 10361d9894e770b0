"""Loading JSON payloads: orjson when it can be proven to agree, else the exact parser.

:func:`load_bytes` is the entry point for reading a payload.  It hands the
bytes to ``orjson`` and keeps that result only when
:func:`~glance_validate.text.exact.parse_text` would give the same value with
no problem; otherwise (bad text, or a duplicate key, a big integer or deep
nesting that orjson reads differently) the exact parser reads it again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

import orjson

from glance_validate.text.decode import BOM_UTF8
from glance_validate.text.exact import parse_text
from glance_validate.text.values import ParsedText

__all__ = ["load_bytes"]

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
    if not data.startswith(BOM_UTF8):
        try:
            value = orjson.loads(data)
        except (ValueError, TypeError):
            pass
        else:
            if _same_as_exact_parse(data, value, max_depth):
                return ParsedText(value, ())
    return parse_text(data, max_depth=max_depth)
