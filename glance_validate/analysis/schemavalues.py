"""Schema values as the schema tools (table, lint, diff) read them.

Declared types, keyword values shown as text, enum equality, and ``draft6_json_type``: the type
a value has in Draft 6 and later, where 1.0 is an integer. Lint and diff judge enum values by
it, because most validators accept 1.0 for ``type: integer``; the checks themselves read Draft 4
as this tool validates it (``core.jsontypes.json_type``: 1.0 is a number).
"""

from __future__ import annotations

import json
from typing import Any

MISSING: Any = object()

CONSTRAINT_KEYWORDS = (
    "pattern",
    "format",
    "minLength",
    "maxLength",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "required",
    "minProperties",
    "maxProperties",
)


def declared_types(schema: dict[str, Any]) -> tuple[str, ...]:
    """The types a schema's ``type`` names, in its order (none: any type)."""
    declared = schema.get("type")
    if isinstance(declared, str):
        return (declared,)
    if isinstance(declared, list):
        return tuple(str(t) for t in declared)
    return ()


def type_set(value: Any) -> frozenset[str] | None:
    """The value of a ``type`` keyword as a set (None when the keyword is MISSING)."""
    if value is MISSING:
        return None
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, list):
        return frozenset(str(v) for v in value)
    return frozenset({json.dumps(value)})


def plain(value: Any) -> str:
    """Strings as they are, everything else as JSON (null, true, [..])."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def json_key(value: Any) -> str:
    """Equal keys for values JSON Schema calls equal (1 and 1.0), different for true and 1."""
    return json.dumps(_canonical(value), sort_keys=True)


def _canonical(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    return value


def draft6_json_type(value: Any) -> str:
    """The JSON type name of a value as Draft 6 and later read it: 1.0 is an integer."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def has_draft6_type(value: Any, allowed: set[str] | frozenset[str]) -> bool:
    """Whether ``value`` has one of the ``allowed`` types (an integer is a number too)."""
    kind = draft6_json_type(value)
    return kind in allowed or (kind == "integer" and "number" in allowed)


def properties_of(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The object schema's ``properties`` that are schemas."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return {}
    return {k: v for k, v in properties.items() if isinstance(v, dict)}


def fallback_schema(schema: dict[str, Any]) -> dict[str, Any] | bool:
    """The schema an object applies to a property it does not list."""
    extra = schema.get("additionalProperties", True)
    if isinstance(extra, dict):
        return extra
    return extra is not False


def string_set(value: Any) -> frozenset[str]:
    """The strings of a list (``required``), none for anything else."""
    return frozenset(v for v in value if isinstance(v, str)) if isinstance(value, list) else frozenset()
