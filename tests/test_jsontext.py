"""Position-aware JSON parsing: values, problems with exact positions, locate(), the orjson fast path."""

from __future__ import annotations

import json
import math
import pickle
import sys
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glance_validate.text.exact import parse_text
from glance_validate.text.load import load_bytes
from glance_validate.text.locate import locate
from glance_validate.text.values import NO_VALUE, ParsedText, TextProblem

# A realistic GET /v2/images response, 40 lines, ASCII only.
GLANCE_DOC = b"""{
  "images": [
    {
      "id": "7a3c2f1e-9b4d-4c8e-a1f2-3d4e5f6a7b8c",
      "name": "ubuntu-22.04-server",
      "status": "active",
      "visibility": "public",
      "protected": false,
      "tags": ["ubuntu", "lts"],
      "size": 675282944,
      "min_disk": 0,
      "min_ram": 512,
      "checksum": "2c7d7b1bc4e8f4a6a7f7d6c5b4a39281",
      "created_at": "2024-03-01T10:11:12Z",
      "self": "/v2/images/7a3c2f1e-9b4d-4c8e-a1f2-3d4e5f6a7b8c",
      "os_version": null,
      "ratio": -1.5e-3,
      "description": "Line one\\nline \\"two\\" \\u00e9\\ud83d\\ude00"
    },
    {
      "id": "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
      "name": "cirros",
      "status": "queued",
      "visibility": "private",
      "protected": true,
      "tags": [],
      "size": null,
      "min_disk": 1,
      "checksum": null,
      "created_at": "2024-03-02T08:00:00Z",
      "self": "/v2/images/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
      "properties": {"hw_disk_bus": "scsi", "nested": {"a": [1, 2.5, {}]}},
      "ratio": 0
    }
  ],
  "first": "/v2/images?limit=2",
  "schema": "/v2/schemas/images",
  "next": "/v2/images?marker=0b1c2d3e&limit=2",
  "count": 2
}
"""


def _only(result: ParsedText) -> TextProblem:
    assert len(result.problems) == 1, result.problems
    return result.problems[0]


def _where(problem: TextProblem) -> tuple[str, int, int, str]:
    return problem.kind, problem.line, problem.column, problem.pointer


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _depth_of_nested_lists(value: object) -> int:
    depth = 0
    while isinstance(value, list):
        depth += 1
        value = value[0] if value else None
    return depth


# ---------------------------------------------------------------------------
# Valid documents
# ---------------------------------------------------------------------------

VALID_DOCUMENTS = [
    GLANCE_DOC,
    b"0",
    b"-0",
    b"-0.0",
    b"  true ",
    b"null",
    b'""',
    b"[]",
    b"{}",
    b'{"a": {"b": {"c": []}}, "d": [[], [{}]]}',
    b"[1, -2, 3.25, 1e3, 1E-3, -4.5e+2, 123456789012345678901234567890]",
    b'"\\u0000\\u001f \\/ \\\\ \\" \\b\\f\\n\\r\\t"',
    '["h\u00e9llo", "\u65e5\u672c", "\U0001f600"]'.encode(),
    b'"\\ud83d\\ude00 pair, \\ud800 lone high, \\udc00 lone low"',
    b'{"k\\u00e9y": 1, "": 2, "a/b~c": 3}',
    b'"\x7f is allowed"',
    b"\t\r\n[\r\n1\r\n]\r\n",
]


@pytest.mark.parametrize("data", VALID_DOCUMENTS, ids=range(len(VALID_DOCUMENTS)))
def test_valid_documents_round_trip_like_json_loads(data: bytes) -> None:
    """Valid JSON parses to exactly what json.loads gives, with no problems, on both paths."""
    expected = json.loads(data)
    for result in (parse_text(data), load_bytes(data)):
        assert result.problems == ()
        assert result.ok()
        assert result.value == expected
        assert type(result.value) is type(expected)


def test_integers_beyond_64_bits_stay_exact_ints_on_the_fast_path() -> None:
    """load_bytes never lets orjson turn a big integer into a float."""
    for number in (2**63, 2**64, 2**64 + 1, -(2**63) - 1, 10**40 + 7):
        data = f'{{"size": {number}}}'.encode()
        for result in (load_bytes(data), parse_text(data)):
            assert result.problems == ()
            value: Any = result.value
            assert type(value["size"]) is int
            assert value["size"] == number


