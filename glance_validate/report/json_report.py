"""The JSON report (version 1): one document, written as payloads arrive; see the README for its shape.

Named ``json_report`` so that it does not shadow the standard library's ``json``.
"""

from __future__ import annotations

import json
from typing import TextIO

from glance_validate.core.findings import any_at_least
from glance_validate.core.version import TOOL_NAME, __version__
from glance_validate.inputs.payloads import Origin
from glance_validate.report.lines import printable
from glance_validate.report.values import Checked, ReportOptions, RunInfo, Summary

JSON_REPORT_VERSION = 1


def origin_fields(origin: Origin) -> dict[str, object]:
    fields: dict[str, object] = {"source": printable(origin.label), "input": printable(origin.input)}
    if origin.line is not None:
        fields["line"] = origin.line
    if origin.entry is not None:
        fields["entry"] = origin.entry
        fields["request"] = origin.request
    if origin.status is not None:
        fields["status"] = origin.status
    fields["positions"] = "body" if origin.body_relative else "file"
    return fields


def payload_dict(item: Checked, fail_on: str) -> dict[str, object]:
    return {
        **origin_fields(item.origin),
        "kind": item.result.kind,
        "ok": not any_at_least(item.result.findings, fail_on),
        "images": item.result.image_count,
        "findings": [f.as_dict() for f in item.result.findings],
    }


def summary_dict(summary: Summary) -> dict[str, object]:
    return {
        "inputs": summary.inputs,
        "payloads": summary.payloads,
        "images": summary.images,
        "findings": dict(summary.findings),
        "failed": summary.failed,
        "unreadable": summary.unreadable,
        "not_checked": summary.not_checked,
        "nothing_checked": summary.nothing_checked,
        "seconds": round(summary.seconds, 3),
    }


def indented(value: object, level: int) -> str:
    """``value`` as indented JSON, to be written ``level`` indentation steps deep in a document."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + "  " * level)


class JsonReporter:
    """One JSON document (version 1), written as payloads arrive; see the README for its shape."""

    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self.out = out
        self.options = options
        self.count = 0

    def start(self, run: RunInfo) -> None:
        schema = {
            "name": printable(run.schema_name),
            "findings": [f.as_dict() for f in run.schema_findings],
        }
        self.out.write(
            "{\n"
            f'  "version": {JSON_REPORT_VERSION},\n'
            f'  "tool": {indented({"name": TOOL_NAME, "version": __version__}, 1)},\n'
            f'  "fail_on": {json.dumps(self.options.fail_on)},\n'
            f'  "schema": {indented(schema, 1)},\n'
            '  "payloads": ['
        )

    def payload(self, item: Checked) -> None:
        self.out.write(
            ("," if self.count else "") + "\n    " + indented(payload_dict(item, self.options.fail_on), 2)
        )
        self.count += 1

    def finish(self, summary: Summary) -> None:
        self.out.write(
            ("\n  ]" if self.count else "]") + f',\n  "summary": {indented(summary_dict(summary), 1)}\n}}\n'
        )
