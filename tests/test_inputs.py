"""Inputs: discovering files under directories, and reading JSON, JSON Lines, HAR and curl -i captures."""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sample_payloads import UUID, sample_image, sample_page

from glance_validate.checks.validation import Validator
from glance_validate.inputs.curl import read_http
from glance_validate.inputs.discover import DEFAULT_INCLUDE, Input, discover, format_of_name
from glance_validate.inputs.har import image_api_target, read_har
from glance_validate.inputs.jsonlines import LineCount, jsonl_ranges, read_jsonl_range
from glance_validate.inputs.payloads import Origin, Payload
from glance_validate.inputs.readers import read
from glance_validate.runner.check import check_payload

ROOT = Path(__file__).resolve().parent.parent
CAPTURES = ROOT / "fixtures" / "captures"
PLANTED = ("gAAAAABplantedTOKENdoNOTprint0123456789", "planted-cookie-value-42")


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator("ims")


def _checked(validator: Validator, item: Input) -> list[tuple[str, Any]]:
    return [(c.origin.label, c) for c in (check_payload(validator, p) for p in read(item))]


def _labels(found: list[Input], root: Path) -> list[str]:
    return [str(Path(i.label).relative_to(root)) for i in found]


# Discovery ---------------------------------------------------------------------------------


def _tree(root: Path, names: list[str]) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")


def test_directories_are_walked_recursively_in_sorted_order(tmp_path: Path) -> None:
    """Files under a directory are found at every depth, in an order that does not depend on the disk."""
    _tree(tmp_path, ["b.json", "a/z.jsonl", "a/y/x.har", "c.ndjson", "d.http", "notes.txt", "a/README.md"])
    found = discover([str(tmp_path)])
    assert _labels(found, tmp_path) == ["a/y/x.har", "a/z.jsonl", "b.json", "c.ndjson", "d.http"]
    assert [i.format for i in found] == ["har", "jsonl", "json", "jsonl", "http"]


def test_include_replaces_the_default_suffixes(tmp_path: Path) -> None:
    """--include GLOB picks the files read under a directory; a pattern with / matches the relative path."""
    _tree(tmp_path, ["x.json", "resp/a.txt", "resp/b.txt", "other/c.txt"])
    assert _labels(discover([str(tmp_path)], include=["*.txt"]), tmp_path) == [
        "other/c.txt",
        "resp/a.txt",
        "resp/b.txt",
    ]
    assert _labels(discover([str(tmp_path)], include=["resp/*.txt"]), tmp_path) == [
        "resp/a.txt",
        "resp/b.txt",
    ]


def test_exclude_skips_files_and_prunes_directories(tmp_path: Path) -> None:
    """--exclude GLOB drops matching files and does not enter matching directories."""
    _tree(
        tmp_path,
        ["keep.json", "page.expected.json", "node_modules/pkg/package.json", "deep/node_modules/x.json"],
    )
    found = discover([str(tmp_path)], exclude=["*.expected.json", "node_modules"])
    assert _labels(found, tmp_path) == ["keep.json"]


def test_a_directory_without_inputs_is_noted(tmp_path: Path) -> None:
    """A directory holding no file to read is named in the notes, so a wrong path does not pass unseen."""
    _tree(tmp_path, ["empty/readme.txt", "full/a.json"])
    notes: list[str] = []
    found = discover([str(tmp_path / "empty"), str(tmp_path / "full")], notes=notes)
    assert _labels(found, tmp_path) == ["full/a.json"]
    assert notes == [
        f"no input found under {str(tmp_path / 'empty')!r} (files matching {' '.join(DEFAULT_INCLUDE)})"
    ]


def test_named_files_are_read_whatever_their_name(tmp_path: Path) -> None:
    """A file named on the command line is read even when its suffix is unknown (its content decides)."""
    path = tmp_path / "response.txt"
    path.write_text("{}")
    found = discover([str(path)], include=["*.json"], exclude=["*.txt"])
    assert [(i.label, i.format) for i in found] == [(str(path), None)]


def test_each_file_is_read_once(tmp_path: Path) -> None:
    """A file named twice, or named and also found under a named directory, is read once."""
    _tree(tmp_path, ["a.json"])
    found = discover([str(tmp_path / "a.json"), str(tmp_path), str(tmp_path / "." / "a.json"), "-", "-"])
    assert [i.label for i in found] == [str(tmp_path / "a.json"), "<stdin>"]


