"""The ``rules`` and ``explain`` commands: every finding code by family, and one code explained."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from typing import Literal, TextIO

from glance_validate.core.catalog import catalog
from glance_validate.core.exitcodes import ExitCode

WIDTH = 88


@dataclass(frozen=True)
class RulesOptions:
    output_format: Literal["text", "json"] = "text"


@dataclass(frozen=True)
class ExplainOptions:
    code: str  # a code (C010) or a rule name


def run_rules(options: RulesOptions, out: TextIO, err: TextIO) -> ExitCode:
    """List every finding code, grouped by family, as text or JSON."""
    if options.output_format == "json":
        out.write(json.dumps(rules_as_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(render_rules() + "\n")
    return ExitCode.OK


def run_explain(options: ExplainOptions, out: TextIO, err: TextIO) -> ExitCode:
    """Explain a finding code; a code that names no rule is a usage error."""
    text = render_explanation(options.code)
    if text is None:
        err.write(f"glance-validate: unknown rule {options.code!r}; glance-validate rules lists every code\n")
        return ExitCode.USAGE
    out.write(text + "\n")
    return ExitCode.OK


def rules_as_json() -> dict[str, object]:
    data = catalog()
    return {
        "families": [{"letter": f.letter, "name": f.name, "title": f.title} for f in data.families],
        "rules": [
            {
                "code": r.code,
                "name": r.name,
                "family": r.family,
                "severity": r.severity,
                "summary": r.summary,
            }
            for r in data.rules
        ],
    }


def render_rules() -> str:
    data = catalog()
    width = max(len(r.name) for r in data.rules)
    lines: list[str] = []
    for family in data.families:
        members = [r for r in data.rules if r.code.startswith(family.letter)]
        lines.append(f"{family.letter} {family.name}: {family.title}")
        lines.extend(f"  {r.code}  {r.severity:<7}  {r.name:<{width}}  {r.summary}" for r in members)
        lines.append("")
    lines.append("Select or ignore a code (C010), a family (C or consistency) or ALL; see explain CODE.")
    return "\n".join(lines)


def render_explanation(code: str) -> str | None:
    """The explanation of a code or rule name, or None when there is no such rule."""
    wanted = code.strip()
    rule = next((r for r in catalog().rules if wanted.upper() == r.code or wanted.lower() == r.name), None)
    if rule is None:
        return None
    lines = [f"{rule.code} {rule.name} ({rule.family}, {rule.severity} by default)", "", rule.summary, ""]
    lines.extend(textwrap.wrap(rule.explanation, WIDTH))
    lines.extend(_deviation_lines(rule.code))
    if rule.example:
        lines.extend(["", "Example:", textwrap.indent(rule.example, "  ")])
    return "\n".join(lines)


def _deviation_lines(code: str) -> list[str]:
    from glance_validate.checks.deviations import by_code

    deviation = by_code().get(code)
    if deviation is None:
        return []
    return [
        "",
        f"Vendor: {deviation.vendor}",
        f"Where: {deviation.where} in an image record; seen: {deviation.describe_seen()}",
        f"Replaces: {', '.join(deviation.replaces)} (reported instead with --strict)",
        *textwrap.wrap(f"Source: {deviation.source}", WIDTH, subsequent_indent="  "),
    ]
