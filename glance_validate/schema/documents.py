"""Schema documents as found, before the dialect reads them: the value, and reading one from bytes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from glance_validate.core.data import data_bytes
from glance_validate.core.errors import SchemaUnavailable
from glance_validate.core.jsontypes import json_type

SchemaSpec = str | Path | Mapping[str, Any]


@dataclass(frozen=True)
class SchemaDocument:
    """A schema document as it was found, before the dialect reads it."""

    name: str  # builtin name, file path, URL, "<stdin>" or "<dict>"
    document: dict[str, Any]
    notes: tuple[str, ...] = ()  # warnings about where it came from (a stale cached copy)
    shipped: bool = False  # one of the package's own schemas (the tests hold them to the guard)


@cache
def builtin_document(name: str) -> dict[str, Any]:
    """A builtin schema's document, read once (compare only: never hand it out to change)."""
    return builtin(name).document


def builtin(name: str) -> SchemaDocument:
    data = data_bytes(f"schemas/{name}.json")
    return SchemaDocument(name, parse_document(data, name), shipped=True)


def parse_document(data: bytes, label: str) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SchemaUnavailable(f"schema {label!r}: not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise SchemaUnavailable(
            f"schema {label!r}: not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise SchemaUnavailable(f"schema {label!r}: nested too deeply to read") from None
    return as_object(value, label)


def as_object(value: object, label: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SchemaUnavailable(f"schema {label!r}: a schema is a JSON object, found {json_type(value)}")
    return value
