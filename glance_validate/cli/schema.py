"""The command line of schema sources and tools: options that reach a live endpoint, and the
``schema`` command group (show, lint, diff, fetch).

``REMOTE_OPTIONS`` is a list of click options that ``check`` and the ``schema`` commands share;
``take_schema_options`` turns their values into one ``SchemaOptions`` value (and ``--endpoint``
into the schema URL), so the commands pass a single value on. The commands only parse into the
options of ``analysis.schema_commands``; the HTTP stack is imported only when used.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

from glance_validate.cli.network import TOKEN_OPTION, endpoint_option, os_cloud_option, tls_and_timeouts
from glance_validate.core.severity import SEVERITIES
from glance_validate.net.timeouts import SCHEMA_CONNECT_TIMEOUT, SCHEMA_READ_TIMEOUT

if TYPE_CHECKING:
    from glance_validate.schema.remote import SchemaOptions

F = TypeVar("F", bound=Callable[..., Any])


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    from glance_validate.net.cache import parse_duration

    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


_ENDPOINT = [
    endpoint_option(
        "; the schema is fetched from URL/v2/schemas/images. Env: OS_IMAGE_URL, OS_IMAGE_ENDPOINT "
        "(used when --schema is not given)"
    ),
    TOKEN_OPTION,
]
_CLOUD = [
    os_cloud_option("fetch the schema from its image endpoint"),
    click.option(
        "--image-schema",
        "image_schema",
        is_flag=True,
        help="With --endpoint or --os-cloud: fetch /v2/schemas/image instead of /v2/schemas/images.",
    ),
]
_CLOUD_TOKEN = os_cloud_option("send its token with the URLs given")


def _transport(cache_ttl_default: str) -> list[Callable[[F], F]]:
    """How to fetch: offline, cache, TLS, timeouts (``--cache-ttl`` says the command's default)."""
    return [
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
            f"every time; examples: 90s, 15m, 1h, 2d) [default: {cache_ttl_default}].",
        ),
        *tls_and_timeouts(SCHEMA_CONNECT_TIMEOUT, SCHEMA_READ_TIMEOUT),
    ]


# A cached schema younger than DEFAULT_TTL (net.cache) is used as it is; schema fetch revalidates.
_TRANSPORT = _transport("1h")
FETCH_CACHE_TTL = 0.0

# check, schema show and schema fetch: where the schema is, and how to fetch it.
REMOTE_OPTIONS = [_ENDPOINT[0], _ENDPOINT[1], *_CLOUD, *_TRANSPORT]
# schema fetch: the same, but a cached copy is revalidated unless --cache-ttl says otherwise.
FETCH_OPTIONS = [_ENDPOINT[0], _ENDPOINT[1], *_CLOUD, *_transport("0")]
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
fetch_options = _decorate_with(FETCH_OPTIONS)


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


# The schema a command checks against: check and every schema subcommand that reads one.
SCHEMA_OPTION = click.option(
    "--schema",
    "schema",
    default="ims",
    show_default=True,
    metavar="NAME|PATH|URL|-",
    help="Builtin schema (ims, glance), a schema file, an http(s) URL of one, or - for stdin.",
)


def _format_option(command: F) -> F:
    return click.option(
        "--format", "output_format", type=click.Choice(("text", "json")), default="text", show_default=True
    )(command)


@schema.command("show")
@SCHEMA_OPTION
@remote_options
@_format_option
def show(**params: Any) -> None:
    """Print the image schema as a table: property, type, enum, base/custom, read-only."""
    from glance_validate.analysis.schema_commands import ShowOptions, run_show

    params = take_schema_options(params, click.get_current_context())
    options = ShowOptions(
        schema=params["schema"],
        schema_options=params["schema_options"],
        output_format=params["output_format"],
    )
    _exit_with(lambda: run_show(options, sys.stdout, sys.stderr))


@schema.command("lint")
@url_options
@_format_option
@click.option(
    "--min-severity",
    "min_severity",
    type=click.Choice(SEVERITIES[::-1]),
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
    from glance_validate.analysis.schema_commands import LintOptions, run_lint

    options = LintOptions(
        sources=params["sources"],
        schema_options=remote_options_for(params),
        output_format=params["output_format"],
        min_severity=params["min_severity"],
        quiet=params["quiet"],
    )
    _exit_with(lambda: run_lint(options, sys.stdout, sys.stderr))


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
    from glance_validate.analysis.schema_commands import DiffOptions, run_diff

    options = DiffOptions(
        schema_a=params["schema_a"],
        schema_b=params["schema_b"],
        schema_options=remote_options_for(params),
        output_format=params["output_format"],
    )
    _exit_with(lambda: run_diff(options, sys.stdout, sys.stderr))


@schema.command("fetch")
@click.option(
    "--schema",
    "schema",
    default=None,
    metavar="URL",
    help="The http(s) URL of a served schema (or give --endpoint or --os-cloud).",
)
@fetch_options
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
    from glance_validate.analysis.schema_commands import FetchOptions, run_fetch

    params = take_schema_options(params, click.get_current_context(), default_ttl=FETCH_CACHE_TTL)
    if params["schema_options"] is None:
        raise click.UsageError("give --endpoint URL, --schema URL or --os-cloud NAME to fetch from")
    options = FetchOptions(
        schema=params["schema"], schema_options=params["schema_options"], output=params["output"]
    )
    _exit_with(lambda: run_fetch(options, sys.stdout, sys.stderr))


def _exit_with(action: Callable[[], int]) -> None:
    from glance_validate.cli.guard import exit_with

    exit_with(action)
