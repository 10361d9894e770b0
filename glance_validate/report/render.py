"""Reports: render checked payloads for people (text), machines (json), CI (junit, sarif, github).

A reporter receives the run's start, each checked payload in order, and the summary; it writes
as it goes, so a run over millions of JSON Lines keeps memory flat. Reporters are a registry:
adding a format is adding a class to ``REPORTERS``. Nothing here decides anything (the exit
code is the runner's) and nothing here reads inputs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO, Protocol, TextIO

from glance_validate.core.findings import SEVERITY_RANK, Finding, Result, Severity
from glance_validate.core.version import __version__
from glance_validate.inputs.payloads import NOT_READ, Origin

JSON_REPORT_VERSION = 1
TOOL_NAME = "glance-validate"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


# Values the runner hands to every reporter ---------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """One payload's result with where it came from."""

    origin: Origin
    result: Result

    @property
    def source(self) -> str:
        return self.origin.label


@dataclass(frozen=True)
class RunInfo:
    """What is known before the first payload: the schema and what was found in it."""

    schema_name: str
    schema_findings: tuple[Finding, ...] = ()
    inputs: int = 0

    @property
    def schema_can_fail(self) -> bool:
        """Whether the schema's own findings can fail the run: a shipped schema's quirks never do."""
        from glance_validate.schema.sources import is_builtin

        return not is_builtin(self.schema_name)


@dataclass(frozen=True)
class Summary:
    """The counts of a finished run."""

    inputs: int
    payloads: int
    images: int
    findings: Mapping[str, int]
    unreadable: int
    failed: int  # payloads with a finding at or above the fail-on severity
    seconds: float
    not_checked: int = 0  # inputs the tool failed on (internal errors)


class Tally:
    """Counts accumulated while payloads stream past; ``summary()`` freezes them."""

    def __init__(self, fail_on: Severity = "error", inputs: int = 0) -> None:
        self.fail_on = fail_on
        self.inputs = inputs
        self.payloads = self.images = self.unreadable = self.failed = self.not_checked = 0
        self.findings: dict[str, int] = dict.fromkeys(SEVERITIES, 0)

    def add(self, item: Checked) -> None:
        self.payloads += 1
        self.images += item.result.image_count
        for f in item.result.findings:
            self.findings[f.severity] = self.findings.get(f.severity, 0) + 1
        if is_unreadable(item.result):
            self.unreadable += 1
        if fails(item.result, self.fail_on):
            self.failed += 1

    def summary(self, seconds: float) -> Summary:
        return Summary(
            inputs=self.inputs,
            payloads=self.payloads,
            images=self.images,
            findings=dict(self.findings),
            unreadable=self.unreadable,
            failed=self.failed,
            seconds=seconds,
            not_checked=self.not_checked,
        )


@dataclass(frozen=True)
class ReportOptions:
    quiet: bool = False
    verbose: int = 0
    color: bool = False
    fail_on: Severity = "error"


def at_least(severity: str, threshold: str) -> bool:
    return SEVERITY_RANK.get(severity, 0) >= SEVERITY_RANK.get(threshold, 2)


def fails(result: Result, fail_on: str = "error") -> bool:
    """Whether a payload has a finding at or above ``fail_on``."""
    return any(at_least(f.severity, fail_on) for f in result.findings)


def is_unreadable(result: Result) -> bool:
    """An input whose content was not checked: it could not be read (P009) or was too large (P011)."""
    return any(f.code in NOT_READ for f in result.findings)


class Reporter(Protocol):
    def start(self, run: RunInfo) -> None: ...

    def payload(self, item: Checked) -> None: ...

    def finish(self, summary: Summary) -> None: ...


# Shared rendering ----------------------------------------------------------------------------


def printable(text: str) -> str:
    """``text`` with control characters and undecodable file-name bytes shown as escapes."""
    if text.isprintable():
        return text
    out = []
    for c in text:
        if c.isprintable():
            out.append(c)
        elif "\udc80" <= c <= "\udcff":  # a byte of a file name that is not UTF-8
            out.append(f"\\x{ord(c) - 0xDC00:02x}")
        else:
            out.append(repr(c)[1:-1])
    return "".join(out)


def finding_line(item: Checked, f: Finding) -> int | None:
    return f.line if f.line is not None else item.origin.line