def test_symlink_loops_are_survived(tmp_path: Path) -> None:
    """A link back to an ancestor directory is entered once; a self-referencing link is unreadable."""
    _tree(tmp_path, ["data/a.json"])
    (tmp_path / "data" / "loop").symlink_to(tmp_path)
    (tmp_path / "data" / "self.json").symlink_to(tmp_path / "data" / "self.json")
    found = discover([str(tmp_path)])
    assert _labels(found, tmp_path) == ["data/a.json", "data/self.json"]
    assert found[0].problem is None
    assert found[1].problem is not None and "symbolic links" in found[1].problem


def test_special_files_under_directories_are_reported_not_read(tmp_path: Path) -> None:
    """A FIFO found under a directory is reported as unreadable instead of blocking the run."""
    _tree(tmp_path, ["a.json"])
    os.mkfifo(tmp_path / "pipe.json")
    found = discover([str(tmp_path)])
    assert found[1].problem is not None and "FIFO" in found[1].problem


def test_an_unlistable_directory_is_an_unreadable_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory that cannot be listed becomes an input carrying the reason, so it is reported."""
    _tree(tmp_path, ["a.json", "locked/b.json"])
    real_scandir = os.scandir

    def scandir(path: str) -> Any:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = discover([str(tmp_path)])
    assert _labels(found, tmp_path) == ["a.json", "locked"]
    assert found[1].problem == "cannot list directory: Permission denied"


# JSON and unreadable files -------------------------------------------------------------------


def test_missing_file_is_an_unreadable_finding(validator: Validator, tmp_path: Path) -> None:
    """A path that does not exist yields one P009 finding naming it."""
    [(label, checked)] = _checked(validator, Input("gone.json", str(tmp_path / "gone.json"), "json"))
    assert label == "gone.json"
    assert checked.result.codes() == ["P009"] and "No such file" in checked.result.findings[0].message


def test_json_file_content_decides_when_the_suffix_does_not(validator: Validator, tmp_path: Path) -> None:
    """A .txt file holding a curl -i capture or a HAR is read as such."""
    http = tmp_path / "a.txt"
    http.write_bytes(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + json.dumps(sample_image()).encode()
    )
    har = tmp_path / "b.txt"
    har.write_text(json.dumps({"log": {"entries": []}}))
    assert [c.result.kind for _, c in _checked(validator, Input("a", str(http)))] == ["image"]
    assert [c.result.codes() for _, c in _checked(validator, Input("b", str(har)))] == [["P022"]]


# JSON Lines ----------------------------------------------------------------------------------


def test_jsonl_checks_each_line_with_the_file_line_numbers(validator: Validator) -> None:
    """Each non-blank line is a payload with the file's line numbers; a bad line does not stop the rest."""
    checked = [
        c for _, c in _checked(validator, Input("fleet.jsonl", str(CAPTURES / "fleet.jsonl"), "jsonl"))
    ]
    assert [c.origin.line for c in checked] == [1, 2, 3, 5, 6, 7]
    assert [c.result.codes() for c in checked] == [[], [], ["P001"], [], ["K001"], []]
    bad_line = checked[2].result.findings[0]
    assert (bad_line.line, bad_line.message) == (3, "unexpected end of input inside a string; expected '\"'")
    k001 = checked[4].result.findings[0]
    text = (CAPTURES / "fleet.jsonl").read_text().splitlines()[k001.line - 1]  # type: ignore[operator]
    assert k001.path == "/min_ram" and text[k001.column - 1 :].startswith("1.5")  # type: ignore[operator]


def test_jsonl_lines_may_be_pages_or_images(validator: Validator, tmp_path: Path) -> None:
    """A line is either an image list or a single image, told apart by its content."""
    path = tmp_path / "mixed.ndjson"
    path.write_text(json.dumps(sample_page(sample_image())) + "\r\n" + json.dumps(sample_image()) + "\r\n")
    checked = [c for _, c in _checked(validator, Input("m", str(path), "jsonl"))]
    assert [(c.result.kind, c.result.ok) for c in checked] == [("image-list", True), ("image", True)]


