"""Soak: many mixed good, bad and hostile payloads in one run, with exact counts and flat memory.

The inputs are made in a temporary directory: nine in ten payloads are JSON Lines (good images,
images with a wrong value, broken JSON, invalid UTF-8, 600 levels of nesting, NaN, duplicate keys,
lines over --max-bytes), one in ten is a file under a directory tree (good pages, bad pages, empty
and binary files, and unreadable ones: dangling links, link loops, FIFOs, files over the limit).
Every payload's expected class (good, bad, unreadable) is known, so the run's counts must be
exact: checked = good + bad + unreadable, and the failed payloads are exactly the bad and the
unreadable ones. Memory is measured as the child's peak RSS at two sizes; it must stay flat.

The suite runs 10,000 payloads (and 5,000 for the memory comparison). The full soak:

    GLANCE_VALIDATE_SOAK=100000 python -m pytest tests/test_soak.py -q -s
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hostile.corpus import run_measured
from sample_payloads import sample_image, sample_page

ROOT = Path(__file__).resolve().parent.parent
SIZE = int(os.environ.get("GLANCE_VALIDATE_SOAK", "10000"))
MAX_BYTES = 4096
IMAGE = sample_image()
GOOD_LINE = json.dumps(IMAGE).encode()
# (class, line) for one cycle of 20 JSON Lines; blank lines are not payloads and not counted
LINES: list[tuple[str, bytes]] = [
    *[("good", GOOD_LINE)] * 11,
    ("good", json.dumps(sample_page()).encode()),
    ("bad", json.dumps({**IMAGE, "status": "archived"}).encode()),
    ("bad", json.dumps({**IMAGE, "min_ram": "512"}).encode()),
    ("bad", b'{"id": '),
    ("bad", b'{"name": "\xff\xfe"}'),
    ("bad", b"[" * 600 + b"]" * 600),
    ("bad", GOOD_LINE[:-1] + b', "min_disk": NaN, "min_disk": 1}'),
    ("unreadable", b'{"images": [], "x": "' + b"y" * (2 * MAX_BYTES) + b'"}'),
    ("blank", b"   "),
]
PAGE = json.dumps(sample_page(IMAGE)).encode()


@dataclass
class Soak:
    """The inputs made for one soak, and what the run must report about them."""

    paths: list[str]
    expected: dict[tuple[str, int | None], str] = field(default_factory=dict)  # (source, line) -> class

    def count(self, kind: str) -> int:
        return sum(1 for c in self.expected.values() if c == kind)


def make_soak(root: Path, size: int) -> Soak:
    """``size`` payloads: nine in ten as JSON Lines, one in ten as files under a directory tree."""
    root.mkdir(parents=True)
    lines_path = root / "pages.jsonl"
    soak = Soak([str(lines_path), str(root / "tree")])
    files = size // 10
    with lines_path.open("wb") as out:
        number = written = 0
        while written < size - files:
            kind, line = LINES[number % len(LINES)]
            number += 1
            out.write(line + b"\n")
            if kind != "blank":
                soak.expected[(str(lines_path), number)] = kind
                written += 1
    for i in range(files):
        directory = root / "tree" / f"d{i // 500:03d}"
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"f{i:06d}.json"
        soak.expected[(str(path), None)] = _make_file(path, i)
    return soak


def _make_file(path: Path, i: int) -> str:
    slot = i % 10
    if slot < 5:
        path.write_bytes(PAGE)
        return "good"
    if slot < 7:
        path.write_bytes(b'{"images": 7}')
        return "bad"
    if slot == 7:
        path.write_bytes(b"")
        return "bad"
    if slot == 8:
        path.write_bytes(bytes(range(256)))
        return "bad"
    hostile = (i // 10) % 4
    if hostile == 0:
        path.symlink_to(path.with_name("missing.json"))
    elif hostile == 1:
        path.symlink_to(path.name)  # a link to itself: a loop
    elif hostile == 2:
        os.mkfifo(path)
    else:
        path.write_bytes(PAGE + b" " * (2 * MAX_BYTES))
    return "unreadable"


@dataclass(frozen=True)
class Outcome:
    code: int
    report: dict[str, Any]
    summary_line: str
    stderr: str
    peak_kib: int


def run_soak(soak: Soak, reports: Path, *options: str) -> Outcome:
    """The command line over the soak in a child process, with its peak RSS."""
    reports.mkdir(parents=True, exist_ok=True)
    report = reports / "report.json"
    code, peak, out, err = run_measured(
        [
            "-m",
            "glance_validate",
            "--max-bytes",
            str(MAX_BYTES),
            "--output",
            f"json={report}",
            *options,
            *soak.paths,
        ],
        cwd=ROOT,
    )
    return Outcome(
        code=code,
        report=json.loads(report.read_text("utf-8")),
        summary_line=out.decode("utf-8", "backslashreplace").splitlines()[-1],
        stderr=err.decode("utf-8", "backslashreplace"),
        peak_kib=peak,
    )


def _assert_exact(soak: Soak, outcome: Outcome) -> None:
    good, bad, unreadable = soak.count("good"), soak.count("bad"), soak.count("unreadable")
    summary = outcome.report["summary"]
    assert outcome.code == 3, outcome.stderr
    assert "Traceback" not in outcome.stderr and "internal error" not in outcome.stderr
    assert summary["payloads"] == good + bad + unreadable == len(soak.expected)
    assert summary["failed"] == bad + unreadable and summary["unreadable"] == unreadable
    assert summary["not_checked"] == 0
    failed = {(p["input"], p.get("line")): p for p in outcome.report["payloads"] if not p["ok"]}
    assert set(failed) == {key for key, kind in soak.expected.items() if kind != "good"}
    codes = {key: {f["code"] for f in p["findings"]} for key, p in failed.items()}
    assert {key for key, found in codes.items() if found & {"P009", "P011"}} == {
        key for key, kind in soak.expected.items() if kind == "unreadable"
    }
    assert outcome.summary_line.startswith(f"checked {len(soak.expected)} payloads ")
    assert f": {bad + unreadable} failed ({unreadable} unreadable inputs), " in outcome.summary_line


@pytest.fixture(scope="module")
def soaks(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Soak]:
    root = tmp_path_factory.mktemp("soak")
    return {size: make_soak(root / str(size), size) for size in (SIZE // 2, SIZE)}


def test_soak_counts_every_payload_exactly(soaks: dict[int, Soak], tmp_path: Path) -> None:
    """SIZE mixed payloads in one run: no crash, and checked = good + bad + unreadable, exactly."""
    soak = soaks[SIZE]
    outcome = run_soak(soak, tmp_path)
    _assert_exact(soak, outcome)
    counts = f"{soak.count('good')} good, {soak.count('bad')} bad, {soak.count('unreadable')} unreadable"
    print(f"\nsoak: {counts}; {outcome.summary_line}; peak RSS {outcome.peak_kib // 1024} MiB")


def test_soak_memory_stays_flat_as_the_run_doubles(soaks: dict[int, Soak], tmp_path: Path) -> None:
    """Peak RSS at SIZE payloads is within a generous factor of the peak at half as many."""
    half, full = (run_soak(soaks[n], tmp_path / str(n)) for n in (SIZE // 2, SIZE))
    _assert_exact(soaks[SIZE // 2], half)
    assert full.peak_kib < 1.5 * half.peak_kib, (half.peak_kib, full.peak_kib)
    print(f"\npeak RSS: {half.peak_kib // 1024} MiB at {SIZE // 2}, {full.peak_kib // 1024} MiB at {SIZE}")


def test_soak_with_worker_processes_counts_the_same(soaks: dict[int, Soak], tmp_path: Path) -> None:
    """With --jobs 2 (JSON Lines split into ranges) every count and every failed payload is the same."""
    soak = soaks[SIZE]
    outcome = run_soak(soak, tmp_path, "--jobs", "2")
    _assert_exact(soak, outcome)
