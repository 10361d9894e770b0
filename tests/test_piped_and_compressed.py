"""JSON Lines where users pipe it (recognised by content on standard input and FIFOs), and
compressed inputs (``.gz``, ``.xz``) read decompressed within the same size limits."""

from __future__ import annotations

import gzip
import io
import lzma
import os
import subprocess
import sys
import threading
from pathlib import Path

from glance_validate.inputs.discover import Input, format_of
from glance_validate.inputs.readers import read
from glance_validate.inputs.reading import Limits

ROOT = Path(__file__).resolve().parent.parent
FLEET = ROOT / "fixtures" / "captures" / "fleet.jsonl"
PAGE = b'{"images": [], "first": "/v2/images", "schema": "/v2/schemas/images"}'


def _problems_and_bodies(
    item: Input, stdin: io.BytesIO | None = None, max_bytes: int = 64 << 20
) -> tuple[list[str], list[bytes]]:
    payloads = list(read(item, stdin, Limits(max_bytes, 5.0)))
    problems = [f"{p.problem.code} {p.problem.message}" for p in payloads if p.problem is not None]
    return problems, [p.data for p in payloads if p.problem is None]


def test_json_lines_piped_to_standard_input_are_read_line_by_line() -> None:
    """`cat fleet.jsonl | glance-validate -` reports findings by line, without --input-format jsonl."""
    result = subprocess.run(
        [sys.executable, "-m", "glance_validate", "check", "-q", "-"],
        input=FLEET.read_bytes(),
        capture_output=True,
        check=False,
        timeout=120,
    )
    out = result.stdout.decode()
    assert "<stdin>:6:248: K001" in out and "<stdin>:3:438: P001" in out
    assert "extra data" not in out


def test_json_lines_from_a_fifo_are_recognised(tmp_path: Path) -> None:
    """A FIFO (as `<(zcat pages.jsonl.gz)` gives) carrying two JSON lines yields two payloads."""
    fifo = tmp_path / "pages"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(PAGE + b"\n" + PAGE + b"\n"))
    writer.start()
    problems, bodies = _problems_and_bodies(Input(str(fifo), str(fifo)))
    writer.join()
    assert (problems, bodies) == ([], [PAGE, PAGE])


def test_a_pretty_printed_document_on_standard_input_stays_one_payload() -> None:
    """A JSON document over several lines is not mistaken for JSON Lines."""
    document = b'{\n  "images": [\n    {"id": 1}\n  ]\n}\n'
    problems, bodies = _problems_and_bodies(Input("<stdin>", None), io.BytesIO(document))
    assert (problems, bodies) == ([], [document])


def test_a_compressed_name_takes_the_format_of_the_name_inside() -> None:
    """fleet.jsonl.gz is JSON Lines, page.json.xz is JSON, capture.gz is decided by its content."""
    assert (format_of("fleet.jsonl.gz"), format_of("page.JSON.xz"), format_of("capture.gz")) == (
        "jsonl",
        "json",
        None,
    )


def test_gzip_json_lines_are_read_decompressed(tmp_path: Path) -> None:
    """A .jsonl.gz file gives the payloads of its decompressed lines."""
    path = tmp_path / "pages.jsonl.gz"
    path.write_bytes(gzip.compress(PAGE + b"\n\n" + PAGE + b"\n"))
    assert _problems_and_bodies(Input(str(path), str(path), "jsonl")) == ([], [PAGE, PAGE])


def test_an_xz_document_is_read_decompressed(tmp_path: Path) -> None:
    """A .json.xz file gives its decompressed document."""
    path = tmp_path / "page.json.xz"
    path.write_bytes(lzma.compress(PAGE))
    assert _problems_and_bodies(Input(str(path), str(path), "json")) == ([], [PAGE])


def test_a_gzip_bomb_is_refused_at_the_limit(tmp_path: Path) -> None:
    """8 MiB of spaces compressed is refused as P011 past a 1 MiB limit, not expanded whole."""
    path = tmp_path / "bomb.json.gz"
    path.write_bytes(gzip.compress(b" " * (8 << 20), 9))
    problems, _ = _problems_and_bodies(Input(str(path), str(path), "json"), max_bytes=1 << 20)
    assert problems == [
        f"P011 {str(path)!r}: the decompressed file is larger than the limit of 1 MiB: not read "
        "(--max-bytes raises the limit)"
    ]


def test_a_truncated_gzip_file_is_reported_as_truncated(tmp_path: Path) -> None:
    """A .json.gz cut short is P009 saying the compressed file is truncated."""
    path = tmp_path / "page.json.gz"
    path.write_bytes(gzip.compress(PAGE)[:-12])
    problems, _ = _problems_and_bodies(Input(str(path), str(path), "json"))
    assert problems == [
        f"P009 cannot read {str(path)!r}: the compressed file is truncated: it ends before its "
        "compressed data does"
    ]


def test_extra_data_on_standard_input_hints_at_input_format_jsonl() -> None:
    """Two values on one line of standard input: the P001 'extra data' names --input-format jsonl."""
    result = subprocess.run(
        [sys.executable, "-m", "glance_validate", "check", "-q", "-"],
        input=PAGE + b" " + PAGE + b"\n",
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert "P001 [error] extra data after the JSON value" in result.stdout.decode()
    assert (
        "if the input is JSON Lines (one value per line), give --input-format jsonl" in result.stdout.decode()
    )


def test_extra_data_in_a_named_json_file_has_no_hint(tmp_path: Path) -> None:
    """A .json file with two values keeps the plain P001 message: its name says JSON."""
    path = tmp_path / "two.json"
    path.write_bytes(PAGE + b" " + PAGE + b"\n")
    result = subprocess.run(
        [sys.executable, "-m", "glance_validate", "check", "-q", str(path)],
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert "P001 [error] extra data after the JSON value" in result.stdout.decode()
    assert "--input-format jsonl" not in result.stdout.decode()
