"""The vendor extension values (X001-X003) as an image rule, with the fragment of the quick check
that holds when the extension profile's documented values are kept."""

from __future__ import annotations

from collections.abc import Iterable

from glance_validate.checks.consistency.facts import Facts
from glance_validate.checks.consistency.rule import Fragment, Image, ImageRule
from glance_validate.checks.extensions import ExtensionProfile, PropertySpec
from glance_validate.checks.extensions import check_image as check_extensions
from glance_validate.core.findings import Finding


def _extension_values(image: Image, where: str, facts: Facts) -> Iterable[Finding]:
    return check_extensions(image, where, facts.extensions)


def _extensions_accept(profile: ExtensionProfile) -> Fragment:
    """Documented values, and no conflicting pair; a property holding JSON text is left to the rule."""
    properties = {name: _extension_value(spec) for name, spec in profile.properties.items()}
    holds_json = [{"not": {"required": [name]}} for name, spec in profile.properties.items() if spec.json]
    conflicts = [{"not": {"required": [a, b]}} for a, b in profile.conflicts]
    return {"properties": properties, "allOf": holds_json + conflicts}


def _extension_value(spec: PropertySpec) -> Fragment:
    # enum also rejects values of other types, which the rule leaves alone: stricter, not exact.
    parts: list[Fragment] = []
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


EXTENSIONS = ImageRule(("X001", "X002", "X003"), _extension_values, _extensions_accept)
