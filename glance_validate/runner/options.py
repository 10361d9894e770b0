"""What a run is asked to do: ``RunOptions``, as plain values, and the policy they resolve to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from glance_validate.core.severity import Severity
from glance_validate.inputs.discover import InputFormat
from glance_validate.inputs.reading import DEFAULT_MAX_BYTES, DEFAULT_PIPE_TIMEOUT
from glance_validate.report.formats import DEFAULT_MAX_FINDINGS
from glance_validate.schema.documents import SchemaSpec

if TYPE_CHECKING:
    from glance_validate.checks.config import Policy, Settings
    from glance_validate.schema.remote import SchemaOptions

JSONL_RANGE_BYTES = 8 * 1024 * 1024  # a JSON Lines file is split into ranges of this size

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
    allow_empty: bool = False  # a run that finds no payload to check passes (else exit 4)
    input_format: InputFormat | None = None
    # how to report
    output_format: str = "text"
    outputs: tuple[tuple[str, str], ...] = ()  # (format, path) reports written to files
    quiet: bool = False
    verbose: int = 0
    color: ColorChoice = "auto"
    progress: bool | None = None  # None: on a terminal, outside CI and pre-commit
    max_findings: int = DEFAULT_MAX_FINDINGS  # findings shown per payload; 0: all
    # how to decide
    fail_on: Severity = "error"
    rules: Settings | None = None  # --select, --ignore, --fail-on, --profile, --strict as given
    policy: Policy | None = None  # resolved by run() from pyproject.toml and ``rules``
    # how to run
    jobs: int | Literal["auto"] = 1  # 0: one per CPU; auto: from the size of the input (workers.py)
    jsonl_range_bytes: int = JSONL_RANGE_BYTES  # JSON Lines files are split into tasks of this size
    max_bytes: int = DEFAULT_MAX_BYTES  # larger inputs, lines and bodies are P011, never read whole
    pipe_timeout: float = DEFAULT_PIPE_TIMEOUT  # seconds a FIFO, device or stdin pipe may stay silent


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
