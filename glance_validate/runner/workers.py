"""The results of a run's file tasks in input order: computed here, or by a pool of worker processes.

With ``--jobs`` above 1 the tasks go to worker processes, each with its own validator; their
results come back in task order, so the output is the same as with one process.

Workers never outlive the run: on Linux each asks the kernel for SIGKILL when its parent dies
(even by SIGKILL), and a run that stops early (an exception, Ctrl-C, SIGTERM) kills them
rather than waiting for their queued tasks.
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
    from concurrent.futures import ProcessPoolExecutor

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

    pool = ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context(START_METHOD or _start_method()),
        initializer=_init_worker,
        initargs=(dialect, options, os.getpid()),
    )
    stack.push(lambda kind, exc, tb: _close_pool(pool, finished=kind is None))
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


def _close_pool(pool: ProcessPoolExecutor, *, finished: bool) -> bool:
    """Wait for the workers of a finished run; kill those of a run that stopped early."""
    if not finished:
        # The pool has no public way to stop running tasks (Python 3.14 adds terminate_workers).
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.kill()
    pool.shutdown(wait=finished, cancel_futures=not finished)
    return False


def _init_worker(dialect: Dialect, options: RunOptions, parent: int) -> None:
    global _worker_validator
    _die_with_parent(parent)
    enforce(run_secrets(options))
    _worker_validator = build_validator(dialect, options)


def _worker_task(task: Task) -> TaskResult:
    assert _worker_validator is not None
    return run_task(_worker_validator, task)


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this worker when its parent dies; restore the default signal handlers.

    A forked worker inherits the command line's SIGTERM and SIGHUP handlers, meant for the main
    process only. The parent may have died before the request was made: then exit at once.
    """
    import signal
    import sys

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def _start_method() -> str:
    import multiprocessing
    import sys
    import threading

    forking = sys.platform.startswith("linux") and threading.active_count() == 1
    return "fork" if forking and "fork" in multiprocessing.get_all_start_methods() else "spawn"
