"""Compatibility: which Glance releases' schemas accept a payload, and what rules out the others.

Each group of releases that serve the same images schema (see ``releases.groups``) gets one
validator. A group accepts a payload when its schema gives no error; the first error finding
rules it out, and the report says from which release on (or up to which release) the value it
is about is accepted: "needs Rocky 17.0.0 or later: os_hidden". Only what the schema decides
counts (parse, structure and keyword findings, with known deviations not applied): consistency
and vendor rules do not depend on the release.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, BinaryIO, Literal, TextIO

from glance_validate.checks.config import Policy, default_policy
from glance_validate.checks.engine import EngineName
from glance_validate.core.exitcodes import ExitCode
from glance_validate.core.findings import Finding, Kind, Result
from glance_validate.schema.releases import Release, group_label, groups, release_document

SCHEMA_FAMILIES = ("P", "S", "K")


@dataclass(frozen=True)
class Verdict:
    """What one group of releases makes of a payload."""

    releases: tuple[Release, ...]
    accepted: bool
    finding: Finding | None = None  # the first error finding, when not accepted
    reason: str = ""  # "needs Rocky 17.0.0 or later: os_hidden"

    @property
    def label(self) -> str:
        return group_label(self.releases)


@dataclass(frozen=True)
class PayloadCompat:
    """The verdicts of every release group on one payload."""

    source: str
    kind: Kind
    images: int
    verdicts: tuple[Verdict, ...]

    @property
    def accepted_by(self) -> list[tuple[Release, Release]]:
        """Ranges (first, last) of consecutive releases whose schema accepts the payload."""
        ranges: list[tuple[Release, Release]] = []
        for verdict in self.verdicts:
            if not verdict.accepted:
                continue
            first, last = verdict.releases[0], verdict.releases[-1]
            if ranges and ranges[-1][1].index + 1 == first.index:
                ranges[-1] = (ranges[-1][0], last)
            else:
                ranges.append((first, last))
        return ranges

    @property
    def is_image_payload(self) -> bool:
        """Release schemas describe images: an error body or a schema document has no verdict."""
        return self.kind in ("image-list", "image")

    @property
    def summary(self) -> str:
        if not self.is_image_payload:
            return "not an image payload: no release schema applies"
        ranges = self.accepted_by
        if not ranges:
            return "accepted by no release"
        last = groups()[-1][-1]
        parts = []
        for first, end in ranges:
            if end == last and first != end:
                parts.append(f"{first.label} and later")
            elif first == end:
                parts.append(first.label)
            else:
                parts.append(f"{first.label} .. {end.label}")
        return "accepted by " + ", ".join(parts)


def compat_policy(policy: Policy | None = None) -> Policy:
    """The codes that decide acceptance: the user's selection within the schema families, strict."""
    enabled = (policy or default_policy()).enabled
    chosen = tuple(sorted(c for c in enabled if c.startswith(SCHEMA_FAMILIES)))
    return Policy(select=chosen, strict=True, origin="compat")


class Compat:
    """Validators for every release group, compiled once, for any number of payloads."""

    def __init__(self, policy: Policy | None = None, engine: EngineName = "fast") -> None:
        self.policy = compat_policy(policy)
        self.engine: EngineName = engine

    @cached_property
    def _validators(self) -> list[tuple[tuple[Release, ...], Any]]:
        from glance_validate.checks.validation import Validator
        from glance_validate.schema.dialect import compile_dialect

        return [
            (
                group,
                Validator(
                    compile_dialect(release_document(group[0])), engine=self.engine, policy=self.policy
                ),
            )
            for group in groups()
        ]

    def check(self, data: bytes, source: str, *, line_shift: int = 0) -> PayloadCompat:
        """The verdict of every release group on one payload given as JSON text."""
        from glance_validate.checks.validation import load

        parsed = load(data)  # once, not once per release group
        results = [(group, validator.validate_loaded(data, parsed)) for group, validator in self._validators]
        errors = [(group, _errors(result, line_shift)) for group, result in results]
        first = results[0][1]
        verdicts = tuple(_verdict(i, errors) for i in range(len(errors)))
        return PayloadCompat(source, first.kind, first.image_count, verdicts)


def _errors(result: Result, line_shift: int) -> tuple[Finding, ...]:
    found = tuple(f for f in result.findings if f.severity == "error")
    if not line_shift:
        return found
    import dataclasses

    return tuple(dataclasses.replace(f, line=f.line + line_shift) if f.line is not None else f for f in found)


def _verdict(index: int, errors: Sequence[tuple[tuple[Release, ...], tuple[Finding, ...]]]) -> Verdict:
    group, found = errors[index]
    if not found:
        return Verdict(group, True)
    first = found[0]
    return Verdict(group, False, first, _reason(index, first, errors))


def _reason(
    index: int, first: Finding, errors: Sequence[tuple[tuple[Release, ...], tuple[Finding, ...]]]
) -> str:
    """From which release on (or up to which) the place of ``first`` is accepted."""
    subject = _subject(first.path)

    def clean(found: tuple[Finding, ...]) -> bool:
        return not any(f.path == first.path for f in found)

    later = next((group for group, found in errors[index + 1 :] if clean(found)), None)
    if later is not None:
        return f"needs {later[0].label} or later: {subject}"
    earlier = next((group for group, found in reversed(errors[:index]) if clean(found)), None)
    if earlier is not None:
        return f"accepted only up to {earlier[-1].label}: {subject}"
    return f"no release accepts it: {subject}"


