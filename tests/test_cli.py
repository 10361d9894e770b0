"""The command line: inputs, text output, exit codes, colour, progress, and never a traceback."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest

from glance_validate.core.exitcodes import ExitCode
from glance_validate.runner.options import RunOptions
from glance_validate.runner.run import run
from glance_validate.runner.terminal import Progress, progress_for

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CAPTURES = FIXTURES / "captures"
UUID = "6a1f0c2e-93d4-4b7e-8f21-0c5d7e9a3b14"


def _image(**overrides: Any) -> dict[str, Any]:
    image: dict[str, Any] = json.loads((FIXTURES / "ims" / "image.json").read_text())
    image.update(overrides)
    return image


def _cli(
    *args: str, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "glance_validate", *args],
        input=stdin.decode("utf-8", "surrogateescape"),
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def _run(paths: list[str], stdin: bytes = b"", **options: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(RunOptions(paths=paths, **options), out, err, io.BytesIO(stdin))
    return code, out.getvalue(), err.getvalue()


def _write(path: Path, value: object) -> Path:
    path.write_text(json.dumps(value, indent=2) + "\n")
    return path


# Text output and exit codes -------------------------------------------------------------------


def test_valid_file_exits_zero_with_a_summary() -> None:
    """A valid payload exits 0 and the summary names the payload and image counts."""
    result = _cli(str(FIXTURES / "ims" / "image-list.json"))
    assert result.returncode == ExitCode.OK, result.stdout + result.stderr
    assert "checked 1 payload (2 images) against ims: no findings in " in result.stdout


def test_finding_lines_name_file_line_column_code_severity_and_pointer(tmp_path: Path) -> None:
    """Error findings exit 1 and print path:line:col: CODE [severity] message (at /json/pointer)."""
    path = _write(tmp_path / "image.json", _image(status="archived"))
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if '"archived"' in text)
    result = _cli(str(path))
    assert result.returncode == ExitCode.FINDINGS
    [finding] = [row for row in result.stdout.splitlines() if row.startswith(str(path))]
    assert finding.startswith(f'{path}:{line}:13: K002 [error] "archived" is not one of the allowed values: ')
    assert finding.endswith(" (at /status)")


def test_schema_fix_is_reported_once_for_many_files() -> None:
    """With -v, the "String" fix of the seed schema is printed once, however many files are checked."""
    result = _cli("-v", str(FIXTURES / "ims" / "image-list.json"), str(FIXTURES / "ims" / "image.json"))
    assert result.stdout.count("L001") == 1


def test_unusable_schema_exits_three_with_one_line() -> None:
    """A schema that cannot be read exits 3 with a one-line message naming it."""
    result = _cli("--schema", "nonexistent.json", str(FIXTURES / "ims" / "image.json"))
    assert result.returncode == ExitCode.TOOL_FAILURE
    assert result.stderr.strip().count("\n") == 0 and "nonexistent.json" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "yaml", "x.json"],
        [],
        ["--output", "xml=out.xml", "x.json"],
        ["--output", "json", "x.json"],
        ["-q", "-v", "x.json"],
        ["--jobs", "-1", "x.json"],
        ["--schema", "-", "-"],
    ],
)
def test_usage_errors_exit_two(args: list[str]) -> None:
    """Bad options and contradictory arguments are usage errors with exit code 2."""
    result = _cli(*args)
    assert result.returncode == 2, result.stderr
    assert "Usage:" in result.stderr


def test_unreadable_input_exits_three_and_the_others_are_still_checked(tmp_path: Path) -> None:
    """A missing file is a P009 finding and exit code 3; the files after it are checked and reported."""
    bad = _write(tmp_path / "bad.json", _image(status="archived"))
    code, out, _ = _run([str(tmp_path / "missing.json"), str(bad)])
    assert code == ExitCode.TOOL_FAILURE
    assert f"{tmp_path / 'missing.json'}: P009 [error] cannot read" in out
    assert f"{bad}:" in out and "K002" in out
    assert out.rstrip().endswith("s") and "1 unreadable input" in out.splitlines()[-1]


def test_summary_counts_payloads_images_and_findings_of_a_capture_directory() -> None:
    """A directory of captures is read recursively; the summary counts payloads, images and findings."""
    code, out, _ = _run([str(CAPTURES)])
    summary = out.splitlines()[-1]
    assert code == ExitCode.FINDINGS
    assert summary.startswith("checked 18 payloads (14 images) against ims: ")
    assert "5 errors, 5 warnings in " in summary


def test_quiet_prints_findings_only_and_verbose_adds_a_line_per_payload() -> None:
    """-q drops the summary; -v adds a context line for each payload, passing or not."""
    paths = [str(CAPTURES / "fleet.jsonl")]
    _, normal, _ = _run(paths)
    _, quiet, _ = _run(paths, quiet=True)
    _, verbose, _ = _run(paths, verbose=1)
    assert quiet.splitlines() == normal.splitlines()[:-1]
    assert all(": P001 " in row or ": K001 " in row or ": L001 " in row for row in quiet.splitlines())
    context = [row for row in verbose.splitlines() if row.endswith(", ok") or "finding" in row]
    assert f"{paths[0]}:1: image, 1 image, ok" in context
    assert f"{paths[0]}:3: unknown, 0 images, 1 finding" in context
    assert len(context) == 6


# Standard input ----------------------------------------------------------------------------------


def test_stdin_payload_and_format_detection() -> None:
    """- reads standard input: JSON by default, a HAR or a curl -i capture when the content says so."""
    code, out, _ = _run(["-"], stdin=b"[]")
    assert code == ExitCode.FINDINGS and "<stdin>:1:1: S001 [error]" in out
    har = (CAPTURES / "ims-session.har").read_bytes()
    code, out, _ = _run(["-"], stdin=har)
    assert "<stdin>#entry-2 (GET /v2/images?limit=2&marker=" in out
    http = (CAPTURES / "image-bad-visibility.http").read_bytes()
    code, out, _ = _run(["-"], stdin=http)
    assert "<stdin>:10:17: K002 [error]" in out


def test_stdin_json_lines_with_input_format() -> None:
    """--input-format jsonl reads standard input line by line with line numbers."""
    data = (CAPTURES / "fleet.jsonl").read_bytes()
    code, out, _ = _run(["-"], stdin=data, input_format="jsonl")
    assert code == ExitCode.FINDINGS
    assert "<stdin>:3:438: P001" in out and "<stdin>:6:248: K001" in out
    assert "checked 6 payloads (5 images)" in out


def test_schema_from_stdin() -> None:
    """--schema - reads the schema document from standard input."""
    schema = (FIXTURES / "ims" / "schema-document-quirks.json").read_bytes()
    result = _cli("--schema", "-", str(FIXTURES / "ims" / "image.json"), stdin=schema)
    assert "schema <stdin>: L002 [warning]" in result.stdout
    assert "K001 [error] expected string, found integer 1024 (at /min_ram)" in result.stdout


# Several reports at once ------------------------------------------------------------------------


def test_output_writes_several_formats_in_one_run(tmp_path: Path) -> None:
    """--output FORMAT=PATH writes extra reports while stdout keeps --format."""
    outputs = tuple(
        (fmt, str(tmp_path / f"report.{fmt}")) for fmt in ("json", "junit", "sarif", "github", "text")
    )
    code, out, _ = _run([str(CAPTURES / "fleet.jsonl")], outputs=outputs)
    assert code == ExitCode.FINDINGS and out.endswith("s\n")
    assert json.loads((tmp_path / "report.json").read_text())["summary"]["payloads"] == 6
    assert (tmp_path / "report.junit").read_text().startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert json.loads((tmp_path / "report.sarif").read_text())["version"] == "2.1.0"
    assert "::error file=" in (tmp_path / "report.github").read_text()
    assert "\x1b[" not in (tmp_path / "report.text").read_text()


def test_unwritable_report_path_exits_three(tmp_path: Path) -> None:
    """A report file that cannot be created is a one-line error and exit code 3, before any checking."""
    result = _cli("--output", f"json={tmp_path}/no/such/dir/r.json", str(FIXTURES / "ims" / "image.json"))
    assert result.returncode == ExitCode.TOOL_FAILURE
    assert (
        result.stdout == ""
        and result.stderr.count("\n") == 1
        and "cannot write the json report" in result.stderr
    )


# Colour ------------------------------------------------------------------------------------------


def _on_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run the command with stdout on a pseudo-terminal; return what it printed."""
    primary, secondary = os.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI", "PRE_COMMIT")}
    with subprocess.Popen(
        [sys.executable, "-m", "glance_validate", *args],
        stdout=secondary,
        stderr=subprocess.PIPE,
        env={**environment, **env},
        cwd=ROOT,
    ) as process:
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait()
    os.close(primary)
    return b"".join(chunks).decode()


