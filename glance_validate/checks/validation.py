"""The pipeline for one payload: load -> classify -> structure -> engine -> findings -> positions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from glance_validate.checks import deviations, rules
from glance_validate.checks.config import Policy, default_policy
from glance_validate.checks.consistency.facts import facts_for
from glance_validate.checks.consistency.lists import check_list, check_single_image
from glance_validate.checks.consistency.quickcheck import combined_quick_check
from glance_validate.checks.engine import Engine, EngineName, build_engine
from glance_validate.checks.error_pages import error_page_result
from glance_validate.core.catalog import finding
from glance_validate.core.errors import GlanceValidateError, SchemaUnavailable
from glance_validate.core.findings import (
    MORE_FINDINGS,
    Finding,
    Hidden,
    Kind,
    PageIds,
    Result,
    capped,
    more_findings,
    positioned_in_order,
    sorted_findings,
)
from glance_validate.core.secrets import clip
from glance_validate.core.uris import IMAGE_SCHEMA_URI, LIST_SCHEMA_URI
from glance_validate.schema.dialect import Dialect, compile_dialect, normalise
from glance_validate.schema.documents import SchemaSpec
from glance_validate.schema.sources import is_builtin, load_schema
from glance_validate.text.kinds import classify
from glance_validate.text.load import load_bytes
from glance_validate.text.locate import locate
from glance_validate.text.values import NO_VALUE, ParsedText, TextProblem

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
    """A compiled schema, ready to validate any number of payloads.

    ``policy`` chooses the reported codes, the profile for known vendor deviations and strict
    mode (see ``glance_validate.checks.config.Policy``); the default reports every code.
    ``max_findings`` caps the findings a result holds: the first ones (by pointer, code and
    message) keep their positions, the rest are counted in ``Result.hidden`` and named by one
    R001 finding at the end, and are never located. None (the default) keeps every finding.
    """

    def __init__(
        self,
        schema: SchemaSpec | Dialect = "ims",
        *,
        engine: EngineName = "fast",
        policy: Policy | None = None,
        max_findings: int | None = None,
    ) -> None:
        self.max_findings = max_findings
        self.dialect = schema if isinstance(schema, Dialect) else compile_dialect(load_schema(schema))
        self.engine_name: EngineName = engine
        self.policy = policy if policy is not None else default_policy()
        self._list_engine = compile_engine(self.dialect.list_schema, self.dialect, engine)
        self._facts = facts_for(self.dialect)
        self._consistency = any(code[0] in "CX" for code in self.policy.enabled)
        self.schema_findings = tuple(self.policy.filter(self.dialect.findings))
        self._vendors = deviations.vendors_in_use(self.dialect.vendor, self.policy.deviation_vendor)

    @cached_property
    def _reference_validator(self) -> Validator:
        """The same checks on the reference engine, for text the fast engine cannot encode."""
        return Validator(self.dialect, engine="reference", policy=self.policy, max_findings=self.max_findings)

    @cached_property
    def _image_engine(self) -> Engine:
        """Compiled when a single image record is first met; the list schema, compiled eagerly
        above, holds the image schema, so a schema that compiles at all compiles here too."""
        return compile_engine(self.dialect.image_schema, self.dialect, self.engine_name)

    @cached_property
    def _list_both_clean(self) -> Any:
        return self._combined(LIST_SCHEMA_URI)

    @cached_property
    def _image_both_clean(self) -> Any:
        return self._combined(IMAGE_SCHEMA_URI)

    def _combined(self, uri: str) -> Any:
        """One pass for "schema valid and consistency quick check clean", the common case.

        Compiled on first use, for the kind of payload met; None on the reference engine, without
        consistency codes, or when the schema cannot be combined.
        """
        if self.engine_name != "fast" or not self._consistency:
            return None
        return combined_quick_check(self.dialect.schemas, uri)

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
        return self.validate_loaded(data, load(data))

    def validate_loaded(self, data: bytes, parsed: ParsedText) -> Result:
        """As ``validate_bytes``, for ``data`` already read by ``load`` (one parse, many schemas)."""
        problems = [_problem_finding(p) for p in parsed.problems]
        problems = self.policy.filter(problems)
        if parsed.value is NO_VALUE:
            error_page = error_page_result(data)
            if error_page is not None:
                return replace(error_page, findings=tuple(self.policy.filter(error_page.findings)))
            return Result("unknown", sorted_findings(problems), self.schema_findings)
        kind, found, images, page = self._evaluate(parsed.value)
        if not problems and not found:  # the common clean payload: nothing to place
            return Result(kind, (), self.schema_findings, images, page)
        shown, hidden = self._shown(problems + found if problems else found)  # no copy of a flood
        located = _with_positions(data, [f for f in shown if f.line is None])
        if problems:
            ordered = sorted_findings(located + [f for f in shown if f.line is not None])
        else:  # shown was in sorted_findings order before it had positions
            ordered = positioned_in_order(located)
        return Result(kind, _with_more(ordered, hidden), self.schema_findings, images, page, hidden)

    def validate_value(self, value: object) -> Result:
        kind, found, images, page = self._evaluate(value)
        shown, hidden = self._shown(found)
        return Result(kind, _with_more(shown, hidden), self.schema_findings, images, page, hidden)

    def _shown(self, found: list[Finding]) -> tuple[tuple[Finding, ...], Hidden]:
        """The findings a result holds, in order, and the counts of those a cap leaves out."""
        if self.max_findings is None:
            return sorted_findings(found), ()
        return capped(found, self.max_findings)

    def _evaluate(self, value: object) -> tuple[Kind, list[Finding], int, PageIds | None]:
        """Every finding about ``value`` (in no order, maybe twice), its kind, images and page ids."""
        kind = classify(value, self.dialect.image_properties)
        page = None
        try:
            try:
                findings, images, page = self._check(kind, value)
            except UnicodeEncodeError:  # a lone surrogate, which the fast engine cannot take
                findings, images, page = self._reference_validator._check(kind, value)
            findings = self._apply_policy(findings, value, kind)
        except _NOT_JSON as exc:
            findings, images = self.policy.filter([_not_checked(exc)]), 0
        return kind, findings, images, page

    def _check(self, kind: Kind, value: Any) -> tuple[list[Finding], int, PageIds | None]:
        if kind == "image-list":
            findings, page = self._check_list(value)
            return findings, _image_count(value), page
        if kind == "image":
            return self._check_image(value), 1, None
        if kind == "error-body":
            return [rules.error_body(value)], 0, None
        if kind == "schema":
            return check_schema_document(value), 0, None
        if isinstance(value, dict):
            return [rules.unrecognised_payload(value)], 0, None
        return [rules.payload_not_object(value)], 0, None

    def _check_list(self, value: dict[str, Any]) -> tuple[list[Finding], PageIds | None]:
        structure = list(rules.list_structure(value, self.dialect))
        both = self._list_both_clean
        if both is not None and both.is_valid(value):
            checked, page = check_list(value, self._facts, quick_clean=True)
            return structure + checked, page
        covered = {f.path for f in structure if f.code != "S007"}  # S007 is at "", as K006 is
        schema_valid, keyword = _schema_findings(self._list_engine, value)
        if not self._consistency:
            return structure + [f for f in keyword if f.path not in covered], None
        quick_clean = _quick_clean(both, schema_valid)
        checked, page = check_list(value, self._facts, quick_clean=quick_clean)
        return structure + [f for f in keyword if f.path not in covered] + checked, page

    def _check_image(self, value: dict[str, Any]) -> list[Finding]:
        both = self._image_both_clean
        if both is not None and both.is_valid(value):
            return check_single_image(value, self._facts, quick_clean=True)
        schema_valid, keyword = _schema_findings(self._image_engine, value)
        if not self._consistency:
            return keyword
        quick_clean = _quick_clean(both, schema_valid)
        return keyword + check_single_image(value, self._facts, quick_clean=quick_clean)

    def _apply_policy(self, found: list[Finding], value: Any, kind: Kind) -> list[Finding]:
        """Known deviations of the vendors in use rewritten (unless strict), then the enabled codes."""
        severity = self.policy.deviation_severity
        if severity is not None and found:
            found = deviations.apply(found, value, kind, severity, self._vendors)
        return self.policy.filter(found)


def load(data: bytes) -> ParsedText:
    """JSON text parsed as the validators read it (depth limit, problems with positions)."""
    return load_bytes(data, max_depth=MAX_DEPTH)


def compile_engine(schema: dict[str, Any], dialect: Dialect, name: EngineName = "fast") -> Engine:
    """An engine for ``schema``, or SchemaUnavailable saying where the schema breaks Draft 4."""
    try:
        return build_engine(schema, dialect.schemas, engine=name, guard=not dialect.shipped)
    except Exception as exc:  # both engines report unusable schemas with their own types
        reason = why_uncompilable(dialect, exc)
        raise SchemaUnavailable(f"schema {dialect.name!r} cannot be compiled: {reason}") from None


def why_uncompilable(dialect: Dialect, exc: Exception) -> str:
    """Where the schema breaks Draft 4 (as lint says it), else the engine's first line, shortened."""
    for part, schema in (("image schema", dialect.image_schema), ("images schema", dialect.list_schema)):
        invalid = [f for f in check_schema_document(schema) if f.code == "L003"]
        if invalid:
            return f"{invalid[0].message} (at {invalid[0].path or '/'} of the {part})"
    if isinstance(exc, GlanceValidateError):
        return str(exc)  # our own one-line reasons (the schema guard's) are kept whole
    first = next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
    return clip(first, 200)