def _subject(path: str) -> str:
    """The property a pointer is about, inside its image record ("os_hidden", "locations/0/url")."""
    tokens = path.split("/")[1:]
    if len(tokens) >= 2 and tokens[0] == "images" and tokens[1].isdigit():
        tokens = tokens[2:]
    text = "/".join(tokens)
    return text or "the payload"


# Rendering ------------------------------------------------------------------------------


def render_text(reports: Sequence[PayloadCompat]) -> str:
    """A table per payload: one row per run of release groups with the same verdict and reason.

    Sources are shown as check shows them (control characters escaped): one payload, one line.
    """
    from glance_validate.report.lines import printable

    lines: list[str] = []
    for report in reports:
        count = (
            f", {report.images} image{'s' if report.images != 1 else ''}"
            if report.kind == "image-list"
            else ""
        )
        lines.append(f"{printable(report.source)} ({report.kind}{count}): {report.summary}")
        if not report.is_image_payload:
            lines.append("")
            continue
        rows = _rows(report.verdicts)
        width = max(len(label) for label, _ in rows)
        lines.extend(f"  {label:<{width}}  {printable(text)}" for label, text in rows)
        lines.append("")
    return "\n".join(lines)


def _rows(verdicts: Sequence[Verdict]) -> list[tuple[str, str]]:
    """Consecutive verdicts that agree (accepted, or ruled out for the same reason) share a row."""
    runs: list[list[Verdict]] = []
    for verdict in verdicts:
        if runs and _same(runs[-1][0], verdict):
            runs[-1].append(verdict)
        else:
            runs.append([verdict])
    rows = []
    for run in runs:
        first, last = run[0].releases[0], run[-1].releases[-1]
        label = first.label if first == last else f"{first.label} .. {last.label}"
        verdict = run[0]
        if verdict.accepted or verdict.finding is None:
            rows.append((label, "yes"))
        else:
            rows.append((label, f"no   {verdict.reason} ({_detail(verdict.finding)})"))
    return rows


def _same(a: Verdict, b: Verdict) -> bool:
    if a.accepted or b.accepted:
        return a.accepted == b.accepted
    assert a.finding is not None and b.finding is not None
    return a.reason == b.reason and (a.finding.code, a.finding.path) == (b.finding.code, b.finding.path)


def _detail(f: Finding) -> str:
    where = f" at {f.path}" if f.path else ""
    line = f", line {f.line}" if f.line is not None else ""
    return f"{f.code} {f.message}{where}{line}"


def as_json(reports: Sequence[PayloadCompat]) -> dict[str, Any]:
    return {
        "version": 1,
        "payloads": [
            {
                "source": r.source,
                "kind": r.kind,
                "images": r.images,
                "summary": r.summary,
                "accepted_by": [[a.schema_name, b.schema_name] for a, b in r.accepted_by],
                "releases": [
                    {
                        "releases": [x.schema_name for x in v.releases],
                        "label": v.label,
                        "accepted": v.accepted,
                        "reason": v.reason or None,
                        "finding": v.finding.as_dict() if v.finding else None,
                    }
                    for v in r.verdicts
                ],
            }
            for r in reports
        ],
    }


# glance-validate compat PATH...


@dataclass(frozen=True)
class CompatOptions:
    paths: tuple[str, ...]
    output_format: Literal["text", "json"] = "text"


def run_compat(options: CompatOptions, out: TextIO, err: TextIO, stdin: BinaryIO | None = None) -> ExitCode:
    """Report which releases accept each payload of ``options.paths``.

    The exit codes are those check gives these inputs: only what could not be read is a failure
    of the tool; an input without a payload (P020, P021) fails, a capture without image traffic
    (P022, a warning) does not.
    """
    import json

    from glance_validate.core.errors import ConfigurationError
    from glance_validate.inputs.payloads import NOT_READ
    from glance_validate.report.lines import text_line

    try:
        reports, problems = _compat_reports(options.paths, stdin)
    except ConfigurationError as exc:
        err.write(f"glance-validate: {exc}\n")
        return ExitCode.USAGE
    for label, problem in problems:
        err.write(f"glance-validate: {text_line(label, problem)}\n")
    if options.output_format == "json":
        out.write(json.dumps(as_json(reports), indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(render_text(reports))
    if any(problem.code in NOT_READ for _, problem in problems):
        return ExitCode.TOOL_FAILURE
    rejected = any(problem.severity == "error" for _, problem in problems)
    unaccepted = any(r.is_image_payload and not r.accepted_by for r in reports)
    return ExitCode.FINDINGS if rejected or unaccepted else ExitCode.OK


def _compat_reports(
    paths: tuple[str, ...], stdin: BinaryIO | None
) -> tuple[list[PayloadCompat], list[tuple[str, Finding]]]:
    """The compat report of every payload, and (label, finding) for inputs that gave none."""
    import sys

    from glance_validate.checks.config import find_pyproject, read_pyproject, resolve
    from glance_validate.inputs.discover import discover
    from glance_validate.inputs.readers import read
    from glance_validate.report.lines import printable

    config = find_pyproject(paths)
    checker = Compat(resolve(read_pyproject(config) if config else None))
    reports, problems = [], []
    for item in discover(paths):
        for payload in read(item, (stdin or sys.stdin.buffer) if item.is_stdin else None):
            if payload.problem is not None:
                problems.append((printable(payload.origin.label), payload.problem))
                continue
            reports.append(checker.check(payload.data, payload.origin.label, line_shift=payload.line_shift))
    return reports, problems
