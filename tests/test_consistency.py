"""Consistency rules (C family): what they report, the quick check they run behind, and C009 in runs."""

from __future__ import annotations

import copy
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from glance_validate import Policy, Validator, validate
from glance_validate.checks.consistency.facts import facts_for
from glance_validate.checks.consistency.formats import hex_length, rfc3339_problem
from glance_validate.checks.consistency.image_rules import check_image
from glance_validate.checks.consistency.lists import (
    ListingIds,
    check_list,
    check_single_image,
    cross_page_duplicates,
    listing_key,
)
from glance_validate.core.exitcodes import ExitCode
from glance_validate.core.findings import PageIds
from glance_validate.runner.options import RunOptions
from glance_validate.runner.run import run
from glance_validate.text.kinds import classify

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
UUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
OTHER = "1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e"


def _image(uid: str = UUID, **overrides: Any) -> dict[str, Any]:
    image = {
        "id": uid,
        "name": "debian-12",
        "status": "active",
        "visibility": "private",
        "protected": False,
        "os_hidden": False,
        "container_format": "bare",
        "disk_format": "qcow2",
        "min_disk": 1,
        "min_ram": 256,
        "size": 1024,
        "virtual_size": 4096,
        "checksum": hashlib.md5(uid.encode()).hexdigest(),
        "os_hash_algo": "sha512",
        "os_hash_value": hashlib.sha512(uid.encode()).hexdigest(),
        "owner": "4c7e1a9b2d3f4e5a6b7c8d9e0f1a2b3c",
        "tags": ["a", "b"],
        "created_at": "2026-05-02T10:11:12Z",
        "updated_at": "2026-05-02T10:15:40Z",
        "self": f"/v2/images/{uid}",
        "file": f"/v2/images/{uid}/file",
        "schema": "/v2/schemas/image",
    }
    image.update(overrides)
    return image


def _page(*images: dict[str, Any], **envelope: Any) -> dict[str, Any]:
    page: dict[str, Any] = {
        "images": list(images),
        "first": "/v2/images?limit=25",
        "schema": "/v2/schemas/images",
    }
    page.update(envelope)
    return page


def _codes(payload: Any, schema: str = "glance", **policy: Any) -> list[tuple[str, str]]:
    return [(f.code, f.path) for f in validate(payload, schema=schema, policy=Policy(**policy)).findings]


# One broken value per rule; each must be found whatever the quick check says.
BROKEN: list[tuple[str, dict[str, Any], str, str]] = [
    ("C001", {"self": f"/v2/images/{OTHER}"}, "/images/0/self", "self"),
    ("C002", {"file": f"/v2/images/{UUID}"}, "/images/0/file", "file"),
    ("C003", {"schema": "/v2/schemas/images"}, "/images/0/schema", "schema"),
    ("C010", {"checksum": "D41D8CD98F00B204E9800998ECF8427E"}, "/images/0/checksum", "upper-case"),
    ("C010", {"checksum": "d41d8cd98f00b204e9800998ecf8427"}, "/images/0/checksum", "31 hex digits"),
    ("C011", {"os_hash_value": "ab" * 32}, "/images/0/os_hash_value", "sha512 hexdigest is 128"),
    ("C011", {"os_hash_algo": "sha256"}, "/images/0/os_hash_value", "sha256 hexdigest is 64"),
    ("C011", {"os_hash_algo": None}, "/images/0/os_hash_value", "os_hash_algo is not"),
    ("C011", {"os_hash_value": None}, "/images/0/os_hash_value", "both or neither"),
    ("C011", {"os_hash_algo": "md9"}, "/images/0/os_hash_algo", "not a hash algorithm"),
    ("C012", {"created_at": "2026-02-29T00:00:00Z"}, "/images/0/created_at", "day is out of range"),
    ("C012", {"created_at": "2026-05-02T25:00:00Z"}, "/images/0/created_at", "hour must be in 0..23"),
    ("C012", {"updated_at": "2026-05-02T10:15:40"}, "/images/0/updated_at", "no time zone"),
    ("C012", {"updated_at": "2026-05-02T10:15:40Z\n"}, "/images/0/updated_at", "not an RFC 3339"),
    ("C013", {"updated_at": "2026-05-02T10:11:11Z"}, "/images/0/updated_at", "earlier than created_at"),
    ("C013", {"updated_at": "2026-05-02T11:00:00+01:00"}, "/images/0/updated_at", "earlier than created_at"),
    ("C014", {"size": None}, "/images/0/size", "active image has no size"),
    (
        "C015",
        {"status": "queued", "size": None, "os_hash_algo": None, "os_hash_value": None},
        "/images/0/checksum",
        "queued image has checksum",
    ),
    ("C016", {"tags": ["a", "b", "a"]}, "/images/0/tags/2", "repeats tags/0"),
    (
        "C018",
        {"direct_url": "rbd://x/y", "locations": [{"url": "rbd://x/z", "metadata": {}}]},
        "/images/0/direct_url",
        "is not the url of any",
    ),
    ("X001", {"__os_bit": "128"}, "/images/0/__os_bit", 'one of "32", "64"'),
    ("X002", {"__image_size": "12 MB"}, "/images/0/__image_size", "decimal digits"),
    ("X002", {"__description": "x" * 1025}, "/images/0/__description", "1025 characters"),
    ("X002", {"__os_feature_list": "[1,"}, "/images/0/__os_feature_list", "not a JSON document"),
    ("X002", {"__os_feature_list": "[NaN]"}, "/images/0/__os_feature_list", "not a JSON document"),
    ("X002", {"__os_feature_list": "-Infinity"}, "/images/0/__os_feature_list", "not a JSON document"),
    (
        "X003",
        {"__support_xen": "true", "__support_xen_gpu_type": "M60_vGPU"},
        "/images/0/__support_xen_gpu_type",
        "",
    ),
]


