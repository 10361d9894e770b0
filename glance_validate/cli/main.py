"""The command line: the ``glance-validate`` group and its ``check`` command.

Every command only parses its arguments into the options of a library function, calls it and
exits with the code it returns (``cli.guard``); each command has its own module here.

``glance-validate PATH...`` is short for ``glance-validate check PATH...``: the group runs
``check`` when the first argument is not one of its commands.

The options of ``check`` are grouped in lists (schema, inputs, output, rules, run) and each
option's parameter name is a field of ``runner.RunOptions`` (the rule options become its
``rules`` settings layer): adding an option is adding a decorator to a group and a field to
``RunOptions``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from glance_validate.cli.probe import PROBE_OPTIONS, probe
from glance_validate.cli.schema import REMOTE_OPTIONS, SCHEMA_OPTION, schema, take_schema_options
from glance_validate.core.severity import SEVERITIES
from glance_validate.core.version import __version__
from glance_validate.report.formats import DEFAULT_MAX_FINDINGS, FORMATS

INPUT_FORMATS = ("auto", "json", "jsonl", "har", "http")
DEFAULT_COMMAND = "check"

F = TypeVar("F", bound=Callable[..., Any])


# Commands imported when they run or a help text lists them: `check` and `--version` start
# without their modules and the options they declare.
LAZY_COMMANDS = {
    "compat": ("glance_validate.cli.compat", "compat"),
    "explain": ("glance_validate.cli.rules", "explain"),
    "fuzz": ("glance_validate.cli.fuzz", "fuzz"),
    "rules": ("glance_validate.cli.rules", "rules"),
}


class DefaultCommandGroup(click.Group):
    """A group that treats arguments that name no command as arguments of ``check``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not self._names(args[0]) and args[0] not in ("-h", "--help", "-V", "--version"):
            args = [DEFAULT_COMMAND, *args]
        return super().parse_args(ctx, args)

    def _names(self, name: str) -> bool:
        return name in self.commands or name in LAZY_COMMANDS

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in LAZY_COMMANDS:
            import importlib

            module, attribute = LAZY_COMMANDS[name]
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return super().get_command(ctx, name)


@click.group(
    cls=DefaultCommandGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "-V", "--version", prog_name="glance-validate")
def main() -> None:
    """Validate OpenStack Glance image records against the images schema.

    glance-validate PATH... is short for glance-validate check PATH...

    Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 usage error, 3 the tool could
    not do its job (an unusable schema, an unreadable input, an internal error), 4 nothing
    checked (no payload found; --allow-empty passes), 130 interrupted (Ctrl-C, SIGTERM, SIGHUP).
    """


