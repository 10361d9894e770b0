"""Payloads with many findings: the per-payload cap (R001), the counts it keeps, one-pass locate."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from glance_validate import Validator, validate
from glance_validate.core.exitcodes import ExitCode
from glance_validate.core.findings import MORE_FINDINGS, Finding, capped, distinct, sorted_findings
from glance_validate.runner.options import RunOptions
from glance_validate.runner.run import run
from glance_validate.text.locate import locate
from tests.sample_payloads import sample_image


def _image(index: int, **overrides: Any) -> dict[str, Any]:
    uuid = f"00000000-0000-4000-8000-{index:012d}"
    return sample_image(id=uuid, self=f"/v2/images/{uuid}", file=f"/v2/images/{uuid}/file", **overrides)


def _flood(images: int, repeats: int = 4, indent: int | None = None) -> bytes:
    """An image list whose images each repeat a tag: ``repeats`` C016 warnings an image."""
    listing = {
        "images": [_image(i, tags=["gold"] * (repeats + 1)) for i in range(images)],
        "schema": "/v2/schemas/images",
        "first": "/v2/images",
    }
    return json.dumps(listing, indent=indent).encode()


def _run(tmp_path: Path, data: bytes, *args: str, **options: Any) -> tuple[ExitCode, str]:
    path = tmp_path / "flood.json"
    path.write_bytes(data)
    out = io.StringIO()
    code = run(RunOptions(paths=[str(path)], color="never", **options), out, io.StringIO())
    return code, out.getvalue()


def test_validator_cap_keeps_the_first_findings_and_names_the_rest() -> None:
    """max_findings=5 keeps the first 5 findings by pointer and one R001 counting the other 35."""
    result = Validator(max_findings=5).validate(_flood(10))
    assert [f.code for f in result.findings] == ["C016"] * 5 + [MORE_FINDINGS]
    assert [f.path for f in result.findings[:5]] == [
        "/images/0/tags/1", "/images/0/tags/2", "/images/0/tags/3", "/images/0/tags/4", "/images/1/tags/1",
    ]  # fmt: skip
    assert result.hidden == (("C016", "warning", 35),)
    assert result.findings[-1].message == "35 more findings not shown: C016 x 35"


def test_shown_findings_keep_their_positions_and_the_summary_finding_has_none() -> None:
    """Shown findings are located as without a cap; R001 has no position (it is about the payload)."""
    data = _flood(3)
    capped = Validator(max_findings=4).validate(data)
    every = validate(data)
    assert capped.findings[:4] == every.findings[:4]
    assert all(f.line is not None for f in capped.findings[:4])
    assert capped.findings[-1].line is None and capped.findings[-1].path == ""


def test_summary_finding_is_as_severe_as_the_worst_finding_it_hides() -> None:
    """R001 takes the highest severity among the hidden findings: an error hidden makes it an error."""
    listing = json.loads(_flood(2))
    listing["images"][1]["status"] = "ACTIVE"  # K002, sorted after /images/0/...
    result = Validator(max_findings=2).validate(listing)
    more = result.findings[-1]
    assert more.code == MORE_FINDINGS and more.severity == "error"
    assert "K002 x 1" in more.message and "C016 x" in more.message
    assert not result.ok


def test_library_returns_every_finding_by_default() -> None:
    """validate() without a cap returns all 400 findings and no R001."""
    result = validate(_flood(100))
    assert len(result.findings) == 400 and result.hidden == ()
    assert MORE_FINDINGS not in result.codes()


def test_cap_applies_to_parsed_values_too() -> None:
    """validate_value with a cap counts the rest in the same way as bytes do."""
    result = Validator(max_findings=3).validate(json.loads(_flood(5)))
    assert len(result.findings) == 4 and result.hidden == (("C016", "warning", 17),)


def test_cli_shows_100_findings_a_payload_by_default(tmp_path: Path) -> None:
    """check prints 100 findings, then R001, then a summary that counts all 160 warnings."""
    code, output = _run(tmp_path, _flood(40))
    lines = output.splitlines()
    assert len(lines) == 102
    assert all(" C016 [warning] " in line for line in lines[:100])
    assert lines[100].endswith("flood.json: R001 [warning] 60 more findings not shown: C016 x 60")
    assert "160 warnings" in lines[101]
    assert code == ExitCode.OK


def test_shown_findings_are_printed_in_position_order(tmp_path: Path) -> None:
    """The shown findings come in line:col order (indented text: one tag a line)."""
    _, output = _run(tmp_path, _flood(30, indent=2))
    positions = [tuple(map(int, line.split(":")[1:3])) for line in output.splitlines()[:100]]
    assert positions == sorted(positions) and len(set(positions)) == 100


def test_max_findings_zero_shows_every_finding(tmp_path: Path) -> None:
    """--max-findings 0 prints all 160 findings and no R001."""
    _, output = _run(tmp_path, _flood(40), max_findings=0)
    lines = output.splitlines()
    assert len(lines) == 161 and not any(MORE_FINDINGS in line for line in lines)


def test_exit_code_counts_hidden_findings_with_fail_on(tmp_path: Path) -> None:
    """--fail-on warning fails a run whose only warnings beyond the first are hidden."""
    code, _ = _run(tmp_path, _flood(1, repeats=3), max_findings=1, fail_on="warning")
    assert code == ExitCode.FINDINGS


def test_exit_code_fails_on_a_hidden_error(tmp_path: Path) -> None:
    """An error that only R001 names still fails the run (exit 1) with the default --fail-on."""
    listing = json.loads(_flood(2))
    listing["images"][1]["status"] = "ACTIVE"
    code, output = _run(tmp_path, json.dumps(listing).encode(), max_findings=1)
    assert code == ExitCode.FINDINGS
    assert "R001 [error]" in output and "1 failed, 1 error, 8 warnings" in output


def test_json_report_counts_every_finding(tmp_path: Path) -> None:
    """The JSON report lists 10 findings and R001, and its summary counts all 160."""
    _, output = _run(tmp_path, _flood(40), max_findings=10, output_format="json")
    document = json.loads(output)
    findings = document["payloads"][0]["findings"]
    assert len(findings) == 11 and findings[-1]["code"] == MORE_FINDINGS
    assert document["summary"]["findings"] == {"error": 0, "warning": 160, "info": 0}


@pytest.mark.parametrize("fmt", ["github", "sarif", "junit"])
def test_other_formats_show_the_summary_finding(tmp_path: Path, fmt: str) -> None:
    """github, sarif and junit reports name R001 and list only the shown findings."""
    _, output = _run(tmp_path, _flood(40), max_findings=10, output_format=fmt)
    assert MORE_FINDINGS in output and "150 more findings not shown" in output
    assert output.count("/images/") == 10 if fmt == "github" else output.count("/images/") >= 10


def test_sorted_findings_order_is_unchanged_by_the_cap() -> None:
    """The shown findings are the first of sorted_findings over all findings, without positions."""
    every = validate(json.loads(_flood(20)))
    capped = Validator(max_findings=7).validate(json.loads(_flood(20)))
    assert capped.findings[:7] == sorted_findings(every.findings)[:7]


_SEVERITY_OF = {"K001": "error", "C016": "warning", "S001": "error"}  # one severity a code
_SMALL_FINDINGS = st.builds(
    lambda code, path, message: Finding(code, _SEVERITY_OF[code], path, message),  # type: ignore[arg-type]
    code=st.sampled_from(sorted(_SEVERITY_OF)),
    path=st.sampled_from(["", "/images/0", "/images/0/tags/1", "/images/10"]),
    message=st.sampled_from(["a", "b"]),
)


@given(st.lists(_SMALL_FINDINGS, max_size=40), st.integers(min_value=0, max_value=10))
def test_capped_counts_each_distinct_finding_once(findings: list[Finding], limit: int) -> None:
    """Repeated findings (two engines reporting one fact) are shown and counted once, cap or not."""
    shown, hidden = capped(findings, limit)
    assert len(set(shown)) == len(shown) == min(limit, len(set(findings)))
    assert shown == sorted_findings(findings)[:limit]
    assert len(shown) + sum(n for _, _, n in hidden) == len(set(findings))
    assert sorted(distinct(findings), key=Finding.sort_key) == sorted(set(findings), key=Finding.sort_key)


# locate: one pass for many pointers -------------------------------------------------------------


def _pointers(value: Any, prefix: str = "") -> list[str]:
    """Every pointer into ``value``, and a missing member under each object."""
    found = [prefix]
    if isinstance(value, dict):
        found.append(prefix + "/no~1such")
        for key, item in value.items():
            found.extend(_pointers(item, prefix + "/" + key.replace("~", "~0").replace("/", "~1")))
    elif isinstance(value, list):
        found.append(f"{prefix}/{len(value)}")
        for index, item in enumerate(value):
            found.extend(_pointers(item, f"{prefix}/{index}"))
    return found


@pytest.mark.parametrize("indent", [None, 2])
def test_locate_in_one_pass_matches_locating_each_pointer_alone(indent: int | None) -> None:
    """Many random pointers located together get the positions each gets when located alone."""
    rng = random.Random(14)
    listing = json.loads(_flood(12))
    listing["images"][3]["name"] = 'we/ird ~"name"'
    listing["images"][5]["a/b~c"] = {"x": [1, {"y": None}]}
    data = json.dumps(listing, indent=indent).encode()
    every = _pointers(listing)
    pointers = rng.sample(every, len(every) // 2)
    together = locate(data, pointers)
    assert together == {p: locate(data, [p])[p] for p in pointers}


def test_findings_are_small_values() -> None:
    """A finding holds no per-instance dict (slots): millions of them fit in memory."""
    assert not hasattr(Finding("C016", "warning", "/a", "m"), "__dict__")


def test_jobs_give_the_same_capped_output(tmp_path: Path) -> None:
    """With --jobs 2 the capped findings, R001 and counts of two files are the bytes of one process."""
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_bytes(_flood(30))
    outputs = []
    for jobs in (1, 2):
        out = io.StringIO()
        run(RunOptions(paths=[str(tmp_path)], color="never", jobs=jobs, max_findings=5), out, io.StringIO())
        outputs.append(out.getvalue().rsplit(" in ", 1)[0])
    assert outputs[0] == outputs[1] and outputs[0].count("R001") == 2


def test_summary_finding_stays_last_when_findings_across_pages_are_added(tmp_path: Path) -> None:
    """C009 (an id of an earlier page) joins the shown findings; R001 still ends the payload."""
    first = json.loads(_flood(3))
    first["next"] = f"/v2/images?marker={first['images'][-1]['id']}"
    second = json.loads(_flood(3))
    second["images"] = [_image(7, tags=["gold"] * 5), first["images"][0]]
    (tmp_path / "p1.json").write_text(json.dumps(first))
    (tmp_path / "p2.json").write_text(json.dumps(second))
    out = io.StringIO()
    run(RunOptions(paths=[str(tmp_path)], color="never", max_findings=3), out, io.StringIO())
    page_two = [line for line in out.getvalue().splitlines() if "p2.json" in line]
    assert any(" C009 " in line for line in page_two)
    assert " R001 " in page_two[-1]
