"""Rules: turn engine violations and payload shape into findings with stable codes.

Each function here is one rule (or one family of keyword rules). Messages say what was found
and what was expected, and are built from the schema and the instance only, so the fast and
the reference engine produce identical findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from glance_validate.checks.engine import MISSING, Violation, follow
from glance_validate.core.catalog import finding
from glance_validate.core.findings import Finding, join_pointer, pointer
from glance_validate.core.secrets import clip
from glance_validate.regex import ecma as ecma_regex
from glance_validate.schema.dialect import Dialect
from glance_validate.text.kinds import error_message, other_payload

_KEYWORD_CODES = {
    "type": "K001",
    "enum": "K002",
    "pattern": "K003",
    "maxLength": "K004",
    "minLength": "K005",
    "required": "K006",
    "additionalProperties": "K007",
    "minimum": "K008",
    "maximum": "K008",
    "exclusiveMinimum": "K008",
    "exclusiveMaximum": "K008",
    "multipleOf": "K008",
    "minItems": "K009",
    "maxItems": "K009",
    "uniqueItems": "K009",
    "additionalItems": "K009",
    "minProperties": "K010",
    "maxProperties": "K010",
    "dependencies": "K010",
    "allOf": "K011",
    "anyOf": "K011",
    "oneOf": "K011",
    "not": "K011",
    "format": "K012",
}
_SHOWN_LIMIT = 60


# Keyword rules ---------------------------------------------------------------------------


def keyword_findings(violations: Iterable[Violation], instance: object, base: str = "") -> Iterator[Finding]:
    for violation in violations:
        value = follow(instance, violation.path)
        where = join_pointer(base, *violation.path)
        yield from _keyword_finding(violation, value, where)


def _keyword_finding(violation: Violation, value: Any, where: str) -> Iterator[Finding]:
    keyword, expected = violation.keyword, violation.keyword_value
    code = _KEYWORD_CODES.get(keyword, "K099")
    if keyword == "required" and isinstance(value, dict) and isinstance(expected, list):
        for name in expected:
            if name not in value:
                yield finding(code, where, f"required property {name!r} is missing")
    elif keyword == "additionalProperties" and isinstance(value, dict) and expected is False:
        yield from _additional_properties(violation, value, where)
    elif keyword == "dependencies" and isinstance(value, dict) and isinstance(expected, dict):
        yield from _dependencies(value, expected, where)
    elif keyword in _BOUNDS and isinstance(violation.schema, dict):
        yield finding(code, where, _bound_message(keyword, violation.schema, value))
    else:
        yield finding(code, where, _message(keyword, expected, value, violation.engine_message))


# Draft 4 bounds: exclusiveMinimum/exclusiveMaximum are booleans that modify minimum/maximum.
# One engine names the boolean keyword, the other the bound; both become one message here.
_BOUNDS = {
    "minimum": ("minimum", "exclusiveMinimum"),
    "exclusiveMinimum": ("minimum", "exclusiveMinimum"),
    "maximum": ("maximum", "exclusiveMaximum"),
    "exclusiveMaximum": ("maximum", "exclusiveMaximum"),
}


def _bound_message(keyword: str, schema: dict[str, Any], value: Any) -> str:
    bound, flag = _BOUNDS[keyword]
    limit = schema.get(bound)
    if schema.get(flag) is True:
        relation = "greater" if bound == "minimum" else "less"
        return f"{show(value)} is not {relation} than the exclusive {bound} {show(limit)}"
    relation = "less than" if bound == "minimum" else "greater than"
    return f"{show(value)} is {relation} the {bound} {show(limit)}"


def _additional_properties(violation: Violation, value: dict[str, Any], where: str) -> Iterator[Finding]:
    for name in sorted(_additional_names(value, violation.schema)):
        message = f"property {name!r} is not allowed (additionalProperties is false)"
        yield finding("K007", join_pointer(where, name), message)


def _additional_names(value: dict[str, Any], schema: Any) -> set[str]:
    """The keys of ``value`` that neither properties nor patternProperties of ``schema`` name."""
    if not isinstance(schema, dict):
        return set(value)
    listed = schema.get("properties")
    listed = listed if isinstance(listed, dict) else {}
    patterns = schema.get("patternProperties")
    patterns = patterns if isinstance(patterns, dict) else {}
    return {
        name for name in value if name not in listed and not any(ecma_regex.search(p, name) for p in patterns)
    }


def _dependencies(value: dict[str, Any], dependencies: dict[str, Any], where: str) -> Iterator[Finding]:
    for name, needed in dependencies.items():
        if name in value and isinstance(needed, list):
            for other in needed:
                if other not in value:
                    yield finding(
                        "K010", where, f"property {name!r} requires property {other!r}, which is missing"
                    )


def _message(keyword: str, expected: Any, value: Any, engine_message: str) -> str:
    shown = show(value)
    if expected is MISSING:
        return f"{keyword}: {engine_message}"
    if keyword == "type":
        return f"expected {_types(expected)}, found {describe(value)}"
    if keyword == "enum":
        return f"{shown} is not one of the allowed values: {_choices(expected)}"
    if keyword == "pattern":
        return _pattern_message(expected, value)
    if keyword in ("maxLength", "minLength"):
        relation = "longer" if keyword == "maxLength" else "shorter"
        bound = "maximum" if keyword == "maxLength" else "minimum"
        return f"string of {_length(value)} characters is {relation} than the {bound} of {expected}"
    if keyword in ("minimum", "maximum"):
        relation = "less than" if keyword == "minimum" else "greater than"
        return f"{shown} is {relation} the {keyword} {expected}"
    if keyword == "multipleOf":
        return f"{shown} is not a multiple of {expected}"
    if keyword in ("minItems", "maxItems"):
        return f"array of {_size(value)} items breaks {keyword} {expected}"
    if keyword in ("minProperties", "maxProperties"):
        return f"object of {_size(value)} properties breaks {keyword} {expected}"
    if keyword == "uniqueItems":
        return "array items must be unique; " + _first_repeat(value)
    if keyword == "additionalItems":
        return "array has more items than the schema's items list allows"
    if keyword in ("allOf", "anyOf", "oneOf"):
        wanted = {"allOf": "all", "anyOf": "at least one", "oneOf": "exactly one"}[keyword]
        return f"{shown} must match {wanted} of the {len(expected)} {keyword} schemas"
    if keyword == "not":
        return f"{shown} must not match the schema under not"
    if keyword == "format":
        return f"{shown} is not a valid {expected}"
    return f"{keyword} {show(expected)} rejects {shown}"


def _pattern_message(pattern: str, value: Any) -> str:
    text = f"{show(value)} does not match the pattern {pattern}"
    if (
        isinstance(value, str)
        and value != value.rstrip("\r\n")
        and ecma_regex.search(pattern, value.rstrip("\r\n"))
    ):
        text += " (it would without its trailing line break)"
    return text


def _types(expected: Any) -> str:
    if isinstance(expected, list):
        return " or ".join(str(t) for t in expected)
    return str(expected)


def _choices(options: Any) -> str:
    if not isinstance(options, list):
        return show(options)
    listed = ", ".join(show(o) for o in options[:20])
    return listed + (f", ... ({len(options)} in all)" if len(options) > 20 else "")


def _first_repeat(value: Any) -> str:
    """Which item repeats which ("item 3 repeats item 0: \"a\""), so the user can find it."""
    import json

    first_at: dict[str, int] = {}
    for index, item in enumerate(value if isinstance(value, list) else ()):
        try:
            key = json.dumps(item, sort_keys=True)
        except (TypeError, ValueError, RecursionError):
            continue
        if key in first_at:
            return f"item {index} repeats item {first_at[key]}: {show(item)}"
        first_at[key] = index
    return "some are repeated"  # equal only as numbers (1 and 1.0)


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (list, dict)) else 0


def describe(value: Any) -> str:
    """The JSON type of a value and the value itself, as a person reads it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {show(value)}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"number {value!r}"
    if isinstance(value, str):
        return f"string {show(value)}"
    if isinstance(value, list):
        return f"array of {_count(len(value), 'item', 'items')}"
    if isinstance(value, dict):
        return f"object with {_count(len(value), 'property', 'properties')}"
    return type(value).__name__


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def show(value: Any) -> str:
    """A short JSON rendering of a value for messages."""
    import json

    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError):
        text = repr(value)
    return clip(text, _SHOWN_LIMIT)


