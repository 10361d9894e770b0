"""Known vendor deviations (D family): the data file, matching, profiles and --strict."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sample_payloads import sample_page

from glance_validate import Policy, validate
from glance_validate.checks.deviations import Deviation, apply, by_code, deviations
from glance_validate.core.catalog import catalog
from glance_validate.core.data import data_bytes, data_text
from glance_validate.core.findings import Finding
from glance_validate.core.jsontypes import json_type, same_json

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "fixtures" / "ims" / "documented-example-shape.json"
UUID = "6a1f0c2e-93d4-4b7e-8f21-0c5d7e9a3b14"


def _image(**overrides: Any) -> dict[str, Any]:
    image: dict[str, Any] = {
        "schema": "/v2/schemas/image",
        "id": UUID,
        "name": "x",
        "status": "active",
        "visibility": "private",
        "protected": False,
        "container_format": "bare",
        "disk_format": "vhd",
        "min_disk": 40,
        "min_ram": 1024,
        "size": 2,
        "virtual_size": 40,
        "checksum": "d41d8cd98f00b204e9800998ecf8427e",
        "tags": [],
        "created_at": "2026-03-14T08:21:05Z",
        "updated_at": "2026-03-14T08:35:47Z",
        "self": f"/v2/images/{UUID}",
        "file": f"/v2/images/{UUID}/file",
    }
    image.update(overrides)
    return image


def _found(payload: Any, **policy: Any) -> list[tuple[str, str, str]]:
    return [(f.code, f.severity, f.path) for f in validate(payload, policy=Policy(**policy)).findings]


# The data file -------------------------------------------------------------------------------------


def test_every_deviation_is_a_catalogued_d_rule_and_back() -> None:
    """deviations.json and the D family of the catalogue name the same codes."""
    rules = {r.code: r for r in catalog().rules if r.code.startswith("D")}
    assert set(rules) == set(by_code())
    assert all(r.severity == "warning" for r in rules.values())


@pytest.mark.parametrize("deviation", deviations(), ids=lambda d: d.code)
def test_each_deviation_entry_is_complete(deviation: Deviation) -> None:
    """Each entry has a vendor, a source, a pointer pattern, what is seen, and codes that exist."""
    known = {r.code for r in catalog().rules}
    assert deviation.vendor and deviation.source and deviation.summary
    assert deviation.where.startswith("/")
    assert len(deviation.seen) == 1 and set(deviation.seen) <= {"values", "type"}
    assert deviation.replaces and set(deviation.replaces) <= known


def test_the_issue_list_of_ims_deviations_is_covered() -> None:
    """zvhd/zvhd2, null virtual_size, shared visibility, null and boolean __* values are catalogued."""
    seen = {(d.where, json.dumps(d.seen, sort_keys=True)) for d in deviations()}
    assert ("/disk_format", json.dumps({"values": ["zvhd", "zvhd2"]})) in seen
    assert ("/virtual_size", json.dumps({"type": "null"})) in seen
    assert ("/visibility", json.dumps({"values": ["shared"]})) in seen
    assert ("/__*", json.dumps({"type": "null"})) in seen
    assert ("/__*", json.dumps({"type": "boolean"})) in seen


def test_data_file_is_package_data() -> None:
    """The deviations are read from package data, not from code."""
    text = data_text("deviations.json")
    assert len(json.loads(text)["deviations"]) == len(deviations())


# Matching ------------------------------------------------------------------------------------------


def test_the_documented_example_gives_deviation_warnings_not_generic_errors() -> None:
    """The IMS list example: D001 for zvhd2 and D002 for null virtual_size, warnings, nothing else."""
    found = _found(EXAMPLE)
    assert found == [
        ("D001", "warning", "/images/0/disk_format"),
        ("D002", "warning", "/images/0/virtual_size"),
        ("D001", "warning", "/images/1/disk_format"),
        ("D002", "warning", "/images/1/virtual_size"),
    ]
    message = validate(EXAMPLE).findings[0].message
    assert (
        message.startswith("known IMS deviation: ") and '"zvhd2" is not one of the allowed values' in message
    )


def test_ims_observed_accepts_and_keeps_them_as_info() -> None:
    """--profile ims-observed: the same findings as info, so no severity floor fails on them."""
    found = _found(EXAMPLE, profile="ims-observed")
    assert [s for _, s, _ in found] == ["info"] * 4
    assert validate(EXAMPLE, policy=Policy(profile="ims-observed")).ok


def test_strict_restores_the_schema_errors() -> None:
    """--strict: the enum and type errors of the schema, as errors."""
    assert _found(EXAMPLE, strict=True) == [
        ("K002", "error", "/images/0/disk_format"),
        ("K001", "error", "/images/0/virtual_size"),
        ("K002", "error", "/images/1/disk_format"),
        ("K001", "error", "/images/1/virtual_size"),
    ]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"disk_format": "zvhd"}, "D001"),
        ({"virtual_size": None}, "D002"),
        ({"visibility": "shared"}, "D003"),
        ({"__data_origin": None}, "D004"),
        ({"__whole_image": True}, "D005"),
        ({"max_ram": 65536}, "D006"),
    ],
)
def test_each_deviation_matches_its_value(change: dict[str, Any], code: str) -> None:
    """Each catalogued value is rewritten under its code, in a list and in a single image."""
    assert _found(sample_page(_image(**change))) == [(code, "warning", f"/images/0/{next(iter(change))}")]
    assert _found(_image(**change)) == [(code, "warning", f"/{next(iter(change))}")]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"disk_format": "zvhd3"}, "K002"),  # not a catalogued value
        ({"visibility": "everyone"}, "K002"),
        ({"__os_bit": 64}, "K001"),  # an integer in a __* property is not a catalogued deviation
        ({"data__origin": None}, "K001"),  # the __ prefix is matched at the start of the name only
        ({"virtual_size": "None"}, "K001"),  # the api-site doc bug: a string, not null
    ],
)
def test_values_no_deviation_covers_stay_errors(change: dict[str, Any], code: str) -> None:
    """Anything the catalogue does not name keeps its generic error in every profile."""
    where = f"/images/0/{next(iter(change))}"
    for policy in ({}, {"profile": "ims-observed"}):
        assert _found(sample_page(_image(**change)), **policy) == [(code, "error", where)]


def test_a_finding_under_an_images_object_with_a_digit_like_key_is_kept() -> None:
    """A replaceable finding inside an "images" object (a custom schema) is kept, not a crash."""
    code = sorted({c for d in deviations() for c in d.replaces})[0]
    finding = Finding(code, "error", "/images/\u00b9/disk_format", "message")
    payload = {"images": {"\u00b9": _image(disk_format="zvhd")}}
    assert apply([finding], payload, "image-list", "warning", frozenset({"IMS"})) == [finding]


def test_a_finding_of_another_code_at_the_same_place_is_not_rewritten() -> None:
    """A deviation replaces only the codes it names: a pattern error on disk_format stays."""
    finding = Finding("K003", "error", "/images/0/disk_format", "pattern")
    assert apply(
        [finding], sample_page(_image(disk_format="zvhd")), "image-list", "warning", frozenset({"IMS"})
    ) == [finding]


def test_boolean_values_are_not_integers() -> None:
    """JSON types are told apart as JSON does: true is a boolean, 1 an integer, 1.0 a number."""
    assert [json_type(v) for v in (True, 1, 1.0, None, "x", [], {})] == [
        "boolean",
        "integer",
        "number",
        "null",
        "string",
        "array",
        "object",
    ]


def test_same_json_tells_types_apart() -> None:
    """Deviation values and enum members match only a value of the same JSON type."""
    assert same_json("zvhd", "zvhd") and same_json(1, 1) and same_json(None, None)
    assert not same_json(True, 1) and not same_json(1, 1.0) and not same_json(0, False)


def test_ignoring_the_family_drops_them() -> None:
    """--ignore D (or deviation) removes the deviation findings; the rest stays."""
    assert _found(EXAMPLE, ignore=["deviation"]) == []
    assert _found(sample_page(_image(disk_format="zvhd", name=7)), ignore=["D"]) == [
        ("K001", "error", "/images/0/name")
    ]


def test_command_line_profiles_and_exit_codes() -> None:
    """Default exits 0 (warnings), --fail-on warning 1, ims-observed 0 even then, --strict 1."""

    def code(*args: str) -> int:
        result = subprocess.run(
            [sys.executable, "-m", "glance_validate", "-q", *args, str(EXAMPLE)],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        assert "Traceback" not in result.stderr
        return result.returncode

    assert code() == 0
    assert code("--fail-on", "warning", "--ignore", "L001") == 1
    assert code("--profile", "ims-observed", "--fail-on", "warning", "--ignore", "L001") == 0
    assert code("--strict") == 1


UPSTREAM_DEVIATIONS = [
    ("disk_format", "zvhd2", "D001", "K002"),
    ("visibility", "shared", "D003", "K002"),
    ("max_ram", 2048, "D006", "K001"),
    ("__data_origin", None, "D004", "K001"),
]


@pytest.mark.parametrize(("name", "value", "deviation", "schema_code"), UPSTREAM_DEVIATIONS)
def test_an_ims_deviation_is_the_upstream_schemas_error(
    name: str, value: object, deviation: str, schema_code: str
) -> None:
    """Under glance-newton an IMS deviation is the schema's error, under ims its D warning."""
    page = sample_page(_image(**{name: value}))
    assert [(f.code, f.severity) for f in validate(page, schema="glance-newton").findings] == [
        (schema_code, "error")
    ]
    assert (deviation, "warning") in [(f.code, f.severity) for f in validate(page, schema="ims").findings]