def _schema_findings(engine: Engine, value: object) -> tuple[bool, list[Finding]]:
    """Whether the schema holds, and its keyword findings when it does not."""
    if engine.is_valid(value):
        return True, []
    return False, list(rules.keyword_findings(engine.violations(value), value))


def _quick_clean(both: Any, schema_valid: bool) -> bool | None:
    """What a failed combined check already says of the quick check: with the schema holding,
    the quick check failed (or a format the combined check asserts did: then every rule runs,
    with the same findings); else unknown (None: the quick check runs)."""
    return False if both is not None and schema_valid else None


def _image_count(value: dict[str, Any]) -> int:
    images = value.get("images")
    if not isinstance(images, list):
        return 0
    plain = list(map(type, images)).count(dict)  # at C speed; parsed JSON holds plain dicts
    return plain if plain == len(images) else sum(1 for i in images if isinstance(i, dict))


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


def _not_checked(exc: Exception) -> Finding:
    """Why a parsed value handed to the library could not be checked (never from parsed bytes)."""
    if isinstance(exc, RecursionError) or "recursion limit" in str(exc).lower():
        message = f"the value nests too deeply to check (JSON text over {MAX_DEPTH} levels is refused)"
        return finding("P007", "", message)
    return finding("P010", "", f"not a JSON value: {exc}")


