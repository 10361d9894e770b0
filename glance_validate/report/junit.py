"""The JUnit XML report: one testcase per payload; failures are findings at or above --fail-on."""

from __future__ import annotations

from typing import IO, TextIO

from glance_validate.core.findings import Finding
from glance_validate.core.severity import at_least
from glance_validate.core.version import TOOL_NAME, __version__
from glance_validate.report.lines import location, nothing_checked_message, plural, printable, text_line
from glance_validate.report.values import Checked, ReportOptions, RunInfo, Summary


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
        self._testcase(name, findings, item.unreadable, item.origin.path)

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
            message = f"{plural(len(failing), 'finding')}: {codes}"
            body = "".join(text_line(w, f) + "\n" for w, f in failing)
            attributes = f'message="{_xml_attr(message)}" type="{failing[0][1].code}"'
            write(f"      <{tag} {attributes}>{_xml_text(body)}</{tag}>\n")
        if other:
            body = "".join(text_line(w, f) + "\n" for w, f in other)
            write(f"      <system-out>{_xml_text(body)}</system-out>\n")
        write("    </testcase>\n")

    def _nothing_checked(self) -> None:
        """A failing testcase for a run that checked nothing, so that a CI test view shows it."""
        self.tests += 1
        self.errors += 1
        message = _xml_attr(nothing_checked_message(False))
        self.spool.write(
            f'    <testcase name="nothing checked" classname="{TOOL_NAME}">\n'
            f'      <error message="{message}" type="nothing-checked"/>\n'
            "    </testcase>\n"
        )

    def finish(self, summary: Summary) -> None:
        if summary.nothing_checked and not self.options.allow_empty:
            self._nothing_checked()
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
        if summary.nothing_checked:
            message = _xml_attr(nothing_checked_message(self.options.allow_empty))
            out.write(f'      <property name="nothing-checked" value="{message}"/>\n')
        out.write("    </properties>\n")
        self.spool.seek(0)
        while chunk := self.spool.read(1 << 16):
            out.write(chunk)
        self.spool.close()
        out.write("  </testsuite>\n</testsuites>\n")