def test_a_profile_naming_ims_matches_its_deviations_under_any_schema() -> None:
    """--profile ims-observed turns zvhd2 under the glance schema into a D001 info finding."""
    page = sample_page(_image(disk_format="zvhd2"))
    found = validate(page, schema="glance", policy=Policy(profile="ims-observed")).findings
    assert [(f.code, f.severity) for f in found] == [("D001", "info")]


def test_a_file_holding_the_ims_schema_is_the_ims_schema(tmp_path: Path) -> None:
    """A copy of the IMS schema given as a file keeps IMS's deviations; another file does not."""
    ims = data_bytes("schemas/ims.json")
    glance = data_bytes("schemas/glance.json")
    (tmp_path / "ims.json").write_bytes(ims)
    (tmp_path / "glance.json").write_bytes(glance)
    image = _image(disk_format="zvhd")
    assert validate(image, schema=str(tmp_path / "ims.json")).codes() == ["D001"]
    assert validate(image, schema=str(tmp_path / "glance.json")).codes() == ["K002"]


@pytest.mark.parametrize(("name", "value", "deviation", "schema_code"), UPSTREAM_DEVIATIONS)
def test_check_and_compat_agree_on_every_release(
    name: str, value: object, deviation: str, schema_code: str
) -> None:
    """For each release, check under glance-<release> fails exactly when compat rules it out."""
    from glance_validate.analysis.compat import Compat
    from glance_validate.schema.releases import releases

    page = sample_page(_image(**{name: value}))
    report = Compat().check(json.dumps(page).encode(), "page")
    accepted = {r.name: v.accepted for v in report.verdicts for r in v.releases}
    for release in releases():
        errors = [
            f for f in validate(page, schema=f"glance-{release.name}").findings if f.severity == "error"
        ]
        assert not [f for f in errors if f.code.startswith("D")]
        assert (not errors) == accepted[release.name], release.name
