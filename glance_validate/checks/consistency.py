"""Consistency rules: what the schema cannot say about a record, checked in one pass per image.

Each rule is a small generator ``(image, where, facts) -> findings`` with a stable code (the C
family). They look only at the few keys they are about, so a page costs one walk over its
images. List rules look at the envelope (links, duplicate ids); ``cross_page_duplicates`` looks
at the image ids of every page of a run.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from glance_validate.checks.extensions import ExtensionProfile, ims_profile
from glance_validate.checks.extensions import check_image as check_extensions
from glance_validate.checks.glance_limits import glance_limits
from glance_validate.checks.rules import describe, show
from glance_validate.core.catalog import finding
from glance_validate.core.findings import Finding, PageIds, join_pointer
from glance_validate.core.jsontypes import json_type, same_json
from glance_validate.core.uris import IMAGE_SCHEMA_URI, LIST_SCHEMA_URI
from glance_validate.schema.dialect import Dialect

IMAGES_PATH = "/v2/images"

_MD5 = re.compile(r"[0-9a-f]{32}")
_HEX = re.compile(r"[0-9a-f]*")
# ASCII digits only: RFC 3339 has no other (str patterns' \d would take "٢٠٢٤" for a year).
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)
_UNSET: Any = object()


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about the schema in use."""

    base_properties: frozenset[str]
    property_schemas: Mapping[str, Any]
    additional: Any  # the image schema's additionalProperties, or _UNSET
    drift_possible: bool  # the schema lets a non-string custom property value through
    extensions: ExtensionProfile

    def quick_check(self) -> Any:
        """The compiled quick check for these rules (a jsonschema-rs validator of image lists)."""
        return _quick_check()


def facts_for(dialect: Dialect) -> Facts:
    image = dialect.image_schema
    properties = image.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    additional = image.get("additionalProperties", _UNSET)
    customs = [properties[n] for n in dialect.custom_properties]
    return Facts(
        base_properties=dialect.base_properties,
        property_schemas=properties,
        additional=additional,
        drift_possible=not all(map(_strings_only, [additional, *customs])),
        extensions=ims_profile(),
    )


def _strings_only(schema: Any) -> bool:
    """True when the schema lets through no value but a string or null (so no drift can pass it)."""
    if schema is False:
        return True
    if not isinstance(schema, dict):
        return False
    types = schema.get("type")
    types = [types] if isinstance(types, str) else types
    return isinstance(types, list) and set(types) <= {"string", "null"}


# The quick check --------------------------------------------------------------------------
# A Draft 4 schema that holds when none of the rules it stands for would report anything.
# jsonschema-rs evaluates it for a whole page in one call (with the images schema itself, in one
# pass, on the fast engine); only pages it rejects run every rule in Python. On the pages it
# accepts, only what it cannot express runs: links against the id, timestamp order, direct_url
# against locations, custom types. It may reject more than the rules do (then the rules simply
# run), never less: tests/test_consistency.py holds it to that.

_TIMESTAMP = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)


def quick_check_schema(profile: ExtensionProfile) -> dict[str, Any]:
    """The quick check for image lists, as a Draft 4 schema (formats asserted)."""
    return {"properties": {"images": {"items": quick_image_schema(profile)}}}