def test_colour_on_a_terminal_and_no_color_respected() -> None:
    """Text is coloured on a terminal, plain when NO_COLOR is set, and never coloured in a pipe."""
    args = [str(CAPTURES / "image-bad-visibility.http")]
    assert "\x1b[1;31mK002\x1b[0m" in _on_terminal(args, {})
    assert "\x1b[" not in _on_terminal(args, {"NO_COLOR": "1"})
    assert "\x1b[" not in _cli(*args).stdout
    assert "\x1b[1;31mK002" in _cli("--color", "always", *args).stdout
    assert "\x1b[" not in _on_terminal(["--color", "never", *args], {})


# Progress --------------------------------------------------------------------------------------


def test_progress_is_off_in_pipes_and_on_when_asked() -> None:
    """No progress in a pipe by default; --progress writes progress lines to stderr, never stdout."""
    plain = _cli(str(CAPTURES))
    assert plain.stderr == ""
    asked = _cli("--progress", str(CAPTURES))
    assert asked.stderr.splitlines()[-1].startswith("glance-validate: [########################] 8/8 inputs")
    assert "inputs" not in asked.stdout


def test_progress_bar_redraws_in_place_on_a_terminal() -> None:
    """On a terminal the bar is redrawn with a carriage return and cleared at the end."""
    stream = io.StringIO()
    now = [0.0]
    progress = Progress(stream, 4, terminal=True, clock=lambda: now[0])
    for _ in range(4):
        now[0] += 0.3
        progress.advance()
    progress.close()
    text = stream.getvalue()
    assert text.startswith("\r[######------------------] 1/4 inputs")
    assert "\r[########################] 4/4 inputs" in text and text.endswith("\r\x1b[K")
    assert "\n" not in text