@pytest.mark.parametrize(("code", "change", "where", "text"), BROKEN, ids=[f"{b[0]}-{b[3]}" for b in BROKEN])
def test_each_rule_reports_its_broken_value(code: str, change: dict[str, Any], where: str, text: str) -> None:
    """One broken value gives exactly its rule's finding, with a message that says what is wrong."""
    result = validate(_page(_image(**change)), schema="glance")
    mine = [f for f in result.findings if f.code == code]
    assert [(f.code, f.path) for f in mine] == [(code, where)], result.findings
    assert text in mine[0].message
    assert [f for f in result.findings if f.code[0] in "CX" and f.code != code] == []


@pytest.mark.parametrize(("code", "change", "where", "text"), BROKEN, ids=[f"{b[0]}-{b[3]}" for b in BROKEN])
def test_quick_check_never_hides_a_finding(code: str, change: dict[str, Any], where: str, text: str) -> None:
    """The quick check rejects every page a rule reports on, so it never hides a finding."""
    facts = facts_for(Validator("glance").dialect)
    page = _page(_image(OTHER), _image(**change))
    full, _ = check_list(page, facts, quick_clean=False)
    quick, _ = check_list(page, facts)
    assert full and sorted(quick, key=repr) == sorted(full, key=repr)


def test_quick_check_and_every_rule_agree_on_every_fixture() -> None:
    """On each fixture page and image, the quick path and running every rule give the same findings."""
    facts = facts_for(Validator("ims").dialect)
    checked = images = 0
    for path in sorted(FIXTURES.rglob("*.json")):
        try:
            value = json.loads(path.read_bytes())
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(value, dict) and isinstance(value.get("images"), list):
            full, _ = check_list(value, facts, quick_clean=False)
            quick, _ = check_list(value, facts)
            assert sorted(quick, key=repr) == sorted(full, key=repr), path
            checked += 1
        elif isinstance(value, dict) and classify(value, facts.base_properties) == "image":
            full_image = check_single_image(value, facts, quick_clean=False)
            assert sorted(check_single_image(value, facts), key=repr) == sorted(full_image, key=repr), path
            images += 1
    assert checked >= 40 and images >= 3


def test_fast_and_reference_engine_agree_when_the_combined_check_is_used() -> None:
    """The fast engine's one-pass check (schema and quick check together) changes no finding."""
    images = [_image(), _image(checksum="X" * 32), _image(checksum="X" * 32, visibility="everyone")]
    pages = [*map(_page, images), *images]
    for page in pages:
        assert Validator("glance").validate(page) == Validator("glance", engine="reference").validate(page)


def test_a_clean_current_page_has_no_consistency_findings() -> None:
    """A page exactly as Glance writes it (links, marker, hashes, timestamps) is clean."""
    page = _page(_image(), _image(OTHER), next=f"/v2/images?limit=25&marker={OTHER}")
    assert _codes(page) == []


def test_next_keeps_the_query_in_another_order() -> None:
    """IMS writes the marker in the middle of next's query: the same parameters in another order pass."""
    page = _page(
        _image(),
        first="/v2/images?__isregistered=true&__imagetype=gold&limit=1",
        next=f"/v2/images?__isregistered=true&marker={UUID}&__imagetype=gold&limit=1",
    )
    assert _codes(page) == []


