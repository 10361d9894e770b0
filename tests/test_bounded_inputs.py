"""Inputs of any size end in bounded time and memory: long lines, sparse files, endless devices.

The 2 GiB case and the devices run in a subprocess with a 1 GiB address space and a generous
timeout, so that a regression fails instead of hanging or exhausting memory; their speed is
measured by the benchmark (bench/, group ``inputs``), not asserted here.
"""

from __future__ import annotations

import itertools
import resource
import subprocess
import sys
from pathlib import Path

from glance_validate.core.exitcodes import ExitCode
from glance_validate.inputs.discover import Input
from glance_validate.inputs.jsonlines import LineCount, jsonl_ranges, read_jsonl_range

GUARD = 120  # seconds: only an endless read reaches it
RANGE = 8 << 20
LONG_LINE = 100_000_000
LIMIT = "64M"


def _small_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "glance_validate", "check", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=GUARD,
        preexec_fn=_small_address_space,
    )


def _long_line_file(tmp_path: Path) -> tuple[Path, int, int]:
    """A JSON Lines file: a valid line, a 100 MB line, a valid line; the long line's span."""
    path = tmp_path / "long.jsonl"
    first = b'{"images": []}\n'
    with path.open("wb") as handle:
        handle.write(first)
        handle.write(b'{"name": "' + b"x" * LONG_LINE + b'"}\n')
        end = handle.tell()
        handle.write(b'{"images": [], "next": "/v2/images?marker=x"}\n')
    return path, len(first), end


def test_a_sparse_2_gib_file_without_a_line_break_is_refused(tmp_path: Path) -> None:
    """A 2 GiB .jsonl without a newline is one P011 line of 2 GiB, read within a 1 GiB address space."""
    path = tmp_path / "disk.jsonl"
    with path.open("wb") as handle:
        handle.truncate(2 << 30)
    result = _cli(str(path))
    assert result.returncode == ExitCode.TOOL_FAILURE, result.stderr
    assert "P011" in result.stdout
    assert "line 1 is 2 GiB, more than the limit of 64 MiB" in result.stdout


def test_ranges_start_only_at_line_starts(tmp_path: Path) -> None:
    """No planned range starts inside a long line, so the line is read past once, not once per range."""
    path, line_start, line_end = _long_line_file(tmp_path)
    ranges = jsonl_ranges(str(path), RANGE)
    starts = [start for start, _ in ranges]
    assert not [s for s in starts if line_start < s < line_end]
    assert ranges[0][0] == 0 and ranges[-1][1] == path.stat().st_size
    assert all(end == next_start for (_, end), (next_start, _) in itertools.pairwise(ranges))


def test_a_long_line_between_valid_lines_gives_both_payloads_and_one_p011(tmp_path: Path) -> None:
    """The lines around a 100 MB line are checked; the long line is one P011 with its size."""
    path, _, _ = _long_line_file(tmp_path)
    item = Input("long.jsonl", str(path), "jsonl")
    payloads, lines = [], 0
    for start, end in jsonl_ranges(str(path), RANGE):
        count = LineCount()
        payloads += [(p, lines) for p in read_jsonl_range(item, start, end, count, 64 << 20)]
        lines += count.lines
    problems = [p.problem.code for p, _ in payloads if p.problem is not None]
    bodies = [p.data for p, _ in payloads if p.problem is None]
    assert problems == ["P011"]
    assert bodies == [b'{"images": []}', b'{"images": [], "next": "/v2/images?marker=x"}']
    assert lines == 3


def test_dev_zero_read_as_json_lines_is_refused() -> None:
    """/dev/zero with --input-format jsonl ends with a P011 saying the rest of the stream is not read."""
    result = _cli("--input-format", "jsonl", "--max-bytes", "1M", "/dev/zero")
    assert result.returncode == ExitCode.TOOL_FAILURE, result.stderr
    assert "line 1 is larger than the limit of 1 MiB" in result.stdout
    assert "the rest of the stream is not read" in result.stdout


def test_dev_urandom_read_as_json_lines_is_refused() -> None:
    """/dev/urandom with --input-format jsonl stops at the first NUL byte: binary data, not JSON Lines."""
    result = _cli("--input-format", "jsonl", "/dev/urandom")
    assert result.returncode == ExitCode.TOOL_FAILURE, result.stderr
    assert "binary data, not JSON Lines; the rest of the stream is not read" in result.stdout
