"""The ``schema`` commands (show, lint, diff, fetch): options in, text out, an exit code back.

Each ``run_*`` takes its options, writes its report to ``out`` and warnings and problems to
``err``, and returns the command's ``ExitCode``; the command line only parses into the options.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal, TextIO

from glance_validate.core.errors import SchemaUnavailable
from glance_validate.core.exitcodes import ExitCode
from glance_validate.core.severity import SEVERITIES, at_least

if TYPE_CHECKING:
    from glance_validate.analysis.lint import LintedDocument
    from glance_validate.core.findings import Finding
    from glance_validate.core.severity import Severity
    from glance_validate.schema.dialect import Dialect
    from glance_validate.schema.remote import SchemaOptions

OutputFormat = Literal["text", "json"]


@dataclass(frozen=True)
class ShowOptions:
    schema: str = "ims"
    schema_options: SchemaOptions | None = None  # how to fetch a URL; None: a local schema
    output_format: OutputFormat = "text"


@dataclass(frozen=True)
class LintOptions:
    sources: tuple[str, ...]
    schema_options: SchemaOptions | None = None  # how to fetch the URLs among the sources
    output_format: OutputFormat = "text"
    min_severity: Severity = "info"
    quiet: bool = False


@dataclass(frozen=True)
class DiffOptions:
    schema_a: str
    schema_b: str
    schema_options: SchemaOptions | None = None  # how to fetch A or B when it is a URL
    output_format: OutputFormat = "text"


@dataclass(frozen=True)
class FetchOptions:
    schema: str  # the URL of the served schema
    schema_options: SchemaOptions
    output: str = "-"  # a file, or - for ``out``


def run_show(options: ShowOptions, out: TextIO, err: TextIO, stdin: BinaryIO | None = None) -> ExitCode:
    """Print the image schema as a table (or JSON); its own findings go to ``err``."""
    from glance_validate.analysis.table import describe_additional, property_rows, render_table, rows_as_json

    try:
        dialect = _load(options.schema, options.schema_options, err, stdin)
    except SchemaUnavailable as exc:
        return _failed(str(exc), err)
    rows = property_rows(dialect)
    if options.output_format == "json":
        document = {
            "schema": dialect.name,
            "properties": rows_as_json(rows),
            "additional_properties": describe_additional(dialect),
            "findings": [f.as_dict() for f in dialect.findings],
        }
        _write_json(document, out)
    else:
        out.write(render_table(rows))
        base, custom = len(dialect.base_properties), len(dialect.custom_properties)
        out.write(
            f"{dialect.name}: {base + custom} image properties ({base} base, {custom} custom); "
            f"other properties: {describe_additional(dialect)}\n"
        )
    for f in dialect.findings:
        err.write(_finding_text(f, f"schema {dialect.name}") + "\n")
    return ExitCode.OK


def run_lint(options: LintOptions, out: TextIO, err: TextIO, stdin: BinaryIO | None = None) -> ExitCode:
    """Lint every source; 1 for error findings, 3 when a source could not be read."""
    from glance_validate.analysis.lint import lint_source

    results = [lint_source(source, options.schema_options, stdin=stdin) for source in options.sources]
    shown = [s for s in SEVERITIES if at_least(s, options.min_severity)]
    if options.output_format == "json":
        _write_json(_lint_json(results, shown), out)
    else:
        _write_lint_text(results, shown, out, err, quiet=options.quiet)
    if any(r.problem is not None for r in results):
        return ExitCode.TOOL_FAILURE
    if any(f.severity == "error" for r in results for f in r.findings):
        return ExitCode.FINDINGS
    return ExitCode.OK


def _write_lint_text(
    results: Sequence[LintedDocument], shown: Sequence[str], out: TextIO, err: TextIO, *, quiet: bool
) -> None:
    for result in results:
        for note in result.notes:
            err.write(f"glance-validate: warning: {note}\n")
        if result.problem is not None:
            err.write(f"glance-validate: {result.problem}\n")
        for f in result.findings:
            if f.severity in shown:
                out.write(_finding_text(f, result.source) + "\n")
    if not quiet:
        out.write(_lint_summary(results) + "\n")


def _lint_counts(results: Sequence[LintedDocument]) -> dict[str, Any]:
    counts: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
    for result in results:
        for f in result.findings:
            counts[f.severity] += 1
    unreadable = sum(1 for r in results if r.problem is not None)
    return {"documents": len(results), "findings": counts, "unreadable": unreadable}


def _lint_summary(results: Sequence[LintedDocument]) -> str:
    counts = _lint_counts(results)
    found = counts["findings"].items()
    parts = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in found if n) or "no findings"
    failed = f", {counts['unreadable']} could not be read" if counts["unreadable"] else ""
    return f"linted {len(results)} schema document{'s' if len(results) != 1 else ''}: {parts}{failed}"


def _lint_json(results: Sequence[LintedDocument], shown: Sequence[str]) -> dict[str, Any]:
    return {
        "version": 1,
        "documents": [
            {
                "source": r.source,
                "problem": r.problem,
                "findings": [f.as_dict() for f in r.findings if f.severity in shown],
            }
            for r in results
        ],
        "summary": _lint_counts(results),
    }


def run_diff(options: DiffOptions, out: TextIO, err: TextIO, stdin: BinaryIO | None = None) -> ExitCode:
    """List what differs from schema A to schema B; 1 when they differ, 3 when one is unusable."""
    from glance_validate.analysis.diff import changes_as_json, diff_dialects, render_diff
    from glance_validate.net.urls import is_url

    try:
        a, b = (
            _load(spec, options.schema_options if is_url(spec) else None, err, stdin)
            for spec in (options.schema_a, options.schema_b)
        )
        changes = diff_dialects(a, b)
    except SchemaUnavailable as exc:
        return _failed(str(exc), err)
    if options.output_format == "json":
        _write_json({"a": a.name, "b": b.name, "changes": changes_as_json(changes)}, out)
    else:
        out.write(render_diff(changes, a.name, b.name))
    return ExitCode.FINDINGS if changes else ExitCode.OK


def run_fetch(options: FetchOptions, out: TextIO, err: TextIO) -> ExitCode:
    """Fetch the served schema and write it to ``options.output`` (- for ``out``)."""
    from glance_validate.schema.dialect import compile_dialect
    from glance_validate.schema.sources import load_schema

    try:
        source = load_schema(options.schema, remote=options.schema_options)
        dialect = compile_dialect(source)
        _write_document(source.document, options.output, out)
    except SchemaUnavailable as exc:
        return _failed(str(exc), err)
    except OSError as exc:
        return _failed(f"cannot write {options.output}: {exc.strerror or exc}", err)
    for note in source.notes:
        err.write(f"glance-validate: warning: {note}\n")
    where = "standard output" if options.output == "-" else options.output
    count = len(dialect.image_properties)
    err.write(f"glance-validate: wrote {source.name} ({count} image properties) to {where}\n")
    return ExitCode.OK


def _write_document(document: dict[str, Any], output: str, out: TextIO) -> None:
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output == "-":
        out.write(text)
        return
    from glance_validate.net.cache import write_text_atomically

    write_text_atomically(Path(output), text, mode=0o644)


def _load(spec: str, options: SchemaOptions | None, err: TextIO, stdin: BinaryIO | None) -> Dialect:
    """The compiled schema (its warnings written to ``err``); raises SchemaUnavailable."""
    from glance_validate.schema.dialect import compile_dialect
    from glance_validate.schema.sources import load_schema

    source = load_schema(spec, stdin=stdin, remote=options)
    dialect = compile_dialect(source)
    for note in source.notes:
        err.write(f"glance-validate: warning: {note}\n")
    return dialect


def _failed(message: str, err: TextIO) -> ExitCode:
    err.write(f"glance-validate: {message}\n")
    return ExitCode.TOOL_FAILURE


def _finding_text(f: Finding, source: str) -> str:
    """The line ``check`` prints for a finding, with the source (and line:column when known)."""
    from glance_validate.report.lines import printable, text_line

    where = printable(source) if f.line is None else f"{printable(source)}:{f.line}:{f.column}"
    return text_line(where, f)


def _write_json(value: object, out: TextIO) -> None:
    json.dump(value, out, indent=2, ensure_ascii=False)
    out.write("\n")