def location(item: Checked, f: Finding) -> str:
    label = printable(item.source)
    line = finding_line(item, f)
    if line is None:
        return label
    return f"{label}:{line}:{f.column}" if f.column is not None else f"{label}:{line}"


def text_line(where: str, f: Finding) -> str:
    pointer = f" (at {printable(f.path)})" if f.path else ""
    return f"{where}: {f.code} [{f.severity}] {printable(f.message)}{pointer}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(schema_name: str, summary: Summary) -> str:
    """``checked N payloads (I images) against S: F failed (U unreadable inputs), E errors, ...``.

    Every payload is counted once: those that passed, plus ``failed`` (a finding at or above
    --fail-on), which includes the unreadable inputs (nothing in them was checked).
    """
    parts = []
    if summary.failed:
        unreadable = f" ({_plural(summary.unreadable, 'unreadable input')})" if summary.unreadable else ""
        parts.append(f"{summary.failed} failed{unreadable}")
    parts.extend(_plural(n, sev) for sev, n in summary.findings.items() if n)
    if summary.not_checked:
        parts.append(f"{_plural(summary.not_checked, 'input')} not checked")
    return (
        f"checked {_plural(summary.payloads, 'payload')} ({_plural(summary.images, 'image')}) "
        f"against {printable(schema_name)}: {', '.join(parts) or 'no findings'} in {summary.seconds:.2f}s"
    )


# text ----------------------------------------------------------------------------------------

_SEVERITY_COLOR = {"error": "31", "warning": "33", "info": "36"}


class TextReporter:
    """``path:line:col: CODE [severity] message (at /pointer)`` lines and a summary line."""

    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self.out = out
        self.options = options
        self.schema_name = ""

    def _paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.options.color else text

    def _line(self, where: str, f: Finding) -> str:
        if not self.options.color:
            return text_line(where, f)
        color = _SEVERITY_COLOR.get(f.severity, "0")
        pointer = self._paint(f" (at {printable(f.path)})", "2") if f.path else ""
        return (
            f"{self._paint(where, '1')}: {self._paint(f.code, '1;' + color)} "
            f"{self._paint('[' + f.severity + ']', color)} {printable(f.message)}{pointer}"
        )

    def start(self, run: RunInfo) -> None:
        self.schema_name = run.schema_name
        for f in run.schema_findings:
            self.out.write(self._line(f"schema {printable(run.schema_name)}", f) + "\n")

    def payload(self, item: Checked) -> None:
        for f in item.result.findings:
            self.out.write(self._line(location(item, f), f) + "\n")
        if self.options.verbose and not self.options.quiet:
            self.out.write(self._context(item) + "\n")

    def _context(self, item: Checked) -> str:
        result = item.result
        where = printable(item.source) + (f":{item.origin.line}" if item.origin.line else "")
        status = f", HTTP {item.origin.status}" if item.origin.status is not None else ""
        verdict = _plural(len(result.findings), "finding") if result.findings else "ok"
        return f"{where}: {result.kind}{status}, {_plural(result.image_count, 'image')}, {verdict}"

    def finish(self, summary: Summary) -> None:
        if not self.options.quiet:
            line = summary_line(self.schema_name, summary)
            self.out.write(self._paint(line, "1") + "\n" if self.options.color else line + "\n")


# json ----------------------------------------------------------------------------------------


def origin_fields(origin: Origin) -> dict[str, object]:
    fields: dict[str, object] = {"source": printable(origin.label), "input": printable(origin.input)}
    if origin.line is not None:
        fields["line"] = origin.line
    if origin.entry is not None:
        fields["entry"] = origin.entry
        fields["request"] = origin.request
    if origin.status is not None:
        fields["status"] = origin.status
    fields["positions"] = "body" if origin.body_relative else "file"
    return fields


def finding_dict(f: Finding) -> dict[str, object]:
    return f.as_dict()


def payload_dict(item: Checked, fail_on: str) -> dict[str, object]:
    return {
        **origin_fields(item.origin),
        "kind": item.result.kind,
        "ok": not fails(item.result, fail_on),
        "images": item.result.image_count,
        "findings": [finding_dict(f) for f in item.result.findings],
    }


