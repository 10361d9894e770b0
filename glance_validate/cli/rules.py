"""The ``rules`` and ``explain`` commands: the finding catalogue (see ``analysis.rulebook``)."""

from __future__ import annotations

import sys

import click


@click.command("rules")
@click.option(
    "--format", "output_format", type=click.Choice(("text", "json")), default="text", show_default=True
)
def rules(output_format: str) -> None:
    """List every finding code, grouped by family."""
    from glance_validate.analysis.rulebook import RulesOptions, run_rules
    from glance_validate.cli.guard import exit_with

    options = RulesOptions(output_format="json" if output_format == "json" else "text")
    exit_with(lambda: run_rules(options, sys.stdout, sys.stderr))


@click.command("explain")
@click.argument("code")
def explain(code: str) -> None:
    """Print what a finding code means, why it matters and an example."""
    from glance_validate.analysis.rulebook import ExplainOptions, run_explain
    from glance_validate.cli.guard import exit_with

    options = ExplainOptions(code=code)
    exit_with(lambda: run_explain(options, sys.stdout, sys.stderr))
