"""The documentation cannot drift: every fenced example in README.md, docs/*.md and bench/README.md runs.

How a block is checked depends on its language:

- ``python``: executed in a fresh namespace;
- ``pycon``: run by doctest (``...`` stands for any text);
- ``console``: each ``$ `` line runs in bash and the lines under it are its output (standard
  output and standard error), compared after normalising timings and the version; a line that
  is only ``...`` stands for any number of lines, ``...`` inside a line for any text;
- ``sh``: each command line runs and must exit 0 or 1 (findings are fine, a usage error or a
  failure is not);
- ``toml``: the ``[tool.glance-validate]`` table is written to a pyproject.toml beside the
  fixtures and a run under it must not be a usage error.

Everything runs in a scratch copy of fixtures/ and bench/, where ``glance-validate`` means
``python -m glance_validate`` of this checkout and the schema cache is empty. A block of any
other language, or one that cannot run here, is marked by an HTML comment on the line before
it: ``<!-- not-run: REASON -->``, or ``<!-- same-as: FILE -->`` when each of its lines must be
a line of FILE (the test command and .ci/run). A region between ``<!-- output of: COMMAND -->``
and ``<!-- end output -->`` must be exactly what COMMAND prints (the benchmark's tables).
"""

from __future__ import annotations

import ast
import doctest
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from glance_validate.core.catalog import catalog
from glance_validate.core.exitcodes import ExitCode
from glance_validate.core.version import __version__

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the Python 3.10 branch
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
DOCS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench" / "README.md")
SCRATCH_DIRS = ("fixtures", "bench")
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+)(?P<lang>[\w-]*)\s*$")
MARKER = re.compile(r"^\s*<!--\s*(?P<kind>not-run|same-as):\s*(?P<reason>.*?)\s*-->\s*$")
REGION = re.compile(r"<!--\s*output of:\s*(?P<command>.+?)\s*-->\n(?P<text>.*?)<!--\s*end output\s*-->", re.S)
SHELL_PRELUDE = 'glance-validate() { "$GLANCE_VALIDATE_PYTHON" -m glance_validate "$@"; }\n'


@dataclass(frozen=True)
class Block:
    """One fenced example: where it is, its language, its text and the marker before it."""

    doc: Path
    line: int
    lang: str
    text: str
    marker: str | None  # "not-run" or "same-as"
    reason: str

    @property
    def name(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def blocks_in(doc: Path) -> list[Block]:
    """Every fenced block of a Markdown file, dedented to its fence, with the marker above it."""
    lines = doc.read_text("utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, fence = len(opening["indent"]), opening["fence"]
        end = next(i for i in range(index + 1, len(lines)) if lines[i].strip() == fence)
        body = "\n".join(line[indent:] for line in lines[index + 1 : end])
        marker = MARKER.match(_previous_nonblank(lines, index))
        found.append(
            Block(
                doc=doc,
                line=index + 1,
                lang=opening["lang"],
                text=body + "\n",
                marker=marker["kind"] if marker else None,
                reason=marker["reason"] if marker else "",
            )
        )
        index = end + 1
    return found


def _previous_nonblank(lines: list[str], index: int) -> str:
    for line in reversed(lines[:index]):
        if line.strip():
            return line
    return ""


ALL_BLOCKS = [block for doc in DOCS for block in blocks_in(doc)]


# -- running examples -----------------------------------------------------------------------


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of fixtures/ and bench/ to run examples in, with an empty cache and no cloud."""
    work = tmp_path / "work"
    for name in SCRATCH_DIRS:
        shutil.copytree(ROOT / name, work / name, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(work)
    for variable in list(os.environ):
        if variable.startswith(("OS_", "GLANCE_VALIDATE_")):
            monkeypatch.delenv(variable)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("GLANCE_VALIDATE_PYTHON", sys.executable)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    return work


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run one command line in bash, stdout and stderr together as a terminal shows them."""
    return subprocess.run(
        ["bash", "-c", SHELL_PRELUDE + command],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
        check=False,
    )


def normalise(text: str) -> str:
    """Hide what changes from run to run: elapsed times and the version."""
    text = re.sub(r" in \d+(\.\d+)?s$", " in N.NNs", text, flags=re.M)
    text = re.sub(r'"seconds": [\d.]+', '"seconds": N', text)
    return text.replace(__version__, "VERSION")


def matches(expected: str, actual: str) -> bool:
    """Whether output fits the text shown: a '...' line is any lines, '...' in a line any text."""
    parts = []
    for line in expected.splitlines():
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(re.escape(piece) for piece in line.rstrip().split("...")) + r"[ \t]*\n")
    actual_lines = "".join(line.rstrip() + "\n" for line in actual.splitlines())
    return re.fullmatch("".join(parts), actual_lines, flags=re.S) is not None


def console_sessions(text: str) -> list[tuple[str, str]]:
    """The (command, shown output) pairs of a console block."""
    sessions: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            sessions.append((line[2:], []))
        elif sessions:
            sessions[-1][1].append(line)
        elif line.strip():
            raise AssertionError(f"output before any '$ ' command: {line!r}")
    return [(command, "".join(line + "\n" for line in output)) for command, output in sessions]


def run_console(block: Block, cwd: Path) -> None:
    for command, shown in console_sessions(block.text):
        ran = shell(command, cwd)
        actual, expected = normalise(ran.stdout), normalise(shown)
        assert matches(expected, actual), f"$ {command}\n--- shown ---\n{shown}--- printed ---\n{ran.stdout}"


def run_sh(block: Block, cwd: Path) -> None:
    for line in block.text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            ran = shell(line, cwd)
            assert ran.returncode in (ExitCode.OK, ExitCode.FINDINGS), f"{line}\n{ran.stdout}"


def run_python(block: Block, cwd: Path) -> None:
    code = compile(block.text, block.name, "exec")
    exec(code, {"__name__": "__docs_example__"})


def run_pycon(block: Block, cwd: Path) -> None:
    parser = doctest.DocTestParser()
    test = parser.get_doctest(
        block.text, {"__name__": "__docs_example__"}, block.name, str(block.doc), block.line
    )
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, out=report.append)
    assert test.examples, "a pycon block holds '>>> ' examples"
    assert runner.failures == 0, "".join(report)


