"""--jobs N: files spread over worker processes give the same output as one process, byte for byte."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from glance_validate.inputs.discover import discover
from glance_validate.report.formats import FORMATS
from glance_validate.runner import workers
from glance_validate.runner.check import build_validator
from glance_validate.runner.options import RunOptions, with_policy
from glance_validate.runner.run import run
from glance_validate.runner.tasks import Task, plan, run_task
from glance_validate.schema.dialect import compile_dialect
from glance_validate.schema.sources import load_schema

ROOT = Path(__file__).resolve().parent.parent
MAKE_CORPUS = ROOT.parent / "shared" / "tools" / "make-corpus"
# The only thing allowed to differ between two runs: how long they took.
_TIMING = re.compile(r'( in \d+\.\d\ds$|"seconds": \d+(\.\d+)?|time="\d+\.\d+")', re.MULTILINE)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 pages of 25 images with 5% invalid images, a JSON Lines file, and the capture fixtures."""
    if not MAKE_CORPUS.exists():
        pytest.skip(f"{MAKE_CORPUS} is not beside the checkout")
    root = tmp_path_factory.mktemp("corpus")
    subprocess.run(
        [
            sys.executable,
            str(MAKE_CORPUS),
            "pages",
            "60",
            "25",
            str(root / "pages"),
            "--invalid-rate",
            "0.05",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            sys.executable,
            str(MAKE_CORPUS),
            "jsonl",
            "3000",
            str(root / "images.jsonl"),
            "--invalid-rate",
            "0.02",
        ],
        check=True,
        capture_output=True,
    )
    shutil.copytree(ROOT / "fixtures" / "captures", root / "captures")
    return root


