"""Dialect: read a Glance-served schema document as a clean Draft 4 schema plus facts.

Glance serves a dialect of Draft 4: no ``$schema``, non-standard keywords (``is_base``,
hyper-schema ``links``, ``readOnly`` or "(READ-ONLY)" in descriptions) and, in the IMS
documentation, a capitalised ``"String"`` type. This stage turns such a document into a
standard schema that any Draft 4 validator evaluates as Glance meant it, and reports every
fix it made as a finding about the schema document.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from glance_validate.core.catalog import finding
from glance_validate.core.errors import SchemaUnavailable
from glance_validate.core.findings import Finding, join_pointer
from glance_validate.core.uris import IMAGE_SCHEMA_URI, LIST_SCHEMA_URI
from glance_validate.schema.documents import SchemaDocument, builtin_document

JSON_TYPES = frozenset({"array", "boolean", "integer", "null", "number", "object", "string"})
DEFAULT_ENVELOPE = ("images", "first", "next", "schema")

# Keywords whose value is a schema, a list of schemas, or a name -> schema mapping.
_SCHEMA_KEYWORDS = ("additionalItems", "additionalProperties", "not", "items")
_SCHEMA_LIST_KEYWORDS = ("allOf", "anyOf", "oneOf", "items")
_SCHEMA_MAP_KEYWORDS = ("properties", "patternProperties", "definitions", "dependencies")


@dataclass(frozen=True)
class Normalised:
    schema: dict[str, Any]
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Dialect:
    """A compiled images schema and the facts the rules need."""

    name: str
    list_schema: dict[str, Any]
    image_schema: dict[str, Any]
    base_properties: frozenset[str]
    custom_properties: frozenset[str]
    read_only: frozenset[str]
    image_links: Mapping[str, str]  # rel -> instance field named by the template
    list_links: Mapping[str, str]
    envelope_keys: frozenset[str]
    findings: tuple[Finding, ...]
    vendor: str | None = None  # "IMS" for the IMS schema (its deviations apply); None: upstream
    shipped: bool = False  # read from one of the package's own schemas

    @property
    def schemas(self) -> dict[str, dict[str, Any]]:
        """The compiled schemas by the URI Glance serves them under."""
        return {LIST_SCHEMA_URI: self.list_schema, IMAGE_SCHEMA_URI: self.image_schema}

    @property
    def image_properties(self) -> frozenset[str]:
        return self.base_properties | self.custom_properties


def subschemas(schema: dict[str, Any], base: str = "") -> Iterator[tuple[dict[str, Any], str]]:
    """Every schema object in a Draft 4 schema with its JSON Pointer, without recursion."""
    stack = [(schema, base)]
    while stack:
        current, where = stack.pop()
        yield current, where
        for keyword in _SCHEMA_KEYWORDS:
            child = current.get(keyword)
            if isinstance(child, dict):
                stack.append((child, join_pointer(where, keyword)))
        for keyword in _SCHEMA_LIST_KEYWORDS:
            children = current.get(keyword)
            if isinstance(children, list):
                stack.extend(
                    (c, join_pointer(where, keyword, i))
                    for i, c in enumerate(children)
                    if isinstance(c, dict)
                )
        for keyword in _SCHEMA_MAP_KEYWORDS:
            mapping = current.get(keyword)
            if isinstance(mapping, dict):
                stack.extend(
                    (c, join_pointer(where, keyword, k)) for k, c in mapping.items() if isinstance(c, dict)
                )


def normalise(schema: dict[str, Any]) -> Normalised:
    """A copy of ``schema`` with the dialect's quirks read as standard Draft 4."""
    clean = copy.deepcopy(schema)
    found: list[Finding] = []
    for subschema, where in subschemas(clean):
        found.extend(_fix_type(subschema, where))
        found.extend(_fix_is_base(subschema, where))
    return Normalised(clean, tuple(found))


def _fix_type(subschema: dict[str, Any], where: str) -> Iterator[Finding]:
    declared = subschema.get("type")
    if isinstance(declared, str):
        fixed = _standard_type(declared)
        if fixed != declared:
            subschema["type"] = fixed
            yield _capitalised(declared, fixed, join_pointer(where, "type"))
    elif isinstance(declared, list):
        for i, name in enumerate(declared):
            if isinstance(name, str) and _standard_type(name) != name:
                declared[i] = _standard_type(name)
                yield _capitalised(name, declared[i], join_pointer(where, "type", i))


def _standard_type(name: str) -> str:
    lowered = name.lower()
    return lowered if lowered in JSON_TYPES else name


def _capitalised(found: str, fixed: str, where: str) -> Finding:
    return finding(
        "L001",
        where,
        f'type "{found}" is not a JSON Schema type name; read as "{fixed}"',
    )


