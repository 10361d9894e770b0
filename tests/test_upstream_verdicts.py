"""Real-looking Glance responses through every upstream release schema: no error, no IMS deviation.

The payloads are the project's Glance fixtures (fixtures/glance/ and fixtures/other-payloads/,
written from Glance's API reference) as each release serves them: without the base properties
that release does not have yet, without null values its schema does not allow (Glance before
Kilo left them out), with a visibility it knows, and without the images of a format it does
not know (vhdx before Newton).
IMS's known deviations (D0xx) belong to IMS: they appear under the ims schema or the
ims-observed profile, never under an upstream schema with the default profile.
A page without first or schema (fixtures/envelope/) is an S007 error under every release, in
validate() on both engines and in compat: every release's serializer writes both.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from glance_validate import Policy, Result, validate
from glance_validate.analysis.compat import Compat
from glance_validate.schema.releases import Release, image_schema, releases

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _payloads(folder: str) -> list[Path]:
    return sorted(p for p in (FIXTURES / folder).glob("*.json") if not p.name.endswith(".expected.json"))


GLANCE = _payloads("glance") + _payloads("other-payloads") + [FIXTURES / "envelope" / "complete.json"]
DEVIATIONS = _payloads("deviations")
ENVELOPE_CUT = [
    FIXTURES / "envelope" / name for name in ("no-first.json", "no-schema.json", "images-only.json")
]
CURRENT_PROPERTIES = frozenset(image_schema(releases()[-1])["properties"])


def _allows_null(rule: dict[str, Any]) -> bool:
    kinds = rule.get("type", [])
    return "null" in (kinds if isinstance(kinds, list) else [kinds])


def _as_served(image: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    """One image as the release would send it."""
    served = {}
    for key, value in image.items():
        rule = properties.get(key)
        if rule is None and key in CURRENT_PROPERTIES:
            continue  # a base property of a later release
        if value is None and rule is not None and not _allows_null(rule):
            continue
        served[key] = value
    visibility = properties["visibility"].get("enum", [])
    if served.get("visibility") not in visibility:
        served["visibility"] = "private"  # shared and community images were private before Ocata
    return served


def _servable(image: dict[str, Any], properties: dict[str, Any]) -> bool:
    """Whether the release can hold the image: every enum-valued property has a value it knows."""
    return all(
        image[key] in rule["enum"] for key, rule in properties.items() if key in image and "enum" in rule
    )


def _payload_for(release: Release, path: Path) -> Any:
    value = json.loads(path.read_text("utf-8"))
    properties = image_schema(release)["properties"]
    if isinstance(value, dict) and isinstance(value.get("images"), list):
        served = (_as_served(image, properties) for image in value["images"])
        kept = [image for image in served if _servable(image, properties)]
        page = {**value, "images": kept}
        if "next" in value and kept:  # the marker is the page's last image, so it moves with it
            page["next"] = value["next"].replace(value["images"][-1]["id"], kept[-1]["id"])
        return page
    if isinstance(value, dict) and "id" in value:
        return _as_served(value, properties)
    return value


def _deviation_codes(result: Result) -> list[str]:
    return [code for code in result.codes() if code.startswith("D")]


@pytest.mark.parametrize("release", releases(), ids=lambda release: release.schema_name)
@pytest.mark.parametrize("path", GLANCE, ids=lambda path: path.name)
def test_a_glance_response_gets_no_error_under_its_release(release: Release, path: Path) -> None:
    """Each Glance fixture, as the release serves it, has no error finding under that release."""
    result = validate(_payload_for(release, path), schema=release.schema_name)
    assert [f for f in result.findings if f.severity == "error"] == []


@pytest.mark.parametrize("release", releases(), ids=lambda release: release.schema_name)
@pytest.mark.parametrize("path", DEVIATIONS, ids=lambda path: path.name)
def test_no_ims_deviation_under_an_upstream_schema(release: Release, path: Path) -> None:
    """An IMS-style payload under an upstream release and the default profile: no D code."""
    assert _deviation_codes(validate(path, schema=release.schema_name)) == []


@pytest.mark.parametrize("path", DEVIATIONS, ids=lambda path: path.name)
def test_ims_deviations_appear_under_the_ims_schema_and_the_ims_observed_profile(path: Path) -> None:
    """The same payloads: the D codes the ims schema gives, ims-observed gives under upstream schemas."""
    under_ims = _deviation_codes(validate(path, schema="ims"))
    observed = {
        code
        for schema in ("glance", "glance-newton")
        for code in _deviation_codes(validate(path, schema=schema, policy=Policy(profile="ims-observed")))
    }
    assert observed == set(under_ims)


def test_the_deviation_fixtures_do_hold_deviations() -> None:
    """The D-code tests above are not vacuous: the ims schema finds deviations in the fixtures."""
    assert {code for path in DEVIATIONS for code in _deviation_codes(validate(path, schema="ims"))} >= {
        "D001",
        "D003",
        "D004",
        "D006",
    }


@pytest.mark.parametrize("engine", ["fast", "reference"])
@pytest.mark.parametrize("path", ENVELOPE_CUT, ids=lambda path: path.name)
def test_a_page_without_first_or_schema_is_an_error_under_every_release(path: Path, engine: str) -> None:
    """The page, as each release serves it, gives an S007 error at / under that release's schema."""
    for release in releases():
        result = validate(_payload_for(release, path), schema=release.schema_name, engine=engine)  # type: ignore[arg-type]
        assert ("S007", "error", "") in [(f.code, f.severity, f.path) for f in result.findings], release.name


@pytest.mark.parametrize("path", ENVELOPE_CUT, ids=lambda path: path.name)
def test_compat_accepts_a_page_without_first_or_schema_under_no_release(path: Path) -> None:
    """compat agrees with check: no release accepts the page, and S007 is the reason it gives."""
    report = Compat().check(path.read_bytes(), path.name)
    assert [r.name for v in report.verdicts if v.accepted for r in v.releases] == []
    assert {v.finding.code for v in report.verdicts if v.finding is not None} >= {"S007"}