def test_jsonl_from_stdin_is_streamed(validator: Validator) -> None:
    """JSON Lines on standard input are read line by line, with line numbers."""
    stdin = io.BytesIO(b'{"images": []}\n\n[1]\n')
    payloads = list(read(Input("<stdin>", None, "jsonl"), stdin))
    assert [(p.origin.line, p.data) for p in payloads] == [(1, b'{"images": []}'), (3, b"[1]")]


def test_jsonl_ranges_cover_every_line_exactly_once(tmp_path: Path) -> None:
    """Byte ranges of a JSON Lines file together yield each line once, numbered consecutively."""
    path = tmp_path / "many.jsonl"
    lines = [json.dumps({"n": n, "pad": "x" * (n % 37)}) for n in range(500)]
    path.write_text("\n".join(lines) + "\n")
    for size in (1, 7, 64, 1000, 10**6):
        seen: list[bytes] = []
        offset = 0
        for start, end in jsonl_ranges(str(path), size):
            count = LineCount()
            payloads = list(read_jsonl_range(Input("m", str(path), "jsonl"), start, end, count))
            assert [p.origin.line for p in payloads] == list(range(1, len(payloads) + 1))
            seen.extend(p.data for p in payloads)
            offset += count.lines
        assert seen == [line.encode() for line in lines]
        assert offset == 500