def test_no_value_is_a_unique_sentinel() -> None:
    """NO_VALUE has a readable repr and keeps its identity through pickling."""
    assert repr(NO_VALUE) == "NO_VALUE"
    assert pickle.loads(pickle.dumps(NO_VALUE)) is NO_VALUE
    assert type(NO_VALUE)() is NO_VALUE


def test_parsed_text_and_problem_are_frozen() -> None:
    """TextProblem and ParsedText are immutable."""
    result = parse_text(b"[1,]")
    with pytest.raises(AttributeError):
        result.value = 1  # type: ignore[misc]
    with pytest.raises(AttributeError):
        result.problems[0].line = 2  # type: ignore[misc]


# ---------------------------------------------------------------------------
# Each problem kind, with exact positions
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   ", b" \r\n\t\n"])
def test_empty_or_whitespace_only(data: bytes) -> None:
    """Empty or whitespace-only input gives one "empty" problem at 1:1 and no value."""
    result = parse_text(data)
    assert _where(_only(result)) == ("empty", 1, 1, "")
    assert result.value is NO_VALUE
    assert not result.ok()
    assert load_bytes(data) == result


def test_utf8_bom_is_reported_but_the_value_is_usable() -> None:
    """A UTF-8 BOM gives a "bom" problem at 1:1, the value is still parsed and ok() is True."""
    data = b'\xef\xbb\xbf{"a": [1, 2]}'
    for result in (parse_text(data), load_bytes(data)):
        assert _where(_only(result)) == ("bom", 1, 1, "")
        assert "byte order mark" in result.problems[0].message
        assert result.value == {"a": [1, 2]}
        assert result.ok()


def test_columns_after_a_bom_do_not_count_the_bom() -> None:
    """Positions after a BOM are counted as if the BOM were not there."""
    result = parse_text(b"\xef\xbb\xbf[1,]")
    assert [_where(p) for p in result.problems] == [("bom", 1, 1, ""), ("invalid-json", 1, 4, "")]
    assert result.value is NO_VALUE


def test_bom_and_nothing_else_is_empty() -> None:
    """A BOM followed by nothing gives both "bom" and "empty"."""
    result = parse_text(b"\xef\xbb\xbf \n")
    assert [p.kind for p in result.problems] == ["bom", "empty"]
    assert result.value is NO_VALUE


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ('{"a": 1}'.encode("utf-16"), "UTF-16"),
        (b"\xfe\xff" + '{"a": 1}'.encode("utf-16-be"), "UTF-16"),
        ('{"a": 1}'.encode("utf-32"), "UTF-32"),
        ('{"a": 1}'.encode("utf-16-le"), "UTF-16"),
    ],
)
def test_utf16_and_utf32_are_rejected_as_not_utf8(data: bytes, encoding: str) -> None:
    """UTF-16/32 input (with or without a BOM) gives one "invalid-utf8" problem naming the encoding."""
    for result in (parse_text(data), load_bytes(data)):
        problem = _only(result)
        assert _where(problem) == ("invalid-utf8", 1, 1, "")
        assert encoding in problem.message
        assert "must be UTF-8" in problem.message
        assert result.value is NO_VALUE


def test_invalid_utf8_is_located_in_characters_not_bytes() -> None:
    """The column of a bad byte counts decoded characters before it on its line."""
    data = '{\n  "name": "\u00e9\u00e9\u65e5 '.encode() + b"\xff" + b'"\n}'
    result = parse_text(data)
    problem = _only(result)
    # Line 2 is '  "name": "' (11 chars) + 3 non-ASCII chars + a space: the bad byte is the 16th char.
    assert _where(problem) == ("invalid-utf8", 2, 16, "/name")
    assert "0xFF" in problem.message
    assert result.value is NO_VALUE
    assert load_bytes(data) == result


def test_invalid_utf8_in_a_string_value_points_at_that_value() -> None:
    """An invalid byte inside a nested string value reports the pointer of that string."""
    result = parse_text(b'{"images": [{"id": "x", "name": "bad \xc3"}]}')
    problem = _only(result)
    assert _where(problem) == ("invalid-utf8", 1, 38, "/images/0/name")


def test_invalid_utf8_in_an_array_element_points_at_that_element() -> None:
    """An invalid byte inside a string element of an array reports the element's index."""
    problem = _only(parse_text(b'{"images": [{"tags": ["ok", "b\xffad"]}]}'))
    assert problem.pointer == "/images/0/tags/1"


def test_invalid_utf8_in_a_key_points_at_the_object() -> None:
    """An invalid byte inside a key reports the object holding it (the key has no pointer yet)."""
    problem = _only(parse_text(b'{"images": [{"id": "x", "na\xe9me": "y"}]}'))
    assert problem.pointer == "/images/0"