def _problem_finding(problem: TextProblem) -> Finding:
    code = _PROBLEM_CODES.get(problem.kind, "P001")
    return finding(code, problem.pointer, problem.message).at(problem.line, problem.column)


def _with_more(findings: tuple[Finding, ...], hidden: Hidden) -> tuple[Finding, ...]:
    return (*findings, more_findings(hidden)) if hidden else findings


def _with_positions(data: bytes, found: Iterable[Finding]) -> list[Finding]:
    found = list(found)
    if not found:
        return found
    positions = locate(data, {f.path for f in found})
    return [f.at(*positions[f.path]) if f.path in positions else f for f in found]


def with_findings(result: Result, extra: Iterable[Finding], data: bytes | None, policy: Policy) -> Result:
    """``result`` with run-level findings added: those the policy keeps, positioned in ``data``."""
    kept = policy.filter(extra)
    if not kept:
        return result
    if data is not None:
        kept = _with_positions(data, kept)
    more = [f for f in result.findings if f.code == MORE_FINDINGS]  # stays last
    listed = [f for f in result.findings if f.code != MORE_FINDINGS]
    return replace(result, findings=sorted_findings(listed + kept) + tuple(more))


@cache
def builtin_validator(name: str, engine: EngineName = "fast", policy: Policy | None = None) -> Validator:
    return Validator(name, engine=engine, policy=policy)


def validate(
    payload: object,
    *,
    schema: SchemaSpec | Validator = "ims",
    engine: EngineName = "fast",
    policy: Policy | None = None,
) -> Result:
    """Validate one payload. Never raises for any payload; raises SchemaUnavailable for a bad schema.

    ``payload`` is a parsed JSON value (a ``str`` is a JSON string, never a file name), ``bytes``
    holding JSON text, or a ``pathlib.Path``. ``schema`` is a builtin name (``ims``, ``glance``,
    ``glance-<release>``), a path, a parsed schema mapping, or a ``Validator`` to reuse across
    calls. ``policy`` selects codes and the deviation profile (ignored with a ``Validator``).
    """
    if isinstance(schema, Validator):
        return schema.validate(payload)
    if isinstance(schema, str) and is_builtin(schema):
        return builtin_validator(schema, engine, policy).validate(payload)
    return Validator(schema, engine=engine, policy=policy).validate(payload)


__all__ = ["IMAGE_SCHEMA_URI", "Validator", "validate", "with_findings"]
