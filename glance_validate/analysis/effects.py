"""What a schema difference does to payloads: sample values judged by both sides.

Effects are not guessed: sample values ("witnesses") that probe what two schemas constrain are
validated against both, and only values the two sides judge differently are reported.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from glance_validate.analysis.schemavalues import (
    MISSING,
    fallback_schema,
    has_draft6_type,
    properties_of,
    string_set,
    type_set,
)
from glance_validate.schema.dialect import JSON_TYPES, Dialect, subschemas


@dataclass(frozen=True)
class Effect:
    """Sample values that one side accepts and the other rejects."""

    valid_in_b_only: tuple[Any, ...] = ()
    valid_in_a_only: tuple[Any, ...] = ()
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid_in_b_only": list(self.valid_in_b_only),
            "valid_in_a_only": list(self.valid_in_a_only),
            "note": self.note,
        }


Judge = Callable[[dict[str, Any] | bool, Any], bool]


def judge_for(a: Dialect, b: Dialect) -> Judge:
    """Validity of a value under a property schema, with its own dialect's registry for $ref.

    Both dialects serve their documents under the same URIs, so a schema taken from ``a`` resolves
    its references in ``a``'s documents, any other in ``b``'s.
    """
    from glance_validate.checks.engine import build_engine

    engines: dict[tuple[bool, str], Any] = {}
    in_a = {id(s) for root in a.schemas.values() for s, _ in subschemas(root)}

    def valid(schema: dict[str, Any] | bool, value: Any) -> bool:
        if schema is True or schema == {}:
            return True
        if schema is False:
            return False
        from_a = id(schema) in in_a
        key = (from_a, json.dumps(schema, sort_keys=True))
        if key not in engines:
            engines[key] = build_engine(dict(schema), a.schemas if from_a else b.schemas)
        return bool(engines[key].is_valid(value))

    return valid


def effect_of(
    a: dict[str, Any] | bool, b: dict[str, Any] | bool, samples: Iterable[Any], judge: Judge
) -> Effect:
    """The sample values one side accepts and the other rejects (closest misses first)."""
    gained, lost = [], []
    for value in _unique(samples):
        in_a, in_b = judge(a, value), judge(b, value)
        if in_b and not in_a:
            gained.append(value)
        elif in_a and not in_b:
            lost.append(value)
    return Effect(_closest_first(gained, a), _closest_first(lost, b))


def _closest_first(values: list[Any], rejecting: dict[str, Any] | bool) -> tuple[Any, ...]:
    """Values of a type the rejecting side declares come first: they show the constraint best."""
    if not isinstance(rejecting, dict):
        return tuple(values)
    types = set(_declared_type_set(rejecting))
    return tuple(sorted(values, key=lambda v: not has_draft6_type(v, types)))


def _unique(values: Iterable[Any]) -> Iterator[Any]:
    seen: set[str] = set()
    for value in values:
        key = json.dumps(value, sort_keys=True)  # true and 1 stay apart here
        if key not in seen:
            seen.add(key)
            yield value


_SAMPLES: tuple[Any, ...] = (None, True, False, 0, 1, -1, 1.5, "", "x", [], {})
_TYPE_SAMPLES: dict[str, tuple[Any, ...]] = {
    "null": (None,),
    "boolean": (True, False),
    "integer": (0, 1),
    "number": (1.5,),
    "string": ("", "x"),
    "array": ([],),
    "object": ({},),
}


def keyword_witnesses(keyword: str, a: dict[str, Any], b: dict[str, Any]) -> list[Any]:
    """Sample values that probe a change of ``keyword`` between ``a`` and ``b``."""
    if keyword == "type":
        types = _declared_type_set(a) ^ _declared_type_set(b)
        samples = [v for t in sorted(types) for v in _TYPE_SAMPLES.get(t, ())]
        return samples + [v for v in _enum_values(a, b) if has_draft6_type(v, set(types))]
    if keyword == "enum":
        return _enum_values(a, b)
    return witnesses(a, b)


def _declared_type_set(schema: dict[str, Any]) -> frozenset[str]:
    """The types a schema allows (every type when it declares none)."""
    return type_set(schema.get("type", MISSING)) or JSON_TYPES


def _enum_values(*schemas: dict[str, Any] | bool) -> list[Any]:
    """The enum values of the schemas, in order (repeats kept)."""
    values: list[Any] = []
    for schema in schemas:
        if isinstance(schema, dict) and isinstance(schema.get("enum"), list):
            values.extend(schema["enum"])
    return values


def witnesses(*schemas: dict[str, Any] | bool, depth: int = 0) -> list[Any]:
    """Sample values that probe what the schemas constrain: types, enums, lengths, bounds, shapes."""
    values: list[Any] = [*_SAMPLES, *_enum_values(*schemas)]
    dicts = [s for s in schemas if isinstance(s, dict)]
    for schema in dicts:
        for keyword in ("minLength", "maxLength"):
            n = schema.get(keyword)
            if isinstance(n, int) and 0 <= n < 100_000:
                values.extend("x" * m for m in (n - 1, n, n + 1) if m >= 0)
        for keyword in ("minimum", "maximum"):
            n = schema.get(keyword)
            if isinstance(n, (int, float)) and not isinstance(n, bool):
                values.extend((n - 1, n, n + 1))
    if depth < 2:
        items: list[dict[str, Any] | bool] = [s["items"] for s in dicts if isinstance(s.get("items"), dict)]
        if items:
            values.extend([w] for w in witnesses(*items, depth=depth + 1))
    return values


def example_object(
    a: dict[str, Any], b: dict[str, Any], judge: Judge, *, without: str | None = None
) -> dict[str, Any] | None:
    """An object with every required property of either side (but ``without``), valid values."""
    props_a, props_b = properties_of(a), properties_of(b)
    example: dict[str, Any] = {}
    for name in sorted(string_set(a.get("required")) | string_set(b.get("required"))):
        if name == without:
            continue
        schema_a, schema_b = props_a.get(name, fallback_schema(a)), props_b.get(name, fallback_schema(b))
        value = next(
            (w for w in witnesses(schema_a, schema_b) if judge(schema_a, w) and judge(schema_b, w)), MISSING
        )
        if value is MISSING:
            return None
        example[name] = value
    return example
