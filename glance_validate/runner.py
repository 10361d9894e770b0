"""One run over many inputs: the logic behind the command line, returning an exit code."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO

from glance_validate.errors import SchemaUnavailable
from glance_validate.findings import Result
from glance_validate.report import RENDERERS, Checked, RunReport
from glance_validate.sources import SchemaSpec

if TYPE_CHECKING:
    from glance_validate.validation import Validator

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_TOOL_FAILURE = 3


@dataclass(frozen=True)
class RunOptions:
    paths: Sequence[str]
    schema: SchemaSpec = "ims"
    output_format: str = "text"
    quiet: bool = False


def run(options: RunOptions, out: TextIO, err: TextIO, stdin: BinaryIO | None = None) -> int:
    """Validate every input, render the report to ``out``; problems of the tool go to ``err``."""
    from glance_validate.validation import Validator

    started = time.perf_counter()
    try:
        validator = Validator(options.schema)
    except SchemaUnavailable as exc:
        err.write(f"glance-validate: {exc}\n")
        return EXIT_TOOL_FAILURE
    checked = tuple(_check(validator, path, stdin) for path in options.paths)
    report = RunReport(
        schema_name=validator.dialect.name,
        schema_findings=validator.dialect.findings,
        checked=checked,
        seconds=time.perf_counter() - started,
    )
    RENDERERS[options.output_format](report, out, quiet=options.quiet)
    return EXIT_OK if all(c.result.ok for c in checked) else EXIT_FINDINGS


def _check(validator: Validator, path: str, stdin: BinaryIO | None) -> Checked:
    if path == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        result: Result = validator.validate_bytes(stream.read())
        return Checked("<stdin>", result)
    return Checked(path, validator.validate_file(Path(path)))