def test_progress_stays_off_on_a_terminal_in_ci(tmp_path: Path) -> None:
    """CI=true or a pre-commit run turns the automatic progress bar off even on a terminal."""
    options = RunOptions(paths=[str(CAPTURES)])

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    os.environ.pop("CI", None)
    assert progress_for(options, Terminal(), 3) is not None
    for variable in ("CI", "PRE_COMMIT"):
        os.environ[variable] = "1"
        try:
            assert progress_for(options, Terminal(), 3) is None
        finally:
            del os.environ[variable]


# Robustness ---------------------------------------------------------------------------------------


def test_a_closed_pipe_ends_quietly() -> None:
    """Piping into a reader that stops early (| head -1) ends without a traceback."""
    with subprocess.Popen(
        [sys.executable, "-m", "glance_validate", "-v", str(CAPTURES), str(FIXTURES)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.readline()
        process.stdout.close()
        stderr = process.stderr.read().decode()
        process.wait()
    assert "Traceback" not in stderr and "Exception ignored" not in stderr


def test_an_internal_error_on_one_input_loses_no_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug hit by one input is a one-line error and exit 3; the other inputs are checked and reported."""
    from glance_validate.inputs import readers
    from glance_validate.inputs.discover import Input
    from glance_validate.inputs.reading import DEFAULT_LIMITS, Limits

    good = _write(tmp_path / "a.json", _image())
    cursed = _write(tmp_path / "b.json", _image())
    bad = _write(tmp_path / "c.json", _image(status="archived"))
    real_read = readers.read

    def read(item: Input, stdin: Any = None, limits: Limits = DEFAULT_LIMITS) -> Any:
        if item.label == str(cursed):
            raise RuntimeError("boom")
        return real_read(item, stdin, limits)

    monkeypatch.setattr(readers, "read", read)
    code, out, err = _run([str(good), str(cursed), str(bad)])
    assert code == ExitCode.TOOL_FAILURE
    assert err == f"glance-validate: internal error while checking {str(cursed)!r}: RuntimeError: boom\n"
    assert f"{bad}:" in out and "1 input not checked" in out


def test_file_names_with_newlines_and_bad_bytes_are_printed_escaped(tmp_path: Path) -> None:
    """A file name holding a newline or bytes that are not UTF-8 is shown escaped, on one line."""
    name = os.fsdecode(b"bad\nname\xff.json")
    path = _write(tmp_path / name, [])
    code, out, _ = _run([str(path)])
    assert code == ExitCode.FINDINGS
    [row] = [r for r in out.splitlines() if "S001" in r]
    assert row.startswith(f"{tmp_path}/bad\\nname\\xff.json:1:1: S001 [error]")


@pytest.mark.parametrize("files", [[], ["notes.txt"], ["images.yaml", "README.txt"]])
def test_nothing_to_check_exits_4(files: list[str], tmp_path: Path) -> None:
    """A directory with nothing to read (empty, only .txt or .yaml) is exit 4, not a pass."""
    for name in files:
        (tmp_path / name).write_text("images: []\n")
    result = _cli(str(tmp_path))
    assert result.returncode == ExitCode.NOTHING_CHECKED == 4
    assert "nothing checked" in result.stdout


def test_allow_empty_passes_a_run_with_nothing_to_check(tmp_path: Path) -> None:
    """--allow-empty is for the caller who means it: nothing to check exits 0."""
    result = _cli("--allow-empty", str(tmp_path))
    assert result.returncode == ExitCode.OK, result.stderr


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_is_printed_as_click_prints_it(flag: str) -> None:
    """--version and -V, answered before click loads, print what click's version option prints."""
    from click.testing import CliRunner

    from glance_validate.cli.main import main

    result = _cli(flag)
    assert result.returncode == 0 and result.stdout.startswith("glance-validate, version ")
    assert result.stdout == CliRunner().invoke(main, [flag]).output


def test_version_alone_does_not_load_the_command_line() -> None:
    """The version is answered without importing click; any other argument goes through it."""
    code = (
        "import sys; sys.argv = ['glance-validate', '--version']\n"
        "from glance_validate.cli.entry import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('click' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines()[-1] == "False"


def test_version_with_other_arguments_goes_through_click() -> None:
    """--version before a command is click's business (it prints the version and stops)."""
    result = _cli("--version", "rules")
    assert result.returncode == 0 and result.stdout.startswith("glance-validate, version ")


def test_fail_on_warning_ignores_the_shipped_schemas_own_quirk() -> None:
    """The builtin IMS schema's "String" is reported (-v) but does not fail a --fail-on warning run."""
    code, out, _ = _run([str(FIXTURES / "ims" / "image-list.json")], fail_on="warning", verbose=1)
    assert "L001 [warning]" in out
    assert code == ExitCode.OK, out


def test_builtin_schemas_quirk_is_not_reported_by_default() -> None:
    """Without -v, no format says anything about the builtin schema's own "String" quirk."""
    for fmt in ("text", "json", "junit", "sarif", "github"):
        _, out, err = _run([str(FIXTURES / "ims" / "image-list.json")], output_format=fmt)
        assert "is not a JSON Schema type name" not in out + err, fmt


def test_fail_on_warning_fails_on_a_user_schemas_quirk() -> None:
    """A schema file the user supplied with a capitalised type fails a --fail-on warning run."""
    schema = str(FIXTURES / "ims" / "schema-document-quirks.json")
    code, out, _ = _run(["-"], stdin=b'{"images": []}', fail_on="warning", schema=schema)
    assert "L001 [warning]" in out
    assert code == ExitCode.FINDINGS, out


def test_the_formats_the_command_line_offers_are_the_registered_reporters() -> None:
    """--format offers exactly the formats of report.formats, and each of them loads a reporter."""
    from glance_validate.cli.main import check
    from glance_validate.report.formats import FORMATS, reporter_factory

    (option,) = [p for p in check.params if p.name == "output_format"]
    assert isinstance(option.type, click.Choice) and tuple(option.type.choices) == FORMATS
    assert all(callable(reporter_factory(name)) for name in FORMATS)


def test_the_command_line_imports_no_reporter_at_start_up() -> None:
    """Importing the command line reads the format names without importing any reporter module."""
    script = "import sys, glance_validate.cli.main; print(sorted(m for m in sys.modules if '.report.' in m))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "['glance_validate.report.formats']"
