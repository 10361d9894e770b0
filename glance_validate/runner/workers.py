"""The results of a run's file tasks in input order: computed here, or by a pool of worker processes.

With ``--jobs`` above 1 the tasks go to worker processes, each with its own validator; their
results come back in task order, so the output is the same as with one process. Either way the
results carry the line numbers of their file: a range of a JSON Lines file numbers its lines
from 1, and the lines of the ranges before it are added here.

What crosses back from a worker is packed (``_pack``): an origin as a plain tuple, and one
shared object for every result without findings, so the pickle holds one copy of it per chunk.
Unpickling frozen dataclasses one by one cost the main process more than the checking it was
spared (a JSON Lines range of 8,000 lines: 55 ms to unpickle, 12 ms packed).

Workers never outlive the run: on Linux each asks the kernel for SIGKILL when its parent dies
(even by SIGKILL), and a run that stops early (an exception, Ctrl-C, SIGTERM) kills them
rather than waiting for their queued tasks.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, suppress
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from glance_validate.core.findings import Result
from glance_validate.core.secrets import enforce
from glance_validate.core.signals import TERMINATION_SIGNALS, deferred_stop_signals, release_stop_signals
from glance_validate.inputs.payloads import Origin
from glance_validate.report.values import Checked
from glance_validate.runner.check import build_validator, shifted
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

# The validator a forked worker inherits from the main process (set just before the pool starts).
_worker_validator: Validator | None = None

# An origin as it crosses back from a worker: Origin's fields in order.
_OriginFields = tuple[str, "str | None", "int | None", "int | None", "str | None", "int | None", bool]
_Packed = tuple[tuple[tuple[_OriginFields, Result], ...], int, "str | None"]


def task_results(
    tasks: list[Task], validator: Validator, dialect: Dialect, options: RunOptions, stack: ExitStack
) -> Iterator[TaskResult]:
    """Results of the file tasks in order, with the line numbers of their files."""
    jobs = min(processes(options.jobs, tasks), len(tasks))
    if jobs <= 1:
        return _numbered(tasks, (run_task(validator, t) for t in tasks))
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _worker_validator
    method = START_METHOD or _start_method()
    _worker_validator = validator if method == "fork" else None  # forked workers need not build one
    pool = ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context(method),
        initializer=_init_worker,
        initargs=(dialect, options, os.getpid()),
    )
    stack.push(lambda kind, exc, tb: _close_pool(pool, finished=kind is None))
    chunksize = max(1, min(32, len(tasks) // (jobs * 8)))
    with deferred_stop_signals():  # map submits every task and forks the workers
        results = pool.map(_worker_task, tasks, chunksize=chunksize)
    return _unpacked(tasks, results)


# --jobs auto: one worker for each this many bytes of files to check, up to one per CPU. Below
# it, one process: starting workers and sending results back costs more than the second core
# gives (a 2,000-page run of 55 MB checks about 45 MB a second on one core; the pool and its
# traffic cost tens of milliseconds).
AUTO_BYTES_PER_WORKER = 4 * 1024 * 1024


# Workers take JSON Lines ranges of at most this size: a range takes a worker about 60 ms, so
# the last one to finish leaves the other CPUs idle for little (8 MiB ranges: about 0.3 s).
PARALLEL_RANGE_BYTES = 2 * 1024 * 1024


def range_bytes(options: RunOptions) -> int:
    """The size of the JSON Lines ranges of a run: smaller when they may go to workers."""
    if options.jobs == 1:
        return options.jsonl_range_bytes
    return min(options.jsonl_range_bytes, PARALLEL_RANGE_BYTES)


def processes(jobs: int | Literal["auto"], tasks: Sequence[Task]) -> int:
    """How many processes check ``tasks``: ``jobs``, one per CPU for 0, or chosen from their size."""
    if jobs == "auto":
        return max(1, min(_cpus(), _size(tasks) // AUTO_BYTES_PER_WORKER))
    return jobs if jobs > 0 else _cpus()


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may run on
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _size(tasks: Sequence[Task]) -> int:
    """The bytes the tasks read: their ranges, or their files' sizes (0 for one that cannot be read)."""
    total = 0
    for task in tasks:
        if task.end is not None:
            total += task.end - task.start
        elif task.input.path is not None and task.input.problem is None:
            with suppress(OSError):
                total += Path(task.input.path).stat().st_size
    return total


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
    global _worker_validator
    _worker_validator = None
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
    if _worker_validator is None:  # spawned: nothing inherited
        _worker_validator = build_validator(dialect, options)


def _worker_task(task: Task) -> _Packed:
    assert _worker_validator is not None
    return _pack(run_task(_worker_validator, task))


def _pack(result: TaskResult) -> _Packed:
    """A task's result as plain tuples, every result without findings shared (see the module doc)."""
    shared: dict[tuple[str, int, int], Result] = {}  # by what tells clean results apart
    rows = []
    for item in result.checked:
        checked = item.result
        if not checked.findings and checked.page is None:
            key = (checked.kind, checked.image_count, id(checked.schema_findings))
            checked = shared.setdefault(key, checked)
        o = item.origin
        rows.append(((o.input, o.path, o.line, o.entry, o.request, o.status, o.body_relative), checked))
    return tuple(rows), result.lines, result.error


def _unpacked(tasks: list[Task], packed: Iterator[_Packed]) -> Iterator[TaskResult]:
    """The workers' results rebuilt, lines numbered in their file, in the same pass."""
    before = 0  # lines of the earlier ranges of the same file
    for task, (rows, lines, error) in zip(tasks, packed, strict=True):
        before = 0 if task.start == 0 else before
        checked = tuple(_rebuilt(origin, result, before) for origin, result in rows)
        before += lines
        yield TaskResult(checked, lines, error)


def _rebuilt(origin: _OriginFields, result: Result, before: int) -> Checked:
    label, path, line, entry, request, status, body_relative = origin
    if before and line is not None:
        line, result = line + before, _moved(result, before)
    return Checked(Origin(label, path, line, entry, request, status, body_relative), result)


def _numbered(tasks: list[Task], results: Iterator[TaskResult]) -> Iterator[TaskResult]:
    """Results computed in this process, lines numbered in their file."""
    before = 0
    for task, result in zip(tasks, results, strict=True):
        before = 0 if task.start == 0 else before
        if before:
            result = replace(result, checked=tuple(_with_offset(item, before) for item in result.checked))
        lines = result.lines
        yield result
        del result  # not held while the next task is checked
        before += lines


def _with_offset(item: Checked, lines: int) -> Checked:
    return Checked(item.origin.shifted(lines), _moved(item.result, lines))


def _moved(result: Result, lines: int) -> Result:
    """``result`` with its findings ``lines`` lines down."""
    return replace(result, findings=shifted(result.findings, lines)) if result.findings else result


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this worker when its parent dies; restore the default signal handlers.

    A forked worker inherits the command line's SIGTERM and SIGHUP handlers, meant for the main
    process only, and the hold on stop signals the pool started under. The parent may have died
    before the request was made: then exit at once.
    """
    import signal
    import sys

    for number in TERMINATION_SIGNALS:
        signal.signal(number, signal.SIG_DFL)
    release_stop_signals()  # held while the main process started the pool
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
