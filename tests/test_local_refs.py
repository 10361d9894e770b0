"""Local $ref ("#/definitions/x") in a schema document: checked, linted and diffed as written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sample_payloads import sample_page

from glance_validate import Validator, compile_dialect
from glance_validate.analysis.diff import diff_dialects
from glance_validate.schema.documents import SchemaDocument

ENGINES = ("fast", "reference")


def _image_document(name_type: str = "string") -> dict[str, Any]:
    return {
        "name": "image",
        "definitions": {"name": {"type": name_type}},
        "properties": {"id": {"type": "string"}, "name": {"$ref": "#/definitions/name"}},
    }


def _list_document() -> dict[str, Any]:
    items = {"properties": {"id": {"type": "string"}, "name": {"$ref": "#/definitions/name"}}}
    return {
        "name": "images",
        "definitions": {"name": {"type": "string"}},
        "properties": {
            "images": {"type": "array", "items": items},
            "first": {"type": "string"},
            "schema": {"type": "string"},
        },
    }


def _dialect(document: dict[str, Any]) -> Any:
    return compile_dialect(SchemaDocument(name="test", document=document))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("document", [_image_document(), _list_document()], ids=["image", "images"])
def test_a_local_ref_resolves_against_its_own_document(engine: str, document: dict[str, Any]) -> None:
    """ "#/definitions/name" names the document's definitions, in an image or an images document."""
    found = Validator(_dialect(document), engine=engine).validate(sample_page({"id": "a", "name": 3}))  # type: ignore[arg-type]
    assert [(f.code, f.path, f.message) for f in found.findings] == [
        ("K001", "/images/0/name", "expected string, found integer 3")
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_single_image_is_checked_through_a_local_ref(engine: str) -> None:
    """The image schema compiled on its own resolves a list document's root definitions."""
    found = Validator(_dialect(_list_document()), engine=engine).validate(
        {"id": "a", "name": 3, "schema": "/v2/schemas/image"}
    )  # type: ignore[arg-type]
    assert [(f.code, f.path) for f in found.findings] == [("K001", "/name")]


def test_diff_compares_what_a_local_ref_names() -> None:
    """A change inside definitions is a change of the property that refers to it."""
    changes = diff_dialects(_dialect(_image_document("string")), _dialect(_image_document("integer")))
    assert [(c.path, c.aspect) for c in changes] == [("name", "type")]


def test_check_cli_accepts_a_local_ref(tmp_path: Path) -> None:
    """`check --schema` with a local $ref checks the payload instead of refusing the schema."""
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(_image_document()))
    payload = tmp_path / "image.json"
    payload.write_text(json.dumps(sample_page({"id": "a", "name": "x"})))
    result = subprocess.run(
        [sys.executable, "-m", "glance_validate", "check", "--schema", str(schema), str(payload)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_lint_passes_a_local_ref_that_resolves() -> None:
    """A local $ref naming a definition of the document is no finding."""
    from glance_validate.analysis.lint import lint_document

    assert [f.code for f in lint_document(_image_document())] == ["L010"]


def test_lint_reports_a_local_ref_that_names_nothing() -> None:
    """A local $ref to a missing definition is L003 at the $ref, as check refuses it."""
    from glance_validate.analysis.lint import lint_document

    document = _image_document()
    document["properties"]["name"]["$ref"] = "#/definitions/missing"
    assert [(f.code, f.path, f.message) for f in lint_document(document) if f.code == "L003"] == [
        ("L003", "/properties/name/$ref", "$ref '#/definitions/missing' names nothing in this document")
    ]
