"""The official JSON-Schema-Test-Suite (draft 4) through the project's own dialect and both engines.

The dialect layer must leave standard schemas' meaning unchanged. The suite's location comes
from JSON_SCHEMA_TEST_SUITE (set by .ci/run); without it these tests are skipped, saying why.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from glance_validate.checks import rules
from glance_validate.checks.engine import build_engine
from glance_validate.schema.dialect import normalise

SUITE = os.environ.get("JSON_SCHEMA_TEST_SUITE", "")
REMOTE_BASE = "http://localhost:1234/"
# Remotes written for later drafts use keywords draft 4 does not have.
LATER_DRAFT_REMOTES = (
    "v1/",
    "draft2019-09/",
    "draft2020-12/",
    "draft6/",
    "draft7/",
    "draft-next/",
    "draft3/",
)

pytestmark = pytest.mark.skipif(
    not SUITE or not Path(SUITE, "tests", "draft4").is_dir(),
    reason="JSON_SCHEMA_TEST_SUITE is not set to a JSON-Schema-Test-Suite checkout (.ci/run sets it)",
)


# Draft 4 optional files that apply: ECMA-262 regexes (ecmascript-regex, non-bmp-regex), big
# numbers, float overflow, 1.0 as an integer and $id-like properties. optional/format/ does not:
# neither engine asserts formats (K012). Every case passes on both engines, so none is listed
# as an expected failure.
OPTIONAL = ("bignum", "ecmascript-regex", "float-overflow", "id", "non-bmp-regex", "zeroTerminatedFloats")


def _cases() -> Iterator[Any]:
    if not SUITE or not Path(SUITE, "tests", "draft4").is_dir():
        return
    draft4 = Path(SUITE, "tests", "draft4")
    paths = [*sorted(draft4.glob("*.json")), *(draft4 / "optional" / f"{name}.json" for name in OPTIONAL)]
    for path in paths:
        prefix = "optional/" if path.parent.name == "optional" else ""
        for group in json.loads(path.read_text("utf-8")):
            yield pytest.param(group, id=f"{prefix}{path.stem}: {group['description']}")


def test_the_optional_files_are_all_there() -> None:
    """Each optional file run here exists in the suite checkout, so none is silently left out."""
    for name in OPTIONAL:
        assert Path(SUITE, "tests", "draft4", "optional", f"{name}.json").is_file(), name


def _remotes() -> dict[str, Any]:
    root = Path(SUITE, "remotes")
    found = {}
    for path in sorted(root.rglob("*.json")):
        relative = path.relative_to(root).as_posix()
        if not relative.startswith(LATER_DRAFT_REMOTES):
            found[REMOTE_BASE + relative] = json.loads(path.read_text("utf-8"))
    return found


@pytest.fixture(scope="module")
def remotes() -> dict[str, Any]:
    return _remotes()


@pytest.mark.parametrize("group", list(_cases()))
@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_draft4_group(group: dict[str, Any], engine: str, remotes: dict[str, Any]) -> None:
    """Each test's valid/invalid verdict holds after the dialect layer, and findings never crash."""
    schema = group["schema"]
    normalised = normalise(schema) if isinstance(schema, dict) else None
    compiled = normalised.schema if normalised else schema
    if normalised:
        assert normalised.schema == schema and normalised.findings == ()
    validator = build_engine(compiled, remotes, engine=engine)  # type: ignore[arg-type]
    for test in group["tests"]:
        assert validator.is_valid(test["data"]) is test["valid"], test["description"]
        found = list(rules.keyword_findings(validator.violations(test["data"]), test["data"]))
        assert bool(found) is not test["valid"], test["description"]
