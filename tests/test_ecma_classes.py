"""ECMA-262 character classes in `pattern`: \\d, \\w and \\s are ECMA's, not Python's, on both engines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glance_validate.checks.validation import Validator
from glance_validate.regex.ecma import search

ENGINES = ["fast", "reference"]
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
IMAGE = FIXTURES / "glance" / "image-current.json"
SCHEMA = FIXTURES / "regex" / "digits-schema.json"


@pytest.mark.parametrize("digit", ["\u0663", "\u06f3", "\uff13", "\u0969"])
def test_d_does_not_match_non_ascii_digits(digit: str) -> None:
    """\\d is [0-9]: Arabic-Indic, extended Arabic-Indic, fullwidth and Devanagari digits do not match."""
    assert not search(r"^\d$", digit)
    assert not search(r"^[\d]$", digit)
    assert search(r"^\D$", digit)


@pytest.mark.parametrize(("char", "space"), [("\ufeff", True), ("\u3000", True), ("\x1c", False)])
def test_s_is_ecma_white_space(char: str, space: bool) -> None:
    """\\s takes U+FEFF and U+3000 and not U+001C (Python's \\s says the opposite for two of them)."""
    assert search(r"^\s$", char) is space
    assert search(r"^[\s]$", char) is space
    assert search(r"^\S$", char) is not space


@pytest.mark.parametrize("engine", ENGINES)
def test_fullwidth_digits_fail_a_digit_pattern_on_both_engines(engine: str) -> None:
    """A schema's \\d pattern rejects "\uff12\uff14.\uff10\uff14" (fullwidth) with K003 on either engine."""
    validator = Validator(str(SCHEMA), engine=engine)  # type: ignore[arg-type]
    image = {"id": "x", "os_distro": "ubuntu", "os_version": "\uff12\uff14.\uff10\uff14"}
    assert [(f.code, f.path) for f in validator.validate(image).findings] == [("K003", "/os_version")]


@pytest.mark.parametrize("engine", ENGINES)
def test_trailing_slash_on_a_self_link_is_c001(engine: str) -> None:
    """A self link "/v2/images/ID/" is not the image's link: C001 at /self on either engine."""
    image = json.loads(IMAGE.read_text("utf-8"))
    image["self"] += "/"
    result = Validator("glance", engine=engine).validate(image)
    assert [(f.code, f.path) for f in result.findings] == [("C001", "/self")]
