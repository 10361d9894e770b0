"""What Glance itself refuses to store, though the schema lets it through.

A record that breaks one of these limits cannot have come from a Glance that stored it through
its API: the server (or what stands in front of it) is broken. The limits and their sources in
Glance's code or configuration are in data/rules.json (C030-C034).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final, Protocol

from glance_validate.checks.rules import show
from glance_validate.core.catalog import finding
from glance_validate.core.findings import Finding, join_pointer


class Facts(Protocol):
    """What these rules need of the consistency rules' facts: which properties are base ones."""

    @property
    def base_properties(self) -> frozenset[str]: ...


__all__ = ["glance_limits", "limits_fragment", "long_property_names", "names_within_limits"]

INT_COLUMN: Final = 2**31 - 1  # images.min_disk / min_ram: Integer columns (_validate_db_int)
BIGINT_COLUMN: Final = 2**63 - 1  # images.size / virtual_size: BigInteger columns
NAME_COLUMN: Final = 255  # image_properties.name: String(255); the API refuses longer names
TEXT_COLUMN: Final = 65_535  # image_properties.value: Text (MySQL TEXT holds 65,535 bytes)
QUOTAS: Final = {"tags": ("image_tag_quota", 128)}
PROPERTY_QUOTA: Final = ("image_property_quota", 128)


def glance_limits(image: dict[str, Any], where: str, facts: Facts) -> Iterator[Finding]:
    """C030, C032, C033 and C034 for one image record."""
    for key in ("min_disk", "min_ram"):
        yield from _int_range(image, where, key, 0, INT_COLUMN, "C030")
    for key in ("size", "virtual_size"):
        yield from _int_range(image, where, key, -BIGINT_COLUMN - 1, BIGINT_COLUMN, "C032")
    customs = [key for key in image if key not in facts.base_properties]
    for key in customs:
        value = image[key]
        if isinstance(value, str) and len(value) > TEXT_COLUMN // 4 and len(value.encode()) > TEXT_COLUMN:
            yield finding(
                "C033",
                join_pointer(where, key),
                f"value is {len(value.encode())} bytes of UTF-8; Glance's value column holds {TEXT_COLUMN}",
            )
    yield from _quotas(image, where, len(customs))


def long_property_names(image: dict[str, Any], where: str, facts: Facts) -> Iterator[Finding]:
    """C031 for one image record: custom property names longer than Glance's name column."""
    for key in image:
        if len(key) > NAME_COLUMN and key not in facts.base_properties:
            yield finding(
                "C031",
                join_pointer(where, key),
                f"property name is {len(key)} characters long; Glance refuses names over {NAME_COLUMN}",
            )


def names_within_limits(images: list[dict[str, Any]]) -> bool:
    """A page test that holds only where ``long_property_names`` finds nothing: no key of any
    record is longer than the name column. The records of a page share most of their keys, so the
    lengths of the distinct keys are measured (a pattern on every key in the quick check cost
    about five times as much)."""
    return max(map(len, set().union(*images)), default=0) <= NAME_COLUMN


def _int_range(
    image: dict[str, Any], where: str, key: str, low: int, high: int, code: str
) -> Iterator[Finding]:
    value = image.get(key)
    if value.__class__ is not int or low <= value <= high:
        return
    bound = f"below {low}" if value < low else f"above {high}"
    yield finding(
        code, join_pointer(where, key), f"{key} is {show(value)}, {bound}: Glance does not store it"
    )


def _quotas(image: dict[str, Any], where: str, customs: int) -> Iterator[Finding]:
    for key, (option, limit) in QUOTAS.items():
        value = image.get(key)
        if isinstance(value, list) and len(value) > limit:
            yield finding(
                "C034",
                join_pointer(where, key, limit),
                f"{len(value)} {key}, more than Glance's default {option} of {limit}",
            )
    option, limit = PROPERTY_QUOTA
    if customs > limit:
        yield finding(
            "C034", where, f"{customs} custom properties, more than Glance's default {option} of {limit}"
        )


def limits_fragment() -> dict[str, Any]:
    """A Draft 4 schema for one record that holds only where ``glance_limits`` finds nothing.

    It is stricter than the rule (every key counts as custom, a value may not exceed a quarter of
    the value column in characters, a fractional number out of range fails), so a page it refuses
    is checked record by record.
    """
    value = {"maxLength": TEXT_COLUMN // 4}
    small = {"minimum": 0, "maximum": INT_COLUMN, **value}
    large = {"minimum": -BIGINT_COLUMN - 1, "maximum": BIGINT_COLUMN, **value}
    return {
        "properties": {
            "min_disk": small,
            "min_ram": small,
            "size": large,
            "virtual_size": large,
            "tags": {"maxItems": QUOTAS["tags"][1], **value},
        },
        "maxProperties": PROPERTY_QUOTA[1],
        # additionalProperties, not a catch-all pattern: jsonschema-rs runs it without a regex
        "additionalProperties": value,
    }