def test_truncated_utf8_sequence_at_end() -> None:
    """A multi-byte character cut at the end of input is an incomplete UTF-8 sequence."""
    problem = _only(parse_text('["\u00e9'.encode()[:-1]))
    assert _where(problem) == ("invalid-utf8", 1, 3, "/0")
    assert "incomplete" in problem.message


@pytest.mark.parametrize(
    ("data", "line", "column", "pointer", "message"),
    [
        (
            b"[1, 2,]",
            1,
            7,
            "",
            "unexpected ']' after ','; expected a value (trailing commas are not allowed)",
        ),
        (
            b'{"a": 1,}',
            1,
            9,
            "",
            "unexpected '}' after ','; expected a string key (trailing commas are not allowed)",
        ),
        (b"{'a': 1}", 1, 2, "", "strings and keys must use double quotes"),
        (b'{"a": 1 // c\n}', 1, 9, "", "unexpected '/' after object value; expected ',' or '}'"),
        (b"[01]", 1, 3, "", "numbers must not have leading zeros"),
        (b"[-01]", 1, 4, "", "numbers must not have leading zeros"),
        (b"[1.]", 1, 4, "", "unexpected ']' after '.' in number; expected a digit"),
        (b"[.5]", 1, 2, "", "unexpected '.' after '['; expected a value or ']'"),
        (b"[1e]", 1, 4, "", "unexpected ']' in number exponent; expected a digit"),
        (b"[1e+]", 1, 5, "", "in number exponent; expected a digit"),
        (b"[-]", 1, 3, "", "unexpected ']' after '-'; expected a digit"),
        (b"[+1]", 1, 2, "", "unexpected '+' after '['"),
        (b'{"a":\n  "x\ty"}', 2, 5, "", "unescaped control character U+0009 in string"),
        (b'["a\\qb"]', 1, 4, "", "invalid escape '\\q' in string"),
        (b'["\\u12G4"]', 1, 3, "", "invalid \\u escape"),
        (b'{"a" 1}', 1, 6, "", "unexpected '1' after object key; expected ':'"),
        (b'{"a": 1 "b": 2}', 1, 9, "", "unexpected '\"' after object value; expected ',' or '}'"),
        (b"[1 2]", 1, 4, "", "unexpected '2' after array element; expected ',' or ']'"),
        (b"[True]", 1, 2, "", "invalid literal 'True'"),
        (b"[nul]", 1, 2, "", "invalid literal 'nul'"),
        (b"[1] [2]", 1, 5, "", "extra data after the JSON value"),
        (b'{"a": 1}}', 1, 9, "", "extra data after the JSON value"),
        (b"[\x00]", 1, 2, "", "unexpected U+0000"),
        (b'{"a": {"b": [1, {"c": }]}}', 1, 23, "/a/b/1", "unexpected '}' after ':'; expected a value"),
        (b'{"a": [1, 2 3]}', 1, 13, "/a", "after array element"),
        (b"[1,\n 2,\n ]", 3, 2, "", "trailing commas are not allowed"),
    ],
)
def test_syntax_errors_are_reported_once_at_the_offending_position(
    data: bytes, line: int, column: int, pointer: str, message: str
) -> None:
    """Each RFC 8259 violation gives exactly one "invalid-json" problem at the first offending character."""
    for result in (parse_text(data), load_bytes(data)):
        problem = _only(result)
        assert _where(problem) == ("invalid-json", line, column, pointer)
        assert message in problem.message
        assert result.value is NO_VALUE
        assert not result.ok()


@pytest.mark.parametrize(
    ("data", "line", "column", "message"),
    [
        (b'{"a": [1, 2', 1, 12, "unexpected end of input after array element; expected ',' or ']'"),
        (b'{"a": "xy', 1, 10, "unexpected end of input inside a string"),
        (b'{"a"', 1, 5, "unexpected end of input after object key; expected ':'"),
        (b"[tr", 1, 4, "unexpected end of input; expected 'true'"),
        (b'["\\u00', 1, 7, "unexpected end of input in \\u escape"),
        (b"[1.", 1, 4, "unexpected end of input after '.' in number; expected a digit"),
        (b"{\n", 2, 1, "unexpected end of input after '{'; expected a string key or '}'"),
    ],
)
def test_truncated_input_reports_end_of_input_at_the_end(
    data: bytes, line: int, column: int, message: str
) -> None:
    """Truncated input says "unexpected end of input; expected ..." at the end position."""
    problem = _only(parse_text(data))
    assert (problem.kind, problem.line, problem.column) == ("invalid-json", line, column)
    assert problem.message.startswith(message)


