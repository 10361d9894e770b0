"""The command line: parse arguments, call the library, exit with its code. Nothing else.

``glance-validate PATH...`` is short for ``glance-validate check PATH...``: the group runs
``check`` when the first argument is not one of its commands.
"""

from __future__ import annotations

import sys

import click

from glance_validate import __version__

FORMATS = ("text", "json")
DEFAULT_COMMAND = "check"


class DefaultCommandGroup(click.Group):
    """A group that treats arguments that name no command as arguments of ``check``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help", "-V", "--version"):
            args = [DEFAULT_COMMAND, *args]
        return super().parse_args(ctx, args)


@click.group(
    cls=DefaultCommandGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "-V", "--version", prog_name="glance-validate")
def main() -> None:
    """Validate OpenStack Glance image records against the images schema.

    Exit codes: 0 no error findings, 1 error findings, 2 usage error, 3 the tool could not do
    its job (for example an unusable schema).
    """


@main.command()
@click.option(
    "--schema",
    "schema",
    default="ims",
    show_default=True,
    metavar="NAME|PATH|-",
    help="Builtin schema (ims, glance), a schema file, or - for stdin.",
)
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
def check(schema: str, output_format: str, quiet: bool, paths: tuple[str, ...]) -> None:
    """Validate payloads (files, or - for stdin): image lists, images, schemas, error bodies."""
    from glance_validate.runner import RunOptions, run

    if schema == "-" and "-" in paths:
        raise click.UsageError("stdin (-) can be either the schema or a payload, not both")
    options = RunOptions(paths=paths, schema=schema, output_format=output_format, quiet=quiet)
    sys.exit(run(options, sys.stdout, sys.stderr))
