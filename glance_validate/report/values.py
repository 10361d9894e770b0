"""The values a run hands to its reporters: the run's start, each checked payload, the summary.

They cross from the runner to every reporter and stay frozen on the way; the ``Reporter``
protocol says what a reporter does with them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol, TextIO

from glance_validate.core.findings import Finding, Result
from glance_validate.core.severity import Severity
from glance_validate.inputs.payloads import NOT_READ, Origin


@dataclass(frozen=True)
class Checked:
    """One payload's result with where it came from."""

    origin: Origin
    result: Result

    @property
    def source(self) -> str:
        return self.origin.label

    @property
    def unreadable(self) -> bool:
        """Whether the content was not checked: it could not be read (P009) or was too large (P011)."""
        return any(f.code in NOT_READ for f in self.result.findings)


@dataclass(frozen=True)
class RunInfo:
    """What is known before the first payload: the schema and what was found in it."""

    schema_name: str
    schema_findings: tuple[Finding, ...] = ()
    inputs: int = 0

    @property
    def schema_can_fail(self) -> bool:
        """Whether the schema's own findings can fail the run: a shipped schema's quirks never do."""
        from glance_validate.schema.sources import is_builtin

        return not is_builtin(self.schema_name)


@dataclass(frozen=True)
class Summary:
    """The counts of a finished run."""

    inputs: int
    payloads: int
    images: int
    findings: Mapping[str, int]
    unreadable: int
    failed: int  # payloads with a finding at or above the fail-on severity
    seconds: float
    not_checked: int = 0  # inputs the tool failed on (internal errors)

    @property
    def nothing_checked(self) -> bool:
        """Whether no payload at all was found to check (an empty directory, only other files)."""
        return self.payloads == 0


@dataclass(frozen=True)
class ReportOptions:
    """How a reporter writes: the console's choices, or those of a report file."""

    quiet: bool = False
    verbose: int = 0
    color: bool = False
    fail_on: Severity = "error"
    allow_empty: bool = False  # whether a run with nothing checked passes (--allow-empty)


class Reporter(Protocol):
    """Writes as the run goes: ``start`` once, ``payload`` per checked payload in order, ``finish``."""

    def start(self, run: RunInfo) -> None: ...

    def payload(self, item: Checked) -> None: ...

    def finish(self, summary: Summary) -> None: ...


ReporterFactory = Callable[[TextIO, ReportOptions], Reporter]
