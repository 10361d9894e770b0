"""Findings: the values every stage produces and every report renders.

A finding says what is wrong, where (a JSON Pointer, and a line and column once
positions are known) and how bad it is. Findings are plain frozen values; nothing
here formats them for a person.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from glance_validate.core.severity import Severity, at_least

Kind = Literal["image-list", "image", "schema", "error-body", "unknown"]


@dataclass(frozen=True)
class Finding:
    """One problem found in a payload or in a schema document."""

    code: str
    severity: Severity
    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def at(self, line: int, column: int) -> Finding:
        return dataclasses.replace(self, line=line, column=column)

    def sort_key(self) -> tuple[int, int, tuple[object, ...], str, str]:
        return (
            self.line if self.line is not None else 0,
            self.column if self.column is not None else 0,
            pointer_sort_key(self.path),
            self.code,
            self.message,
        )

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


@dataclass(frozen=True)
class PageIds:
    """The image ids of one list page, for the checks that span the pages of a run."""

    listing: str | None  # the page's first link, normalised: pages of one listing share it
    ids: tuple[str | None, ...]  # the id of images[i] (None when it has no string id)
    has_next: bool = False  # the page has a next link: only then can a later page continue it


@dataclass(frozen=True)
class Result:
    """What validating one payload produced."""

    kind: Kind
    findings: tuple[Finding, ...]
    schema_findings: tuple[Finding, ...] = field(default=())
    image_count: int = 0
    page: PageIds | None = None  # set for image lists

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]


def pointer_sort_key(pointer: str) -> tuple[object, ...]:
    """Order pointers so that array indices sort numerically."""
    parts = pointer.split("/")[1:]
    # isascii: "¹" is a digit to str.isdigit, but not a number int() reads
    return tuple((0, int(p), "") if p.isascii() and p.isdigit() else (1, 0, p) for p in parts)


def escape_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    return "".join("/" + escape_token(t) for t in tokens)


def join_pointer(base: str, *tokens: str | int) -> str:
    return base + pointer(*tokens)


def sorted_findings(findings: list[Finding] | tuple[Finding, ...]) -> tuple[Finding, ...]:
    """Deterministic order, without duplicates (two engines may report one fact twice)."""
    return tuple(sorted(set(findings), key=Finding.sort_key))


def any_at_least(findings: Iterable[Finding], threshold: str) -> bool:
    """Whether one of ``findings`` reaches ``threshold``: what fails a payload, a schema, a run."""
    return any(at_least(f.severity, threshold) for f in findings)
