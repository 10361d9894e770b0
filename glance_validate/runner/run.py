"""One run over many inputs: the logic behind the command line, returning an exit code.

The run: open the reports, compile the schema once, discover the inputs, check them (in this
process or spread over ``jobs`` worker processes; the output is the same either way), stream
every checked payload to the reporters in input order, then decide the exit code.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal, TextIO

from glance_validate.core.errors import SchemaUnavailable
from glance_validate.core.findings import Finding, Result, Severity
from glance_validate.inputs.discover import (
    DEFAULT_LIMITS,
    DEFAULT_MAX_BYTES,
    DEFAULT_PIPE_TIMEOUT,
    Input,
    InputFormat,
    Limits,
    Payload,
)
from glance_validate.report.render import (
    REPORTERS,
    Checked,
    Progress,
    Reporter,
    ReportOptions,
    RunInfo,
    Summary,
    Tally,
    at_least,
)
from glance_validate.schema.documents import SchemaSpec

if TYPE_CHECKING:
    from glance_validate.checks.config import Policy, Settings
    from glance_validate.checks.validation import Validator
    from glance_validate.schema.dialect import Dialect
    from glance_validate.schema.remote import SchemaOptions

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_TOOL_FAILURE = 3

JSONL_RANGE_BYTES = 8 * 1024 * 1024  # a JSON Lines file is split into ranges of this size
# How worker processes start; None: fork on Linux when this process runs no other thread (a
# worker is ready in milliseconds), spawn elsewhere (each worker imports what it needs).
# The functions handed to workers are top-level and take picklable values, so either works.
START_METHOD: str | None = None
_NOT_JSON_BODY = frozenset({"P001", "P002", "P003"})

ColorChoice = Literal["auto", "always", "never"]


@dataclass(frozen=True)
class RunOptions:
    """Everything a run needs, as plain values (picklable: workers receive it)."""

    paths: Sequence[str]
    # what to check against
    schema: SchemaSpec = "ims"
    schema_options: SchemaOptions | None = None  # how to fetch a URL: token, TLS, cache, offline
    # which inputs, read how
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    input_format: InputFormat | None = None
    # how to report
    output_format: str = "text"
    outputs: tuple[tuple[str, str], ...] = ()  # (format, path) reports written to files
    quiet: bool = False
    verbose: int = 0
    color: ColorChoice = "auto"
    progress: bool | None = None  # None: on a terminal, outside CI and pre-commit
    # how to decide
    fail_on: Severity = "error"
    rules: Settings | None = None  # --select, --ignore, --fail-on, --profile, --strict as given
    policy: Policy | None = None  # resolved by run() from pyproject.toml and ``rules``
    # how to run
    jobs: int = 1
    jsonl_range_bytes: int = JSONL_RANGE_BYTES  # JSON Lines files are split into tasks of this size
    max_bytes: int = DEFAULT_MAX_BYTES  # larger inputs, lines and bodies are P011, never read whole
    pipe_timeout: float = DEFAULT_PIPE_TIMEOUT  # seconds a named FIFO or device may stay silent


# Checking one payload, one task ----------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """Work a worker does on its own: a whole input, or a byte range of a JSON Lines file."""

    input: Input
    start: int = 0
    end: int | None = None  # None: the whole input
    last: bool = True  # the last task of its input
    limits: Limits = DEFAULT_LIMITS
    streamed: bool = False  # read in the main process as it arrives: stdin, FIFOs, devices


@dataclass(frozen=True)
class TaskResult:
    checked: tuple[Checked, ...]
    lines: int = 0  # lines a JSON Lines range went through
    error: str | None = None  # the tool failed on this input (a bug): exit code 3


def build_validator(dialect: Dialect, options: RunOptions) -> Validator:
    """The validator of a run: built once in the main process and once in each worker."""
    from glance_validate.checks.validation import Validator

    return Validator(dialect, policy=options.policy)


def with_policy(options: RunOptions) -> RunOptions:
    """``options`` with the policy resolved: pyproject.toml above the paths, then ``rules``.

    Raises ConfigurationError (a usage error) for unknown codes, keys, profiles or severities.
    """
    from glance_validate.checks.config import Settings, find_pyproject, read_pyproject, resolve

    config = find_pyproject(options.paths)
    given = options.fail_on != "error"  # a library caller's fail_on, under the command line's
    default_fail_on = Settings(fail_on=options.fail_on, origin="run options") if given else None
    policy = resolve(read_pyproject(config) if config else None, default_fail_on, options.rules)
    return replace(options, policy=policy, fail_on=policy.fail_on)


def check_payload(validator: Validator, payload: Payload) -> Checked:
    """Validate one payload; a captured 4xx/5xx response is checked as an error body."""
    if payload.problem is not None:
        return Checked(payload.origin, Result("unknown", (payload.problem,)))
    result = validator.validate_bytes(payload.data)
    if payload.http_error:
        result = _as_error_response(result, payload)
    if payload.line_shift and result.findings:
        result = replace(result, findings=_shifted(result.findings, payload.line_shift))
    if payload.secrets and result.findings:  # a captured response echoing its request's token
        result = redacted(result, payload.secrets)
    return Checked(payload.origin, result)


def redacted(result: Result, secrets: Sequence[str]) -> Result:
    """``result`` with every secret in a finding's message or path shown as ``***``."""
    return replace(result, findings=tuple(_blanked(f, secrets) for f in result.findings))


