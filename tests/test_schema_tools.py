"""schema show, lint, diff and fetch: the library functions and the commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from schema_server import GLANCE, SCHEMA_PATH, SEED, TOKEN, SchemaServer, json_reply, schema_route

from glance_validate.analysis.diff import diff_dialects, effect_lines
from glance_validate.analysis.lint import lint_bytes, lint_document, pattern_differences
from glance_validate.analysis.table import property_rows, render_table
from glance_validate.schema.dialect import compile_dialect
from glance_validate.schema.documents import SchemaDocument
from glance_validate.schema.sources import load_schema

UUID = "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$"


def _cli(*args: str, cache: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    environment.update({"XDG_CACHE_HOME": str(cache), **env})
    result = subprocess.run(
        [sys.executable, "-m", "glance_validate", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def _dialect(document: dict[str, Any], name: str = "<test>") -> Any:
    return compile_dialect(SchemaDocument(name, document))


def _image_schema(properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": "image", "properties": properties, "additionalProperties": {"type": "string"}, **extra}


@pytest.fixture
def server() -> Iterator[SchemaServer]:
    with SchemaServer() as running:
        running.route(SCHEMA_PATH, schema_route())
        yield running


# show -----------------------------------------------------------------------------------------


def test_show_rows_read_the_dialect_facts() -> None:
    """Rows give type, enum, base/custom and read-only as the dialect reads them (READ-ONLY text too)."""
    rows = {r.path: r for r in property_rows(compile_dialect(load_schema("ims")))}
    assert len([p for p in rows if "." not in p and "[]" not in p]) == 27
    status = rows["status"]
    assert status.types == ("string",) and status.read_only and status.kind == "base"
    assert status.enum == ("queued", "saving", "active", "killed", "deleted", "pending_delete")
    assert rows["kernel_id"].kind == "custom" and dict(rows["kernel_id"].constraints) == {"pattern": UUID}
    assert not rows["name"].read_only and dict(rows["name"].constraints) == {"maxLength": 255}
    assert rows["locations[]"].constraints == (("required", ["url", "metadata"]),)
    assert rows["locations[].url"].kind is None and rows["tags[]"].types == ("string",)


def test_show_table_has_the_columns_in_order() -> None:
    """The table's header names property, type, enum, base/custom, read-only (then constraints)."""
    table = render_table(property_rows(compile_dialect(load_schema("glance"))))
    header, *lines = table.splitlines()
    assert header.split() == ["property", "type", "enum", "base/custom", "read-only", "constraints"]
    visibility = next(line for line in lines if line.startswith("visibility "))
    assert visibility.split()[:6] == ["visibility", "string", "community,", "public,", "private,", "shared"]
    assert next(line for line in lines if line.startswith("os_hash_algo ")).split()[1:4] == [
        "null|string",
        "base",
        "yes",
    ]


def test_show_command_text_and_json(tmp_path: Path) -> None:
    """schema show prints the table and a summary line; --format json gives the same rows."""
    text = _cli("schema", "show", "--schema", "ims", cache=tmp_path)
    assert text.returncode == 0
    assert "ims: 27 image properties (21 base, 6 custom); other properties: string" in text.stdout
    assert "L001 [warning]" in text.stderr  # the dialect's fix is noted, outside the table
    data = json.loads(_cli("schema", "show", "--schema", "glance", "--format", "json", cache=tmp_path).stdout)
    by_name = {row["property"]: row for row in data["properties"]}
    assert by_name["os_hidden"] == {
        "property": "os_hidden",
        "type": ["boolean"],
        "enum": None,
        "kind": "base",
        "read_only": False,
        "constraints": {},
    }
    assert by_name["cinder_encryption_key_deletion_policy"]["kind"] == "custom"


def test_show_fetches_from_an_endpoint(server: SchemaServer, tmp_path: Path) -> None:
    """schema show --endpoint fetches the served schema with the token from the environment."""
    result = _cli("schema", "show", "--endpoint", server.url(), cache=tmp_path, OS_AUTH_TOKEN=TOKEN)
    assert result.returncode == 0, result.stderr
    assert f"{server.url(SCHEMA_PATH)}: 27 image properties" in result.stdout


