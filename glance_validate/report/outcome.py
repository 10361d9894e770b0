"""What a run comes to: the counts of its payloads as they stream past, and its exit code."""

from __future__ import annotations

from collections.abc import Sequence

from glance_validate.core.exitcodes import ExitCode
from glance_validate.core.findings import MORE_FINDINGS, Finding, any_at_least
from glance_validate.core.severity import SEVERITIES, Severity
from glance_validate.report.values import Checked, Summary


class Tally:
    """Counts accumulated while payloads stream past; ``summary()`` freezes them."""

    def __init__(self, fail_on: Severity = "error", inputs: int = 0) -> None:
        self.fail_on = fail_on
        self.inputs = inputs
        self.payloads = self.images = self.unreadable = self.failed = self.not_checked = 0
        self.findings: dict[str, int] = dict.fromkeys(SEVERITIES, 0)

    def add(self, item: Checked) -> None:
        self.payloads += 1
        self.images += item.result.image_count
        for f in item.result.findings:
            if f.code != MORE_FINDINGS:  # it names findings counted below, from ``hidden``
                self.findings[f.severity] = self.findings.get(f.severity, 0) + 1
        for _, severity, n in item.result.hidden:
            self.findings[severity] = self.findings.get(severity, 0) + n
        if item.unreadable:
            self.unreadable += 1
        if any_at_least(item.result.findings, self.fail_on):
            self.failed += 1

    def summary(self, seconds: float) -> Summary:
        return Summary(
            inputs=self.inputs,
            payloads=self.payloads,
            images=self.images,
            findings=dict(self.findings),
            unreadable=self.unreadable,
            failed=self.failed,
            seconds=seconds,
            not_checked=self.not_checked,
        )


def exit_code(
    summary: Summary,
    fail_on: Severity = "error",
    schema_findings: Sequence[Finding] = (),
    *,
    allow_empty: bool = False,
) -> ExitCode:
    """3 when an input could not be read or checked; 4 when no payload was found to check (unless
    ``allow_empty``); 1 when a finding reaches ``fail_on``; else 0."""
    if summary.unreadable or summary.not_checked:
        return ExitCode.TOOL_FAILURE
    if summary.nothing_checked and not allow_empty:
        return ExitCode.NOTHING_CHECKED
    if summary.failed or any_at_least(schema_findings, fail_on):
        return ExitCode.FINDINGS
    return ExitCode.OK