def quick_image_schema(profile: ExtensionProfile) -> dict[str, Any]:
    """The quick check for one image record, as a Draft 4 schema (formats asserted)."""
    timestamp = {"pattern": _TIMESTAMP, "format": "date-time"}
    properties: dict[str, Any] = {
        "schema": {"enum": [IMAGE_SCHEMA_URI]},
        "checksum": {"pattern": "^[0-9a-f]{32}$"},
        "created_at": timestamp,
        "updated_at": timestamp,
        "tags": {"uniqueItems": True},
    }
    always_checked = []
    for name, spec in profile.properties.items():
        properties[name] = _extension_condition(spec)
        if spec.json:
            always_checked.append({"not": {"required": [name]}})
    sha512 = {"required": ["os_hash_algo"], "properties": {"os_hash_algo": {"enum": ["sha512"]}}}
    conditions = [
        _when("active", {"required": ["size"], "properties": {"size": {"not": {"type": "null"}}}}),
        _when("queued", {"properties": {"checksum": {"type": "null"}, "os_hash_value": {"type": "null"}}}),
        {
            "anyOf": [
                {
                    "allOf": [sha512],
                    "required": ["os_hash_value"],
                    "properties": {"os_hash_value": {"type": "string", "pattern": "^[0-9a-f]{128}$"}},
                },
                {"properties": {"os_hash_algo": {"type": "null"}, "os_hash_value": {"type": "null"}}},
            ]
        },
        *always_checked,
        *({"not": {"required": [a, b]}} for a, b in profile.conflicts),
    ]
    return {"properties": properties, "allOf": conditions}


def _when(status: str, then: dict[str, Any]) -> dict[str, Any]:
    """status == value implies ``then`` (Draft 4 has no if/then: not-A or B)."""
    condition = {"required": ["status"], "properties": {"status": {"enum": [status]}}}
    return {"anyOf": [{"not": condition}, then]}


def _extension_condition(spec: Any) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    if spec.enum:
        parts.append({"enum": list(spec.enum)})
    if spec.pattern_text:
        parts.append({"pattern": spec.pattern_text})
    if spec.max_length is not None:
        parts.append({"maxLength": spec.max_length})
    if spec.forbidden:
        parts.append({"pattern": "^[^" + _class_chars(spec.forbidden) + "]*$"})
    return {"allOf": parts} if parts else {}


def _class_chars(chars: str) -> str:
    names = {"\r": "\\r", "\n": "\\n", "\t": "\\t"}
    return "".join(names.get(c, "\\" + c if c in "\\]^-" else c) for c in chars)


@cache
def _quick_check() -> Any:
    import jsonschema_rs

    return jsonschema_rs.Draft4Validator(quick_check_schema(ims_profile()), validate_formats=True)


def combined_quick_check(resources: Mapping[str, dict[str, Any]], uri: str) -> Any:
    """One jsonschema-rs validator for "the schema at ``uri`` and the quick check both hold".

    ``uri`` names the images schema (the quick check for lists applies) or the image schema (the
    quick check for one record applies). The schema is referenced by its URI (so its own
    references resolve as before);
    formats are asserted, which may make it stricter than the images schema alone, never looser.
    Returns None when it cannot be compiled (the two checks then run one after the other).
    """
    import jsonschema_rs

    quick = quick_image_schema if uri == IMAGE_SCHEMA_URI else quick_check_schema
    combined = {"allOf": [{"$ref": uri}, quick(ims_profile())]}
    try:
        registry = jsonschema_rs.Registry(list(resources.items()), draft=jsonschema_rs.Draft4)
        return jsonschema_rs.Draft4Validator(combined, validate_formats=True, registry=registry)
    except Exception:  # an images schema jsonschema-rs cannot combine: run the checks separately
        return None


# Image rules ------------------------------------------------------------------------------

ImageRule = Callable[[dict[str, Any], str, Facts], Iterator[Finding]]


def _links(image: dict[str, Any], where: str, facts: Facts) -> Iterator[Finding]:
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


def _schema_link(image: dict[str, Any], where: str, facts: Facts) -> Iterator[Finding]:
    value = image.get("schema")
    if isinstance(value, str) and value != IMAGE_SCHEMA_URI:
        yield finding(
            "C003",
            join_pointer(where, "schema"),
            f"schema is {show(value)}; expected {show(IMAGE_SCHEMA_URI)}",
        )


def _checksum(image: dict[str, Any], where: str, facts: Facts) -> Iterator[Finding]:
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


def _hashes(image: dict[str, Any], where: str, facts: Facts) -> Iterator[Finding]:
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


