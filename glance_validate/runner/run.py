"""One run over many inputs: the logic behind the command line, returning an exit code.

The run: open the reports, compile the schema once, discover the inputs, check them (in this
process or spread over ``jobs`` worker processes; the output is the same either way), stream
every checked payload to the reporters in input order, then decide the exit code.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

from glance_validate.core.errors import SchemaUnavailable
from glance_validate.core.exitcodes import ExitCode
from glance_validate.core.secrets import Secrets, enforced
from glance_validate.inputs.discover import Input
from glance_validate.inputs.reading import Limits
from glance_validate.report.files import ReportFile, open_reporters, redacting
from glance_validate.report.outcome import Tally, exit_code
from glance_validate.report.values import Checked, Reporter, ReportOptions, RunInfo
from glance_validate.runner.check import build_validator, check_payload
from glance_validate.runner.options import RunOptions, with_policy
from glance_validate.runner.redact import run_secrets
from glance_validate.runner.tasks import plan
from glance_validate.runner.terminal import Progress, progress_for, use_color
from glance_validate.runner.workers import next_result, range_bytes, task_results

if TYPE_CHECKING:
    from glance_validate.checks.validation import Validator
    from glance_validate.schema.dialect import Dialect


def run(options: RunOptions, out: TextIO, err: TextIO, stdin: BinaryIO | None = None) -> ExitCode:
    """Validate every input, write the reports; problems of the tool itself go to ``err``."""
    from glance_validate.core.errors import ConfigurationError
    from glance_validate.inputs.discover import discover
    from glance_validate.schema.dialect import compile_dialect
    from glance_validate.schema.sources import load_schema

    started = time.perf_counter()
    try:
        options = with_policy(options)
    except ConfigurationError as exc:
        err.write(f"glance-validate: {exc}\n")
        return ExitCode.USAGE
    with ExitStack() as stack:
        secrets = run_secrets(options)
        stack.enter_context(enforced(secrets))
        out, err = redacting(out, secrets, stack), redacting(err, secrets, stack)
        opened = _open_reporters(options, out, err, stack, secrets)
        if opened is None:
            return ExitCode.TOOL_FAILURE
        reporters, report_files = opened
        try:
            source = load_schema(
                options.schema, stdin=stdin, remote=options.schema_options, pipe_timeout=options.pipe_timeout
            )
            dialect = compile_dialect(source)
            validator = build_validator(dialect, options)
        except SchemaUnavailable as exc:
            err.write(f"glance-validate: {exc}\n")
            return ExitCode.TOOL_FAILURE
        for note in source.notes:  # e.g. a stale cached schema used because the endpoint failed
            err.write(f"glance-validate: warning: {note}\n")
        notes: list[str] = []
        found = discover(
            options.paths,
            include=options.include,
            exclude=options.exclude,
            input_format=options.input_format,
            notes=notes,
        )
        for note in notes:
            err.write(f"glance-validate: warning: {note}\n")
        run_info = RunInfo(dialect.name, validator.schema_findings, len(found))
        for reporter in reporters:
            reporter.start(_shown(run_info, options.verbose))
        tally = Tally(fail_on=options.fail_on, inputs=len(found))
        progress = progress_for(options, err, len(found))
        try:
            _check_all(found, validator, dialect, options, reporters, tally, progress, err, stdin, stack)
        finally:
            if progress is not None:
                progress.close()
        summary = tally.summary(time.perf_counter() - started)
        for reporter in reporters:
            reporter.finish(summary)
        for report_file in report_files:
            report_file.commit()
        schema_findings = run_info.schema_findings if run_info.schema_can_fail else ()
        return exit_code(summary, options.fail_on, schema_findings, allow_empty=options.allow_empty)


def _shown(run_info: RunInfo, verbose: int) -> RunInfo:
    """What the reports say about the schema: a builtin schema's own findings only with ``-v``.

    Its quirks (the IMS seed's "String" type) are known and handled; a warning about them on
    every run, or a GitHub annotation on every CI run, would teach users to ignore the output.
    ``schema lint`` and ``schema show`` still list them; a schema the user supplies shows its own.
    """
    if verbose or run_info.schema_can_fail:
        return run_info
    return replace(run_info, schema_findings=())


def _check_all(
    found: list[Input],
    validator: Validator,
    dialect: Dialect,
    options: RunOptions,
    reporters: list[Reporter],
    tally: Tally,
    progress: Progress | None,
    err: TextIO,
    stdin: BinaryIO | None,
    stack: ExitStack,
) -> None:
    from glance_validate.checks.consistency.lists import ListingIds
    from glance_validate.inputs.readers import read

    tasks = plan(found, range_bytes(options), Limits(options.max_bytes, options.pipe_timeout))
    file_tasks = [t for t in tasks if not t.streamed]
    results = task_results(file_tasks, validator, dialect, options, stack)
    failure: list[str] = []
    listings = ListingIds() if validator.policy.allows("C009") else None  # ids across pages, in order
    for task in tasks:
        if task.streamed:  # standard input, a FIFO or a device: read here, as it arrives
            for payload in read(task.input, stdin, task.limits):
                checked = _across_pages(check_payload(validator, payload), listings, validator)
                _emit(checked, reporters, tally)
        else:
            outcome = next_result(results, failure)
            for item in outcome.checked:
                _emit(_across_pages(item, listings, validator), reporters, tally)
            if outcome.error is not None:
                tally.not_checked += 1
                err.write(
                    f"glance-validate: internal error while checking {task.input.label!r}: {outcome.error}\n"
                )
            del outcome  # not held while the next task is checked
        if progress is not None and task.last:
            progress.advance()


def _across_pages(item: Checked, listings: Any, validator: Validator) -> Checked:
    """C009 on the page (an id already on an earlier page of its listing), computed in this process.

    Positions are found by reading a plain file again, which only happens for such pages.
    """
    if listings is None or item.result.page is None:
        return item
    found = listings.add(item.source, item.result.page)
    if not found:
        return item
    from glance_validate.checks.validation import with_findings

    origin = item.origin
    data = None
    if origin.path is not None and origin.line is None and origin.entry is None:
        try:
            data = Path(origin.path).read_bytes()
        except OSError:
            data = None
    return Checked(origin, with_findings(item.result, found, data, validator.policy))


def _emit(item: Checked, reporters: list[Reporter], tally: Tally) -> None:
    tally.add(item)
    for reporter in reporters:
        reporter.payload(item)


def _open_reporters(
    options: RunOptions, out: TextIO, err: TextIO, stack: ExitStack, secrets: Secrets
) -> tuple[list[Reporter], list[ReportFile]] | None:
    console = ReportOptions(
        quiet=options.quiet,
        verbose=options.verbose,
        color=options.output_format == "text" and use_color(options.color, out),
        fail_on=options.fail_on,
        allow_empty=options.allow_empty,
    )
    return open_reporters(options.output_format, options.outputs, console, (out, err), stack, secrets)