def test_non_finite_literals_are_reported_but_parsing_continues() -> None:
    """NaN, Infinity and -Infinity give "non-finite" problems at their positions; the value is kept."""
    data = b'{"a": NaN,\n "b": [Infinity, -Infinity]}'
    for result in (parse_text(data), load_bytes(data)):
        assert [_where(p) for p in result.problems] == [
            ("non-finite", 1, 7, "/a"),
            ("non-finite", 2, 8, "/b/0"),
            ("non-finite", 2, 18, "/b/1"),
        ]
        assert result.problems[0].message == "NaN is not valid JSON; numbers must be finite"
        assert result.problems[2].message == "-Infinity is not valid JSON; numbers must be finite"
        value: Any = result.value
        assert math.isnan(value["a"])
        assert value["b"] == [math.inf, -math.inf]
        assert not result.ok()


def test_float_overflow_is_number_out_of_range() -> None:
    """A float that overflows (1e400, -1e400) gives "number-out-of-range" and the value +-inf."""
    result = parse_text(b'{"size": 1e400, "min": [-1.5E+999]}')
    assert [_where(p) for p in result.problems] == [
        ("number-out-of-range", 1, 10, "/size"),
        ("number-out-of-range", 1, 25, "/min/0"),
    ]
    assert result.value == {"size": math.inf, "min": [-math.inf]}
    assert not result.ok()
    assert load_bytes(b'{"size": 1e400, "min": [-1.5E+999]}') == result


def test_float_underflow_is_not_a_problem() -> None:
    """A float that underflows to zero (1e-400) is accepted, as json.loads does."""
    assert parse_text(b"1e-400") == ParsedText(0.0, ())


def test_integers_longer_than_the_int_conversion_limit() -> None:
    """An integer with more digits than Python's int/str limit is exact but flagged "number-out-of-range"."""
    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    if not limit:
        pytest.skip("this Python has no int/str conversion limit")
    at_limit = b"7" * limit
    result = parse_text(b"[" + at_limit + b"]")
    assert result.problems == ()
    too_long = b"-1" + b"0" * limit
    for result in (parse_text(b"[" + too_long + b"]"), load_bytes(b"[" + too_long + b"]")):
        problem = _only(result)
        assert _where(problem) == ("number-out-of-range", 1, 2, "/0")
        assert f"{limit + 1} digits" in problem.message
        assert result.value == [-(10**limit)]
        assert not result.ok()


def test_duplicate_key_at_depth_0() -> None:
    """A duplicate top-level key is reported at its second occurrence; the last value wins."""
    data = b'{\n  "name": "a",\n  "size": 1,\n  "name": "b"\n}'
    for result in (parse_text(data), load_bytes(data)):
        problem = _only(result)
        assert _where(problem) == ("duplicate-key", 4, 3, "/name")
        assert problem.message == "duplicate key 'name' in object (first at line 2, column 3)"
        assert result.value == {"name": "b", "size": 1}
        assert not result.ok()


def test_duplicate_key_at_depth_2() -> None:
    """A duplicate key inside an image object carries the member's pointer."""
    data = b'{"images": [\n {"id": 1,\n  "name": "x", "name": "y"}\n]}'
    for result in (parse_text(data), load_bytes(data)):
        problem = _only(result)
        assert _where(problem) == ("duplicate-key", 3, 16, "/images/0/name")
        assert problem.message == "duplicate key 'name' in object (first at line 3, column 3)"
        assert result.value == {"images": [{"id": 1, "name": "y"}]}


def test_duplicate_key_at_depth_4_with_escaped_pointer() -> None:
    """A duplicate key four levels deep is found; its pointer escapes '/' and '~'."""
    data = b'{"a": [{"p": [{"x/y~z": 1, "q": 2, "x/y~z": {"r": 3}}]}]}'
    for result in (parse_text(data), load_bytes(data)):
        problem = _only(result)
        assert _where(problem) == ("duplicate-key", 1, 36, "/a/0/p/0/x~1y~0z")
        assert "first at line 1, column 16" in problem.message
        assert result.value == {"a": [{"p": [{"x/y~z": {"r": 3}, "q": 2}]}]}


