"""Reports: render findings for people (text) and machines (json). Nothing here decides anything."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TextIO

from glance_validate.findings import Finding, Result

JSON_REPORT_VERSION = 1


@dataclass(frozen=True)
class Checked:
    """One payload's result with the label of where it came from."""

    source: str
    result: Result


@dataclass(frozen=True)
class RunReport:
    schema_name: str
    schema_findings: tuple[Finding, ...]
    checked: tuple[Checked, ...]
    seconds: float

    def findings_count(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0}
        for item in self.checked:
            for f in item.result.findings:
                counts[f.severity] += 1
        return counts

    @property
    def images(self) -> int:
        return sum(c.result.image_count for c in self.checked)


def location(source: str, f: Finding) -> str:
    if f.line is None:
        return source
    return f"{source}:{f.line}:{f.column}"


def text_line(source: str, f: Finding) -> str:
    where = f" (at {f.path})" if f.path else ""
    return f"{location(source, f)}: {f.code} [{f.severity}] {f.message}{where}"


def summary_line(report: RunReport) -> str:
    counts = report.findings_count()
    payloads = len(report.checked)
    parts = ", ".join(f"{n} {sev}{'s' if n != 1 else ''}" for sev, n in counts.items() if n)
    return (
        f"checked {payloads} payload{'s' if payloads != 1 else ''} "
        f"({report.images} image{'s' if report.images != 1 else ''}) against {report.schema_name}: "
        f"{parts or 'no findings'} in {report.seconds:.2f}s"
    )


def render_text(report: RunReport, out: TextIO, *, quiet: bool = False) -> None:
    for f in report.schema_findings:
        out.write(text_line(f"schema {report.schema_name}", f) + "\n")
    for item in report.checked:
        for f in item.result.findings:
            out.write(text_line(item.source, f) + "\n")
    if not quiet:
        out.write(summary_line(report) + "\n")


def as_json(report: RunReport) -> dict[str, object]:
    return {
        "version": JSON_REPORT_VERSION,
        "schema": {
            "name": report.schema_name,
            "findings": [f.as_dict() for f in report.schema_findings],
        },
        "payloads": [
            {
                "source": item.source,
                "kind": item.result.kind,
                "ok": item.result.ok,
                "images": item.result.image_count,
                "findings": [f.as_dict() for f in item.result.findings],
            }
            for item in report.checked
        ],
        "summary": {
            "payloads": len(report.checked),
            "images": report.images,
            "findings": report.findings_count(),
            "seconds": round(report.seconds, 3),
        },
    }


def render_json(report: RunReport, out: TextIO, *, quiet: bool = False) -> None:
    json.dump(as_json(report), out, indent=2, ensure_ascii=False)
    out.write("\n")


Renderer = Callable[..., None]
RENDERERS: dict[str, Renderer] = {"text": render_text, "json": render_json}


def format_names() -> Sequence[str]:
    return list(RENDERERS)