@lru_cache(maxsize=64)  # keyed on payload text: bounded
def hex_length(algo: str) -> int | None:
    """Hex digits of a hashlib algorithm's digest; None if unknown or of variable length.

    Glance hashes with ``hashlib.new(algo).hexdigest()``, which a variable-length algorithm
    (shake_128) cannot do without a length: no Glance image carries one.
    """
    import hashlib  # here, not at the top: only images with an os_hash_algo need it

    try:
        size = int(hashlib.new(algo).digest_size)
    except (ValueError, TypeError):
        return None
    return size * 2 or None


def _timestamps(image: dict[str, Any], where: str, facts: Facts) -> Iterator[Finding]:
    created = _timestamp(image, "created_at", where)
    updated = _timestamp(image, "updated_at", where)
    for parsed in (created, updated):
        if isinstance(parsed, Finding):
            yield parsed
    if isinstance(created, datetime) and isinstance(updated, datetime) and updated < created:
        yield finding(
            "C013",
            join_pointer(where, "updated_at"),
            f"updated_at {show(image['updated_at'])} is earlier than created_at {show(image['created_at'])}",
        )


def _timestamp(image: dict[str, Any], key: str, where: str) -> datetime | Finding | None:
    value = image.get(key)
    if not isinstance(value, str):
        return None
    problem = rfc3339_problem(value)
    if isinstance(problem, datetime):
        return problem
    return finding(
        "C012",
        join_pointer(where, key),
        f"{key} {show(value)} {problem}; expected an RFC 3339 date-time such as 2026-03-14T08:21:05Z",
    )


def rfc3339_problem(value: str) -> datetime | str:
    """The parsed date-time, or what is wrong with it."""
    match = _RFC3339.fullmatch(value)
    if match is None:
        return _shape_problem(value)
    fraction = (match.group(7) or ".0")[1:7].ljust(6, "0")
    zone = match.group(8)
    offset = "+00:00" if zone in ("Z", "z") else zone
    text = f"{match.group(1)}-{match.group(2)}-{match.group(3)}T{match.group(4)}:{match.group(5)}:"
    try:
        return datetime.fromisoformat(f"{text}{match.group(6)}.{fraction}{offset}")
    except ValueError as exc:
        return f"is not a valid date-time ({exc})"


def _shape_problem(value: str) -> str:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value, re.ASCII):
        return "has no time"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?", value, re.ASCII):
        return "has no time zone (Z or an offset such as +00:00)"
    return "is not an RFC 3339 date-time"


def _status_data(image: dict[str, Any], where: str, facts: Facts) -> Iterator[Finding]:
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


def _tags(image: dict[str, Any], where: str, facts: Facts) -> Iterator[Finding]:
    tags = image.get("tags")
    if not isinstance(tags, list) or len(tags) < 2:
        return
    first_at: dict[str, int] = {}
    for index, tag in enumerate(tags):
        if not isinstance(tag, str):
            continue
        if tag in first_at:
            yield finding(
                "C016",
                join_pointer(where, "tags", index),
                f"tag {show(tag)} repeats tags/{first_at[tag]}; Glance keeps tags as a set",
            )
        else:
            first_at[tag] = index


def _locations(image: dict[str, Any], where: str, facts: Facts) -> Iterator[Finding]:
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


def custom_types(image: dict[str, Any], where: str, facts: Facts) -> Iterator[Finding]:
    """C017: custom (non-base) properties holding a non-string value that the schema lets through.

    Values the schema rejects are its keyword findings (K001); this rule reports the drift the
    schema in use cannot see (no additionalProperties, an untyped custom property).
    """
    base, listed = facts.base_properties, facts.property_schemas
    for name, value in image.items():
        if name in base or isinstance(value, str):
            continue
        schema = listed.get(name, facts.additional)
        if schema is False or not _accepts(schema, value):
            continue  # the schema rejects it: its keyword finding says so
        if value is None and _constrains(schema):
            continue  # null where the schema explicitly allows it (kernel_id since Liberty)
        allowed = f"allows {expectation(schema)}" if _constrains(schema) else "does not constrain it"
        yield finding(
            "C017",
            join_pointer(where, name),
            f"custom property {name!r} is {describe(value)}; the schema {allowed}, but Glance stores "
            "custom property values as strings",
        )


