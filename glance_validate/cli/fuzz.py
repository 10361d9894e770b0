"""The ``fuzz`` command: generated payloads (valid, or broken with their expected finding) to files."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("fuzz")
@click.option(
    "-n", "--count", type=click.IntRange(min=1), default=10, show_default=True, help="Payloads to write."
)
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, dir_okay=True, path_type=Path),
    help="Directory for NAME.json and NAME.expected.json (created if missing).",
)
@click.option(
    "--invalid", is_flag=True, help="Break each payload in one way; its finding is the expectation."
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Seed: the same seed writes the same files. Default: random, printed.",
)
@click.option(
    "--schema",
    default="ims",
    show_default=True,
    metavar="NAME|PATH|-",
    help="Builtin schema, schema file, or - for stdin.",
)
@click.option(
    "--kind",
    type=click.Choice(["image-list", "image"]),
    default="image-list",
    show_default=True,
    help="List pages (GET /v2/images) or single images (GET /v2/images/{id}).",
)
@click.option(
    "--max-images",
    type=click.IntRange(0, 1000),
    default=5,
    show_default=True,
    help="Images per page at most.",
)
def fuzz(
    count: int, out: Path, invalid: bool, seed: int | None, schema: str, kind: str, max_images: int
) -> None:
    """Write generated Glance payloads and their expected findings to a directory."""
    from glance_validate.cli.guard import exit_with
    from glance_validate.generate.fuzz import FuzzOptions, run

    options = FuzzOptions(
        out=out,
        count=count,
        invalid=invalid,
        seed=seed,
        schema=schema,
        kind="image" if kind == "image" else "image-list",
        max_images=max_images,
    )
    exit_with(lambda: run(options, sys.stdout, sys.stderr))