@pytest.mark.parametrize(
    ("envelope", "text"),
    [
        ({"next": f"/v2/images?limit=25&marker={OTHER}"}, f'has marker "{OTHER}"'),
        ({"next": "/v2/images?limit=25"}, "has no marker"),
        ({"next": f"/v2/images?limit=25&marker={UUID}&marker={UUID}"}, "has 2 markers"),
        ({"next": f"/v2/images?limit=5&marker={UUID}"}, "drops limit=25; adds limit=5"),
        ({"next": f"/v1/images?limit=25&marker={UUID}"}, 'path "/v1/images"'),
        ({"first": "/v2/images?limit=25&marker=x"}, "carries a marker"),
        ({"first": "https://glance.example.test/v2/images"}, "is not a /v2/images link"),
    ],
)
def test_envelope_links(envelope: dict[str, Any], text: str) -> None:
    """first and next are read as Glance builds them; the message says what differs."""
    result = validate(_page(_image(), **envelope), schema="glance")
    assert any(text in f.message for f in result.findings), result.findings


def test_next_on_a_page_without_images() -> None:
    """A next link on an empty page has no last image to carry as its marker."""
    found = validate(_page(next="/v2/images?limit=25&marker=x"), schema="glance").findings
    assert [(f.code, "without images" in f.message) for f in found] == [("C005", True)]


def test_links_are_not_judged_against_an_id_with_white_space() -> None:
    """An id with a trailing newline is the id pattern's finding; self and file are not compared to it."""
    assert _codes(_page(_image(id=UUID + "\n"))) == [("K003", "/images/0/id")]


def test_single_image_payloads_are_checked_too() -> None:
    """GET /v2/images/{id} bodies get the same image rules, at pointers from the image."""
    assert _codes(_image(checksum="abc")) == [("C010", "/checksum")]
    assert _codes(_image()) == []


def test_duplicate_ids_on_one_page() -> None:
    """An id that appears again on the page is reported at the repeat, naming the first."""
    result = validate(_page(_image(), _image(OTHER), _image()), schema="glance")
    assert [(f.code, f.path) for f in result.findings] == [("C008", "/images/2/id")]
    assert "first at /images/0" in result.findings[0].message


def test_timestamps_compare_as_instants_across_offsets() -> None:
    """updated_at >= created_at is judged on the instants, not the text."""
    later = _image(created_at="2026-03-14T10:00:00+02:00", updated_at="2026-03-14T09:30:00Z")
    earlier = _image(created_at="2026-03-14T10:00:00-02:00", updated_at="2026-03-14T11:30:00Z")
    assert _codes(_page(later)) == []
    assert _codes(_page(earlier)) == [("C013", "/images/0/updated_at")]


def test_rfc3339_parsing() -> None:
    """Fractions of any length and lower-case t/z parse; a date alone does not."""
    assert not isinstance(rfc3339_problem("2026-03-14t08:21:05.123456789z"), str)
    assert rfc3339_problem("2026-03-14") == "has no time"
    assert "day is out of range" in str(rfc3339_problem("2023-02-29T00:00:00Z"))


def test_timestamps_are_written_in_ascii_digits() -> None:
    """Digits of other scripts are not RFC 3339 digits: the message says so, not a parser's words."""
    assert rfc3339_problem("\u0662\u0660\u0662\u0666-03-14T08:21:05Z") == "is not an RFC 3339 date-time"
    assert rfc3339_problem("2026-03-14T08:21:05.\u0661Z") == "is not an RFC 3339 date-time"
    assert rfc3339_problem("\u0662\u0660\u0662\u0666-03-14") == "is not an RFC 3339 date-time"


def test_hash_lengths_follow_hashlib() -> None:
    """The expected hexdigest length comes from the algorithm, as Glance's hashlib.new(algo) does."""
    assert (hex_length("sha512"), hex_length("sha256"), hex_length("md5")) == (128, 64, 32)
    assert hex_length("no-such-hash") is None


def test_a_variable_length_hash_is_not_a_glance_algorithm() -> None:
    """shake_128 has no fixed digest length (Glance's hexdigest() cannot use it): the algo is named."""
    assert hex_length("shake_128") is None
    page = _page(_image(os_hash_algo="shake_128", os_hash_value="ABC"))
    result = validate(page, schema="glance")
    mine = [f for f in result.findings if f.code == "C011"]
    assert [f.path for f in mine] == ["/images/0/os_hash_algo"]
    assert "fixed-length digest" in mine[0].message and "0 lower-case" not in mine[0].message
    assert _codes(_page(_image(os_hash_algo="sha384", os_hash_value="0" * 96))) == []