def _accepts(schema: Any, value: Any) -> bool:
    """Whether the type and enum of a property schema accept the value (what drift is about)."""
    if not isinstance(schema, dict):
        return True
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else list(types) if isinstance(types, list) else []
        kind = json_type(value)
        if kind not in names and not (kind == "integer" and "number" in names):
            return False
    enum = schema.get("enum")
    return not isinstance(enum, list) or any(same_json(e, value) for e in enum)


def _constrains(schema: Any) -> bool:
    return isinstance(schema, dict) and ("type" in schema or "enum" in schema)


def expectation(schema: Any) -> str:
    """What a property schema expects, as a person reads it."""
    if not isinstance(schema, dict):
        return "any value"
    parts = []
    types = schema.get("type")
    if isinstance(types, str):
        parts.append(types)
    elif isinstance(types, list):
        parts.append(" or ".join(str(t) for t in types))
    enum = schema.get("enum")
    if isinstance(enum, list):
        parts.append("one of " + ", ".join(show(e) for e in enum[:12]))
    return ", ".join(parts) or "any value"


IMAGE_RULES: tuple[ImageRule, ...] = (
    glance_limits,
    _links,
    _schema_link,
    _checksum,
    _hashes,
    _timestamps,
    _status_data,
    _tags,
    _locations,
)


def check_image(image: dict[str, Any], where: str, facts: Facts) -> list[Finding]:
    """C and X findings for one image record: every rule."""
    found: list[Finding] = []
    for rule in IMAGE_RULES:
        found.extend(rule(image, where, facts))
    if facts.drift_possible:
        found.extend(custom_types(image, where, facts))
    found.extend(check_extensions(image, where, facts.extensions))
    return found


def _check_rest(image: dict[str, Any], where: str, facts: Facts) -> list[Finding]:
    """The rules the quick check cannot decide, for an image it found clean.

    Each gets a cheap test of the image's own values first; the rule runs only when it fails.
    This runs for every image of every clean page, so it is written for speed.
    """
    found: list[Finding] = []
    get = image.get
    image_id = get("id")
    if image_id.__class__ is str:
        own = IMAGES_PATH + "/" + image_id
        self_link, file_link = get("self"), get("file")
        if (self_link is not None and self_link != own) or (
            file_link is not None and file_link != own + "/file"
        ):
            found.extend(_links(image, where, facts))
    direct = get("direct_url")
    if direct is not None:
        locations = get("locations")
        first = locations[0] if locations.__class__ is list and locations else None
        if first.__class__ is not dict or first.get("url") != direct:
            found.extend(_locations(image, where, facts))
    created, updated = get("created_at"), get("updated_at")
    if created.__class__ is str and updated.__class__ is str:
        same_layout = (
            len(created) == len(updated) and created[-1] == updated[-1] == "Z" and created[10] == updated[10]
        )
        if (created > updated) if same_layout else not _in_order(created, updated):
            found.extend(_timestamps(image, where, facts))
    found.extend(glance_limits(image, where, facts))
    if facts.drift_possible:
        found.extend(custom_types(image, where, facts))
    return found


def _in_order(created: str, updated: str) -> bool:
    """updated >= created, for two valid RFC 3339 date-times in any layout."""
    first, last = rfc3339_problem(created), rfc3339_problem(updated)
    return not (isinstance(first, datetime) and isinstance(last, datetime)) or first <= last


# List rules -------------------------------------------------------------------------------


