"""Schema tools: read a schema document as a table, lint it, and compare two of them.

- ``property_rows`` / ``render_table``: the compiled image schema, one row per property (nested
  properties as ``locations[].url``): type, enum, base/custom, read-only and constraints.
- ``lint_document``: findings about a schema document. The dialect fixes and the Draft 4
  metaschema check come from ``validation.check_schema_document``; the rules here add unknown
  and later-draft keywords, enum values outside the declared type, duplicate enum values,
  patterns that Python's ``re`` and ECMA-262 read differently, and a missing ``$schema``.
- ``diff_dialects`` / ``render_diff``: what changed between schema A and schema B, property by
  property and keyword by keyword, with the effect on payloads. Effects are not guessed: sample
  values are validated against both sides' property schemas, and only values the two sides
  judge differently are reported ("payloads with visibility="shared" valid in B, invalid in A").

Nothing here prints; the command line writes what these functions return.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from glance_validate.checks.rules import show
from glance_validate.core.catalog import finding
from glance_validate.core.findings import Finding, join_pointer, sorted_findings
from glance_validate.core.severity import SEVERITIES
from glance_validate.schema.dialect import JSON_TYPES, Dialect, normalise, subschemas

if TYPE_CHECKING:
    from glance_validate.schema.remote import SchemaOptions

MISSING: Any = object()

# Table ----------------------------------------------------------------------------------------

CONSTRAINT_KEYWORDS = (
    "pattern",
    "format",
    "minLength",
    "maxLength",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "required",
    "minProperties",
    "maxProperties",
)
TABLE_COLUMNS = ("property", "type", "enum", "base/custom", "read-only", "constraints")


@dataclass(frozen=True)
class PropertyRow:
    """One property of the image schema as a person reads it."""

    path: str  # "name", "tags[]", "locations[].url"
    types: tuple[str, ...]
    enum: tuple[Any, ...] | None
    kind: str | None  # "base" or "custom" for image properties, None for nested ones
    read_only: bool
    constraints: tuple[tuple[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "property": self.path,
            "type": list(self.types),
            "enum": list(self.enum) if self.enum is not None else None,
            "kind": self.kind,
            "read_only": self.read_only,
            "constraints": dict(self.constraints),
        }


def property_rows(dialect: Dialect) -> list[PropertyRow]:
    """The image schema's properties in document order, nested ones after their parent."""
    rows: list[PropertyRow] = []
    properties = dialect.image_schema.get("properties", {})
    for name, schema in properties.items():
        if not isinstance(schema, dict):
            continue
        kind = "custom" if name in dialect.custom_properties else "base"
        rows.append(_row(name, schema, kind, name in dialect.read_only))
        rows.extend(_nested_rows(name, schema))
    return rows


def _row(path: str, schema: dict[str, Any], kind: str | None, read_only: bool) -> PropertyRow:
    enum = schema.get("enum")
    return PropertyRow(
        path=path,
        types=_types(schema),
        enum=tuple(enum) if isinstance(enum, list) else None,
        kind=kind,
        read_only=read_only,
        constraints=tuple((k, schema[k]) for k in CONSTRAINT_KEYWORDS if k in schema),
    )


def _nested_rows(path: str, schema: dict[str, Any], depth: int = 0) -> Iterator[PropertyRow]:
    if depth > 8:
        return
    items = schema.get("items")
    if isinstance(items, dict) and items:
        inner = f"{path}[]"
        yield _row(inner, items, None, items.get("readOnly") is True)
        yield from _nested_rows(inner, items, depth + 1)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for name, child in properties.items():
            if isinstance(child, dict):
                inner = f"{path}.{name}"
                yield _row(inner, child, None, child.get("readOnly") is True)
                yield from _nested_rows(inner, child, depth + 1)


def _types(schema: dict[str, Any]) -> tuple[str, ...]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return (declared,)
    if isinstance(declared, list):
        return tuple(str(t) for t in declared)
    return ()


