"""Hostile schemas: ReDoS patterns, $ref to URLs and files, $ref cycles, enormous schemas.

A schema can come from a server; a run must neither stall on it, nor be made to send requests,
nor loop. Runs that could hang are made in child processes with a timeout as a guard (a hang
fails the test); nothing here asserts how long anything takes.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from schema_server import SchemaServer, json_reply

from glance_validate import Validator
from glance_validate.core.errors import SchemaUnavailable
from glance_validate.core.exitcodes import ExitCode
from glance_validate.regex import ecma as ecma_regex
from glance_validate.regex import linear as linear_regex
from glance_validate.schema.dialect import compile_dialect
from glance_validate.schema.guard import UnsafeSchema, check
from glance_validate.schema.releases import releases
from glance_validate.schema.sources import BUILTIN_SCHEMAS, SCHEMA_MAX_BYTES, load_schema

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("fast", "reference")
GUARD = 120  # seconds: only a hang reaches it
UUID = "6a1f0c2e-93d4-4b7e-8f21-0c5d7e9a3b14"


def _images_schema(item_properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    items = {"properties": {"id": {"type": "string"}, **item_properties}}
    return {"name": "images", "properties": {"images": {"type": "array", "items": items}}, **extra}


def _write(path: Path, value: object) -> Path:
    path.write_text(json.dumps(value))
    return path


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "glance_validate", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        timeout=GUARD,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def _in_child(code: str) -> str:
    """Run Python ``code`` in a child process (the guard against a hang); its standard output."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT, timeout=GUARD
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


# ReDoS ---------------------------------------------------------------------------------------------

EVIL = "a" * 40_000 + "!"  # (a+)+$ on Python's re: minutes at 30 characters, forever at this


def test_nested_quantifiers_are_checked_in_linear_time_by_the_command_line(tmp_path: Path) -> None:
    """(a+)+$ as pattern and as patternProperties on 40,000 characters: findings, no stall."""
    schema = _write(
        tmp_path / "schema.json",
        _images_schema(
            {"name": {"type": "string", "pattern": "^(a+)+$"}},
        ),
    )
    schema_doc = json.loads(schema.read_text())
    items = schema_doc["properties"]["images"]["items"]
    items["patternProperties"] = {"^(b+)+$": {"type": "integer"}}
    items["additionalProperties"] = False
    schema.write_text(json.dumps(schema_doc))
    page = _write(
        tmp_path / "page.json", {"images": [{"id": UUID, "name": EVIL + "\n", "b" * 40_000 + "!": 1}]}
    )
    result = _cli("--schema", str(schema), str(page))
    assert result.returncode == ExitCode.FINDINGS, result.stderr
    lines = result.stdout.splitlines()[:-1]
    assert [line.split(" [")[0].rsplit(": ", 1)[1] for line in lines] == ["K003", "C031", "K007"]
    assert "does not match the pattern ^(a+)+$" in lines[0]


def test_both_engines_check_redos_patterns_in_linear_time() -> None:
    """Both engines, through the library: a pattern, a patternProperties name, trailing newlines."""
    code = f"""
import json
from glance_validate import Validator
schema = {json.dumps(_images_schema({"name": {"type": "string", "pattern": "^(a|aa)*$"}}))}
schema["properties"]["images"]["items"]["patternProperties"] = {{"^(b+)+$": {{"type": "integer"}}}}
schema["properties"]["images"]["items"]["additionalProperties"] = False
page = {{"images": [{{"id": "x", "name": {EVIL!r} + "\\n", {("b" * 40_000 + "!")!r}: 1, "b": 2}}]}}
for engine in ("fast", "reference"):
    found = Validator(schema, engine=engine).validate(page).findings
    print(engine, sorted((f.code, f.path[:20]) for f in found))
"""
    out = _in_child(code).splitlines()
    assert out[0].split(" ", 1)[1] == out[1].split(" ", 1)[1]
    assert "('K003', '/images/0/name')" in out[0] and "('K007', '/images/0/bbbbbbbbbb')" in out[0]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_backtracking_pattern_re2_cannot_run_is_refused(engine: str) -> None:
    """A nested quantifier with a backreference: the schema is refused, naming the pattern and where."""
    schema = _images_schema({"name": {"type": "string", "pattern": "^(a+)+\\1$"}})
    with pytest.raises(SchemaUnavailable) as refused:
        Validator(schema, engine=engine)  # type: ignore[arg-type]
    message = str(refused.value)
    assert "'^(a+)+\\\\1$' at /v2/schemas/images#/properties/images/items/properties/name/pattern" in message
    assert "exponential time" in message and "\n" not in message