def check_list(
    value: dict[str, Any], facts: Facts, *, quick_clean: bool | None = None
) -> tuple[list[Finding], PageIds]:
    """C and X findings for an image list, and the page's image ids for run-level checks.

    The quick check runs once per page (``quick_clean`` when the caller already knows its
    answer); on a page it finds clean only the rules it cannot decide run in Python, on a page it
    does not every rule does, so the findings are the same either way.
    """
    found = list(_envelope(value))
    images = value.get("images")
    if not isinstance(images, list):
        return found, PageIds(listing=_listing(value), ids=())
    if quick_clean is None:
        quick_clean = bool(facts.quick_check().is_valid(value))
    check = _check_rest if quick_clean else check_image
    ids: list[str | None] = []
    for index, image in enumerate(images):
        if image.__class__ is not dict:
            ids.append(None)
            continue
        found.extend(check(image, f"/images/{index}", facts))
        image_id = image.get("id")
        ids.append(image_id if image_id.__class__ is str else None)
    found.extend(_duplicates(ids))
    return found, PageIds(listing=_listing(value), ids=tuple(ids))


def _duplicates(ids: list[str | None]) -> list[Finding]:
    """C008 for each id that appears again on the page (a set comparison when there is none)."""
    present = [i for i in ids if i is not None]
    if len(set(present)) == len(present):
        return []
    found = []
    first_index: dict[str, int] = {}
    for index, image_id in enumerate(ids):
        if image_id is None:
            continue
        if image_id in first_index:
            found.append(_duplicate(image_id, index, first_index[image_id]))
        else:
            first_index[image_id] = index
    return found


def _duplicate(image_id: str, index: int, first: int) -> Finding:
    return finding(
        "C008",
        f"/images/{index}/id",
        f"image id {show(image_id)} appears again on this page (first at /images/{first})",
    )


def check_single_image(
    image: dict[str, Any], facts: Facts, *, quick_clean: bool | None = None
) -> list[Finding]:
    """C and X findings for an image payload (GET /v2/images/{id}); ``quick_clean`` as for lists."""
    if quick_clean is None:
        quick_clean = bool(facts.quick_check().is_valid({"images": [image]}))
    if quick_clean:
        return _check_rest(image, "", facts)
    return check_image(image, "", facts)


def _listing(value: dict[str, Any]) -> str | None:
    first = value.get("first")
    return listing_key(first) if isinstance(first, str) else None


def _envelope(value: dict[str, Any]) -> Iterator[Finding]:
    schema = value.get("schema")
    if isinstance(schema, str) and schema != LIST_SCHEMA_URI:
        yield finding("C004", "/schema", f"schema is {show(schema)}; expected {show(LIST_SCHEMA_URI)}")
    first, following = value.get("first"), value.get("next")
    if _links_as_glance_writes_them(first, following, value.get("images")):
        return
    if isinstance(first, str):
        yield from _first_link(first)
    if isinstance(following, str):
        yield from _next_marker(following, value.get("images"))
        if isinstance(first, str):
            yield from _next_query(following, first)


def _links_as_glance_writes_them(first: Any, following: Any, images: Any) -> bool:
    """True when first and next are exactly what Glance builds (no need to parse them).

    first is /v2/images with the request's query and no marker; next is first's link with
    "marker=<last id>" appended.
    """
    if first != IMAGES_PATH and not (isinstance(first, str) and first.startswith(IMAGES_PATH + "?")):
        return first is None and following is None
    if "marker=" in first or "#" in first:
        return False
    if following is None:
        return True
    last = images[-1] if isinstance(images, list) and images else None
    last_id = last.get("id") if isinstance(last, dict) else None
    joiner = "&" if "?" in first else "?"
    return isinstance(last_id, str) and following == f"{first}{joiner}marker={last_id}"


def _first_link(first: str) -> Iterator[Finding]:
    path, params = _split_link(first)
    if path != IMAGES_PATH:
        yield finding(
            "C007", "/first", f"first {show(first)} is not a {IMAGES_PATH} link (Glance writes a path)"
        )
    elif any(k == "marker" for k, _ in params):
        yield finding("C007", "/first", f"first {show(first)} carries a marker; first restarts the listing")


