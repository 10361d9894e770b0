"""ECMA-262 regular expressions (what JSON Schema's ``pattern`` means) run on Python's ``re``.

Python and ECMA-262 read some of the same syntax differently. The differences that change
results on Glance schemas are handled here:

- ``$`` without the multiline flag matches only at the very end in ECMA-262; Python's ``$``
  also matches before a final newline, so a uuid followed by "\\n" would pass the id pattern.
- ``\\d`` and ``\\w`` are ASCII-only in ECMA-262 and Unicode-aware in Python.
- ``\\s`` is ECMA-262's white space and line terminators (U+FEFF included, U+001C-U+001F not).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

# ECMA-262 WhiteSpace and LineTerminator, as literal characters (RE2 reads no backslash-u escape).
# Python's own \s also takes U+001C-U+001F and leaves out U+FEFF.
_SPACE = "\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_OUTSIDE_CLASS = {
    "d": "[0-9]",
    "D": "[^0-9]",
    "w": "[A-Za-z0-9_]",
    "W": "[^A-Za-z0-9_]",
    "s": f"[{_SPACE}]",
    "S": f"[^{_SPACE}]",
}
_INSIDE_CLASS = {"d": "0-9", "w": "A-Za-z0-9_", "s": _SPACE}


def translate(pattern: str) -> str:
    """The Python ``re`` pattern that matches what ``pattern`` matches under ECMA-262."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            table = _INSIDE_CLASS if in_class else _OUTSIDE_CLASS
            out.append(table.get(escaped, char + escaped))
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            out.append(char)
        elif char == "]" and in_class:
            in_class = False
            out.append(char)
        elif char == "$" and not in_class:
            out.append(r"\Z")
        else:
            out.append(char)
        i += 1
    return "".join(out)


@cache
def compile_ecma(pattern: str) -> re.Pattern[str]:
    return re.compile(translate(pattern))


def search(pattern: str, text: str) -> bool:
    """Whether ``pattern`` (ECMA-262) matches somewhere in ``text``, in linear time when it can be.

    See ``linear_regex``: RE2 runs what it can express with Python's meaning; other patterns run
    on ``re`` (a schema whose such pattern could backtrack exponentially is refused before).
    """
    return matcher(pattern)(text)


@cache
def matcher(pattern: str) -> Callable[[str], bool]:
    from glance_validate.regex.linear import compile_linear

    try:
        compiled = compile_ecma(pattern)
    except re.error:
        return _fast_engine_matcher(pattern)  # ECMA-262 syntax Python cannot read, e.g. \cA
    linear = compile_linear(compiled.pattern)
    if linear is not None:
        return linear
    return lambda text: compiled.search(text) is not None


def _fast_engine_matcher(pattern: str) -> Callable[[str], bool]:
    """The pattern as jsonschema-rs runs it (its ECMA-262 engine); re.error when it cannot either."""
    import jsonschema_rs

    try:
        validator = jsonschema_rs.Draft4Validator({"type": "string", "pattern": pattern})
    except Exception:
        raise re.error(f"pattern {pattern!r} compiles neither in Python nor as ECMA-262") from None
    return lambda text: bool(validator.is_valid(text))
