"""Checking one payload: the run's validator, a captured error response, shifted lines, secrets."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from glance_validate.core.findings import Finding, Result
from glance_validate.core.secrets import Secrets, enforced
from glance_validate.inputs.payloads import Payload
from glance_validate.report.values import Checked
from glance_validate.runner.options import RunOptions
from glance_validate.runner.redact import redacted

if TYPE_CHECKING:
    from glance_validate.checks.validation import Validator
    from glance_validate.schema.dialect import Dialect

_NOT_JSON_BODY = frozenset({"P001", "P002", "P003"})


def build_validator(dialect: Dialect, options: RunOptions) -> Validator:
    """The validator of a run: built once in the main process and once in each worker."""
    from glance_validate.checks.validation import Validator

    return Validator(dialect, policy=options.policy, max_findings=options.max_findings or None)


def check_payload(validator: Validator, payload: Payload) -> Checked:
    """Validate one payload; a captured 4xx/5xx response is checked as an error body.

    A captured response may echo its request's credentials: they are in force while it is
    checked (values are blanked before they are cut) and blanked from its findings after.
    """
    if not payload.secrets:
        return Checked(payload.origin, _result(validator, payload))
    with enforced(Secrets.of(*payload.secrets)) as secrets:
        return Checked(payload.origin, redacted(_result(validator, payload), secrets))


def _result(validator: Validator, payload: Payload) -> Result:
    if payload.problem is not None:
        return Result("unknown", (payload.problem,))
    result = validator.validate_bytes(payload.data)
    if payload.streamed:
        result = _json_lines_hint(result)
    if payload.http_error:
        result = _as_error_response(result, payload)
    if payload.line_shift and result.findings:
        result = replace(result, findings=shifted(result.findings, payload.line_shift))
    return result


_EXTRA_DATA = "extra data after the JSON value"
JSON_LINES_HINT = "; if the input is JSON Lines (one value per line), give --input-format jsonl"


def _json_lines_hint(result: Result) -> Result:
    """On a stream, a second value after the first may be JSON Lines its first chunk did not show."""
    if not any(f.code == "P001" and f.message.startswith(_EXTRA_DATA) for f in result.findings):
        return result
    findings = tuple(
        replace(f, message=f.message + JSON_LINES_HINT)
        if f.code == "P001" and f.message.startswith(_EXTRA_DATA)
        else f
        for f in result.findings
    )
    return replace(result, findings=findings)


def shifted(findings: tuple[Finding, ...], lines: int) -> tuple[Finding, ...]:
    """``findings`` moved ``lines`` lines down (a payload that starts below line 1 of its input)."""
    return tuple(replace(f, line=f.line + lines) if f.line is not None else f for f in findings)


def _as_error_response(result: Result, payload: Payload) -> Result:
    from glance_validate.checks.error_pages import error_page, snippet
    from glance_validate.core.catalog import finding

    status = payload.origin.status
    page = error_page(payload.data) is not None
    if result.kind == "error-body" and not page:
        findings = tuple(
            replace(f, message=f"HTTP {status}: {f.message}") if f.code == "S006" else f
            for f in result.findings
        )
        return replace(result, findings=findings)
    parse = [f for f in result.findings if f.code.startswith("P")]
    if page or any(f.code in _NOT_JSON_BODY for f in parse):
        media = f" ({payload.content_type})" if payload.content_type else ""
        message = f"HTTP {status} error response with a body that is not JSON{media}: {snippet(payload.data)}"
        return Result("error-body", (finding("S006", "", message),))
    message = f"HTTP {status} error response whose body is not an API error body (it reads as {result.kind})"
    return Result("error-body", (*parse, finding("S006", "", message)))
