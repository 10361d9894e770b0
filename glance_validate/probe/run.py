"""A probe run: crawl the endpoint, validate every answer against the schema it serves, report.

Each answer becomes a ``Checked`` whose origin is its request (``GET /v2/images?limit=5``), so
every report format names findings by request. The exit code is check's: 1 when a finding
reaches --fail-on, 3 when the crawl could not be done (unreachable, 401/403, no schema).
"""

from __future__ import annotations

import os
import time
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from glance_validate.core.exitcodes import ExitCode
from glance_validate.core.findings import Result
from glance_validate.core.secrets import Secrets, enforced
from glance_validate.core.severity import Severity
from glance_validate.inputs.payloads import Origin
from glance_validate.probe.crawl import Crawl, CrawlLimits, Denied, Exchange, crawl
from glance_validate.report.files import ReportFile, open_reporters, redacting
from glance_validate.report.outcome import Tally, exit_code
from glance_validate.report.values import Checked, Reporter, ReportOptions, RunInfo

if TYPE_CHECKING:
    from collections.abc import Callable

    from glance_validate.checks.config import Policy, Settings
    from glance_validate.checks.validation import Validator
    from glance_validate.net.exchange import ClientSettings
    from glance_validate.schema.documents import SchemaSpec
    from glance_validate.schema.remote import SchemaOptions

_VALIDATED = frozenset({"schema", "list", "image"})  # the versions document has no schema


@dataclass(frozen=True)
class ProbeOptions:
    """What a probe is asked to do, as plain values."""

    endpoint: str  # "" with os_cloud: the cloud's image endpoint
    client: ClientSettings = field(repr=False)
    os_cloud: str | None = None
    limits: CrawlLimits = field(default_factory=CrawlLimits)
    schema: SchemaSpec | None = None  # also validate against this schema
    output_format: str = "text"
    outputs: tuple[tuple[str, str], ...] = ()
    quiet: bool = False
    verbose: int = 0
    fail_on: Severity = "error"
    rules: Settings | None = None
    save: str | None = None  # directory the HAR is written to
    progress: bool | None = None  # None: on a terminal, outside CI


def run(options: ProbeOptions, out: TextIO, err: TextIO) -> ExitCode:
    """Crawl, validate, report; problems of the tool itself (and the crawl's notes) go to ``err``."""
    from glance_validate.checks.config import resolve
    from glance_validate.core.errors import ConfigurationError, SchemaUnavailable
    from glance_validate.net.client import HttpClient
    from glance_validate.net.exchange import FetchError

    started = time.perf_counter()
    try:
        policy = resolve(None, None, options.rules)
    except ConfigurationError as exc:
        err.write(f"glance-validate: {exc}\n")
        return ExitCode.USAGE
    fail_on = policy.fail_on if options.rules is not None else options.fail_on
    secrets = Secrets.of(
        options.client.token, *(os.environ.get(name, "") for name in ("OS_AUTH_TOKEN", "OS_TOKEN"))
    )
    with ExitStack() as stack:
        if options.os_cloud:
            try:
                options = _logged_in(options)
            except SchemaUnavailable as exc:
                err.write(f"glance-validate: {exc}\n")
                return ExitCode.TOOL_FAILURE
            secrets = secrets | Secrets.of(options.client.token)
        stack.enter_context(enforced(secrets))
        out, err = redacting(out, secrets, stack), redacting(err, secrets, stack)
        try:
            client = HttpClient(options.client)
        except FetchError as exc:
            err.write(f"glance-validate: {exc}\n")
            return ExitCode.TOOL_FAILURE
        stack.callback(client.close)
        walk = Crawl(client, options.endpoint, options.limits, progress=_progress(options, err))
        failure = _crawled(walk, err, FetchError)
        if walk.progress is not None:
            err.write("\r\x1b[K")
        for note in [*client.warnings, *walk.notes]:
            err.write(f"glance-validate: warning: {note}\n")
        if options.save is not None and walk.exchanges:
            from glance_validate.probe.har import save_har

            where = save_har(walk.exchanges, Path(options.save), secrets)
            err.write(f"glance-validate: saved {len(walk.exchanges)} exchanges to {where}\n")
        if failure is not None:
            return failure
        try:
            validators = _validators(walk, options, policy)
        except SchemaUnavailable as exc:
            err.write(f"glance-validate: the served schema cannot be used: {exc}\n")
            return ExitCode.TOOL_FAILURE
        opened = _open_reporters(options, out, err, stack, secrets)
        if opened is None:
            return ExitCode.TOOL_FAILURE
        reporters, report_files = opened
        validator = validators[0]
        info = RunInfo(f"{options.endpoint} (served)", validator.schema_findings, len(walk.exchanges))
        for reporter in reporters:
            reporter.start(info)
        tally = Tally(fail_on=fail_on, inputs=len(walk.exchanges))
        for exchange in walk.exchanges:
            item = _checked(exchange, validators, options.endpoint)
            tally.add(item)
            for reporter in reporters:
                reporter.payload(item)
        summary = tally.summary(time.perf_counter() - started)
        for reporter in reporters:
            reporter.finish(summary)
        for report_file in report_files:
            report_file.commit()
        return exit_code(summary, fail_on)


