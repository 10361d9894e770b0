"""Coverage-guided fuzzing of JSON loading and position mapping (glance_validate.text).

Run it (atheris, on Linux x86-64 with Python 3.11-3.13; it is in the test extras):

    python fuzz/fuzz_jsontext.py -dict=fuzz/json.dict -max_total_time=600 fuzz/corpus fuzz/seeds

``fuzz/corpus`` (made if missing, not kept in git) collects the inputs that reached new code;
libFuzzer options such as ``-runs=N``, ``-max_len=N`` or ``-jobs=N`` go on the command line. A
failing input is written as ``crash-<sha1>``; keep it as a regression case by adding its bytes
(base64) to ``tests/hostile/fuzz-regressions.json``, which the tests replay on every run.

What is checked for every input (``check``), beyond "nothing raises":

- ``load_bytes`` (the orjson fast path) gives exactly what ``parse_text`` (the exact parser)
  gives, at the default depth limit and at a tiny one;
- a text without problems parses to what Python's ``json`` module gives;
- every problem has a line and a column inside the text, and a well-formed JSON Pointer;
- ``locate`` maps the pointer of every value of a valid document (up to 200) to the first
  character of that value's token;
- ``Validator.validate_bytes`` never raises, and each finding's line is inside the text.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MAX_POINTERS = 200
_STARTS = {dict: "{", list: "[", str: '"', bool: "tf", type(None): "n"}

_exact: Any = None
_load_bytes: Any = None
_no_value: Any = None
_locate: Any = None
_validator: Any = None


def _load() -> None:
    """Import what is fuzzed (under atheris' instrumentation when it is active)."""
    global _exact, _load_bytes, _locate, _no_value, _validator
    if _exact is None:
        from glance_validate.checks.validation import Validator
        from glance_validate.text.exact import parse_text
        from glance_validate.text.load import load_bytes
        from glance_validate.text.locate import locate
        from glance_validate.text.values import NO_VALUE

        _exact, _load_bytes, _locate, _no_value = parse_text, load_bytes, locate, NO_VALUE
        _validator = Validator("ims")


def check(data: bytes) -> None:
    """Every property above for one input; an AssertionError (or any exception) is a finding."""
    _load()
    exact = _exact(data)
    fast = _load_bytes(data)
    assert fast.problems == exact.problems, (fast.problems, exact.problems)
    assert same(fast.value, exact.value)
    assert (exact.value is _no_value) == any(
        p.kind in {"empty", "invalid-utf8", "invalid-json", "too-deep"} for p in exact.problems
    )
    shallow_exact = _exact(data, max_depth=2)
    shallow_fast = _load_bytes(data, max_depth=2)
    assert shallow_fast.problems == shallow_exact.problems
    assert same(shallow_fast.value, shallow_exact.value)
    text = _text(data)
    lines = _line_count(text)
    for problem in exact.problems:
        assert 1 <= problem.line <= lines and problem.column >= 1, problem
        assert problem.pointer == "" or problem.pointer.startswith("/"), problem
    if not exact.problems:
        _check_positions(data, text, exact.value)
        try:
            reference = json.loads(data)
        except RecursionError:  # deeper than Python's json module can go; the exact parser is iterative
            reference = exact.value
        assert same(exact.value, reference), "differs from json.loads"
    _locate(data, ["", "/0", "/images/0/id", "/~1", "/a~0b"])
    result = _validator.validate_bytes(data)
    for finding in result.findings:
        assert finding.line is None or 1 <= finding.line <= lines, finding


def _text(data: bytes) -> str:
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    return body.decode("utf-8", "replace")


def _line_count(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n") + 1


def _check_positions(data: bytes, text: str, value: object) -> None:
    pointers = dict(_pointers(value))
    found = _locate(data, list(pointers))
    starts = [0]
    for i, char in enumerate(text):
        if char == "\n" or (char == "\r" and not text.startswith("\n", i + 1)):
            starts.append(i + 1)
    for pointer, child in pointers.items():
        assert pointer in found, f"locate lost {pointer!r}"
        line, column = found[pointer]
        char = text[starts[line - 1] + column - 1]
        expected = _STARTS.get(type(child), "-0123456789")
        assert char in expected, (pointer, char, expected)


def _pointers(value: object) -> Iterator[tuple[str, object]]:
    """(pointer, value) of the first MAX_POINTERS values, breadth first, without recursion."""
    queue: list[tuple[str, object]] = [("", value)]
    count = 0
    while queue and count < MAX_POINTERS:
        pointer, item = queue.pop(0)
        count += 1
        yield pointer, item
        if isinstance(item, dict):
            queue.extend((f"{pointer}/{_escape(k)}", v) for k, v in item.items())
        elif isinstance(item, list):
            queue.extend((f"{pointer}/{i}", v) for i, v in enumerate(item))


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def same(a: object, b: object) -> bool:
    """Structural equality that tells 1, 1.0 and True apart and holds NaN equal to NaN."""
    todo = [(a, b)]
    while todo:
        x, y = todo.pop()
        if type(x) is not type(y):
            return False
        if isinstance(x, dict):
            assert isinstance(y, dict)
            if list(x) != list(y):
                return False
            todo.extend((x[k], y[k]) for k in x)
        elif isinstance(x, list):
            assert isinstance(y, list)
            if len(x) != len(y):
                return False
            todo.extend(zip(x, y, strict=True))
        elif isinstance(x, float):
            assert isinstance(y, float)
            if not (x == y or (math.isnan(x) and math.isnan(y))):
                return False
        elif x != y:
            return False
    return True


def main() -> None:
    import atheris

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    with atheris.instrument_imports(include=["glance_validate"]):
        _load()
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
