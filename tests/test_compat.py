"""glance-validate compat: which releases accept a payload, and the first finding ruling out the others."""

from __future__ import annotations

import json
import subprocess
import sys
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import pytest
from sample_payloads import sample_page

from glance_validate import Policy
from glance_validate.analysis.compat import (
    Compat,
    CompatOptions,
    PayloadCompat,
    as_json,
    compat_policy,
    render_text,
    run_compat,
)
from glance_validate.core.exitcodes import ExitCode

ROOT = Path(__file__).resolve().parent.parent
JUNO = ROOT / "fixtures" / "compat" / "juno-era-list.json"
ROCKY = ROOT / "fixtures" / "compat" / "rocky-era-list.json"
UUID = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"


@pytest.fixture(scope="module")
def compat() -> Compat:
    return Compat()


def _check(compat: Compat, payload: Any, source: str = "payload") -> PayloadCompat:
    data = payload.read_bytes() if isinstance(payload, Path) else json.dumps(payload, indent=2).encode()
    return compat.check(data, source)


def _ranges(report: PayloadCompat) -> list[tuple[str, str]]:
    return [(first.name, last.name) for first, last in report.accepted_by]


def _reasons(report: PayloadCompat) -> dict[str, str]:
    return {r.name: v.reason for v in report.verdicts for r in v.releases if not v.accepted}


def _current_image(**overrides: Any) -> dict[str, Any]:
    image: dict[str, Any] = json.loads(ROCKY.read_text())["images"][0]
    image.update(overrides)
    return image


def test_a_juno_era_payload_is_accepted_from_icehouse_on(compat: Compat) -> None:
    """Juno's list (no nulls, no os_hidden): Havana lacks virtual_size, Icehouse to current accept."""
    report = _check(compat, JUNO)
    assert _ranges(report) == [("Icehouse", "current")]
    assert _reasons(report) == {"Havana": "needs Icehouse 2014.1 or later: virtual_size"}
    assert report.summary == "accepted by Icehouse 2014.1 and later"


def test_a_rocky_era_payload_needs_rocky(compat: Compat) -> None:
    """Rocky's list (os_hidden, multihash, nulls): every release before Rocky is ruled out by os_hidden."""
    report = _check(compat, ROCKY)
    assert _ranges(report) == [("Rocky", "current")]
    reasons = _reasons(report)
    assert set(reasons) == {
        "Havana",
        "Icehouse",
        "Juno",
        "Kilo",
        "Liberty",
        "Mitaka",
        "Newton",
        "Ocata",
        "Pike",
        "Queens",
    }
    assert set(reasons.values()) == {"needs Rocky 17.0.0 or later: os_hidden"}
    first = report.verdicts[0].finding
    assert first is not None and (first.code, first.path, first.line) == ("K001", "/images/0/os_hidden", 7)


def test_the_first_finding_decides_each_row(compat: Compat) -> None:
    """A current image: Havana to Newton stop at visibility shared, Ocata to Queens at os_hidden."""
    report = _check(compat, ROOT / "fixtures" / "glance" / "image-current.json")
    reasons = _reasons(report)
    assert reasons["Havana"] == reasons["Newton"] == "needs Ocata 14.0.0 or later: visibility"
    assert reasons["Ocata"] == reasons["Queens"] == "needs Rocky 17.0.0 or later: os_hidden"
    assert _ranges(report) == [("Rocky", "current")]


def test_a_value_only_older_releases_accept(compat: Compat) -> None:
    """validation_data with unknown keys passes until Rocky and breaks Stein's stricter locations."""
    location = {"url": "rbd://a/b", "metadata": {}, "validation_data": {"checksum": 5}}
    report = _check(compat, sample_page(_current_image(locations=[location])))
    assert _ranges(report) == [("Rocky", "Rocky")]
    assert _reasons(report)["Stein"] == "accepted only up to Rocky 17.0.0: locations/0/validation_data"
    assert report.summary == "accepted by Rocky 17.0.0"


def test_a_value_no_release_accepts(compat: Compat) -> None:
    """min_ram 1.5 is not an integer in any release."""
    report = _check(compat, sample_page(_current_image(min_ram=1.5)))
    assert report.accepted_by == [] and report.summary == "accepted by no release"
    assert _reasons(report)["Rocky"] == _reasons(report)["current"] == "no release accepts it: min_ram"


def test_only_what_the_schema_decides_counts(compat: Compat) -> None:
    """Consistency and vendor findings and known deviations do not rule a release out."""
    report = _check(compat, sample_page(_current_image(checksum="ABC", __os_bit="x64")))
    assert _ranges(report) == [("Rocky", "current")]
    assert compat_policy().strict and not compat_policy().allows("C010")


def test_the_selection_is_respected() -> None:
    """Ignoring K001 means a type error no longer rules a release out."""
    report = Compat(Policy(ignore=["K001"])).check(JUNO.read_bytes(), "juno")
    assert _ranges(report) == [("Havana", "current")]


def test_the_table_reads_at_a_glance(compat: Compat) -> None:
    """One row per run of releases with the same verdict; the reason and the finding on the row."""
    text = render_text([_check(compat, ROCKY, "rocky.json"), _check(compat, JUNO, "juno.json")])
    lines = text.splitlines()
    assert lines[0] == "rocky.json (image-list, 2 images): accepted by Rocky 17.0.0 and later"
    assert lines[1].split("  no   ")[0].strip() == "Havana 2013.2 .. Queens 16.0.0"
    assert "needs Rocky 17.0.0 or later: os_hidden (K001 expected string, found boolean false" in lines[1]
    assert lines[2].split() == ["Rocky", "17.0.0", "..", "current", "(master)", "yes"]
    assert lines[4] == "juno.json (image-list, 3 images): accepted by Icehouse 2014.1 and later"


