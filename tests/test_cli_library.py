"""The library edge: run() and the library write only to the streams they are given; assert_valid."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sample_payloads import sample_page

from glance_validate.checks.validation import validate
from glance_validate.inputs.discover import Input, discover
from glance_validate.inputs.readers import read
from glance_validate.runner.options import RunOptions
from glance_validate.runner.run import run
from glance_validate.testing import assert_valid

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CAPTURES = FIXTURES / "captures"


def _image(**overrides: Any) -> dict[str, Any]:
    image: dict[str, Any] = json.loads((FIXTURES / "ims" / "image.json").read_text())
    image.update(overrides)
    return image


def test_library_and_run_print_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    """Reading inputs, validating and a whole run write nothing to the process's stdout or stderr."""
    for item in discover([str(CAPTURES)]):
        for payload in read(item):
            validate(payload.data)
    validate(b"{broken")
    out, err = io.StringIO(), io.StringIO()
    for fmt in ("text", "json", "junit", "sarif", "github"):
        run(RunOptions(paths=[str(CAPTURES), str(CAPTURES / "missing.json")], output_format=fmt), out, err)
    assert capfd.readouterr() == ("", "")
    assert out.getvalue() and err.getvalue() == ""


def test_assert_valid_returns_the_result_of_a_valid_payload() -> None:
    """A valid payload passes and the result comes back for further checks."""
    result = assert_valid(_image(), kind="image")
    assert result.ok and result.kind == "image"


def test_assert_valid_fails_with_the_rendered_findings() -> None:
    """An invalid payload raises AssertionError listing each finding as the command line prints it."""
    with pytest.raises(AssertionError) as failure:
        assert_valid(json.dumps(_image(status="archived"), indent=2).encode())
    message = str(failure.value)
    assert message.startswith("payload is not valid (1 finding at or above error):\n")
    assert message.splitlines()[1].startswith(
        'payload:5:13: K002 [error] "archived" is not one of the allowed'
    )
    assert message.endswith("(at /status)")


def test_assert_valid_names_a_file_and_honours_fail_on_and_kind(tmp_path: Path) -> None:
    """Paths are named in the message; fail_on='warning' fails on warnings; kind= checks the payload kind."""
    path = FIXTURES / "ims" / "error-ims.json"
    assert_valid(path)  # an error body is only a warning
    with pytest.raises(AssertionError, match=r"error-ims\.json:1:1: S006 \[warning\]"):
        assert_valid(path, fail_on="warning")
    with pytest.raises(AssertionError, match="expected a payload of kind image-list, found error-body"):
        assert_valid(path, kind="image-list")


def test_assert_valid_in_a_users_test_suite(tmp_path: Path) -> None:
    """In pytest, a failing assert_valid shows the findings and the user's line, not the helper's code."""
    test_file = tmp_path / "test_user.py"
    test_file.write_text(
        "from glance_validate.testing import assert_valid\n"
        "\n"
        "def test_client_payload():\n"
        "    assert_valid({'images': [{'id': 'x', 'status': 'archived', 'visibility': 'private'}]})\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "K002 [error]" in result.stdout and "(at /images/0/status)" in result.stdout
    assert "failing = [f for f in result.findings" not in result.stdout  # the helper's frame is hidden
    assert "test_user.py:4: AssertionError" in result.stdout


def test_stdin_input_reads_the_stream_it_is_given() -> None:
    """Reading standard input uses the stream handed in, so embedding code controls it."""
    payloads = list(read(Input("<stdin>", None), io.BytesIO(b'{"images": []}')))
    assert [p.data for p in payloads] == [b'{"images": []}']


def test_assert_valid_fails_on_a_supplied_schemas_quirk_but_not_a_shipped_one() -> None:
    """A user's schema with a capitalised type fails assert_valid at fail_on=warning; the IMS one does not."""
    from glance_validate.schema.sources import load_schema

    own_schema = load_schema("ims").document
    assert_valid(sample_page(), fail_on="warning")
    with pytest.raises(AssertionError, match=r"schema: L001 \[warning\]"):
        assert_valid(sample_page(), schema=own_schema, fail_on="warning")
    assert_valid(sample_page(), schema=own_schema)