def test_duplicate_keys_written_differently_are_still_duplicates() -> None:
    """Keys equal after unescaping ("a" and "\\u0061") are duplicates."""
    result = parse_text(b'{"a": 1, "\\u0061": 2}')
    assert _where(_only(result)) == ("duplicate-key", 1, 10, "/a")
    assert load_bytes(b'{"a": 1, "\\u0061": 2}') == result


def test_problems_are_in_text_order() -> None:
    """Non-fatal problems come in text order, followed by the fatal one."""
    result = parse_text(b'{"a": NaN, "a": 1e999, "b": [1,]}')
    assert [p.kind for p in result.problems] == [
        "non-finite",
        "duplicate-key",
        "number-out-of-range",
        "invalid-json",
    ]
    assert result.value is NO_VALUE


# ---------------------------------------------------------------------------
# Depth
# ---------------------------------------------------------------------------


def test_100000_nested_arrays_are_too_deep_without_recursion_error() -> None:
    """100,000 nested arrays give one "too-deep" problem at the first bracket over the limit."""
    data = _nested(100_000)
    for result in (parse_text(data), load_bytes(data)):
        problem = _only(result)
        assert (problem.kind, problem.line, problem.column) == ("too-deep", 1, 10_001)
        assert problem.pointer == "/0" * 10_000
        assert "10000" in problem.message
        assert result.value is NO_VALUE


def test_100000_nested_arrays_parse_when_the_limit_allows() -> None:
    """With max_depth=200,000 the same input parses to 100,000 nested lists."""
    data = _nested(100_000)
    for result in (parse_text(data, max_depth=200_000), load_bytes(data, max_depth=200_000)):
        assert result.problems == ()
        assert _depth_of_nested_lists(result.value) == 100_000


def test_max_depth_is_exact_and_applies_to_the_fast_path() -> None:
    """max_depth nested containers are allowed, one more is "too-deep", on both paths."""
    data = b'{"a": [{"b": []}]}'
    for parse in (parse_text, load_bytes):
        assert parse(data, max_depth=4).problems == ()
        problem = _only(parse(data, max_depth=3))
        assert _where(problem) == ("too-deep", 1, 14, "/a/0/b")
        assert parse(b"5", max_depth=0).problems == ()


def test_a_million_levels_are_rejected_without_recursion() -> None:
    """A million nested arrays give one too-deep problem and no RecursionError."""
    result = parse_text(_nested(1_000_000))
    assert result.problems[0].kind == "too-deep"


# ---------------------------------------------------------------------------
# Line counting
# ---------------------------------------------------------------------------


def test_crlf_counts_as_one_line_end() -> None:
    """ "\\r\\n" ends one line, not two."""
    problem = _only(parse_text(b'{\r\n  "a": 1,\r\n  "b": ?\r\n}'))
    assert (problem.line, problem.column) == (3, 8)


def test_lone_cr_ends_a_line() -> None:
    """A lone "\\r" ends a line, as "\\n" does."""
    problem = _only(parse_text(b'{\r  "a": 1,\r  "b": ?\r}'))
    assert (problem.line, problem.column) == (3, 8)


def test_mixed_line_ends() -> None:
    """ "\\n", "\\r\\n" and "\\r" mixed in one document each count once."""
    problem = _only(parse_text(b"[\n1,\r\n2,\r3,\n\r4 x]"))
    assert (problem.line, problem.column) == (6, 3)


def test_end_of_input_after_a_trailing_line_end_is_on_the_next_line() -> None:
    """Truncation right after a line end points at column 1 of the following line."""
    problem = _only(parse_text(b"[1,\r\n"))
    assert (problem.line, problem.column) == (2, 1)


# ---------------------------------------------------------------------------
# Truncation of a realistic document
# ---------------------------------------------------------------------------


def test_truncation_at_every_byte_offset() -> None:
    """Every prefix of a Glance image list gives exactly one "invalid-json" or "empty" problem, at the end."""
    assert len(GLANCE_DOC.splitlines()) == 40
    complete = len(GLANCE_DOC.rstrip())
    for size in range(len(GLANCE_DOC) + 1):
        prefix = GLANCE_DOC[:size]
        for result in (parse_text(prefix), load_bytes(prefix)):
            if size >= complete:
                assert result.problems == ()
                continue
            problem = _only(result)
            assert result.value is NO_VALUE
            if size == 0:
                assert problem.kind == "empty"
                continue
            assert problem.kind == "invalid-json", (size, problem)
            assert problem.message.startswith("unexpected end of input"), (size, problem)
            text = prefix.decode()
            last_line = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            assert (problem.line, problem.column) == (len(last_line), len(last_line[-1]) + 1)


