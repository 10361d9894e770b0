"""JSON types of parsed values, as Draft 4 names them."""

from __future__ import annotations


def json_type(value: object) -> str:
    """The JSON type name of a parsed value (Draft 4: 1.0 is a number, not an integer)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def same_json(a: object, b: object) -> bool:
    """Equal as JSON values: of one JSON type and equal (1 is not true, 1.0 is not 1)."""
    return json_type(a) == json_type(b) and a == b
