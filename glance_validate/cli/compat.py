"""The ``compat`` command: which Glance releases accept each payload (see ``analysis.compat``)."""

from __future__ import annotations

import sys

import click


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
    from glance_validate.analysis.compat import CompatOptions, run_compat
    from glance_validate.cli.guard import exit_with

    options = CompatOptions(paths=paths, output_format="json" if output_format == "json" else "text")
    exit_with(lambda: run_compat(options, sys.stdout, sys.stderr))
