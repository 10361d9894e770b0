"""Command line for rules: the selection options of ``check`` and the rules, explain, compat commands.

``RULE_OPTIONS`` are added to ``check`` by cli.py; ``take_rule_options`` turns them into the
command-line layer of the run's settings (``runner.RunOptions.rules``), which the runner puts
over the ``[tool.glance-validate]`` table of pyproject.toml.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from glance_validate.core.exitcodes import ExitCode
from glance_validate.core.severity import SEVERITIES

WIDTH = 88


def _codes(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...] | None:
    if not values:
        return None
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


RULE_OPTIONS: list[Callable[[Any], Any]] = [
    click.option(
        "--select",
        "select",
        multiple=True,
        metavar="CODES",
        callback=_codes,
        help="Report only these codes or families (C010, C, consistency, ALL; comma-separated, "
        "repeatable). Replaces the select and ignore of pyproject.toml.",
    ),
    click.option(
        "--ignore",
        "ignore",
        multiple=True,
        metavar="CODES",
        callback=_codes,
        help="Do not report these codes or families (comma-separated, repeatable).",
    ),
    click.option(
        "--fail-on",
        "fail_on",
        type=click.Choice(SEVERITIES),
        default=None,
        help="Exit 1 when a finding has this severity or a higher one [default: error].",
    ),
    click.option(
        "--profile",
        "profile",
        default=None,
        metavar="NAME",
        help="How known vendor deviations count: default (warnings) or ims-observed (info).",
    ),
    click.option(
        "--strict/--no-strict",
        "strict",
        default=None,
        help="Do not recognise known vendor deviations: report the schema's own errors.",
    ),
]


def take_rule_options(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with the rule options replaced by one ``rules`` settings layer."""
    from glance_validate.checks.config import Settings

    params = dict(params)
    rules = Settings(
        select=params.pop("select"),
        ignore=params.pop("ignore") or (),
        fail_on=params.pop("fail_on"),
        profile=params.pop("profile"),
        strict=params.pop("strict"),
        origin="command line",
    )
    params["rules"] = rules
    return params


# glance-validate rules ----------------------------------------------------------------------


@click.command("rules")
@click.option(
    "--format", "output_format", type=click.Choice(("text", "json")), default="text", show_default=True
)
def rules(output_format: str) -> None:
    """List every finding code, grouped by family."""
    import json

    from glance_validate.core.catalog import catalog

    data = catalog()
    if output_format == "json":
        document = {
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
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    click.echo(render_rules())


def render_rules() -> str:
    from glance_validate.core.catalog import catalog

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


# glance-validate explain CODE ------------------------------------------------------------------


@click.command("explain")
@click.argument("code")
def explain(code: str) -> None:
    """Print what a finding code means, why it matters and an example."""
    text = render_explanation(code)
    if text is None:
        click.echo(
            f"glance-validate: unknown rule {code!r}; glance-validate rules lists every code", err=True
        )
        sys.exit(ExitCode.USAGE)
    click.echo(text)


def render_explanation(code: str) -> str | None:
    """The explanation of a code or rule name, or None when there is no such rule."""
    import textwrap

    from glance_validate.core.catalog import catalog

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
    import textwrap

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


# glance-validate compat PATH... ------------------------------------------------------------------


@click.command("compat")
@click.option(
    "--format", "output_format", type=click.Choice(("text", "json")), default="text", show_default=True
)
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
def compat(output_format: str, paths: tuple[str, ...]) -> None:
    """Say which Glance releases' schemas accept each payload, and what rules out the others.

    Exit codes: 0 every payload is accepted by some release, 1 a payload is accepted by none
    (or an input holds no payload to check, as check reports it), 2 usage error (bad
    configuration), 3 an input could not be read.
    """
    import json

    from glance_validate.analysis.compat import as_json, render_text
    from glance_validate.core.errors import ConfigurationError
    from glance_validate.inputs.payloads import NOT_READ
    from glance_validate.report.lines import text_line

    try:
        reports, problems = _compat_reports(paths)
    except ConfigurationError as exc:
        click.echo(f"glance-validate: {exc}", err=True)
        sys.exit(ExitCode.USAGE)
    for label, problem in problems:
        click.echo(f"glance-validate: {text_line(label, problem)}", err=True)
    if output_format == "json":
        click.echo(json.dumps(as_json(reports), indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(reports), nl=False)
    # The same exit codes as check gives these inputs: only what could not be read is a failure
    # of the tool; an input without a payload (P020, P021) fails, a capture without image
    # traffic (P022, a warning) does not.
    if any(problem.code in NOT_READ for _, problem in problems):
        sys.exit(ExitCode.TOOL_FAILURE)
    rejected = any(problem.severity == "error" for _, problem in problems)
    unaccepted = any(r.is_image_payload and not r.accepted_by for r in reports)
    sys.exit(ExitCode.FINDINGS if rejected or unaccepted else ExitCode.OK)


def _compat_reports(paths: tuple[str, ...]) -> tuple[list[Any], list[tuple[str, Any]]]:
    """The compat report of every payload, and (label, finding) for inputs that gave none."""
    from glance_validate.analysis.compat import Compat
    from glance_validate.checks.config import find_pyproject, read_pyproject, resolve
    from glance_validate.inputs.discover import discover
    from glance_validate.inputs.readers import read
    from glance_validate.report.lines import printable

    config = find_pyproject(paths)
    checker = Compat(resolve(read_pyproject(config) if config else None))
    reports, problems = [], []
    for item in discover(paths):
        for payload in read(item, sys.stdin.buffer if item.is_stdin else None):
            if payload.problem is not None:
                problems.append((printable(payload.origin.label), payload.problem))
                continue
            reports.append(checker.check(payload.data, payload.origin.label, line_shift=payload.line_shift))
    return reports, problems


COMMANDS = (rules, explain, compat)