def test_a_refused_pattern_is_one_line_and_exit_code_three(tmp_path: Path) -> None:
    """On the command line: exit 3, one line on stderr, nothing checked."""
    schema = _write(tmp_path / "s.json", _images_schema({}, patternProperties={"^(?=x)(x*)*y$": {}}))
    page = _write(tmp_path / "p.json", {"images": []})
    result = _cli("--schema", str(schema), str(page))
    assert result.returncode == ExitCode.TOOL_FAILURE and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "'^(?=x)(x*)*y$' at " in result.stderr


def test_without_re2_nested_quantifiers_are_refused_not_run() -> None:
    """Without google-re2 nothing runs in linear time, so (a+)+$ is refused instead of stalling."""
    code = f"""
import sys
sys.modules["re2"] = None  # as if google-re2 were not installed
from glance_validate import Validator
from glance_validate.core.errors import SchemaUnavailable
schema = {json.dumps(_images_schema({"name": {"type": "string", "pattern": "^(a+)+$"}}))}
try:
    Validator(schema)
except SchemaUnavailable as exc:
    print("refused:", exc)
plain = {json.dumps(_images_schema({"name": {"type": "string", "pattern": "^[a-z]+$"}}))}
print(Validator(plain).validate({{"images": [{{"id": "x", "name": "B"}}]}}).codes())
"""
    out = _in_child(code)
    assert "refused:" in out and "install google-re2" in out
    assert "['K003']" in out


@pytest.mark.parametrize(
    ("pattern", "flagged"),
    [
        ("(a+)+$", True),
        ("^(a|ab)*c", True),
        ("(a*b?)*\\1", True),
        ("(x+x+)+y", True),
        ("((ab)*c)*d", True),
        ("^(a)\\1$", False),
        ("(?=abc)a", False),
        ("^a{2,5}b+$", False),
        ("^(ab|cd)$", False),
        ("^(a?)$", False),
    ],
)
def test_the_hazard_screen(pattern: str, flagged: bool) -> None:
    """Nested or alternating repetitions are flagged; single repetitions and plain groups are not."""
    assert (linear_regex.hazard(ecma_regex.translate(pattern)) is not None) is flagged


# RE2 means what Python's re means --------------------------------------------------------------

_ATOMS = ["a", "b", "é", ".", "[ab]", "[^a]", "\\s", "\\S", "\\d", "\\w", "[\\s\\S]", " ", "\\n", "[a-é]"]
_QUANTIFIERS = ["", "", "*", "+", "?", "{1,3}", "*?", "{2}"]


@st.composite
def _patterns(draw: st.DrawFn, depth: int = 0) -> str:
    pieces = []
    for _ in range(draw(st.integers(1, 4))):
        if depth < 2 and draw(st.booleans()):
            inner = "|".join(draw(st.lists(_patterns(depth + 1), min_size=1, max_size=3)))
            atom = draw(st.sampled_from(["(", "(?:"])) + inner + ")"
        else:
            atom = draw(st.sampled_from(_ATOMS))
        pieces.append(atom + draw(st.sampled_from(_QUANTIFIERS)))
    anchored = draw(st.sampled_from(["{}", "^{}", "{}$", "^{}$"]))
    return anchored.format("".join(pieces))


@given(_patterns(), st.lists(st.text(alphabet="ab é\n\t\u3000\x0b0", max_size=12), min_size=1, max_size=6))
@example("^\\s$", ["\x0b", "\u3000", "\x1c", "\x85"])
@example("[^a]$", ["\ud800", "b\n"])
@example("^.$", ["\n", "\ud800", "\U0001f600"])
def test_re2_matches_exactly_what_python_re_matches(pattern: str, texts: list[str]) -> None:
    """The RE2 rebuilt from Python's parse gives the same answer as re.search, for any text."""
    python = ecma_regex.compile_ecma(pattern)
    linear = linear_regex.compile_linear(python.pattern)
    assert linear is not None, pattern
    for text in texts:
        assert linear(text) is (python.search(text) is not None), (pattern, text)