def table_cells(row: PropertyRow) -> tuple[str, ...]:
    enum = ", ".join(_plain(v) for v in row.enum) if row.enum is not None else ""
    constraints = " ".join(f"{k}={_plain(v)}" for k, v in row.constraints)
    return (
        row.path,
        "|".join(row.types) or "any",
        enum,
        row.kind or "",
        "yes" if row.read_only else "",
        constraints,
    )


def _plain(value: Any) -> str:
    """Strings as they are, everything else as JSON (null, true, [..])."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def render_table(rows: Iterable[PropertyRow]) -> str:
    """Rows as aligned text columns, with a header line."""
    lines = [TABLE_COLUMNS, *(table_cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(TABLE_COLUMNS))]
    rendered = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip() for line in lines]
    return "\n".join(rendered) + "\n"


def describe_additional(dialect: Dialect) -> str:
    """What the image schema says of properties it does not list."""
    extra = dialect.image_schema.get("additionalProperties", MISSING)
    if extra is MISSING or extra is True or extra == {}:
        return "any value"
    if extra is False:
        return "not allowed"
    if isinstance(extra, dict):
        return "|".join(_types(extra)) or json.dumps(extra)
    return json.dumps(extra)


# Lint -----------------------------------------------------------------------------------------

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
        return lint_bytes(
            spec, resources.files("glance_validate").joinpath(f"data/schemas/{spec}.json").read_bytes()
        )
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
        found.append(finding("L012", "", f"the document is a JSON {_json_type(value)}, not a schema object"))
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


def _enum_findings(schema: dict[str, Any], where: str) -> Iterator[Finding]:
    enum = schema.get("enum")
    if not isinstance(enum, list):
        return
    allowed = set(_types(schema))
    seen: dict[str, int] = {}
    for index, value in enumerate(enum):
        at = join_pointer(where, "enum", index)
        key = _json_key(value)
        if key in seen:
            yield finding(
                "L007", at, f"enum value {show(value)} is listed twice (first at index {seen[key]})"
            )
        else:
            seen[key] = index
        if allowed and allowed <= JSON_TYPES and not _has_type(value, allowed):
            yield finding(
                "L006",
                at,
                f"enum value {show(value)} is {_json_type(value)}, outside the declared type "
                f"{'|'.join(sorted(allowed))}: no value can match it",
            )


def _json_key(value: Any) -> str:
    """Equal keys for values JSON Schema calls equal (1 and 1.0), different for true and 1."""
    return json.dumps(_canonical(value), sort_keys=True)


def _canonical(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    return value


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _has_type(value: Any, allowed: set[str]) -> bool:
    kind = _json_type(value)
    return kind in allowed or (kind == "integer" and "number" in allowed)


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


# Diff -----------------------------------------------------------------------------------------

# Keywords compared one by one, in this order; the object keywords are compared by _diff_object.
_COMPARED = (
    "type",
    "enum",
    *CONSTRAINT_KEYWORDS[:-3],
    "additionalItems",
    "$ref",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
)
_OBJECT_KEYWORDS = (
    "properties",
    "additionalProperties",
    "required",
    "minProperties",
    "maxProperties",
    "patternProperties",
    "dependencies",
)
# Keywords that do not change what validates (read-only and base/custom are compared as facts).
_IGNORED = frozenset(
    {
        "description", "title", "default", "readOnly", "writeOnly", "is_base", "name", "links", "id",
        "$schema", "items", "definitions", "media", "pathStart", "fragmentResolution",
    }
)  # fmt: skip
_SHOWN_VALUES = 4


@dataclass(frozen=True)
class Effect:
    """Sample values that one side accepts and the other rejects."""

    valid_in_b_only: tuple[Any, ...] = ()
    valid_in_a_only: tuple[Any, ...] = ()
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid_in_b_only": list(self.valid_in_b_only),
            "valid_in_a_only": list(self.valid_in_a_only),
            "note": self.note,
        }


@dataclass(frozen=True)
class Change:
    """One difference between schema A and schema B."""

    path: str  # "visibility", "locations[].validation_data", "(list) next"
    aspect: str  # "added", "removed", a keyword, "base/custom" or "read-only"
    before: Any  # A's value (MISSING when absent)
    after: Any  # B's value
    detail: str
    effect: Effect

    def as_dict(self) -> dict[str, Any]:
        return {
            "property": self.path,
            "aspect": self.aspect,
            "a": None if self.before is MISSING else self.before,
            "b": None if self.after is MISSING else self.after,
            "detail": self.detail,
            "effect": self.effect.as_dict(),
        }


Judge = Callable[[dict[str, Any] | bool, Any], bool]


def diff_dialects(a: Dialect, b: Dialect) -> list[Change]:
    """Every difference between two compiled schemas, sorted by property then aspect.

    Raises SchemaUnavailable (naming the schema) when either cannot be compiled: its effects on
    payloads cannot be judged.
    """
    _require_compiles(a)
    _require_compiles(b)
    judge = _judge(a, b)
    changes = list(_diff_object("", a.image_schema, b.image_schema, judge, image=True))
    changes.extend(_diff_facts(a, b))
    changes.extend(_diff_envelope(a.list_schema, b.list_schema, judge))
    order = {aspect: i for i, aspect in enumerate(("added", "removed", *_COMPARED, *_OBJECT_KEYWORDS))}
    return sorted(changes, key=lambda c: (c.path.startswith("(list)"), c.path, order.get(c.aspect, 99)))


def _require_compiles(dialect: Dialect) -> None:
    from glance_validate.checks.validation import compile_engine

    compile_engine(dialect.list_schema, dialect)


def _judge(a: Dialect, b: Dialect) -> Judge:
    """Validity of a value under a property schema, with each dialect's registry for $ref."""
    from glance_validate.checks.engine import build_engine

    engines: dict[str, Any] = {}
    resources = {**a.schemas, **b.schemas}

    def valid(schema: dict[str, Any] | bool, value: Any) -> bool:
        if schema is True or schema == {}:
            return True
        if schema is False:
            return False
        key = json.dumps(schema, sort_keys=True)
        if key not in engines:
            engines[key] = build_engine(dict(schema), resources)
        return bool(engines[key].is_valid(value))

    return valid