def test_truncation_pointer_names_the_open_container() -> None:
    """A document cut between the members of the second image points at that image."""
    cut = GLANCE_DOC.index(b",", GLANCE_DOC.index(b'"cirros"')) + 1
    problem = _only(parse_text(GLANCE_DOC[:cut]))
    assert problem.pointer == "/images/1"


def test_truncation_inside_a_string_value_points_at_the_value() -> None:
    """Cut inside a name, the pointer is that name (as for a bad byte there); inside a key, the image."""
    inside_value = GLANCE_DOC.index(b'"cirros"') + 3
    assert _only(parse_text(GLANCE_DOC[:inside_value])).pointer == "/images/1/name"
    inside_key = GLANCE_DOC.index(b'"status"', inside_value) + 3
    assert _only(parse_text(GLANCE_DOC[:inside_key])).pointer == "/images/1"


# ---------------------------------------------------------------------------
# The orjson fast path
# ---------------------------------------------------------------------------


def test_load_bytes_takes_the_fast_path_for_clean_input() -> None:
    """Clean input is returned straight from orjson with no problems."""
    result = load_bytes(GLANCE_DOC)
    assert result == ParsedText(orjson.loads(GLANCE_DOC), ())


def test_colons_and_escaped_quotes_in_strings_do_not_confuse_the_duplicate_check() -> None:
    """String values holding '\\":', escaped quotes and colons neither hide nor invent duplicate keys."""
    tricky = (
        b'{"a": "x\\":", "b": "\\\\", "c": "\\\\\\": 1, \\"d\\": 2", '
        b'"url": "rbd://a:b/c:d", "k:\\"e\\"y": [":", "\\":\\""]}'
    )
    assert load_bytes(tricky) == ParsedText(json.loads(tricky), ())
    duplicated = tricky[:-1] + b', "a": "again"}'
    result = load_bytes(duplicated)
    assert _where(_only(result)) == ("duplicate-key", 1, len(tricky) + 2, "/a")
    assert result.value == json.loads(duplicated)


def test_duplicate_check_with_unicode_escaped_colons() -> None:
    """With \\u003a escapes present the exact key-token count is used, and a duplicate is still found."""
    clean = b'{"a": "\\u003a\\u003A", "b": 1}'
    assert load_bytes(clean) == ParsedText({"a": "::", "b": 1}, ())
    # A duplicate whose lost colon is compensated by an escaped colon elsewhere.
    sneaky = b'{"a": 1, "a": 2, "b": "\\u003a"}'
    result = load_bytes(sneaky)
    assert _where(_only(result)) == ("duplicate-key", 1, 10, "/a")
    assert result.value == {"a": 2, "b": ":"}


def test_duplicate_inside_a_dropped_value_is_found() -> None:
    """A duplicate hidden in a value that a later duplicate replaces is still reported."""
    data = b'{"a": {"x": 1, "x": 2}, "a": 3}'
    result = load_bytes(data)
    assert [_where(p) for p in result.problems] == [
        ("duplicate-key", 1, 16, "/a/x"),
        ("duplicate-key", 1, 25, "/a"),
    ]
    assert result.value == {"a": 3}


def test_orjson_behaviour_the_fast_path_relies_on() -> None:
    """orjson still keeps the last duplicate, floats big ints, caps depth at 1024 and writes e+ exponents."""
    assert orjson.loads(b'{"a": 1, "a": 2}') == {"a": 2}
    assert type(orjson.loads(str(2**64).encode())) is float
    assert b"e+" in orjson.dumps(float(2**63))
    orjson.loads(_nested(1024))
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(_nested(1025))


def _image_list(count: int) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(GLANCE_DOC)
    doc["images"] = [
        dict(
            doc["images"][k % 2],
            name=f"image-{k}",
            owner=f"{k * 104729:032x}",
            container_format="bare",
            disk_format="qcow2",
            virtual_size=2361393152 + k,
            os_hash_algo="sha512",
            os_hash_value=f"{k * 7919:0128x}",
            file=f"/v2/images/{k:08d}-9b4d-4c8e-a1f2-3d4e5f6a7b8c/file",
            description="Official cloud image: see https://cloud-images.example.org/ for details. " * 2,
        )
        for k in range(count)
    ]
    return doc


def test_fast_path_duplicate_check_accepts_a_clean_image_list() -> None:
    """On a ~30 KB image list without duplicates the fast path's exactness check passes."""
    from glance_validate.text.load import _same_as_exact_parse

    data = json.dumps(_image_list(25), indent=2).encode()
    assert _same_as_exact_parse(data, orjson.loads(data), 10_000)


