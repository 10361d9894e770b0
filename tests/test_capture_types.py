"""A captured response whose content type is neither JSON nor text is skipped with P023, never parsed."""

from __future__ import annotations

from pathlib import Path

from glance_validate.inputs.curl import read_http
from glance_validate.inputs.discover import discover
from glance_validate.inputs.payloads import Origin, not_json_by_type
from glance_validate.inputs.readers import read

CAPTURES = Path(__file__).resolve().parent.parent / "fixtures" / "content-types"


def _codes(name: str) -> list[str | None]:
    (item,) = discover([str(CAPTURES / name)])
    return [p.problem.code if p.problem else None for p in read(item)]


def test_curl_image_download_is_skipped_as_not_json() -> None:
    """curl -i of an image download (application/octet-stream) gives P023 info, no parse error."""
    payload = read_http(Origin("x.http"), (CAPTURES / "image-download.http").read_bytes())
    assert payload.problem is not None
    assert (payload.problem.code, payload.problem.severity) == ("P023", "info")
    assert "application/octet-stream" in payload.problem.message
    assert payload.data == b""


def test_har_entry_with_binary_mime_type_is_skipped_and_json_entry_checked() -> None:
    """In a HAR, the octet-stream entry is P023 while the JSON entry beside it is checked."""
    assert _codes("image-download.har") == [None, "P023"]


def test_json_text_and_untyped_bodies_are_still_parsed() -> None:
    """JSON types (with parameters or +json), text types and a missing type are not skipped."""
    origin = Origin("x.http", status=200)
    for media in ("application/json; charset=UTF-8", "application/schema+json", "text/plain", None, ""):
        assert not_json_by_type(origin, media) is None


def test_error_responses_are_left_to_the_error_body_check() -> None:
    """A 4xx or 5xx response is not skipped by its type: its body is an error body (S006)."""
    assert not_json_by_type(Origin("x.http", status=502), "application/octet-stream") is None
    assert not_json_by_type(Origin("x.http", status=200), "image/png") is not None