def test_python_spaces_are_what_str_isspace_says() -> None:
    """The \\s set given to RE2 is exactly the characters Python's re calls whitespace."""
    assert set(linear_regex.PYTHON_SPACES) == {chr(c) for c in range(0x110000) if chr(c).isspace()}


def test_patterns_re2_cannot_express_fall_back_to_python() -> None:
    """Backreferences, lookaround, \\b and inline flags run on re (screened), with the same answers."""
    for pattern, text, matches in [
        ("^(a)\\1$", "aa", True),
        ("^(a)\\1$", "ab", False),
        ("^(?!x)a", "ab", True),
        ("^(?!x)a", "xa", False),
        ("\\bfoo", "a foo", True),
        ("\\bfoo", "afoo", False),
        ("(?i)^ab$", "AB", True),
        ("(?i)^ab$", "AC", False),
    ]:
        assert linear_regex.compile_linear(ecma_regex.compile_ecma(pattern).pattern) is None
        assert ecma_regex.search(pattern, text) is matches


# $ref to URLs and files ------------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[SchemaServer]:
    with SchemaServer() as running:
        running.route("/name.json", json_reply({"type": "string"}))
        running.route("/base/name.json", json_reply({"type": "string"}))
        yield running


def _remote_refs(server: SchemaServer) -> dict[str, dict[str, Any]]:
    return {
        "http": _images_schema({"name": {"$ref": server.url("/name.json")}}),
        "http-under-definitions": _images_schema(
            {"name": {"$ref": "#/definitions/remote"}},
            definitions={"remote": {"$ref": server.url("/name.json")}},
        ),
        "relative-under-id": _images_schema({"name": {"$ref": "name.json"}}, id=server.url("/base/")),
        "file": _images_schema({"name": {"$ref": "file:///etc/hostname"}}),
        "urn": _images_schema({"name": {"$ref": "urn:example:name"}}),
    }


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", ["http", "http-under-definitions", "relative-under-id", "file", "urn"])
def test_a_ref_outside_the_schema_is_refused_and_never_requested(
    server: SchemaServer, engine: str, kind: str
) -> None:
    """No engine follows a $ref out of the schema: refused with one line, and no request arrives."""
    schema = _remote_refs(server)[kind]
    with pytest.raises(SchemaUnavailable) as refused:
        Validator(schema, engine=engine).validate({"images": [{"id": "x", "name": 5}]})  # type: ignore[arg-type]
    assert "points outside the schema documents" in str(refused.value)
    assert "references are never retrieved" in str(refused.value) and "\n" not in str(refused.value)
    assert server.requests == []


def test_a_fetched_schema_cannot_send_the_tool_elsewhere(server: SchemaServer, tmp_path: Path) -> None:
    """A schema served over HTTP with a $ref to another URL: exit 3; only the schema was requested."""
    hostile = _images_schema({"name": {"$ref": server.url("/name.json")}})
    server.route("/v2/schemas/images", json_reply(hostile))
    page = _write(tmp_path / "page.json", {"images": []})
    result = subprocess.run(
        [
            sys.executable, "-m", "glance_validate", "--cache-ttl", "0",
            "--schema", server.url("/v2/schemas/images"), str(page),
        ],
        capture_output=True, text=True, timeout=GUARD, cwd=ROOT, check=False,
        env={**_clean_env(), "XDG_CACHE_HOME": str(tmp_path / "cache")},
    )  # fmt: skip
    assert result.returncode == ExitCode.TOOL_FAILURE, result.stderr
    assert f"$ref {server.url('/name.json')!r}" in result.stderr and result.stderr.count("\n") == 1
    assert [r.path for r in server.requests] == ["/v2/schemas/images"]


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "GLANCE_VALIDATE_"))}