def test_show_unusable_schema_exits_3(tmp_path: Path) -> None:
    """A schema that is not one: one line on stderr, exit 3."""
    bad = tmp_path / "list.json"
    bad.write_text('{"images": []}')
    result = _cli("schema", "show", "--schema", str(bad), cache=tmp_path)
    assert result.returncode == 3 and result.stderr.count("\n") == 1


# lint -----------------------------------------------------------------------------------------


def _codes(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f.code, f.path) for f in lint_document(document)]


def test_lint_seed_schema() -> None:
    """The seed: missing $schema (info), the "String" type, and $ in its uuid patterns."""
    found = lint_document(load_schema("ims").document)
    assert [(f.code, f.severity) for f in found].count(("L008", "warning")) == 3
    assert ("L010", "info") in [(f.code, f.severity) for f in found]
    assert ("L001", "/properties/images/items/additionalProperties/type") in [(f.code, f.path) for f in found]
    assert all(f.severity != "error" for f in found)


def test_lint_unknown_keyword_suggests_the_known_one() -> None:
    """A misspelt keyword is reported with the keyword probably meant; Glance markers are not."""
    found = lint_document({"properties": {"name": {"type": "string", "maxlength": 255, "is_base": False}}})
    (unknown,) = [f for f in found if f.code == "L004"]
    assert unknown.path == "/properties/name/maxlength" and "did you mean maxLength?" in unknown.message


def test_lint_later_draft_keyword() -> None:
    """const (Draft 6) is named as a keyword Draft 4 ignores."""
    found = lint_document({"properties": {"os_hidden": {"const": False}}})
    assert [(f.code, f.path) for f in found if f.code == "L005"] == [("L005", "/properties/os_hidden/const")]
    assert "Draft 6" in next(f.message for f in found if f.code == "L005")


def test_lint_property_named_like_a_keyword_is_not_a_keyword() -> None:
    """Property names (a property called "const") are not checked as keywords."""
    assert not [c for c in _codes({"properties": {"const": {"type": "string"}}}) if c[0] in ("L004", "L005")]


def test_lint_enum_value_outside_the_type() -> None:
    """null in the enum of a string-only property can never be valid."""
    found = lint_document({"properties": {"disk_format": {"type": "string", "enum": [None, "raw"]}}})
    (outside,) = [f for f in found if f.code == "L006"]
    assert outside.path == "/properties/disk_format/enum/0" and "null" in outside.message


def test_lint_enum_type_allows_integers_as_numbers() -> None:
    """An integer enum value is fine for type number; 1.0 counts as an integer."""
    assert not [
        c for c in _codes({"properties": {"x": {"type": "number", "enum": [1, 2.5]}}}) if c[0] == "L006"
    ]
    assert not [
        c for c in _codes({"properties": {"x": {"type": "integer", "enum": [1.0]}}}) if c[0] == "L006"
    ]


def test_lint_duplicate_enum_values() -> None:
    """Duplicates (1 and 1.0 alike) are errors at the second occurrence; true and 1 differ."""
    found = lint_document({"properties": {"x": {"enum": ["a", 1, True, "a", 1.0]}}})
    assert [(f.code, f.path, f.severity) for f in found if f.code == "L007"] == [
        ("L007", "/properties/x/enum/3", "error"),
        ("L007", "/properties/x/enum/4", "error"),
    ]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("^[0-9a-f]+$", ["$ also matches before a final newline"]),
        (r"^\d+$", ["\\d is Unicode-aware in Python", "$ also matches"]),
        (r"\w+", ["\\w is Unicode-aware"]),
        (r"[\w.]+", ["\\w is Unicode-aware"]),
        ("[$]x", []),
        (r"a\$", []),
        (r"[\b]", []),
    ],
)
def test_pattern_differences(pattern: str, expected: list[str]) -> None:
    """What Python's re reads differently from ECMA-262: $, \\d, \\w, \\b (not inside classes or escaped)."""
    found = pattern_differences(pattern)
    assert len(found) == len(expected)
    for part, text in zip(expected, found, strict=True):
        assert part in text