def summary_dict(summary: Summary) -> dict[str, object]:
    return {
        "inputs": summary.inputs,
        "payloads": summary.payloads,
        "images": summary.images,
        "findings": dict(summary.findings),
        "failed": summary.failed,
        "unreadable": summary.unreadable,
        "not_checked": summary.not_checked,
        "seconds": round(summary.seconds, 3),
    }


def _indented(value: object, level: int) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + "  " * level)


class JsonReporter:
    """One JSON document (version 1), written as payloads arrive; see the README for its shape."""

    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self.out = out
        self.options = options
        self.count = 0

    def start(self, run: RunInfo) -> None:
        schema = {
            "name": printable(run.schema_name),
            "findings": [finding_dict(f) for f in run.schema_findings],
        }
        self.out.write(
            "{\n"
            f'  "version": {JSON_REPORT_VERSION},\n'
            f'  "tool": {_indented({"name": TOOL_NAME, "version": __version__}, 1)},\n'
            f'  "fail_on": {json.dumps(self.options.fail_on)},\n'
            f'  "schema": {_indented(schema, 1)},\n'
            '  "payloads": ['
        )

    def payload(self, item: Checked) -> None:
        self.out.write(
            ("," if self.count else "") + "\n    " + _indented(payload_dict(item, self.options.fail_on), 2)
        )
        self.count += 1

    def finish(self, summary: Summary) -> None:
        self.out.write(
            ("\n  ]" if self.count else "]") + f',\n  "summary": {_indented(summary_dict(summary), 1)}\n}}\n'
        )


# junit ---------------------------------------------------------------------------------------


def _xml_char(c: str) -> str:
    if c in "\t\n\r" or "\x20" <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd" or c >= "\U00010000":
        return c
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def _xml_text(text: str) -> str:
    """Text safe inside XML 1.0: markup escaped, characters XML cannot hold shown as escapes."""
    from xml.sax.saxutils import escape

    return escape("".join(_xml_char(c) for c in text))


def _xml_attr(text: str) -> str:
    return _xml_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;")


class JunitReporter:
    """JUnit XML: one testcase per payload; failures are findings at or above --fail-on.

    Testcases are spooled to a temporary file because the counts on ``<testsuite>`` are known
    only at the end; memory stays flat.
    """

    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        import tempfile

        self.out = out
        self.options = options
        self.spool: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed in finish
        self.run = RunInfo("")
        self.tests = self.failures = self.errors = 0

    def start(self, run: RunInfo) -> None:
        self.run = run
        if run.schema_findings:
            self._testcase(
                f"schema {run.schema_name}",
                [(f"schema {run.schema_name}", f) for f in run.schema_findings],
                False,
                can_fail=run.schema_can_fail,
            )

    def payload(self, item: Checked) -> None:
        name = item.source + (f":{item.origin.line}" if item.origin.line is not None else "")
        findings = [(location(item, f), f) for f in item.result.findings]
        self._testcase(name, findings, is_unreadable(item.result), item.origin.path)

    def _testcase(
        self,
        name: str,
        findings: list[tuple[str, Finding]],
        unreadable: bool,
        path: str | None = None,
        *,
        can_fail: bool = True,
    ) -> None:
        self.tests += 1
        fail_on = self.options.fail_on
        failing: list[tuple[str, Finding]] = []
        other: list[tuple[str, Finding]] = []
        for pair in findings:
            (failing if can_fail and at_least(pair[1].severity, fail_on) else other).append(pair)
        write = self.spool.write
        file = f' file="{_xml_attr(printable(path))}"' if path is not None else ""
        write(f'    <testcase name="{_xml_attr(printable(name))}" classname="{TOOL_NAME}"{file}>\n')
        if failing:
            tag = "error" if unreadable else "failure"
            if unreadable:
                self.errors += 1
            else:
                self.failures += 1
            codes = ", ".join(dict.fromkeys(f.code for _, f in failing))
            message = f"{_plural(len(failing), 'finding')}: {codes}"
            body = "".join(text_line(w, f) + "\n" for w, f in failing)
            attributes = f'message="{_xml_attr(message)}" type="{failing[0][1].code}"'
            write(f"      <{tag} {attributes}>{_xml_text(body)}</{tag}>\n")
        if other:
            body = "".join(text_line(w, f) + "\n" for w, f in other)
            write(f"      <system-out>{_xml_text(body)}</system-out>\n")
        write("    </testcase>\n")

    def finish(self, summary: Summary) -> None:
        counts = f'tests="{self.tests}" failures="{self.failures}" errors="{self.errors}" skipped="0"'
        seconds = f'time="{summary.seconds:.3f}"'
        out = self.out
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(f'<testsuites name="{TOOL_NAME}" {counts} {seconds}>\n')
        out.write(
            f'  <testsuite name="{TOOL_NAME} against {_xml_attr(self.run.schema_name)}" {counts} {seconds}>\n'
        )
        out.write("    <properties>\n")
        out.write(f'      <property name="schema" value="{_xml_attr(self.run.schema_name)}"/>\n')
        out.write(f'      <property name="fail-on" value="{self.options.fail_on}"/>\n')
        out.write(f'      <property name="version" value="{__version__}"/>\n')
        out.write("    </properties>\n")
        self.spool.seek(0)
        while chunk := self.spool.read(1 << 16):
            out.write(chunk)
        self.spool.close()
        out.write("  </testsuite>\n</testsuites>\n")


