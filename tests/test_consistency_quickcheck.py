"""The quick check and the page tests agree with the rules they stand for, on drawn records.

Each image rule's Draft 4 fragment holds only on records its generator finds nothing in (and, for
an exact fragment, on all of them); each page test holds only on pages whose records its generator
finds nothing in; so the quick path and running every rule report the same findings.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glance_validate import Validator
from glance_validate.checks.consistency.facts import Facts, facts_for
from glance_validate.checks.consistency.formats import hex_length
from glance_validate.checks.consistency.image_rules import IMAGE_RULES, USUAL_HASHES, page_rules
from glance_validate.checks.consistency.lists import check_list
from glance_validate.checks.consistency.quickcheck import assemble, list_quick_check, quick_image_schema
from glance_validate.checks.consistency.rule import ImageRule
from glance_validate.checks.extensions import ims_profile
from glance_validate.strategies import image_lists, invalid_image_lists

UUIDS = ("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e")
MD5 = hashlib.md5(b"x").hexdigest()
SHA512 = hashlib.sha512(b"x").hexdigest()
TIMES = (
    "2026-05-02T10:11:12Z",
    "2026-05-02T10:15:40Z",
    "2026-05-02t10:11:12z",
    "2026-05-02T10:11:12.5Z",
    "2026-05-02T11:11:12+01:00",
    "2026-05-02T09:00:00-23:59",
    "2024-02-29T00:00:00Z",
    "2026-02-29T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "0001-01-01T00:00:00Z",
    "2026-05-02T24:00:00Z",
    "2026-05-02T10:11:60Z",
    "2026-05-02T10:11:12+24:00",
    "2026-05-02T10:11:12",
    "2026-05-02",
    "2026-05-02 10:11:12Z",
    "2026-05-02T10:11:12Z\n",
    "\u0662\u0660\u0662\u0666-05-02T10:11:12Z",
    "",
)
ANY_OTHER = st.sampled_from([None, 5, 1.5, True, [], {}])


def _maybe(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A key's value: one of ``values``, or a value of another type."""
    return st.one_of(values, ANY_OTHER)


def _hex(lengths: tuple[int, ...]) -> st.SearchStrategy[str]:
    digits = st.sampled_from("0123456789abcdefABCDEFg")
    return st.sampled_from(lengths).flatmap(lambda n: st.text(digits, min_size=n, max_size=n))


def _link(image_id: Any, suffix: str) -> st.SearchStrategy[Any]:
    own = f"/v2/images/{image_id}{suffix}"
    return _maybe(st.sampled_from([own, own + "/", f"/v2/images/{UUIDS[1]}{suffix}", ""]))


def _extension_properties() -> st.SearchStrategy[dict[str, Any]]:
    profile = ims_profile()
    documented = [v for spec in profile.properties.values() for v in spec.enum]
    formats = ["", "12", "12 MB", "x" * 1025, "a\nb", "<b>", "[1]", "[1,", "[NaN]", "0", UUIDS[0]]
    values = _maybe(st.sampled_from(documented + formats))
    return st.dictionaries(st.sampled_from(sorted(profile.names)), values, max_size=3)


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """Image records near the values the rules read: as Glance writes them, or broken a little."""
    image_id = draw(_maybe(st.sampled_from([*UUIDS, UUIDS[0] + "\n", ""])))
    direct = draw(_maybe(st.sampled_from(["rbd://a/b", "rbd://a/c"])))
    fields: dict[str, st.SearchStrategy[Any]] = {
        "id": st.just(image_id),
        "self": _link(image_id, ""),
        "file": _link(image_id, "/file"),
        "schema": _maybe(st.sampled_from(["/v2/schemas/image", "/v2/schemas/images", "/v2/schemas/image\n"])),
        "checksum": _maybe(st.one_of(st.just(MD5), st.just(MD5.upper()), _hex((31, 32, 33)))),
        "os_hash_algo": _maybe(st.sampled_from(["sha512", "sha256", "md5", "SHA512", "shake_128", "nope"])),
        "os_hash_value": _maybe(st.one_of(st.just(SHA512), _hex((0, 32, 64, 127, 128)))),
        "created_at": _maybe(st.sampled_from(TIMES)),
        "updated_at": _maybe(st.sampled_from(TIMES)),
        "status": _maybe(st.sampled_from(["active", "queued", "saving", "killed"])),
        "size": st.sampled_from([None, 0, 1024]),
        "tags": _maybe(st.lists(st.sampled_from(["a", "b", 1, 1.0, True]), max_size=4)),
        "direct_url": st.just(direct),
        "locations": _maybe(st.lists(st.fixed_dictionaries({"url": st.sampled_from([direct, "rbd://d"])}))),
    }
    record = draw(st.fixed_dictionaries({}, optional=fields))
    return {**record, **draw(_extension_properties())}