def _next_marker(following: str, images: Any) -> Iterator[Finding]:
    markers = [v for k, v in _split_link(following)[1] if k == "marker"]
    last = images[-1] if isinstance(images, list) and images else None
    last_id = last.get("id") if isinstance(last, dict) else None
    if not isinstance(images, list) or not images:
        problem = "is on a page without images, so there is no last image for its marker"
    elif not markers:
        problem = "has no marker"
    elif len(markers) > 1:
        problem = f"has {len(markers)} markers"
    elif isinstance(last_id, str) and markers[0] != last_id:
        problem = f"has marker {show(markers[0])}"
    else:
        return
    wanted = f" ({show(last_id)})" if isinstance(last_id, str) else ""
    yield finding(
        "C005", "/next", f"next {problem}; Glance's next carries marker=<id of the page's last image>{wanted}"
    )


def _next_query(following: str, first: str) -> Iterator[Finding]:
    next_path, next_params = _split_link(following)
    first_path, first_params = _split_link(first)
    kept = Counter(p for p in next_params if p[0] != "marker")
    wanted = Counter(p for p in first_params if p[0] != "marker")
    if next_path == first_path and kept == wanted:
        return
    changes = []
    if next_path != first_path:
        changes.append(f"path {show(next_path)} instead of {show(first_path)}")
    missing = wanted - kept
    extra = kept - wanted
    if missing:
        changes.append("drops " + ", ".join(f"{k}={v}" for k, v in sorted(missing.elements())))
    if extra:
        changes.append("adds " + ", ".join(f"{k}={v}" for k, v in sorted(extra.elements())))
    yield finding(
        "C006", "/next", f"next does not keep first's query: {'; '.join(changes)} (first is {show(first)})"
    )


def _split_link(link: str) -> tuple[str, list[tuple[str, str]]]:
    try:
        parts = urlsplit(link)
    except ValueError:  # for example an unbalanced "[" read as an IPv6 host
        return link, []
    where = f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.scheme or parts.netloc else parts.path
    return where, parse_qsl(parts.query, keep_blank_values=True)


def listing_key(first: str) -> str:
    """Pages of one listing share their first link; compare it with its query in a fixed order."""
    path, params = _split_link(first)
    return path + "?" + "&".join(f"{k}={v}" for k, v in sorted(params))


# Run-level rules --------------------------------------------------------------------------


class ListingIds:
    """Run-level state for C009: the image ids seen so far, by listing (the pages' first link).

    A page that starts with the same image as an earlier page of its listing is that page
    fetched again (a second capture), not the next page: it is neither compared nor recorded.
    """

    def __init__(self) -> None:
        self._seen: dict[str | None, dict[str, tuple[str, int]]] = {}
        self._starts: dict[str | None, set[str]] = {}

    def add(self, source: str, page: PageIds | None) -> list[Finding]:
        """C009 findings for ``page`` (ids already on an earlier page of its listing); records it."""
        if page is None:
            return []
        start = next((i for i in page.ids if i is not None), None)
        starts = self._starts.setdefault(page.listing, set())
        if start is None or start in starts:
            return []
        starts.add(start)
        earlier = self._seen.setdefault(page.listing, {})
        found: list[Finding] = []
        new: dict[str, tuple[str, int]] = {}
        for index, image_id in enumerate(page.ids):
            if image_id is None:
                continue
            if image_id in earlier:
                where_source, where_index = earlier[image_id]
                message = (
                    f"image id {show(image_id)} is also on an earlier page of this listing "
                    f"({where_source} at /images/{where_index})"
                )
                found.append(finding("C009", f"/images/{index}/id", message))
            else:
                new.setdefault(image_id, (source, index))
        earlier.update(new)
        return found


def cross_page_duplicates(pages: Sequence[tuple[str, PageIds | None]]) -> dict[int, list[Finding]]:
    """C009 findings by page index for pages given in run order as (source label, page ids)."""
    seen = ListingIds()
    out: dict[int, list[Finding]] = {}
    for number, (source, page) in enumerate(pages):
        found = seen.add(source, page)
        if found:
            out[number] = found
    return out