def run_toml(block: Block, cwd: Path) -> None:
    settings = tomllib.loads(block.text)
    assert "glance-validate" in settings.get("tool", {}), "a toml example configures [tool.glance-validate]"
    (cwd / "pyproject.toml").write_text(block.text, "utf-8")
    ran = shell("glance-validate fixtures/ims/image-list.json", cwd)
    assert ran.returncode in (ExitCode.OK, ExitCode.FINDINGS), ran.stdout


RUNNERS: dict[str, Callable[[Block, Path], None]] = {
    "console": run_console,
    "sh": run_sh,
    "python": run_python,
    "pycon": run_pycon,
    "toml": run_toml,
}

RUNNABLE = [b for b in ALL_BLOCKS if b.marker is None]
SAME_AS = [b for b in ALL_BLOCKS if b.marker == "same-as"]
REGIONS = [
    (doc, match["command"], match["text"])
    for doc in DOCS
    for match in REGION.finditer(doc.read_text("utf-8"))
]


@pytest.mark.parametrize("block", RUNNABLE, ids=[b.name for b in RUNNABLE])
def test_example_runs_as_shown(block: Block, scratch: Path) -> None:
    """An unmarked example runs here, and prints what the documentation shows."""
    RUNNERS[block.lang](block, scratch)


@pytest.mark.parametrize("block", SAME_AS, ids=[b.name for b in SAME_AS])
def test_command_is_the_one_its_file_runs(block: Block) -> None:
    """A block marked same-as: FILE says exactly what FILE runs (the test command is .ci/run's)."""
    lines = {line.strip() for line in (ROOT / block.reason).read_text("utf-8").splitlines()}
    assert [line for line in block.text.splitlines() if line.strip() not in lines] == []


@pytest.mark.parametrize(("doc", "command", "text"), REGIONS, ids=[f"{d.name}:{c}" for d, c, _ in REGIONS])
def test_generated_region_is_current(doc: Path, command: str, text: str, scratch: Path) -> None:
    """A region marked 'output of: COMMAND' is what COMMAND prints now."""
    assert shell(command, scratch).stdout.strip() == text.strip()


def test_every_block_is_run_or_marked_with_a_reason() -> None:
    """No example is silently skipped: each one runs, or says why it cannot."""
    unaccounted = [b.name for b in ALL_BLOCKS if b.marker is None and b.lang not in RUNNERS]
    unexplained = [b.name for b in ALL_BLOCKS if b.marker is not None and not b.reason]
    assert (unaccounted, unexplained) == ([], [])
    assert len(RUNNABLE) + len(SAME_AS) + sum(b.marker == "not-run" for b in ALL_BLOCKS) == len(ALL_BLOCKS)


def test_every_document_has_examples_that_run() -> None:
    """The collector sees the documents: each holds at least one example that is run."""
    assert {b.doc for b in RUNNABLE} | {doc for doc, _, _ in REGIONS} == set(DOCS)


