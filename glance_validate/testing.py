"""Helpers for users' own tests: assert that a payload is a valid Glance response.

    from glance_validate.testing import assert_valid

    def test_my_client_sends_valid_images():
        assert_valid(my_client.list_images_raw())

A failing assertion lists every finding as the command line prints it, so the test report says
what is wrong and where.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from glance_validate.core.findings import Result
from glance_validate.core.severity import Severity, at_least
from glance_validate.report.lines import text_line
from glance_validate.report.values import RunInfo

if TYPE_CHECKING:
    from glance_validate.checks.validation import Validator
    from glance_validate.schema.documents import SchemaSpec

__all__ = ["assert_valid"]


def assert_valid(
    payload: object,
    *,
    schema: SchemaSpec | Validator = "ims",
    fail_on: Severity = "error",
    kind: str | None = None,
) -> Result:
    """Validate ``payload`` and raise ``AssertionError`` with the rendered findings if it fails.

    ``payload`` is whatever ``glance_validate.validate`` accepts: a parsed JSON value, bytes of
    JSON text, or a ``pathlib.Path``. The payload fails when it has a finding at or above
    ``fail_on`` (``error`` by default; ``warning`` makes warnings fail too), or when ``kind`` is
    given and the payload is of another kind (``image-list``, ``image``, ``schema``,
    ``error-body``). A schema you supply (a path, a mapping) fails the assertion too when it has
    findings at or above ``fail_on``, as on the command line; a shipped schema's quirks never do.
    Returns the result for further assertions.
    """
    from pathlib import Path

    from glance_validate.checks.validation import validate

    __tracebackhide__ = True  # pytest: show the caller's line, not this helper's
    result = validate(payload, schema=schema)
    failing = [f for f in result.findings if at_least(f.severity, fail_on)]
    schema_failing = (
        [f for f in result.schema_findings if at_least(f.severity, fail_on)] if _can_fail(schema) else []
    )
    wrong_kind = kind is not None and result.kind != kind
    if failing or schema_failing or wrong_kind:
        label = str(payload) if isinstance(payload, Path) else "payload"
        lines = [text_line("schema", f) for f in schema_failing]
        lines += [text_line(_where(label, f.line, f.column), f) for f in failing]
        failing = schema_failing + failing
        if wrong_kind:
            lines.insert(0, f"{label}: expected a payload of kind {kind}, found {result.kind}")
        count = f"{len(failing)} finding{'s' if len(failing) != 1 else ''} at or above {fail_on}"
        raise AssertionError(f"{label} is not valid ({count}):\n" + "\n".join(lines))
    return result


def _can_fail(schema: object) -> bool:
    """Whether ``schema``'s own findings can fail, by the rule the command line's exit code follows."""
    from glance_validate.checks.validation import Validator

    name = schema.dialect.name if isinstance(schema, Validator) else schema
    return not isinstance(name, str) or RunInfo(name).schema_can_fail


def _where(label: str, line: int | None, column: int | None) -> str:
    if line is None:
        return label
    return f"{label}:{line}:{column}"
