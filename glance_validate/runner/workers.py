"""The results of a run's file tasks in input order: computed here, or by a pool of worker processes.

With ``--jobs`` above 1 the tasks go to worker processes, each with its own validator; their
results come back in task order, so the output is the same as with one process.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING

from glance_validate.core.secrets import enforce
from glance_validate.runner.check import build_validator
from glance_validate.runner.options import RunOptions
from glance_validate.runner.redact import run_secrets
from glance_validate.runner.tasks import Task, TaskResult, run_task

if TYPE_CHECKING:
    from glance_validate.checks.validation import Validator
    from glance_validate.schema.dialect import Dialect

# How worker processes start; None: fork on Linux when this process runs no other thread (a
# worker is ready in milliseconds), spawn elsewhere (each worker imports what it needs).
# The functions handed to workers are top-level and take picklable values, so either works.
START_METHOD: str | None = None

_worker_validator: Validator | None = None


def task_results(
    tasks: list[Task], validator: Validator, dialect: Dialect, options: RunOptions, stack: ExitStack
) -> Iterator[TaskResult]:
    """Results of the file tasks in order: computed here, or by a pool of workers."""
    jobs = min(options.jobs if options.jobs > 0 else (os.cpu_count() or 1), len(tasks))
    if jobs <= 1:
        return (run_task(validator, t) for t in tasks)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = stack.enter_context(
        ProcessPoolExecutor(
            jobs,
            mp_context=multiprocessing.get_context(START_METHOD or _start_method()),
            initializer=_init_worker,
            initargs=(dialect, options),
        )
    )
    chunksize = max(1, min(32, len(tasks) // (jobs * 8)))
    return pool.map(_worker_task, tasks, chunksize=chunksize)


def next_result(results: Iterator[TaskResult], failure: list[str]) -> TaskResult:
    """The next result in order; once the worker processes have failed, every later task fails too."""
    if not failure:
        try:
            return next(results)
        except Exception as exc:  # BrokenProcessPool: a worker died or could not start
            failure.append(f"worker processes failed: {type(exc).__name__}: {exc}")
    return TaskResult((), error=failure[0])


def _init_worker(dialect: Dialect, options: RunOptions) -> None:
    global _worker_validator
    enforce(run_secrets(options))
    _worker_validator = build_validator(dialect, options)


def _worker_task(task: Task) -> TaskResult:
    assert _worker_validator is not None
    return run_task(_worker_validator, task)


def _start_method() -> str:
    import multiprocessing
    import sys
    import threading

    forking = sys.platform.startswith("linux") and threading.active_count() == 1
    return "fork" if forking and "fork" in multiprocessing.get_all_start_methods() else "spawn"
