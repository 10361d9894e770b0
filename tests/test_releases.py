"""Glance release schemas: built from the recorded facts, selectable by name and version."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sample_payloads import sample_page

from glance_validate import SchemaUnavailable, Validator, validate
from glance_validate.checks.validation import check_schema_document
from glance_validate.core.data import data_text
from glance_validate.schema.releases import (
    find,
    group_label,
    groups,
    image_schema,
    release_document,
    releases,
    resolve,
)
from glance_validate.schema.sources import is_builtin, load_schema

ROOT = Path(__file__).resolve().parent.parent
GLANCE_FIXTURES = sorted(
    p for p in (ROOT / "fixtures" / "glance").glob("*.json") if not p.name.endswith(".expected.json")
)


def _properties(spec: str) -> dict[str, Any]:
    properties: dict[str, Any] = image_schema(resolve(spec))["properties"]
    return properties


def test_every_release_of_the_facts_is_named() -> None:
    """Each release recorded in the facts file is a release here, and nothing else is."""
    facts = json.loads(data_text("glance-base-properties-by-release.json"))
    assert {r.key for r in releases()} == set(facts)


def test_releases_whose_schemas_are_equal_form_groups() -> None:
    """The groups are the releases whose images schema differs, oldest first."""
    assert [group_label(g) for g in groups()] == [
        "Havana 2013.2",
        "Icehouse 2014.1",
        "Juno 2014.2",
        "Kilo 2015.1.0",
        "Liberty 11.0.0",
        "Mitaka 12.0.0",
        "Newton 13.0.0",
        "Ocata 14.0.0 .. Queens 16.0.0",
        "Rocky 17.0.0",
        "Stein 18.0.0",
        "Train 19.0.0 .. current (master)",
    ]


@pytest.mark.parametrize(
    ("spec", "name"),
    [
        ("glance-juno", "Juno"),
        ("glance-JUNO", "Juno"),
        ("glance-2014.2", "Juno"),
        ("glance-2015.1", "Kilo"),
        ("glance-17", "Rocky"),
        ("glance-17.0.0", "Rocky"),
        ("glance-17.0", "Rocky"),
        ("glance-2024.1", "Caracal"),
        ("glance-29", "Dalmatian"),
        ("glance-current", "current"),
        ("glance-master", "current"),
    ],
)
def test_names_and_versions_select_a_release(spec: str, name: str) -> None:
    """Release names and version numbers (full, short, or the series) are both accepted."""
    assert resolve(spec).name == name
    assert is_builtin(spec)
    assert load_schema(spec).name == f"glance-{name.lower()}"


def test_ambiguous_and_unknown_releases_are_errors_that_list_the_choices() -> None:
    """A version naming two releases, or none, is SchemaUnavailable with the choices."""
    assert [r.name for r in find("glance-2014")] == ["Icehouse", "Juno"]
    with pytest.raises(SchemaUnavailable, match=r"Icehouse 2014\.1, Juno 2014\.2"):
        resolve("glance-2014")
    with pytest.raises(SchemaUnavailable, match="glance-havana, glance-icehouse"):
        load_schema("glance-folsom")


@pytest.mark.parametrize("release", releases(), ids=lambda r: r.schema_name)
def test_each_release_schema_is_a_valid_draft_4_images_schema(release: Any) -> None:
    """Every built schema passes the Draft 4 metaschema and compiles in both engines."""
    document = release_document(release).document
    assert check_schema_document(document) == []
    for engine in ("fast", "reference"):
        Validator(document, engine=engine)  # type: ignore[arg-type]


def test_the_release_history_is_in_the_schemas() -> None:
    """The changes the release table records show in the built schemas."""
    assert "owner" not in _properties("glance-havana") and "virtual_size" in _properties("glance-icehouse")
    assert "is_base" not in _properties("glance-icehouse")["os_distro"]
    assert _properties("glance-juno")["os_distro"]["is_base"] is False
    assert _properties("glance-juno")["name"]["type"] == "string"
    assert _properties("glance-kilo")["name"]["type"] == ["null", "string"]
    assert _properties("glance-kilo")["kernel_id"]["type"] == "string"
    assert _properties("glance-liberty")["kernel_id"]["type"] == ["null", "string"]
    assert "deactivated" in _properties("glance-liberty")["status"]["enum"]
    assert _properties("glance-mitaka")["status"].get("readOnly") is True
    assert "vhdx" in _properties("glance-newton")["disk_format"]["enum"]
    assert "community" in _properties("glance-ocata")["visibility"]["enum"]
    assert "os_hidden" not in _properties("glance-queens") and "os_hidden" in _properties("glance-rocky")
    assert "description" in _properties("glance-stein") and "description" not in _properties("glance-rocky")
    assert "stores" in _properties("glance-train") and "backend" not in _properties("glance-train")
    assert "cinder_encryption_key_id" in _properties("glance-train")


def test_havana_format_lists_are_left_unconstrained() -> None:
    """Havana read its format lists from configuration the facts did not record: no empty enum."""
    assert "enum" not in _properties("glance-havana")["disk_format"]
    assert (
        validate(
            sample_page({"id": "6a1f0c2e-93d4-4b7e-8f21-0c5d7e9a3b14", "disk_format": "qcow2"}),
            schema="glance-havana",
        ).findings
        == ()
    )


def test_current_equals_the_schema_glance_serves() -> None:
    """glance-current validates like the builtin schema of Glance 33.0.0 (descriptions aside)."""

    def shape(document: dict[str, Any]) -> dict[str, Any]:
        items = document["properties"]["images"]["items"]
        props = {
            k: {kk: vv for kk, vv in v.items() if kk != "description"} for k, v in items["properties"].items()
        }
        return {"properties": props, "additionalProperties": items["additionalProperties"]}

    assert shape(load_schema("glance-current").document) == shape(load_schema("glance").document)


@pytest.mark.parametrize("payload", GLANCE_FIXTURES, ids=lambda p: p.name)
@pytest.mark.parametrize("schema", ["glance", "glance-current", "glance-train"])
def test_current_glance_responses_have_no_error(payload: Path, schema: str) -> None:
    """Responses of a current Glance give no error finding under the current schemas."""
    result = validate(payload, schema=schema)
    assert not [f for f in result.findings if f.severity == "error"], result.findings


def test_a_juno_payload_against_its_release_and_a_later_one() -> None:
    """The Juno-era fixture is clean for Juno; pre-Kilo schemas reject the nulls Kilo started sending."""
    juno = ROOT / "fixtures" / "compat" / "juno-era-list.json"
    assert validate(juno, schema="glance-juno").findings == ()
    queued_null = sample_page(
        {"id": "6a1f0c2e-93d4-4b7e-8f21-0c5d7e9a3b14", "status": "queued", "size": None}
    )
    assert [f.code for f in validate(queued_null, schema="glance-juno").findings] == ["K001"]
    assert validate(queued_null, schema="glance-kilo").findings == ()


def test_the_command_line_takes_release_schemas() -> None:
    """--schema glance-<release> works on the command line; an unknown release exits 3."""

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "glance_validate", *args],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )

    ok = cli("--schema", "glance-17", "fixtures/compat/rocky-era-list.json")
    assert ok.returncode == 0 and "against glance-rocky" in ok.stdout
    old = cli("--schema", "glance-newton", "fixtures/compat/rocky-era-list.json")
    assert old.returncode == 1 and "K001" in old.stdout
    unknown = cli("--schema", "glance-folsom", "fixtures/compat/rocky-era-list.json")
    assert unknown.returncode == 3 and "glance-folsom" in unknown.stderr and "Traceback" not in unknown.stderr