def _blanked(item: Finding, secrets: Sequence[str]) -> Finding:
    message, path = item.message, item.path
    for secret in secrets:
        message, path = message.replace(secret, "***"), path.replace(secret, "***")
    return item if (message, path) == (item.message, item.path) else replace(item, message=message, path=path)


def _as_error_response(result: Result, payload: Payload) -> Result:
    from glance_validate.core.catalog import finding

    status = payload.origin.status
    if result.kind == "error-body":
        findings = tuple(
            replace(f, message=f"HTTP {status}: {f.message}") if f.code == "S006" else f
            for f in result.findings
        )
        return replace(result, findings=findings)
    parse = [f for f in result.findings if f.code.startswith("P")]
    if any(f.code in _NOT_JSON_BODY for f in parse):
        media = f" ({payload.content_type})" if payload.content_type else ""
        message = (
            f"HTTP {status} error response with a body that is not JSON{media}: {_snippet(payload.data)}"
        )
        return Result("error-body", (finding("S006", "", message),))
    message = f"HTTP {status} error response whose body is not an API error body (it reads as {result.kind})"
    return Result("error-body", (*parse, finding("S006", "", message)))


def _snippet(data: bytes, limit: int = 100) -> str:
    import re

    text = re.sub(r"<[^>]*>", " ", data[: limit * 20].decode("utf-8", "replace"))
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 3] + "...") if text else "(empty)"


def _shifted(findings: tuple[Finding, ...], lines: int) -> tuple[Finding, ...]:
    return tuple(replace(f, line=f.line + lines) if f.line is not None else f for f in findings)


def run_task(validator: Validator, task: Task, stdin: BinaryIO | None = None) -> TaskResult:
    from glance_validate.inputs import discover as inputs

    try:
        if task.end is None:
            payloads: Iterator[Payload] = inputs.read(task.input, stdin, task.limits)
            return TaskResult(tuple(check_payload(validator, p) for p in payloads))
        count = inputs.LineCount()
        payloads = inputs.read_jsonl_range(task.input, task.start, task.end, count, task.limits.max_bytes)
        return TaskResult(tuple(check_payload(validator, p) for p in payloads), count.lines)
    except Exception as exc:  # a bug must not lose the other inputs; reported, exit code 3
        return TaskResult((), error=f"{type(exc).__name__}: {exc}")


def plan(
    inputs_found: Sequence[Input], range_bytes: int = JSONL_RANGE_BYTES, limits: Limits = DEFAULT_LIMITS
) -> list[Task]:
    """Tasks in input order; big JSON Lines files become several ranges.

    Standard input, FIFOs and devices are streamed in the main process: they cannot be split
    into ranges or handed to a worker, and their payloads are reported as they arrive.
    """
    from glance_validate.inputs.discover import is_stream, jsonl_ranges

    tasks: list[Task] = []
    for item in inputs_found:
        streamed = item.problem is None and (item.path is None or is_stream(item.path))
        if item.format == "jsonl" and item.problem is None and not streamed:
            assert item.path is not None
            ranges = jsonl_ranges(item.path, range_bytes)
            tasks.extend(Task(item, s, e, i == len(ranges) - 1, limits) for i, (s, e) in enumerate(ranges))
        else:
            tasks.append(Task(item, limits=limits, streamed=streamed))
    return tasks


