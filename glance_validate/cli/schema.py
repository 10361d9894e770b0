"""The command line of schema sources and tools: options that reach a live endpoint, and the
``schema`` command group (show, lint, diff, fetch).

``REMOTE_OPTIONS`` is a list of click options that ``check`` and the ``schema`` commands share;
``take_schema_options`` turns their values into one ``SchemaOptions`` value (and ``--endpoint``
into the schema URL), so the commands pass a single value on. Everything here only parses,
calls the library and writes what it returns; the HTTP stack is imported only when used.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeVar

import click
from click.core import ParameterSource

from glance_validate.core.errors import SchemaUnavailable

if TYPE_CHECKING:
    from glance_validate.analysis.lint import LintedDocument
    from glance_validate.core.findings import Finding
    from glance_validate.schema.dialect import Dialect
    from glance_validate.schema.documents import SchemaDocument
    from glance_validate.schema.remote import SchemaOptions

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_TOOL_FAILURE = 0, 1, 2, 3
SEVERITIES = ("info", "warning", "error")


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    from glance_validate.net.cache import parse_duration

    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


_ENDPOINT = [
    click.option(
        "--endpoint",
        "endpoint",
        metavar="URL",
        envvar=["OS_IMAGE_URL", "OS_IMAGE_ENDPOINT"],
        help="Image endpoint of a cloud (https://image.example.com); the schema is fetched from "
        "URL/v2/schemas/images. Env: OS_IMAGE_URL, OS_IMAGE_ENDPOINT (used when --schema is not given).",
    ),
    click.option(
        "--token",
        "token",
        metavar="TOKEN",
        envvar=["OS_AUTH_TOKEN", "OS_TOKEN"],
        show_envvar=False,
        help="Token sent as X-Auth-Token, never to another host. Env: OS_AUTH_TOKEN, OS_TOKEN "
        "(preferred: a command line is visible to other users).",
    ),
]


def _os_cloud_option(does: str) -> Callable[[F], F]:
    return click.option(
        "--os-cloud",
        "os_cloud",
        metavar="NAME",
        help=f"Log in with cloud NAME of clouds.yaml and {does} (needs glance-validate[openstack]).",
    )


_CLOUD = [
    _os_cloud_option("fetch the schema from its image endpoint"),
    click.option(
        "--image-schema",
        "image_schema",
        is_flag=True,
        help="With --endpoint or --os-cloud: fetch /v2/schemas/image instead of /v2/schemas/images.",
    ),
]
_CLOUD_TOKEN = _os_cloud_option("send its token with the URLs given")
_TRANSPORT = [
    click.option(
        "--offline",
        "offline",
        is_flag=True,
        envvar="GLANCE_VALIDATE_OFFLINE",
        help="Use cached schemas only; never touch the network. Env: GLANCE_VALIDATE_OFFLINE=1.",
    ),
    click.option(
        "--cache-ttl",
        "cache_ttl",
        metavar="DURATION",
        callback=_duration,
        help="Use a cached schema younger than this without asking the server (0 revalidates "
        "every time; examples: 90s, 15m, 1h, 2d) [default: 1h; schema fetch: 0].",
    ),
    click.option(
        "--insecure", "insecure", is_flag=True, help="Do not verify the endpoint's TLS certificate."
    ),
    click.option(
        "--cacert",
        "cacert",
        metavar="FILE",
        envvar="OS_CACERT",
        help="Trust the CA certificates in FILE (PEM) instead of the system's. Env: OS_CACERT.",
    ),
    click.option(
        "--connect-timeout",
        "connect_timeout",
        type=click.FloatRange(min=0.05),
        metavar="SECONDS",
        help="Give up connecting (name lookup, TCP, TLS) after this long [default: 5].",
    ),
    click.option(
        "--read-timeout",
        "read_timeout",
        type=click.FloatRange(min=0.05),
        metavar="SECONDS",
        help="Give up when the whole response has not arrived this long after connecting [default: 15].",
    ),
]
# check, schema show and schema fetch: where the schema is, and how to fetch it.
REMOTE_OPTIONS = [_ENDPOINT[0], _ENDPOINT[1], *_CLOUD, *_TRANSPORT]
# schema lint and diff, whose schemas are arguments: how to fetch the URLs among them.
URL_OPTIONS = [_ENDPOINT[1], _CLOUD_TOKEN, *_TRANSPORT]
REMOTE_PARAMS = (
    "endpoint",
    "token",
    "os_cloud",
    "image_schema",
    "offline",
    "cache_ttl",
    "insecure",
    "cacert",
    "connect_timeout",
    "read_timeout",
)


def _decorate_with(options: Sequence[Callable[[F], F]]) -> Callable[[F], F]:
    """A decorator adding ``options`` to a command, listed in this order in its help."""

    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


remote_options = _decorate_with(REMOTE_OPTIONS)
url_options = _decorate_with(URL_OPTIONS)


def take_schema_options(
    params: dict[str, Any],
    ctx: click.Context,
    *,
    schema_param: str = "schema",
    default_ttl: float | None = None,
) -> dict[str, Any]:
    """Replace the remote options in ``params`` with ``schema_options`` (None for a local schema).

    ``--endpoint`` becomes the schema URL. An endpoint from the environment yields to an
    explicit ``--schema``; given on the command line next to ``--schema`` it is a usage error.
    """
    from glance_validate.net.urls import is_url

    values = {name: params.pop(name) for name in REMOTE_PARAMS}
    explicit = ctx.get_parameter_source(schema_param) not in (None, ParameterSource.DEFAULT)
    endpoint = values["endpoint"]
    if endpoint and explicit:
        if ctx.get_parameter_source("endpoint") is not ParameterSource.COMMANDLINE:
            endpoint = None
        else:
            raise click.UsageError("--endpoint and --schema both name the schema; give one of them")
    spec = params.get(schema_param)
    if values["os_cloud"] and explicit and not is_url(spec):
        raise click.UsageError(
            "--os-cloud fetches the schema from the cloud's image endpoint; leave --schema out, "
            "or give --schema a URL to fetch with the cloud's token"
        )
    if endpoint:
        from glance_validate.net.urls import endpoint_url

        params[schema_param] = spec = endpoint_url(endpoint, image=values["image_schema"])
    params["schema_options"] = (
        _schema_options(values, default_ttl) if is_url(spec) or values["os_cloud"] else None
    )
    return params


def _schema_options(values: dict[str, Any], default_ttl: float | None) -> SchemaOptions:
    from glance_validate.schema.remote import SchemaOptions

    return SchemaOptions(
        token=values["token"] or None,
        os_cloud=values["os_cloud"],
        image_schema=bool(values["image_schema"]),
        offline=bool(values["offline"]),
        cache_ttl=values["cache_ttl"] if values["cache_ttl"] is not None else default_ttl,
        insecure=bool(values["insecure"]),
        cacert=values["cacert"],
        connect_timeout=values["connect_timeout"],
        read_timeout=values["read_timeout"],
    )


def remote_options_for(params: dict[str, Any]) -> SchemaOptions:
    """``SchemaOptions`` for commands whose schemas are arguments (lint, diff): always a value."""
    values = {name: params.pop(name, None) for name in REMOTE_PARAMS}
    return _schema_options(values, None)


# The schema command group ---------------------------------------------------------------------


@click.group("schema")
def schema() -> None:
    """Schema documents: show one as a table, lint, compare two, fetch and pin one.

    A schema is a builtin name (ims, glance), a file, - for stdin, or an http(s) URL of a
    GET /v2/schemas/images or /v2/schemas/image document.
    """


def _schema_option(default: str | None) -> Callable[[F], F]:
    return click.option(
        "--schema",
        "schema",
        default=default,
        show_default=default is not None,
        metavar="NAME|PATH|URL|-",
        help="Builtin schema (ims, glance), a schema file, an http(s) URL, or - for stdin.",
    )


def _format_option(command: F) -> F:
    return click.option(
        "--format", "output_format", type=click.Choice(("text", "json")), default="text", show_default=True
    )(command)


@schema.command("show")
@_schema_option("ims")
@remote_options
@_format_option
def show(**params: Any) -> None:
    """Print the image schema as a table: property, type, enum, base/custom, read-only."""
    ctx = click.get_current_context()
    params = take_schema_options(params, ctx)
    dialect = _load_or_exit(params["schema"], params["schema_options"])
    from glance_validate.analysis.table import describe_additional, property_rows, render_table, rows_as_json

    rows = property_rows(dialect)
    if params["output_format"] == "json":
        document = {
            "schema": dialect.name,
            "properties": rows_as_json(rows),
            "additional_properties": describe_additional(dialect),
            "findings": [f.as_dict() for f in dialect.findings],
        }
        _write_json(document, sys.stdout)
    else:
        sys.stdout.write(render_table(rows))
        base, custom = len(dialect.base_properties), len(dialect.custom_properties)
        sys.stdout.write(
            f"{dialect.name}: {base + custom} image properties ({base} base, {custom} custom); "
            f"other properties: {describe_additional(dialect)}\n"
        )
    for f in dialect.findings:
        sys.stderr.write(_finding_text(f, f"schema {dialect.name}") + "\n")
    sys.exit(EXIT_OK)


@schema.command("lint")
@url_options
@_format_option
@click.option(
    "--min-severity",
    "min_severity",
    type=click.Choice(SEVERITIES),
    default="info",
    show_default=True,
    help="Print findings of this severity and above.",
)
@click.option("-q", "--quiet", "quiet", is_flag=True, help="Print findings only, no summary.")
@click.argument("sources", nargs=-1, required=True, metavar="PATH|URL...")
def lint(**params: Any) -> None:
    """Lint schema documents: dialect quirks, Draft 4 validity, unknown keywords, enums, patterns.

    Exit codes: 0 no error findings, 1 error findings, 3 a document could not be read (the
    others are still linted and reported).
    """
    from glance_validate.analysis.lint import lint_source

    options = remote_options_for(params)
    results = [lint_source(source, options) for source in params["sources"]]
    shown = SEVERITIES[SEVERITIES.index(params["min_severity"]) :]
    if params["output_format"] == "json":
        _write_json(_lint_json(results, shown), sys.stdout)
    else:
        _write_lint_text(results, shown, quiet=params["quiet"])
    sys.exit(_lint_exit(results))


def _write_lint_text(results: Sequence[LintedDocument], shown: Sequence[str], *, quiet: bool) -> None:
    for result in results:
        for note in result.notes:
            sys.stderr.write(f"glance-validate: warning: {note}\n")
        if result.problem is not None:
            sys.stderr.write(f"glance-validate: {result.problem}\n")
        for f in result.findings:
            if f.severity in shown:
                sys.stdout.write(_finding_text(f, result.source) + "\n")
    if not quiet:
        sys.stdout.write(_lint_summary(results) + "\n")


def _lint_counts(results: Sequence[LintedDocument]) -> dict[str, Any]:
    counts = {"error": 0, "warning": 0, "info": 0}
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


def _lint_exit(results: Sequence[LintedDocument]) -> int:
    if any(r.problem is not None for r in results):
        return EXIT_TOOL_FAILURE
    if any(f.severity == "error" for r in results for f in r.findings):
        return EXIT_FINDINGS
    return EXIT_OK


@schema.command("diff")
@url_options
@_format_option
@click.argument("schema_a", metavar="A")
@click.argument("schema_b", metavar="B")
def diff(**params: Any) -> None:
    """List what differs from schema A to schema B, with the effect on payloads.

    A and B are each a builtin name, a file or a URL. Exit codes: 0 no differences, 1
    differences, 3 a schema could not be read.
    """
    from glance_validate.analysis.diff import changes_as_json, diff_dialects, render_diff
    from glance_validate.net.urls import is_url

    options = remote_options_for(params)
    a, b = (
        _load_or_exit(spec, options if is_url(spec) else None)
        for spec in (params["schema_a"], params["schema_b"])
    )
    try:
        changes = diff_dialects(a, b)
    except SchemaUnavailable as exc:
        _fail(str(exc))
    if params["output_format"] == "json":
        _write_json({"a": a.name, "b": b.name, "changes": changes_as_json(changes)}, sys.stdout)
    else:
        sys.stdout.write(render_diff(changes, a.name, b.name))
    sys.exit(EXIT_FINDINGS if changes else EXIT_OK)


@schema.command("fetch")
@_schema_option(None)
@remote_options
@click.option(
    "-o",
    "--output",
    "output",
    default="-",
    show_default=True,
    metavar="FILE",
    help="Write the schema document to FILE (- for standard output).",
)
def fetch_command(**params: Any) -> None:
    """Fetch a served schema and write it to a file, so a repository can pin it.

    Give --endpoint (or OS_IMAGE_URL), --schema URL or --os-cloud NAME. The cached copy is
    revalidated unless --cache-ttl says otherwise; with --offline the cached copy is written.
    """
    ctx = click.get_current_context()
    params = take_schema_options(params, ctx, default_ttl=0.0)
    if params["schema_options"] is None:
        raise click.UsageError("give --endpoint URL, --schema URL or --os-cloud NAME to fetch from")
    from glance_validate.schema.sources import load_schema

    try:
        source = load_schema(params["schema"], remote=params["schema_options"])
        dialect = _compile(source)
        _write_document(source.document, params["output"])
    except SchemaUnavailable as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot write {params['output']}: {exc.strerror or exc}")
    for note in source.notes:
        sys.stderr.write(f"glance-validate: warning: {note}\n")
    where = "standard output" if params["output"] == "-" else params["output"]
    count = len(dialect.image_properties)
    sys.stderr.write(f"glance-validate: wrote {source.name} ({count} image properties) to {where}\n")
    sys.exit(EXIT_OK)


def _write_document(document: dict[str, Any], output: str) -> None:
    import json

    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output == "-":
        sys.stdout.write(text)
        return
    from glance_validate.net.cache import write_text_atomically

    write_text_atomically(Path(output), text, mode=0o644)


# Shared helpers -------------------------------------------------------------------------------


def _load_or_exit(spec: str, options: SchemaOptions | None) -> Dialect:
    """The compiled schema, or exit 3 with the one-line reason (and warnings on stderr)."""
    from glance_validate.schema.sources import load_schema

    try:
        source = load_schema(spec, remote=options)
        dialect = _compile(source)
    except SchemaUnavailable as exc:
        _fail(str(exc))
    for note in source.notes:
        sys.stderr.write(f"glance-validate: warning: {note}\n")
    return dialect


def _compile(source: SchemaDocument) -> Dialect:
    from glance_validate.schema.dialect import compile_dialect

    return compile_dialect(source)


def _fail(message: str) -> NoReturn:
    sys.stderr.write(f"glance-validate: {message}\n")
    sys.exit(EXIT_TOOL_FAILURE)


def _finding_text(f: Finding, source: str) -> str:
    """The line ``check`` prints for a finding, with the source (and line:column when known)."""
    from glance_validate.report.render import printable, text_line

    where = printable(source) if f.line is None else f"{printable(source)}:{f.line}:{f.column}"
    return text_line(where, f)


def _write_json(value: object, out: TextIO) -> None:
    import json

    json.dump(value, out, indent=2, ensure_ascii=False)
    out.write("\n")