def _diff_object(
    prefix: str, a: dict[str, Any], b: dict[str, Any], judge: Judge, *, image: bool = False
) -> Iterator[Change]:
    """Properties added, removed or changed, then the object's own keywords (``image``: top level)."""
    props_a, props_b = _properties(a), _properties(b)
    for name in [*props_a, *(n for n in props_b if n not in props_a)]:
        path = f"{prefix}{name}"
        if name not in props_a:
            yield _added(path, _fallback(a), props_b[name], judge, image)
        elif name not in props_b:
            yield _removed(path, props_a[name], _fallback(b), judge, image)
        else:
            yield from _diff_schema(path, props_a[name], props_b[name], judge)
    extra_a, extra_b = _fallback(a), _fallback(b)
    if _json_key(extra_a) != _json_key(extra_b):
        where = f"{prefix}*" if prefix else "additional properties"
        effect = _effect(extra_a, extra_b, _witnesses(extra_a, extra_b), judge)
        yield Change(
            where,
            "additionalProperties",
            extra_a,
            extra_b,
            _changed("additionalProperties", extra_a, extra_b),
            effect,
        )
    required_a, required_b = _string_set(a.get("required")), _string_set(b.get("required"))
    if required_a != required_b:
        yield _required_change(prefix, a, b, required_a, required_b, judge)
    for keyword in ("minProperties", "maxProperties", "patternProperties", "dependencies"):
        before, after = a.get(keyword, MISSING), b.get(keyword, MISSING)
        if _json_key(_or_none(before)) != _json_key(_or_none(after)):
            note = "objects that differ in this keyword are judged differently"
            yield Change(
                prefix.rstrip(".") or "(image)",
                keyword,
                before,
                after,
                _changed(keyword, before, after),
                Effect(note=note),
            )