@cache
def _facts(schema: str = "ims") -> Facts:
    return facts_for(Validator(schema).dialect)


@cache
def _fragment_validator(rule: ImageRule) -> Any:
    assert rule.accepts is not None
    return jsonschema_rs.Draft4Validator(rule.accepts(ims_profile()), validate_formats=True)


def _finds(rule: ImageRule, record: dict[str, Any]) -> bool:
    return bool(list(rule.explain(record, "", _facts())))


WITH_FRAGMENT = [rule for rule in IMAGE_RULES if rule.accepts is not None]
WITH_PAGE_TEST = [rule for rule in IMAGE_RULES if rule.page_clean is not None]


def test_every_rule_has_a_fragment_or_says_why() -> None:
    """A rule without a Draft 4 fragment gives the reason Draft 4 cannot say it, and only then."""
    assert all((rule.accepts is None) == bool(rule.unexpressed) for rule in IMAGE_RULES)
    assert all(rule.page_clean is None or rule.accepts is None for rule in IMAGE_RULES)


@pytest.mark.parametrize("rule", WITH_FRAGMENT, ids=[rule.codes[0] for rule in WITH_FRAGMENT])
@settings(max_examples=300, deadline=None)
@given(record=records())
def test_a_fragment_holds_only_where_its_rule_finds_nothing(rule: ImageRule, record: dict[str, Any]) -> None:
    """Fragment holds => the rule finds nothing; for an exact fragment, also the converse."""
    holds = _fragment_validator(rule).is_valid(record)
    if holds:
        assert not _finds(rule, record)
    elif rule.exact:
        assert _finds(rule, record)


@pytest.mark.parametrize("rule", WITH_PAGE_TEST, ids=[rule.codes[0] for rule in WITH_PAGE_TEST])
@settings(max_examples=200, deadline=None)
@given(page=st.lists(records(), max_size=4))
def test_a_page_test_holds_only_where_its_rule_finds_nothing(
    rule: ImageRule, page: list[dict[str, Any]]
) -> None:
    """Page test holds => the rule finds nothing on any record of the page."""
    assert rule.page_clean is not None
    if rule.page_clean(page):
        assert not any(_finds(rule, record) for record in page)


@settings(max_examples=300, deadline=None)
@given(images=st.lists(st.one_of(records(), ANY_OTHER), max_size=4))
def test_the_quick_path_finds_what_every_rule_finds(images: list[Any]) -> None:
    """On drawn pages, the quick check with the page tests gives the findings of every rule."""
    page = {"images": images}
    quick, _ = check_list(page, _facts())
    full, _ = check_list(page, _facts(), quick_clean=False)
    assert sorted(quick, key=repr) == sorted(full, key=repr)


@pytest.mark.parametrize("schema", ["glance", "ims"])
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_the_quick_path_finds_what_every_rule_finds_on_broken_pages(schema: str, data: st.DataObject) -> None:
    """On realistic pages broken in one way, the quick path and every rule give the same findings."""
    page = data.draw(invalid_image_lists(schema, min_size=1)).payload
    if not isinstance(page, dict):
        return
    quick, _ = check_list(page, _facts(schema))
    full, _ = check_list(page, _facts(schema), quick_clean=False)
    assert sorted(quick, key=repr) == sorted(full, key=repr)


@settings(max_examples=100, deadline=None)
@given(page=image_lists("glance", min_size=1))
def test_pages_as_glance_writes_them_run_no_rule_in_python(page: dict[str, Any]) -> None:
    """A clean page passes the quick check and every page test: no rule runs record by record."""
    assert list_quick_check().is_valid(page)
    assert page_rules(page["images"], _facts("glance"), quick_clean=True) == ()


def test_the_usual_hash_lengths_are_hashlib_s() -> None:
    """The hexdigest lengths the quick check expects are those hashlib gives (as the rule reads them)."""
    assert {name: hex_length(name) for name in USUAL_HASHES} == USUAL_HASHES


def test_fragments_reading_one_property_are_both_kept() -> None:
    """Assembling merges fragments into one properties map, nesting two schemas for one name."""
    merged = assemble([{"properties": {"a": {"type": "string"}}}, {"properties": {"a": {"maxLength": 1}}}])
    assert merged["properties"]["a"] == {"allOf": [{"type": "string"}, {"maxLength": 1}]}


def test_the_quick_check_is_every_fragment() -> None:
    """Every property and condition a fragment names is in the quick check for one record."""
    schema = quick_image_schema(ims_profile())
    for rule in WITH_FRAGMENT:
        assert rule.accepts is not None
        fragment = rule.accepts(ims_profile())
        assert set(fragment.get("properties", {})) <= set(schema["properties"])
        assert all(condition in schema["allOf"] for condition in fragment.get("allOf", ()))