def test_lint_pattern_that_only_python_compiles() -> None:
    """(?i) compiles in Python only: one L009 naming the Python syntax, no separate L003."""
    found = lint_document({"properties": {"name": {"type": "string", "pattern": "(?i)^ubuntu"}}})
    assert [(f.code, f.path) for f in found if f.code in ("L003", "L009")] == [
        ("L009", "/properties/name/pattern")
    ]
    assert "inline flags" in next(f.message for f in found if f.code == "L009")


def test_lint_pattern_that_only_ecma_compiles() -> None:
    """(?<name>...) compiles in ECMA-262 only: L009 says Python writes (?P<name>...)."""
    found = lint_document({"properties": {"id": {"type": "string", "pattern": "^(?<head>[a-f]+)$"}}})
    (portable,) = [f for f in found if f.code == "L009"]
    assert "not with Python's re" in portable.message and "(?P<name>...)" in portable.message


def test_lint_dollar_schema() -> None:
    """No $schema is info L010; a non-Draft-4 $schema is L011; Draft 4 is neither."""
    assert ("L010", "") in _codes({"properties": {}})
    draft7 = {"$schema": "http://json-schema.org/draft-07/schema#", "properties": {}}
    assert ("L011", "/$schema") in _codes(draft7)
    draft4 = {"$schema": "http://json-schema.org/draft-04/schema#", "properties": {}}
    assert not [c for c in _codes(draft4) if c[0] in ("L010", "L011")]


def test_lint_not_an_images_schema() -> None:
    """A document with no properties object is L012."""
    assert ("L012", "") in _codes({"images": []})


def test_lint_reuses_the_dialect_and_metaschema_checks() -> None:
    """is_base as a string (L002) and an invalid type (L003) come from the shared checks."""
    found = lint_document({"properties": {"x": {"type": "int", "is_base": "false"}}})
    assert ("L002", "/properties/x/is_base") in [(f.code, f.path) for f in found]
    assert "L003" in [f.code for f in found]


def test_lint_bytes_gives_positions_and_parse_problems() -> None:
    """Findings in a file carry line and column; a duplicate key is reported too."""
    text = (
        b'{\n  "name": "images",\n  "properties": {\n'
        b'    "name": {"type": "String", "maxlength": 3}\n  },\n  "name": "x"\n}\n'
    )
    linted = lint_bytes("s.json", text)
    positions = {f.code: (f.line, f.column) for f in linted.findings}
    assert positions["L001"] == (4, 22) and positions["L004"] == (4, 45) and positions["P006"][0] == 6


def _write(tmp_path: Path, name: str, document: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=2))
    return path


def test_lint_command_over_many_files(tmp_path: Path) -> None:
    """Many paths in one run (as pre-commit passes them): errors exit 1, each finding on its line."""
    good = _write(
        tmp_path, "good.json", {"$schema": "http://json-schema.org/draft-04/schema#", "properties": {}}
    )
    bad = _write(tmp_path, "bad.json", {"properties": {"s": {"enum": ["a", "a"]}}})
    result = _cli("schema", "lint", str(good), str(bad), cache=tmp_path)
    assert result.returncode == 1
    assert f"{bad}:" in result.stdout and "L007 [error]" in result.stdout
    assert f"{good}:" not in result.stdout
    assert result.stdout.strip().endswith("linted 2 schema documents: 1 error, 1 info")


def test_lint_command_warnings_only_exits_0(tmp_path: Path) -> None:
    """Warnings and info do not fail the run."""
    result = _cli("schema", "lint", "ims", "glance", cache=tmp_path)
    assert result.returncode == 0 and "L008 [warning]" in result.stdout


def test_lint_command_reads_a_glance_release_schema(tmp_path: Path) -> None:
    """A release name lints the schema built for that release, as show and diff read it."""
    result = _cli("schema", "lint", "glance-2024.1", "glance-no-such-release", cache=tmp_path)
    assert result.returncode == 3 and "cannot be read" not in result.stderr
    assert "glance-no-such-release" in result.stderr and "linted 2 schema documents" in result.stdout
    assert "1 could not be read" in result.stdout


