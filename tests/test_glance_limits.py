"""What Glance refuses to store (C030-C034), at the exact limits of its columns and quotas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

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
