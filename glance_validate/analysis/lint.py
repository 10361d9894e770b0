"""Lint of schema documents (``schema lint``, findings L0xx).

``lint_document`` gives every finding about a schema document. The dialect fixes and the Draft 4
metaschema check come from ``validation.check_schema_document``; the rules here add unknown and
later-draft keywords, enum values outside the declared type, duplicate enum values, patterns
that Python's ``re`` and ECMA-262 read differently, and a missing ``$schema``.
``lint_source`` reads a document from a file, a builtin name, standard input or a URL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from glance_validate.analysis.schemavalues import (
    MISSING,
    declared_types,
    draft6_json_type,
    has_draft6_type,
    json_key,
)
from glance_validate.checks.rules import show
from glance_validate.core.catalog import finding
from glance_validate.core.data import data_bytes
from glance_validate.core.findings import Finding, join_pointer, sorted_findings
from glance_validate.schema.dialect import JSON_TYPES, normalise, subschemas

if TYPE_CHECKING:
    from glance_validate.schema.remote import SchemaOptions

DRAFT4_KEYWORDS = frozenset(
    {
        "$schema", "id", "$ref", "title", "description", "default", "multipleOf", "maximum",
        "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern",
        "additionalItems", "items", "maxItems", "minItems", "uniqueItems", "maxProperties",
        "minProperties", "required", "additionalProperties", "definitions", "properties",
        "patternProperties", "dependencies", "enum", "type", "allOf", "anyOf", "oneOf", "not",
        "format",
    }
)  # fmt: skip
# Hyper-schema keywords Glance serves and the Glance dialect's own markers.
DIALECT_KEYWORDS = frozenset(
    {"links", "readOnly", "writeOnly", "media", "pathStart", "fragmentResolution", "is_base", "name"}
)
LATER_DRAFT_KEYWORDS = {
    "$id": "Draft 6", "const": "Draft 6", "contains": "Draft 6", "examples": "Draft 6",
    "propertyNames": "Draft 6", "$comment": "Draft 7", "if": "Draft 7", "then": "Draft 7",
    "else": "Draft 7", "contentMediaType": "Draft 7", "contentEncoding": "Draft 7",
    "$defs": "2019-09", "$anchor": "2019-09", "$vocabulary": "2019-09", "$recursiveRef": "2019-09",
    "$recursiveAnchor": "2019-09", "dependentRequired": "2019-09", "dependentSchemas": "2019-09",
    "maxContains": "2019-09", "minContains": "2019-09", "unevaluatedItems": "2019-09",
    "unevaluatedProperties": "2019-09", "deprecated": "2019-09", "contentSchema": "2019-09",
    "prefixItems": "2020-12", "$dynamicRef": "2020-12", "$dynamicAnchor": "2020-12",
}  # fmt: skip
_KNOWN = DRAFT4_KEYWORDS | DIALECT_KEYWORDS
_BY_LOWER = {k.lower(): k for k in _KNOWN | set(LATER_DRAFT_KEYWORDS)}
DRAFT4_URIS = ("http://json-schema.org/draft-04/schema", "https://json-schema.org/draft-04/schema")


def lint_document(document: dict[str, Any]) -> list[Finding]:
    """Every finding about a schema document (dialect fixes, Draft 4 validity and the lint rules)."""
    from glance_validate.checks.validation import check_schema_document

    found = list(check_schema_document(document))
    clean = normalise(document).schema
    extra = [*_document_findings(clean)]
    for subschema, where in subschemas(clean):
        extra.extend(_keyword_findings(subschema, where))
        extra.extend(_enum_findings(subschema, where))
        extra.extend(_pattern_findings(subschema, where))
        extra.extend(_reference_findings(subschema, where, clean))
    explained = {f.path for f in extra if f.code == "L009"}
    found = [f for f in found if not (f.code == "L003" and f.path in explained)]
    return list(sorted_findings(found + extra))


@dataclass(frozen=True)
class LintedDocument:
    """The findings about one schema document, or why it could not be read."""

    source: str
    findings: tuple[Finding, ...] = ()
    problem: str | None = None  # the document could not be read at all
    notes: tuple[str, ...] = ()  # warnings about where it came from (a stale cached copy)


def lint_source(
    spec: str, options: SchemaOptions | None = None, *, stdin: BinaryIO | None = None
) -> LintedDocument:
    """Lint a schema file, a builtin schema, standard input ('-') or a URL; never raises."""
    from glance_validate.core.errors import SchemaUnavailable
    from glance_validate.net.urls import is_url
    from glance_validate.schema.sources import BUILTIN_SCHEMAS, load_schema, schema_bytes

    path = Path(spec)
    # A URL, or a Glance release's schema (glance-2024.1), which is built rather than read from a file.
    if is_url(spec) or (spec.lower().startswith("glance-") and not path.exists()):
        try:
            source = load_schema(spec, remote=options)
        except SchemaUnavailable as exc:
            return LintedDocument(spec, problem=str(exc))
        return LintedDocument(source.name, tuple(lint_document(source.document)), notes=source.notes)
    if spec in BUILTIN_SCHEMAS and not path.exists():
        return lint_bytes(spec, data_bytes(f"schemas/{spec}.json"))
    label = "<stdin>" if spec == "-" else spec
    try:
        data = schema_bytes(spec, stdin=stdin)
    except SchemaUnavailable as exc:  # too large, or a pipe nobody writes to
        return LintedDocument(label, problem=str(exc))
    except OSError as exc:
        return LintedDocument(spec, problem=f"{spec}: cannot be read ({exc.strerror or type(exc).__name__})")
    return lint_bytes(label, data)


def lint_bytes(label: str, data: bytes) -> LintedDocument:
    """Lint JSON text: parse problems are findings too, and every finding gets a line and column."""
    from glance_validate.checks.validation import MAX_DEPTH, _problem_finding
    from glance_validate.text.load import load_bytes
    from glance_validate.text.locate import locate
    from glance_validate.text.values import NO_VALUE

    parsed = load_bytes(data, max_depth=MAX_DEPTH)
    found = [_problem_finding(p) for p in parsed.problems]
    value = parsed.value
    if isinstance(value, dict):
        linted = lint_document(value)
        located = locate(data, {f.path for f in linted})
        found.extend(f.at(*located[f.path]) if f.path in located else f for f in linted)
    elif value is not NO_VALUE:
        found.append(
            finding("L012", "", f"the document is a JSON {draft6_json_type(value)}, not a schema object")
        )
    return LintedDocument(label, sorted_findings(found))


def _document_findings(document: dict[str, Any]) -> Iterator[Finding]:
    if not isinstance(document.get("properties"), dict):
        yield finding(
            "L012", "", "the document has no properties object; it is not a Glance images or image schema"
        )
    declared = document.get("$schema", MISSING)
    if declared is MISSING:
        yield finding("L010", "", "no $schema; read as Draft 4, as Glance means it")
    elif not (isinstance(declared, str) and declared.rstrip("#").startswith(DRAFT4_URIS)):
        yield finding(
            "L011",
            "/$schema",
            f"$schema is {json.dumps(declared)}; this tool reads Glance schemas as Draft 4, "
            "other validators will use the draft it names",
        )


def _keyword_findings(schema: dict[str, Any], where: str) -> Iterator[Finding]:
    for keyword in schema:
        if keyword in _KNOWN:
            continue
        at = join_pointer(where, keyword)
        if keyword in LATER_DRAFT_KEYWORDS:
            yield finding(
                "L005",
                at,
                f"{keyword} is a {LATER_DRAFT_KEYWORDS[keyword]} keyword; Draft 4 validators ignore it",
            )
            continue
        meant = _BY_LOWER.get(keyword.lower().replace("_", ""), _BY_LOWER.get(keyword.lower()))
        hint = f" (did you mean {meant}?)" if meant and meant != keyword else ""
        yield finding("L004", at, f"unknown keyword {keyword!r}{hint}; validators ignore it")


def _reference_findings(schema: dict[str, Any], where: str, document: dict[str, Any]) -> Iterator[Finding]:
    """A local $ref ("#/definitions/x") that names nothing in the document: check refuses it."""
    from glance_validate.checks.engine import resolve_reference

    reference = schema.get("$ref")
    if not isinstance(reference, str) or not reference.startswith("#/") or "id" in document:
        return
    try:
        resolve_reference(reference, document, {})
    except (LookupError, TypeError, ValueError):
        yield finding(
            "L003", join_pointer(where, "$ref"), f"$ref {reference!r} names nothing in this document"
        )


def _enum_findings(schema: dict[str, Any], where: str) -> Iterator[Finding]:
    enum = schema.get("enum")
    if not isinstance(enum, list):
        return
    allowed = set(declared_types(schema))
    seen: dict[str, int] = {}
    for index, value in enumerate(enum):
        at = join_pointer(where, "enum", index)
        key = json_key(value)
        if key in seen:
            yield finding(
                "L007", at, f"enum value {show(value)} is listed twice (first at index {seen[key]})"
            )
        else:
            seen[key] = index
        if allowed and allowed <= JSON_TYPES and not has_draft6_type(value, allowed):
            yield finding(
                "L006",
                at,
                f"enum value {show(value)} is {draft6_json_type(value)}, outside the declared type "
                f"{'|'.join(sorted(allowed))}: no value can match it",
            )


# Patterns: what Python's re and ECMA-262 (JSON Schema's regex dialect) read differently.
_PYTHON_ONLY = (
    (
        re.compile(r"\(\?P[<=]"),
        "(?P<name>...) and (?P=name) are Python syntax; ECMA-262 writes (?<name>...) and \\k<name>",
    ),
    (re.compile(r"\(\?[aiLmsux-]+[:)]"), "inline flags such as (?i) are Python syntax; ECMA-262 has none"),
    (re.compile(r"\(\?#"), "(?#...) comments are Python syntax"),
    (re.compile(r"(?<!\\)(?:\\\\)*\\[AZ]"), "\\A and \\Z are Python anchors, not ECMA-262 escapes"),
)
_ECMA_ONLY = (
    (re.compile(r"\(\?<(?![=!])"), "(?<name>...) is ECMA-262 syntax; Python writes (?P<name>...)"),
    (re.compile(r"(?<!\\)(?:\\\\)*\\c[A-Za-z]"), "\\cX control escapes exist only in ECMA-262"),
    (re.compile(r"(?<!\\)(?:\\\\)*\\k<"), "\\k<name> is ECMA-262 syntax; Python writes (?P=name)"),
    (re.compile(r"\[\^?\]"), "[] and [^] are ECMA-262 classes (nothing, anything); Python cannot read them"),
)


def _pattern_findings(schema: dict[str, Any], where: str) -> Iterator[Finding]:
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        yield from _check_pattern(pattern, join_pointer(where, "pattern"))
    properties = schema.get("patternProperties")
    if isinstance(properties, dict):
        for name in properties:
            yield from _check_pattern(name, join_pointer(where, "patternProperties", name))


def _check_pattern(pattern: str, at: str) -> Iterator[Finding]:
    python_ok, ecma_ok = _compiles_in_python(pattern), _compiles_in_ecma(pattern)
    if python_ok != ecma_ok:
        reasons = [text for rx, text in (_PYTHON_ONLY if python_ok else _ECMA_ONLY) if rx.search(pattern)]
        which = "Python's re but not as ECMA-262" if python_ok else "ECMA-262 but not with Python's re"
        because = f": {'; '.join(reasons)}" if reasons else ""
        yield finding("L009", at, f"pattern {show(pattern)} compiles in {which}{because}")
        return
    if python_ok:
        differences = pattern_differences(pattern)
        if differences:
            yield finding(
                "L008",
                at,
                f"pattern {show(pattern)} means different things in Python and ECMA-262: "
                + "; ".join(differences),
            )


def _compiles_in_python(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    return True


def _compiles_in_ecma(pattern: str) -> bool:
    import jsonschema_rs

    try:
        jsonschema_rs.Draft4Validator({"pattern": pattern})
    except Exception:  # jsonschema_rs reports an invalid pattern as its ValidationError
        return False
    return True


def pattern_differences(pattern: str) -> list[str]:
    """What a pattern valid in both dialects matches differently in Python than in ECMA-262."""
    found: dict[str, str] = {}
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            if escaped in "dDwWbB" and not (in_class and escaped in "bB"):
                found.setdefault(
                    "\\" + escaped.lower(),
                    f"\\{escaped} is Unicode-aware in Python and ASCII-only in ECMA-262",
                )
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "$" and not in_class:
            found.setdefault(
                "$", "$ also matches before a final newline in Python (re.search), not in ECMA-262"
            )
        i += 1
    return list(found.values())
