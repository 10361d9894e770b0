"""Findings: the values every stage produces and every report renders.

A finding says what is wrong, where (a JSON Pointer, and a line and column once
positions are known) and how bad it is. Findings are plain frozen values; nothing
here formats them for a person.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Literal

from glance_validate.core.severity import SEVERITIES, Severity, at_least

Kind = Literal["image-list", "image", "schema", "error-body", "unknown"]
Hidden = tuple[tuple[str, Severity, int], ...]  # (code, severity, count) of findings not shown


@dataclass(frozen=True, slots=True)  # slots: a payload may hold millions of findings
class Finding:
    """One problem found in a payload or in a schema document."""

    code: str
    severity: Severity
    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def at(self, line: int, column: int) -> Finding:
        return Finding(self.code, self.severity, self.path, self.message, line, column)

    def sort_key(self) -> tuple[int, int, tuple[object, ...], str, str]:
        return (self.line or 0, self.column or 0, pointer_sort_key(self.path), self.code, self.message)

    def as_dict(self) -> dict[str, object]:
        fields: dict[str, object] = {
            "code": self.code,
            "severity": self.severity,
            "path": self.path,
            "message": self.message,
        }
        if self.line is not None:
            fields["line"] = self.line
        if self.column is not None:
            fields["column"] = self.column
        return fields


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
    # findings counted but not shown, as (code, severity, count), when a cap was asked for: one
    # MORE_FINDINGS finding at the end of ``findings`` names them
    hidden: Hidden = ()

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]


class _TokenKeys(dict[str, tuple[int, int, str]]):
    """The sort key of each pointer token, computed once: pointers of one payload share most tokens."""

    def __missing__(self, token: str) -> tuple[int, int, str]:
        # isascii: "¹" is a digit to str.isdigit, but not a number int() reads
        key = (0, int(token), "") if token.isascii() and token.isdigit() else (1, 0, token)
        if len(self) >= 65536:  # bounded: tokens come from arbitrary payloads
            self.clear()
        self[token] = key
        return key


_TOKEN_KEYS = _TokenKeys()


def pointer_sort_key(pointer: str) -> tuple[object, ...]:
    """Order pointers so that array indices sort numerically."""
    return tuple(map(_TOKEN_KEYS.__getitem__, pointer.split("/")[1:]))


def escape_token(token: str | int) -> str:
    text = str(token)
    if "~" in text or "/" in text:
        return text.replace("~", "~0").replace("/", "~1")
    return text


def pointer(*tokens: str | int) -> str:
    return "".join(["/" + escape_token(t) for t in tokens])


def join_pointer(base: str, *tokens: str | int) -> str:
    return base + pointer(*tokens)


def sorted_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Deterministic order, without duplicates (two engines may report one fact twice)."""
    return tuple(sorted(set(findings), key=Finding.sort_key))


def positioned_in_order(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """``findings`` in ``sorted_findings`` order, for findings that were in it before they had positions.

    Unpositioned findings sort by pointer, code and message alone; once positioned, a stable
    sort by position alone gives the same order as the full key, at a fraction of its cost.
    """
    return tuple(sorted(findings, key=_position))


def _position(f: Finding) -> tuple[int, int]:
    return (f.line if f.line is not None else 0, f.column if f.column is not None else 0)


MORE_FINDINGS = "R001"
_PATH = attrgetter("path")


def distinct(findings: Iterable[Finding]) -> list[Finding]:
    """``findings`` without repeats, grouped by pointer.

    A repeat has its original's pointer, so findings sorted by pointer need comparing only with
    those of the same pointer: a payload's millions of findings then cost a list more, not a
    hash table of them all (about three times the memory, in the middle of growing).
    """
    unique: list[Finding] = []
    start = 0  # where the findings of the current pointer begin in ``unique``
    path = None
    for item in sorted(findings, key=_PATH):
        if item.path != path:
            path, start = item.path, len(unique)
            unique.append(item)
        elif item not in unique[start:]:
            unique.append(item)
    return unique


_CODE_AND_SEVERITY = attrgetter("code", "severity")


def capped(findings: Iterable[Finding], limit: int) -> tuple[tuple[Finding, ...], Hidden]:
    """The first ``limit`` of ``findings`` in ``sorted_findings`` order, and the (code, severity,
    count) of the rest; the rest is counted, never sorted."""
    unique = distinct(findings)
    if len(unique) <= limit:
        return tuple(sorted(unique, key=Finding.sort_key)), ()
    import heapq  # only for a payload over the cap: a one-file run does not import it

    shown = tuple(heapq.nsmallest(limit, unique, key=Finding.sort_key))
    counts = Counter(map(_CODE_AND_SEVERITY, unique))
    counts.subtract(map(_CODE_AND_SEVERITY, shown))
    return shown, tuple((code, severity, n) for (code, severity), n in sorted(counts.items()) if n)


def more_findings(hidden: Hidden) -> Finding:
    """The one finding that names the findings a cap left out; as severe as the worst of them."""
    by_code: Counter[str] = Counter()
    for code, _, n in hidden:
        by_code[code] += n
    worst = min((severity for _, severity, _ in hidden), key=SEVERITIES.index)
    named = ", ".join(f"{code} x {n}" for code, n in sorted(by_code.items()))
    total = sum(by_code.values())
    return Finding(
        MORE_FINDINGS, worst, "", f"{total} more finding{'' if total == 1 else 's'} not shown: {named}"
    )


def any_at_least(findings: Iterable[Finding], threshold: str) -> bool:
    """Whether one of ``findings`` reaches ``threshold``: what fails a payload, a schema, a run."""
    return any(at_least(f.severity, threshold) for f in findings)