def test_custom_types_follow_what_the_schema_lets_through() -> None:
    """A non-string custom value the schema rejects is its keyword error; one it accepts is C017."""
    assert _codes(_page(_image(os_distro=7))) == [("K001", "/images/0/os_distro")]
    assert _codes(_page(_image(kernel_id=None))) == []  # null is allowed for kernel_id since Liberty
    permissive = {"properties": {"images": {"items": {"properties": {"id": {}}}}}}
    found = validate(_page(_image(os_distro=7, protected=False)), schema=permissive).findings
    assert {(f.code, f.path) for f in found} >= {
        ("C017", "/images/0/os_distro"),
        ("C017", "/images/0/protected"),
    }


def _ims_image(uid: str = UUID, **overrides: Any) -> dict[str, Any]:
    """An image as IMS sends it under its Juno schema: no os_hidden, no multihash."""
    image = _image(uid, **{"__os_bit": "64", "__platform": "Debian", "__imagetype": "private", **overrides})
    for key in ("os_hidden", "os_hash_algo", "os_hash_value"):
        image.pop(key)
    return image


def test_extension_values_are_checked_only_as_strings() -> None:
    """A boolean __* value is a deviation, not an X finding; a wrong string is an X finding."""
    assert _codes(_page(_ims_image()), schema="ims") == []
    assert _codes(_page(_ims_image(__support_kvm=True)), schema="ims") == [
        ("D005", "/images/0/__support_kvm")
    ]
    assert _codes(_page(_ims_image(__support_kvm="yes")), schema="ims") == [
        ("X001", "/images/0/__support_kvm")
    ]


def test_selection_turns_rules_off() -> None:
    """Ignoring the C and X families skips them; selecting one code keeps only it."""
    broken = _page(_ims_image(checksum="abc", __os_bit="x"), _ims_image(OTHER, checksum="abc"))
    assert len(_codes(broken, schema="ims")) == 3
    assert _codes(broken, schema="ims", ignore=["C", "X"]) == []
    assert _codes(broken, schema="ims", select=["X001"]) == [("X001", "/images/0/__os_bit")]


def test_check_image_runs_every_rule() -> None:
    """check_image, the full path, reports every rule's finding on one image."""
    facts = facts_for(Validator("glance").dialect)
    image = _image(checksum="abc", tags=["x", "x"], self="/v2/images/x")
    assert sorted(f.code for f in check_image(image, "", facts)) == ["C001", "C010", "C016"]


# Across the pages of a run --------------------------------------------------------------------------


def _ids(listing: str | None, *ids: str | None, has_next: bool = True) -> PageIds:
    return PageIds(listing=listing, ids=tuple(ids), has_next=has_next)


def test_listing_key_ignores_parameter_order() -> None:
    """Two first links with the same parameters in another order name the same listing."""
    assert listing_key("/v2/images?a=1&b=2") == listing_key("/v2/images?b=2&a=1")


def test_cross_page_duplicates_by_listing() -> None:
    """Only pages of the same listing are compared; the finding names the earlier page."""
    found = cross_page_duplicates(
        [
            ("p1", _ids("L", "a", "b")),
            ("other", _ids("M", "b")),
            ("p2", _ids("L", "c", "b", None)),
        ]
    )
    assert list(found) == [2]
    assert [(f.code, f.path) for f in found[2]] == [("C009", "/images/1/id")]
    assert "(p1 at /images/1)" in found[2][0].message


def _first_places(pages: list[tuple[str, PageIds]]) -> list[list[tuple[str, str]]]:
    """C009 as (path, message tail) per page, computed the plain way: a dict of every id's first
    place per chain, filled after each page (the model the recording is held to)."""
    chains: dict[str | None, tuple[bool, set[str], dict[str, tuple[str, int]]]] = {}
    out = []
    for source, page in pages:
        start = next((i for i in page.ids if i is not None), None)
        chain = chains.get(page.listing)
        if start is None or (chain is not None and chain[0] and start in chain[1]):
            out.append([])
            continue
        if chain is None or not chain[0]:
            chain = (False, set(), {})
        chains[page.listing] = chain = (page.has_next, chain[1] | {start}, chain[2])
        seen = chain[2]
        found = [
            (f"/images/{n}/id", f"({seen[i][0]} at /images/{seen[i][1]})")
            for n, i in enumerate(page.ids)
            if i is not None and i in seen
        ]
        for n, i in enumerate(page.ids):
            if i is not None and i not in seen:
                seen[i] = (source, n)
        out.append(found)
    return out


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["L", "M"]),
            st.lists(st.one_of(st.none(), st.sampled_from("abcdefg")), max_size=6),
            st.booleans(),
        ),
        max_size=8,
    )
)
def test_cross_page_recording_matches_the_plain_model(
    pages: list[tuple[str, list[str | None], bool]],
) -> None:
    """Ids repeated on a page, across chains, after re-captures: C009 names each id's first place."""
    given_pages = [
        (f"p{n}", PageIds(listing=listing, ids=tuple(ids), has_next=more))
        for n, (listing, ids, more) in enumerate(pages)
    ]
    listings = ListingIds()
    found = [
        [(f.path, f.message[f.message.index("(") :]) for f in listings.add(source, page)]
        for source, page in given_pages
    ]
    assert found == _first_places(given_pages)


