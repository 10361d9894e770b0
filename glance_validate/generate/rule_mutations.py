"""Mutations for the rules beyond the schema: consistency (C), vendor deviations (D), extensions (X).

Like :mod:`glance_validate.generate.mutations`, each changes one thing in a valid payload so that exactly
one finding follows, and says which. The values are chosen to keep every other check quiet:

- links are broken in ways proxies and hand-written fixtures really break them (an absolute URL,
  another image's id, a trailing slash, ``/data`` for ``/file``), always still strings;
- format breaks stay within the schema's ``maxLength`` (a 31-digit checksum, a sha512 value cut
  to 64 digits), so no keyword finding joins them;
- a changed id is carried into its own links and, for the last image of a full page, into the
  ``next`` marker;
- deviations use exactly the catalogued values (``zvhd2``, null ``virtual_size``, ``shared``,
  null or boolean ``__*`` values), only under the IMS schema (under an upstream schema they are
  that schema's errors) and only where the schema rejects them;
- extension values are strings the IMS documentation does not list, or pairs it forbids.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from functools import partial
from typing import Any

from glance_validate.checks.extensions import ims_profile
from glance_validate.checks.rules import show
from glance_validate.core.findings import join_pointer, pointer
from glance_validate.core.uris import IMAGE_SCHEMA_URI, LIST_SCHEMA_URI
from glance_validate.generate.model import Model, pick
from glance_validate.generate.regex_strings import Choices
from glance_validate.generate.schema_values import declared_types
from glance_validate.generate.synthesis import timestamp, uuid_string

Outcome = tuple[str, str, str]  # (code, path, description)
Apply = Callable[[Choices], Outcome]
MarkerFix = Callable[[str, str], None]


# Image records ------------------------------------------------------------------------------


def image_targets(
    model: Model, image: dict[str, Any], base: str, marker_fix: MarkerFix | None
) -> list[tuple[str, Apply]]:
    """(kind, apply) for every rule mutation that fits this image."""
    found: list[tuple[str, Apply]] = []
    for kind, maker in _IMAGE_MUTATIONS:
        apply = maker(model, image, base)
        if apply is not None:
            found.append((kind, apply))
    return found


def _links(model: Model, image: dict[str, Any], base: str) -> Apply | None:
    image_id = image.get("id")
    if not isinstance(image_id, str) or not all(isinstance(image.get(k), str) for k in ("self", "file")):
        return None

    def apply(choices: Choices) -> Outcome:
        other = uuid_string(choices)
        key = pick(choices, ["self", "file"])
        if key == "self":
            variants = [
                f"https://image.example.net/v2/images/{image_id}",
                f"/v2/images/{other}",
                f"/v2/images/{image_id}/",
            ]
            code = "C001"
        else:
            variants = [
                f"/v2/images/{image_id}/data",
                f"/v2/images/{other}/file",
                f"/v2/image/{image_id}/file",
            ]
            code = "C002"
        old = image[key]
        image[key] = pick(choices, variants)
        return code, join_pointer(base, key), f"{key} {show(old)} replaced by {show(image[key])}"

    return apply


def _schema_link(model: Model, image: dict[str, Any], base: str) -> Apply | None:
    if image.get("schema") != IMAGE_SCHEMA_URI:
        return None

    def apply(choices: Choices) -> Outcome:
        image["schema"] = pick(choices, [LIST_SCHEMA_URI, "/v2/schemas/image/", "/v1/schemas/image"])
        return "C003", join_pointer(base, "schema"), f"schema link replaced by {show(image['schema'])}"

    return apply


def _checksum_format(model: Model, image: dict[str, Any], base: str) -> Apply | None:
    checksum = image.get("checksum")
    if not isinstance(checksum, str) or len(checksum) != 32:
        return None

    def apply(choices: Choices) -> Outcome:
        upper = checksum.upper()
        variants = [checksum[:31]] + ([upper] if upper != checksum else [])
        image["checksum"] = pick(choices, variants)
        return "C010", join_pointer(base, "checksum"), f"checksum replaced by {show(image['checksum'])}"

    return apply


def _hash_length(model: Model, image: dict[str, Any], base: str) -> Apply | None:
    value = image.get("os_hash_value")
    if not isinstance(image.get("os_hash_algo"), str) or not isinstance(value, str) or len(value) < 64:
        return None

    def apply(choices: Choices) -> Outcome:
        cut = value[: len(value) // 2]
        image["os_hash_value"] = cut
        algo = image["os_hash_algo"]
        return "C011", join_pointer(base, "os_hash_value"), f"{algo} value cut to {len(cut)} hex digits"

    return apply


def _timestamp_format(model: Model, image: dict[str, Any], base: str) -> Apply | None:
    if not isinstance(image.get("created_at"), str) or not isinstance(image.get("updated_at"), str):
        return None

    def apply(choices: Choices) -> Outcome:
        key = pick(choices, ["created_at", "updated_at"])
        old = image[key]
        image[key] = pick(choices, [old.replace("T", " "), old.rstrip("Z"), old[:10]])
        return "C012", join_pointer(base, key), f"{key} {show(old)} replaced by {show(image[key])}"

    return apply


def _updated_before_created(model: Model, image: dict[str, Any], base: str) -> Apply | None:
    created = image.get("created_at")
    if not isinstance(created, str) or not isinstance(image.get("updated_at"), str):
        return None

    def apply(choices: Choices) -> Outcome:
        epoch = int(datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())
        image["updated_at"] = timestamp(epoch - choices.integer(1, 86400))
        return "C013", join_pointer(base, "updated_at"), f"updated_at moved before created_at {created}"

    return apply


def _active_without_size(model: Model, image: dict[str, Any], base: str) -> Apply | None:
    if image.get("status") != "active" or not isinstance(image.get("size"), int):
        return None

    def apply(choices: Choices) -> Outcome:
        if model.accepts("size", None):
            image["size"] = None
            return "C014", join_pointer(base, "size"), "size of an active image set to null"
        del image["size"]
        return "C014", base, "size of an active image removed"

    return apply


def _queued_with_checksum(model: Model, image: dict[str, Any], base: str) -> Apply | None:
    checksum = "d41d8cd98f00b204e9800998ecf8427e"  # md5 of no data, as IMS examples show
    if image.get("status") != "queued" or not model.accepts("checksum", checksum):
        return None
    if "checksum" not in model.properties:
        return None

    def apply(choices: Choices) -> Outcome:
        image["checksum"] = checksum
        return "C015", join_pointer(base, "checksum"), "checksum given to a queued image"

    return apply


def _duplicate_tag(model: Model, image: dict[str, Any], base: str) -> Apply | None:
    tags = image.get("tags")
    schema = model.properties.get("tags", {})
    if not isinstance(tags, list) or not tags or any(k in schema for k in ("uniqueItems", "maxItems")):
        return None

    def apply(choices: Choices) -> Outcome:
        repeated = pick(choices, tags)
        tags.append(repeated)
        return "C016", join_pointer(base, "tags", len(tags) - 1), f"tag {show(repeated)} repeated"

    return apply


def _direct_url(model: Model, image: dict[str, Any], base: str) -> Apply | None:
    locations = image.get("locations")
    if not isinstance(image.get("direct_url"), str) or not isinstance(locations, list) or not locations:
        return None

    def apply(choices: Choices) -> Outcome:
        image["direct_url"] = f"{locations[0]['url']}-moved"
        return "C018", join_pointer(base, "direct_url"), "direct_url no longer a location's url"

    return apply


# Known vendor deviations: (code, property, the value real deployments send).
_DEVIATIONS: tuple[tuple[str, str, object], ...] = (
    ("D001", "disk_format", "zvhd2"),
    ("D002", "virtual_size", None),
    ("D003", "visibility", "shared"),
)


def _deviation(model: Model, image: dict[str, Any], base: str) -> Apply | None:
    if model.dialect.vendor != "IMS":
        return None
    usable = [(c, n, v) for c, n, v in _DEVIATIONS if n in image and _rejected_by_one_keyword(model, n, v)]
    if not usable:
        return None

    def apply(choices: Choices) -> Outcome:
        code, name, value = pick(choices, usable)
        image[name] = value
        return code, join_pointer(base, name), f"{name} set to {show(value)}, a known IMS deviation"

    return apply


def _rejected_by_one_keyword(model: Model, name: str, value: object) -> bool:
    """The schema rejects the value by its type alone or by its enum alone."""
    schema = model.properties[name]
    types = declared_types(schema)
    enum = schema.get("enum")
    if value is None:
        return types is not None and "null" not in types and enum is None
    return isinstance(enum, list) and value not in enum and (types is None or "string" in types)


def _extension_drift(model: Model, image: dict[str, Any], base: str) -> Apply | None:
    extra = model.extra
    if model.dialect.vendor != "IMS":
        return None
    if not isinstance(extra, dict) or extra.get("type") != "string" or "enum" in extra:
        return None
    names = sorted(n for n in image if n.startswith("__") and n not in model.properties)
    if not names:
        return None

    def apply(choices: Choices) -> Outcome:
        name = pick(choices, names)
        value = pick(choices, [None, True, False])
        image[name] = value
        code = "D004" if value is None else "D005"
        return code, join_pointer(base, name), f"{name} set to {show(value)}, a known IMS deviation"

    return apply


def _extension_value(model: Model, image: dict[str, Any], base: str) -> Apply | None:
    profile = ims_profile()
    names = sorted(
        n
        for n in profile.names.intersection(image)
        if n in profile.properties and isinstance(image[n], str) and n not in model.properties
    )
    breakable = [n for n in names if profile.properties[n].enum or profile.properties[n].pattern_text]
    if not breakable:
        return None

    def apply(choices: Choices) -> Outcome:
        name = pick(choices, breakable)
        spec = profile.properties[name]
        old = image[name]
        if spec.enum:
            image[name] = next(v for v in (old.upper(), old + "-x", "other-value") if v not in spec.enum)
            code = "X001"
        else:
            image[name] = f"{old} bytes" if old else "none"
            code = "X002"
        return code, join_pointer(base, name), f"{name} {show(old)} replaced by {show(image[name])}"

    return apply


def _extension_conflict(model: Model, image: dict[str, Any], base: str) -> Apply | None:
    first, second = "__support_kvm_gpu_type", "__support_kvm"
    if (
        second not in image
        or first in image
        or not model.allows_extra(first)
        or not model.accepts(first, "P4")
    ):
        return None
    if (first, second) not in ims_profile().conflicts:
        return None

    def apply(choices: Choices) -> Outcome:
        image[first] = pick(choices, ["P4", "V100"])
        return "X003", join_pointer(base, first), f"{first} added beside {second}"

    return apply


def _custom_drift(model: Model, image: dict[str, Any], base: str) -> Apply | None:
    """A custom property the schema does not constrain, given a boolean or a number (C017)."""
    names = sorted(
        n
        for n, v in image.items()
        if isinstance(v, str)
        and not n.startswith("__")  # IMS's own drift there is a catalogued deviation
        and n not in _DEVIATION_NAMES
        and _unconstrained(model, n)
    )
    if not names:
        return None

    def apply(choices: Choices) -> Outcome:
        name = pick(choices, names)
        old = image[name]
        image[name] = pick(choices, [True, False, 1, 0])
        return "C017", join_pointer(base, name), f"custom {name} {show(old)} replaced by {show(image[name])}"

    return apply


_DEVIATION_NAMES = frozenset({"max_ram"})  # an Open Telekom Cloud deviation when an integer


def _unconstrained(model: Model, name: str) -> bool:
    if name in model.properties:
        schema = model.properties[name]
        custom = name in model.dialect.custom_properties
        return custom and not any(k in schema for k in ("type", "enum", "allOf", "anyOf", "oneOf", "not"))
    return model.extra is True


_IMAGE_MUTATIONS: tuple[tuple[str, Callable[[Model, dict[str, Any], str], Apply | None]], ...] = (
    ("wrong-link", _links),
    ("wrong-schema-link", _schema_link),
    ("checksum-format", _checksum_format),
    ("hash-length", _hash_length),
    ("timestamp-format", _timestamp_format),
    ("updated-before-created", _updated_before_created),
    ("active-without-size", _active_without_size),
    ("queued-with-checksum", _queued_with_checksum),
    ("duplicate-tag", _duplicate_tag),
    ("direct-url-not-a-location", _direct_url),
    ("known-deviation", _deviation),
    ("extension-drift", _extension_drift),
    ("extension-value", _extension_value),
    ("extension-conflict", _extension_conflict),
    ("custom-drift", _custom_drift),
)


# List pages ---------------------------------------------------------------------------------


def page_targets(model: Model, page: dict[str, Any]) -> list[tuple[str, Apply]]:
    """(kind, apply) for every envelope rule mutation that fits this page."""
    found: list[tuple[str, Apply]] = []
    if page.get("schema") == LIST_SCHEMA_URI:
        found.append(("wrong-list-schema-link", partial(_list_schema_link, page=page)))
    if isinstance(page.get("next"), str):
        found.append(("broken-marker", partial(_broken_marker, page=page)))
        found.append(("next-query", partial(_next_query, page=page)))
    if isinstance(page.get("first"), str):
        found.append(("first-with-marker", partial(_first_with_marker, page=page)))
    images = page["images"]
    if len(images) >= 2 and all(isinstance(i.get("id"), str) for i in images):
        found.append(("duplicate-id", partial(_duplicate_id, page=page)))
    return found


def _list_schema_link(choices: Choices, *, page: dict[str, Any]) -> Outcome:
    page["schema"] = pick(choices, [IMAGE_SCHEMA_URI, "/v2/schemas/images/"])
    return "C004", pointer("schema"), f"list schema link replaced by {show(page['schema'])}"


def _broken_marker(choices: Choices, *, page: dict[str, Any]) -> Outcome:
    images = page["images"]
    last = images[-1]["id"]
    other = images[0]["id"] if len(images) > 1 else uuid_string(choices)
    page["next"] = page["next"].replace(f"marker={last}", f"marker={other}")
    return "C005", pointer("next"), f"next marker {show(last)} replaced by {show(other)}"


def _next_query(choices: Choices, *, page: dict[str, Any]) -> Outcome:
    limit = len(page["images"])
    page["next"] = page["next"].replace(f"limit={limit}", f"limit={limit + choices.integer(1, 20)}", 1)
    return "C006", pointer("next"), f"next asks for another limit than first: {show(page['next'])}"


def _first_with_marker(choices: Choices, *, page: dict[str, Any]) -> Outcome:
    page["first"] = f"{page['first']}&marker={uuid_string(choices)}"
    return "C007", pointer("first"), f"first link given a marker: {show(page['first'])}"


def _duplicate_id(choices: Choices, *, page: dict[str, Any]) -> Outcome:
    images = page["images"]
    index = choices.integer(1, len(images) - 1)
    old, new = images[index]["id"], images[0]["id"]
    image = images[index]
    image["id"] = new
    for link in ("self", "file"):
        if isinstance(image.get(link), str):
            image[link] = image[link].replace(old, new)
    if index == len(images) - 1 and isinstance(page.get("next"), str):
        page["next"] = page["next"].replace(f"marker={old}", f"marker={new}")
    return "C008", pointer("images", index, "id"), f"image {index} given the id of image 0"
