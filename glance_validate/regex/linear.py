"""Schema patterns run in linear time: RE2 where it can express them, screened where it cannot.

Python's ``re`` backtracks: ``^(a+)+$`` against thirty ``a`` and a ``!`` takes minutes, and a
schema is data a server sends. Every place the tool runs a schema's pattern on payload data (the
reference engine's ``pattern`` and ``patternProperties``, the K003 message, the names that
``additionalProperties: false`` rejects) goes through ``ecma_regex.search``, which asks here
first:

- ``compile_linear`` rebuilds a pattern for RE2 from Python's own parse of it (every character
  written as ``\\x{...}``, ``\\s`` as the exact set Python's ``re`` means), so RE2 matches what
  ``re`` would, in time linear in the text. Patterns RE2 cannot express (backreferences,
  lookaround, ``\\b``, inline flags) return None and run on ``re``.
- ``hazard`` says why such a pattern could take exponential time on ``re`` (an unbounded
  quantifier over something that itself repeats or branches, as in ``(a+)+`` or ``(a|ab)*``);
  the schema guard refuses a schema holding one before any payload is checked.

RE2 comes from the google-re2 package; without it every pattern runs on ``re`` and is screened.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

# Python's own parser of re patterns (re._parser since 3.11, sre_parse before).
_sre_parse = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")
_sre = importlib.import_module("re._constants" if sys.version_info >= (3, 11) else "sre_constants")

Matcher = Callable[[str], bool]

# The characters Python's re means by \s in a str pattern (str.isspace()).
PYTHON_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
MAX_CODE_POINT = 0x10FFFF
RE2_MAX_REPEAT = 1000  # RE2 refuses larger counted repetitions
HAZARD_REPEAT = 10  # a counted repetition above this nests like an unbounded one


class _NotLinear(Exception):
    """The pattern uses something RE2 cannot express with the same meaning."""


# Linear matching ---------------------------------------------------------------------------------


def available() -> bool:
    """Whether RE2 (the google-re2 package) can be used."""
    return _re2_module() is not None


@cache
def _re2_module() -> Any:
    try:
        import re2  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        return None
    return re2


@cache
def compile_linear(python_pattern: str) -> Matcher | None:
    """A linear-time matcher with the meaning of ``re.compile(python_pattern).search``, or None."""
    re2 = _re2_module()
    if re2 is None:
        return None
    try:
        parsed = _sre_parse.parse(python_pattern)
        if parsed.state.flags & ~_sre.SRE_FLAG_UNICODE:
            raise _NotLinear("flags")
        translated = _emit(parsed)
    except Exception:  # _NotLinear, too deep or large, or re.error (the caller's compile reports it)
        return None
    options = re2.Options()
    options.log_errors = False  # RE2 would write refusals to stderr itself
    try:
        compiled = re2.compile(translated.encode("ascii"), options)
    except Exception:  # re2.error: a repetition or program too large for RE2
        return None

    def search(text: str) -> bool:
        # surrogatepass: RE2 reads a lone surrogate as one code point, as Python's re does
        return compiled.search(text.encode("utf-8", "surrogatepass")) is not None

    return search


def _char(code: int) -> str:
    return f"\\x{{{code:x}}}"


def _emit(items: Iterable[tuple[Any, Any]]) -> str:
    out: list[str] = []
    for op, value in items:
        if op is _sre.LITERAL:
            out.append(_char(value))
        elif op is _sre.NOT_LITERAL:
            out.append(_ranges(_complement([(value, value)])))
        elif op is _sre.ANY:
            out.append(_ranges(_complement([(10, 10)])))  # everything but "\n", as in re
        elif op is _sre.IN:
            out.append(_ranges(_class(value)))
        elif op is _sre.BRANCH:
            out.append("(?:" + "|".join(_emit(branch) for branch in value[1]) + ")")
        elif op is _sre.SUBPATTERN:
            _group, add_flags, del_flags, body = value
            if add_flags or del_flags:
                raise _NotLinear("inline flags")
            out.append("(?:" + _emit(body) + ")")
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            out.append(_repeat(op, value))
        elif op is _sre.AT:
            out.append(_anchor(value))
        else:  # GROUPREF, ASSERT, ASSERT_NOT, GROUPREF_EXISTS, ATOMIC_GROUP, POSSESSIVE_REPEAT
            raise _NotLinear(str(op))
    return "".join(out)


def _repeat(op: Any, value: tuple[int, int, Any]) -> str:
    low, high, body = value
    unbounded = high is _sre.MAXREPEAT or high == _sre.MAXREPEAT
    if low > RE2_MAX_REPEAT or (not unbounded and high > RE2_MAX_REPEAT):
        raise _NotLinear("repetition too large for RE2")
    if unbounded:
        quantifier = "*" if low == 0 else "+" if low == 1 else f"{{{low},}}"
    else:
        quantifier = "?" if (low, high) == (0, 1) else f"{{{low},{high}}}"
    lazy = "?" if op is _sre.MIN_REPEAT else ""
    return f"(?:{_emit(body)}){quantifier}{lazy}"


def _anchor(where: Any) -> str:
    if where is _sre.AT_BEGINNING or where is _sre.AT_BEGINNING_STRING:
        return "\\A"  # without MULTILINE, ^ in re is the start of the text
    if where is _sre.AT_END_STRING:
        return "\\z"
    raise _NotLinear(str(where))  # $ (before a final newline), \b and \B differ in RE2


def _class(items: Iterable[tuple[Any, Any]]) -> list[tuple[int, int]]:
    negate = False
    ranges: list[tuple[int, int]] = []
    for op, value in items:
        if op is _sre.NEGATE:
            negate = True
        elif op is _sre.LITERAL:
            ranges.append((value, value))
        elif op is _sre.RANGE:
            ranges.append(value)
        elif op is _sre.CATEGORY and value is _sre.CATEGORY_SPACE:
            ranges.extend((ord(c), ord(c)) for c in PYTHON_SPACES)
        elif op is _sre.CATEGORY and value is _sre.CATEGORY_NOT_SPACE:
            ranges.extend(_complement([(ord(c), ord(c)) for c in PYTHON_SPACES]))
        else:  # Unicode \d and \w (ECMA's are turned into ASCII classes before), others
            raise _NotLinear(str(value))
    return _complement(ranges) if negate else _merged(ranges)


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _complement(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start = 0
    for low, high in _merged(ranges):
        if low > start:
            out.append((start, low - 1))
        start = high + 1
    if start <= MAX_CODE_POINT:
        out.append((start, MAX_CODE_POINT))
    return out


def _ranges(ranges: list[tuple[int, int]]) -> str:
    if not ranges:
        return "[^\\x{0}-\\x{10ffff}]"  # matches nothing
    return "[" + "".join(_char(a) if a == b else f"{_char(a)}-{_char(b)}" for a, b in ranges) + "]"


# Screening what RE2 cannot run -----------------------------------------------------------------


def hazard(python_pattern: str) -> str | None:
    """Why ``python_pattern`` may backtrack exponentially in ``re``, or None.

    The screen looks for a repetition (unbounded, or of more than a few times) whose body can
    itself match in many ways: another repetition, or alternatives (``(a+)+``, ``(a*b?)*``,
    ``(a|ab)+``). It is deliberately broad: it runs only on patterns RE2 cannot take.
    """
    try:
        parsed = _sre_parse.parse(python_pattern)
    except Exception:  # not compilable: the engines report it
        return None
    return _nested(list(parsed))


def _many(high: int) -> bool:
    return high is _sre.MAXREPEAT or high == _sre.MAXREPEAT or high > HAZARD_REPEAT


def _children(op: Any, value: Any) -> list[Any]:
    """The sub-patterns of one node of Python's parse tree."""
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) or op is getattr(_sre, "POSSESSIVE_REPEAT", None):
        return [value[2]]
    if op is _sre.BRANCH:
        return list(value[1])
    if op is _sre.SUBPATTERN:
        return [value[3]]
    if op in (_sre.ASSERT, _sre.ASSERT_NOT):
        return [value[1]]
    if op is getattr(_sre, "ATOMIC_GROUP", None):
        return [value]
    if op is _sre.GROUPREF_EXISTS:
        return [c for c in value[1:] if c is not None]
    return []


def _nested(items: list[tuple[Any, Any]]) -> str | None:
    for op, value in items:
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and _many(value[1]) and _varies(list(value[2])):
            return "a repetition holds a part that itself repeats or has alternatives"
        for child in _children(op, value):
            found = _nested(list(child))
            if found:
                return found
    return None


def _varies(items: list[tuple[Any, Any]]) -> bool:
    """Whether a repeated body can match in more than one way: a repetition or alternatives in it."""
    for op, value in items:
        if op is _sre.BRANCH:
            return True
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and value[1] != 1:
            return True
        if any(_varies(list(child)) for child in _children(op, value)):
            return True
    return False