def _fix_is_base(subschema: dict[str, Any], where: str) -> Iterator[Finding]:
    if "is_base" not in subschema or isinstance(subschema["is_base"], bool):
        return
    raw = subschema["is_base"]
    meaning = _is_base_meaning(raw)
    subschema["is_base"] = meaning
    yield finding(
        "L002",
        join_pointer(where, "is_base"),
        f"is_base is {raw!r} ({type(raw).__name__}), expected a boolean; read as {meaning}",
    )


def _is_base_meaning(raw: object) -> bool:
    if isinstance(raw, str):
        return raw.strip().lower() not in ("false", "0", "no", "")
    return bool(raw)


def compile_dialect(source: SchemaDocument) -> Dialect:
    """Read an images (list) or image schema document as a compiled ``Dialect``."""
    normalised = normalise(source.document)
    list_schema, image_schema = _split(normalised.schema, source.name)
    _anchor_local_refs(
        normalised.schema, LIST_SCHEMA_URI if list_schema is normalised.schema else IMAGE_SCHEMA_URI
    )
    properties = image_schema.get("properties", {})
    if not isinstance(properties, dict):
        raise SchemaUnavailable(f"schema {source.name!r}: image properties is not an object")
    custom = frozenset(n for n, s in properties.items() if isinstance(s, dict) and s.get("is_base") is False)
    envelope = list_schema.get("properties", {})
    return Dialect(
        name=source.name,
        list_schema=list_schema,
        image_schema=image_schema,
        base_properties=frozenset(properties) - custom,
        custom_properties=custom,
        read_only=frozenset(n for n, s in properties.items() if _is_read_only(s)),
        image_links=_link_templates(image_schema),
        list_links=_link_templates(list_schema),
        envelope_keys=frozenset(envelope) if envelope else frozenset(DEFAULT_ENVELOPE),
        findings=normalised.findings,
        vendor=schema_vendor(source),
        shipped=source.shipped,
    )


def _anchor_local_refs(document: dict[str, Any], uri: str) -> None:
    """Local ``$ref`` ("#/definitions/x") made to name the document's own URI, in place.

    Each engine compiles the image schema and the list schema as roots of their own, so "#" alone
    would mean the image schema inside a list document, or the envelope wrapped around an image
    document. Under an ``id`` the base changes, and those references are left as written.
    """
    if isinstance(document.get("id"), str):
        return
    rebased = [
        where for subschema, where in subschemas(document) if where and isinstance(subschema.get("id"), str)
    ]
    for subschema, where in subschemas(document):
        reference = subschema.get("$ref")
        if not (isinstance(reference, str) and reference.startswith("#")):
            continue
        if not any(where == base or where.startswith(base + "/") for base in rebased):
            subschema["$ref"] = uri + reference


def schema_vendor(source: SchemaDocument) -> str | None:
    """ "IMS" for the builtin IMS schema or a copy of it (from a file or URL); else None (upstream)."""
    return "IMS" if source.name == "ims" or source.document == builtin_document("ims") else None


def _split(schema: dict[str, Any], label: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The list schema and the image schema, whichever of the two the document is."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        raise SchemaUnavailable(f"schema {label!r}: not an images schema (no properties object)")
    images = properties.get("images")
    if isinstance(images, dict) and isinstance(images.get("items"), dict):
        return schema, images["items"]
    if schema.get("name") == "images":
        raise SchemaUnavailable(f"schema {label!r}: images schema without an items schema")
    return _wrap_image_schema(schema), schema


def _wrap_image_schema(image_schema: dict[str, Any]) -> dict[str, Any]:
    """The list envelope Glance builds around an image schema (glance/api/v2/images.py)."""
    return {
        "name": "images",
        "properties": {
            "images": {"type": "array", "items": image_schema},
            "first": {"type": "string"},
            "next": {"type": "string"},
            "schema": {"type": "string"},
        },
        "links": [
            {"rel": "first", "href": "{first}"},
            {"rel": "next", "href": "{next}"},
            {"rel": "describedby", "href": "{schema}"},
        ],
    }


def _is_read_only(property_schema: object) -> bool:
    if not isinstance(property_schema, dict):
        return False
    if property_schema.get("readOnly") is True:
        return True
    description = property_schema.get("description")
    return isinstance(description, str) and "(READ-ONLY)" in description.upper()


def _link_templates(schema: dict[str, Any]) -> dict[str, str]:
    links = schema.get("links")
    templates: dict[str, str] = {}
    if not isinstance(links, list):
        return templates
    for link in links:
        if not isinstance(link, dict):
            continue
        rel, href = link.get("rel"), link.get("href")
        if isinstance(rel, str) and isinstance(href, str) and href.startswith("{") and href.endswith("}"):
            templates[rel] = href[1:-1]
    return templates
