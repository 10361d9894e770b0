"""The work of a run, planned as tasks: whole inputs, or byte ranges of big JSON Lines files.

A task is done on its own, in this process or in a worker, and gives its checked payloads in order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from glance_validate.inputs.discover import Input
from glance_validate.inputs.payloads import Payload
from glance_validate.inputs.reading import DEFAULT_LIMITS, Limits
from glance_validate.report.values import Checked
from glance_validate.runner.check import check_payload
from glance_validate.runner.options import JSONL_RANGE_BYTES

if TYPE_CHECKING:
    from glance_validate.checks.validation import Validator


@dataclass(frozen=True)
class Task:
    """Work a worker does on its own: a whole input, or a byte range of a JSON Lines file."""

    input: Input
    start: int = 0
    end: int | None = None  # None: the whole input
    last: bool = True  # the last task of its input
    limits: Limits = DEFAULT_LIMITS
    streamed: bool = False  # read in the main process as it arrives: stdin, FIFOs, devices


@dataclass(frozen=True)
class TaskResult:
    checked: tuple[Checked, ...]
    lines: int = 0  # lines a JSON Lines range went through
    error: str | None = None  # the tool failed on this input (a bug): exit code 3


def plan(
    inputs_found: Sequence[Input], range_bytes: int = JSONL_RANGE_BYTES, limits: Limits = DEFAULT_LIMITS
) -> list[Task]:
    """Tasks in input order; big JSON Lines files become several ranges.

    Standard input, FIFOs, devices and compressed files are streamed in the main process: they cannot be split
    into ranges or handed to a worker, and their payloads are reported as they arrive.
    """
    from glance_validate.inputs.reading import is_compressed, is_stream

    tasks: list[Task] = []
    for item in inputs_found:
        # a compressed file is read as a stream too: its byte offsets are not those of its lines
        streamed = item.problem is None and (
            item.path is None or is_stream(item.path) or is_compressed(item.path)
        )
        if item.format == "jsonl" and item.problem is None and not streamed:
            assert item.path is not None
            from glance_validate.inputs.jsonlines import jsonl_ranges

            ranges = jsonl_ranges(item.path, range_bytes)
            tasks.extend(Task(item, s, e, i == len(ranges) - 1, limits) for i, (s, e) in enumerate(ranges))
        else:
            tasks.append(Task(item, limits=limits, streamed=streamed))
    return tasks


def run_task(validator: Validator, task: Task, stdin: BinaryIO | None = None) -> TaskResult:
    """Check the payloads of one task; an exception of the tool is the task's error, not the run's."""
    from glance_validate.inputs import readers

    try:
        if task.end is None:
            payloads: Iterator[Payload] = readers.read(task.input, stdin, task.limits)
            return TaskResult(tuple(check_payload(validator, p) for p in payloads))
        from glance_validate.inputs import jsonlines

        count = jsonlines.LineCount()
        payloads = jsonlines.read_jsonl_range(task.input, task.start, task.end, count, task.limits.max_bytes)
        return TaskResult(tuple(check_payload(validator, p) for p in payloads), count.lines)
    except Exception as exc:  # a bug must not lose the other inputs; reported, exit code 3
        return TaskResult((), error=f"{type(exc).__name__}: {exc}")
