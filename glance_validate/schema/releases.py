"""Glance releases: the images schema each upstream release serves, built from recorded facts.

``data/glance-base-properties-by-release.json`` records the base properties Glance's code
defines in each release; ``data/releases.json`` names the releases and adds the custom
properties of the ``schema-image.json`` Glance ships. From them this module builds the
``GET /v2/schemas/images`` document of any release, selectable as ``glance-<release>`` by
name (``glance-rocky``), version (``glance-17.0.0``, ``glance-17``) or series (``glance-2024.1``).
Releases whose schemas are identical form one group (Ocata, Pike and Queens serve the same one).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from glance_validate.core.data import data_text
from glance_validate.core.errors import SchemaUnavailable
from glance_validate.schema.documents import SchemaDocument

PREFIX = "glance-"
_LINKS_IMAGE = [
    {"rel": "self", "href": "{self}"},
    {"rel": "enclosure", "href": "{file}"},
    {"rel": "describedby", "href": "{schema}"},
]
_LINKS_LIST = [
    {"rel": "first", "href": "{first}"},
    {"rel": "next", "href": "{next}"},
    {"rel": "describedby", "href": "{schema}"},
]


@dataclass(frozen=True)
class Release:
    """One upstream Glance release."""

    index: int  # position in release order
    key: str  # key of its base properties in the facts file
    name: str  # Havana ... Gazpacho, or "current"
    versions: tuple[str, ...]  # Glance version first, then the series (2024.1) when it has one

    @property
    def schema_name(self) -> str:
        return PREFIX + self.name.lower()

    @property
    def label(self) -> str:
        """How a person reads it: "Rocky 17.0.0", "current (master)"."""
        return (
            f"{self.name} ({self.versions[0]})"
            if self.name == "current"
            else f"{self.name} {self.versions[0]}"
        )


@cache
def _data() -> dict[str, Any]:
    text = data_text("releases.json")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def _facts() -> dict[str, Any]:
    facts: dict[str, Any] = json.loads(data_text("glance-base-properties-by-release.json"))
    return facts


@cache
def releases() -> tuple[Release, ...]:
    """Every release the facts cover, oldest first."""
    return tuple(
        Release(index=i, key=r["base"], name=r["name"], versions=tuple(r["versions"]))
        for i, r in enumerate(_data()["releases"])
    )


def _by_key(key: str) -> Release:
    return next(r for r in releases() if r.key == key)


def find(spec: str) -> list[Release]:
    """The releases a name or version names (``glance-`` prefix optional, any case)."""
    wanted = spec.strip().lower()
    wanted = wanted[len(PREFIX) :] if wanted.startswith(PREFIX) else wanted
    if not wanted:
        return []
    by_name = [r for r in releases() if r.name.lower() == wanted]
    if by_name:
        return by_name
    exact = [r for r in releases() if wanted in r.versions]
    if exact:
        return exact
    return [r for r in releases() if any(v.startswith(wanted + ".") for v in r.versions)]


def is_release_name(spec: str) -> bool:
    return spec.lower().startswith(PREFIX) and len(find(spec)) == 1


def resolve(spec: str) -> Release:
    """The one release ``spec`` names; SchemaUnavailable (naming the choices) otherwise."""
    found = find(spec)
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(r.label for r in found)
        raise SchemaUnavailable(f"schema {spec!r} names several Glance releases ({names}); give one")
    known = ", ".join(r.schema_name for r in releases())
    raise SchemaUnavailable(f"schema {spec!r}: no such Glance release (known: {known}, or a version number)")


def release_document(spec: str | Release) -> SchemaDocument:
    """The GET /v2/schemas/images document of a release, as a schema source."""
    release = spec if isinstance(spec, Release) else resolve(spec)
    return SchemaDocument(release.schema_name, images_schema(release), shipped=True)


def images_schema(release: Release) -> dict[str, Any]:
    return {
        "name": "images",
        "properties": {
            "images": {"type": "array", "items": image_schema(release)},
            "first": {"type": "string"},
            "next": {"type": "string"},
            "schema": {"type": "string"},
        },
        "links": copy.deepcopy(_LINKS_LIST),
    }


@cache
def _image_schema(key: str) -> str:
    """The image schema of a release as canonical JSON text (built once, copied per use)."""
    release = _by_key(key)
    properties = copy.deepcopy(_facts()[release.key])
    for patch in _data()["patches"]:
        if patch["release"] == release.key:
            properties[patch["property"]].pop(patch["drop"], None)
    marks_custom = release.index >= _by_key(_data()["is_base_from"]).index
    for custom in _data()["custom_properties"]:
        if _in_range(release, custom):
            schema = copy.deepcopy(custom["schema"])
            if marks_custom:
                schema["is_base"] = False
            properties[custom["name"]] = schema
    document = {
        "name": "image",
        "properties": dict(sorted(properties.items())),
        "additionalProperties": {"type": "string"},
        "links": _LINKS_IMAGE,
    }
    return json.dumps(document, sort_keys=True)


def image_schema(release: Release) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(_image_schema(release.key))
    return schema


def custom_property_names() -> frozenset[str]:
    """Properties of Glance's etc/schema-image.json: a deployment's own, not part of a release."""
    return frozenset(custom["name"] for custom in _data()["custom_properties"])


def _in_range(release: Release, entry: dict[str, Any]) -> bool:
    start = _by_key(entry["from"]).index if "from" in entry else 0
    end = _by_key(entry["until"]).index if "until" in entry else len(releases())
    return start <= release.index <= end


@cache
def groups() -> tuple[tuple[Release, ...], ...]:
    """Consecutive releases that serve identical image schemas, oldest first."""
    out: list[list[Release]] = []
    for release in releases():
        if out and _image_schema(out[-1][-1].key) == _image_schema(release.key):
            out[-1].append(release)
        else:
            out.append([release])
    return tuple(tuple(g) for g in out)


def group_label(group: tuple[Release, ...]) -> str:
    if len(group) == 1:
        return group[0].label
    return f"{group[0].label} .. {group[-1].label}"
