"""Plain-text and HTML error bodies are recognised by their content, in files, on stdin and in captures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from glance_validate.checks.error_pages import error_page
from glance_validate.checks.validation import validate

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "error-pages"
GLANCE_400 = (PAGES / "glance-plain-text.json").read_bytes()


def test_webob_status_line_reads_as_a_plain_text_error() -> None:
    """Glance's text/plain 400 body is named by its status line."""
    assert error_page(GLANCE_400) == "a plain-text HTTP 400 Bad Request error response"


def test_json_and_a_number_followed_by_words_are_not_error_pages() -> None:
    """JSON, and a number followed by lower-case words, are not mistaken for an error page."""
    assert error_page(b'{"images": []}') is None
    assert error_page(b"400 images\n") is None
    assert error_page(b"400") is None


def test_validate_reports_a_plain_text_error_body_as_s006_not_p001() -> None:
    """validate() on the bytes gives one S006 at 1:1 and kind error-body, no parse error."""
    result = validate(GLANCE_400, schema="glance")
    assert result.kind == "error-body"
    assert [(f.code, f.line, f.column) for f in result.findings] == [("S006", 1, 1)]


def test_stdin_error_page_is_s006_in_the_cli() -> None:
    """check - with an HTML proxy page on stdin reports S006, not P001."""
    html = (PAGES / "proxy-html.json").read_bytes()
    result = subprocess.run(
        [sys.executable, "-m", "glance_validate", "check", "--schema", "glance", "-"],
        input=html,
        capture_output=True,
        check=False,
    )
    out = result.stdout.decode()
    assert "<stdin>:1:1: S006 [warning] payload is not JSON but an HTML page" in out
    assert "P001" not in out
    assert result.returncode == 0


def test_capture_of_a_plain_text_error_keeps_its_http_message(tmp_path: Path) -> None:
    """Inside a curl -i capture the body is still the S006 that names the HTTP status and media type."""
    capture = tmp_path / "bad-marker.http"
    head = b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n"
    capture.write_bytes(head + GLANCE_400)
    result = subprocess.run(
        [sys.executable, "-m", "glance_validate", "check", "--schema", "glance", str(capture)],
        capture_output=True,
        check=False,
        text=True,
    )
    assert "S006 [warning] HTTP 400 error response with a body that is not JSON (text/plain" in result.stdout
