"""Schemas and standard input are read within bounds: a size limit, and the pipe timeout.

A schema named as ``/dev/zero``, a huge file, or a pipe nobody writes to ends in a one-line
message and exit code 3, never an endless read, a MemoryError or a hang. Each run is a child
process with a timeout and a 1 GiB address space, so a regression fails the test instead of
hurting the machine; nothing here asserts how long anything takes.
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from glance_validate.core.errors import SchemaUnavailable
from glance_validate.core.exitcodes import ExitCode
from glance_validate.schema.sources import SCHEMA_MAX_BYTES, load_schema

GUARD = 120  # seconds: only a hang or an endless read reaches it
TOO_LARGE = "larger than the limit of 4 MiB; an images schema is a few KiB"
STALLED = "nothing arrived for 1 s (a pipe, FIFO or device that nobody writes to)"


def _small_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def _cli(*args: str, stdin: int | None = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "glance_validate", *args],
        stdin=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=GUARD,
        preexec_fn=_small_address_space,
    )


@pytest.fixture
def payload(tmp_path: Path) -> str:
    path = tmp_path / "page.json"
    path.write_text(json.dumps({"images": []}))
    return str(path)


@pytest.fixture
def silent_pipe() -> Iterator[tuple[int, int]]:
    """A pipe whose write end stays open and silent while the test runs."""
    read_end, write_end = os.pipe()
    yield read_end, write_end
    os.close(read_end)
    os.close(write_end)


def _assert_one_line_failure(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == ExitCode.TOOL_FAILURE, result.stderr
    assert result.stderr == f"glance-validate: {message}\n"


def test_check_refuses_an_endless_schema(payload: str) -> None:
    """--schema /dev/zero stops at the limit: the size message and exit 3, not the OOM killer."""
    result = _cli("check", "--schema", "/dev/zero", payload)
    _assert_one_line_failure(result, f"schema '/dev/zero': {TOO_LARGE}")


def test_check_refuses_a_huge_schema_file_by_its_size(tmp_path: Path, payload: str) -> None:
    """A 2 GiB (sparse) schema file is refused without being read whole."""
    huge = tmp_path / "huge.json"
    with huge.open("wb") as f:
        f.truncate(2**31)
    result = _cli("check", "--schema", str(huge), payload)
    _assert_one_line_failure(result, f"schema {str(huge)!r}: {TOO_LARGE}")


def test_a_schema_just_over_the_limit_is_refused(tmp_path: Path) -> None:
    """One byte over SCHEMA_MAX_BYTES (4 MiB, as the message says) is refused: SchemaUnavailable."""
    big = tmp_path / "big.json"
    big.write_bytes(b" " * SCHEMA_MAX_BYTES + b"{}")
    with pytest.raises(SchemaUnavailable, match=TOO_LARGE):
        load_schema(str(big))


def test_a_schema_from_standard_input_is_bounded_too() -> None:
    """--schema - over the limit is refused like a file."""
    with pytest.raises(SchemaUnavailable, match=rf"schema '<stdin>': {TOO_LARGE}"):
        load_schema("-", stdin=io.BytesIO(b" " * (SCHEMA_MAX_BYTES + 1)))


def test_check_schema_from_a_silent_stdin_ends_by_the_pipe_timeout(
    payload: str, silent_pipe: tuple[int, int]
) -> None:
    """--schema - on a pipe whose writer never writes: exit 3 after --pipe-timeout, with the reason."""
    result = _cli("check", "--pipe-timeout", "1", "--schema", "-", payload, stdin=silent_pipe[0])
    _assert_one_line_failure(result, f"schema '<stdin>': {STALLED}")


def test_check_schema_from_a_fifo_nobody_opens_ends_by_the_pipe_timeout(tmp_path: Path, payload: str) -> None:
    """--schema FIFO with no writer at all: exit 3 after --pipe-timeout, opening never blocks."""
    fifo = tmp_path / "schema.json"
    os.mkfifo(fifo)
    result = _cli("check", "--pipe-timeout", "1", "--schema", str(fifo), payload)
    _assert_one_line_failure(result, f"schema {str(fifo)!r}: {STALLED}")


def test_schema_lint_refuses_an_endless_schema() -> None:
    """schema lint /dev/zero: the size message on stderr, exit 3, no traceback."""
    result = _cli("schema", "lint", "/dev/zero")
    _assert_one_line_failure(result, f"schema '/dev/zero': {TOO_LARGE}")
    assert result.stdout == "linted 1 schema document: no findings, 1 could not be read\n"


def test_schema_show_refuses_an_endless_schema() -> None:
    """schema show --schema /dev/zero: the size message, exit 3, no traceback."""
    result = _cli("schema", "show", "--schema", "/dev/zero")
    _assert_one_line_failure(result, f"schema '/dev/zero': {TOO_LARGE}")
    assert result.stdout == ""


def test_schema_diff_refuses_an_endless_schema() -> None:
    """schema diff /dev/zero glance: the size message, exit 3, no traceback."""
    result = _cli("schema", "diff", "/dev/zero", "glance")
    _assert_one_line_failure(result, f"schema '/dev/zero': {TOO_LARGE}")
    assert result.stdout == ""


def test_a_payload_from_a_silent_stdin_ends_by_the_pipe_timeout(
    payload: str, silent_pipe: tuple[int, int]
) -> None:
    """check - on a pipe whose writer never writes: P009 after --pipe-timeout, exit 3."""
    result = _cli("check", "--pipe-timeout", "1", "-", stdin=silent_pipe[0])
    assert result.returncode == ExitCode.TOOL_FAILURE, result.stderr
    assert "<stdin>: P009 [error] cannot read '<stdin>': nothing arrived for 1 s" in result.stdout


def test_json_lines_from_a_silent_stdin_end_by_the_pipe_timeout(silent_pipe: tuple[int, int]) -> None:
    """check --input-format jsonl - on a silent pipe: P009 after --pipe-timeout, exit 3, no traceback."""
    result = _cli("check", "--pipe-timeout", "1", "--input-format", "jsonl", "-", stdin=silent_pipe[0])
    assert result.returncode == ExitCode.TOOL_FAILURE, result.stderr
    assert "<stdin>: P009 [error] cannot read '<stdin>': nothing arrived for 1 s" in result.stdout
    assert "Traceback" not in result.stderr
