"""The Glance dialect is read as standard Draft 4, and every fix is reported."""

from __future__ import annotations

from typing import Any

import pytest

from glance_validate.core.errors import SchemaUnavailable
from glance_validate.schema.dialect import compile_dialect, normalise
from glance_validate.schema.documents import SchemaDocument
from glance_validate.schema.sources import load_schema


def _dialect(document: dict[str, Any]) -> Any:
    return compile_dialect(SchemaDocument("<test>", document))


def test_seed_string_type_is_fixed_and_reported_once() -> None:
    """The IMS seed's "String" becomes "string", with exactly one L001 finding about it."""
    dialect = compile_dialect(load_schema("ims"))
    assert dialect.image_schema["additionalProperties"] == {"type": "string"}
    assert [(f.code, f.path) for f in dialect.findings] == [
        ("L001", "/properties/images/items/additionalProperties/type")
    ]


def test_current_glance_schema_needs_no_fix() -> None:
    """The schema upstream Glance serves is already standard: no dialect findings."""
    assert compile_dialect(load_schema("glance")).findings == ()


def test_seed_base_and_custom_properties() -> None:
    """Properties marked is_base false are custom; the others are base."""
    dialect = compile_dialect(load_schema("ims"))
    assert dialect.custom_properties == {
        "kernel_id",
        "ramdisk_id",
        "instance_uuid",
        "os_distro",
        "os_version",
        "architecture",
    }
    assert {"id", "name", "status", "disk_format", "self"} <= dialect.base_properties
    assert not dialect.base_properties & dialect.custom_properties


def test_read_only_from_description_and_keyword() -> None:
    """(READ-ONLY) in a description and readOnly: true both mark a property read-only."""
    seed = compile_dialect(load_schema("ims"))
    current = compile_dialect(load_schema("glance"))
    assert {"status", "checksum", "size", "virtual_size", "self", "file", "schema"} <= seed.read_only
    assert "name" not in seed.read_only
    assert {"status", "os_hash_value", "stores", "created_at"} <= current.read_only


def test_link_templates_are_exposed() -> None:
    """Link templates map each rel to the instance field they name."""
    dialect = compile_dialect(load_schema("ims"))
    assert dialect.image_links == {"self": "self", "enclosure": "file", "describedby": "schema"}
    assert dialect.list_links == {"first": "first", "next": "next", "describedby": "schema"}


def test_capitalised_types_inside_type_arrays_are_fixed() -> None:
    """Any capitalisation, also inside a list of types, is read as the standard name."""
    result = normalise({"properties": {"a": {"type": ["NULL", "Integer"]}, "b": {"type": "STRING"}}})
    assert result.schema["properties"]["a"]["type"] == ["null", "integer"]
    assert result.schema["properties"]["b"]["type"] == "string"
    assert sorted(f.path for f in result.findings) == [
        "/properties/a/type/0",
        "/properties/a/type/1",
        "/properties/b/type",
    ]


def test_property_named_type_is_not_mistaken_for_the_keyword() -> None:
    """A property called "type" and enum data are left alone: only schema positions are read."""
    schema = {"properties": {"type": {"enum": [{"type": "String"}]}}}
    result = normalise(schema)
    assert result.schema == schema
    assert result.findings == ()


def test_is_base_given_as_string_is_read_and_reported() -> None:
    """is_base "false" (a string) marks a custom property and is reported as L002."""
    dialect = _dialect(
        {
            "name": "image",
            "properties": {"os_distro": {"type": "string", "is_base": "false"}, "id": {"type": "string"}},
        }
    )
    assert dialect.custom_properties == {"os_distro"}
    assert [(f.code, f.path) for f in dialect.findings] == [("L002", "/properties/os_distro/is_base")]


def test_an_image_schema_is_wrapped_in_the_list_envelope() -> None:
    """Given GET /v2/schemas/image, the list schema is built around it as Glance does."""
    dialect = _dialect({"name": "image", "properties": {"id": {"type": "string"}}})
    assert dialect.list_schema["properties"]["images"]["items"] is dialect.image_schema
    assert set(dialect.schemas) == {"/v2/schemas/images", "/v2/schemas/image"}


@pytest.mark.parametrize(
    "document", [{"name": "images"}, {"properties": []}, {"name": "images", "properties": {"images": {}}}]
)
def test_documents_that_are_not_images_schemas_are_refused(document: dict[str, Any]) -> None:
    """A document without image properties cannot be used and says why."""
    with pytest.raises(SchemaUnavailable, match="<test>"):
        _dialect(document)


def test_original_document_is_not_modified() -> None:
    """Compiling works on a copy: the caller's dict keeps its "String"."""
    document = load_schema("ims").document
    compile_dialect(SchemaDocument("ims", document))
    assert document["properties"]["images"]["items"]["additionalProperties"]["type"] == "String"
