"""The library contract of validate(): kinds, findings, inputs, and never raising on payloads."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import pytest
from sample_payloads import sample_page

from glance_validate import Policy, SchemaUnavailable, Validator, validate
from glance_validate.schema.sources import load_schema

UUID = "1f3e5d7c-9b0a-4c2e-8d4f-6a8b0c2e4f6a"


def _image(**overrides: Any) -> dict[str, Any]:
    image = {
        "id": UUID,
        "name": "base",
        "status": "active",
        "visibility": "private",
        "protected": False,
        "container_format": "bare",
        "disk_format": "qcow2",
        "min_disk": 0,
        "min_ram": 0,
        "size": 1024,
        "checksum": "0cc175b9c0f1b6a831c399e269772661",
        "tags": [],
        "created_at": "2026-01-02T03:04:05Z",
        "updated_at": "2026-01-02T03:04:05Z",
        "self": f"/v2/images/{UUID}",
        "file": f"/v2/images/{UUID}/file",
        "schema": "/v2/schemas/image",
    }
    image.update(overrides)
    return image


def _codes(result: Any) -> list[tuple[str, str]]:
    return [(f.code, f.path) for f in result.findings]


def test_huawei_extension_properties_validate_on_the_seed_schema() -> None:
    """The seed's "String" does not crash: __* properties are checked as strings."""
    result = validate(sample_page(_image(__os_bit="64", __platform="Ubuntu", __isregistered="true")))
    assert result.ok and result.kind == "image-list" and result.findings == ()
    assert [f.code for f in result.schema_findings] == ["L001"]


def test_non_string_extension_property_is_a_type_error() -> None:
    """An extension property that is not a string breaks additionalProperties: string."""
    result = validate(sample_page(_image(__support_kvm=True)), policy=Policy(strict=True))
    assert _codes(result) == [("K001", "/images/0/__support_kvm")]
    assert "expected string, found boolean true" in result.findings[0].message
    # Without --strict the same error is the known IMS deviation of booleans in __* properties.
    assert _codes(validate(sample_page(_image(__support_kvm=True)))) == [("D005", "/images/0/__support_kvm")]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({}, [("S002", "")]),
        ([], [("S001", "")]),
        (sample_page("x"), [("S004", "/images/0")]),
        (sample_page(_image(id=UUID + "\n")), [("K003", "/images/0/id")]),
        (sample_page(_image(min_ram=1.0)), [("K001", "/images/0/min_ram")]),
    ],
)
def test_what_the_served_schema_lets_through_is_an_error(
    payload: Any, expected: list[tuple[str, str]]
) -> None:
    """{}, [], non-object images, a uuid with a trailing newline and 1.0 as integer all fail."""
    for engine in ("fast", "reference"):
        result = validate(payload, engine=engine)  # type: ignore[arg-type]
        assert not result.ok
        assert _codes(result) == expected


def test_trailing_newline_message_says_why() -> None:
    """The pattern finding explains that only the trailing line break breaks the match."""
    result = validate(sample_page(_image(id=UUID + "\n")))
    assert "trailing line break" in result.findings[0].message


def test_a_str_payload_is_a_json_string_never_a_file_name(tmp_path: Path) -> None:
    """validate("payload.json") validates the string value, not the file."""
    (tmp_path / "payload.json").write_text("{}")
    result = validate(str(tmp_path / "payload.json"))
    assert result.kind == "unknown" and _codes(result) == [("S001", "")]


def test_bytes_and_path_inputs_give_positions(tmp_path: Path) -> None:
    """Findings on bytes and files carry the line and column of the offending value."""
    text = '{\n  "images": [\n    {"id": "x", "status": "active", "visibility": "nobody"}\n  ]\n}\n'
    path = tmp_path / "list.json"
    path.write_text(text)
    for payload in (text.encode(), path):
        result = validate(payload)
        by_path = {f.path: (f.line, f.column) for f in result.findings}
        line = text.splitlines()[2]
        assert by_path["/images/0/id"] == (3, line.index('"x"') + 1)
        assert by_path["/images/0/visibility"] == (3, line.index('"nobody"') + 1)


