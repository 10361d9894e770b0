"""Every payload under fixtures/ is validated and compared with the expectations beside it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glance_validate.findings import Finding
from glance_validate.validation import Validator

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PAYLOADS = sorted(p for p in FIXTURES.rglob("*.json") if not p.name.endswith(".expected.json"))


def _expected(payload: Path) -> dict[str, object]:
    expected_file = payload.with_name(payload.name[: -len(".json")] + ".expected.json")
    assert expected_file.exists(), f"{payload} has no {expected_file.name} beside it"
    data: dict[str, object] = json.loads(expected_file.read_text("utf-8"))
    return data


def _matches(finding: Finding, wanted: dict[str, object]) -> bool:
    return all(getattr(finding, key) == value for key, value in wanted.items())


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
    validator = Validator(str(expected["schema"]), engine=engine)  # type: ignore[arg-type]
    result = validator.validate(payload)
    assert result.kind == expected["kind"]
    wanted = expected["findings"]
    assert isinstance(wanted, list)
    unmatched = list(result.findings)
    for item in wanted:
        hit = next((f for f in unmatched if _matches(f, item)), None)
        assert hit is not None, f"missing {item} in {result.findings}"
        unmatched.remove(hit)
    assert not unmatched, f"unexpected findings: {unmatched}"


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_both_engines_give_identical_findings(payload: Path) -> None:
    """The fast and the reference engine produce the same findings, messages included."""
    schema = str(_expected(payload)["schema"])
    fast = Validator(schema, engine="fast").validate(payload)
    reference = Validator(schema, engine="reference").validate(payload)
    assert fast == reference


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_findings_on_files_carry_positions(payload: Path) -> None:
    """Every finding about a file has a line and column pointing into it."""
    result = Validator(str(_expected(payload)["schema"])).validate(payload)
    last_line = payload.read_bytes().count(b"\n") + 1
    for f in result.findings:
        assert f.line is not None and f.column is not None, f
        assert 1 <= f.line <= last_line
