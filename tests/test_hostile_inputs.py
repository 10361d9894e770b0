"""Hostile inputs: every case of tests/hostile/manifest.json meets its expected outcome.

Alone, each case exits with its documented code and yields exactly its findings; all together in
one run, every input is still checked and reported, each finding is one line, nothing is a
traceback, and the summary counts checked, failed and unreadable inputs exactly. Files are made at
test time (a 200 MB file, FIFOs, link loops, unreadable files, names that are not UTF-8).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hostile import corpus
from hypothesis import given
from hypothesis import strategies as st

from glance_validate.checks.validation import Validator
from glance_validate.core.catalog import catalog
from glance_validate.core.exitcodes import ExitCode
from glance_validate.runner.options import RunOptions
from glance_validate.runner.run import run

ROOT = Path(__file__).resolve().parent.parent
PIPE_TIMEOUT = "1"
FINDING_LINE = re.compile(r"^(?P<where>.+?): (?P<code>[A-Z][0-9]{3}) \[(?:error|warning|info)\] .+$")


def _page(images: bytes) -> bytes:
    """A page's text with ``images`` (the text of its value) and the envelope Glance writes."""
    return b'{"images": ' + images + b', "first": "/v2/images", "schema": "/v2/schemas/images"}'


EMPTY_PAGE = _page(b"[]")
SUMMARY_LINE = re.compile(r"^checked (\d+) payloads? \((\d+) images?\) against ims: .+ in [0-9.]+s$")
SEVERITY = {r.code: r.severity for r in catalog().rules}
NOT_READ = {"P009", "P011"}
VALIDATOR = Validator("ims")


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, corpus.Built]:
    built = corpus.build(tmp_path_factory.mktemp("hostile"))
    return {b.id: b for b in built}


def _privileged() -> bool:
    """Whether mode-000 files are readable here (root), so a run must give up that power first."""
    return not corpus.permissions_apply()


def _cli(args: list[str], *options: str) -> subprocess.CompletedProcess[bytes]:
    """The command line in a child process; as root, without the power to ignore file modes."""
    drop = corpus.drop_file_capabilities if _privileged() else None
    return subprocess.run(
        [sys.executable, "-m", "glance_validate", "--pipe-timeout", PIPE_TIMEOUT, *options, *args],
        capture_output=True,
        check=False,
        cwd=ROOT,
        timeout=300,
        preexec_fn=drop,
    )