def test_jsonl_memory_stays_flat_as_the_file_grows(tmp_path: Path) -> None:
    """Peak memory of a run over 40,000 lines is about that of 5,000 lines (the file is streamed)."""
    line = json.dumps(sample_image(description="x" * 600)).encode() + b"\n"
    peaks = []
    for count in (5_000, 40_000):
        path = tmp_path / f"lines-{count}.jsonl"
        with path.open("wb") as handle:
            for _ in range(count // 1000):
                handle.write(line * 1000)
        # VmHWM: the peak resident memory of this process image (ru_maxrss would include the parent's).
        script = (
            "import re, sys\n"
            "from pathlib import Path\n"
            "from glance_validate.runner.options import RunOptions\n"
            "from glance_validate.runner.run import run\n"
            f"options = RunOptions(paths=[{str(path)!r}], output_format='json')\n"
            "with open('/dev/null', 'w') as sink:\n"
            "    assert run(options, sink, sys.stderr) == 0\n"
            "print(re.search(r'VmHWM:\\s+(\\d+)', Path('/proc/self/status').read_text()).group(1))\n"
        )
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
        peaks.append(int(out.stdout.strip()))
    size_growth_kib = 35_000 * len(line) // 1024
    assert peaks[1] - peaks[0] < size_growth_kib // 4, (peaks, size_growth_kib)


# HAR captures --------------------------------------------------------------------------------


def test_har_extracts_every_image_api_response_with_labels(validator: Validator) -> None:
    """Each GET response to the image API becomes a payload labelled file#entry-N (GET path?query)."""
    har = CAPTURES / "ims-session.har"
    checked = [c for _, c in _checked(validator, Input(str(har), str(har), "har"))]
    assert [c.origin.entry for c in checked] == [1, 2, 3, 5, 6, 8]  # POST, /file and 304 are not payloads
    assert checked[0].origin.label == f"{har}#entry-1 (GET /v2/images?limit=2)"
    assert [c.result.kind for c in checked] == [
        "image-list",
        "image-list",
        "image",
        "error-body",
        "schema",
        "error-body",
    ]
    assert [c.result.codes() for c in checked] == [[], ["K002"], [], ["S006"], ["L001"], ["S006"]]
    assert all(c.origin.body_relative for c in checked)


def test_har_base64_bodies_are_decoded(validator: Validator) -> None:
    """A body stored base64-encoded (and gzip-compressed) is decoded before it is checked."""
    body = json.dumps(sample_image(visibility="everyone")).encode()
    entry = _har_entry(
        "/v2/images/" + UUID, 200, base64.b64encode(gzip.compress(body)).decode(), encoding="base64"
    )
    entry["response"]["headers"] = [{"name": "Content-Encoding", "value": "gzip"}]
    [payload] = read_har(Origin("c.har", "c.har"), json.dumps(_har([entry])).encode())
    assert payload.data == body
    assert check_payload(validator, payload).result.codes() == ["K002"]


def test_har_error_status_is_checked_as_an_error_body(validator: Validator) -> None:
    """A 4xx/5xx response is checked as an error body: known shapes and text bodies are S006 warnings."""
    har = CAPTURES / "ims-session.har"
    checked = {c.origin.entry: c for _, c in _checked(validator, Input("s.har", str(har), "har"))}
    not_found = checked[5].result.findings[0]
    assert not_found.severity == "warning" and not_found.message.startswith(
        "HTTP 404: payload is an API error"
    )
    unavailable = checked[8].result.findings[0]
    assert (
        unavailable.code == "S006"
        and "HTTP 503" in unavailable.message
        and "text/html" in unavailable.message
    )
    image_as_error = _har_entry("/v2/images", 500, json.dumps({"images": []}))
    [payload] = read_har(Origin("c.har"), json.dumps(_har([image_as_error])).encode())
    result = check_payload(validator, payload).result
    assert result.codes() == ["S006"] and "not an API error body" in result.findings[0].message


def test_har_without_log_entries_is_not_a_capture(validator: Validator) -> None:
    """JSON that is not a HAR capture is one P020 finding; broken JSON is P001 with its position."""
    [payload] = read_har(Origin("c.har"), b'{"log": {"pages": []}}')
    assert check_payload(validator, payload).result.codes() == ["P020"]
    [payload] = read_har(Origin("c.har"), b'{"log": {"entries": [}')
    result = check_payload(validator, payload).result
    assert result.codes() == ["P001"] and result.findings[0].line == 1


def test_har_with_no_image_traffic_is_reported(validator: Validator) -> None:
    """A capture without any image API response is a P022 warning, not a silent pass."""
    har = CAPTURES / "no-image-traffic.har"
    [(_, checked)] = _checked(validator, Input(str(har), str(har), "har"))
    assert checked.result.codes() == ["P022"] and checked.result.findings[0].severity == "warning"


def test_har_entry_without_body_or_response_is_unusable(validator: Validator) -> None:
    """A response whose body was not recorded, or a request that got no response, is P021."""
    har = CAPTURES / "body-not-recorded.har"
    [(_, checked)] = _checked(validator, Input(str(har), str(har), "har"))
    assert checked.result.codes() == ["P021"] and "5120 bytes" in checked.result.findings[0].message
    aborted = _har_entry("/v2/images", 0, None)
    bad_base64 = _har_entry("/v2/images", 200, "not base64!", encoding="base64")
    payloads = list(read_har(Origin("c.har"), json.dumps(_har([aborted, bad_base64])).encode()))
    assert [check_payload(validator, p).result.codes() for p in payloads] == [["P021"], ["P021"]]


def test_har_never_outputs_request_headers_or_credentials(tmp_path: Path) -> None:
    """Tokens, cookies and Authorization of captured requests appear in no report format."""
    har = CAPTURES / "ims-session.har"
    assert all(secret in har.read_text() for secret in PLANTED)
    outputs = [f"{fmt}={tmp_path / fmt}" for fmt in ("json", "junit", "sarif", "github", "text")]
    args = ["-v", str(har), *[a for o in outputs for a in ("--output", o)]]
    result = subprocess.run(
        [sys.executable, "-m", "glance_validate", *args], capture_output=True, text=True, check=False
    )
    texts = [
        result.stdout,
        result.stderr,
        *[(tmp_path / fmt).read_text() for fmt in ("json", "junit", "sarif", "github", "text")],
    ]
    for text in texts:
        assert "entry-8" in text or text == result.stderr
        for secret in PLANTED:
            assert secret not in text


def test_query_credentials_are_masked_and_other_urls_ignored() -> None:
    """Only image API paths are targets; hosts are dropped and credential-like query values masked."""
    assert (
        image_api_target("https://u:p@h.example.com/image/v2/images?limit=2&token=abc")
        == "/image/v2/images?limit=2&token=***"
    )
    assert image_api_target("https://h/v2/images/" + UUID) == "/v2/images/" + UUID
    assert image_api_target("https://h/v2/schemas/image") == "/v2/schemas/image"
    for other in ("https://h/v2/images/x/file", "https://h/v2/images/x/members", "https://h/v3/auth/tokens"):
        assert image_api_target(other) is None


def _har_entry(path: str, status: int, text: str | None, encoding: str | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {"mimeType": "application/json", "size": len(text or "")}
    if text is not None:
        content["text"] = text
    if encoding:
        content["encoding"] = encoding
    return {
        "request": {"method": "GET", "url": "https://ims.example.com" + path, "headers": []},
        "response": {"status": status, "headers": [], "content": content},
    }


def _har(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"log": {"version": "1.2", "entries": entries}}


# curl -i captures ------------------------------------------------------------------------------


def test_http_capture_positions_are_the_file_lines(validator: Validator) -> None:
    """The body of a curl -i capture is checked; finding lines count the head lines before it."""
    path = CAPTURES / "image-bad-visibility.http"
    [(_, checked)] = _checked(validator, Input(str(path), str(path), "http"))
    [f] = checked.result.findings
    assert checked.origin.status == 200 and f.code == "K002"
    assert path.read_text().splitlines()[f.line - 1][f.column - 1 :].startswith('"everyone"')  # type: ignore[operator]


def test_http_capture_after_redirects_checks_the_last_response(validator: Validator) -> None:
    """With curl -i -L, the heads of redirects are skipped and the final response body is checked."""
    path = CAPTURES / "followed-redirect.http"
    [(_, checked)] = _checked(validator, Input(str(path), str(path), "http"))
    assert (checked.origin.status, checked.result.kind, checked.result.ok) == (200, "image", True)


def test_http_capture_error_status_is_an_error_body(validator: Validator) -> None:
    """A 401 capture with an API gateway body is an S006 warning naming the status."""
    path = CAPTURES / "token-expired.http"
    [(_, checked)] = _checked(validator, Input(str(path), str(path), "http"))
    assert checked.result.codes() == ["S006"] and "HTTP 401" in checked.result.findings[0].message


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"images": []}', "does not start with an HTTP status line"),
        (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n", "no blank line"),
        (b"HTTP/1.1 OK\r\n\r\n{}", "does not start with an HTTP status line"),
    ],
)
def test_malformed_http_capture_is_p020(validator: Validator, data: bytes, reason: str) -> None:
    """A file read as an HTTP capture without a status line or a blank line after the head is P020."""
    payload = read_http(Origin("r.http", "r.http"), data)
    result = check_payload(validator, payload).result
    assert result.codes() == ["P020"] and reason in result.findings[0].message


