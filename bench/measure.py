"""Timing one child process: wall time, CPU time, peak memory, and what else loaded the machine.

Each child is waited for with ``os.wait4``, which returns that child's own resource usage
(including the worker processes it waited for): CPU seconds and peak resident set size. The
machine's busy time from ``/proc/stat`` over the same interval, minus the child's CPU time,
is the load other processes put on the machine while the child ran.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class Sample:
    """One timed run of one command."""

    seconds: float
    cpu_seconds: float
    max_rss_mb: float
    exit_code: int
    other_load: float | None  # CPU cores other processes used meanwhile (None: unknown)
    timed_out: bool = False


def busy_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (all cores), or None off Linux."""
    try:
        with Path("/proc/stat").open(encoding="ascii") as stat:
            fields = stat.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    ticks = [int(x) for x in fields[1:]]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    # guest time is already counted in user time
    return (sum(ticks[:8]) - idle) / _CLOCK_TICKS


def other_load(
    busy_before: float | None, busy_after: float | None, own_cpu: float, wall: float
) -> float | None:
    """Average number of cores others kept busy during ``wall`` seconds, never below 0."""
    if busy_before is None or busy_after is None or wall <= 0:
        return None
    return max(0.0, (busy_after - busy_before - own_cpu) / wall)


def run_child(
    argv: Sequence[str],
    *,
    stdout: Path,
    stderr: Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float | None = None,
) -> Sample:
    """Run ``argv`` to completion (or until ``timeout``), its output going to the given files."""
    with stdout.open("wb") as out, stderr.open("wb") as err:
        busy_before = busy_seconds()
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(argv), stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=cwd
        )
        expired = threading.Event()
        timer = _killer(proc, timeout, expired)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        busy_after = busy_seconds()
        if timer is not None:
            timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(
        seconds=wall,
        cpu_seconds=cpu,
        max_rss_mb=usage.ru_maxrss / 1024,
        exit_code=proc.returncode,
        other_load=other_load(busy_before, busy_after, cpu, wall),
        timed_out=expired.is_set(),
    )


def _killer(
    proc: subprocess.Popen[bytes], timeout: float | None, expired: threading.Event
) -> threading.Timer | None:
    if timeout is None:
        return None

    def kill() -> None:
        expired.set()
        proc.kill()

    timer = threading.Timer(timeout, kill)
    timer.daemon = True
    timer.start()
    return timer
