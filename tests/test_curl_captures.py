"""curl -i captures whose body is not plain JSON: chunked framing kept, gzip cut short or corrupt.

Each is read for what it is (the framing removed) or reported as what is wrong with the capture
(P021), never parsed as JSON with a confusing P001.
"""

from __future__ import annotations

import gzip
import json

import pytest

from glance_validate.checks.validation import Validator
from glance_validate.inputs.curl import read_http
from glance_validate.inputs.payloads import Origin
from glance_validate.runner.check import check_payload

BODY = json.dumps({"images": [], "first": "/v2/images", "schema": "/v2/schemas/images"}).encode()
CHUNKED = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
GZIPPED = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n\r\n"


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator("ims")


def _framed(body: bytes, *sizes: int) -> bytes:
    """``body`` in chunked framing: chunks of ``sizes``, the rest in one chunk, then the last chunk."""
    out, position = b"", 0
    for size in (*sizes, len(body)):
        piece = body[position : position + size]
        if piece:
            out += b"%x\r\n" % len(piece) + piece + b"\r\n"
        position += len(piece)
    return out + b"0\r\n\r\n"


def _codes_and_message(validator: Validator, data: bytes) -> tuple[list[str], str]:
    result = check_payload(validator, read_http(Origin("r.http", "r.http"), data)).result
    return result.codes(), " ".join(f.message for f in result.findings)


def test_a_chunked_body_saved_with_its_framing_is_read_without_it(validator: Validator) -> None:
    """Transfer-Encoding: chunked with chunk sizes in the body: the chunks joined are the payload."""
    payload = read_http(Origin("r.http", "r.http"), CHUNKED + _framed(BODY, 10, 7))
    assert payload.data == BODY and payload.origin.body_relative
    assert check_payload(validator, payload).result.ok


def test_a_chunked_and_gzipped_body_is_unframed_then_decompressed(validator: Validator) -> None:
    """Chunked framing around a gzip body: the framing is removed first, then the encoding."""
    head = CHUNKED.replace(b"\r\n\r\n", b"\r\nContent-Encoding: gzip\r\n\r\n")
    payload = read_http(Origin("r.http", "r.http"), head + _framed(gzip.compress(BODY), 5))
    assert payload.data == BODY


def test_a_chunked_header_over_an_unframed_body_reads_the_body_as_is(validator: Validator) -> None:
    """curl -i removes the framing but keeps the header: a body not starting with a chunk size is JSON."""
    payload = read_http(Origin("r.http", "r.http"), CHUNKED + BODY)
    assert payload.data == BODY and not payload.origin.body_relative


def test_a_chunked_body_cut_short_is_reported_as_truncated(validator: Validator) -> None:
    """Chunked framing without its last zero-size chunk is P021 naming the truncation."""
    codes, message = _codes_and_message(validator, CHUNKED + _framed(BODY)[:-5])
    assert codes == ["P021"]
    assert "marked chunked (Transfer-Encoding) but is truncated" in message


def test_a_gzip_body_without_its_trailer_is_reported_as_truncated(validator: Validator) -> None:
    """A gzip body missing its last 8 bytes (CRC and size) is P021, not silently accepted."""
    codes, message = _codes_and_message(validator, GZIPPED + gzip.compress(BODY)[:-8])
    assert codes == ["P021"]
    assert "the body is marked gzip but is truncated" in message


def test_a_corrupt_gzip_body_says_it_does_not_decompress(validator: Validator) -> None:
    """A gzip body with garbage after its header is P021 'does not decompress', not 'document is empty'."""
    codes, message = _codes_and_message(validator, GZIPPED + gzip.compress(BODY)[:10] + b"garbage" * 3)
    assert codes == ["P021"]
    assert "the body is marked gzip but does not decompress: invalid block type" in message
