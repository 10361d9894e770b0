"""The consistency rules for one image record (C001-C003, C010-C018), and which of them a page runs.

See ``rule`` for what a rule is made of and why some have no Draft 4 fragment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from glance_validate.checks.consistency.extension_rule import EXTENSIONS
from glance_validate.checks.consistency.facts import Facts, custom_types
from glance_validate.checks.consistency.formats import hex_length, rfc3339_problem
from glance_validate.checks.consistency.rule import Explain, Fragment, Image, ImageRule, fixed, literal, when
from glance_validate.checks.extensions import ExtensionProfile
from glance_validate.checks.glance_limits import (
    glance_limits,
    limits_fragment,
    long_property_names,
    names_within_limits,
)
from glance_validate.checks.rules import show
from glance_validate.core.catalog import finding
from glance_validate.core.findings import Finding, join_pointer
from glance_validate.core.uris import IMAGE_SCHEMA_URI

IMAGES_PATH = "/v2/images"


# C001, C002 -------------------------------------------------------------------------------


def _links(image: Image, where: str, facts: Facts) -> Iterator[Finding]:
    image_id = image.get("id")
    if not isinstance(image_id, str) or image_id != image_id.strip():
        return  # white space around an id is the id pattern's finding; links cannot be judged by it
    own = f"{IMAGES_PATH}/{image_id}"
    for key, code, expected in (("self", "C001", own), ("file", "C002", own + "/file")):
        value = image.get(key)
        if isinstance(value, str) and value != expected:
            yield finding(
                code, join_pointer(where, key), f"{key} is {show(value)}; expected {show(expected)} (the id)"
            )


def _links_clean(images: list[Image]) -> bool:
    """Every self and file link is missing or the record's own (an id that is not a string still
    gives a link here, but the rule looks at no link of such a record)."""
    return not [
        image
        for image in images
        if image.get("self") not in (None, own := f"{IMAGES_PATH}/{image.get('id')}")
        or image.get("file") not in (None, own + "/file")
    ]


LINKS = ImageRule(
    ("C001", "C002"),
    _links,
    unexpressed="self and file are compared with the record's id",
    page_clean=_links_clean,
)


# C003 -------------------------------------------------------------------------------------


def _schema_link(image: Image, where: str, facts: Facts) -> Iterator[Finding]:
    value = image.get("schema")
    if isinstance(value, str) and value != IMAGE_SCHEMA_URI:
        yield finding(
            "C003",
            join_pointer(where, "schema"),
            f"schema is {show(value)}; expected {show(IMAGE_SCHEMA_URI)}",
        )


SCHEMA_LINK = ImageRule(
    ("C003",),
    _schema_link,
    fixed({"properties": {"schema": {"pattern": literal(IMAGE_SCHEMA_URI)}}}),
    exact=True,
)


# C010 -------------------------------------------------------------------------------------

_MD5 = re.compile(r"[0-9a-f]{32}")
_HEX = re.compile(r"[0-9a-f]*")


def _checksum(image: Image, where: str, facts: Facts) -> Iterator[Finding]:
    value = image.get("checksum")
    if not isinstance(value, str) or _MD5.fullmatch(value):
        return
    if len(value) == 32 and _MD5.fullmatch(value.lower()):
        problem = "uses upper-case hex digits"
    elif _HEX.fullmatch(value.lower()):
        problem = f"has {len(value)} hex digits"
    else:
        problem = "is not hexadecimal"
    yield finding(
        "C010",
        join_pointer(where, "checksum"),
        f"checksum {show(value)} {problem}; expected an MD5 hexdigest: 32 lower-case hex digits",
    )


CHECKSUM = ImageRule(
    ("C010",), _checksum, fixed({"properties": {"checksum": {"pattern": "^[0-9a-f]{32}$"}}}), exact=True
)


# C011 -------------------------------------------------------------------------------------


def _hashes(image: Image, where: str, facts: Facts) -> Iterator[Finding]:
    algo, value = image.get("os_hash_algo"), image.get("os_hash_value")
    if algo is None and isinstance(value, str):
        yield finding(
            "C011", join_pointer(where, "os_hash_value"), "os_hash_value is set but os_hash_algo is not"
        )
    elif value is None and isinstance(algo, str):
        yield finding(
            "C011",
            join_pointer(where, "os_hash_value"),
            f"os_hash_algo is {show(algo)} but os_hash_value is not set; Glance sets both or neither",
        )
    elif isinstance(algo, str) and isinstance(value, str):
        yield from _hash_value(algo, value, where)


def _hash_value(algo: str, value: str, where: str) -> Iterator[Finding]:
    length = hex_length(algo)
    if length is None:
        yield finding(
            "C011",
            join_pointer(where, "os_hash_algo"),
            f"os_hash_algo {show(algo)} is not a hash algorithm with a fixed-length digest (Glance "
            "uses hashlib names such as sha512)",
        )
        return
    if _HEX.fullmatch(value) and len(value) == length:
        return
    if not _HEX.fullmatch(value.lower()):
        problem = "is not hexadecimal"
    elif value != value.lower():
        problem = "uses upper-case hex digits"
    else:
        problem = f"has {len(value)} hex digits"
    yield finding(
        "C011",
        join_pointer(where, "os_hash_value"),
        f"os_hash_value {problem}; a {algo} hexdigest is {length} lower-case hex digits",
    )


# Hash algorithms clouds configure Glance with, and their hexdigest lengths (a test checks them
# against hashlib, which is not imported here: it loads OpenSSL, a cost clean runs need not pay).
# Records hashed otherwise fail the quick check, and the rule decides.
USUAL_HASHES = {"sha512": 128, "sha256": 64, "sha384": 96}


def _hashes_accept(profile: ExtensionProfile) -> Fragment:
    """Both set, to a usual algorithm and a hexdigest of its length; or neither set (tried second:
    Glance's sha512 and unhashed records are most records)."""
    glance_default, *others = (_hash_of(name, length) for name, length in USUAL_HASHES.items())
    neither = {"properties": {"os_hash_algo": {"type": "null"}, "os_hash_value": {"type": "null"}}}
    return {"allOf": [{"anyOf": [glance_default, neither, *others]}]}


def _hash_of(algorithm: str, length: int) -> Fragment:
    return {
        "required": ["os_hash_algo", "os_hash_value"],
        "properties": {
            "os_hash_algo": {"enum": [algorithm]},
            "os_hash_value": {"type": "string", "pattern": f"^[0-9a-f]{{{length}}}$"},
        },
    }


HASHES = ImageRule(("C011",), _hashes, _hashes_accept)


# C012, C013 -------------------------------------------------------------------------------


def _timestamp_formats(image: Image, where: str, facts: Facts) -> Iterator[Finding]:
    for key in ("created_at", "updated_at"):
        value = image.get(key)
        if isinstance(value, str) and not isinstance(problem := rfc3339_problem(value), datetime):
            yield finding(
                "C012",
                join_pointer(where, key),
                f"{key} {show(value)} {problem}; expected an RFC 3339 date-time such as 2026-03-14T08:21:05Z",
            )


# What datetime.fromisoformat takes: year 0001 on, real days (format), seconds up to 59.
_YEAR = "([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"
_TIMESTAMP = {
    "pattern": (
        f"^{_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
        r"(\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
    ),
    "format": "date-time",
}
TIMESTAMP_FORMATS = ImageRule(
    ("C012",),
    _timestamp_formats,
    fixed({"properties": {"created_at": _TIMESTAMP, "updated_at": _TIMESTAMP}}),
    exact=True,
)


def _timestamp_order(image: Image, where: str, facts: Facts) -> Iterator[Finding]:
    created, updated = image.get("created_at"), image.get("updated_at")
    if not (isinstance(created, str) and isinstance(updated, str)):
        return
    first, last = rfc3339_problem(created), rfc3339_problem(updated)
    if isinstance(first, datetime) and isinstance(last, datetime) and last < first:
        yield finding(
            "C013",
            join_pointer(where, "updated_at"),
            f"updated_at {show(updated)} is earlier than created_at {show(created)}",
        )


def _timestamps_in_order(images: list[Image]) -> bool:
    """Every updated_at is at or after its created_at, both written alike in UTC (Z) with one
    date-time separator, so that the text's order is the time's; or one of them is missing."""
    pairs = [(image.get("created_at"), image.get("updated_at")) for image in images]
    return not [
        created
        for created, updated in pairs
        if created is not None
        and updated is not None
        and not (
            created.__class__ is str
            and updated.__class__ is str
            and len(created) == len(updated) > 10
            and created[-1] == updated[-1] == "Z"
            and created[10] == updated[10]
            and created <= updated
        )
    ]


TIMESTAMP_ORDER = ImageRule(
    ("C013",),
    _timestamp_order,
    unexpressed="updated_at is compared with created_at",
    page_clean=_timestamps_in_order,
)


# C014, C015 -------------------------------------------------------------------------------


def _status_data(image: Image, where: str, facts: Facts) -> Iterator[Finding]:
    status = image.get("status")
    if status == "active" and image.get("size") is None:
        at = join_pointer(where, "size") if "size" in image else where
        state = "null" if "size" in image else "missing"
        yield finding("C014", at, f"active image has no size (size is {state}); active images have data")
    elif status == "queued":
        for key in ("checksum", "os_hash_value"):
            value = image.get(key)
            if value is not None:
                yield finding(
                    "C015",
                    join_pointer(where, key),
                    f"queued image has {key} {show(value)}; a queued image has no data to hash yet",
                )


_ACTIVE_HAS_SIZE = when("active", {"required": ["size"], "properties": {"size": {"not": {"type": "null"}}}})
_QUEUED_HAS_NO_DATA = when(
    "queued", {"properties": {"checksum": {"type": "null"}, "os_hash_value": {"type": "null"}}}
)
STATUS_DATA = ImageRule(
    ("C014", "C015"),
    _status_data,
    fixed({"allOf": [_ACTIVE_HAS_SIZE, _QUEUED_HAS_NO_DATA]}),
    exact=True,
)


# C016 -------------------------------------------------------------------------------------


def _tags(image: Image, where: str, facts: Facts) -> Iterator[Finding]:
    tags = image.get("tags")
    if not isinstance(tags, list):
        return
    message_of: dict[str, str] = {}  # one message for every repeat of a tag, built once
    for index, tag in enumerate(tags):
        if not isinstance(tag, str):
            continue
        message = message_of.get(tag)
        if message is not None:
            yield finding("C016", join_pointer(where, "tags", index), message)
        else:
            message_of[tag] = f"tag {show(tag)} repeats tags/{index}; Glance keeps tags as a set"


# Stricter than the rule: repeated non-string items (the schema's finding) fail it too.
TAGS = ImageRule(("C016",), _tags, fixed({"properties": {"tags": {"uniqueItems": True}}}))


# C018 -------------------------------------------------------------------------------------


def _locations(image: Image, where: str, facts: Facts) -> Iterator[Finding]:
    direct, locations = image.get("direct_url"), image.get("locations")
    if not isinstance(direct, str) or not isinstance(locations, list) or not locations:
        return
    urls = [loc.get("url") for loc in locations if isinstance(loc, dict)]
    if direct not in urls:
        yield finding(
            "C018",
            join_pointer(where, "direct_url"),
            f"direct_url {show(direct)} is not the url of any of the {len(locations)} locations",
        )


def _direct_urls_located(images: list[Image]) -> bool:
    """Each direct_url is missing, or has no locations to be among, or is its first location's url
    (as Glance writes it)."""
    return not [
        image
        for image in images
        if image.get("direct_url") is not None
        and image.get("locations") is not None
        and not _first_location_is(image, image["direct_url"])
    ]


def _first_location_is(image: Image, url: Any) -> bool:
    locations = image.get("locations")
    first = locations[0] if locations.__class__ is list and locations else None
    return first.__class__ is dict and first.get("url") == url


LOCATIONS = ImageRule(
    ("C018",),
    _locations,
    unexpressed="direct_url is looked up among the locations' urls",
    page_clean=_direct_urls_located,
)
CUSTOM_TYPES = ImageRule(
    ("C017",),
    custom_types,
    unexpressed="what is drift depends on the schema in use, not one quick check",
    applies=lambda facts: facts.drift_possible,
)
GLANCE_LIMITS = ImageRule(
    ("C030", "C032", "C033", "C034"),
    glance_limits,
    accepts=fixed(limits_fragment()),
)
LONG_PROPERTY_NAMES = ImageRule(
    ("C031",),
    long_property_names,
    unexpressed="a name's length is not a Draft 4 keyword (patternProperties on every name costs more)",
    page_clean=names_within_limits,
)


# All of them ------------------------------------------------------------------------------

IMAGE_RULES: tuple[ImageRule, ...] = (
    LINKS,
    SCHEMA_LINK,
    CHECKSUM,
    HASHES,
    TIMESTAMP_FORMATS,
    TIMESTAMP_ORDER,
    STATUS_DATA,
    TAGS,
    LOCATIONS,
    CUSTOM_TYPES,
    EXTENSIONS,
    GLANCE_LIMITS,
    LONG_PROPERTY_NAMES,
)


def page_rules(images: list[Image], facts: Facts, *, quick_clean: bool = False) -> tuple[Explain, ...]:
    """The rules to run on each record of ``images`` (plain records): those that apply under
    ``facts``, less those the quick check (when it found them clean) or a page test clears."""
    return tuple(
        rule.explain
        for rule in IMAGE_RULES
        if (rule.applies is None or rule.applies(facts))
        and not (quick_clean and rule.accepts is not None)
        and not (rule.page_clean is not None and rule.page_clean(images))
    )


def check_image(image: Image, where: str, facts: Facts, *, quick_clean: bool = False) -> list[Finding]:
    """C and X findings for one image record (``quick_clean``: the quick check found it clean)."""
    found: list[Finding] = []
    for explain in page_rules([image], facts, quick_clean=quick_clean):
        found += explain(image, where, facts)
    return found
