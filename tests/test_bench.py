"""The benchmark's pure helpers: argument parsing, ratios and targets, tables, finding coverage.

Nothing here times anything: speed is measured by ``python bench/run.py``, not by the tests.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `bench` lives beside the package

from bench import run, table, verify


def _row(workload: str, tool: str, seconds: float, status: str = "ok") -> dict[str, object]:
    return table.summarise(
        workload,
        tool,
        [{"seconds": seconds, "cpu_seconds": seconds, "max_rss_mb": 10.0, "exit_code": 0, "other_load": 0.0}],
        status,
    )


def test_only_accepts_known_groups_and_quick_lowers_repetitions() -> None:
    """--only takes a comma list of known groups; --quick switches to 3/1/7 repetitions."""
    args = run.parse_args(["--only", "startup,memory", "--quick"])
    assert args.only == ("startup", "memory")
    settings = run.settings_from(args)
    assert (settings.repeat, settings.slow_repeat, settings.startup_repeat) == (3, 1, 7)
    assert run.output_path(args, settings) == settings.cache / "partial.json"
    with pytest.raises(SystemExit):
        run.parse_args(["--only", "files,bogus"])
    with pytest.raises(SystemExit):
        run.parse_args(["--repeat", "0"])


def test_full_run_writes_the_committed_results_file() -> None:
    """Without --only or --quick the results go to bench/results/latest.json."""
    args = run.parse_args([])
    assert run.output_path(args, run.settings_from(args)) == run.DEFAULT_OUTPUT


def test_summarise_takes_the_median_and_keeps_every_run() -> None:
    """A row's median is the middle run, exit codes are collected, and runs are kept."""
    samples = [
        {"seconds": s, "cpu_seconds": 1.0, "max_rss_mb": m, "exit_code": c, "other_load": 0.5}
        for s, m, c in ((3.0, 10.0, 0), (1.0, 30.0, 1), (2.0, 20.0, 1))
    ]
    row = table.summarise("pages-valid", table.GV, samples)
    assert row["median_s"] == 2.0
    assert (row["min_s"], row["max_s"], row["max_rss_mb"]) == (1.0, 3.0, 30.0)
    assert row["exit_codes"] == [0, 1]
    assert row["runs_s"] == [3.0, 1.0, 2.0]


def test_targets_are_ratios_of_medians_and_unmeasured_ones_are_none() -> None:
    """Each target divides the right medians; a tool marked n/a leaves its target unmeasured."""
    results = {
        "timings": [
            _row("pages-valid", table.GV, 0.8),
            _row("pages-valid", table.FLOOR, 0.5),
            _row("pages-valid", table.CHECKER, 20.0),
            _row("pages-valid", table.GV_JOBS, 0.0, "n/a: no --jobs"),
            _row("pages-invalid", table.GV, 1.0),
            _row("pages-invalid", table.CHECKER, 5.0),
        ],
        "startup": [_row("version", table.GV, 0.05), _row("version", table.CHECKER, 0.25)],
        "memory": [
            {"name": "jsonl-10k", "status": "ok", "max_rss_mb": 40.0},
            {"name": "jsonl-100k", "status": "ok", "max_rss_mb": 42.0},
        ],
        "scaling": [
            {"files": 10, "median_s": 0.1},
            {"files": 1000, "median_s": 1.09},
            {"files": 2000, "median_s": 2.2},
        ],
        "findings": {"pages-invalid": {"expected": 500, "located": 499}},
    }
    found = {t.name: t for t in table.targets(results)}
    floor = found["2,000 files, one process: x the jsonschema-rs + orjson loop"]
    assert floor.value == pytest.approx(1.6) and floor.met is False
    assert found["2,000 files: times faster than check-jsonschema"].value == pytest.approx(25.0)
    assert found["2,000 files, 1% invalid: times faster than check-jsonschema"].met is False
    assert found["1% invalid: share of invalid images with a finding at line:col"].met is False
    assert found["--jobs 2: times faster than one process"].met is None
    assert found["--version: x check-jsonschema --version"].value == pytest.approx(0.2)
    assert found["one-file run: x check-jsonschema's"].value is None
    assert found["JSONL peak memory: 100,000 lines / 10,000 lines"].value == pytest.approx(1.05)
    assert found["10 -> 2,000 files: late / early cost per file (1 = linear)"].value == pytest.approx(
        1.11, abs=0.01
    )


def test_linearity_tells_linear_from_quadratic_growth() -> None:
    """Constant cost per file gives 1.0; cost growing with the square of the count gives about 3."""
    linear = [(n, 0.05 + 0.001 * n) for n in (10, 100, 1000, 2000)]
    quadratic = [(n, 0.05 + 1e-6 * n * n) for n in (10, 100, 1000, 2000)]
    assert table.linearity(linear) == pytest.approx(1.0)
    assert table.linearity(quadratic) == pytest.approx(3.0, rel=0.05)
    assert table.linearity([(10, 0.1), (20, 0.2)]) is None


def test_markdown_table_right_aligns_numbers() -> None:
    """Numeric columns get ---: in the separator row, text columns ---."""
    text = table.render_markdown([["target", "measured"], ["a", "1.50"], ["b", "n/a"]])
    assert text.splitlines() == ["| target | measured |", "|---|---:|", "| a | 1.50 |", "| b | n/a |"]


