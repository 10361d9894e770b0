"""The pipeline for one payload: load -> classify -> structure -> engine -> findings -> positions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from glance_validate import jsontext, rules
from glance_validate.catalog import finding
from glance_validate.dialect import IMAGE_URI, Dialect, compile_dialect, normalise
from glance_validate.engine import Engine, EngineName, build_engine
from glance_validate.errors import SchemaUnavailable
from glance_validate.findings import Finding, Kind, Result, sorted_findings
from glance_validate.kinds import classify
from glance_validate.sources import SchemaSpec, load_schema

MAX_DEPTH = 512
_PROBLEM_CODES = {
    "invalid-json": "P001",
    "invalid-utf8": "P002",
    "empty": "P003",
    "bom": "P004",
    "non-finite": "P005",
    "duplicate-key": "P006",
    "too-deep": "P007",
    "number-out-of-range": "P008",
}
_NOT_JSON = (ValueError, TypeError, RecursionError, OverflowError)


class Validator:
    """A compiled schema, ready to validate any number of payloads."""

    def __init__(self, schema: SchemaSpec | Dialect = "ims", *, engine: EngineName = "fast") -> None:
        self.dialect = schema if isinstance(schema, Dialect) else compile_dialect(load_schema(schema))
        self.engine_name: EngineName = engine
        self._list_engine = _engine(self.dialect.list_schema, self.dialect, engine)
        self._image_engine = _engine(self.dialect.image_schema, self.dialect, engine)

    def validate(self, payload: object) -> Result:
        """Validate a parsed JSON value, ``bytes`` of JSON text, or a ``Path`` to a JSON file."""
        if isinstance(payload, Path):
            return self.validate_file(payload)
        if isinstance(payload, (bytes, bytearray, memoryview)):
            return self.validate_bytes(bytes(payload))
        return self.validate_value(payload)

    def validate_file(self, path: Path) -> Result:
        try:
            data = path.read_bytes()
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            return Result("unknown", (finding("P009", "", f"cannot read {str(path)!r}: {reason}"),))
        return self.validate_bytes(data)

    def validate_bytes(self, data: bytes) -> Result:
        parsed = jsontext.load_bytes(data, max_depth=MAX_DEPTH)
        problems = [_problem_finding(p) for p in parsed.problems]
        if parsed.value is jsontext.NO_VALUE:
            return Result("unknown", sorted_findings(problems), self.dialect.findings)
        result = self.validate_value(parsed.value)
        located = _with_positions(data, result.findings)
        return replace(result, findings=sorted_findings(problems + list(located)))

    def validate_value(self, value: object) -> Result:
        kind = classify(value, self.dialect.image_properties)
        try:
            findings, images = self._check(kind, value)
        except _NOT_JSON as exc:
            findings, images = [finding("P010", "", f"not a JSON value: {exc}")], 0
        return Result(kind, sorted_findings(findings), self.dialect.findings, images)

    def _check(self, kind: Kind, value: Any) -> tuple[list[Finding], int]:
        if kind == "image-list":
            return self._check_list(value), _image_count(value)
        if kind == "image":
            return list(_schema_findings(self._image_engine, value)), 1
        if kind == "error-body":
            return [rules.error_body(value)], 0
        if kind == "schema":
            return check_schema_document(value), 0
        if isinstance(value, dict):
            return [rules.unrecognised_payload(value)], 0
        return [rules.payload_not_object(value)], 0

    def _check_list(self, value: dict[str, Any]) -> list[Finding]:
        structure = list(rules.list_structure(value, self.dialect))
        covered = {f.path for f in structure}
        keyword = [f for f in _schema_findings(self._list_engine, value) if f.path not in covered]
        return structure + keyword


def _engine(schema: dict[str, Any], dialect: Dialect, name: EngineName) -> Engine:
    try:
        return build_engine(schema, dialect.schemas, engine=name)
    except Exception as exc:  # both engines report unusable schemas with their own types
        raise SchemaUnavailable(f"schema {dialect.name!r} cannot be compiled: {exc}") from None


def _schema_findings(engine: Engine, value: object, base: str = "") -> Iterable[Finding]:
    if engine.is_valid(value):
        return ()
    return list(rules.keyword_findings(engine.violations(value), value, base))


def _image_count(value: dict[str, Any]) -> int:
    images = value.get("images")
    return sum(1 for i in images if isinstance(i, dict)) if isinstance(images, list) else 0


def check_schema_document(value: dict[str, Any]) -> list[Finding]:
    """Findings about a schema document given as a payload: dialect quirks, then Draft 4 validity."""
    import jsonschema_rs

    normalised = normalise(value)
    found = list(normalised.findings)
    candidate = dict(normalised.schema)
    candidate["$schema"] = "http://json-schema.org/draft-04/schema#"
    try:
        jsonschema_rs.meta.validate(candidate)
    except jsonschema_rs.ValidationError as exc:
        where = "".join(f"/{p}" for p in exc.instance_path)
        found.append(finding("L003", where, f"not a valid Draft 4 schema: {exc.message}"))
    except Exception as exc:  # a referencing failure inside the metaschema check
        found.append(finding("L003", "", f"not a valid Draft 4 schema: {exc}"))
    return found


def _problem_finding(problem: jsontext.TextProblem) -> Finding:
    code = _PROBLEM_CODES.get(problem.kind, "P001")
    return finding(code, problem.pointer, problem.message).at(problem.line, problem.column)


def _with_positions(data: bytes, found: Iterable[Finding]) -> list[Finding]:
    found = list(found)
    if not found:
        return found
    positions = jsontext.locate(data, {f.path for f in found})
    return [f.at(*positions[f.path]) if f.path in positions else f for f in found]


@cache
def builtin_validator(name: str, engine: EngineName = "fast") -> Validator:
    return Validator(name, engine=engine)


def validate(
    payload: object, *, schema: SchemaSpec | Validator = "ims", engine: EngineName = "fast"
) -> Result:
    """Validate one payload. Never raises for any payload; raises SchemaUnavailable for a bad schema.

    ``payload`` is a parsed JSON value (a ``str`` is a JSON string, never a file name), ``bytes``
    holding JSON text, or a ``pathlib.Path``. ``schema`` is a builtin name, a path, a parsed
    schema mapping, or a ``Validator`` to reuse across calls.
    """
    if isinstance(schema, Validator):
        return schema.validate(payload)
    if isinstance(schema, str) and schema in _builtin_names():
        return builtin_validator(schema, engine).validate(payload)
    return Validator(schema, engine=engine).validate(payload)


def _builtin_names() -> tuple[str, ...]:
    from glance_validate.sources import BUILTIN_SCHEMAS

    return tuple(BUILTIN_SCHEMAS)


__all__ = ["IMAGE_URI", "Validator", "validate"]