def test_brackets_inside_strings_do_not_make_a_shallow_payload_too_deep() -> None:
    """The bracket count only bounds the depth: many '[' in strings still parse on the fast path."""
    data = b'{"a": "[[[[{{{{", "b": [{"c": "[[[["}], "d": {"e": 1, "f": 2}}'
    for max_depth in (3, 2):
        assert load_bytes(data, max_depth=max_depth) == parse_text(data, max_depth=max_depth)
    assert load_bytes(data, max_depth=3).problems == ()
    assert [p.kind for p in load_bytes(data, max_depth=2).problems] == ["too-deep"]
    duplicated = b'{"a": "[{:", "b": [{"c": 1, "c": 2}]}'
    assert [p.kind for p in load_bytes(duplicated, max_depth=3).problems] == ["duplicate-key"]


# ---------------------------------------------------------------------------
# locate()
# ---------------------------------------------------------------------------

LOCATE_DOC = b"""{
  "images": [
    {"id": "a", "name": "x", "a/b": {"m~n": [10, 20]}},
    {"id": "b", "tags": ["t1", "t2"]}
  ],
  "next": null
}"""


def test_locate_nested_pointers() -> None:
    """locate() gives the position of each value's first character."""
    assert locate(LOCATE_DOC, ["", "/images", "/images/0/name", "/images/1/tags/1", "/next"]) == {
        "": (1, 1),
        "/images": (2, 13),
        "/images/0/name": (3, 25),
        "/images/1/tags/1": (4, 32),
        "/next": (6, 11),
    }


def test_locate_keys_with_escaped_slash_and_tilde() -> None:
    """Pointer tokens use RFC 6901 escaping: ~1 is '/', ~0 is '~'."""
    assert locate(LOCATE_DOC, ["/images/0/a~1b", "/images/0/a~1b/m~0n/1"]) == {
        "/images/0/a~1b": (3, 37),
        "/images/0/a~1b/m~0n/1": (3, 50),
    }


def test_locate_missing_pointer_maps_to_nearest_existing_ancestor() -> None:
    """A pointer that does not exist maps to its nearest existing ancestor."""
    assert locate(LOCATE_DOC, ["/images/1/missing", "/images/7/name", "/nope", "/images/01"]) == {
        "/images/1/missing": (4, 5),
        "/images/7/name": (2, 13),
        "/nope": (1, 1),
        "/images/01": (2, 13),
    }


def test_locate_skips_malformed_pointers() -> None:
    """Pointers that are not RFC 6901 (no leading '/', bad '~' escape) are left out."""
    assert locate(LOCATE_DOC, ["images", "/a~2", "/a~"]) == {}


def test_locate_handles_bom_crlf_and_non_ascii() -> None:
    """locate() skips a BOM, counts CRLF once and counts columns in characters."""
    data = '\ufeff{\r\n "\u00e9\u00e9": "\u65e5", "k": [true]\r\n}'.encode()
    assert locate(data, ["/\u00e9\u00e9", "/k/0"]) == {"/\u00e9\u00e9": (2, 8), "/k/0": (2, 19)}


def test_locate_on_malformed_text_gives_what_was_reached() -> None:
    """On malformed text locate() never raises; pointers past the error map to what was reached."""
    truncated = b'{"images": [{"id": "a", "name": "x"}, {"id": '
    assert locate(truncated, ["/images/0/id", "/images/1/id"]) == {
        "/images/0/id": (1, 20),
        "/images/1/id": (1, 39),
    }
    broken = b'{"images": [{"id": "a"} {"id": "b"}]}'
    assert locate(broken, ["/images/0/id", "/images/1/id"]) == {
        "/images/0/id": (1, 20),
        "/images/1/id": (1, 12),
    }
    assert locate(b"", ["/a"]) == {}
    assert locate(b"\xff\xfe[\x00", [""]) == {}
    assert locate(b'["\xc3\xa9", "x\xff"]', ["/1"]) == {"/1": (1, 7)}


def test_locate_uses_the_first_of_duplicate_keys() -> None:
    """With duplicate keys, locate() reports the first occurrence's value."""
    assert locate(b'{"a": 1, "a": 2}', ["/a"]) == {"/a": (1, 7)}


def test_locate_tolerates_bad_scalars() -> None:
    """locate() is lenient about scalar tokens, so positions after a bad literal are still found."""
    data = b'{"images": [{"id": "a", "name": x}, {"id": "b"}]}'
    assert locate(data, ["/images/1/id"]) == {"/images/1/id": (1, 44)}


