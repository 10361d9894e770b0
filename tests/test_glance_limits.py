"""What Glance refuses to store (C030-C034), at the exact limits of its columns and quotas."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glance_validate.checks.consistency.facts import facts_for
from glance_validate.checks.consistency.image_rules import GLANCE_LIMITS, LONG_PROPERTY_NAMES
from glance_validate.checks.consistency.quickcheck import quick_image_schema
from glance_validate.checks.extensions import ims_profile
from glance_validate.checks.validation import Validator

IMAGE = Path(__file__).resolve().parent.parent / "fixtures" / "glance" / "image-current.json"


def _findings(engine: str = "fast", **changes: Any) -> list[tuple[str, str]]:
    image = json.loads(IMAGE.read_text("utf-8"))
    image.update(changes)
    return [(f.code, f.path) for f in Validator("glance", engine=engine).validate(image).findings]


@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_negative_min_ram_is_c030(engine: str) -> None:
    """min_ram -1 is C030 at /min_ram on both engines; 0 passes."""
    assert _findings(engine, min_ram=-1) == [("C030", "/min_ram")]
    assert _findings(engine, min_ram=0) == []


def test_min_disk_past_the_integer_column_is_c030() -> None:
    """min_disk 2**31 is C030; 2**31 - 1, the Integer column's largest value, passes."""
    assert _findings(min_disk=2**31) == [("C030", "/min_disk")]
    assert _findings(min_disk=2**31 - 1) == []


def test_size_past_a_signed_64_bit_integer_is_c032() -> None:
    """size 2**63 and virtual_size -2**63 - 1 are C032; 2**63 - 1 passes."""
    assert _findings(size=2**63, virtual_size=-(2**63) - 1) == [("C032", "/size"), ("C032", "/virtual_size")]
    assert _findings(size=2**63 - 1) == []


def test_property_name_of_256_characters_is_c031() -> None:
    """A 256-character custom property name is C031; 255 characters pass."""
    assert _findings(**{"k" * 256: "v"}) == [("C031", "/" + "k" * 256)]
    assert _findings(**{"k" * 255: "v"}) == []


def test_property_value_past_mysql_text_is_c033() -> None:
    """A custom value of 65,536 UTF-8 bytes is C033; 65,535 bytes pass (two-byte characters counted)."""
    assert _findings(note="\u00e9" * 32768) == [("C033", "/note")]
    assert _findings(note="\u00e9" * 32767 + "a") == []


def test_tags_past_the_default_quota_point_at_the_first_extra_tag() -> None:
    """129 tags are C034 at /tags/128; 128 tags pass."""
    assert _findings(tags=[f"t{i}" for i in range(129)]) == [("C034", "/tags/128")]
    assert _findings(tags=[f"t{i}" for i in range(128)]) == []


def _near_the_limits() -> st.SearchStrategy[dict[str, Any]]:
    """Records whose numbers, names, values, tags and key counts sit on either side of a limit."""
    numbers = st.sampled_from(
        [None, True, 1.5, -0.5, -1, 0, 2**31 - 1, 2**31, 2**63 - 1, 2**63, -(2**63) - 1, 2**64]
    )
    names = st.sampled_from(["k", "k" * 255, "k" * 256, "\u00e9" * 255, "\u00e9" * 256, "\U0001f600" * 256])
    values = st.sampled_from(["v", "x" * 16383, "x" * 16384, "\u00e9" * 32767, "\u00e9" * 32768, 7])
    fields = {
        "min_disk": numbers,
        "min_ram": numbers,
        "size": numbers,
        "virtual_size": numbers,
        "tags": st.sampled_from([128, 129]).map(lambda n: [f"t{i}" for i in range(n)]),
    }
    extra = st.sampled_from([0, 1, 100, 130]).map(lambda n: {f"p{i}": "v" for i in range(n)})
    custom = st.dictionaries(names, values, max_size=2)
    return st.tuples(st.fixed_dictionaries({}, optional=fields), custom, extra).map(
        lambda parts: {**parts[0], **parts[1], **parts[2]}
    )


@cache
def _fragment() -> Any:
    assert GLANCE_LIMITS.accepts is not None
    return jsonschema_rs.Draft4Validator(GLANCE_LIMITS.accepts(ims_profile()))


@cache
def _quick_check() -> Any:
    """The quick check for one record, as assembled from every rule's fragment."""
    return jsonschema_rs.Draft4Validator(quick_image_schema(ims_profile()), validate_formats=True)


@settings(max_examples=300, deadline=None)
@given(record=_near_the_limits())
def test_the_limits_fragment_holds_only_where_no_limit_is_broken(record: dict[str, Any]) -> None:
    """C030/C032-C034's fragment, alone or assembled into the quick check, holds => no limit is broken."""
    facts = facts_for(Validator("glance").dialect)
    if _fragment().is_valid(record) or _quick_check().is_valid(record):
        assert list(GLANCE_LIMITS.explain(record, "", facts)) == []


def test_the_name_page_test_refuses_a_256_character_name() -> None:
    """A name of 256 code points (four UTF-8 bytes each) fails C031's page test; 255 pass."""
    assert LONG_PROPERTY_NAMES.page_clean is not None
    assert not LONG_PROPERTY_NAMES.page_clean([{"id": "x"}, {"\U0001f600" * 256: "v"}])
    assert LONG_PROPERTY_NAMES.page_clean([{"id": "x"}, {"\U0001f600" * 255: "v"}])


@settings(max_examples=200, deadline=None)
@given(page=st.lists(_near_the_limits(), max_size=3))
def test_the_name_page_test_holds_only_where_no_name_is_too_long(page: list[dict[str, Any]]) -> None:
    """C031's page test holds => no record of the page has a custom name over 255 characters."""
    facts = facts_for(Validator("glance").dialect)
    assert LONG_PROPERTY_NAMES.page_clean is not None
    if LONG_PROPERTY_NAMES.page_clean(page):
        assert not [f for record in page for f in LONG_PROPERTY_NAMES.explain(record, "", facts)]
