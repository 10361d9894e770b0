"""The SARIF 2.1.0 report: the rule catalogue as the driver's rules, one result per finding."""

from __future__ import annotations

from typing import TextIO

from glance_validate.core.findings import Finding
from glance_validate.core.version import TOOL_NAME, __version__
from glance_validate.report.json_report import indented, summary_dict
from glance_validate.report.lines import finding_line, nothing_checked_message, printable
from glance_validate.report.values import Checked, ReportOptions, RunInfo, Summary

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def artifact_uri(path: str) -> str:
    """A URI reference for a file: relative paths stay relative (percent-encoded)."""
    import os
    from pathlib import Path
    from urllib.parse import quote

    if Path(path).is_absolute():
        return Path(path).as_uri() if path.isprintable() else "file://" + quote(os.fsencode(path))
    return quote(os.fsencode(path.replace(os.sep, "/")))


class SarifReporter:
    """SARIF 2.1.0: the rule catalogue as the driver's rules, one result per finding."""

    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self.out = out
        self.options = options
        self.count = 0
        self.index: dict[str, int] = {}

    def start(self, run: RunInfo) -> None:
        from glance_validate.core.catalog import catalog

        rules = []
        for i, rule in enumerate(catalog().rules):
            self.index[rule.code] = i
            rules.append(
                {
                    "id": rule.code,
                    "name": rule.name,
                    "shortDescription": {"text": rule.summary},
                    "fullDescription": {"text": rule.explanation},
                    "help": {"text": f"{rule.explanation}\n\nExample: {rule.example}"},
                    "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
                    "properties": {"tags": [rule.family]},
                }
            )
        driver = {
            "name": TOOL_NAME,
            "version": __version__,
            "semanticVersion": __version__,
            "rules": rules,
        }
        self.out.write(
            "{\n"
            f'  "$schema": "{SARIF_SCHEMA}",\n'
            '  "version": "2.1.0",\n'
            '  "runs": [\n'
            "    {\n"
            f'      "tool": {{"driver": {indented(driver, 3)}}},\n'
            '      "columnKind": "unicodeCodePoints",\n'
            f'      "properties": {{"schema": {indented(printable(run.schema_name), 0)}}},\n'
            '      "results": ['
        )
        for f in run.schema_findings:
            logical = {
                "name": f"schema {run.schema_name}",
                "fullyQualifiedName": f"schema {run.schema_name}{f.path}",
            }
            self._result(f, f.message, {"logicalLocations": [logical]})

    def payload(self, item: Checked) -> None:
        for f in item.result.findings:
            self._result(f, self._message(item, f), self._location(item, f))

    def _message(self, item: Checked, f: Finding) -> str:
        text = f.message + (f" (at {f.path})" if f.path else "")
        if item.origin.entry is not None:
            where = f" at body line {f.line}, column {f.column}" if f.line is not None else ""
            text = f"{item.source}{where}: {text}"
        return printable(text)

    def _location(self, item: Checked, f: Finding) -> dict[str, object]:
        location: dict[str, object] = {}
        if item.origin.path is not None:
            physical: dict[str, object] = {"artifactLocation": {"uri": artifact_uri(item.origin.path)}}
            line = finding_line(item, f)
            if line is not None and not item.origin.body_relative:
                region: dict[str, object] = {"startLine": line}
                if f.column is not None:
                    region["startColumn"] = f.column
                physical["region"] = region
            location["physicalLocation"] = physical
        if f.path or item.origin.entry is not None or item.origin.path is None:
            location["logicalLocations"] = [
                {"fullyQualifiedName": printable(item.source) + f.path, "kind": "value"}
            ]
        return location

    def _result(self, f: Finding, message: str, location: dict[str, object]) -> None:
        result: dict[str, object] = {
            "ruleId": f.code,
            "level": _SARIF_LEVEL.get(f.severity, "note"),
            "message": {"text": message},
        }
        if f.code in self.index:
            result["ruleIndex"] = self.index[f.code]
        if location:
            result["locations"] = [location]
        self.out.write(("," if self.count else "") + "\n        " + indented(result, 4))
        self.count += 1

    def finish(self, summary: Summary) -> None:
        invocation: dict[str, object] = {
            "executionSuccessful": not (summary.unreadable or summary.not_checked),
            "properties": summary_dict(summary),
        }
        if summary.nothing_checked:
            allowed = self.options.allow_empty
            invocation["toolExecutionNotifications"] = [
                {
                    "level": "warning" if allowed else "error",
                    "message": {"text": nothing_checked_message(allowed)},
                    "descriptor": {"id": "nothing-checked"},
                }
            ]
        self.out.write(
            ("\n      ]" if self.count else "]")
            + f',\n      "invocations": [{indented(invocation, 3)}]\n    }}\n  ]\n}}\n'
        )