def test_http_capture_with_gzip_body_is_decoded(validator: Validator) -> None:
    """A gzip-encoded body saved by curl without --compressed is decompressed; positions are the body's."""
    body = json.dumps(sample_image()).encode()
    data = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n" + gzip.compress(body)
    payload = read_http(Origin("r.http", "r.http"), data)
    assert isinstance(payload, Payload) and payload.data == body and payload.origin.body_relative
    assert check_payload(validator, payload).result.ok


# Names and labels of discovered files ------------------------------------------------------------

_NAME_PARTS = st.sampled_from(["page", ".", "..", "JSON", "json", "jsonl", "gz", "XZ", "har", "x"])


@given(st.lists(_NAME_PARTS, min_size=1, max_size=5).map("".join))
def test_format_of_a_name_follows_its_path_suffixes(name: str) -> None:
    """A file's format comes from its suffix as pathlib reads it, ``.gz``/``.xz`` looked through."""
    path = Path(name)
    if path.suffix.lower() in (".gz", ".xz"):
        path = path.with_suffix("")
    suffix = path.suffix.lower()
    expected = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".har": "har", ".http": "http"}
    assert format_of_name(name) == expected.get(suffix)


@pytest.mark.parametrize("spelling", ["{d}", "{d}/", "{d}//", "./{d}", "{d}/./"])
def test_labels_under_a_directory_are_its_path_joined(
    tmp_path: Path, spelling: str, monkeypatch: Any
) -> None:
    """However the directory is written, a file's label is Path(directory) / its relative path."""
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "sub" / "page.json").write_text("{}")
    monkeypatch.chdir(tmp_path)
    root = spelling.format(d="d")
    assert [i.label for i in discover([root])] == [str(Path(root) / "sub" / "page.json")]
    monkeypatch.chdir(tmp_path / "d")
    assert [i.label for i in discover(["."])] == ["sub/page.json"]
    assert [i.label for i in discover([str(tmp_path / "d")])] == [str(tmp_path / "d" / "sub" / "page.json")]