def _properties(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return {}
    return {k: v for k, v in properties.items() if isinstance(v, dict)}


def _fallback(schema: dict[str, Any]) -> dict[str, Any] | bool:
    """The schema an object applies to a property it does not list."""
    extra = schema.get("additionalProperties", True)
    if isinstance(extra, dict):
        return extra
    return extra is not False


def _string_set(value: Any) -> frozenset[str]:
    return frozenset(v for v in value if isinstance(v, str)) if isinstance(value, list) else frozenset()


def _or_none(value: Any) -> Any:
    return None if value is MISSING else value


def _added(
    path: str, fallback: dict[str, Any] | bool, schema: dict[str, Any], judge: Judge, image: bool
) -> Change:
    detail = f"added in B: {_summary(schema, image)}"
    effect = _effect(fallback, schema, _witnesses(fallback, schema), judge)
    if not (effect.valid_in_a_only or effect.valid_in_b_only):
        effect = Effect(note=f"none found: A accepts {path} as {_what_fallback(fallback)} as well")
    return Change(path, "added", MISSING, schema, detail, effect)


def _removed(
    path: str, schema: dict[str, Any], fallback: dict[str, Any] | bool, judge: Judge, image: bool
) -> Change:
    detail = f"removed in B (A: {_summary(schema, image)})"
    effect = _effect(schema, fallback, _witnesses(schema, fallback), judge)
    if not (effect.valid_in_a_only or effect.valid_in_b_only):
        effect = Effect(note=f"none found: B accepts {path} as {_what_fallback(fallback)} as well")
    return Change(path, "removed", schema, MISSING, detail, effect)


def _what_fallback(fallback: dict[str, Any] | bool) -> str:
    if fallback is True or fallback == {}:
        return "any value"
    if fallback is False:
        return "nothing"
    assert isinstance(fallback, dict)
    return f"an additional property ({'|'.join(_types(fallback)) or 'any type'})"


def _summary(schema: dict[str, Any], image: bool = False) -> str:
    """Type, enum, constraints, and for image properties base/custom and read-only."""
    parts = ["|".join(_types(schema)) or "any type"]
    enum = schema.get("enum")
    if isinstance(enum, list):
        parts.append("enum " + ", ".join(_plain(v) for v in enum))
    parts.extend(f"{k} {_plain(schema[k])}" for k in CONSTRAINT_KEYWORDS if k in schema)
    if isinstance(schema.get("properties"), dict):
        parts.append("properties " + ", ".join(schema["properties"]))
    if image:
        parts.append("custom" if schema.get("is_base") is False else "base")
    if schema.get("readOnly") is True or "(READ-ONLY)" in str(schema.get("description", "")).upper():
        parts.append("read-only")
    return "; ".join(parts)


def _diff_schema(path: str, a: dict[str, Any], b: dict[str, Any], judge: Judge) -> Iterator[Change]:
    for keyword in _COMPARED:
        before, after = a.get(keyword, MISSING), b.get(keyword, MISSING)
        if _same(keyword, before, after):
            continue
        effect = _effect(a, b, _keyword_witnesses(keyword, a, b), judge)
        if not (effect.valid_in_a_only or effect.valid_in_b_only):
            effect = Effect(note="no sample value tells them apart")
        yield Change(path, keyword, before, after, _changed(keyword, before, after), effect)
    items_a, items_b = a.get("items", MISSING), b.get("items", MISSING)
    if isinstance(items_a, dict) and isinstance(items_b, dict):
        yield from _diff_schema(f"{path}[]", items_a, items_b, judge)
    elif _json_key(_or_none(items_a)) != _json_key(_or_none(items_b)):
        effect = _effect(a, b, _witnesses(a, b), judge)
        yield Change(path, "items", items_a, items_b, _changed("items", items_a, items_b), effect)
    if any(k in a or k in b for k in _OBJECT_KEYWORDS):
        yield from _diff_object(f"{path}.", a, b, judge)
    for keyword in sorted((set(a) | set(b)) - set(_COMPARED) - set(_OBJECT_KEYWORDS) - _IGNORED):
        before, after = a.get(keyword, MISSING), b.get(keyword, MISSING)
        if _json_key(_or_none(before)) != _json_key(_or_none(after)):
            note = "not a Draft 4 validation keyword: no effect on validation"
            yield Change(path, keyword, before, after, _changed(keyword, before, after), Effect(note=note))


def _same(keyword: str, before: Any, after: Any) -> bool:
    if keyword == "type":
        return _type_set(before) == _type_set(after)
    if keyword == "enum" and isinstance(before, list) and isinstance(after, list):
        return {_json_key(v) for v in before} == {_json_key(v) for v in after}
    return _json_key(_or_none(before)) == _json_key(_or_none(after)) and (before is MISSING) == (
        after is MISSING
    )


def _type_set(value: Any) -> frozenset[str] | None:
    if value is MISSING:
        return None
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, list):
        return frozenset(str(v) for v in value)
    return frozenset({json.dumps(value)})