def _parse_outputs(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    parsed = []
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not path or name not in FORMATS:
            raise click.BadParameter(
                f"{value!r}: expected FORMAT=PATH with FORMAT one of {', '.join(FORMATS)}"
            )
        parsed.append((name, path))
    return tuple(parsed)


def _input_format(ctx: click.Context, param: click.Parameter, value: str) -> str | None:
    return None if value == "auto" else value


_SIZE_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


def _byte_size(ctx: click.Context, param: click.Parameter, value: str) -> int:
    """Bytes in '65536', '512K', '64M', '1G' (binary units; 'KiB', 'MB' and the like read the same)."""
    import re

    match = re.fullmatch(r"\s*([0-9]+)\s*([kmg]?)(?:i?b)?\s*", value, re.IGNORECASE)
    if match is None or int(match.group(1)) == 0:
        raise click.BadParameter(f"{value!r}: expected a positive size such as 65536, 512K, 64M or 1G")
    return int(match.group(1)) * _SIZE_UNITS[match.group(2).lower()]


SCHEMA_OPTIONS = [SCHEMA_OPTION, *REMOTE_OPTIONS]

INPUT_OPTIONS = [
    click.option(
        "--allow-empty",
        "allow_empty",
        is_flag=True,
        help="Pass (exit 0) when no payload is found to check; without it such a run exits 4.",
    ),
    click.option(
        "--include",
        "include",
        multiple=True,
        metavar="GLOB",
        help="Under directories, read only files matching GLOB (repeatable; default: *.json *.jsonl "
        "*.ndjson *.har *.http). A GLOB with / matches the path below the directory.",
    ),
    click.option(
        "--exclude",
        "exclude",
        multiple=True,
        metavar="GLOB",
        help="Under directories, skip files and directories matching GLOB (repeatable).",
    ),
    click.option(
        "--input-format",
        "input_format",
        type=click.Choice(INPUT_FORMATS),
        default="auto",
        show_default=True,
        callback=_input_format,
        help="How to read inputs; auto: by suffix (.json .jsonl .ndjson .har .http) and content.",
    ),
    click.option(
        "--max-bytes",
        "max_bytes",
        default="64M",
        show_default=True,
        metavar="SIZE",
        callback=_byte_size,
        help="Largest input, JSON Lines line or decompressed body read into memory (K, M, G "
        "suffixes); a larger one is a P011 finding and is not read.",
    ),
    click.option(
        "--pipe-timeout",
        "pipe_timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=30.0,
        show_default=True,
        metavar="SECONDS",
        help="How long standard input, a FIFO or a device may send nothing before it is reported "
        "unreadable (P009; as --schema: exit 3).",
    ),
]

OUTPUT_OPTIONS = [
    click.option(
        "--format",
        "output_format",
        type=click.Choice(FORMATS),
        default="text",
        show_default=True,
        help="Report format on standard output.",
    ),
    click.option(
        "--output",
        "outputs",
        multiple=True,
        metavar="FORMAT=PATH",
        callback=_parse_outputs,
        help="Also write a report in FORMAT to PATH (repeatable).",
    ),
    click.option(
        "-q", "--quiet", "quiet", is_flag=True, help="Print findings only: no summary, no progress."
    ),
    click.option(
        "-v", "--verbose", "verbose", count=True, help="Also print a line for every payload checked."
    ),
    click.option(
        "--color",
        "color",
        type=click.Choice(("auto", "always", "never")),
        default="auto",
        show_default=True,
        help="Colour text output; auto: on a terminal unless NO_COLOR is set.",
    ),
    click.option(
        "--progress/--no-progress",
        "progress",
        default=None,
        help="Show progress on stderr (default: on a terminal, outside CI and pre-commit).",
    ),
]


# Only check writes findings a payload at a time; probe reports what a crawl saw, whole.
SHOWN_OPTIONS = [
    click.option(
        "--max-findings",
        "max_findings",
        type=click.IntRange(min=0),
        default=DEFAULT_MAX_FINDINGS,
        show_default=True,
        metavar="N",
        help="Findings shown per payload (0: all); the rest are counted and named in one R001 "
        "finding, and still count in the summary and the exit code.",
    ),
]


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


class _Jobs(click.ParamType):  # type: ignore[type-arg]
    """A number of processes (0 or more), or ``auto``."""

    name = "jobs"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> object:
        if isinstance(value, int) or value == "auto":
            return value
        text = str(value).strip()
        if text.isdigit():
            return int(text)
        self.fail(f"{value!r} is not a number of processes (0 or more) or 'auto'.", param, ctx)


JOBS = _Jobs()

RUN_OPTIONS = [
    click.option(
        "-j",
        "--jobs",
        "jobs",
        type=JOBS,
        default=1,
        show_default=True,
        metavar="N|auto",
        help="Check files in N processes (0: one per CPU; auto: from the size of the input); "
        "the output is the same as with 1.",
    ),
]


def options(*groups: list[Callable[[F], F]]) -> Callable[[F], F]:
    """Apply groups of click options in the order they are listed (help lists them so)."""

    def decorate(command: F) -> F:
        for group in reversed(groups):
            for option in reversed(group):
                command = option(command)
        return command

    return decorate


@main.command()
@options(SCHEMA_OPTIONS, INPUT_OPTIONS, OUTPUT_OPTIONS, SHOWN_OPTIONS, RULE_OPTIONS, RUN_OPTIONS)
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
def check(**params: Any) -> None:
    """Validate payloads: image lists, images, schemas and error bodies.

    PATH is a file (.json, .jsonl/.ndjson, .har, a response saved with curl -i), a directory
    (searched recursively), or - for standard input.
    """
    from glance_validate.runner.options import RunOptions
    from glance_validate.runner.run import run

    if params["schema"] == "-" and "-" in params["paths"]:
        raise click.UsageError("stdin (-) can be either the schema or a payload, not both")
    from glance_validate.cli.guard import exit_with, refuse_quiet_with_verbose

    refuse_quiet_with_verbose(params)
    params = take_schema_options(params, click.get_current_context())
    params = take_rule_options(params)
    run_options = RunOptions(**params)
    exit_with(lambda: run(run_options, sys.stdout, sys.stderr), verbose=run_options.verbose)


@main.command("probe")
@options(PROBE_OPTIONS, OUTPUT_OPTIONS, RULE_OPTIONS)
def probe_command(**params: Any) -> None:
    """Crawl a live image API (GET only, bounded) and validate everything it serves.

    The versions document, both schemas, the image list page by page and on one page, each
    image, sorted and filtered lists: each answer is checked against the schema the endpoint
    serves, with every rule of check, and with what only a crawl sees (W codes).
    """
    probe(**take_rule_options(params))


main.add_command(schema)
