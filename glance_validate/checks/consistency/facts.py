"""What the consistency rules need to know about the schema in use, and C017, the rule about
nothing else: custom property values that are not strings, where the schema lets them through."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from glance_validate.checks.extensions import ExtensionProfile, ims_profile
from glance_validate.checks.rules import describe, show
from glance_validate.core.catalog import finding
from glance_validate.core.findings import Finding, join_pointer
from glance_validate.core.jsontypes import json_type, same_json
from glance_validate.schema.dialect import Dialect

UNSET: Any = object()


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about the schema in use."""

    base_properties: frozenset[str]
    property_schemas: Mapping[str, Any]
    additional: Any  # the image schema's additionalProperties, or UNSET
    drift_possible: bool  # the schema lets a non-string custom property value through
    extensions: ExtensionProfile


def facts_for(dialect: Dialect) -> Facts:
    image = dialect.image_schema
    properties = image.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    additional = image.get("additionalProperties", UNSET)
    customs = [properties[n] for n in dialect.custom_properties]
    return Facts(
        base_properties=dialect.base_properties,
        property_schemas=properties,
        additional=additional,
        drift_possible=not all(map(_strings_only, [additional, *customs])),
        extensions=ims_profile(),
    )


def _strings_only(schema: Any) -> bool:
    """True when the schema lets through no value but a string or null (so no drift can pass it)."""
    if schema is False:
        return True
    if not isinstance(schema, dict):
        return False
    types = schema.get("type")
    types = [types] if isinstance(types, str) else types
    return isinstance(types, list) and set(types) <= {"string", "null"}


def custom_types(image: dict[str, Any], where: str, facts: Facts) -> Iterator[Finding]:
    """C017: custom (non-base) properties holding a non-string value that the schema lets through.

    Values the schema rejects are its keyword findings (K001); this rule reports the drift the
    schema in use cannot see (no additionalProperties, an untyped custom property).
    """
    base, listed = facts.base_properties, facts.property_schemas
    for name, value in image.items():
        if name in base or isinstance(value, str):
            continue
        schema = listed.get(name, facts.additional)
        if schema is False or not _accepts(schema, value):
            continue  # the schema rejects it: its keyword finding says so
        if value is None and _constrains(schema):
            continue  # null where the schema explicitly allows it (kernel_id since Liberty)
        allowed = f"allows {expectation(schema)}" if _constrains(schema) else "does not constrain it"
        yield finding(
            "C017",
            join_pointer(where, name),
            f"custom property {name!r} is {describe(value)}; the schema {allowed}, but Glance stores "
            "custom property values as strings",
        )


def _accepts(schema: Any, value: Any) -> bool:
    """Whether the type and enum of a property schema accept the value (what drift is about)."""
    if not isinstance(schema, dict):
        return True
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else list(types) if isinstance(types, list) else []
        kind = json_type(value)
        if kind not in names and not (kind == "integer" and "number" in names):
            return False
    enum = schema.get("enum")
    return not isinstance(enum, list) or any(same_json(e, value) for e in enum)


def _constrains(schema: Any) -> bool:
    return isinstance(schema, dict) and ("type" in schema or "enum" in schema)


def expectation(schema: Any) -> str:
    """What a property schema expects, as a person reads it."""
    if not isinstance(schema, dict):
        return "any value"
    parts = []
    types = schema.get("type")
    if isinstance(types, str):
        parts.append(types)
    elif isinstance(types, list):
        parts.append(" or ".join(str(t) for t in types))
    enum = schema.get("enum")
    if isinstance(enum, list):
        parts.append("one of " + ", ".join(show(e) for e in enum[:12]))
    return ", ".join(parts) or "any value"