def test_single_image_is_recognised_and_checked() -> None:
    """A single image (GET /v2/images/{id}) is validated against the image schema."""
    assert validate(_image()).kind == "image"
    result = validate(_image(status="available"))
    assert result.kind == "image" and _codes(result) == [("K002", "/status")]


@pytest.mark.parametrize(
    ("body", "quoted"),
    [
        ({"error": {"message": "The imagetype is invalid.", "code": "IMG.0024"}}, "IMG.0024: The imagetype"),
        (
            {"error_msg": "Incorrect IAM authentication", "error_code": "APIGW.0301", "request_id": "r"},
            "APIGW.0301: Incorrect IAM",
        ),
        (
            {"message": "Image not found", "code": "404 Not Found", "title": "Not Found"},
            "404 Not Found: Image",
        ),
    ],
)
def test_error_bodies_are_reported_as_error_bodies(body: dict[str, Any], quoted: str) -> None:
    """IMS, gateway and Glance error bodies are a warning that quotes the service's code and message."""
    result = validate(body)
    assert result.kind == "error-body" and result.ok
    assert _codes(result) == [("S006", "")]
    assert quoted in result.findings[0].message


def test_schema_document_is_checked_as_a_schema() -> None:
    """A schema document payload gets findings about its quirks, not image errors."""
    result = validate(load_schema("ims").document)
    assert result.kind == "schema"
    assert _codes(result) == [("L001", "/properties/images/items/additionalProperties/type")]


def test_schema_document_that_breaks_draft4_is_reported() -> None:
    """A schema payload with a type that is not a JSON type gets L003."""
    result = validate({"name": "image", "properties": {"size": {"type": "int"}}})
    assert result.kind == "schema" and [f.code for f in result.findings] == ["L003"]


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        0,
        -1.5,
        "",
        "text",
        [],
        [[]],
        {},
        {"images": None},
        {"images": [None, {}]},
        {"images": [{"id": None, "tags": "x", "locations": [1]}]},
        {"error": None},
        {"properties": {}},
        {"images": [{"size": 2**70}]},
        {"images": [{"name": float("nan")}]},
        {"images": [{"size": math.inf}]},
    ],
)
def test_validate_never_raises_on_json_values(value: Any) -> None:
    """Any JSON value (and Python's NaN/inf floats) gives a result, never an exception."""
    for engine in ("fast", "reference"):
        result = validate(value, engine=engine)  # type: ignore[arg-type]
        assert result.kind in {"image-list", "image", "schema", "error-body", "unknown"}


def test_non_json_python_values_become_a_finding() -> None:
    """A Python object with no JSON meaning is a P010 finding, not an exception."""
    result = validate({"images": [{"id": {1, 2}}]})
    assert not result.ok and "P010" in [f.code for f in result.findings]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   ",
        b"{",
        b'{"images": [}',
        b"\xff\xfe{\x00}\x00",
        b"\xef\xbb\xbf{}",
        b"NaN",
        b'{"a":1,"a":2}',
        b"[" * 5000 + b"]" * 5000,
        b"\x00\x01\x02",
        b'"\\ud800"',
        b"1e400",
    ],
)
def test_validate_never_raises_on_any_bytes(data: bytes) -> None:
    """Broken text of every kind is a finding with a position."""
    result = validate(data)
    assert result.findings
    assert all(f.line is not None for f in result.findings if f.code.startswith("P"))


def test_missing_file_is_a_finding(tmp_path: Path) -> None:
    """An unreadable path is a P009 finding, not an exception."""
    result = validate(tmp_path / "missing.json")
    assert _codes(result) == [("P009", "")]


