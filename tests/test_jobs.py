"""--jobs N: files spread over worker processes give the same output as one process, byte for byte."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from glance_validate.report.formats import FORMATS
from glance_validate.runner.options import RunOptions
from glance_validate.runner.run import run

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
