"""Every payload under fixtures/ is validated and compared with the expectations beside it.

An expected file (NAME.expected.json beside NAME.json) holds ``schema`` (a builtin name, or a
schema file relative to the fixture's folder), ``kind`` and ``findings`` (each a partial
finding: the keys given must match). Optional keys: ``policy`` (select, ignore, profile,
strict) for the main expectation; ``variants``, a list of ``{"policy": ..., "findings": ...}``
checked on the same payload; ``covers``, the codes this fixture is a clean (positive) example
for; ``run_with``, pages checked before this one in the same run (for run-level checks).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from glance_validate.checks.config import Policy
from glance_validate.checks.consistency.lists import cross_page_duplicates
from glance_validate.checks.validation import Validator, with_findings
from glance_validate.core.findings import Finding, Result

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PAYLOADS = sorted(p for p in FIXTURES.rglob("*.json") if not p.name.endswith(".expected.json"))


def _expected(payload: Path) -> dict[str, Any]:
    expected_file = payload.with_name(payload.name[: -len(".json")] + ".expected.json")
    assert expected_file.exists(), f"{payload} has no {expected_file.name} beside it"
    data: dict[str, Any] = json.loads(expected_file.read_text("utf-8"))
    return data


def _schema(payload: Path, expected: dict[str, Any]) -> str:
    name = str(expected["schema"])
    return str(payload.parent / name) if name.endswith(".json") else name


def _validator(payload: Path, expected: dict[str, Any], engine: str, policy: Any) -> Validator:
    schema = _schema(payload, expected)
    return Validator(schema, engine=engine, policy=Policy(**(policy or {})))  # type: ignore[arg-type]


def _run(payload: Path, expected: dict[str, Any], engine: str = "fast", policy: Any = None) -> Result:
    """The payload's result as a run gives it: after the pages named in run_with."""
    validator = _validator(payload, expected, engine, policy)
    pages = [*(payload.parent / name for name in expected.get("run_with", [])), payload]
    results = [validator.validate(page) for page in pages]
    extra = cross_page_duplicates([(str(p), r.page) for p, r in zip(pages, results, strict=True)])
    last = len(results) - 1
    return with_findings(results[last], extra.get(last, []), payload.read_bytes(), validator.policy)


def _matches(finding: Finding, wanted: dict[str, object]) -> bool:
    return all(getattr(finding, key) == value for key, value in wanted.items())


def _assert_exactly(result: Result, wanted: list[dict[str, object]]) -> None:
    unmatched = list(result.findings)
    for item in wanted:
        hit = next((f for f in unmatched if _matches(f, item)), None)
        assert hit is not None, f"missing {item} in {result.findings}"
        unmatched.remove(hit)
    assert not unmatched, f"unexpected findings: {unmatched}"


def _expectations(expected: dict[str, Any]) -> list[tuple[Any, list[dict[str, object]]]]:
    main = (expected.get("policy"), expected["findings"])
    return [main, *((v.get("policy"), v["findings"]) for v in expected.get("variants", []))]


def test_fixtures_are_discovered() -> None:
    """The fixture folder is found and holds both valid and invalid payloads."""
    assert len(PAYLOADS) >= 20
    assert any(not _expected(p)["findings"] for p in PAYLOADS)
    assert any(_expected(p)["findings"] for p in PAYLOADS)


@pytest.mark.parametrize("engine", ["fast", "reference"])
@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_gives_exactly_its_expected_findings(payload: Path, engine: str) -> None:
    """A fixture yields its expected kind and exactly its expected findings, with either engine."""
    expected = _expected(payload)
    for policy, wanted in _expectations(expected):
        result = _run(payload, expected, engine, policy)
        assert result.kind == expected["kind"]
        _assert_exactly(result, wanted)


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_covered_codes_are_not_reported(payload: Path) -> None:
    """A fixture that is the clean example of a rule yields no finding of that rule."""
    expected = _expected(payload)
    covers = set(expected.get("covers", []))
    for policy, _ in _expectations(expected):
        assert not covers & set(_run(payload, expected, policy=policy).codes())


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_both_engines_give_identical_findings(payload: Path) -> None:
    """The fast and the reference engine produce the same findings, messages included."""
    expected = _expected(payload)
    for policy, _ in _expectations(expected):
        fast = _run(payload, expected, "fast", policy)
        reference = _run(payload, expected, "reference", policy)
        assert fast == reference


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_findings_on_files_carry_positions(payload: Path) -> None:
    """Every finding about a file has a line and column pointing into it."""
    expected = _expected(payload)
    result = _run(payload, expected, policy=expected.get("policy"))
    last_line = payload.read_bytes().count(b"\n") + 1
    for f in result.findings:
        assert f.line is not None and f.column is not None, f
        assert 1 <= f.line <= last_line
