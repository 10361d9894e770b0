"""Engines: Draft 4 evaluation of a compiled schema, reduced to engine-neutral violations.

Two engines stand behind one interface. The fast engine (jsonschema_rs) does the bulk work;
the reference engine (python-jsonschema with a ``referencing`` registry) is the yardstick the
tests hold the fast one to. Neither retrieves anything over the network: ``$ref`` resolves only
within the registry built from the dialect's schemas.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from glance_validate.regex import ecma as ecma_regex

EngineName = Literal["fast", "reference"]
MISSING: Any = object()


@dataclass(frozen=True)
class Violation:
    """One keyword that rejected one value."""

    path: tuple[str | int, ...]
    keyword: str
    keyword_value: Any  # MISSING when the engine could not say
    schema: Any  # the schema object holding the keyword, or MISSING
    engine_message: str


class Engine(Protocol):
    def is_valid(self, instance: object) -> bool: ...

    def violations(self, instance: object) -> Iterator[Violation]: ...


class RetrievalRefused(Exception):
    """A $ref pointed outside the registry; no network or file retrieval is done."""


def _refuse(uri: str) -> Any:
    raise RetrievalRefused(f"reference {uri!r} is not in the schema registry; it is not retrieved")


def build_engine(
    schema: dict[str, Any],
    resources: Mapping[str, dict[str, Any]] | None = None,
    *,
    engine: EngineName = "fast",
    guard: bool = True,
) -> Engine:
    """An engine for ``schema``; UnsafeSchema first when it could hang a run or reach outside.

    ``guard=False`` skips that check, for the package's own schemas: the tests hold every one of
    them to it, and a one-file run need not walk them again.
    """
    if guard:
        from glance_validate.schema.guard import check

        check(schema, resources)
    if engine == "reference":
        return ReferenceEngine(schema, resources or {})
    return FastEngine(schema, resources or {})


class FastEngine:
    def __init__(self, schema: dict[str, Any], resources: Mapping[str, dict[str, Any]]) -> None:
        import jsonschema_rs

        registry = (
            jsonschema_rs.Registry(list(resources.items()), draft=jsonschema_rs.Draft4) if resources else None
        )
        self._schema = schema
        self._resources = resources
        self._reference: ReferenceEngine | None = None
        self._validator = jsonschema_rs.Draft4Validator(
            schema, validate_formats=False, retriever=_refuse, registry=registry
        )

    def is_valid(self, instance: object) -> bool:
        return bool(self._validator.is_valid(instance))

    def violations(self, instance: object) -> Iterator[Violation]:
        if has_empty_key(instance):
            # jsonschema_rs leaves empty keys out of its error paths ({"": 1} fails at the
            # root): the reference engine's paths are exact, and its findings the same.
            if self._reference is None:
                self._reference = ReferenceEngine(self._schema, self._resources)
            yield from self._reference.violations(instance)
            return
        for error in self._validator.iter_errors(instance):
            # the evaluation path goes through each $ref, as python-jsonschema's error.schema does
            schema_path = tuple(error.evaluation_path)
            keyword = str(schema_path[-1]) if schema_path else ""
            yield Violation(
                path=tuple(error.instance_path),
                keyword=keyword,
                keyword_value=follow(self._schema, schema_path, self._resources),
                schema=follow(self._schema, schema_path[:-1], self._resources),
                engine_message=str(error.message),
            )


def has_empty_key(value: object) -> bool:
    """Whether an object anywhere inside ``value`` has the empty string as a key."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            if "" in current:
                return True
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return False