def test_locate_stops_early() -> None:
    """locate() stops reading once every requested pointer is found."""
    assert locate(b'{"a": 1, "b": [1, 2, ', ["/a"]) == {"/a": (1, 7)}


def test_locate_deeply_nested() -> None:
    """locate() is iterative: 100,000 nested arrays do not overflow the stack."""
    data = _nested(100_000)
    pointer = "/0" * 50_000
    assert locate(data, [pointer, pointer + "/1"]) == {pointer: (1, 50_001), pointer + "/1": (1, 50_001)}


# ---------------------------------------------------------------------------
# Performance
# ---------------------------------------------------------------------------


def test_parse_text_reads_a_megabyte_list() -> None:
    """parse_text reads a ~1 MB image list exactly (its speed is measured by the benchmark)."""
    doc = _image_list(920)
    data = json.dumps(doc, indent=2).encode()
    assert 1_000_000 < len(data) < 1_500_000
    result = parse_text(data)
    assert result.problems == ()
    assert result.value == doc


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.sampled_from([None, 0, 2]), st.booleans())
def test_any_json_value_round_trips(value: object, indent: int | None, ascii_only: bool) -> None:
    """json.dumps(v) parses back to v with no problems on both paths."""
    data = json.dumps(value, indent=indent, ensure_ascii=ascii_only).encode()
    for result in (load_bytes(data), parse_text(data)):
        assert result.problems == ()
        assert result.value == value


def _leaves(value: object) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    todo: list[tuple[str, object]] = [("", value)]
    while todo:
        pointer, item = todo.pop()
        found.append((pointer, item))
        if isinstance(item, dict):
            todo.extend((f"{pointer}/{k.replace('~', '~0').replace('/', '~1')}", v) for k, v in item.items())
        elif isinstance(item, list):
            todo.extend((f"{pointer}/{i}", v) for i, v in enumerate(item))
    return found


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES)
def test_locate_points_at_each_value(value: object) -> None:
    """For every pointer in a document, locate() gives the position where that value's text starts."""
    text = json.dumps(value, indent=1, ensure_ascii=False)
    lines = text.split("\n")
    members = _leaves(value)
    positions = locate(text.encode(), [p for p, _ in members])
    for pointer, item in members:
        line, column = positions[pointer]
        rest = lines[line - 1][column - 1 :]
        if isinstance(item, (dict, list)):
            assert rest[:1] == ("{" if isinstance(item, dict) else "["), pointer
        else:
            assert rest.startswith(json.dumps(item, ensure_ascii=False)), pointer


JSONISH_BYTES = st.one_of(
    st.binary(max_size=80),
    st.text(alphabet='[]{}",:0123456789-+.eEtruefalsnNIy \t\r\n\\/u\x00\x1f\u00e9\ufeff', max_size=60).map(
        str.encode
    ),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()).flatmap(
        lambda b: st.tuples(st.just(b), st.integers(0, len(b)), st.binary(max_size=3)).map(
            lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :]
        )
    ),
)


def _same(a: object, b: object) -> bool:
    return repr(a) == repr(b)


@settings(max_examples=600, deadline=None)
@given(JSONISH_BYTES)
def test_any_bytes_never_raise_and_both_paths_agree(data: bytes) -> None:
    """For any bytes, neither function raises, and load_bytes returns exactly what parse_text returns."""
    slow = parse_text(data)
    fast = load_bytes(data)
    assert fast.problems == slow.problems
    assert _same(fast.value, slow.value)
    assert isinstance(slow.problems, tuple)
    assert slow.ok() == all(p.kind == "bom" for p in slow.problems)
    assert (slow.value is NO_VALUE) == any(
        p.kind in {"empty", "invalid-utf8", "invalid-json", "too-deep"} for p in slow.problems
    )
    for problem in slow.problems:
        assert problem.line >= 1 and problem.column >= 1
    if not slow.problems:
        assert _same(slow.value, json.loads(data))
    locate(data, ["", "/0", "/a/0/b", "/~1"])


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=60), st.lists(st.text(max_size=6), max_size=4))
def test_locate_never_raises(data: bytes, pointers: list[str]) -> None:
    """locate() returns a dict of positions for any bytes and any pointer strings."""
    result = locate(data, pointers)
    assert set(result) <= set(pointers)
    assert all(line >= 1 and column >= 1 for line, column in result.values())