def test_lint_command_unreadable_file_does_not_lose_the_others(tmp_path: Path) -> None:
    """A missing file exits 3 with its own line, and the other files are still linted."""
    bad = _write(tmp_path, "bad.json", {"properties": {"s": {"enum": ["a", "a"]}}})
    result = _cli("schema", "lint", str(tmp_path / "missing.json"), str(bad), cache=tmp_path)
    assert result.returncode == 3
    assert "missing.json: cannot be read" in result.stderr
    assert "L007 [error]" in result.stdout and "1 could not be read" in result.stdout


def test_lint_command_broken_json_is_a_finding(tmp_path: Path) -> None:
    """A schema file that is not JSON is reported as P001 with its position (exit 1)."""
    broken = tmp_path / "broken.json"
    broken.write_text('{"properties": {')
    result = _cli("schema", "lint", str(broken), cache=tmp_path)
    assert result.returncode == 1 and f"{broken}:1:" in result.stdout and "P001" in result.stdout


def test_lint_command_json_and_min_severity(tmp_path: Path) -> None:
    """--format json lists documents and findings; --min-severity warning drops info."""
    result = _cli("schema", "lint", "--format", "json", "--min-severity", "warning", "ims", cache=tmp_path)
    data = json.loads(result.stdout)
    codes = {f["code"] for f in data["documents"][0]["findings"]}
    assert codes == {"L001", "L008"}
    assert data["summary"] == {
        "documents": 1,
        "findings": {"error": 0, "warning": 4, "info": 1},
        "unreadable": 0,
    }


def test_lint_command_reads_stdin_and_urls(server: SchemaServer, tmp_path: Path) -> None:
    """'-' lints standard input; a URL is fetched with the token."""
    stdin = '{"properties": {"x": {"const": 1}}}'
    result = _cli(
        "schema", "lint", "-", server.url(SCHEMA_PATH), cache=tmp_path, stdin=stdin, OS_AUTH_TOKEN=TOKEN
    )
    assert "<stdin>:1:" in result.stdout and "L005" in result.stdout
    assert f"{server.url(SCHEMA_PATH)}: L001 [warning]" in result.stdout


# diff -----------------------------------------------------------------------------------------

# Every difference between the seed (IMS, Juno-era) and Glance 33.0.0, read off the two
# documents by hand: 7 new image properties, validation_data in locations, null added to
# nine types, and new enum values for status, visibility and the two formats. Descriptions and
# "(READ-ONLY)" versus readOnly are not differences of meaning; the "String" type is read as
# "string" in both.
IMS_TO_GLANCE = [
    ("checksum", "type", "type: B adds null", ["payloads with checksum=null valid in B, invalid in A"]),
    (
        "cinder_encryption_key_deletion_policy",
        "added",
        "added in B: string; enum on_image_deletion, do_not_delete; custom",
        ['payloads with cinder_encryption_key_deletion_policy="" or "x" valid in A, invalid in B'],
    ),
    (
        "cinder_encryption_key_id",
        "added",
        "added in B: string; custom",
        [
            "effect on payloads: none found: A accepts cinder_encryption_key_id as an additional property "
            "(string) as well"
        ],
    ),
    (
        "container_format",
        "type",
        "type: B adds null",
        ["payloads with container_format=null valid in B, invalid in A"],
    ),
    (
        "container_format",
        "enum",
        "enum: B adds null, docker, compressed",
        ['payloads with container_format="docker" or "compressed" or null valid in B, invalid in A'],
    ),
    (
        "description",
        "added",
        "added in B: string; custom",
        ["effect on payloads: none found: A accepts description as an additional property (string) as well"],
    ),
    ("disk_format", "type", "type: B adds null", ["payloads with disk_format=null valid in B, invalid in A"]),
    (
        "disk_format",
        "enum",
        "enum: B adds null, vhdx, ploop",
        ['payloads with disk_format="vhdx" or "ploop" or null valid in B, invalid in A'],
    ),
    ("kernel_id", "type", "type: B adds null", ["payloads with kernel_id=null valid in B, invalid in A"]),
    (
        "locations[].validation_data",
        "added",
        'added in B: object; required ["os_hash_algo", "os_hash_value"]; properties checksum, os_hash_algo, '
        "os_hash_value",
        [
            "payloads with locations[].validation_data={} or null or true or false (or 7 more) "
            "valid in A, invalid in B"
        ],
    ),
    ("name", "type", "type: B adds null", ["payloads with name=null valid in B, invalid in A"]),
    (
        "os_hash_algo",
        "added",
        "added in B: null|string; maxLength 64; base; read-only",
        [
            "payloads with os_hash_algo=null valid in B, invalid in A",
            "payloads with os_hash_algo=<string of 65 characters> valid in A, invalid in B",
        ],
    ),
    (
        "os_hash_value",
        "added",
        "added in B: null|string; maxLength 128; base; read-only",
        [
            "payloads with os_hash_value=null valid in B, invalid in A",
            "payloads with os_hash_value=<string of 129 characters> valid in A, invalid in B",
        ],
    ),
    (
        "os_hidden",
        "added",
        "added in B: boolean; base",
        [
            "payloads with os_hidden=true or false valid in B, invalid in A",
            'payloads with os_hidden="" or "x" valid in A, invalid in B',
        ],
    ),
    ("owner", "type", "type: B adds null", ["payloads with owner=null valid in B, invalid in A"]),
    ("ramdisk_id", "type", "type: B adds null", ["payloads with ramdisk_id=null valid in B, invalid in A"]),
    ("size", "type", "type: B adds null", ["payloads with size=null valid in B, invalid in A"]),
    (
        "status",
        "enum",
        "enum: B adds uploading, importing, deactivated",
        ['payloads with status="uploading" or "importing" or "deactivated" valid in B, invalid in A'],
    ),
    (
        "stores",
        "added",
        "added in B: string; base; read-only",
        ["effect on payloads: none found: A accepts stores as an additional property (string) as well"],
    ),
    (
        "virtual_size",
        "type",
        "type: B adds null",
        ["payloads with virtual_size=null valid in B, invalid in A"],
    ),
    (
        "visibility",
        "enum",
        "enum: B adds community, shared",
        ['payloads with visibility="community" or "shared" valid in B, invalid in A'],
    ),
]


