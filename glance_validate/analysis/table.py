"""The property table of ``schema show``: the compiled image schema, one row per property.

Nested properties follow their parent as ``locations[].url`` and ``tags[]``; each row gives the
type, enum, base/custom, read-only and the constraint keywords.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from glance_validate.analysis.schemavalues import CONSTRAINT_KEYWORDS, MISSING, declared_types, plain
from glance_validate.schema.dialect import Dialect

TABLE_COLUMNS = ("property", "type", "enum", "base/custom", "read-only", "constraints")


@dataclass(frozen=True)
class PropertyRow:
    """One property of the image schema as a person reads it."""

    path: str  # "name", "tags[]", "locations[].url"
    types: tuple[str, ...]
    enum: tuple[Any, ...] | None
    kind: str | None  # "base" or "custom" for image properties, None for nested ones
    read_only: bool
    constraints: tuple[tuple[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "property": self.path,
            "type": list(self.types),
            "enum": list(self.enum) if self.enum is not None else None,
            "kind": self.kind,
            "read_only": self.read_only,
            "constraints": dict(self.constraints),
        }


def property_rows(dialect: Dialect) -> list[PropertyRow]:
    """The image schema's properties in document order, nested ones after their parent."""
    rows: list[PropertyRow] = []
    properties = dialect.image_schema.get("properties", {})
    for name, schema in properties.items():
        if not isinstance(schema, dict):
            continue
        kind = "custom" if name in dialect.custom_properties else "base"
        rows.append(_row(name, schema, kind, name in dialect.read_only))
        rows.extend(_nested_rows(name, schema))
    return rows


def _row(path: str, schema: dict[str, Any], kind: str | None, read_only: bool) -> PropertyRow:
    enum = schema.get("enum")
    return PropertyRow(
        path=path,
        types=declared_types(schema),
        enum=tuple(enum) if isinstance(enum, list) else None,
        kind=kind,
        read_only=read_only,
        constraints=tuple((k, schema[k]) for k in CONSTRAINT_KEYWORDS if k in schema),
    )


def _nested_rows(path: str, schema: dict[str, Any], depth: int = 0) -> Iterator[PropertyRow]:
    if depth > 8:
        return
    items = schema.get("items")
    if isinstance(items, dict) and items:
        inner = f"{path}[]"
        yield _row(inner, items, None, items.get("readOnly") is True)
        yield from _nested_rows(inner, items, depth + 1)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for name, child in properties.items():
            if isinstance(child, dict):
                inner = f"{path}.{name}"
                yield _row(inner, child, None, child.get("readOnly") is True)
                yield from _nested_rows(inner, child, depth + 1)


def table_cells(row: PropertyRow) -> tuple[str, ...]:
    enum = ", ".join(plain(v) for v in row.enum) if row.enum is not None else ""
    constraints = " ".join(f"{k}={plain(v)}" for k, v in row.constraints)
    return (
        row.path,
        "|".join(row.types) or "any",
        enum,
        row.kind or "",
        "yes" if row.read_only else "",
        constraints,
    )


def render_table(rows: Iterable[PropertyRow]) -> str:
    """Rows as aligned text columns, with a header line."""
    lines = [TABLE_COLUMNS, *(table_cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(TABLE_COLUMNS))]
    rendered = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip() for line in lines]
    return "\n".join(rendered) + "\n"


def describe_additional(dialect: Dialect) -> str:
    """What the image schema says of properties it does not list."""
    extra = dialect.image_schema.get("additionalProperties", MISSING)
    if extra is MISSING or extra is True or extra == {}:
        return "any value"
    if extra is False:
        return "not allowed"
    if isinstance(extra, dict):
        return "|".join(declared_types(extra)) or json.dumps(extra)
    return json.dumps(extra)


def rows_as_json(rows: Iterable[PropertyRow]) -> list[dict[str, Any]]:
    return [r.as_dict() for r in rows]