def test_fixed_schema_reads_capitalised_string_and_pins_draft_4(tmp_path: Path) -> None:
    """The schema given to the other tools is the embedded one with "String" fixed, as Draft 4."""
    list_path, image_path = run.fixed_schemas(tmp_path)
    fixed = json.loads(list_path.read_text(encoding="utf-8"))
    image = json.loads(image_path.read_text(encoding="utf-8"))
    assert fixed["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert image["additionalProperties"] == {"type": "string"}
    assert "String" not in list_path.read_text(encoding="utf-8")


def test_finding_coverage_counts_invalid_images_and_checks_positions(tmp_path: Path) -> None:
    """An invalid image counts when a finding under it has line:col, and the position is verified."""
    page = tmp_path / "page.json"
    page.write_text('{"images": [{"status": "active"},\n {"status": "ACTIVE"}, {"status": "bogus"}]}')
    report = "\n".join(
        [
            "schema ims: L001 [warning] type is capitalised (at /properties/x)",
            f'{page}:2:13: K002 [error] "ACTIVE" is not one of ... (at /images/1/status)',
            f'{page}:2:1: K002 [error] "bogus" is not one of ... (at /images/2/status)',
            f"{page}:1:2: K001 [error] stray (at /images/0/status)",
            "checked 1 payload (3 images) against ims: 2 errors in 0.01s",
        ]
    )
    truth = {str(page): [1, 2]}
    checked = verify.check_lists(truth, report)
    assert checked == {"expected": 2, "located": 2, "positions_checked": 2, "positions_right": 1}
    assert verify.unexpected_errors(truth, report) == 1
    lines = tmp_path / "x.jsonl"
    lines.write_text('{"status": "active"}\n\n{"id": 1, "status": "ACTIVE"}\n')
    report = f"{lines}:3:21: K002 [error] bad (at /status)\n{lines}:3:2: K001 [error] bad (at /id)"
    assert verify.check_jsonl({str(lines): [3, 7]}, report) == {
        "expected": 2,
        "located": 1,
        "positions_checked": 2,
        "positions_right": 1,
    }


def test_targets_on_best_runs_use_each_tools_fastest_run() -> None:
    """The best-run column divides minimums, so a loaded machine's slow runs do not decide it."""
    samples = [{"seconds": s, "cpu_seconds": s, "max_rss_mb": 1.0, "exit_code": 0} for s in (0.5, 1.0, 1.2)]
    rows = [
        table.summarise("pages-valid", table.GV, samples),
        table.summarise("pages-valid", table.GV_JOBS, [{**samples[0], "seconds": 0.3}, samples[2]]),
    ]
    name = "--jobs 2: times faster than one process"
    median = {t.name: t for t in table.targets({"timings": rows})}[name]
    best = {t.name: t for t in table.targets({"timings": rows}, "min_s")}[name]
    assert median.value == pytest.approx(1.0 / 0.75)
    assert best.value == pytest.approx(0.5 / 0.3)
    assert table.target_grid([median], [best])[1][1:3] == ["1.33", "1.67"]


def test_flood_images_repeat_one_tag_and_the_clean_ones_do_not() -> None:
    """A flood image's 20 tags are one value (19 repeats); the baseline's are 20 different ones."""
    from bench import flood

    repeated, clean = flood.image(7, repeated=True), flood.image(7, repeated=False)
    assert len(set(repeated["tags"])) == 1 and len(repeated["tags"]) == flood.TAGS  # type: ignore[arg-type]
    assert len(set(clean["tags"])) == flood.TAGS  # type: ignore[arg-type]
    assert repeated["id"] == clean["id"] != flood.image(8, repeated=True)["id"]


def test_findings_in_adds_every_severity_of_the_summary_line() -> None:
    """The flood's finding count comes from the text report's summary line; none without one."""
    from bench import flood

    summary = "checked 1 payload (2 images) against ims: 1 failed, 1 error, 38 warnings in 1.00s"
    report = f"x.json:3:5: C016 [warning] ...\n{summary}\n"
    assert flood.findings_in(report) == 39
    assert flood.findings_in("") is None


def _flood_row(
    workload: str, seconds: float, rss: float, findings: int, status: str = "ok"
) -> dict[str, object]:
    row = _row(workload, table.GV, seconds, status)
    row.update(max_rss_mb=rss, findings=findings, timeout_s=120.0)
    return row


def test_flood_cost_per_finding_is_taken_above_the_clean_run() -> None:
    """us and KB per finding subtract the clean run; a flood killed at the timeout counts the timeout."""
    rows = [
        _flood_row(table.FLOOD, 30.0, 600.0, 2_000_000),
        _flood_row(table.FLOOD_CLEAN, 10.0, 200.0, 0),
    ]
    us, kb = table.per_finding(rows)
    assert us == pytest.approx(10.0) and kb == pytest.approx(400 * 1024 / 2_000_000)
    rows[0] = _flood_row(table.FLOOD, 0.0, 0.0, 2_000_000, "timed out")
    us, kb = table.per_finding(rows)
    assert us == pytest.approx(55.0) and kb is None
    found = {t.name: t for t in table.flood_targets(rows)}
    assert found["findings flood: seconds for 150,000 images (2.85 M findings)"].met is False
