"""Mutations: break a valid payload in exactly one known way, and say what must be found.

Each mutation takes a valid payload from :mod:`glance_validate.generate.synthesis` and changes one thing,
chosen so that exactly one finding follows: the :class:`Broken` value carries the mutated
payload, the finding's code and its JSON Pointer (an oracle for the validator and for users'
own code). The choice of target keeps every other check quiet:

- type, length and range breaks never touch the fields that consistency checks read (id and
  its links, status, size and hashes, timestamps, locations, tags as a whole);
- a broken ``id`` pattern is carried into ``self``, ``file`` and (for the last image of a full
  page) the ``next`` marker, so that the links still agree with the id: the pattern finding on
  ``id`` is the only one;
- an enum break uses a spelling that is no catalogued vendor deviation (no ``zvhd2``, no
  ``shared`` where the schema lacks it), and type breaks never use null (null is a catalogued
  IMS deviation on several fields);
- an extension property made non-string never has a ``__`` name (IMS's own type drift there is a
  catalogued deviation).

The mutations for the rules beyond the schema (consistency, known deviations, extension values)
are in :mod:`glance_validate.generate.rule_mutations`; both sets are drawn from alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from glance_validate.checks.rules import describe, show
from glance_validate.core.findings import join_pointer, pointer
from glance_validate.core.jsontypes import json_type
from glance_validate.generate import regex_strings, rule_mutations
from glance_validate.generate.model import Model, SynthesisError, pick
from glance_validate.generate.regex_strings import Choices
from glance_validate.generate.schema_values import declared_types

# Fields that consistency checks read: breaking their type or length would be found twice.
CONSISTENCY_FIELDS = frozenset(
    {
        "id", "self", "file", "schema", "status", "size", "virtual_size", "checksum",
        "os_hash_algo", "os_hash_value", "created_at", "updated_at", "locations", "direct_url",
        "stores", "tags",
    }
)  # fmt: skip
# Values that real deployments send and a catalogue of vendor deviations names: never used.
DEVIATION_VALUES = frozenset({"zvhd", "zvhd2", "shared"})
_COMBINATORS = ("allOf", "anyOf", "oneOf", "not", "enum")


@dataclass(frozen=True)
class Broken:
    """A payload broken in one way, with the one finding a validator must report for it."""

    payload: Any
    code: str
    path: str
    mutation: str  # what was changed, in words

    def expected_finding(self) -> dict[str, str]:
        return {"code": self.code, "path": self.path}


Outcome = tuple[str, str, str]  # (code, path, description)
MarkerFix = Callable[[str, str], None]


@dataclass(frozen=True)
class _Target:
    kind: str
    apply: Callable[[Choices], Outcome]


@dataclass(frozen=True)
class _Site:
    """One property of one image record, where a mutation happens."""

    model: Model
    image: dict[str, Any]
    name: str
    base: str  # JSON Pointer of the image in the payload
    marker_fix: MarkerFix | None = None

    @property
    def schema(self) -> dict[str, Any]:
        return self.model.properties[self.name]

    @property
    def path(self) -> str:
        return join_pointer(self.base, self.name)


def break_image(choices: Choices, model: Model, image: dict[str, Any]) -> Broken:
    """``image`` (a valid single-image payload) with one mutation; the image is changed in place."""
    targets = _image_targets(model, image, "", None)
    targets += [_Target(k, a) for k, a in rule_mutations.image_targets(model, image, "", None)]
    return _apply(choices, image, targets)


def break_list(choices: Choices, model: Model, page: dict[str, Any]) -> Broken:
    """``page`` (a valid list page) with one mutation; the page is changed in place."""
    targets = _envelope_targets(model, page)
    targets += [_Target(k, a) for k, a in rule_mutations.page_targets(model, page)]
    images = page["images"]
    if images:
        index = choices.integer(0, len(images) - 1)
        base, fix = pointer("images", index), _marker_fix(page, index)
        targets += _image_targets(model, images[index], base, fix)
        targets += [_Target(k, a) for k, a in rule_mutations.image_targets(model, images[index], base, fix)]
    return _apply(choices, page, targets)


def _apply(choices: Choices, payload: Any, targets: list[_Target]) -> Broken:
    if not targets:
        raise SynthesisError("no mutation applies to this payload under this schema")
    kinds = sorted({t.kind for t in targets})
    kind = pick(choices, kinds)
    target = pick(choices, [t for t in targets if t.kind == kind])
    code, path, description = target.apply(choices)
    return Broken(payload, code, path, description)


def _marker_fix(page: dict[str, Any], index: int) -> MarkerFix | None:
    """For the last image of a page with ``next``: carry a changed id into the marker."""
    next_link = page.get("next")
    if index != len(page["images"]) - 1 or not isinstance(next_link, str):
        return None

    def fix(old: str, new: str) -> None:
        page["next"] = next_link.replace(f"marker={old}", f"marker={new}")

    return fix


# Envelope mutations (list pages). -------------------------------------------------------------


def _envelope_targets(model: Model, page: dict[str, Any]) -> list[_Target]:
    targets = []
    images = page["images"]
    if "next" not in page:  # a next marker names the last image: leave the array alone then
        targets.append(_Target("images-not-array", partial(_images_not_array, page=page)))
    for index in range(len(images) - (1 if "next" in page else 0)):
        targets.append(_Target("image-not-object", partial(_image_not_object, page=page, index=index)))
    for key in ("count", "total", "links"):
        if key not in model.envelope:
            targets.append(_Target("unknown-envelope-key", partial(_envelope_key, page=page, key=key)))
    return targets


def _images_not_array(choices: Choices, *, page: dict[str, Any]) -> Outcome:
    value: object = pick(choices, [None, {}, "[]"])
    page["images"] = value
    return "S003", pointer("images"), f"images replaced by {describe(value)}"


def _image_not_object(choices: Choices, *, page: dict[str, Any], index: int) -> Outcome:
    image = page["images"][index]
    value = image.get("id") if isinstance(image.get("id"), str) and choices.chance(0.5) else None
    page["images"][index] = value
    return "S004", pointer("images", index), f"image {index} replaced by {describe(value)}"


def _envelope_key(choices: Choices, *, page: dict[str, Any], key: str) -> Outcome:
    page[key] = len(page["images"]) if key != "links" else []
    return "S005", pointer(key), f"envelope key {key!r} added"


# Image mutations. -----------------------------------------------------------------------------


def _image_targets(
    model: Model, image: dict[str, Any], base: str, marker_fix: MarkerFix | None
) -> list[_Target]:
    targets: list[_Target] = []
    for name, value in image.items():
        schema = model.properties.get(name)
        if schema is None:
            targets += _extension_targets(model, image, name, value, base)
            continue
        site = _Site(model, image, name, base, marker_fix)
        targets += [
            _Target(kind, partial(apply, site=site)) for kind, apply in _property_mutations(site, value)
        ]
    targets += _tag_targets(model, image, base)
    targets += _location_targets(model, image, base)
    removable = sorted(n for n in model.required & set(image) if n not in CONSISTENCY_FIELDS)
    for name in removable:
        targets.append(_Target("required", partial(_remove_required, site=_Site(model, image, name, base))))
    if model.extra is False:
        targets.append(_Target("additional-property", partial(_additional, image=image, base=base)))
    return targets


def _property_mutations(site: _Site, value: object) -> list[tuple[str, Callable[..., Outcome]]]:
    """The mutations that break only one keyword of this property's schema."""
    schema, checked = site.schema, site.name not in CONSISTENCY_FIELDS
    custom = site.name in site.model.dialect.custom_properties
    found: list[tuple[str, Callable[..., Outcome]]] = []
    if checked and not custom and _wrong_types(schema, value):
        found.append(("wrong-type", _wrong_type))
    if custom and "string" in _types(schema) and _wrong_types(schema, value):
        found.append(("custom-not-string", _wrong_type))
    if _enum_breaks(schema, value):
        found.append(("enum", _enum))
    in_marker = site.name == "id" and site.marker_fix is not None
    if isinstance(value, str) and _pattern_breaks(schema, value, in_marker=in_marker):
        found.append(("pattern", _pattern))
    if checked and isinstance(value, str) and _can_overflow(schema):
        found.append(("max-length", _too_long))
    if checked and isinstance(value, str) and _can_underflow(schema):
        found.append(("min-length", _too_short))
    if checked and _out_of_range(schema, value) is not None:
        found.append(("range", _range))
    return found


