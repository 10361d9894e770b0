"""The rule catalogue: every code has fixtures, is listed by ``rules`` and explained by ``explain``."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from glance_validate.analysis.rulebook import ExplainOptions, RulesOptions, run_explain, run_rules
from glance_validate.cli.main import main
from glance_validate.core.catalog import catalog
from glance_validate.core.exitcodes import ExitCode

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CODES = [r.code for r in catalog().rules]

# Codes that no payload file can produce, with the tests that cover them instead (or why none can).
ELSEWHERE: dict[str, tuple[str, str | None]] = {
    "P009": ("an unreadable input is not a file that can live in fixtures/", "tests/test_validate_api.py"),
    "P010": ("only a Python object without a JSON meaning gives it", "tests/test_validate_api.py"),
    "P011": ("an input over --max-bytes is generated at test time, not kept", "tests/test_hostile_inputs.py"),
    "P020": ("a finding about HAR and HTTP captures (not .json files)", "tests/test_inputs.py"),
    "P021": ("a finding about HAR and HTTP captures (not .json files)", "tests/test_inputs.py"),
    "P022": ("a finding about HAR and HTTP captures (not .json files)", "tests/test_inputs.py"),
    "P023": ("a finding about HAR and HTTP captures (not .json files)", "tests/test_capture_types.py"),
    "K012": ("neither engine asserts formats, so no payload can produce it", None),
    "K099": ("every Draft 4 keyword has its own code, so no payload can produce it", None),
    "R001": ("only a payload with more findings than --max-findings gives it", "tests/test_many_findings.py"),
    **{
        f"L{n:03d}": (
            "a finding of `glance-validate schema lint`, not of checking a payload",
            "tests/test_schema_tools.py",
        )
        for n in range(4, 13)
    },
    **{
        f"W{n:03d}": ("a finding of `glance-validate probe` about a crawl", "tests/test_probe.py")
        for n in range(1, 11)
    },
}


def _expectations() -> list[tuple[Path, dict[str, Any]]]:
    out = []
    for expected in sorted(FIXTURES.rglob("*.expected.json")):
        out.append((expected, json.loads(expected.read_text("utf-8"))))
    return out


def _negative_codes() -> dict[str, list[str]]:
    """Code -> the fixtures whose expected findings (main or a variant) include it."""
    found: dict[str, list[str]] = {}
    for path, data in _expectations():
        lists = [data["findings"], *(v["findings"] for v in data.get("variants", []))]
        for findings in lists:
            for f in findings:
                found.setdefault(f["code"], []).append(path.name)
    return found


def _positive_codes() -> dict[str, list[str]]:
    """Code -> the fixtures that are its clean example (listed in their covers)."""
    found: dict[str, list[str]] = {}
    for path, data in _expectations():
        for code in data.get("covers", []):
            found.setdefault(code, []).append(path.name)
    return found


@pytest.mark.parametrize("code", [c for c in CODES if c not in ELSEWHERE])
def test_every_code_has_a_negative_and_a_positive_fixture(code: str) -> None:
    """One fixture expects the finding, another is its clean example (test_fixtures.py runs both)."""
    assert _negative_codes().get(code), f"no fixture under fixtures/ expects {code}"
    assert _positive_codes().get(code), f"no fixture under fixtures/ lists {code} in covers"


@pytest.mark.parametrize("code", sorted(ELSEWHERE))
def test_codes_without_fixtures_are_tested_elsewhere(code: str) -> None:
    """Each exception is a real code without a negative fixture, and names a test that covers it."""
    assert code in CODES
    assert code not in _negative_codes(), f"{code} has a fixture now: remove it from ELSEWHERE"
    reason, test_file = ELSEWHERE[code]
    assert reason
    if test_file is not None:
        assert code in (ROOT / test_file).read_text("utf-8"), f"{test_file} does not mention {code}"


def test_covers_name_real_codes() -> None:
    """covers lists only codes of the catalogue."""
    assert set(_positive_codes()) <= set(CODES)


def test_every_code_belongs_to_a_family_and_has_its_texts() -> None:
    """Codes are unique, start with a family letter, and have a name, summary, explanation and example key."""
    letters = {f.letter for f in catalog().families}
    names = [f.name for f in catalog().families]
    assert len(set(CODES)) == len(CODES) and len(set(names)) == len(names)
    for rule in catalog().rules:
        assert rule.code[0] in letters and rule.code[1:].isdigit() and len(rule.code) == 4
        assert (
            rule.name and rule.summary and rule.explanation and rule.severity in ("error", "warning", "info")
        )
        if rule.code[0] in "CDX":
            assert rule.example, rule.code


def test_rules_lists_every_code_under_its_family() -> None:
    """`glance-validate rules` prints each family heading followed by exactly its codes."""
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0
    family = None
    listed: dict[str, str] = {}
    for line in result.output.splitlines():
        if line and not line.startswith(" ") and line[0].isupper() and line[1] == " ":
            family = line[0]
        elif line.startswith("  "):
            code = line.split()[0]
            assert family is not None
            listed[code] = family
    assert list(listed) == CODES
    assert all(code[0] == letter for code, letter in listed.items())


def test_rules_json_lists_every_code() -> None:
    """`glance-validate rules --format json` holds every family and code."""
    result = CliRunner().invoke(main, ["rules", "--format", "json"])
    document = json.loads(result.output)
    assert [r["code"] for r in document["rules"]] == CODES
    assert {f["letter"] for f in document["families"]} == {c[0] for c in CODES}


@pytest.mark.parametrize("code", CODES)
def test_explain_prints_every_code(code: str) -> None:
    """`glance-validate explain CODE` prints the code, its name, summary and explanation."""
    rule = catalog().rule(code)
    for spelling in (code, code.lower(), rule.name):
        result = CliRunner().invoke(main, ["explain", spelling])
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"{code} {rule.name} ({rule.family}, {rule.severity} by default)")
        assert rule.summary in result.output and rule.explanation.split()[0] in result.output


def test_explain_of_a_deviation_shows_its_data() -> None:
    """For a D code, explain adds the vendor, where, what is seen, what it replaces and the source."""
    output = CliRunner().invoke(main, ["explain", "D002"]).output
    assert "Vendor: IMS" in output and "Where: /virtual_size" in output and "seen: a null value" in output
    assert "Replaces: K001" in output and "Source: " in output


def test_explain_of_an_unknown_code_is_a_usage_error() -> None:
    """An unknown code exits 2 and says how to list the codes."""
    result = CliRunner().invoke(main, ["explain", "C999"])
    assert result.exit_code == 2 and "glance-validate rules" in result.output


def test_run_rules_lists_every_code() -> None:
    """run_rules with JSON output: every code on out, exit 0."""
    out = StringIO()
    assert run_rules(RulesOptions(output_format="json"), out, StringIO()) is ExitCode.OK
    assert [r["code"] for r in json.loads(out.getvalue())["rules"]] == CODES


def test_run_explain_of_a_rule_name() -> None:
    """run_explain finds a rule by its name too: its explanation on out, exit 0."""
    out = StringIO()
    rule = catalog().rule("C010")
    assert run_explain(ExplainOptions(code=rule.name), out, StringIO()) is ExitCode.OK
    assert out.getvalue().startswith(f"C010 {rule.name} ")


def test_run_explain_of_an_unknown_code() -> None:
    """run_explain of a code no rule has: exit 2, nothing on out, the hint on err."""
    out, err = StringIO(), StringIO()
    assert run_explain(ExplainOptions(code="C999"), out, err) is ExitCode.USAGE
    assert out.getvalue() == "" and "glance-validate rules lists every code" in err.getvalue()