def test_schema_from_dict_path_and_stdin(tmp_path: Path) -> None:
    """The schema may be a parsed dict, a path, or read from a stream."""
    document = load_schema("glance").document
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(document))
    payload = sample_page(_image(visibility="shared", os_hidden=False))
    assert validate(payload, schema=document).ok
    assert validate(payload, schema=str(path)).ok
    stream = io.BytesIO(json.dumps(document).encode())
    assert Validator(load_schema("-", stdin=stream).document).validate(payload).ok
    assert not validate(payload).ok  # the IMS seed knows no "shared" visibility


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{", "not JSON"),
        ("[1]", "a schema is a JSON object"),
        ('{"name": "x"}', "not an images schema"),
        ("\udcff", "not UTF-8"),
    ],
)
def test_unusable_schema_raises_a_clear_typed_error(
    tmp_path: Path, content: str | None, message: str
) -> None:
    """A schema that cannot be used raises SchemaUnavailable naming the file and the problem."""
    path = tmp_path / "schema.json"
    if content is not None:
        path.write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.raises(SchemaUnavailable, match=message) as info:
        validate({}, schema=str(path))
    assert "schema.json" in str(info.value)


def test_findings_are_deterministic() -> None:
    """The same payload gives the same findings in the same order, every time."""
    payload = sample_page(_image(status="x", visibility="y", min_ram="1"), "z", _image(size=-1.5), nxt=1)
    first = validate(payload)
    assert len(first.findings) == 7  # with C008: the two images share an id
    assert all(validate(payload) == first for _ in range(5))


def test_validator_is_reusable_and_counts_images() -> None:
    """A Validator compiles once and reports how many images each payload held."""
    validator = Validator("glance")
    result = validator.validate({"images": [_image(), _image(), "bad"]})
    assert result.image_count == 2


def test_a_schema_that_breaks_draft4_is_refused_with_where_it_breaks() -> None:
    """An uncompilable schema names the keyword path that breaks Draft 4, not the engine's dump."""
    with pytest.raises(SchemaUnavailable, match=r"/properties/size/type of the image schema") as info:
        Validator({"name": "image", "properties": {"size": {"type": "int"}}})
    assert len(str(info.value)) < 300


def test_messages_count_one_item_and_one_property_in_the_singular() -> None:
    """Type messages say "1 item" and "1 property", not "1 items"."""
    result = validate(
        {"images": [{"id": UUID, "status": "active", "visibility": "private", "tags": {"a": 1}}]}
    )
    assert any(
        "object with 1 property," in f.message or f.message.endswith("object with 1 property")
        for f in result.findings
    )


def test_a_repeated_array_item_is_named_with_both_places() -> None:
    """A uniqueItems finding says which item repeats which, the same on both engines."""
    schema = {
        "name": "images",
        "properties": {
            "images": {
                "type": "array",
                "items": {"properties": {"tags": {"type": "array", "uniqueItems": True}}},
            }
        },
    }
    page = {"images": [{"id": UUID, "status": "active", "tags": ["x", "a", "b", "a"]}]}
    wanted = ['array items must be unique; item 3 repeats item 1: "a"']
    for engine in ("fast", "reference"):
        found = validate(page, schema=schema, engine=engine).findings  # type: ignore[arg-type]
        assert [f.message for f in found if f.code == "K009"] == wanted


@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_a_lone_surrogate_in_an_enum_field_is_k002(engine: str) -> None:
    """A lone surrogate (JSON "\\ud800") is checked like any string: K002, not P010."""
    data = b'{"images": [{"id": "x", "disk_format": "\\ud800"}]}'
    found = Validator(engine=engine).validate(data).findings  # type: ignore[arg-type]
    assert [(f.code, f.path) for f in found if f.code.startswith(("K002", "P"))] == [
        ("K002", "/images/0/disk_format")
    ]


def test_cli_shows_a_lone_surrogate_escaped(tmp_path: Path) -> None:
    """The text and github reports show a lone surrogate as \\ud800 in a K002 line."""
    import subprocess
    import sys

    payload = tmp_path / "image.json"
    payload.write_bytes(b'{"images": [{"id": "x", "disk_format": "\\ud800"}]}')
    for fmt in ("text", "github"):
        result = subprocess.run(
            [sys.executable, "-m", "glance_validate", "check", "--format", fmt, str(payload)],
            capture_output=True,
            check=False,
        )
        line = next(x for x in result.stdout.splitlines() if b"disk_format" in x)
        assert b"K002" in line and b'"\\ud800" is not one of' in line, result.stdout