@pytest.mark.parametrize("engine", ENGINES)
def test_refs_inside_the_schema_still_work(engine: str) -> None:
    """$ref to definitions and to the other Glance schema resolve as before."""
    schema = _images_schema(
        {
            "name": {"$ref": "/v2/schemas/images#/definitions/name"},
            "children": {"type": "array", "items": {"$ref": "/v2/schemas/image"}},
        },
        definitions={"name": {"type": "string", "maxLength": 3}},
    )
    found = Validator(schema, engine=engine).validate(  # type: ignore[arg-type]
        {"images": [{"id": "x", "name": "long", "children": [{"id": 3}]}]}
    )
    assert [(f.code, f.path) for f in found.findings if f.code.startswith("K")] == [
        ("K001", "/images/0/children/0/id"),
        ("K004", "/images/0/name"),
    ]


# $ref cycles -------------------------------------------------------------------------------------------

CYCLES = {
    "self-at-root": {"name": "images", "$ref": "#", "properties": {"images": {"type": "array", "items": {}}}},
    "two-definitions": _images_schema(
        {"name": {"$ref": "/v2/schemas/images#/definitions/a"}},
        definitions={"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}},
    ),
    "allOf-itself": {
        "name": "images",
        "allOf": [{"$ref": "#"}],
        "properties": {"images": {"type": "array", "items": {}}},
    },
    "anyOf-not": _images_schema(
        {"name": {"$ref": "/v2/schemas/images#/definitions/a"}},
        definitions={"a": {"anyOf": [{"type": "string"}, {"not": {"$ref": "#/definitions/a"}}]}},
    ),
    "property-itself": _images_schema({"name": {"$ref": "#/properties/images/items/properties/name"}}),
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", sorted(CYCLES))
def test_a_ref_cycle_is_refused_instead_of_looping(engine: str, kind: str) -> None:
    """A cycle that applies a schema to the same value without end is refused, naming the loop."""
    code = f"""
from glance_validate import Validator
from glance_validate.core.errors import SchemaUnavailable
try:
    validator = Validator({json.dumps(CYCLES[kind])}, engine={engine!r})
    validator.validate({{"images": [{{"id": "x", "name": 5}}]}})
except SchemaUnavailable as exc:
    print(exc)
"""
    out = _in_child(code)
    assert re.search(r"\$ref cycle (/v2/schemas/images?#\S* -> )+/v2/schemas/images?#\S* applies", out), out


def test_a_recursive_schema_that_descends_is_fine_to_the_parsers_depth() -> None:
    """A schema recursing through items checks values nested to 510 levels with both engines alike."""
    schema = _images_schema({"children": {"type": "array", "items": {"$ref": "/v2/schemas/image"}}})
    node: dict[str, Any] = {"id": 5}
    for _ in range(254):
        node = {"id": "x", "children": [node]}
    data = json.dumps({"images": [node]}).encode()
    for engine in ENGINES:
        found = Validator(schema, engine=engine).validate(data).findings  # type: ignore[arg-type]
        assert [f.code for f in found] == ["K001"], engine
        assert found[0].path.endswith("/children/0/id") and found[0].path.count("children") == 254


def test_the_guard_alone() -> None:
    """check() accepts ordinary schemas, refuses outside refs and cycles, and names them."""
    check({"properties": {"a": {"$ref": "#/definitions/x"}}, "definitions": {"x": {"type": "string"}}})
    check({"properties": {"a": {"items": {"$ref": "#"}}}})  # recursion through a value's parts
    with pytest.raises(UnsafeSchema, match=r"\$ref 'http://127\.0\.0\.1:9/x' at #/properties/a/\$ref"):
        check({"properties": {"a": {"$ref": "http://127.0.0.1:9/x"}}})
    with pytest.raises(UnsafeSchema, match=r"\$ref cycle # -> #/allOf/0 -> # applies"):
        check({"allOf": [{"$ref": "#"}]})
    with pytest.raises(UnsafeSchema, match=r"cycle #/definitions/b -> #/definitions/b applies"):
        check(
            {
                "properties": {"a": {"$ref": "#named"}},
                "definitions": {"b": {"id": "#named", "$ref": "#named"}},
            }
        )


# Enormous schemas ----------------------------------------------------------------------------------


def test_a_schema_with_100000_properties_is_checked_by_both_engines(tmp_path: Path) -> None:
    """100,000 properties: compiled and checked (in a child process with a guard), findings right."""
    properties = {f"p{i}": {"type": "string"} for i in range(100_000)}
    schema = _write(tmp_path / "wide.json", _images_schema(properties))
    code = f"""
from pathlib import Path
from glance_validate import Validator
for engine in ("fast", "reference"):
    validator = Validator(Path({str(schema)!r}), engine=engine)
    result = validator.validate({{"images": [{{"id": "x", "p99999": 1, "p5": "ok"}}]}})
    print(engine, [(f.code, f.path) for f in result.findings])
"""
    out = _in_child(code).splitlines()
    assert out == [f"{e} [('K001', '/images/0/p99999')]" for e in ENGINES]


def test_a_three_megabyte_enum_is_checked_and_its_message_stays_short(tmp_path: Path) -> None:
    """A 3 MB enum (under the 4 MiB schema limit): checked, the finding lists 20 values and the count."""
    values = [f"format-{i:010d}" for i in range(150_000)]
    schema = _write(tmp_path / "enum.json", _images_schema({"disk_format": {"enum": values}}))
    assert 3_000_000 < schema.stat().st_size < SCHEMA_MAX_BYTES
    page = _write(tmp_path / "page.json", {"images": [{"id": "x", "disk_format": "qcow3"}]})
    result = _cli("--schema", str(schema), str(page))
    assert result.returncode == ExitCode.FINDINGS
    finding = next(line for line in result.stdout.splitlines() if " K002 " in line)
    assert finding.endswith("... (150000 in all) (at /images/0/disk_format)") and len(finding) < 1000


def test_an_enormous_fetched_schema_is_refused_with_a_clear_message(
    server: SchemaServer, tmp_path: Path
) -> None:
    """A schema URL answering with 12 MB: refused at the fetch size limit, one line, exit 3."""
    values = [f"format-{i:010d}" for i in range(700_000)]
    server.route("/v2/schemas/images", json_reply(_images_schema({"disk_format": {"enum": values}})))
    page = _write(tmp_path / "page.json", {"images": []})
    result = subprocess.run(
        [
            sys.executable, "-m", "glance_validate", "--cache-ttl", "0",
            "--schema", server.url("/v2/schemas/images"), str(page),
        ],
        capture_output=True, text=True, timeout=GUARD, cwd=ROOT, check=False,
        env={**_clean_env(), "XDG_CACHE_HOME": str(tmp_path / "cache")},
    )  # fmt: skip
    assert result.returncode == ExitCode.TOOL_FAILURE
    assert result.stderr.count("\n") == 1, result.stderr
    assert "declares 14,700,143 bytes; a schema is at most 4,194,304 bytes" in result.stderr


SHIPPED = [*BUILTIN_SCHEMAS, *(release.schema_name for release in releases())]


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_schema_passes_the_guard(name: str) -> None:
    """The package's own schemas, which runs compile without the guard, pass it here."""
    dialect = compile_dialect(load_schema(name))
    assert dialect.shipped
    check(dialect.list_schema, dialect.schemas)
    check(dialect.image_schema, dialect.schemas)


def test_a_copy_of_a_shipped_schema_is_guarded(tmp_path: Path) -> None:
    """The same document from a file or a mapping is not shipped: the guard runs on it."""
    path = tmp_path / "ims.json"
    path.write_text(json.dumps(compile_dialect(load_schema("ims")).list_schema))
    assert not compile_dialect(load_schema(str(path))).shipped
    assert not compile_dialect(load_schema(json.loads(path.read_text()))).shipped


def test_an_unsafe_schema_from_a_file_is_still_refused(tmp_path: Path) -> None:
    """A file's schema whose $ref reaches outside is refused at construction, by the guard."""
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(_images_schema({"name": {"$ref": "http://127.0.0.1:9/x"}})))
    with pytest.raises(SchemaUnavailable, match=r"\$ref 'http://127\.0\.0\.1:9/x'"):
        Validator(str(path))
