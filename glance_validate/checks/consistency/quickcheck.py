"""The quick check: one Draft 4 schema that holds when no image rule with a fragment would report.

jsonschema-rs evaluates it for a whole page in one call (with the images schema itself, in one
pass, on the fast engine); on pages it rejects every rule runs in Python, on pages it accepts only
the rules without a fragment do, unless their page tests clear them (see ``rule``). It is assembled
from the rules' fragments, so it may reject more than the rules do (then the rules simply run),
never less: tests/test_consistency_quickcheck.py holds every fragment to that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from glance_validate.checks.consistency.image_rules import IMAGE_RULES
from glance_validate.checks.consistency.rule import Fragment
from glance_validate.checks.extensions import ExtensionProfile, ims_profile
from glance_validate.core.uris import IMAGE_SCHEMA_URI


def quick_check_schema(profile: ExtensionProfile) -> Fragment:
    """The quick check for image lists, as a Draft 4 schema (formats asserted)."""
    return {"properties": {"images": {"items": quick_image_schema(profile)}}}


def quick_image_schema(profile: ExtensionProfile) -> Fragment:
    """The quick check for one image record: every rule's fragment, in one schema."""
    return assemble(rule.accepts(profile) for rule in IMAGE_RULES if rule.accepts is not None)


def assemble(fragments: Iterable[Fragment]) -> Fragment:
    """The schema that holds when every fragment does: one ``properties``, one flat ``allOf``.

    Merging rather than nesting each fragment in ``allOf`` keeps the schema as small as one
    written by hand (one lookup per property, however many rules read it).
    """
    properties: dict[str, Any] = {}
    conditions: list[Fragment] = []
    for fragment in fragments:
        for name, schema in fragment.get("properties", {}).items():
            properties[name] = {"allOf": [properties[name], schema]} if name in properties else schema
        conditions.extend(fragment.get("allOf", ()))
        others = {key: value for key, value in fragment.items() if key not in ("properties", "allOf")}
        conditions.extend({key: value} for key, value in others.items())
    return {"properties": properties, "allOf": conditions}


@cache
def list_quick_check() -> Any:
    """The compiled quick check for image lists (a jsonschema-rs validator)."""
    import jsonschema_rs

    return jsonschema_rs.Draft4Validator(quick_check_schema(ims_profile()), validate_formats=True)


def combined_quick_check(resources: Mapping[str, dict[str, Any]], uri: str) -> Any:
    """One jsonschema-rs validator for "the schema at ``uri`` and the quick check both hold".

    ``uri`` names the images schema (the quick check for lists applies) or the image schema (the
    quick check for one record applies). The schema is referenced by its URI (so its own
    references resolve as before); formats are asserted, which may make it stricter than the
    images schema alone, never looser. Returns None when it cannot be compiled (the two checks then
    run one after the other).
    """
    import jsonschema_rs

    quick = quick_image_schema if uri == IMAGE_SCHEMA_URI else quick_check_schema
    combined = {"allOf": [{"$ref": uri}, quick(ims_profile())]}
    try:
        registry = jsonschema_rs.Registry(list(resources.items()), draft=jsonschema_rs.Draft4)
        return jsonschema_rs.Draft4Validator(combined, validate_formats=True, registry=registry)
    except Exception:  # an images schema jsonschema-rs cannot combine: run the checks separately
        return None
