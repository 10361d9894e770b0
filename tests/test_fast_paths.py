"""Shortcuts taken for speed give exactly what the long way gives.

Each shortcut skips work on the common case (a clean payload, a plain dict, an ordinary image
record); these tests pin that the uncommon cases still take the long way.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path

import pytest

from glance_validate.checks.validation import Validator, _image_count
from glance_validate.text import locate
from glance_validate.text.kinds import classify, error_message
from glance_validate.text.lines import NEWLINE, line_starts


def test_image_count_counts_dict_subclasses_and_skips_other_entries() -> None:
    """Plain dicts are counted at C speed; subclasses still count, non-objects never do."""
    assert _image_count({"images": [{}, {}, {}]}) == 3
    assert _image_count({"images": [{}, OrderedDict(a=1), "x", None, [], {}]}) == 3
    assert _image_count({"images": "nope"}) == 0
    assert _image_count({"images": []}) == 0


def test_clean_bytes_give_the_same_result_as_the_parsed_value() -> None:
    """A clean payload's result from bytes equals the one from its parsed value."""
    validator = Validator("ims")
    page = {"images": [], "first": "/v2/images", "schema": "/v2/schemas/images"}
    from_bytes = validator.validate_bytes(json.dumps(page).encode())
    assert from_bytes == validator.validate_value(page)
    assert from_bytes.ok and from_bytes.findings == ()


def test_findings_from_bytes_still_get_positions_and_text_problems(tmp_path: Path) -> None:
    """A payload with findings, or with a text problem, still gets lines, columns and P codes."""
    validator = Validator("ims")
    bad = b'{"images": [\n  {"id": "x", "status": "ACTIVE", "visibility": "public"}\n]}'
    found = validator.validate_bytes(bad).findings
    assert found and all(f.line is not None for f in found if f.path.startswith("/images/0/"))
    duplicate = b'{"images": [], "images": []}'
    assert "P006" in [f.code for f in validator.validate_bytes(duplicate).findings]


def test_error_bodies_are_still_recognised_after_the_key_count_test() -> None:
    """Bare {code, message} bodies with up to four known keys are error bodies; image records are not."""
    assert error_message({"code": 404, "message": "gone"}) == ("404", "gone")
    full = {"code": 1, "message": "m", "title": "t", "request_id": "r"}
    assert error_message(full) == ("1", "m")
    assert error_message({"code": 1, "message": "m", "other": 2}) is None
    assert error_message({"message": "m", "title": "t"}) is None
    image = {"id": "x", "status": "active", "code": 1, "message": "m", "name": "n"}
    assert error_message(image) is None
    assert classify({"code": 500, "message": "boom"}) == "error-body"


def _slow_skip(s: str, i: int) -> int:
    """_skip_value with containers always taking the token walk (the behaviour before the C scanner)."""
    if s[i] in "{[":
        return locate._skip_container(s, i)
    return _FAST_SKIP(s, i)


def _positions_both_ways(data: bytes, pointers: set[str]) -> tuple[object, object]:
    fast = locate.locate(data, pointers)
    try:
        locate._skip_value = _slow_skip
        slow = locate.locate(data, pointers)
    finally:
        locate._skip_value = _FAST_SKIP
    return fast, slow


def test_locate_gives_the_same_positions_with_the_c_scanner_skip() -> None:
    """Skipping containers with json's scanner finds the same ends as the token walk, bad text too."""
    images = [{"id": f"i{n}", "tags": ["a", "b"], "m": {"x": [1, {"y": "]}"}]}} for n in range(30)]
    wide = {"images": images, "big": [{"k": "v" * 100}] * 200, "next": "/v2/images?marker=i29"}
    docs = [
        json.dumps(wide).encode(),
        json.dumps(wide, indent=2).encode(),
        json.dumps(wide, indent=1).replace("\n", "\r\n").encode(),
        b'{"images": [{"a": [1,,2]}, {"b": NaN}, {"c": "x"}], "next": 1}',
        b'{"images": [{"a": "\\u00e9\\"]"}, {"b": 1e400}, {"c": 3}], "next": 1}',
        b'{"images": [{"a": "unterminated}], "next": 1}',
        b'{"images": [' + b"[" * 3000 + b"]" * 3000 + b', {"c": 1}], "next": 2}',
        json.dumps({"images": [{"k": "v" * 100}] * 1000, "next": 3}).encode(),  # past both windows
    ]
    pointers = {"/images/2/c", "/images/29/m/x/1/y", "/next", "/big/150/k", "/images/1/b", "/missing/0"}
    for data in docs:
        fast, slow = _positions_both_ways(data, pointers)
        assert fast == slow, data[:60]


def test_line_starts_match_the_newline_pattern() -> None:
    """Lines end at \\n, \\r\\n or a lone \\r, with or without a \\r in the text."""
    for text in ("a\nbb\n\nccc", "a\r\nbb\r\n\r\nccc", "a\rbb\r\rccc\n", "one line", "\n", "", "x\n\n"):
        assert line_starts(text) == [0, *(m.end() for m in NEWLINE.finditer(text))]


_FAST_SKIP = locate._skip_value


def test_origin_at_line_is_replace_for_every_field() -> None:
    """Origin.at_line copies every field but the line, as dataclasses.replace does (new fields too)."""
    import dataclasses

    from glance_validate.inputs.payloads import Origin

    values = {"input": "in", "path": "p", "line": 3, "entry": 4, "request": "GET /", "status": 500}
    values["body_relative"] = True
    assert {f.name for f in dataclasses.fields(Origin)} == set(values), "a new Origin field: update at_line"
    origin = Origin(**values)  # type: ignore[arg-type]
    assert origin.at_line(9) == dataclasses.replace(origin, line=9)
    assert origin.shifted(2) == dataclasses.replace(origin, line=5)
    assert Origin("in").shifted(2) == Origin("in")


def test_bounded_read_asks_for_the_file_size_and_still_reads_a_grown_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files are read whole up to the limit; one that grew after fstat is read to its end too."""
    import os

    from glance_validate.inputs import reading

    path = tmp_path / "page.json"
    path.write_bytes(b"x" * 1000)
    with path.open("rb") as handle:
        assert reading.read_bounded(handle, 1000, "the file") == b"x" * 1000
    with path.open("rb") as handle, pytest.raises(reading.TooLarge):
        reading.read_bounded(handle, 999, "the file")
    real_fstat = os.fstat

    def stale(fd: int) -> os.stat_result:  # the size fstat saw before the file grew
        info = list(real_fstat(fd))
        info[6] = 10
        return os.stat_result(info)

    monkeypatch.setattr(reading.os, "fstat", stale)
    with path.open("rb") as handle:
        assert reading.read_bounded(handle, 5000, "the file") == b"x" * 1000
    with path.open("rb") as handle, pytest.raises(reading.TooLarge):
        reading.read_bounded(handle, 500, "the file")