def _run(args: list[str], **options: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(RunOptions(paths=args, pipe_timeout=float(PIPE_TIMEOUT), **options), out, err, io.BytesIO())
    return code, out.getvalue(), err.getvalue()


def _assert_payloads(built: corpus.Built, payloads: list[dict[str, Any]]) -> None:
    got = [(p["source"], p.get("line"), sorted(f["code"] for f in p["findings"])) for p in payloads]
    expected = [(e.source, e.line, sorted(e.codes)) for e in built.payloads]
    assert got == expected, built.about
    for want, payload in zip(built.payloads, payloads, strict=True):
        if want.message is not None:
            messages = [f["message"] for f in payload["findings"]]
            assert any(re.search(want.message, m) for m in messages), (built.id, messages)
            assert all("\n" not in m and "\r" not in m for m in messages)


def _heads(out: str) -> list[str]:
    """``where: CODE`` of each finding line of a text report."""
    return [line.split(" [")[0] for line in out.splitlines()[:-1] if not line.startswith("schema ")]


def _assert_one_line_errors(err: str) -> None:
    assert "Traceback" not in err and "internal error" not in err, err
    assert all(line.startswith("glance-validate: ") for line in err.splitlines()), err


# The manifest itself -----------------------------------------------------------------------------


def test_manifest_holds_forty_cases_each_with_an_outcome() -> None:
    """At least 40 distinct cases, each saying what it is, its exit code and its payloads."""
    data = corpus.load()
    ids = [case["id"] for case in data["cases"]]
    assert len(ids) >= 40 and len(set(ids)) == len(ids)
    for case in data["cases"]:
        assert case["about"] and case["exit"] in (0, 1, 3, 4) and "make" in case
        assert "expect" in case or "expect_each" in case
        listed = case.get("expect", [case.get("expect_each")])
        assert all(set(e["codes"]) <= set(SEVERITY) for e in listed), case["id"]


# Each case alone ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case_id", corpus.case_ids())
def test_each_case_alone_gives_its_findings_and_exit_code(
    cases: dict[str, corpus.Built], case_id: str
) -> None:
    """One hostile input: its documented exit code, exactly its findings, one-line errors only."""
    built = cases[case_id]
    if built.needs_permissions and _privileged():
        if not corpus.can_drop_capabilities():
            pytest.skip("running as root without CAP_SETPCAP: file modes cannot be made to apply")
        wait = built.prepare()
        result = _cli(built.args, "--format", "json")
        wait()
        code, out, err = result.returncode, result.stdout.decode(), result.stderr.decode()
    else:
        wait = built.prepare()
        code, out, err = _run(built.args, output_format="json")
        wait()
    assert code == built.exit, (built.about, out, err)
    _assert_one_line_errors(err)
    if built.stderr is not None:
        assert re.search(built.stderr, err), err
    report = json.loads(out)
    _assert_payloads(built, list(corpus.walk_payloads(report, built)))
    assert report["summary"]["payloads"] == len(built.payloads)


# All cases in one run ------------------------------------------------------------------------------


def _all_args(cases: dict[str, corpus.Built]) -> list[str]:
    return [arg for built in cases.values() for arg in built.args]


def _run_all(cases: dict[str, corpus.Built], *options: str) -> tuple[subprocess.CompletedProcess[bytes], int]:
    """One child process over every case; returns its result and its peak RSS in KiB."""
    waits = [b.prepare() for b in cases.values()]
    drop = corpus.drop_file_capabilities if _privileged() else None
    code, peak, out, err = corpus.run_measured(
        ["-m", "glance_validate", "--pipe-timeout", PIPE_TIMEOUT, *options, *_all_args(cases)],
        preexec_fn=drop,
        cwd=ROOT,
    )
    for wait in waits:
        wait()
    return subprocess.CompletedProcess([], code, out, err), peak


@pytest.fixture(scope="module")
def everything(cases: dict[str, corpus.Built], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    report = tmp_path_factory.mktemp("reports") / "report.json"
    result, peak = _run_all(cases, "--output", f"json={report}")
    return {
        "result": result,
        "peak_kib": peak,
        "report": json.loads(report.read_text("utf-8")),
        "stdout": result.stdout.decode("utf-8"),
        "stderr": result.stderr.decode("utf-8"),
    }


def test_one_run_over_every_case_checks_and_reports_each(
    cases: dict[str, corpus.Built], everything: dict[str, Any]
) -> None:
    """Together, every input still yields exactly its findings: no input loses another."""
    assert everything["result"].returncode == ExitCode.TOOL_FAILURE
    _assert_one_line_errors(everything["stderr"])
    for built in cases.values():
        _assert_payloads(built, list(corpus.walk_payloads(everything["report"], built)))
        if built.stderr is not None:
            assert re.search(built.stderr, everything["stderr"])
    listed = [p for built in cases.values() for p in corpus.walk_payloads(everything["report"], built)]
    assert len(listed) == len(everything["report"]["payloads"])  # nothing reported twice or unowned


def _expected_counts(cases: dict[str, corpus.Built]) -> dict[str, int]:
    expected = [e for built in cases.values() for e in built.payloads]
    unreadable = sum(1 for e in expected if NOT_READ & set(e.codes))
    failed = sum(1 for e in expected if any(SEVERITY[c] == "error" for c in e.codes))
    return {
        "payloads": len(expected),
        "good": len(expected) - failed,
        "bad": failed - unreadable,
        "unreadable": unreadable,
        "failed": failed,
    }


def test_summary_counts_checked_failed_and_unreadable_exactly(
    cases: dict[str, corpus.Built], everything: dict[str, Any]
) -> None:
    """checked = good + bad + unreadable, in the JSON summary and on the text summary line."""
    want = _expected_counts(cases)
    summary = everything["report"]["summary"]
    assert summary["payloads"] == want["good"] + want["bad"] + want["unreadable"] == want["payloads"]
    assert summary["failed"] == want["failed"] and summary["unreadable"] == want["unreadable"]
    assert summary["not_checked"] == 0
    inputs = {e.source.split("#entry-")[0] for built in cases.values() for e in built.payloads}
    assert summary["inputs"] == len(inputs)  # files found, the unlistable directory; not the empty one
    last = everything["stdout"].splitlines()[-1]
    assert SUMMARY_LINE.match(last), last
    assert last.startswith(f"checked {want['payloads']} payloads ")
    assert f": {want['failed']} failed ({want['unreadable']} unreadable inputs), " in last


def test_text_output_is_one_line_per_finding(
    cases: dict[str, corpus.Built], everything: dict[str, Any]
) -> None:
    """File names with line breaks or escape sequences never split or colour a finding's line."""
    lines = everything["stdout"].splitlines()
    findings = [line for line in lines if not line.startswith("schema ims: ")][:-1]
    assert [line for line in findings if not FINDING_LINE.match(line)] == []
    assert len(findings) == sum(len(p["findings"]) for p in everything["report"]["payloads"])
    assert "\x1b" not in everything["stdout"] and "\x07" not in everything["stdout"]
    shown = {cases[i].shown for i in ("name-with-newline", "name-not-utf8", "name-with-terminal-escape")}
    assert {line.partition(":")[0] for line in findings} >= shown
    assert "two\\nlines.json" in everything["stdout"] and "name\\xff.json" in everything["stdout"]


def test_memory_stays_bounded_with_a_200_mb_input(everything: dict[str, Any]) -> None:
    """The 200 MB file is refused by its size and the 65 MiB line is read past: peak RSS stays low."""
    assert everything["peak_kib"] < 400 * 1024, f"peak RSS {everything['peak_kib']} KiB"


def test_jobs_report_every_hostile_input_the_same(
    cases: dict[str, corpus.Built], everything: dict[str, Any]
) -> None:
    """With worker processes the JSON report is the same, payload for payload."""
    result, _peak = _run_all(cases, "--format", "json", "--jobs", "2")
    assert result.returncode == ExitCode.TOOL_FAILURE
    _assert_one_line_errors(result.stderr.decode())
    parallel = json.loads(result.stdout)
    assert parallel["payloads"] == everything["report"]["payloads"]
    del parallel["summary"]["seconds"], everything["report"]["summary"]["seconds"]
    assert parallel["summary"] == everything["report"]["summary"]


# Parsed values handed to the library ---------------------------------------------------------------


@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_a_parsed_value_nested_100000_deep_is_a_finding(engine: str) -> None:
    """validate() on a Python value nested 100,000 levels: P007, no RecursionError, both engines."""
    from glance_validate import validate

    page: dict[str, Any] = {"images": [{"id": "x"}]}
    node = page["images"][0]
    for _ in range(100_000):
        node["extra"] = {}
        node = node["extra"]
    result = validate(page, engine=engine)  # type: ignore[arg-type]
    assert [(f.code, f.message) for f in result.findings] == [
        ("P007", "the value nests too deeply to check (JSON text over 512 levels is refused)")
    ]


# Any HAR shape ---------------------------------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6) | st.floats(allow_nan=False),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
_URLS = st.sampled_from(
    ["https://h/v2/images", "https://u:p@h/v2/images/x?token=abc123456", "/v2/schemas/image", ""]
)


@st.composite
def _har_entries(draw: st.DrawFn) -> object:
    """An entry with every field either well formed or any JSON value at all."""

    def either(good: object) -> object:
        return draw(st.one_of(st.just(good), _JSON))

    content = either({"text": either('{"images": []}'), "encoding": either("base64"), "size": either(5)})
    headers = either([either({"name": either("Content-Encoding"), "value": either("gzip")})])
    request = either(
        {"method": either("GET"), "url": draw(_URLS | _JSON), "headers": headers, "cookies": headers}
    )
    response = either({"status": either(200), "content": content, "headers": headers})
    return either({"request": request, "response": response})


@given(st.lists(_har_entries(), max_size=4))
def test_any_har_shaped_value_is_read_without_raising(entries: list[object]) -> None:
    """Entries with any field missing or of any JSON type: read and checked, never an exception."""
    from glance_validate.inputs.har import read_har
    from glance_validate.inputs.payloads import Origin
    from glance_validate.runner.check import check_payload

    data = json.dumps({"log": {"entries": entries}}).encode()
    payloads = list(read_har(Origin("x.har", "x.har"), data))
    assert payloads
    for payload in payloads:
        assert check_payload(VALIDATOR, payload).result.kind in (
            "image-list",
            "image",
            "schema",
            "error-body",
            "unknown",
        )


# Size limits -------------------------------------------------------------------------------------


def test_max_bytes_is_configurable(tmp_path: Path) -> None:
    """--max-bytes takes K, M and G sizes; an input over it is P011 and unreadable (exit 3)."""
    page = tmp_path / "page.json"
    page.write_bytes(EMPTY_PAGE + b" " * 2000)
    code, out, _ = _run([str(page)], max_bytes=1024)
    assert code == ExitCode.TOOL_FAILURE
    assert f"P011 [error] {str(page)!r}: the file is 2 KiB, more than the limit of 1 KiB" in out
    assert _run([str(page)], max_bytes=4096)[0] == 0
    assert _cli([str(page)], "--max-bytes", "1K").returncode == ExitCode.TOOL_FAILURE
    assert _cli([str(page)], "--max-bytes", "1m").returncode == 0
    for bad in ("0", "-5", "lots", "1T"):
        refused = _cli([str(page)], "--max-bytes", bad)
        assert refused.returncode == ExitCode.USAGE and b"--max-bytes" in refused.stderr


def test_standard_input_is_bounded_too() -> None:
    """Standard input over the limit is P011; as JSON Lines only the long line is."""
    out, err = io.StringIO(), io.StringIO()
    code = run(RunOptions(paths=["-"], max_bytes=80), out, err, io.BytesIO(EMPTY_PAGE + b" " * 100))
    assert code == ExitCode.TOOL_FAILURE and "<stdin>: P011" in out.getvalue()
    assert "standard input is larger than the limit of 80 bytes" in out.getvalue()
    out = io.StringIO()
    lines = EMPTY_PAGE + b'\n{"images": [], "x": "' + b"y" * 100 + b'"}\n' + _page(b"1") + b"\n"
    code = run(RunOptions(paths=["-"], input_format="jsonl", max_bytes=80), out, err, io.BytesIO(lines))
    found = _heads(out.getvalue())
    assert code == ExitCode.TOOL_FAILURE and found == ["<stdin>:2: P011", "<stdin>:3:12: S003"]


def test_a_long_line_across_json_lines_ranges_is_reported_once(tmp_path: Path) -> None:
    """Split into ranges for workers, a line over the limit is one P011 and line numbers stay right."""
    path = tmp_path / "pages.jsonl"
    long_line = b'{"images": [], "x": "' + b"z" * 5000 + b'"}'
    path.write_bytes(EMPTY_PAGE + b"\n" + long_line + b"\n" + _page(b"2") + b"\n" + (EMPTY_PAGE + b"\n") * 50)
    for jobs in (1, 2):
        code, out, _ = _run([str(path)], max_bytes=1024, jsonl_range_bytes=700, jobs=jobs)
        found = _heads(out)
        assert code == ExitCode.TOOL_FAILURE
        assert found == [f"{path}:2: P011", f"{path}:3:12: S003"], jobs


# FIFOs -------------------------------------------------------------------------------------------


def _fifo_writer(path: Path, parts: list[tuple[bytes, float]]) -> threading.Thread:
    """Write each part into the FIFO after its delay; the FIFO is held open until the last part."""

    def write() -> None:
        descriptor = None
        deadline = time.monotonic() + 20
        while descriptor is None and time.monotonic() < deadline:
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                time.sleep(0.01)
        if descriptor is None:
            return
        os.set_blocking(descriptor, True)
        try:
            for data, delay in parts:
                time.sleep(delay)
                os.write(descriptor, data)
        except OSError:
            pass
        finally:
            os.close(descriptor)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def test_a_fifo_that_stalls_midway_keeps_the_lines_read(tmp_path: Path) -> None:
    """A writer that goes silent: the lines that arrived are checked, then one P009 says where it stopped."""
    fifo = tmp_path / "stream.jsonl"
    os.mkfifo(fifo)
    writer = _fifo_writer(fifo, [(EMPTY_PAGE + b"\n" + _page(b"4") + b"\n", 0.0), (b"", 3.0)])
    code, out, err = _run([str(fifo)])
    writer.join(10)
    found = [line for line in out.splitlines()[:-1] if not line.startswith("schema")]
    assert code == ExitCode.TOOL_FAILURE and not err
    assert found[0].startswith(f"{fifo}:2:12: S003 [error]")
    assert found[1] == (
        f"{fifo}: P009 [error] cannot read {str(fifo)!r} after line 2: nothing arrived for 1 s "
        "(a FIFO or device that nobody writes to; --pipe-timeout sets the wait)"
    )


def test_a_fifo_is_read_whole_with_jobs(tmp_path: Path) -> None:
    """With --jobs a FIFO is streamed in the main process, not split by its (zero) size."""
    fifo = tmp_path / "stream.jsonl"
    os.mkfifo(fifo)
    lines = b"".join((_page(b"%d" % i) if i % 3 == 0 else EMPTY_PAGE) + b"\n" for i in range(1, 40))
    writer = _fifo_writer(fifo, [(lines, 0.0)])
    code, out, _ = _run([str(fifo)], jobs=2, output_format="json")
    writer.join(10)
    report = json.loads(out)
    assert (
        code == ExitCode.FINDINGS
        and report["summary"]["payloads"] == 39
        and report["summary"]["failed"] == 13
    )
    assert [p["line"] for p in report["payloads"] if not p["ok"]] == list(range(3, 40, 3))


def test_process_substitution_is_read_like_a_file() -> None:
    """`glance-validate <(command)`: the pipe bash hands over is read as the command writes it."""
    script = (
        f"{sys.executable} -m glance_validate --input-format jsonl "
        "<(printf '{\"images\": []}\\n'; sleep 0.3; printf '{\"images\": 1}\\n')"
    )
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == ExitCode.FINDINGS, result.stderr
    assert re.search(r"^/dev/fd/\d+:2:12: S003 \[error\]", result.stdout, re.MULTILINE)
    assert "checked 2 payloads" in result.stdout
