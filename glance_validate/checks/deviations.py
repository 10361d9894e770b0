"""Known vendor deviations: schema findings that real deployments are known to produce.

The catalogue is data (``data/deviations.json``): where in an image record (a JSON Pointer
pattern), what is seen there (a value or a JSON type), the vendor, the source and the code. A
finding whose code a deviation replaces, at a place its pattern matches, about a value it has
seen, is rewritten under the deviation's code as "known <vendor> deviation: ...", at the
severity the profile gives (warning by default). Under ``--strict`` nothing is rewritten.

A deviation belongs to the schema it deviates from (``deviates_from``): it is matched only while
that vendor's schema is in use, or a profile that names the vendor. Under an upstream Glance
schema a ``zvhd2`` disk format is that schema's error (K002), as ``compat`` reports it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from glance_validate.core.data import data_text
from glance_validate.core.findings import Finding, Kind
from glance_validate.core.jsontypes import json_type, same_json
from glance_validate.core.severity import Severity

_ABSENT: Any = object()


@dataclass(frozen=True)
class Deviation:
    """One known deviation of a deployment from the schema it documents."""

    code: str
    vendor: str
    deviates_from: str  # the vendor whose documented schema this deviates from
    where: str  # JSON Pointer pattern inside an image record
    seen: dict[str, Any]  # {"values": [...]} or {"type": name}
    replaces: tuple[str, ...]
    summary: str
    source: str

    @property
    def tokens(self) -> tuple[str, ...]:
        return _split(self.where)

    def matches(self, relative: Sequence[str], value: Any) -> bool:
        """True when ``value`` at the image-relative pointer tokens ``relative`` is this deviation."""
        pattern = self.tokens
        if len(pattern) != len(relative) or not all(map(_token_matches, pattern, relative)):
            return False
        if "type" in self.seen:
            return bool(json_type(value) == self.seen["type"])
        values: list[Any] = self.seen.get("values", [])
        return any(same_json(value, v) for v in values)

    def describe_seen(self) -> str:
        if "type" in self.seen:
            return f"a {self.seen['type']} value"
        return " or ".join(json.dumps(v) for v in self.seen.get("values", ()))


@cache
def deviations() -> tuple[Deviation, ...]:
    text = data_text("deviations.json")
    return tuple(
        Deviation(
            code=d["code"],
            vendor=d["vendor"],
            deviates_from=d["deviates_from"],
            where=d["where"],
            seen=d["seen"],
            replaces=tuple(d["replaces"]),
            summary=d["summary"],
            source=d["source"],
        )
        for d in json.loads(text)["deviations"]
    )


@cache
def by_code() -> dict[str, Deviation]:
    return {d.code: d for d in deviations()}


def vendors_in_use(schema_vendor: str | None, profile_vendor: str | None) -> frozenset[str]:
    """The vendors whose deviations are matched: the schema's, and the one a profile names."""
    return frozenset(v for v in (schema_vendor, profile_vendor) if v is not None)


@cache
def of_vendors(vendors: frozenset[str]) -> tuple[Deviation, ...]:
    """The catalogued deviations from the schemas of ``vendors``."""
    return tuple(d for d in deviations() if d.deviates_from in vendors)


@cache
def _replaceable(vendors: frozenset[str]) -> frozenset[str]:
    return frozenset(code for d in of_vendors(vendors) for code in d.replaces)


def apply(
    found: Iterable[Finding], payload: Any, kind: Kind, severity: Severity, vendors: frozenset[str]
) -> list[Finding]:
    """The findings with each one that matches a known deviation of ``vendors`` rewritten."""
    replaceable = _replaceable(vendors)
    if not replaceable or kind not in ("image", "image-list"):
        return list(found)
    return [_rewrite(f, payload, kind, severity, vendors) if f.code in replaceable else f for f in found]


def _rewrite(f: Finding, payload: Any, kind: Kind, severity: Severity, vendors: frozenset[str]) -> Finding:
    located = _image_relative(f.path, payload, kind)
    if located is None:
        return f
    image, relative = located
    value = _value_at(image, relative)
    if value is _ABSENT:
        return f
    for deviation in of_vendors(vendors):
        if f.code in deviation.replaces and deviation.matches(relative, value):
            message = f"known {deviation.vendor} deviation: {deviation.summary} ({f.message})"
            return dataclasses.replace(f, code=deviation.code, severity=severity, message=message)
    return f


def _image_relative(path: str, payload: Any, kind: Kind) -> tuple[Any, tuple[str, ...]] | None:
    tokens = _split(path)
    if kind == "image":
        return payload, tokens
    # isascii: "¹" is a digit to str.isdigit but not an index int() reads (an "images" object's key)
    if len(tokens) < 2 or tokens[0] != "images" or not (tokens[1].isascii() and tokens[1].isdigit()):
        return None
    images = payload.get("images") if isinstance(payload, dict) else None
    index = int(tokens[1])
    if not isinstance(images, list) or index >= len(images):
        return None
    return images[index], tokens[2:]


def _value_at(value: Any, tokens: Sequence[str]) -> Any:
    for token in tokens:
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            return _ABSENT
    return value


def _split(pointer: str) -> tuple[str, ...]:
    if not pointer:
        return ()
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:])


def _token_matches(pattern: str, token: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith("*"):
        return token.startswith(pattern[:-1])
    return pattern == token
