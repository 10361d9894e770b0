"""The GitHub Actions report: workflow commands that annotate files and lines in a pull request."""

from __future__ import annotations

from typing import TextIO

from glance_validate.core.findings import Finding
from glance_validate.core.version import TOOL_NAME
from glance_validate.report.lines import (
    described,
    finding_line,
    nothing_checked_message,
    printable,
    summary_line,
)
from glance_validate.report.values import Checked, ReportOptions, RunInfo, Summary

_GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def _github_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReporter:
    """GitHub Actions workflow commands: ``::error file=...,line=...,col=...,title=CODE::message``."""

    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self.out = out
        self.options = options
        self.schema_name = ""

    def start(self, run: RunInfo) -> None:
        self.schema_name = run.schema_name
        for f in run.schema_findings:
            self._command(f, {}, f"schema {printable(run.schema_name)}: {described(f)}")

    def payload(self, item: Checked) -> None:
        for f in item.result.findings:
            props: dict[str, object] = {}
            message = described(f)
            if item.origin.path is not None:
                props["file"] = item.origin.path
            line = finding_line(item, f)
            if item.origin.body_relative or item.origin.path is None:
                where = f":{line}:{f.column}" if line is not None and f.column is not None else ""
                message = f"{printable(item.source)}{where}: {message}"
            elif line is not None:
                props["line"] = line
                if f.column is not None:
                    props["col"] = f.column
            self._command(f, props, message)

    def _command(self, f: Finding, props: dict[str, object], message: str) -> None:
        props["title"] = f.code
        rendered = ",".join(f"{k}={_github_property(printable(str(v)))}" for k, v in props.items())
        command = _GITHUB_COMMAND.get(f.severity, "notice")
        self.out.write(f"::{command} {rendered}::{_github_data(message)}\n")

    def finish(self, summary: Summary) -> None:
        if summary.nothing_checked:
            command = "warning" if self.options.allow_empty else "error"
            message = nothing_checked_message(self.options.allow_empty)
            self.out.write(f"::{command} title={TOOL_NAME}::{_github_data(message)}\n")
        if not self.options.quiet:
            self.out.write(summary_line(self.schema_name, summary) + "\n")