def _changed(keyword: str, before: Any, after: Any) -> str:
    if keyword == "type" and before is not MISSING and after is not MISSING:
        gained = sorted((_type_set(after) or frozenset()) - (_type_set(before) or frozenset()))
        lost = sorted((_type_set(before) or frozenset()) - (_type_set(after) or frozenset()))
        return _gain_loss("type", gained, lost)
    if keyword == "enum" and isinstance(before, list) and isinstance(after, list):
        keys_a, keys_b = {_json_key(v) for v in before}, {_json_key(v) for v in after}
        gained = [_plain(v) for v in after if _json_key(v) not in keys_a]
        lost = [_plain(v) for v in before if _json_key(v) not in keys_b]
        return _gain_loss("enum", gained, lost)
    if before is MISSING:
        return f"{keyword} {_plain(after)} added in B"
    if after is MISSING:
        return f"{keyword} {_plain(before)} dropped in B"
    return f"{keyword} {_plain(before)} in A, {_plain(after)} in B"


def _gain_loss(keyword: str, gained: list[str], lost: list[str]) -> str:
    parts = []
    if gained:
        parts.append(f"B adds {', '.join(gained)}")
    if lost:
        parts.append(f"B drops {', '.join(lost)}")
    return f"{keyword}: " + "; ".join(parts)


def _required_change(
    prefix: str,
    a: dict[str, Any],
    b: dict[str, Any],
    required_a: frozenset[str],
    required_b: frozenset[str],
    judge: Judge,
) -> Change:
    where = prefix.rstrip(".") or "(image)"
    gained, lost = sorted(required_b - required_a), sorted(required_a - required_b)
    detail = _gain_loss("required", gained, lost)
    witnesses = [_example_object(a, b, judge, without=name) for name in sorted(required_a ^ required_b)]
    effect = _effect(a, b, [w for w in witnesses if w is not None], judge)
    return Change(where, "required", sorted(required_a), sorted(required_b), detail, effect)


def _diff_facts(a: Dialect, b: Dialect) -> Iterator[Change]:
    """Base/custom and read-only changes of the image properties both schemas list."""
    for name in sorted(a.image_properties & b.image_properties):
        kind_a = "custom" if name in a.custom_properties else "base"
        kind_b = "custom" if name in b.custom_properties else "base"
        if kind_a != kind_b:
            note = (
                f"no effect on validation; clients patch {name} with "
                f"{'replace' if kind_b == 'base' else 'add'} (B) instead of "
                f"{'replace' if kind_a == 'base' else 'add'} (A)"
            )
            yield Change(
                name, "base/custom", kind_a, kind_b, f"{kind_a} in A, {kind_b} in B", Effect(note=note)
            )
        ro_a, ro_b = name in a.read_only, name in b.read_only
        if ro_a != ro_b:
            which = "B" if ro_b else "A"
            note = f"none on responses; under {which} clients may not set {name} (Glance answers 403)"
            detail = "read-only in B, writable in A" if ro_b else "read-only in A, writable in B"
            yield Change(name, "read-only", ro_a, ro_b, detail, Effect(note=note))


