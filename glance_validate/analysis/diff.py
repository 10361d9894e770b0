"""Diff of two schemas (``schema diff``): what changed from A to B, and the effect on payloads.

Property by property and keyword by keyword, each change comes with its effect (see
``effects``): "payloads with visibility="shared" valid in B, invalid in A".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from glance_validate.analysis.effects import (
    Effect,
    Judge,
    effect_of,
    example_object,
    judge_for,
    keyword_witnesses,
    witnesses,
)
from glance_validate.analysis.schemavalues import (
    CONSTRAINT_KEYWORDS,
    MISSING,
    declared_types,
    fallback_schema,
    json_key,
    plain,
    properties_of,
    string_set,
    type_set,
)
from glance_validate.schema.dialect import Dialect

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


def diff_dialects(a: Dialect, b: Dialect) -> list[Change]:
    """Every difference between two compiled schemas, sorted by property then aspect.

    Raises SchemaUnavailable (naming the schema) when either cannot be compiled: its effects on
    payloads cannot be judged.
    """
    _require_compiles(a)
    _require_compiles(b)
    a, b = _references_inlined(a), _references_inlined(b)
    judge = judge_for(a, b)
    changes = list(_diff_object("", a.image_schema, b.image_schema, judge, image=True))
    changes.extend(_diff_facts(a, b))
    changes.extend(_diff_envelope(a.list_schema, b.list_schema, judge))
    order = {aspect: i for i, aspect in enumerate(("added", "removed", *_COMPARED, *_OBJECT_KEYWORDS))}
    return sorted(changes, key=lambda c: (c.path.startswith("(list)"), c.path, order.get(c.aspect, 99)))


def _references_inlined(dialect: Dialect) -> Dialect:
    """``dialect`` with each $ref into its own documents replaced by the schema it names.

    Differences are then compared where they take effect; a $ref back into a schema being
    inlined (a recursive schema) is kept as written and compared as such.
    """
    documents = dialect.schemas
    return replace(
        dialect,
        list_schema=_inline(dialect.list_schema, documents, ()),
        image_schema=_inline(dialect.image_schema, documents, ()),
    )


def _inline(value: Any, documents: dict[str, Any], expanding: tuple[str, ...]) -> Any:
    if isinstance(value, list):
        return [_inline(v, documents, expanding) for v in value]
    if not isinstance(value, dict):
        return value
    reference = value.get("$ref")
    if isinstance(reference, str) and reference not in expanding:
        target = _follow_reference(reference, documents)
        if target is not MISSING:
            return _inline(target, documents, (*expanding, reference))
    return {k: v if k in ("enum", "default") else _inline(v, documents, expanding) for k, v in value.items()}


def _follow_reference(reference: str, documents: dict[str, Any]) -> Any:
    from glance_validate.checks.engine import resolve_reference

    if reference.partition("#")[0] not in documents:
        return MISSING
    try:
        return resolve_reference(reference, None, documents)
    except (LookupError, TypeError, ValueError):
        return MISSING


def _require_compiles(dialect: Dialect) -> None:
    from glance_validate.checks.validation import compile_engine

    compile_engine(dialect.list_schema, dialect)


def _diff_object(
    prefix: str, a: dict[str, Any], b: dict[str, Any], judge: Judge, *, image: bool = False
) -> Iterator[Change]:
    """Properties added, removed or changed, then the object's own keywords (``image``: top level)."""
    props_a, props_b = properties_of(a), properties_of(b)
    for name in [*props_a, *(n for n in props_b if n not in props_a)]:
        path = f"{prefix}{name}"
        if name not in props_a:
            yield _added(path, fallback_schema(a), props_b[name], judge, image)
        elif name not in props_b:
            yield _removed(path, props_a[name], fallback_schema(b), judge, image)
        else:
            yield from _diff_schema(path, props_a[name], props_b[name], judge)
    extra_a, extra_b = fallback_schema(a), fallback_schema(b)
    if json_key(extra_a) != json_key(extra_b):
        where = f"{prefix}*" if prefix else "additional properties"
        effect = effect_of(extra_a, extra_b, witnesses(extra_a, extra_b), judge)
        yield Change(
            where,
            "additionalProperties",
            extra_a,
            extra_b,
            _changed("additionalProperties", extra_a, extra_b),
            effect,
        )
    required_a, required_b = string_set(a.get("required")), string_set(b.get("required"))
    if required_a != required_b:
        yield _required_change(prefix, a, b, required_a, required_b, judge)
    for keyword in ("minProperties", "maxProperties", "patternProperties", "dependencies"):
        before, after = a.get(keyword, MISSING), b.get(keyword, MISSING)
        if json_key(_or_none(before)) != json_key(_or_none(after)):
            note = "objects that differ in this keyword are judged differently"
            yield Change(
                prefix.rstrip(".") or "(image)",
                keyword,
                before,
                after,
                _changed(keyword, before, after),
                Effect(note=note),
            )


def _or_none(value: Any) -> Any:
    return None if value is MISSING else value