def _progress(options: ProbeOptions, err: TextIO) -> Callable[[int, str], None] | None:
    """A progress line redrawn on a terminal: the request count and the path being fetched."""
    terminal = bool(getattr(err, "isatty", lambda: False)())
    wanted = options.progress if options.progress is not None else terminal and not os.environ.get("CI")
    if not wanted or options.quiet or not terminal:
        return None
    limit = options.limits.max_requests

    def show(count: int, path: str) -> None:
        err.write(f"\r\x1b[Kprobe: request {count} (of at most {limit}): GET {path[:60]}")
        err.flush()

    return show


def _logged_in(options: ProbeOptions) -> ProbeOptions:
    """``options`` with the endpoint and token of ``--os-cloud`` (a given endpoint or token wins)."""
    from glance_validate.net.keystone import login

    assert options.os_cloud is not None
    settings = options.client
    access = login(
        options.os_cloud, insecure=settings.insecure, cacert=settings.cacert, timeout=settings.read_timeout
    )
    client = settings if settings.token else replace(settings, token=access.token)
    return replace(options, endpoint=options.endpoint or access.endpoint, client=client)


def _crawled(walk: Crawl, err: TextIO, unreachable: type[Exception]) -> ExitCode | None:
    """Run the crawl; the exit code when it could not be done, None when it was."""
    try:
        crawl(walk)
    except Denied as exc:
        from glance_validate.net.exchange import TOKEN_HINT

        err.write(f"glance-validate: access denied, the probe stopped: {exc} ({TOKEN_HINT})\n")
        return ExitCode.TOOL_FAILURE
    except unreachable as exc:
        err.write(f"glance-validate: the probe stopped: {exc}\n")
        return ExitCode.TOOL_FAILURE
    return None


def _validators(walk: Crawl, options: ProbeOptions, policy: Policy) -> list[Validator]:
    """A validator for the schema the endpoint serves, and one for --schema if given."""
    from glance_validate.checks.validation import Validator
    from glance_validate.core.errors import SchemaUnavailable
    from glance_validate.schema.dialect import compile_dialect
    from glance_validate.schema.sources import load_schema

    served = next((e for e in walk.exchanges if e.request.endswith("/v2/schemas/images")), None)
    if served is None or served.status != 200 or not isinstance(served.value, dict):
        raise SchemaUnavailable("GET /v2/schemas/images gave no JSON object")
    specs: list[SchemaSpec] = [served.value]
    if options.schema is not None:
        specs.append(options.schema)
    remote = _remote(options, str(options.schema))
    return [Validator(compile_dialect(load_schema(spec, remote=remote)), policy=policy) for spec in specs]


def _remote(options: ProbeOptions, schema: str) -> SchemaOptions:
    """How a --schema URL is fetched: with the crawl's TLS trust and timeouts, and its token
    when the URL is on the crawled endpoint's origin (never to another host)."""
    from glance_validate.net.exchange import parse_target
    from glance_validate.net.urls import is_url
    from glance_validate.schema.remote import SchemaOptions

    client = options.client
    same = is_url(schema) and parse_target(schema).origin == parse_target(options.endpoint).origin
    return SchemaOptions(
        token=client.token if same else None,
        insecure=client.insecure,
        cacert=client.cacert,
        connect_timeout=client.connect_timeout,
        read_timeout=client.read_timeout,
    )


def _checked(exchange: Exchange, validators: list[Validator], endpoint: str) -> Checked:
    """The exchange's findings: its body against each schema (if it has one), then the crawl's."""
    from glance_validate.checks.validation import with_findings

    origin = Origin(endpoint, request=exchange.request, status=exchange.status, body_relative=True)
    origin = replace(origin, input=f"{exchange.request}")
    validator = validators[0]
    if exchange.kind not in _VALIDATED or exchange.status != 200 or exchange.value is None:
        result = Result("unknown", ())
    else:
        result = validator.validate_bytes(exchange.body)
        for extra in validators[1:]:
            more = [f for f in extra.validate_bytes(exchange.body).findings if f not in result.findings]
            result = replace(result, findings=result.findings + tuple(more))
    return Checked(origin, with_findings(result, exchange.findings, exchange.body, validator.policy))


def _open_reporters(
    options: ProbeOptions, out: TextIO, err: TextIO, stack: ExitStack, secrets: Secrets
) -> tuple[list[Reporter], list[ReportFile]] | None:
    console = ReportOptions(quiet=options.quiet, verbose=options.verbose, fail_on=options.fail_on)
    return open_reporters(options.output_format, options.outputs, console, (out, err), stack, secrets)