def _diff_envelope(a: dict[str, Any], b: dict[str, Any], judge: Judge) -> Iterator[Change]:
    """The list envelope: first, next, schema and the images array itself (not its items)."""
    envelope_a, envelope_b = _without_images(a), _without_images(b)
    yield from (_in_list(c) for c in _diff_object("", envelope_a, envelope_b, judge))
    images_a = {k: v for k, v in _properties(a).get("images", {}).items() if k != "items"}
    images_b = {k: v for k, v in _properties(b).get("images", {}).items() if k != "items"}
    yield from (_in_list(c) for c in _diff_schema("images", images_a, images_b, judge))


def _without_images(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "properties": {k: v for k, v in _properties(schema).items() if k != "images"}}


def _in_list(change: Change) -> Change:
    return replace(change, path=f"(list) {change.path}")


# Effects: sample values judged by both sides.


def _effect(
    a: dict[str, Any] | bool, b: dict[str, Any] | bool, witnesses: Iterable[Any], judge: Judge
) -> Effect:
    """The sample values one side accepts and the other rejects (closest misses first)."""
    gained, lost = [], []
    for value in _unique(witnesses):
        in_a, in_b = judge(a, value), judge(b, value)
        if in_b and not in_a:
            gained.append(value)
        elif in_a and not in_b:
            lost.append(value)
    return Effect(_closest_first(gained, a), _closest_first(lost, b))


def _closest_first(values: list[Any], rejecting: dict[str, Any] | bool) -> tuple[Any, ...]:
    """Values of a type the rejecting side declares come first: they show the constraint best."""
    if not isinstance(rejecting, dict):
        return tuple(values)
    types = set(_declared_types(rejecting))
    return tuple(sorted(values, key=lambda v: not _has_type(v, types)))


def _unique(values: Iterable[Any]) -> Iterator[Any]:
    seen: set[str] = set()
    for value in values:
        key = json.dumps(value, sort_keys=True)  # true and 1 stay apart here
        if key not in seen:
            seen.add(key)
            yield value


_SAMPLES: tuple[Any, ...] = (None, True, False, 0, 1, -1, 1.5, "", "x", [], {})
_TYPE_SAMPLES: dict[str, tuple[Any, ...]] = {
    "null": (None,),
    "boolean": (True, False),
    "integer": (0, 1),
    "number": (1.5,),
    "string": ("", "x"),
    "array": ([],),
    "object": ({},),
}


def _keyword_witnesses(keyword: str, a: dict[str, Any], b: dict[str, Any]) -> list[Any]:
    if keyword == "type":
        types = _declared_types(a) ^ _declared_types(b)
        samples = [v for t in sorted(types) for v in _TYPE_SAMPLES.get(t, ())]
        return samples + [v for v in _enum_values(a, b) if _has_type(v, set(types))]
    if keyword == "enum":
        return _enum_values(a, b)
    return _witnesses(a, b)


def _declared_types(schema: dict[str, Any]) -> frozenset[str]:
    return _type_set(schema.get("type", MISSING)) or JSON_TYPES


def _enum_values(*schemas: dict[str, Any] | bool) -> list[Any]:
    values: list[Any] = []
    for schema in schemas:
        if isinstance(schema, dict) and isinstance(schema.get("enum"), list):
            values.extend(schema["enum"])
    return values