def test_links_between_documents_resolve() -> None:
    """Relative links in the documentation point at files that exist."""
    broken = []
    for doc in DOCS:
        for target in re.findall(r"\]\(([^)#:\s]+)(?:#[^)]*)?\)", doc.read_text("utf-8")):
            if not (doc.parent / target).exists():
                broken.append(f"{doc.relative_to(ROOT)}: {target}")
    assert broken == []


# -- the runners are not vacuous --------------------------------------------------------------


def test_console_check_catches_output_that_differs(scratch: Path) -> None:
    """A console block whose shown output is not what the command prints fails."""
    block = Block(ROOT / "README.md", 1, "console", "$ echo found\nnot found\n", None, "")
    with pytest.raises(AssertionError):
        run_console(block, scratch)


def test_ellipsis_stands_for_lines_and_text() -> None:
    """'...' alone matches any lines, inside a line any text; the rest must be equal."""
    assert matches("a\n...\nd ... f\n", "a\nb\nc\nd e f\n")
    assert not matches("a\n...\nd\n", "a\nb\nc\n")


def test_sh_check_catches_a_usage_error(scratch: Path) -> None:
    """A command line that is a usage error (exit code 2) fails its block."""
    block = Block(ROOT / "README.md", 1, "sh", "glance-validate --no-such-option x\n", None, "")
    with pytest.raises(AssertionError):
        run_sh(block, scratch)


def test_toml_check_catches_an_unknown_code(scratch: Path) -> None:
    """A configuration example naming an unknown code fails its block."""
    block = Block(ROOT / "README.md", 1, "toml", '[tool.glance-validate]\nignore = ["Z999"]\n', None, "")
    with pytest.raises(AssertionError):
        run_toml(block, scratch)


# -- reference tables checked against their sources ----------------------------------------------


def table_rows(doc: Path, heading: str) -> list[list[str]]:
    """The body rows of the first table under a heading, as lists of cells."""
    text = doc.read_text("utf-8")
    section = text.split(heading, 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("|"):
            rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]])
        elif rows:
            break
    return rows[2:]


def test_finding_code_table_is_the_catalogue() -> None:
    """docs/rules.md lists every code of the catalogue once, with its severity and summary."""
    rows = table_rows(ROOT / "docs" / "rules.md", "## Finding codes")
    documented = [(code.strip("`"), severity, summary) for code, severity, summary in rows]
    assert documented == [(r.code, r.severity, r.summary) for r in catalog().rules]


def test_exit_code_table_is_the_enum() -> None:
    """docs/cli.md lists every ExitCode, with its number and name, and nothing else."""
    rows = table_rows(ROOT / "docs" / "cli.md", "## Exit codes")
    assert [(int(code), name.strip("`")) for code, name, _ in rows] == [(c.value, c.name) for c in ExitCode]


def documented_packages() -> list[str]:
    """The directories docs/architecture.md describes in its Layout section."""
    section = (
        (ROOT / "docs" / "architecture.md").read_text("utf-8").split("## Layout", 1)[1].split("\n## ", 1)[0]
    )
    return re.findall(r"^- `(\w+)/`", section, flags=re.M)


def test_layout_describes_every_package_and_no_other() -> None:
    """Every directory of glance_validate/ is described once in the layout, and nothing else."""
    package = ROOT / "glance_validate"
    actual = sorted(p.name for p in package.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert sorted(documented_packages()) == actual


def test_layer_order_is_the_import_contract() -> None:
    """The layer line in docs/architecture.md is the order tests/test_architecture.py enforces."""
    tree = ast.parse((ROOT / "tests" / "test_architecture.py").read_text("utf-8"))
    layers = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "LAYERS"
    )
    text = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    line = next(line for line in text.splitlines() if line.strip().startswith("core ->"))
    shown = [stage.strip().strip("()").split(", ") for stage in line.split("->")]
    assert shown == [list(names) for names in reversed(layers)]


def test_json_report_fields_are_documented(scratch: Path) -> None:
    """Every key a JSON report has is named in docs/report-format.md."""
    ran = shell("glance-validate --format json fixtures/captures/", scratch)
    report = json.loads(ran.stdout)
    keys = set(report) | set(report["summary"]) | set(report["schema"])
    for payload in report["payloads"]:
        keys |= set(payload)
        for finding in payload["findings"]:
            keys |= set(finding)
    text = (ROOT / "docs" / "report-format.md").read_text("utf-8")
    assert sorted(k for k in keys if f"`{k}`" not in text) == []
