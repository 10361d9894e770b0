"""The text report: ``path:line:col: CODE [severity] message (at /pointer)`` lines and a summary line."""

from __future__ import annotations

from typing import TextIO

from glance_validate.core.findings import Finding
from glance_validate.report.lines import location, plural, printable, summary_line, text_line
from glance_validate.report.values import Checked, ReportOptions, RunInfo, Summary

_SEVERITY_COLOR = {"error": "31", "warning": "33", "info": "36"}


class TextReporter:
    """``path:line:col: CODE [severity] message (at /pointer)`` lines and a summary line."""

    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self.out = out
        self.options = options
        self.schema_name = ""

    def _paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.options.color else text

    def _line(self, where: str, f: Finding) -> str:
        if not self.options.color:
            return text_line(where, f)
        color = _SEVERITY_COLOR.get(f.severity, "0")
        pointer = self._paint(f" (at {printable(f.path)})", "2") if f.path else ""
        return (
            f"{self._paint(where, '1')}: {self._paint(f.code, '1;' + color)} "
            f"{self._paint('[' + f.severity + ']', color)} {printable(f.message)}{pointer}"
        )

    def start(self, run: RunInfo) -> None:
        self.schema_name = run.schema_name
        for f in run.schema_findings:
            self.out.write(self._line(f"schema {printable(run.schema_name)}", f) + "\n")

    def payload(self, item: Checked) -> None:
        for f in item.result.findings:
            self.out.write(self._line(location(item, f), f) + "\n")
        if self.options.verbose and not self.options.quiet:
            self.out.write(self._context(item) + "\n")

    def _context(self, item: Checked) -> str:
        result = item.result
        where = printable(item.source) + (f":{item.origin.line}" if item.origin.line else "")
        status = f", HTTP {item.origin.status}" if item.origin.status is not None else ""
        verdict = plural(len(result.findings), "finding") if result.findings else "ok"
        return f"{where}: {result.kind}{status}, {plural(result.image_count, 'image')}, {verdict}"

    def finish(self, summary: Summary) -> None:
        if not self.options.quiet:
            line = summary_line(self.schema_name, summary)
            self.out.write(self._paint(line, "1") + "\n" if self.options.color else line + "\n")
