"""Values from a Draft 4 schema alone, for properties the generator has no knowledge of."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from glance_validate.core.jsontypes import json_type
from glance_validate.generate import regex_strings
from glance_validate.generate.model import SynthesisError, pick, pools
from glance_validate.generate.regex_strings import Choices

_MAX_DEPTH = 3


def value_for(schema: Any, choices: Choices, depth: int = 0) -> Any:
    """A value the Draft 4 ``schema`` accepts, for the keywords Glance schemas use."""
    if not isinstance(schema, dict):
        return pick(choices, pools()["words"])
    schema = _merged(schema, choices)
    types = declared_types(schema)
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        fitting = [v for v in enum if types is None or json_type(v) in types] or enum
        return pick(choices, fitting)
    kind = _pick_type(types, choices)
    if kind == "string":
        return _string_for(schema, choices)
    if kind in ("integer", "number"):
        return _number_for(schema, choices, kind)
    if kind == "boolean":
        return choices.chance(0.5)
    if kind == "array":
        return _array_for(schema, choices, depth)
    if kind == "object":
        return _object_for(schema, choices, depth)
    return None


def _merged(schema: dict[str, Any], choices: Choices) -> dict[str, Any]:
    merged = {k: v for k, v in schema.items() if k not in ("allOf", "anyOf", "oneOf")}
    parts = (
        [s for s in schema.get("allOf", []) if isinstance(s, dict)]
        if isinstance(schema.get("allOf"), list)
        else []
    )
    for keyword in ("anyOf", "oneOf"):
        options = schema.get(keyword)
        if isinstance(options, list) and options:
            branch = pick(choices, options)
            if isinstance(branch, dict):
                parts.append(branch)
    for part in parts:
        merged.update(_merged(part, choices))
    return merged


def declared_types(schema: dict[str, Any]) -> frozenset[str] | None:
    """The JSON types ``schema`` names (``number`` includes ``integer``); None where it names none."""
    declared = schema.get("type")
    if isinstance(declared, str):
        found = {declared}
    elif isinstance(declared, list):
        found = {t for t in declared if isinstance(t, str)}
    else:
        return None
    if "number" in found:
        found.add("integer")
    return frozenset(found)


def _pick_type(types: Iterable[str] | None, choices: Choices) -> str:
    if types is None:
        return "string"  # Glance's additionalProperties and custom properties are strings
    ordered = sorted(set(types))
    solid = [t for t in ordered if t != "null"]
    if not solid or ("null" in ordered and choices.chance(0.15)):
        return "null"
    return pick(choices, solid)


def _string_for(schema: dict[str, Any], choices: Choices) -> str:
    low = schema.get("minLength", 0)
    high = schema.get("maxLength")
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        try:
            return regex_strings.matching_string(pattern, choices)
        except regex_strings.UnsupportedPattern as exc:
            raise SynthesisError(str(exc)) from None
    words: list[str] = pools()["words"]
    text = pick(choices, words)
    low = low if isinstance(low, int) else 0
    while len(text) < low:
        text += "-" + pick(choices, words)
    if isinstance(high, int) and len(text) > high:
        text = text[:high]
    return text


def _number_for(schema: dict[str, Any], choices: Choices, kind: str) -> int | float:
    low, high = _bound(schema, "minimum", 1), _bound(schema, "maximum", -1)
    low = low if low is not None else 0
    high = high if high is not None else max(low, 0) + 4096
    value = choices.integer(low, max(low, high))
    step = schema.get("multipleOf")
    if isinstance(step, int) and step > 0:
        value = -(-value // step) * step  # the next multiple up
    if kind == "number" and not step and value + 0.5 <= high and choices.chance(0.3):
        return value + 0.5
    return value


def _bound(schema: dict[str, Any], keyword: str, inward: int) -> int | None:
    """minimum/maximum as an inclusive integer bound (exclusive bounds moved inward)."""
    value = schema.get(keyword)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    exclusive = schema.get("exclusiveMinimum" if inward > 0 else "exclusiveMaximum") is True
    return int(value) + (inward if exclusive else 0)


def _array_for(schema: dict[str, Any], choices: Choices, depth: int) -> list[Any]:
    declared_low, declared_high = schema.get("minItems"), schema.get("maxItems")
    low: int = declared_low if isinstance(declared_low, int) else 0
    high: int = declared_high if isinstance(declared_high, int) else low + 3
    if depth >= _MAX_DEPTH:
        high = low
    items = schema.get("items", {})
    values: list[Any] = []
    for _ in range(choices.integer(low, max(low, high))):
        schema_here = items[len(values)] if isinstance(items, list) and len(values) < len(items) else items
        value = value_for(schema_here, choices, depth + 1)
        if schema.get("uniqueItems") is True and value in values:
            continue
        values.append(value)
    return values


def _object_for(schema: dict[str, Any], choices: Choices, depth: int) -> dict[str, Any]:
    properties = schema.get("properties", {})
    properties = properties if isinstance(properties, dict) else {}
    required = schema.get("required", [])
    required = set(required) if isinstance(required, list) else set()
    value: dict[str, Any] = {}
    for name, subschema in sorted(properties.items()):
        if name in required or (depth < _MAX_DEPTH and choices.chance(0.3)):
            value[name] = value_for(subschema, choices, depth + 1)
    for name in sorted(required - set(value)):
        value[name] = pick(choices, pools()["words"])
    return value