def _added(
    path: str, fallback: dict[str, Any] | bool, schema: dict[str, Any], judge: Judge, image: bool
) -> Change:
    detail = f"added in B: {_summary(schema, image)}"
    effect = effect_of(fallback, schema, witnesses(fallback, schema), judge)
    if not (effect.valid_in_a_only or effect.valid_in_b_only):
        effect = Effect(note=f"none found: A accepts {path} as {_what_fallback(fallback)} as well")
    return Change(path, "added", MISSING, schema, detail, effect)


def _removed(
    path: str, schema: dict[str, Any], fallback: dict[str, Any] | bool, judge: Judge, image: bool
) -> Change:
    detail = f"removed in B (A: {_summary(schema, image)})"
    effect = effect_of(schema, fallback, witnesses(schema, fallback), judge)
    if not (effect.valid_in_a_only or effect.valid_in_b_only):
        effect = Effect(note=f"none found: B accepts {path} as {_what_fallback(fallback)} as well")
    return Change(path, "removed", schema, MISSING, detail, effect)


def _what_fallback(fallback: dict[str, Any] | bool) -> str:
    if fallback is True or fallback == {}:
        return "any value"
    if fallback is False:
        return "nothing"
    assert isinstance(fallback, dict)
    return f"an additional property ({'|'.join(declared_types(fallback)) or 'any type'})"


def _summary(schema: dict[str, Any], image: bool = False) -> str:
    """Type, enum, constraints, and for image properties base/custom and read-only."""
    parts = ["|".join(declared_types(schema)) or "any type"]
    enum = schema.get("enum")
    if isinstance(enum, list):
        parts.append("enum " + ", ".join(plain(v) for v in enum))
    parts.extend(f"{k} {plain(schema[k])}" for k in CONSTRAINT_KEYWORDS if k in schema)
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
        effect = effect_of(a, b, keyword_witnesses(keyword, a, b), judge)
        if not (effect.valid_in_a_only or effect.valid_in_b_only):
            effect = Effect(note="no sample value tells them apart")
        yield Change(path, keyword, before, after, _changed(keyword, before, after), effect)
    items_a, items_b = a.get("items", MISSING), b.get("items", MISSING)
    if isinstance(items_a, dict) and isinstance(items_b, dict):
        yield from _diff_schema(f"{path}[]", items_a, items_b, judge)
    elif json_key(_or_none(items_a)) != json_key(_or_none(items_b)):
        effect = effect_of(a, b, witnesses(a, b), judge)
        yield Change(path, "items", items_a, items_b, _changed("items", items_a, items_b), effect)
    if any(k in a or k in b for k in _OBJECT_KEYWORDS):
        yield from _diff_object(f"{path}.", a, b, judge)
    for keyword in sorted((set(a) | set(b)) - set(_COMPARED) - set(_OBJECT_KEYWORDS) - _IGNORED):
        before, after = a.get(keyword, MISSING), b.get(keyword, MISSING)
        if json_key(_or_none(before)) != json_key(_or_none(after)):
            note = "not a Draft 4 validation keyword: no effect on validation"
            yield Change(path, keyword, before, after, _changed(keyword, before, after), Effect(note=note))


def _same(keyword: str, before: Any, after: Any) -> bool:
    if keyword == "type":
        return type_set(before) == type_set(after)
    if keyword == "enum" and isinstance(before, list) and isinstance(after, list):
        return {json_key(v) for v in before} == {json_key(v) for v in after}
    return json_key(_or_none(before)) == json_key(_or_none(after)) and (before is MISSING) == (
        after is MISSING
    )


def _changed(keyword: str, before: Any, after: Any) -> str:
    if keyword == "type" and before is not MISSING and after is not MISSING:
        gained = sorted((type_set(after) or frozenset()) - (type_set(before) or frozenset()))
        lost = sorted((type_set(before) or frozenset()) - (type_set(after) or frozenset()))
        return _gain_loss("type", gained, lost)
    if keyword == "enum" and isinstance(before, list) and isinstance(after, list):
        keys_a, keys_b = {json_key(v) for v in before}, {json_key(v) for v in after}
        gained = [plain(v) for v in after if json_key(v) not in keys_a]
        lost = [plain(v) for v in before if json_key(v) not in keys_b]
        return _gain_loss("enum", gained, lost)
    if before is MISSING:
        return f"{keyword} {plain(after)} added in B"
    if after is MISSING:
        return f"{keyword} {plain(before)} dropped in B"
    return f"{keyword} {plain(before)} in A, {plain(after)} in B"


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
    witnesses = [example_object(a, b, judge, without=name) for name in sorted(required_a ^ required_b)]
    effect = effect_of(a, b, [w for w in witnesses if w is not None], judge)
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
    images_a = {k: v for k, v in properties_of(a).get("images", {}).items() if k != "items"}
    images_b = {k: v for k, v in properties_of(b).get("images", {}).items() if k != "items"}
    yield from (_in_list(c) for c in _diff_schema("images", images_a, images_b, judge))


def _without_images(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "properties": {k: v for k, v in properties_of(schema).items() if k != "images"}}


def _in_list(change: Change) -> Change:
    return replace(change, path=f"(list) {change.path}")


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


def changes_as_json(changes: Iterable[Change]) -> list[dict[str, Any]]:
    return [c.as_dict() for c in changes]
