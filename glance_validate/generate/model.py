"""The generator's model of a schema: what it allows, compiled once, and the choice sources."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, TypeVar

from glance_validate.checks.engine import Engine, build_engine
from glance_validate.core.data import data_text
from glance_validate.core.errors import GlanceValidateError
from glance_validate.generate.regex_strings import Choices
from glance_validate.schema.dialect import Dialect, compile_dialect
from glance_validate.schema.documents import SchemaSpec
from glance_validate.schema.sources import load_schema

T = TypeVar("T")
ExtensionSet = Literal["auto", "openstack", "ims", "none"]

OMIT: Any = object()  # "leave this key out"


class SynthesisError(GlanceValidateError):
    """The schema asks for values the generator cannot produce."""


class RandomChoices:
    """Decisions from ``random.Random(seed)``: the same seed, the same records, in any process."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def integer(self, low: int, high: int) -> int:
        return self._random.randint(low, high)

    def chance(self, probability: float) -> bool:
        return self._random.random() < probability


def pick(choices: Choices, options: Sequence[T]) -> T:
    return options[choices.integer(0, len(options) - 1)]


@dataclass(frozen=True)
class Model:
    """A compiled schema seen from the generator's side."""

    dialect: Dialect
    properties: Mapping[str, dict[str, Any]]
    required: frozenset[str]
    extra: dict[str, Any] | bool  # the image's additionalProperties: a schema, False, or True (absent)
    extensions: Mapping[str, tuple[str, ...]]
    link_fields: tuple[str, ...]
    envelope: frozenset[str]
    checkers: Mapping[str, Engine] = field(repr=False)
    extra_checker: Engine | None = field(repr=False)

    def accepts(self, name: str, value: object) -> bool:
        """Whether the image schema accepts ``value`` for the property ``name``."""
        checker = self.checkers.get(name)
        if checker is None:
            if name in self.properties:
                return True
            if self.extra is False:
                return False
            checker = self.extra_checker
        return checker is None or checker.is_valid(value)

    def allows_extra(self, name: str) -> bool:
        return name not in self.properties and self.extra is not False


def model_for(schema: SchemaSpec | Dialect = "ims", extensions: ExtensionSet = "auto") -> Model:
    """The generator's model of a builtin name, schema path, parsed schema or compiled dialect."""
    if isinstance(schema, str):
        from glance_validate.schema.sources import BUILTIN_SCHEMAS

        if schema in BUILTIN_SCHEMAS:
            return _builtin_model(schema, extensions)
    dialect = schema if isinstance(schema, Dialect) else compile_dialect(load_schema(schema))
    return _model(dialect, extensions)


@cache
def _builtin_model(name: str, extensions: ExtensionSet) -> Model:
    return _model(compile_dialect(load_schema(name)), extensions)


def _model(dialect: Dialect, extensions: ExtensionSet) -> Model:
    image = dialect.image_schema
    raw_properties = image.get("properties", {})
    properties = {k: v for k, v in sorted(raw_properties.items()) if isinstance(v, dict)}
    extra = image.get("additionalProperties", True)
    extra = extra if isinstance(extra, (dict, bool)) else True
    required = image.get("required", [])
    checkers = {name: _checker(s, dialect) for name, s in properties.items()}
    extra_checker = _checker(extra, dialect) if isinstance(extra, dict) else None
    links = [f for f in dialect.image_links.values() if f in properties or extra is not False]
    return Model(
        dialect=dialect,
        properties=properties,
        required=frozenset(r for r in required if isinstance(r, str))
        if isinstance(required, list)
        else frozenset(),
        extra=extra,
        extensions=_extension_pool(dialect, extensions, properties),
        link_fields=tuple(dict.fromkeys(["self", "file", "schema", *sorted(links)])),
        envelope=dialect.envelope_keys,
        checkers=checkers,
        extra_checker=extra_checker,
    )


def _checker(schema: dict[str, Any], dialect: Dialect) -> Engine:
    try:
        return build_engine(schema, dialect.schemas, engine="fast")
    except Exception as exc:  # the engine reports unusable subschemas with its own types
        raise SynthesisError(
            f"schema {dialect.name!r}: a property schema cannot be compiled: {exc}"
        ) from None


def _extension_pool(
    dialect: Dialect, extensions: ExtensionSet, properties: Mapping[str, Any]
) -> dict[str, tuple[str, ...]]:
    if extensions == "none":
        return {}
    which = extensions if extensions != "auto" else ("ims" if dialect.name == "ims" else "openstack")
    pool = pools()["extensions"][which]
    return {name: tuple(values) for name, values in sorted(pool.items()) if name not in properties}


@cache
def pools() -> dict[str, Any]:
    """The value pools of data/generation.json."""
    text = data_text("generation.json")
    data: dict[str, Any] = json.loads(text)
    return data
