"""Schema documents as found, before the dialect reads them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SchemaSpec = str | Path | Mapping[str, Any]


@dataclass(frozen=True)
class SchemaDocument:
    """A schema document as it was found, before the dialect reads it."""

    name: str  # builtin name, file path, URL, "<stdin>" or "<dict>"
    document: dict[str, Any]
    notes: tuple[str, ...] = ()  # warnings about where it came from (a stale cached copy)