def test_diff_ims_glance_lists_exactly_the_differences() -> None:
    """schema diff ims glance: the full list of differences, each with its effect on payloads."""
    changes = diff_dialects(compile_dialect(load_schema("ims")), compile_dialect(load_schema("glance")))
    assert [(c.path, c.aspect, c.detail, effect_lines(c)) for c in changes] == IMS_TO_GLANCE


def test_diff_reversed_swaps_the_effects() -> None:
    """glance -> ims: the same properties, now removed, and the effects seen from the other side."""
    changes = diff_dialects(compile_dialect(load_schema("glance")), compile_dialect(load_schema("ims")))
    assert len(changes) == len(IMS_TO_GLANCE)
    visibility = next(c for c in changes if c.path == "visibility")
    assert effect_lines(visibility) == [
        'payloads with visibility="community" or "shared" valid in A, invalid in B'
    ]
    assert {c.path for c in changes if c.aspect == "removed"} == {
        p for p, aspect, _, _ in IMS_TO_GLANCE if aspect == "added"
    }


def test_diff_of_a_schema_with_itself_is_empty() -> None:
    """No differences between a schema and itself."""
    assert diff_dialects(compile_dialect(load_schema("glance")), compile_dialect(load_schema("glance"))) == []


def test_diff_reports_base_custom_and_read_only_changes() -> None:
    """A property turning custom, and one turning read-only, are listed with their meaning."""
    a = _dialect(_image_schema({"os_distro": {"type": "string"}, "owner": {"type": "string"}}))
    b = _dialect(
        _image_schema(
            {"os_distro": {"type": "string", "is_base": False}, "owner": {"type": "string", "readOnly": True}}
        )
    )
    changes = {(c.path, c.aspect): c for c in diff_dialects(a, b)}
    assert set(changes) == {("os_distro", "base/custom"), ("owner", "read-only")}
    assert changes[("os_distro", "base/custom")].detail == "base in A, custom in B"
    assert "with add (B) instead of replace (A)" in effect_lines(changes[("os_distro", "base/custom")])[0]
    assert changes[("owner", "read-only")].detail == "read-only in B, writable in A"