@pytest.fixture(scope="module")
def many_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 small pages with 5% invalid images and a 2,000-line JSON Lines file with 2%."""
    if not MAKE_CORPUS.exists():
        pytest.skip(f"{MAKE_CORPUS} is not beside the checkout")
    root = tmp_path_factory.mktemp("many")
    for args in (
        ["pages", "300", "4", str(root / "pages"), "--invalid-rate", "0.05"],
        ["jsonl", "2000", str(root / "images.jsonl"), "--invalid-rate", "0.02"],
    ):
        subprocess.run([sys.executable, str(MAKE_CORPUS), *args], check=True, capture_output=True)
    return root


def _reports(corpus: Path, jobs: int, tmp_path: Path, **options: object) -> dict[str, str]:
    """Every report format of one run, read back as text, keyed by format."""
    outputs = tuple((fmt, str(tmp_path / f"{jobs}.{fmt}")) for fmt in FORMATS)
    out = io.StringIO()
    code = run(RunOptions(paths=[str(corpus)], jobs=jobs, outputs=outputs, **options), out, io.StringIO())  # type: ignore[arg-type]
    reports = {fmt: (tmp_path / f"{jobs}.{fmt}").read_text() for fmt in FORMATS}
    reports["stdout"] = out.getvalue()
    reports["exit"] = str(code)
    return reports


def test_corpus_has_findings_in_pages_lines_and_captures(corpus: Path, tmp_path: Path) -> None:
    """The corpus exercises every input form with findings, so the comparison below means something."""
    text = _reports(corpus, 1, tmp_path)["text"]
    assert re.search(r"pages/page_\d+\.json:\d+:\d+: K002 \[error\]", text)
    assert re.search(r"images\.jsonl:\d+:\d+: K002 \[error\]", text)
    assert "captures/ims-session.har#entry-2" in text


def test_two_jobs_give_the_same_output_as_one(corpus: Path, tmp_path: Path) -> None:
    """Every report of --jobs 2 equals that of --jobs 1 byte for byte, elapsed times aside."""
    serial = _reports(corpus, 1, tmp_path)
    parallel = _reports(corpus, 2, tmp_path)
    assert serial["exit"] == parallel["exit"] == "1"
    for name in serial:
        masked = _TIMING.sub("<time>", serial[name])
        assert masked == _TIMING.sub("<time>", parallel[name]), name
    assert len(_TIMING.findall(serial["text"])) == 1  # only the summary line carries a time


def test_json_lines_split_into_ranges_keep_their_line_numbers(corpus: Path, tmp_path: Path) -> None:
    """A JSON Lines file cut into many ranges over 2 workers reports the same lines as one whole read."""
    for name in ("whole", "split"):
        (tmp_path / name).mkdir()
    whole = _reports(corpus, 1, tmp_path / "whole")
    split = _reports(corpus, 2, tmp_path / "split", jsonl_range_bytes=50_000)  # about 60 ranges
    assert (corpus / "images.jsonl").stat().st_size > 40 * 50_000
    assert _TIMING.sub("", whole["json"]) == _TIMING.sub("", split["json"])


def test_jobs_from_the_command_line(corpus: Path) -> None:
    """The installed command with -j 2 starts its workers and prints what -j 1 prints."""
    outputs = []
    for jobs in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-m", "glance_validate", "-q", "-j", jobs, str(corpus / "pages")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 1 and result.stderr == ""
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1] and outputs[0].count("K002") >= 10


def test_workers_that_cannot_start_end_the_run_with_exit_three() -> None:
    """If worker processes die (here: a main module they cannot re-import), the run ends, it does not hang."""
    script = (
        "import io, sys\n"
        "from glance_validate.runner import workers\n"
        "from glance_validate.runner.options import RunOptions\n"
        "from glance_validate.runner.run import run\n"
        "workers.START_METHOD = 'spawn'\n"
        f"paths = [{str(ROOT / 'fixtures' / 'captures')!r}]\n"
        "code = run(RunOptions(paths=paths, jobs=2), io.StringIO(), sys.stdout)\n"
        "print('exit', code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-"], input=script, capture_output=True, text=True, check=False, timeout=120
    )
    lines = result.stdout.splitlines()
    assert lines[-1] == "exit 3"
    assert (
        all("worker processes failed: BrokenProcessPool" in line for line in lines[:-1]) and len(lines) == 9
    )


def test_hundreds_of_files_and_json_lines_ranges_report_the_same_bytes_in_order(
    many_files: Path, tmp_path: Path
) -> None:
    """300 pages and a JSON Lines file in 40 ranges: --jobs 2 writes every report as one process does."""
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
    serial = _reports(many_files, 1, tmp_path / "one", jsonl_range_bytes=5_000)
    parallel = _reports(many_files, 2, tmp_path / "two", jsonl_range_bytes=5_000)
    assert serial["text"].count("K002") >= 20 and re.search(r"images\.jsonl:\d+:\d+: ", serial["text"])
    for name in serial:
        assert _TIMING.sub("", serial[name]) == _TIMING.sub("", parallel[name]), name


def _validator_and_tasks(paths: list[str], range_bytes: int) -> tuple[object, list[Task]]:
    options = with_policy(RunOptions(paths=paths))
    validator = build_validator(compile_dialect(load_schema("ims")), options)
    return validator, plan(discover(paths), range_bytes)


def test_packed_results_rebuild_to_what_one_process_reports(many_files: Path) -> None:
    """Results packed in a worker and rebuilt in the main process equal the ones computed in it."""
    paths = [
        str(many_files / "images.jsonl"),
        *(str(p) for p in sorted((many_files / "pages").glob("*"))[:5]),
    ]
    validator, tasks = _validator_and_tasks(paths, 20_000)
    assert sum(t.start > 0 for t in tasks) >= 10  # the file is cut into ranges numbered from their start
    computed = [run_task(validator, t) for t in tasks]  # type: ignore[arg-type]
    local = list(workers._numbered(tasks, iter(computed)))
    rebuilt = list(workers._unpacked(tasks, iter(workers._pack(r) for r in computed)))
    assert rebuilt == local
    lines = [item.origin.line for result in local for item in result.checked if item.origin.line]
    assert lines == sorted(lines) and lines[-1] > 1900


def _ranges(total: int, size: int) -> list[Task]:
    item = discover([str(ROOT / "fixtures")])[0]
    return [Task(item, start, min(start + size, total), False) for start in range(0, total, size)]


def test_jobs_auto_runs_small_inputs_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """--jobs auto keeps a few megabytes in this process: workers would cost more than they save."""
    monkeypatch.setattr(workers, "_cpus", lambda: 2)
    assert workers.processes("auto", _ranges(3 * 1024 * 1024, 1024 * 1024)) == 1
    assert workers.processes("auto", []) == 1


def test_jobs_auto_uses_every_cpu_for_large_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    """--jobs auto gives a 100 MB input one worker per CPU, and never more workers than CPUs."""
    monkeypatch.setattr(workers, "_cpus", lambda: 2)
    assert workers.processes("auto", _ranges(100_000_000, 8 * 1024 * 1024)) == 2
    assert workers.processes("auto", _ranges(9 * 1024 * 1024, 8 * 1024 * 1024)) == 2
    assert workers.processes(0, []) == 2 and workers.processes(3, []) == 3


def test_jobs_auto_from_the_command_line(many_files: Path) -> None:
    """-j auto is accepted and prints what -j 1 prints; a word other than auto is a usage error."""
    outputs = []
    for jobs in ("1", "auto"):
        result = subprocess.run(
            [sys.executable, "-m", "glance_validate", "-q", "-j", jobs, str(many_files / "pages")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 1 and result.stderr == ""
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    wrong = subprocess.run(
        [sys.executable, "-m", "glance_validate", "-j", "many", str(many_files)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert wrong.returncode == 2 and "'many' is not a number of processes" in wrong.stderr


def test_json_lines_ranges_are_smaller_when_workers_may_take_them() -> None:
    """Workers get ranges of at most 2 MiB (an even finish); one process keeps the configured size."""
    assert workers.range_bytes(RunOptions(paths=[], jobs=1)) == RunOptions(paths=[]).jsonl_range_bytes
    assert workers.range_bytes(RunOptions(paths=[], jobs=2)) == workers.PARALLEL_RANGE_BYTES
    assert workers.range_bytes(RunOptions(paths=[], jobs="auto", jsonl_range_bytes=50_000)) == 50_000
