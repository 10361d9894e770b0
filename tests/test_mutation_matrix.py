"""One clean Glance page, each mutation of it found with its code, pointer, line and column.

The page is fixtures/glance/image-list-current.json (clean under the glance schema). Each
mutation changes the page (or its text) in one way; the page is serialized compact (one line,
no spaces) and indented (``json.dumps(indent=2)``), and the finding is checked through
``validate()`` on both engines and through the command line's JSON report. The expected line and
column are where the mutated value starts in that text: found by searching the text for
``at``, a chain of strings (each one searched after the one before, the last one's start is the
position); no ``at`` means the start of the text (findings about the whole document).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from glance_validate import validate
from glance_validate.cli.main import main

CLEAN = Path(__file__).resolve().parent.parent / "fixtures" / "glance" / "image-list-current.json"
PAGE: dict[str, Any] = json.loads(CLEAN.read_text("utf-8"))
FIRST_ID = PAGE["images"][0]["id"]
LAST_ID = PAGE["images"][-1]["id"]
FIRST_SIZE = PAGE["images"][0]["size"]
SHORT_CHECKSUM = PAGE["images"][0]["checksum"][:31]
SHA256_LENGTH_HASH = PAGE["images"][0]["os_hash_value"][:64]
LONG_NAME = "k" * 256
TOO_BIG = 2**64


def _first_image(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def change(page: dict[str, Any]) -> None:
        page["images"][0].update(changes)

    return change


def _renamed_image(new_id: str, index: int = 0) -> Callable[[dict[str, Any]], None]:
    """Image ``index`` given ``new_id``, with its self and file links as Glance would write them."""

    def change(page: dict[str, Any]) -> None:
        page["images"][index].update(id=new_id, self=f"/v2/images/{new_id}", file=f"/v2/images/{new_id}/file")

    return change


def _without(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda page: page.pop(key)


def _next_marker(marker: str) -> Callable[[dict[str, Any]], None]:
    return lambda page: page.update(next=f"/v2/images?limit=4&marker={marker}")


def _truncated(text: str) -> str:
    """The text cut in the middle, which falls inside the third image's name in both forms."""
    name = json.dumps(PAGE["images"][2]["name"])
    return text[: text.index(name) + len(name) // 2]


def _with_trailing_comma(text: str) -> str:
    """A comma after the last image, before the ] that closes images."""
    end_of_last_image = text.rindex("}", 0, text.index('"first"')) + 1
    return text[:end_of_last_image] + "," + text[end_of_last_image:]


def _first_size_nan(text: str) -> str:
    return text.replace(str(FIRST_SIZE), "NaN", 1)


@dataclass(frozen=True)
class Mutation:
    name: str
    codes: str  # the codes found at the pointer, in report order, space-separated
    pointer: str
    at: tuple[str, ...] = ()  # the strings to search for (see the module docstring); () is 1:1
    change: Callable[[dict[str, Any]], None] | None = None  # on the parsed page
    edit: Callable[[str], str] | None = None  # on the serialized text
    at_end: bool = False  # the position is the end of the (edited) text


MUTATIONS = [
    Mutation("status-case", "K002", "/images/0/status", ('"Active"',), _first_image(status="Active")),
    Mutation("string-size", "K004", "/images/0/name", ('"' + "n" * 256,), _first_image(name="n" * 256)),
    Mutation(
        "naive-timestamp",
        "C012",
        "/images/0/created_at",
        ('"2026-10-02T11:04:59"',),
        _first_image(created_at="2026-10-02T11:04:59"),
    ),
    Mutation("non-uuid-id", "K003", "/images/0/id", ('"not-a-uuid"',), _renamed_image("not-a-uuid")),
    Mutation("missing-first", "S007", "", (), _without("first")),
    Mutation("missing-schema", "S007", "", (), _without("schema")),
    Mutation("wrong-marker", "C005", "/next", ('"next":', '"/v2/images'), _next_marker(FIRST_ID)),
    Mutation(
        "duplicate-id",
        "C008",
        "/images/1/id",
        (f'"{FIRST_ID}"', f'"{FIRST_ID}"'),
        _renamed_image(FIRST_ID, 1),
    ),
    Mutation(
        "checksum-length",
        "C010",
        "/images/0/checksum",
        (f'"{SHORT_CHECKSUM}"',),
        _first_image(checksum=SHORT_CHECKSUM),
    ),
    Mutation(
        "hash-length",
        "C011",
        "/images/0/os_hash_value",
        (f'"{SHA256_LENGTH_HASH}"',),
        _first_image(os_hash_value=SHA256_LENGTH_HASH),
    ),
    Mutation("null-tag", "K001", "/images/0/tags/0", ('"tags":', "null"), _first_image(tags=[None])),
    Mutation(
        "location-without-url",
        "K006",
        "/images/0/locations/0",
        ('"locations":', "{"),
        _first_image(locations=[{"metadata": {}}]),
    ),
    Mutation("negative-min-ram", "C030", "/images/0/min_ram", ('"min_ram":', "-1"), _first_image(min_ram=-1)),
    Mutation(
        "long-property-name",
        "C031",
        f"/images/0/{LONG_NAME}",
        (f'"{LONG_NAME}":', '"v"'),
        _first_image(**{LONG_NAME: "v"}),
    ),
    Mutation("integer-custom-property", "K001", "/images/0/build", ('"build":', "7"), _first_image(build=7)),
    Mutation("size-past-64-bits", "C032", "/images/0/size", (str(TOO_BIG),), _first_image(size=TOO_BIG)),
    Mutation("truncation", "P001", "/images/2/name", edit=_truncated, at_end=True),
    Mutation("bom", "P004", "", edit=lambda text: "\ufeff" + text),
    # the parser stops at the ] after the comma; the last image holds no nested object
    Mutation("trailing-comma", "P001", "/images", (f'"{LAST_ID}"', "},", "]"), edit=_with_trailing_comma),
    # NaN is read as a number, so the schema also sees a number where it wants an integer
    Mutation("nan", "K001 P005", "/images/0/size", ("NaN",), edit=_first_size_nan),
]
FORMS = {"compact": {"separators": (",", ":")}, "indented": {"indent": 2}}


def _text(mutation: Mutation, form: str) -> str:
    page = copy.deepcopy(PAGE)
    if mutation.change is not None:
        mutation.change(page)
    text = json.dumps(page, **FORMS[form])  # type: ignore[arg-type]
    return mutation.edit(text) if mutation.edit is not None else text


def _line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``offset``."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _expected_offset(mutation: Mutation, text: str) -> int:
    if mutation.at_end:
        return len(text)
    offset = 0
    for index, needle in enumerate(mutation.at):
        offset = text.index(needle, offset)
        if index < len(mutation.at) - 1:
            offset += len(needle)
    return offset


def _expected(mutation: Mutation, text: str) -> list[tuple[str, str, int, int]]:
    line, column = _line_and_column(text, _expected_offset(mutation, text))
    return [(code, mutation.pointer, line, column) for code in mutation.codes.split()]


def _placed(findings: list[Any]) -> list[tuple[str, str, int, int]]:
    return [(f["code"], f["path"], f["line"], f["column"]) for f in findings]


def test_the_page_is_clean() -> None:
    """The unmutated page has no finding in either form, so each finding below is the mutation's."""
    for form in FORMS:
        assert validate(_text(Mutation("none", "", ""), form).encode("utf-8"), schema="glance").findings == ()


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("engine", ["fast", "reference"])
@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_validate_finds_the_mutation_where_it_is(mutation: Mutation, engine: str, form: str) -> None:
    """validate() reports exactly the mutation's finding, at its pointer, line and column."""
    text = _text(mutation, form)
    result = validate(text.encode("utf-8"), schema="glance", engine=engine)  # type: ignore[arg-type]
    found = [(f.code, f.path, f.line, f.column) for f in result.findings]
    assert found == _expected(mutation, text)


@pytest.mark.parametrize("form", FORMS)
def test_the_json_report_places_every_mutation(form: str, tmp_path: Path) -> None:
    """Each mutated page checked on its own (pages of one listing in one run are compared with
    each other): the JSON report holds exactly the mutation's finding at its place."""
    found, expected = {}, {}
    for mutation in MUTATIONS:
        text = _text(mutation, form)
        path = tmp_path / f"{mutation.name}.json"
        path.write_bytes(text.encode("utf-8"))
        result = CliRunner().invoke(main, ["--schema", "glance", "--format", "json", str(path)])
        assert result.exit_code in (0, 1), mutation.name  # findings (warnings exit 0), not a failure
        found[mutation.name] = _placed(json.loads(result.output)["payloads"][0]["findings"])
        expected[mutation.name] = _expected(mutation, text)
    assert found == expected