def test_diff_constraints_and_required() -> None:
    """A tighter maxLength and a newly required property show payloads that stop validating."""
    a = _dialect(
        _image_schema({"name": {"type": "string", "maxLength": 255}, "locations": {"type": "array", "items": {
            "type": "object", "properties": {"url": {"type": "string"}}}}})
    )  # fmt: skip
    b = _dialect(
        _image_schema({"name": {"type": "string", "maxLength": 10}, "locations": {"type": "array", "items": {
            "type": "object", "properties": {"url": {"type": "string"}}, "required": ["url"]}}})
    )  # fmt: skip
    changes = {(c.path, c.aspect): c for c in diff_dialects(a, b)}
    assert set(changes) == {("name", "maxLength"), ("locations[]", "required")}
    assert changes[("name", "maxLength")].detail == "maxLength 255 in A, 10 in B"
    assert effect_lines(changes[("name", "maxLength")]) == [
        'payloads with name=<string of 254 characters> or <string of 255 characters> or "xxxxxxxxxxx" '
        "valid in A, invalid in B"
    ]
    assert effect_lines(changes[("locations[]", "required")]) == [
        "payloads with locations[]={} valid in A, invalid in B"
    ]


def test_diff_removed_property_against_a_closed_schema() -> None:
    """A property removed where B allows no other properties: any value of it is now invalid."""
    a = _dialect({"name": "image", "properties": {"id": {"type": "string"}, "legacy": {"type": "string"}}})
    b = _dialect({"name": "image", "properties": {"id": {"type": "string"}}, "additionalProperties": False})
    changes = {(c.path, c.aspect): c for c in diff_dialects(a, b)}
    assert ("legacy", "removed") in changes and ("additional properties", "additionalProperties") in changes
    assert effect_lines(changes[("legacy", "removed")]) == [
        'payloads with legacy="" or "x" valid in A, invalid in B'
    ]


def test_diff_of_a_schema_that_cannot_be_compiled_names_it() -> None:
    """diff raises SchemaUnavailable naming the schema and the place, not the engine's error."""
    from glance_validate.core.errors import SchemaUnavailable

    broken = _dialect({"name": "image", "properties": {"id": {"type": ["string", 3]}}})
    with pytest.raises(SchemaUnavailable) as caught:
        diff_dialects(_dialect({"name": "image", "properties": {"id": {"type": "string"}}}), broken)
    message = str(caught.value)
    assert "cannot be compiled" in message and "/properties/id/type" in message
    assert len(message) < 300, message


def test_diff_command_exit_codes(tmp_path: Path) -> None:
    """schema diff exits 1 with differences, 0 without, 3 when a side cannot be read."""
    differs = _cli("schema", "diff", "ims", "glance", cache=tmp_path)
    assert differs.returncode == 1
    assert differs.stdout.startswith("A: ims\nB: glance\n")
    assert differs.stdout.rstrip().endswith("21 differences: 8 properties added, 0 removed, 11 changed")
    assert _cli("schema", "diff", "glance", str(GLANCE), cache=tmp_path).returncode == 0
    assert _cli("schema", "diff", "ims", str(tmp_path / "nope.json"), cache=tmp_path).returncode == 3


def test_diff_command_json(tmp_path: Path) -> None:
    """--format json gives each change with its values on both sides and its effect."""
    data = json.loads(_cli("schema", "diff", "--format", "json", "ims", "glance", cache=tmp_path).stdout)
    visibility = next(c for c in data["changes"] if c["property"] == "visibility")
    assert visibility["aspect"] == "enum" and visibility["a"] == ["public", "private"]
    assert visibility["effect"]["valid_in_b_only"] == ["community", "shared"]


def test_diff_command_against_a_served_schema(server: SchemaServer, tmp_path: Path) -> None:
    """A URL side is fetched: the served seed equals the builtin ims schema."""
    result = _cli("schema", "diff", "ims", server.url(SCHEMA_PATH), cache=tmp_path, OS_AUTH_TOKEN=TOKEN)
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith("no differences")


# fetch ----------------------------------------------------------------------------------------


