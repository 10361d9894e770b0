"""Schemas an operator might serve: the builtin Glance schema with custom properties added, the
same without additionalProperties (custom values may drift from strings), and a strict image
schema (required properties, no additional properties, ranges and lengths)."""

from __future__ import annotations

import copy
from typing import Any

from glance_validate.schema.sources import load_schema

UUID_PATTERN = "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$"


def operator_list_schema() -> dict[str, Any]:
    """GET /v2/schemas/images of a deployment whose schema-image.json adds custom properties."""
    document = copy.deepcopy(load_schema("glance").document)
    properties = document["properties"]["images"]["items"]["properties"]
    properties.update(
        {
            "hw_os_tier": {"type": "string", "enum": ["gold", "silver", "bronze"], "is_base": False},
            "backup_policy": {"type": ["null", "string"], "pattern": "^[a-z]+-[0-9]{2}$", "is_base": False},
            "cost_center": {"type": "string", "maxLength": 12, "is_base": False},
            "replica_zone": {"type": "string", "pattern": "^(az|dc)[1-9]$", "is_base": False},
        }
    )
    return document


def strict_image_schema() -> dict[str, Any]:
    """GET /v2/schemas/image of a deployment that requires fields and forbids unknown ones."""
    return {
        "name": "image",
        "required": ["id", "name", "status", "visibility", "min_vcpus", "label"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "pattern": UUID_PATTERN},
            "name": {"type": "string", "maxLength": 40},
            "status": {"type": "string", "enum": ["queued", "active", "deactivated"]},
            "visibility": {"type": "string", "enum": ["public", "private"]},
            "protected": {"type": "boolean"},
            "checksum": {"type": ["null", "string"], "maxLength": 32},
            "size": {"type": ["null", "integer"]},
            "min_ram": {"type": "integer"},
            "min_vcpus": {"type": "integer", "minimum": 1, "maximum": 64},
            "label": {"type": "string", "minLength": 3, "maxLength": 20},
            "zone": {"type": "string", "pattern": "^[a-z]{2}-[a-z]+-[0-9]$"},
            "created_at": {"type": "string"},
            "updated_at": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 30}},
            "self": {"type": "string"},
            "file": {"type": "string"},
            "schema": {"type": "string"},
            "os_distro": {"type": "string", "is_base": False},
        },
        "links": [
            {"rel": "self", "href": "{self}"},
            {"rel": "enclosure", "href": "{file}"},
            {"rel": "describedby", "href": "{schema}"},
        ],
    }


def permissive_list_schema() -> dict[str, Any]:
    """A deployment whose image schema has no additionalProperties and an untyped custom
    property: non-string custom values get through the schema (the drift C017 reports)."""
    document = copy.deepcopy(load_schema("glance").document)
    image = document["properties"]["images"]["items"]
    del image["additionalProperties"]
    image["properties"]["support_contact"] = {"description": "Who to call", "is_base": False}
    return document


def schemas() -> dict[str, Any]:
    """Every schema the properties run against: the builtins and the two operator schemas."""
    return {
        "ims": "ims",
        "glance": "glance",
        "operator": operator_list_schema(),
        "permissive": permissive_list_schema(),
        "strict": strict_image_schema(),
    }