def _witnesses(*schemas: dict[str, Any] | bool, depth: int = 0) -> list[Any]:
    """Sample values that probe what the schemas constrain: types, enums, lengths, bounds, shapes."""
    values: list[Any] = [*_SAMPLES, *_enum_values(*schemas)]
    dicts = [s for s in schemas if isinstance(s, dict)]
    for schema in dicts:
        for keyword in ("minLength", "maxLength"):
            n = schema.get(keyword)
            if isinstance(n, int) and 0 <= n < 100_000:
                values.extend("x" * m for m in (n - 1, n, n + 1) if m >= 0)
        for keyword in ("minimum", "maximum"):
            n = schema.get(keyword)
            if isinstance(n, (int, float)) and not isinstance(n, bool):
                values.extend((n - 1, n, n + 1))
    if depth < 2:
        items: list[dict[str, Any] | bool] = [s["items"] for s in dicts if isinstance(s.get("items"), dict)]
        if items:
            values.extend([w] for w in _witnesses(*items, depth=depth + 1))
    return values


def _example_object(
    a: dict[str, Any], b: dict[str, Any], judge: Judge, *, without: str | None = None
) -> dict[str, Any] | None:
    """An object with every required property of either side (but ``without``), valid values."""
    props_a, props_b = _properties(a), _properties(b)
    example: dict[str, Any] = {}
    for name in sorted(_string_set(a.get("required")) | _string_set(b.get("required"))):
        if name == without:
            continue
        schema_a, schema_b = props_a.get(name, _fallback(a)), props_b.get(name, _fallback(b))
        value = next(
            (w for w in _witnesses(schema_a, schema_b) if judge(schema_a, w) and judge(schema_b, w)), MISSING
        )
        if value is MISSING:
            return None
        example[name] = value
    return example


# Rendering the diff.


def render_diff(changes: Iterable[Change], a_name: str, b_name: str) -> str:
    changes = list(changes)
    lines = [f"A: {a_name}", f"B: {b_name}"]
    for change in changes:
        lines.append(f"{change.path}: {change.detail}")
        lines.extend(f"    {line}" for line in effect_lines(change))
    lines.append(_diff_summary(changes))
    return "\n".join(lines) + "\n"


def effect_lines(change: Change) -> list[str]:
    effect = change.effect
    lines = []
    if effect.valid_in_b_only:
        lines.append(f"payloads with {_values(change.path, effect.valid_in_b_only)} valid in B, invalid in A")
    if effect.valid_in_a_only:
        lines.append(f"payloads with {_values(change.path, effect.valid_in_a_only)} valid in A, invalid in B")
    if effect.note:
        lines.append(f"effect on payloads: {effect.note}")
    return lines


def _values(path: str, values: tuple[Any, ...]) -> str:
    shown = " or ".join(_value(v) for v in values[:_SHOWN_VALUES])
    more = len(values) - _SHOWN_VALUES
    return f"{_field(path)}={shown}" + (f" (or {more} more)" if more > 0 else "")


def _field(path: str) -> str:
    return path.removeprefix("(list) ")


def _value(value: Any) -> str:
    if isinstance(value, str) and len(value) > 20:
        return f"<string of {len(value)} characters>"
    return json.dumps(value, ensure_ascii=False)


def _diff_summary(changes: list[Change]) -> str:
    if not changes:
        return "no differences"
    added = sum(1 for c in changes if c.aspect == "added")
    removed = sum(1 for c in changes if c.aspect == "removed")
    changed = len({c.path for c in changes if c.aspect not in ("added", "removed")})
    return (
        f"{len(changes)} difference{'s' if len(changes) != 1 else ''}: {added} propert"
        f"{'y' if added == 1 else 'ies'} added, {removed} removed, {changed} changed"
    )


def rows_as_json(rows: Iterable[PropertyRow]) -> list[dict[str, Any]]:
    return [r.as_dict() for r in rows]


def changes_as_json(changes: Iterable[Change]) -> list[dict[str, Any]]:
    return [c.as_dict() for c in changes]


def finding_counts(findings: Iterable[Finding]) -> Mapping[str, int]:
    counts: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        counts[f.severity] += 1
    return counts