def test_an_id_twice_on_a_page_is_named_at_its_first_place() -> None:
    """C009 on a later page names where the id first was, not its repeat on the same page."""
    listings = ListingIds()
    assert listings.add("p0", _ids("L", "a", "b", "a")) == []
    found = listings.add("p1", _ids("L", "c", "a"))
    assert [(f.path, f.message[f.message.index("(") :]) for f in found] == [
        ("/images/1/id", "(p0 at /images/0)")
    ]


def test_a_page_captured_twice_is_not_a_duplicate() -> None:
    """A page that starts with the same image as an earlier one is a re-capture, not the next page."""
    listings = ListingIds()
    assert listings.add("first capture", _ids("L", "a", "b")) == []
    assert listings.add("second capture", _ids("L", "a", "b")) == []
    assert [f.path for f in listings.add("page 2", _ids("L", "c", "a"))] == ["/images/1/id"]


def test_a_page_without_next_ends_its_listing() -> None:
    """A page after the last page of a listing (no next link) starts another listing: no C009."""
    listings = ListingIds()
    assert listings.add("before 1", _ids("L", "a", "b")) == []
    assert listings.add("before 2", _ids("L", "c", has_next=False)) == []
    assert listings.add("after 1", _ids("L", "d", "a")) == []


def test_a_listing_taken_again_is_checked_on_its_own() -> None:
    """Ids repeated within the second listing are still C009, named against its own pages only."""
    listings = ListingIds()
    listings.add("before", _ids("L", "a", has_next=False))
    listings.add("after 1", _ids("L", "b", "c"))
    found = listings.add("after 2", _ids("L", "d", "c", "a"))
    assert [(f.path, "(after 1 at /images/1)" in f.message) for f in found] == [("/images/1/id", True)]


def _next(marker: str) -> str:
    return f"/v2/images?limit=25&marker={marker}"


def _run(paths: list[str], **options: Any) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(RunOptions(paths=paths, schema="glance", **options), out, err)
    assert not err.getvalue(), err.getvalue()
    return code, out.getvalue()


@pytest.mark.parametrize("jobs", [1, 2])
def test_runner_reports_duplicates_across_pages_with_positions(tmp_path: Path, jobs: int) -> None:
    """A run over two pages reports C009 on the later page with its line, with one or two processes."""
    first = tmp_path / "page-1.json"
    second = tmp_path / "page-2.json"
    first.write_text(json.dumps(_page(_image(), _image(OTHER), next=_next(OTHER)), indent=2))
    again = copy.deepcopy(_image())
    second.write_text(json.dumps(_page(_image("2c3d4e5f-6a7b-4c8d-8e9f-1a2b3c4d5e6f"), again), indent=2))
    code, out = _run([str(first), str(second)], jobs=jobs)
    assert code == ExitCode.OK  # a warning does not fail the run at --fail-on error
    lines = [line for line in out.splitlines() if "C009" in line]
    assert len(lines) == 1
    assert lines[0].startswith(f"{second}:") and lines[0].endswith("(at /images/1/id)")
    assert f"({first} at /images/0)" in lines[0]


def test_runner_can_ignore_duplicates_across_pages(tmp_path: Path) -> None:
    """--ignore C009 turns the run-level check off."""
    from glance_validate.checks.config import Settings

    page = tmp_path / "p.json"
    page.write_text(json.dumps(_page(_image(), _image(OTHER), next=_next(OTHER))))
    later = tmp_path / "q.json"
    later.write_text(json.dumps(_page(_image("2c3d4e5f-6a7b-4c8d-8e9f-1a2b3c4d5e6f"), _image())))
    _, out = _run([str(page), str(later)], rules=Settings(ignore=("C009",), origin="test"))
    assert "C009" not in out
