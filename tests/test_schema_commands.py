"""The schema commands' run functions, called with options and StringIO streams: exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from schema_server import SCHEMA_PATH, TOKEN, SchemaServer, schema_route

from glance_validate.analysis.schema_commands import (
    DiffOptions,
    FetchOptions,
    LintOptions,
    ShowOptions,
    run_diff,
    run_fetch,
    run_lint,
    run_show,
)
from glance_validate.core.exitcodes import ExitCode
from glance_validate.schema.remote import SchemaOptions

MISSING_FILE = "/nonexistent/schema.json"


@pytest.fixture
def server() -> Iterator[SchemaServer]:
    with SchemaServer() as running:
        running.route(SCHEMA_PATH, schema_route())
        yield running


def test_run_show_prints_the_table() -> None:
    """run_show on a builtin schema: the table on out, exit 0."""
    out, err = StringIO(), StringIO()
    assert run_show(ShowOptions(schema="glance"), out, err) is ExitCode.OK
    assert out.getvalue().startswith("property") and "glance: " in out.getvalue()


def test_run_show_of_a_missing_schema_fails() -> None:
    """run_show of a schema that cannot be read: one line on err, exit 3, nothing on out."""
    out, err = StringIO(), StringIO()
    assert run_show(ShowOptions(schema=MISSING_FILE), out, err) is ExitCode.TOOL_FAILURE
    assert out.getvalue() == "" and err.getvalue().startswith("glance-validate: schema ")


def test_run_lint_of_a_clean_schema() -> None:
    """run_lint of the builtin glance schema: no error finding, exit 0, JSON on out."""
    out = StringIO()
    assert run_lint(LintOptions(sources=("glance",), output_format="json"), out, StringIO()) is ExitCode.OK
    assert json.loads(out.getvalue())["summary"]["findings"]["error"] == 0


def test_run_lint_of_error_findings() -> None:
    """run_lint of a document with an error finding (not a schema object) exits 1."""
    out = StringIO()
    options = LintOptions(sources=("-",), quiet=True)
    assert run_lint(options, out, StringIO(), stdin=BytesIO(b"[1]")) is ExitCode.FINDINGS
    assert out.getvalue().startswith("<stdin>: L012 [error]")


def test_run_lint_of_an_unreadable_document() -> None:
    """run_lint of a file that cannot be read: exit 3, the reason on err."""
    err = StringIO()
    assert run_lint(LintOptions(sources=(MISSING_FILE,)), StringIO(), err) is ExitCode.TOOL_FAILURE
    assert "cannot be read" in err.getvalue()


def test_run_diff_of_a_schema_with_itself() -> None:
    """run_diff of equal schemas: 'no differences', exit 0."""
    out = StringIO()
    assert run_diff(DiffOptions("ims", "ims"), out, StringIO()) is ExitCode.OK
    assert out.getvalue().endswith("no differences\n")


def test_run_diff_of_different_schemas() -> None:
    """run_diff of ims and glance: the changes, exit 1."""
    out = StringIO()
    assert run_diff(DiffOptions("ims", "glance", output_format="json"), out, StringIO()) is ExitCode.FINDINGS
    assert json.loads(out.getvalue())["changes"]


def test_run_diff_with_a_missing_side() -> None:
    """run_diff when B cannot be read: exit 3, nothing on out."""
    out, err = StringIO(), StringIO()
    assert run_diff(DiffOptions("ims", MISSING_FILE), out, err) is ExitCode.TOOL_FAILURE
    assert out.getvalue() == "" and MISSING_FILE in err.getvalue()


def test_run_fetch_writes_the_served_schema(server: SchemaServer, tmp_path: Path) -> None:
    """run_fetch writes the served document to out and says so on err, exit 0."""
    out, err = StringIO(), StringIO()
    remote = SchemaOptions(token=TOKEN, cache_dir=tmp_path)
    code = run_fetch(FetchOptions(schema=server.url(SCHEMA_PATH), schema_options=remote), out, err)
    assert code is ExitCode.OK
    assert "properties" in json.loads(out.getvalue()) and "to standard output" in err.getvalue()


def test_run_fetch_without_access_fails(server: SchemaServer, tmp_path: Path) -> None:
    """run_fetch refused by the server (no token): exit 3, nothing written."""
    out, err = StringIO(), StringIO()
    remote = SchemaOptions(cache_dir=tmp_path)
    code = run_fetch(FetchOptions(schema=server.url(SCHEMA_PATH), schema_options=remote), out, err)
    assert code is ExitCode.TOOL_FAILURE
    assert out.getvalue() == "" and err.getvalue().startswith("glance-validate: ")