_ANY_TYPE = frozenset({"array", "boolean", "integer", "null", "number", "object", "string"})


def _types(schema: dict[str, Any]) -> frozenset[str]:
    declared = declared_types(schema)
    return _ANY_TYPE if declared is None else declared


def _only_type_fails(schema: dict[str, Any], value: object) -> bool:
    """Whether ``value`` breaks ``type`` in ``schema`` and no other keyword (an independent check)."""
    if any(k in schema for k in _COMBINATORS) or json_type(value) in _types(schema):
        return False
    if isinstance(value, str):
        return _string_fits(schema, value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return all(k not in schema for k in ("minimum", "maximum", "multipleOf"))
    if isinstance(value, list):
        return not value and not schema.get("minItems")
    if isinstance(value, dict):
        return not value and not schema.get("required") and not schema.get("minProperties")
    return True


def _string_fits(schema: dict[str, Any], value: str) -> bool:
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and regex_strings.breaks(pattern, value):
        return False
    low, high = schema.get("minLength"), schema.get("maxLength")
    return not (isinstance(low, int) and len(value) < low) and not (
        isinstance(high, int) and len(value) > high
    )


def _wrong_types(schema: dict[str, Any], current: object) -> list[Any]:
    """Values of another JSON type that break only ``type``, realistic drift first."""
    text = str(current) if not isinstance(current, (dict, list)) and current is not None else "512"
    candidates: list[Any] = []
    if isinstance(current, bool):
        candidates += [str(current).lower(), int(current)]
    elif isinstance(current, int):
        candidates += [str(current), float(current), True]
    candidates += [text if text else "1", 42, True, [], {}]
    return [v for v in candidates if _only_type_fails(schema, v)]


def _wrong_type(choices: Choices, *, site: _Site) -> Outcome:
    old = site.image[site.name]
    new = site.image[site.name] = pick(choices, _wrong_types(site.schema, old))
    return "K001", site.path, f"{site.name}: {describe(old)} replaced by {describe(new)}"


def _enum_breaks(schema: dict[str, Any], current: object) -> list[str]:
    enum = schema.get("enum")
    if (
        not isinstance(enum, list)
        or "string" not in _types(schema)
        or any(k in schema for k in _COMBINATORS[:4])
    ):
        return []
    seeds = [current] if isinstance(current, str) else [v for v in enum if isinstance(v, str)][:1]
    candidates = [f(s) for s in seeds for f in (str.upper, str.capitalize, lambda s: s + "-1")]
    return [
        v
        for v in dict.fromkeys(candidates)
        if v not in enum and v.lower() not in DEVIATION_VALUES and _string_fits(schema, v)
    ]


def _enum(choices: Choices, *, site: _Site) -> Outcome:
    old = site.image[site.name]
    new = site.image[site.name] = pick(choices, _enum_breaks(site.schema, old))
    return "K002", site.path, f"{site.name}: {show(old)} replaced by {show(new)}, outside the enum"


def _pattern_breaks(schema: dict[str, Any], current: str, *, in_marker: bool = False) -> list[str]:
    """Strings that break only the pattern: a trailing line break (the ECMA-262 ``$`` trap), no
    dashes, one digit too few, a non-hex letter, one character more."""
    pattern = schema.get("pattern")
    if not isinstance(pattern, str) or any(k in schema for k in _COMBINATORS):
        return []
    swapped = next(
        (current[:i] + "g" + current[i + 1 :] for i, c in enumerate(current) if c in "0123456789abcdef"), ""
    )
    # A URL parser drops a line break from a next link, so a marker cannot carry one.
    trailing = [] if in_marker else [current + "\n"]
    candidates = [*trailing, current.replace("-", ""), current[:-1], swapped, current + "x"]
    low, high = schema.get("minLength"), schema.get("maxLength")
    return [
        v
        for v in dict.fromkeys(candidates)
        if v
        and v != current
        and regex_strings.breaks(pattern, v)
        and not (isinstance(low, int) and len(v) < low)
        and not (isinstance(high, int) and len(v) > high)
    ]


def _pattern(choices: Choices, *, site: _Site) -> Outcome:
    old = site.image[site.name]
    in_marker = site.name == "id" and site.marker_fix is not None
    new = site.image[site.name] = pick(choices, _pattern_breaks(site.schema, old, in_marker=in_marker))
    if site.name == "id":
        _carry_id(site.image, old, new.strip(), site.marker_fix)
    return "K003", site.path, f"{site.name}: {show(old)} replaced by {show(new)}, which breaks its pattern"


def _carry_id(image: dict[str, Any], old: str, new: str, marker_fix: MarkerFix | None) -> None:
    """The links name the id without surrounding white space (which is the pattern's finding)."""
    for link in ("self", "file"):
        if isinstance(image.get(link), str):
            image[link] = image[link].replace(old, new)
    if marker_fix is not None:
        marker_fix(old, new)


def _can_overflow(schema: dict[str, Any]) -> bool:
    high = schema.get("maxLength")
    return isinstance(high, int) and not any(k in schema for k in (*_COMBINATORS, "pattern"))


def _long_text(seed: str, length: int) -> str:
    unit = (seed or "image") + " "
    return (unit * (length // len(unit) + 1))[:length]


def _too_long(choices: Choices, *, site: _Site) -> Outcome:
    high = site.schema["maxLength"]
    new = site.image[site.name] = _long_text(site.image[site.name], high + choices.integer(1, 8))
    return "K004", site.path, f"{site.name}: {len(new)} characters, maximum {high}"


def _can_underflow(schema: dict[str, Any]) -> bool:
    low = schema.get("minLength")
    return isinstance(low, int) and low > 0 and not any(k in schema for k in (*_COMBINATORS, "pattern"))


def _too_short(choices: Choices, *, site: _Site) -> Outcome:
    low = site.schema["minLength"]
    new = site.image[site.name] = str(site.image[site.name])[: low - 1]
    return "K005", site.path, f"{site.name}: {len(new)} characters, minimum {low}"


def _out_of_range(schema: dict[str, Any], current: object) -> int | None:
    if not isinstance(current, int) or isinstance(current, bool) or any(k in schema for k in _COMBINATORS):
        return None
    if "multipleOf" in schema:
        return None
    low, high = schema.get("minimum"), schema.get("maximum")
    if isinstance(low, int):
        return low - 1 if schema.get("exclusiveMinimum") is not True else low
    if isinstance(high, int):
        return high + 1 if schema.get("exclusiveMaximum") is not True else high
    return None


def _range(choices: Choices, *, site: _Site) -> Outcome:
    old = site.image[site.name]
    new = site.image[site.name] = _out_of_range(site.schema, old)
    return "K008", site.path, f"{site.name}: {old} replaced by {new}, outside its range"


def _remove_required(choices: Choices, *, site: _Site) -> Outcome:
    del site.image[site.name]
    return "K006", site.base, f"required property {site.name!r} removed"


def _additional(choices: Choices, *, image: dict[str, Any], base: str) -> Outcome:
    name = "x_unlisted_property"
    image[name] = "yes"
    return "K007", join_pointer(base, name), f"property {name!r} added where additionalProperties is false"


def _extension_targets(
    model: Model, image: dict[str, Any], name: str, value: object, base: str
) -> list[_Target]:
    extra = model.extra
    if not isinstance(extra, dict) or name.startswith("__") or not _wrong_types(extra, value):
        return []

    def apply(choices: Choices) -> Outcome:
        old = image[name]
        image[name] = pick(choices, _wrong_types(extra, old))
        return (
            "K001",
            join_pointer(base, name),
            f"extension {name}: {describe(old)} replaced by {describe(image[name])}",
        )

    return [_Target("extension-not-string", apply)]


def _tag_targets(model: Model, image: dict[str, Any], base: str) -> list[_Target]:
    tags = image.get("tags")
    items = model.properties.get("tags", {}).get("items")
    if not isinstance(tags, list) or not tags or not isinstance(items, dict):
        return []
    targets = []
    scalars = [v for v in _wrong_types(items, tags[0]) if not isinstance(v, (list, dict))]
    if scalars:

        def wrong(choices: Choices) -> Outcome:
            index = choices.integer(0, len(tags) - 1)
            old = tags[index]
            new = tags[index] = pick(choices, scalars)
            return "K001", join_pointer(base, "tags", index), f"tag {show(old)} replaced by {describe(new)}"

        targets.append(_Target("wrong-type", wrong))
    if _can_overflow(items):

        def long(choices: Choices) -> Outcome:
            index = choices.integer(0, len(tags) - 1)
            high = items["maxLength"]
            new = tags[index] = _long_text(tags[index], high + choices.integer(1, 8))
            return "K004", join_pointer(base, "tags", index), f"tag of {len(new)} characters, maximum {high}"

        targets.append(_Target("max-length", long))
    return targets


def _location_targets(model: Model, image: dict[str, Any], base: str) -> list[_Target]:
    locations = image.get("locations")
    items = model.properties.get("locations", {}).get("items")
    required = items.get("required", []) if isinstance(items, dict) else []
    if not isinstance(locations, list) or not locations or "metadata" not in required:
        return []

    def drop(choices: Choices) -> Outcome:
        index = choices.integer(0, len(locations) - 1)
        del locations[index]["metadata"]
        return "K006", join_pointer(base, "locations", index), f"metadata removed from location {index}"

    return [_Target("required", drop)]
