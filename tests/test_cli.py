"""The first command line: formats, stdin, and the documented exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "glance_validate", *args],
        input=stdin.decode("utf-8", "surrogateescape"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_valid_file_exits_zero_with_a_summary() -> None:
    """A valid payload exits 0 and the summary names the payload and image counts."""
    result = _run(str(FIXTURES / "ims" / "image-list.json"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked 1 payload (2 images) against ims" in result.stdout


def test_invalid_file_exits_one_with_positioned_findings() -> None:
    """Error findings exit 1 and print file:line:col: CODE [severity] message (at pointer)."""
    path = FIXTURES / "ims" / "documented-example-shape.json"
    result = _run(str(path))
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith(str(path))]
    assert len(lines) == 4
    assert any(
        line.startswith(f"{path}:")
        and ": K002 [error] " in line
        and line.endswith("(at /images/0/disk_format)")
        for line in lines
    )


def test_schema_fix_is_reported_once_for_many_files() -> None:
    """The "String" fix of the seed schema is printed once, however many files are checked."""
    result = _run(str(FIXTURES / "ims" / "image-list.json"), str(FIXTURES / "ims" / "image.json"))
    assert result.stdout.count("L001") == 1


def test_json_format_is_machine_readable() -> None:
    """--format json prints one versioned document with a result per payload."""
    result = _run(
        "--format",
        "json",
        "--schema",
        "glance",
        str(FIXTURES / "glance" / "image-list-current.json"),
        "-",
        stdin=b"[]",
    )
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert document["version"] == 1
    assert [p["source"] for p in document["payloads"]][1] == "<stdin>"
    assert document["payloads"][0]["ok"] is True and document["payloads"][1]["findings"][0]["code"] == "S001"
    assert document["summary"]["images"] == 4


def test_unusable_schema_exits_three_with_one_line() -> None:
    """A schema that cannot be read exits 3 with a one-line message naming it."""
    result = _run("--schema", "nonexistent.json", str(FIXTURES / "ims" / "image.json"))
    assert result.returncode == 3
    assert result.stderr.strip().count("\n") == 0 and "nonexistent.json" in result.stderr


def test_usage_error_exits_two() -> None:
    """A bad option is a usage error with exit code 2."""
    assert _run("--format", "yaml", "x.json").returncode == 2
    assert _run().returncode == 2


def test_schema_from_stdin() -> None:
    """--schema - reads the schema document from standard input."""
    schema = (FIXTURES / "ims" / "schema-document-quirks.json").read_bytes()
    result = _run("--schema", "-", str(FIXTURES / "ims" / "image.json"), stdin=schema)
    assert result.returncode == 1
    assert "schema <stdin>: L002 [warning]" in result.stdout
    # This schema's additionalProperties is "String": integers in unlisted properties fail.
    assert "K001 [error] expected string, found integer 1024 (at /min_ram)" in result.stdout


def test_version_is_printed() -> None:
    """--version prints the program name and version."""
    result = _run("--version")
    assert result.returncode == 0 and result.stdout.startswith("glance-validate, version ")
