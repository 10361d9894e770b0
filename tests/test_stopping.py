"""A run stopped by a signal: worker processes die with it, report files are complete or absent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from sample_payloads import sample_image, sample_page

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; fork workers")

ROOT = Path(__file__).resolve().parent.parent
BOUND = 60.0  # seconds: a hang guard; 15 s was reached on a 2-core machine running several suites


def _children(pid: int) -> list[int]:
    """Live processes whose parent is ``pid`` (zombies excluded)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(condition: object, what: str) -> None:
    deadline = time.monotonic() + BOUND
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting after {BOUND:g} s for {what}")
        time.sleep(0.05)


@pytest.fixture
def stalled(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], list[int], Path]]:
    """A ``--jobs 2`` run with two workers started, its main process waiting on a FIFO nobody feeds.

    Yields the process, its workers' ids and the directory its --output reports go to.
    """
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    fifo = tmp_path / "slow.json"
    os.mkfifo(fifo)
    for i in range(4):
        (corpus / f"page{i}.json").write_text(json.dumps(sample_page(sample_image())))
    reports = tmp_path / "reports"
    reports.mkdir()
    outputs = [f"--output={fmt}={reports / ('report.' + fmt)}" for fmt in ("json", "sarif", "junit")]
    proc = subprocess.Popen(
        [sys.executable, "-m", "glance_validate", "--jobs", "2", *outputs, str(fifo), str(corpus)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        cwd=ROOT,
    )
    try:
        _wait_for(lambda: len(_children(proc.pid)) >= 2, "two worker processes")
        workers = _children(proc.pid)
        yield proc, workers, reports
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in _children(proc.pid) + [p for p in locals().get("workers", []) if _alive(p)]:
            os.kill(pid, signal.SIGKILL)
        proc.communicate()


def _ends(proc: subprocess.Popen[bytes]) -> tuple[int, bytes]:
    """Exit status and standard error, read to EOF: fails if a worker holds the pipes open."""
    try:
        _, err = proc.communicate(timeout=BOUND)
    except subprocess.TimeoutExpired:
        pytest.fail("standard output or error still open: a worker process holds it")
    return proc.returncode, err


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_signal_stops_the_run_with_130(
    stalled: tuple[subprocess.Popen[bytes], list[int], Path], number: int
) -> None:
    """SIGTERM and SIGHUP end a --jobs 2 run like Ctrl-C: exit 130, saying which signal."""
    proc, _, _ = stalled
    proc.send_signal(number)
    code, err = _ends(proc)
    assert code == 130, err.decode()
    assert err.decode().endswith(f"glance-validate: terminated by {signal.Signals(number).name}\n")


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_signal_leaves_no_worker(
    stalled: tuple[subprocess.Popen[bytes], list[int], Path], number: int
) -> None:
    """After SIGTERM or SIGHUP to the main process, none of its worker processes remains."""
    proc, workers, _ = stalled
    proc.send_signal(number)
    _ends(proc)
    _wait_for(lambda: not any(_alive(pid) for pid in workers), "the workers to end")


def test_killed_main_process_takes_its_workers(
    stalled: tuple[subprocess.Popen[bytes], list[int], Path],
) -> None:
    """SIGKILL to the main process (no cleanup possible) still ends its workers and closes stdout."""
    proc, workers, _ = stalled
    proc.kill()
    _ends(proc)
    _wait_for(lambda: not any(_alive(pid) for pid in workers), "the workers to die with their parent")


def _complete(path: Path) -> None:
    if path.suffix == ".junit":
        ET.parse(path)
    else:
        json.loads(path.read_text())


def test_interrupted_reports_are_absent(stalled: tuple[subprocess.Popen[bytes], list[int], Path]) -> None:
    """An interrupted run leaves no report file, and no temporary file, where none was before."""
    proc, _, reports = stalled
    time.sleep(0.5)  # the reports have begun: their headers are written
    proc.send_signal(signal.SIGTERM)
    _ends(proc)
    assert sorted(reports.iterdir()) == []


def test_interrupted_run_keeps_previous_reports(tmp_path: Path) -> None:
    """A report already at the path before an interrupted run stays as it was, complete."""
    fifo = tmp_path / "slow.json"
    os.mkfifo(fifo)
    previous = tmp_path / "report.json"
    previous.write_text('{"previous": true}\n')
    proc = subprocess.Popen(
        [sys.executable, "-m", "glance_validate", f"--output=json={previous}", str(fifo)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    _wait_for(lambda: any(p.name.startswith(".report.json.") for p in tmp_path.iterdir()), "the report")
    proc.send_signal(signal.SIGTERM)
    _ends(proc)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "slow.json"]
    assert json.loads(previous.read_text()) == {"previous": True}


def test_finished_reports_are_complete(tmp_path: Path) -> None:
    """A run that finishes puts each report in place, complete, and leaves no temporary file."""
    page = tmp_path / "page.json"
    page.write_text(json.dumps(sample_page(sample_image())))
    outputs = [f"--output={fmt}={tmp_path / ('report.' + fmt)}" for fmt in ("json", "sarif", "junit")]
    done = subprocess.run(
        [sys.executable, "-m", "glance_validate", *outputs, str(page)], capture_output=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    for fmt in ("json", "sarif", "junit"):
        _complete(tmp_path / f"report.{fmt}")
    assert len(list(tmp_path.iterdir())) == 4


def test_stop_signal_held_until_the_deferred_block_ends() -> None:
    """A stop signal that arrives inside ``deferred_stop_signals`` is delivered when it ends.

    Run in a process of its own: the hold is per thread, and this test process may have threads
    left by other tests, which the kernel would hand the signal to (the command line starts its
    workers and report files with no other thread running).
    """
    script = (
        "import os, signal\n"
        "from glance_validate.core.signals import deferred_stop_signals\n"
        "seen = []\n"
        "signal.signal(signal.SIGHUP, lambda number, frame: seen.append(number))\n"
        "with deferred_stop_signals():\n"
        "    os.kill(os.getpid(), signal.SIGHUP)\n"
        "    sum(range(10_000))  # bytecode runs: an undeferred handler would have run by now\n"
        "    print(len(seen))\n"
        "print(len(seen))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.split() == ["0", "1"], done.stderr


def _blocked(pid: int) -> set[int]:
    """The signals ``pid`` holds (its mask, from /proc)."""
    line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("SigBlk:"))
    mask = int(line.split()[1], 16)
    return {number for number in range(1, 65) if mask >> (number - 1) & 1}


def test_workers_do_not_hold_stop_signals(stalled: tuple[subprocess.Popen[bytes], list[int], Path]) -> None:
    """Workers start with the hold the pool was started under released: SIGTERM reaches them."""
    proc, workers, _ = stalled
    stop = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    _wait_for(lambda: not any(stop & _blocked(pid) for pid in workers), "the workers to release the hold")
    _wait_for(lambda: not stop & _blocked(proc.pid), "the main process to end its hold")  # after map
