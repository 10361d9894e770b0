"""Vendor extension properties: string values checked against what the vendor documents.

The ``ims`` extension profile (``data/ims-extensions.json``) lists the values and formats Huawei
Cloud IMS documents for its ``__*`` properties and a few unprefixed ones. Only properties an
image actually carries are looked at (one set intersection per image), and only string values:
a value of another type is a custom-property type finding, not an extension one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from glance_validate.core.catalog import finding
from glance_validate.core.data import data_text
from glance_validate.core.findings import Finding, join_pointer
from glance_validate.core.secrets import blanked
from glance_validate.regex import ecma as ecma_regex

_SHOWN = 12


@dataclass(frozen=True)
class PropertySpec:
    """What a vendor documents for one property's string value."""

    name: str
    enum: tuple[str, ...] = ()
    pattern_text: str = ""  # a JSON Schema (ECMA-262) pattern
    max_length: int | None = None
    forbidden: str = ""
    json: bool = False
    expected: str = ""


@dataclass(frozen=True)
class ExtensionProfile:
    vendor: str
    source: str
    properties: Mapping[str, PropertySpec]
    conflicts: tuple[tuple[str, str], ...]
    names: frozenset[str]


@cache
def ims_profile() -> ExtensionProfile:
    text = data_text("ims-extensions.json")
    return _profile(json.loads(text))


def _profile(data: dict[str, Any]) -> ExtensionProfile:
    specs = {name: _spec(name, info) for name, info in data["properties"].items()}
    conflicts = tuple((a, b) for a, b in data.get("conflicts", ()))
    names = frozenset(specs).union(n for pair in conflicts for n in pair)
    return ExtensionProfile(data["vendor"], data["source"], specs, conflicts, names)


def _spec(name: str, info: dict[str, Any]) -> PropertySpec:
    return PropertySpec(
        name=name,
        enum=tuple(info.get("enum", ())),
        pattern_text=info.get("pattern", ""),
        max_length=info.get("maxLength"),
        forbidden=info.get("forbidden", ""),
        json=bool(info.get("json", False)),
        expected=info.get("expected", ""),
    )


def check_image(image: dict[str, Any], where: str, profile: ExtensionProfile) -> Iterator[Finding]:
    """X findings for one image record (``where`` is the image's pointer)."""
    present = profile.names.intersection(image)
    if not present:
        return
    for name in sorted(present):
        spec = profile.properties.get(name)
        value = image[name]
        if spec is not None and isinstance(value, str):
            yield from _check_value(spec, value, join_pointer(where, name), profile.vendor)
    for first, second in profile.conflicts:
        if first in present and second in present:
            yield finding(
                "X003",
                join_pointer(where, first),
                f"{first} and {second} are both set; {profile.vendor} documents {first} as "
                f"exclusive with {second}",
            )


def _check_value(spec: PropertySpec, value: str, where: str, vendor: str) -> Iterator[Finding]:
    if spec.enum and value not in spec.enum:
        yield finding(
            "X001",
            where,
            f"{spec.name} is {json.dumps(value, ensure_ascii=False)}; {vendor} documents "
            f"{_choices(spec.enum)}",
        )
    problem = _format_problem(spec, value)
    if problem:
        yield finding(
            "X002",
            where,
            f"{spec.name} {problem}; {vendor} documents {spec.expected or 'another format'}",
        )


def _format_problem(spec: PropertySpec, value: str) -> str:
    if spec.pattern_text and not ecma_regex.search(spec.pattern_text, value):
        return f"is {_short(value)}"
    if spec.max_length is not None and len(value) > spec.max_length:
        return f"has {len(value)} characters"
    bad = sorted({c for c in value if c in spec.forbidden})
    if bad:
        return f"contains {', '.join(json.dumps(c) for c in bad)}"
    if spec.json:
        try:
            json.loads(value, parse_constant=_not_json)
        except ValueError:
            return f"is {_short(value)}, which is not a JSON document"
    return ""


def _not_json(name: str) -> None:
    """NaN and Infinity: Python's json reads them, JSON has no such values."""
    raise ValueError(f"{name} is not JSON")


def _choices(values: tuple[str, ...]) -> str:
    shown = [json.dumps(v, ensure_ascii=False) for v in values[:_SHOWN]]
    more = f", ... ({len(values)} in all)" if len(values) > _SHOWN else ""
    if len(values) == 1:
        return f"only {shown[0]}"
    return "one of " + ", ".join(shown) + more


def _short(value: str) -> str:
    text = blanked(json.dumps(value, ensure_ascii=False))
    return text if len(text) <= 60 else text[:57] + '..."'