# Worker processes --------------------------------------------------------------------------------

_worker_validator: Validator | None = None


def _init_worker(dialect: Dialect, options: RunOptions) -> None:
    global _worker_validator
    _worker_validator = build_validator(dialect, options)


def _worker_task(task: Task) -> TaskResult:
    assert _worker_validator is not None
    return run_task(_worker_validator, task)


def _results(
    tasks: list[Task], validator: Validator, dialect: Dialect, options: RunOptions, stack: ExitStack
) -> Iterator[TaskResult]:
    """Results of the file tasks in order: computed here, or by a pool of workers."""
    jobs = min(options.jobs if options.jobs > 0 else (os.cpu_count() or 1), len(tasks))
    if jobs <= 1:
        return (run_task(validator, t) for t in tasks)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = stack.enter_context(
        ProcessPoolExecutor(
            jobs,
            mp_context=multiprocessing.get_context(START_METHOD or _start_method()),
            initializer=_init_worker,
            initargs=(dialect, options),
        )
    )
    chunksize = max(1, min(32, len(tasks) // (jobs * 8)))
    return pool.map(_worker_task, tasks, chunksize=chunksize)


def _start_method() -> str:
    import multiprocessing
    import sys
    import threading

    forking = sys.platform.startswith("linux") and threading.active_count() == 1
    return "fork" if forking and "fork" in multiprocessing.get_all_start_methods() else "spawn"


# The run -------------------------------------------------------------------------------------------


def run(options: RunOptions, out: TextIO, err: TextIO, stdin: BinaryIO | None = None) -> int:
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
        return EXIT_USAGE
    with ExitStack() as stack:
        reporters = _open_reporters(options, out, err, stack)
        if reporters is None:
            return EXIT_TOOL_FAILURE
        secrets = run_secrets(options)
        if secrets:
            reporters = [_Redacting(reporter, secrets) for reporter in reporters]
        try:
            source = load_schema(options.schema, stdin=stdin, remote=options.schema_options)
            dialect = compile_dialect(source)
            validator = build_validator(dialect, options)
        except SchemaUnavailable as exc:
            err.write(f"glance-validate: {exc}\n")
            return EXIT_TOOL_FAILURE
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
            reporter.start(run_info)
        tally = Tally(fail_on=options.fail_on, inputs=len(found))
        progress = _progress(options, err, len(found))
        try:
            _check_all(found, validator, dialect, options, reporters, tally, progress, err, stdin, stack)
        finally:
            if progress is not None:
                progress.close()
        summary = tally.summary(time.perf_counter() - started)
        for reporter in reporters:
            reporter.finish(summary)
        schema_findings = run_info.schema_findings if run_info.schema_can_fail else ()
        return exit_code(summary, options.fail_on, schema_findings)


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
    from glance_validate.inputs.discover import read

    tasks = plan(found, options.jsonl_range_bytes, Limits(options.max_bytes, options.pipe_timeout))
    file_tasks = [t for t in tasks if not t.streamed]
    results = _results(file_tasks, validator, dialect, options, stack)
    line_offset = 0
    failure: list[str] = []
    listings = ListingIds() if validator.policy.allows("C009") else None  # ids across pages, in order
    for task in tasks:
        if task.streamed:  # standard input, a FIFO or a device: read here, as it arrives
            for payload in read(task.input, stdin, task.limits):
                checked = _across_pages(check_payload(validator, payload), listings, validator)
                _emit(checked, reporters, tally)
        else:
            outcome = _next_result(results, failure)
            line_offset = 0 if task.start == 0 else line_offset
            for item in outcome.checked:
                _emit(_across_pages(_with_offset(item, line_offset), listings, validator), reporters, tally)
            line_offset += outcome.lines
            if outcome.error is not None:
                tally.not_checked += 1
                err.write(
                    f"glance-validate: internal error while checking {task.input.label!r}: {outcome.error}\n"
                )
        if progress is not None and task.last:
            progress.advance()


def _next_result(results: Iterator[TaskResult], failure: list[str]) -> TaskResult:
    """The next result in order; once the worker processes have failed, every later task fails too."""
    if not failure:
        try:
            return next(results)
        except Exception as exc:  # BrokenProcessPool: a worker died or could not start
            failure.append(f"worker processes failed: {type(exc).__name__}: {exc}")
    return TaskResult((), error=failure[0])


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


def _with_offset(item: Checked, lines: int) -> Checked:
    if not lines:
        return item
    result = item.result
    if result.findings:
        result = replace(result, findings=_shifted(result.findings, lines))
    return Checked(item.origin.shifted(lines), result)


def run_secrets(options: RunOptions) -> tuple[str, ...]:
    """Credentials of this run (--token, OS_AUTH_TOKEN, OS_TOKEN, OS_PASSWORD, a URL's password):
    should a payload or a schema echo one, it is shown as ``***``."""
    from urllib.parse import urlsplit

    from glance_validate.inputs.discover import MIN_SECRET

    found = [os.environ.get(name, "") for name in ("OS_AUTH_TOKEN", "OS_TOKEN", "OS_PASSWORD")]
    if options.schema_options is not None and options.schema_options.token:
        found.append(options.schema_options.token)
    if isinstance(options.schema, str):
        with suppress(ValueError):  # not a URL
            found.append(urlsplit(options.schema).password or "")
    return tuple(sorted({s for s in found if len(s) >= MIN_SECRET}, key=len, reverse=True))


class _Redacting:
    """A reporter that shows the run's credentials as ``***`` wherever a finding would print one."""

    def __init__(self, reporter: Reporter, secrets: tuple[str, ...]) -> None:
        self.reporter = reporter
        self.secrets = secrets

    def start(self, run: RunInfo) -> None:
        findings = tuple(_blanked(f, self.secrets) for f in run.schema_findings)
        self.reporter.start(replace(run, schema_findings=findings))

    def payload(self, item: Checked) -> None:
        self.reporter.payload(Checked(item.origin, redacted(item.result, self.secrets)))

    def finish(self, summary: Summary) -> None:
        self.reporter.finish(summary)


def _emit(item: Checked, reporters: list[Reporter], tally: Tally) -> None:
    tally.add(item)
    for reporter in reporters:
        reporter.payload(item)


def exit_code(summary: Summary, fail_on: Severity = "error", schema_findings: Sequence[Finding] = ()) -> int:
    """3 when an input could not be read or checked; 1 when a finding reaches ``fail_on``; else 0."""
    if summary.unreadable or summary.not_checked:
        return EXIT_TOOL_FAILURE
    if summary.failed or any(at_least(f.severity, fail_on) for f in schema_findings):
        return EXIT_FINDINGS
    return EXIT_OK


# Streams ---------------------------------------------------------------------------------------------


def _open_reporters(options: RunOptions, out: TextIO, err: TextIO, stack: ExitStack) -> list[Reporter] | None:
    console = ReportOptions(
        quiet=options.quiet,
        verbose=options.verbose,
        color=options.output_format == "text" and use_color(options.color, out),
        fail_on=options.fail_on,
    )
    reporters: list[Reporter] = [REPORTERS[options.output_format](out, console)]
    to_file = replace(console, color=False)
    for report_format, path in options.outputs:
        try:
            stream = stack.enter_context(Path(path).open("w", encoding="utf-8", errors="backslashreplace"))  # noqa: SIM115
        except OSError as exc:
            err.write(
                f"glance-validate: cannot write the {report_format} report to {path!r}: {exc.strerror}\n"
            )
            return None
        reporters.append(REPORTERS[report_format](stream, to_file))
    return reporters


def _isatty(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except ValueError:  # a closed stream
        return False


def use_color(choice: ColorChoice, stream: TextIO) -> bool:
    """Colour on a terminal unless NO_COLOR is set (non-empty); ``always``/``never`` decide alone."""
    if choice != "auto":
        return choice == "always"
    return not os.environ.get("NO_COLOR") and _isatty(stream)


def _progress(options: RunOptions, err: TextIO, total: int) -> Progress | None:
    if options.progress is False or options.quiet:
        return None
    terminal = _isatty(err)
    if options.progress is None and (not terminal or os.environ.get("CI") or os.environ.get("PRE_COMMIT")):
        return None
    return Progress(err, total, terminal=terminal)
