"""Did glance-validate report every invalid image, at a line and column that point at the value?

The truth is what jsonschema-rs rejects (``loops.py invalid``): image indices per list file, line
numbers for JSON Lines. glance-validate's text report is read back line by line
(``path:line:col: CODE [severity] message (at /pointer)``); an invalid image counts as located
when some finding on it carries a line and column, and the position is checked against the file:
the text there must be the JSON of the value the pointer names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_FINDING = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) \[(?P<severity>\w+)\] .*?"
    r"(?: \(at (?P<pointer>/[^()]*|)\))?$"
)
_IMAGE = re.compile(r"^/images/(\d+)(?:/|$)")


@dataclass(frozen=True)
class Located:
    path: str
    line: int
    column: int
    code: str
    severity: str
    pointer: str


def parse_report(text: str) -> list[Located]:
    """The findings of a text report that carry a position."""
    found = []
    for raw in text.splitlines():
        m = _FINDING.match(raw)
        if m:
            found.append(
                Located(
                    m["path"], int(m["line"]), int(m["col"]), m["code"], m["severity"], m["pointer"] or ""
                )
            )
    return found


def check_lists(truth: Mapping[str, Iterable[int]], report: str) -> dict[str, Any]:
    """Coverage of invalid images in list files: a finding under /images/N, and the right place."""
    by_image: dict[tuple[str, int], list[Located]] = {}
    for item in parse_report(report):
        m = _IMAGE.match(item.pointer)
        if m:
            by_image.setdefault((item.path, int(m.group(1))), []).append(item)
    expected = located = exact = checked = 0
    texts: dict[str, list[str]] = {}
    for path, indices in truth.items():
        for index in indices:
            expected += 1
            hits = by_image.get((path, index), [])
            if not hits:
                continue
            located += 1
            lines = texts.setdefault(path, _lines(path))
            document = json.loads("\n".join(lines))
            for hit in hits:
                verdict = _points_at(lines, document, hit)
                if verdict is not None:
                    checked += 1
                    exact += verdict
    return {"expected": expected, "located": located, "positions_checked": checked, "positions_right": exact}


def check_jsonl(truth: Mapping[str, Iterable[int]], report: str) -> dict[str, Any]:
    """Coverage of invalid records in JSON Lines files: a finding on the record's own line.

    The position is checked too when the file can be read: the text at the line and column
    must be the JSON of the value the pointer names within that line's record.
    """
    by_line: dict[str, dict[int, list[Located]]] = {}
    for item in parse_report(report):
        by_line.setdefault(item.path, {}).setdefault(item.line, []).append(item)
    expected = located = exact = checked = 0
    for path, numbers in truth.items():
        reported = by_line.get(path, {})
        for number in numbers:
            expected += 1
            located += number in reported
        for number, line in _lines_at(path, set(reported)):
            document = json.loads(line)
            for hit in reported[number]:
                verdict = _points_at([line], document, Located(path, 1, hit.column, "", "", hit.pointer))
                if verdict is not None:
                    checked += 1
                    exact += verdict
    return {"expected": expected, "located": located, "positions_checked": checked, "positions_right": exact}


def _lines_at(path: str, numbers: set[int]) -> Iterable[tuple[int, str]]:
    """(number, text) of the wanted lines of a file, read as a stream; nothing if unreadable."""
    try:
        with Path(path).open(encoding="utf-8") as stream:
            for number, line in enumerate(stream, 1):
                if number in numbers:
                    yield number, line.rstrip("\r\n")
    except OSError:
        return


def unexpected_errors(truth: Mapping[str, Iterable[int]], report: str) -> int:
    """Error findings on images jsonschema-rs accepts (list files only)."""
    bad = {(path, index) for path, indices in truth.items() for index in indices}
    count = 0
    for item in parse_report(report):
        m = _IMAGE.match(item.pointer)
        if item.severity == "error" and m and (item.path, int(m.group(1))) not in bad:
            count += 1
    return count


def _lines(path: str) -> list[str]:
    return Path(path).read_text(encoding="utf-8").split("\n")


def _points_at(lines: list[str], document: Any, hit: Located) -> bool | None:
    """Whether the text at the hit's position is the value its pointer names (None: cannot tell)."""
    value = _resolve(document, hit.pointer)
    if value is _MISSING or hit.line > len(lines):
        return None
    encoded = json.dumps(value, ensure_ascii=False) if not isinstance(value, (dict, list)) else "[{"
    there = lines[hit.line - 1][hit.column - 1 :]
    if isinstance(value, (dict, list)):
        return there[:1] in encoded
    return there.startswith(encoded)


_MISSING = object()


def _resolve(document: Any, pointer: str) -> Any:
    current = document
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(current, list) and token.isdigit() and int(token) < len(current):
            current = current[int(token)]
        elif isinstance(current, dict) and token in current:
            current = current[token]
        else:
            return _MISSING
    return current
