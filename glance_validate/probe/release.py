"""Which Glance release a served image schema is: W008 when none matches, naming the closest."""

from __future__ import annotations

import json
from typing import Any

from glance_validate.core.catalog import finding
from glance_validate.core.findings import Finding


def release_findings(served: Any) -> list[Finding]:
    """W008 when the base properties of ``served`` (an images schema) match no known release."""
    from glance_validate.schema.releases import custom_property_names, group_label, groups, image_schema

    properties = _image_properties(served)
    if properties is None:
        return []
    custom = custom_property_names()
    mine = _base(properties, custom)
    distances = []
    for group in groups():
        theirs = _base(image_schema(group[0])["properties"], custom)
        differing = sorted(name for name in set(mine) | set(theirs) if mine.get(name) != theirs.get(name))
        if not differing:
            return []
        distances.append((len(differing), group_label(group), differing))
    count, label, differing = min(distances, key=lambda item: item[0])
    shown = ", ".join(differing[:5]) + (", ..." if len(differing) > 5 else "")
    message = (
        "the served schema matches no known Glance release;"
        f" closest: {label} ({count} properties differ: {shown})"
    )
    return [finding("W008", "", message)]


def _image_properties(served: Any) -> dict[str, Any] | None:
    try:
        properties = served["properties"]["images"]["items"]["properties"]
    except (KeyError, TypeError):
        return None
    return properties if isinstance(properties, dict) else None


def _base(properties: dict[str, Any], custom: frozenset[str]) -> dict[str, str]:
    """Each base property's schema as canonical text (custom and ``is_base: false`` ones left out)."""
    return {
        name: json.dumps(schema, sort_keys=True)
        for name, schema in properties.items()
        if name not in custom and not (isinstance(schema, dict) and schema.get("is_base") is False)
    }
