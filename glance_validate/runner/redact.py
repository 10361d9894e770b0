"""The run's credentials, shown as ``***`` wherever a finding would print one."""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import replace

from glance_validate.core.findings import Finding, Result
from glance_validate.report.values import Checked, Reporter, RunInfo, Summary
from glance_validate.runner.options import RunOptions


def run_secrets(options: RunOptions) -> tuple[str, ...]:
    """Credentials of this run (--token, OS_AUTH_TOKEN, OS_TOKEN, OS_PASSWORD, a URL's password):
    should a payload or a schema echo one, it is shown as ``***``."""
    from urllib.parse import urlsplit

    from glance_validate.inputs.har import MIN_SECRET

    found = [os.environ.get(name, "") for name in ("OS_AUTH_TOKEN", "OS_TOKEN", "OS_PASSWORD")]
    if options.schema_options is not None and options.schema_options.token:
        found.append(options.schema_options.token)
    if isinstance(options.schema, str):
        with suppress(ValueError):  # not a URL
            found.append(urlsplit(options.schema).password or "")
    return tuple(sorted({s for s in found if len(s) >= MIN_SECRET}, key=len, reverse=True))


def redacted(result: Result, secrets: Sequence[str]) -> Result:
    """``result`` with every secret in a finding's message or path shown as ``***``."""
    return replace(result, findings=tuple(_blanked(f, secrets) for f in result.findings))


def _blanked(item: Finding, secrets: Sequence[str]) -> Finding:
    message, path = item.message, item.path
    for secret in secrets:
        message, path = message.replace(secret, "***"), path.replace(secret, "***")
    return item if (message, path) == (item.message, item.path) else replace(item, message=message, path=path)


class Redacting:
    """A reporter that shows the run's credentials as ``***`` wherever a finding would print one."""

    def __init__(self, reporter: Reporter, secrets: tuple[str, ...]) -> None:
        self.reporter = reporter
        self.secrets = secrets

    def start(self, run: RunInfo) -> None:
        findings = tuple(_blanked(f, self.secrets) for f in run.schema_findings)
        self.reporter.start(replace(run, schema_findings=findings))

    def payload(self, item: Checked) -> None:
        self.reporter.payload(Checked(item.origin, redacted(item.result, self.secrets)))

    def finish(self, summary: Summary) -> None:
        self.reporter.finish(summary)