# Structure rules -------------------------------------------------------------------------


def payload_not_object(value: object) -> Finding:
    return finding(
        "S001",
        "",
        f"payload is {describe(value)}; expected a JSON object (an image list, an image, "
        "a schema or an error body)",
    )


def unrecognised_payload(value: dict[str, Any]) -> Finding:
    other = other_payload(value)
    if other is not None:
        return finding("S008", "", f"not an image payload: {other}")
    keys = ", ".join(sorted(value)[:8]) or "no keys"
    return finding(
        "S002",
        "",
        f"object ({keys}) is not an image list (no images array), an image (no id and image "
        "fields), a schema or an error body",
    )


def list_structure(value: dict[str, Any], dialect: Dialect) -> Iterator[Finding]:
    images = value["images"]
    if not isinstance(images, list):
        yield finding(
            "S003", pointer("images"), f"images is {describe(images)}; expected an array of image objects"
        )
    else:
        for index, image in enumerate(images):
            if not isinstance(image, dict):
                yield finding(
                    "S004",
                    pointer("images", index),
                    f"image entry is {describe(image)}; expected an image object",
                )
    missing = missing_envelope_keys(value, dialect)
    if missing:
        names = " and ".join(missing)
        yield finding("S007", "", f"image list has no {names}; Glance writes first and schema on every page")
    for key in value:
        if key not in dialect.envelope_keys:
            allowed = ", ".join(sorted(dialect.envelope_keys))
            yield finding(
                "S005", pointer(key), f"unknown key {key!r} in the image list; Glance sends {allowed}"
            )


_ALWAYS_SENT = ("first", "schema")  # on every page; next only when there is more


def missing_envelope_keys(value: dict[str, Any], dialect: Dialect) -> list[str]:
    """The envelope keys Glance writes on every page that this page lacks (none the schema
    requires: those are K006)."""
    required = dialect.list_schema.get("required")
    required = required if isinstance(required, list) else []
    return [k for k in _ALWAYS_SENT if k in dialect.envelope_keys and k not in value and k not in required]


def error_body(value: dict[str, Any]) -> Finding:
    code, message = error_message(value) or ("", "")
    service = f" {code}" if code else ""
    return finding("S006", "", f"payload is an API error response{service}: {message}")