# sarif ---------------------------------------------------------------------------------------

_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def artifact_uri(path: str) -> str:
    """A URI reference for a file: relative paths stay relative (percent-encoded)."""
    import os
    from pathlib import Path
    from urllib.parse import quote

    if Path(path).is_absolute():
        return Path(path).as_uri() if path.isprintable() else "file://" + quote(os.fsencode(path))
    return quote(os.fsencode(path.replace(os.sep, "/")))


class SarifReporter:
    """SARIF 2.1.0: the rule catalogue as the driver's rules, one result per finding."""

    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self.out = out
        self.options = options
        self.count = 0
        self.index: dict[str, int] = {}

    def start(self, run: RunInfo) -> None:
        from glance_validate.core.catalog import catalog

        rules = []
        for i, rule in enumerate(catalog().rules):
            self.index[rule.code] = i
            rules.append(
                {
                    "id": rule.code,
                    "name": rule.name,
                    "shortDescription": {"text": rule.summary},
                    "fullDescription": {"text": rule.explanation},
                    "help": {"text": f"{rule.explanation}\n\nExample: {rule.example}"},
                    "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
                    "properties": {"tags": [rule.family]},
                }
            )
        driver = {
            "name": TOOL_NAME,
            "version": __version__,
            "semanticVersion": __version__,
            "rules": rules,
        }
        self.out.write(
            "{\n"
            f'  "$schema": "{SARIF_SCHEMA}",\n'
            '  "version": "2.1.0",\n'
            '  "runs": [\n'
            "    {\n"
            f'      "tool": {{"driver": {_indented(driver, 3)}}},\n'
            '      "columnKind": "unicodeCodePoints",\n'
            f'      "properties": {{"schema": {_indented(printable(run.schema_name), 0)}}},\n'
            '      "results": ['
        )
        for f in run.schema_findings:
            logical = {
                "name": f"schema {run.schema_name}",
                "fullyQualifiedName": f"schema {run.schema_name}{f.path}",
            }
            self._result(f, f.message, {"logicalLocations": [logical]})

    def payload(self, item: Checked) -> None:
        for f in item.result.findings:
            self._result(f, self._message(item, f), self._location(item, f))

    def _message(self, item: Checked, f: Finding) -> str:
        text = f.message + (f" (at {f.path})" if f.path else "")
        if item.origin.entry is not None:
            where = f" at body line {f.line}, column {f.column}" if f.line is not None else ""
            text = f"{item.source}{where}: {text}"
        return printable(text)

    def _location(self, item: Checked, f: Finding) -> dict[str, object]:
        location: dict[str, object] = {}
        if item.origin.path is not None:
            physical: dict[str, object] = {"artifactLocation": {"uri": artifact_uri(item.origin.path)}}
            line = finding_line(item, f)
            if line is not None and not item.origin.body_relative:
                region: dict[str, object] = {"startLine": line}
                if f.column is not None:
                    region["startColumn"] = f.column
                physical["region"] = region
            location["physicalLocation"] = physical
        if f.path or item.origin.entry is not None or item.origin.path is None:
            location["logicalLocations"] = [
                {"fullyQualifiedName": printable(item.source) + f.path, "kind": "value"}
            ]
        return location

    def _result(self, f: Finding, message: str, location: dict[str, object]) -> None:
        result: dict[str, object] = {
            "ruleId": f.code,
            "level": _SARIF_LEVEL.get(f.severity, "note"),
            "message": {"text": message},
        }
        if f.code in self.index:
            result["ruleIndex"] = self.index[f.code]
        if location:
            result["locations"] = [location]
        self.out.write(("," if self.count else "") + "\n        " + _indented(result, 4))
        self.count += 1

    def finish(self, summary: Summary) -> None:
        invocation = {
            "executionSuccessful": not (summary.unreadable or summary.not_checked),
            "properties": summary_dict(summary),
        }
        self.out.write(
            ("\n      ]" if self.count else "]")
            + f',\n      "invocations": [{_indented(invocation, 3)}]\n    }}\n  ]\n}}\n'
        )


