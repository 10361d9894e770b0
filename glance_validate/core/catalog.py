"""The rule catalogue: codes, names, severities and explanations, read from package data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from glance_validate.core.data import data_text
from glance_validate.core.findings import Finding
from glance_validate.core.severity import Severity


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    family: str
    severity: Severity
    summary: str
    explanation: str
    example: str


@dataclass(frozen=True)
class Family:
    letter: str
    name: str
    title: str


@dataclass(frozen=True)
class Catalog:
    families: tuple[Family, ...]
    rules: tuple[Rule, ...]

    def rule(self, code: str) -> Rule:
        return _rules_by_code()[code]


def _read_data() -> dict[str, object]:
    text = data_text("rules.json")
    data: dict[str, object] = json.loads(text)
    return data


@cache
def catalog() -> Catalog:
    data = _read_data()
    families_data = data["families"]
    rules_data = data["rules"]
    assert isinstance(families_data, dict) and isinstance(rules_data, list)
    families = tuple(
        Family(letter=letter, name=info["name"], title=info["title"])
        for letter, info in families_data.items()
    )
    names = {f.letter: f.name for f in families}
    rules = tuple(
        Rule(
            code=r["code"],
            name=r["name"],
            family=names[r["code"][0]],
            severity=r["severity"],
            summary=r["summary"],
            explanation=r["explanation"],
            example=r["example"],
        )
        for r in rules_data
    )
    return Catalog(families=families, rules=rules)


@cache
def _rules_by_code() -> dict[str, Rule]:
    return {r.code: r for r in catalog().rules}


def finding(code: str, path: str, message: str) -> Finding:
    """A finding with the rule's default severity."""
    return Finding(code, _rules_by_code()[code].severity, path, message)