def test_json_output(compat: Compat) -> None:
    """--format json: per payload the summary, the accepted ranges and a verdict per release group."""
    document = as_json([_check(compat, JUNO, "juno.json")])
    payload = document["payloads"][0]
    assert payload["accepted_by"] == [["glance-icehouse", "glance-current"]]
    assert payload["releases"][0]["accepted"] is False
    assert payload["releases"][0]["finding"]["code"] == "K001"
    assert len(payload["releases"]) == 11


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "glance_validate", "compat", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_command_exit_codes(tmp_path: Path) -> None:
    """0 when every payload is accepted by a release, 1 when one is not, 3 for an unreadable input."""
    ok = _cli(str(JUNO), str(ROCKY))
    assert ok.returncode == 0
    assert (
        "accepted by Icehouse 2014.1 and later" in ok.stdout
        and "accepted by Rocky 17.0.0 and later" in ok.stdout
    )
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(sample_page(_current_image(min_ram=1.5))))
    assert _cli(str(broken)).returncode == 1
    missing = _cli(str(tmp_path / "missing.json"), str(JUNO))
    assert missing.returncode == 3 and "missing.json" in missing.stderr and "Icehouse" in missing.stdout


def test_command_reads_directories_and_configuration(tmp_path: Path) -> None:
    """A directory is searched like check does; pyproject.toml's selection applies; bad codes exit 2."""
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "rocky.json").write_text(ROCKY.read_text())
    assert "accepted by Rocky 17.0.0 and later" in _cli("pages", cwd=tmp_path).stdout
    (tmp_path / "pyproject.toml").write_text('[tool.glance-validate]\nignore = ["Q7"]\n')
    bad = _cli("pages", cwd=tmp_path)
    assert bad.returncode == 2 and "Q7" in bad.stderr


def test_inputs_without_a_payload_exit_as_check_does(tmp_path: Path) -> None:
    """Only an unreadable input exits 3: a capture without image traffic passes, a non-capture fails."""
    captures = ROOT / "fixtures" / "captures"
    no_traffic = _cli(str(captures / "no-image-traffic.har"), str(JUNO))
    assert no_traffic.returncode == 0, no_traffic.stderr
    assert "P022 [warning]" in no_traffic.stderr and "Icehouse" in no_traffic.stdout
    not_recorded = _cli(str(captures / "body-not-recorded.har"), str(JUNO))
    assert not_recorded.returncode == 1 and "P021 [error]" in not_recorded.stderr
    missing = _cli(str(tmp_path / "missing.json"), str(captures / "no-image-traffic.har"))
    assert missing.returncode == 3 and "P009 [error]" in missing.stderr


def test_a_file_name_with_a_line_break_stays_on_one_line(compat: Compat) -> None:
    """The table escapes control characters in sources, as check does: one payload, one line."""
    report = _check(compat, JUNO, source="two\nlines.json")
    assert render_text([report]).splitlines()[0].startswith("two\\nlines.json (image-list")
    odd_key = _check(compat, sample_page(_current_image(**{"a\nb": 1})))
    rows = render_text([odd_key]).splitlines()
    assert len(rows) == 3 and "no release accepts it: a\\nb (K001" in rows[2], rows


def test_an_error_body_gets_no_release_verdict(compat: Compat, tmp_path: Path) -> None:
    """An API error response is not said to be accepted by any release, and does not fail the command."""
    body = {"error": {"message": "The imagetype is invalid.", "code": "IMG.0024"}}
    report = _check(compat, body)
    assert report.summary == "not an image payload: no release schema applies"
    table = render_text([report])
    assert "Havana" not in table
    path = tmp_path / "error.json"
    path.write_text(json.dumps(body))
    result = _cli(str(path), str(JUNO))
    assert result.returncode == 0 and "not an image payload" in result.stdout


def test_run_compat_of_accepted_payloads() -> None:
    """run_compat with every payload accepted by some release: the table on out, exit 0."""
    out, err = StringIO(), StringIO()
    assert run_compat(CompatOptions(paths=(str(JUNO),)), out, err) is ExitCode.OK
    assert "accepted by Icehouse 2014.1 and later" in out.getvalue() and err.getvalue() == ""


def test_run_compat_of_a_payload_no_release_accepts() -> None:
    """run_compat of a payload (from stdin) that no release accepts exits 1."""
    page = json.dumps(sample_page(_current_image(min_ram=1.5))).encode()
    out = StringIO()
    code = run_compat(CompatOptions(paths=("-",), output_format="json"), out, StringIO(), BytesIO(page))
    assert code is ExitCode.FINDINGS
    assert json.loads(out.getvalue())["payloads"][0]["accepted_by"] == []


def test_run_compat_of_an_unreadable_input(tmp_path: Path) -> None:
    """run_compat of a missing file: the P009 finding on err, exit 3."""
    err = StringIO()
    code = run_compat(CompatOptions(paths=(str(tmp_path / "missing.json"),)), StringIO(), err)
    assert code is ExitCode.TOOL_FAILURE and "P009 [error]" in err.getvalue()