# github --------------------------------------------------------------------------------------

_GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def _github_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReporter:
    """GitHub Actions workflow commands: ``::error file=...,line=...,col=...,title=CODE::message``."""

    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self.out = out
        self.options = options
        self.schema_name = ""

    def start(self, run: RunInfo) -> None:
        self.schema_name = run.schema_name
        for f in run.schema_findings:
            self._command(
                f, {}, f"schema {run.schema_name}: {f.message}" + (f" (at {f.path})" if f.path else "")
            )

    def payload(self, item: Checked) -> None:
        for f in item.result.findings:
            props: dict[str, object] = {}
            message = f.message + (f" (at {f.path})" if f.path else "")
            if item.origin.path is not None:
                props["file"] = item.origin.path
            line = finding_line(item, f)
            if item.origin.body_relative or item.origin.path is None:
                where = f":{line}:{f.column}" if line is not None and f.column is not None else ""
                message = f"{printable(item.source)}{where}: {message}"
            elif line is not None:
                props["line"] = line
                if f.column is not None:
                    props["col"] = f.column
            self._command(f, props, message)

    def _command(self, f: Finding, props: dict[str, object], message: str) -> None:
        props["title"] = f.code
        rendered = ",".join(f"{k}={_github_property(printable(str(v)))}" for k, v in props.items())
        command = _GITHUB_COMMAND.get(f.severity, "notice")
        self.out.write(f"::{command} {rendered}::{_github_data(message)}\n")

    def finish(self, summary: Summary) -> None:
        if not self.options.quiet:
            self.out.write(summary_line(self.schema_name, summary) + "\n")


ReporterFactory = Callable[[TextIO, ReportOptions], Reporter]
REPORTERS: dict[str, ReporterFactory] = {
    "text": TextReporter,
    "json": JsonReporter,
    "junit": JunitReporter,
    "sarif": SarifReporter,
    "github": GithubReporter,
}


# progress ------------------------------------------------------------------------------------


class Progress:
    """A progress bar on a terminal (redrawn in place), or a line every few seconds elsewhere."""

    WIDTH = 24

    def __init__(
        self, stream: TextIO, total: int, *, terminal: bool, clock: Callable[[], float] | None = None
    ) -> None:
        import time

        self.stream = stream
        self.total = max(total, 1)
        self.terminal = terminal
        self.done = 0
        self.clock = clock or time.monotonic
        self.started = self.clock()
        self.shown_at = self.started
        self.drawn = False

    def advance(self, inputs: int = 1) -> None:
        self.done += inputs
        now = self.clock()
        interval = 0.1 if self.terminal else 5.0
        if now - self.shown_at >= interval or (
            self.terminal and not self.drawn and now - self.started >= 0.2
        ):
            self.shown_at = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        filled = self.WIDTH * self.done // self.total
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        text = f"[{bar}] {self.done}/{self.total} inputs {now - self.started:.0f}s"
        if self.terminal:
            self.stream.write(f"\r{text}\x1b[K")
            self.drawn = True
        else:
            self.stream.write(f"glance-validate: {text}\n")
        self.stream.flush()

    def close(self) -> None:
        """Clear the bar from a terminal; elsewhere (progress asked for) write the final count."""
        if self.terminal and self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        elif not self.terminal:
            self._draw(self.clock())