class ReferenceEngine:
    def __init__(self, schema: dict[str, Any], resources: Mapping[str, dict[str, Any]]) -> None:
        import jsonschema
        import referencing
        import referencing.jsonschema

        registry: referencing.Registry[Any] = referencing.Registry(retrieve=_refuse_resource)  # type: ignore[call-arg]
        for uri, contents in resources.items():
            resource = referencing.Resource.from_contents(
                contents, default_specification=referencing.jsonschema.DRAFT4
            )
            registry = registry.with_resource(uri, resource)
        validator_class = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
            jsonschema.Draft4Validator,
            {
                "pattern": _ecma_pattern,
                "patternProperties": _ecma_pattern_properties,
                "additionalProperties": _ecma_additional_properties,
            },
        )
        self._validator = validator_class(schema, registry=registry)

    def is_valid(self, instance: object) -> bool:
        with _recursion_room():
            return bool(self._validator.is_valid(instance))

    def violations(self, instance: object) -> Iterator[Violation]:
        with _recursion_room():
            errors = list(self._validator.iter_errors(instance))
        for error in errors:
            yield Violation(
                path=tuple(error.absolute_path),
                keyword=str(error.validator),
                keyword_value=error.validator_value,
                schema=error.schema,
                engine_message=error.message,
            )


# python-jsonschema recurses a few frames per level of the value: a recursive schema over a payload
# nested to the parser's limit (512) needs more than the interpreter's default of 1,000 frames.
REFERENCE_RECURSION_LIMIT = 20_000


@contextmanager
def _recursion_room() -> Iterator[None]:
    import sys

    limit = sys.getrecursionlimit()
    if limit < REFERENCE_RECURSION_LIMIT:
        sys.setrecursionlimit(REFERENCE_RECURSION_LIMIT)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def _refuse_resource(uri: str) -> Any:
    import referencing.exceptions

    raise referencing.exceptions.NoSuchResource(ref=uri)  # type: ignore[call-arg]


def follow(document: Any, path: tuple[Any, ...], resources: Mapping[str, Any] | None = None) -> Any:
    """The value at ``path`` inside ``document``, or MISSING when there is none.

    A ``"$ref"`` step is followed to the schema it names when that is ``document`` itself ("#...")
    or one of ``resources`` ("/v2/schemas/image#..."); any other is MISSING.
    """
    current = document
    for step in path:
        try:
            if step == "$ref" and isinstance(current, dict) and isinstance(current.get("$ref"), str):
                current = resolve_reference(current["$ref"], document, resources or {})
            else:
                current = current[step]
        except (KeyError, IndexError, TypeError, ValueError):
            return MISSING
    return current


def resolve_reference(reference: str, document: Any, resources: Mapping[str, Any]) -> Any:
    """The schema a JSON Pointer reference names ("#" in ``document``); LookupError when none."""
    from urllib.parse import unquote

    uri, _, fragment = reference.partition("#")
    current = resources[uri] if uri else document
    for raw in unquote(fragment).split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        current = current[int(token)] if isinstance(current, list) else current[token]
    return current


# Keyword functions for python-jsonschema with ECMA-262 pattern semantics.


def _ecma_pattern(validator: Any, pattern: str, instance: object, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not ecma_regex.search(pattern, str(instance)):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _ecma_pattern_properties(
    validator: Any, patterns: dict[str, Any], instance: object, schema: Any
) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    assert isinstance(instance, dict)
    for pattern, subschema in patterns.items():
        for name, value in instance.items():
            if ecma_regex.search(pattern, name):
                yield from validator.descend(value, subschema, path=name, schema_path=pattern)


def _ecma_additional_properties(
    validator: Any, additional: Any, instance: object, schema: Any
) -> Iterator[Any]:
    """Draft 4 additionalProperties, with patternProperties matched as ECMA-262 (never Python's re)."""
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "object"):
        return
    assert isinstance(instance, dict)
    listed = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    extras = [
        name
        for name in instance
        if name not in listed and not any(ecma_regex.search(pattern, name) for pattern in patterns)
    ]
    if validator.is_type(additional, "object"):
        for name in extras:
            yield from validator.descend(instance[name], additional, path=name)
    elif additional is False and extras:
        names = ", ".join(repr(name) for name in sorted(extras))
        yield ValidationError(f"Additional properties are not allowed ({names} unexpected)")