def test_fetch_pins_the_served_schema_in_a_file(server: SchemaServer, tmp_path: Path) -> None:
    """schema fetch --endpoint -o FILE writes the served document, readable, without the token."""
    pinned = tmp_path / "repo" / "schema.json"
    pinned.parent.mkdir()
    result = _cli(
        "schema", "fetch", "--endpoint", server.url(), "-o", str(pinned), cache=tmp_path, OS_AUTH_TOKEN=TOKEN
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(pinned.read_text()) == json.loads(SEED.read_text())
    assert TOKEN not in pinned.read_text() and TOKEN not in result.stderr
    assert pinned.stat().st_mode & 0o777 == 0o644
    assert f"wrote {server.url(SCHEMA_PATH)} (27 image properties) to {pinned}" in result.stderr
    assert [p.name for p in pinned.parent.iterdir()] == ["schema.json"]
    fixture = Path(__file__).parent.parent / "fixtures" / "ims" / "image-list.json"
    check = _cli("check", "--schema", str(pinned), str(fixture), cache=tmp_path)
    assert check.returncode == 0, check.stdout


def test_fetch_revalidates_by_default(server: SchemaServer, tmp_path: Path) -> None:
    """schema fetch asks the server each time (TTL 0), using the ETag of the cached copy."""
    for _ in range(2):
        _cli("schema", "fetch", "--schema", server.url(SCHEMA_PATH), cache=tmp_path, OS_AUTH_TOKEN=TOKEN)
    requests = server.seen(SCHEMA_PATH)
    assert len(requests) == 2 and "if-none-match" in requests[1].headers


def test_fetch_image_schema_to_stdout(server: SchemaServer, tmp_path: Path) -> None:
    """--image-schema fetches /v2/schemas/image; -o - writes to standard output."""
    image = {"name": "image", "properties": {"id": {"type": "string"}}}
    server.route("/v2/schemas/image", json_reply(image))
    result = _cli("schema", "fetch", "--endpoint", server.url() + "/v2", "--image-schema", cache=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == image


def test_fetch_failure_writes_nothing(server: SchemaServer, tmp_path: Path) -> None:
    """A 404 exits 3 with the URL tried, and no file is created."""
    target = tmp_path / "schema.json"
    result = _cli(
        "schema", "fetch", "--schema", server.url("/v1/schemas/images"), "-o", str(target), cache=tmp_path
    )
    assert result.returncode == 3 and "/v1/schemas/images: 404 Not Found" in result.stderr
    assert not target.exists()


def test_fetch_needs_a_source(tmp_path: Path) -> None:
    """Without --endpoint, a URL or --os-cloud, fetch is a usage error."""
    result = _cli("schema", "fetch", cache=tmp_path)
    assert result.returncode == 2 and "--endpoint" in result.stderr


def test_diff_items_schema_added() -> None:
    """An array gaining an items schema: arrays of other values stop validating."""
    a = _dialect(_image_schema({"tags": {"type": "array"}}))
    b = _dialect(_image_schema({"tags": {"type": "array", "items": {"type": "string"}}}))
    (change,) = diff_dialects(a, b)
    assert (change.path, change.aspect, change.detail) == (
        "tags",
        "items",
        'items {"type": "string"} added in B',
    )
    assert change.effect.valid_in_a_only[:2] == ([None], [True]) and not change.effect.valid_in_b_only


def test_diff_and_lint_use_os_cloud_only_for_urls(tmp_path: Path) -> None:
    """With --os-cloud, builtin names and files are still read locally (no login attempted)."""
    diff = _cli("schema", "diff", "--os-cloud", "nowhere", "ims", "glance", cache=tmp_path)
    assert diff.returncode == 1 and "21 differences" in diff.stdout
    lint = _cli("schema", "lint", "--os-cloud", "nowhere", "ims", cache=tmp_path)
    assert lint.returncode == 0 and "linted 1 schema document" in lint.stdout


def test_diff_with_a_schema_that_breaks_draft4_exits_three_in_one_line(tmp_path: Path) -> None:
    """schema diff against a JSON schema that is not Draft 4 says where it breaks, without a traceback."""
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"name": "image", "properties": {"a": {"type": ["string", 3]}}}))
    result = _cli("schema", "diff", "ims", str(broken), cache=tmp_path)
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1
    assert "broken.json" in result.stderr and "/properties/a/type" in result.stderr
