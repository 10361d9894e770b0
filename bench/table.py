"""Medians, ratios and targets from the measurements, and the tables they are shown in.

Everything here is a pure function of the results document (the JSON the benchmark writes), so
the table in the README can be rebuilt from ``bench/results/latest.json`` at any time.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

GV = "glance-validate"
GV_JOBS = "glance-validate --jobs 2"
FLOOR = "jsonschema-rs + orjson loop"
JSONSCHEMA = "jsonschema loop"
CHECKER = "check-jsonschema"
TOOLS = (GV, GV_JOBS, FLOOR, JSONSCHEMA, CHECKER)
IMPORTS = "python -c 'import click, jsonschema_rs, orjson'"  # what any run of ours imports
WORKLOADS = ("pages-valid", "pages-invalid", "list-valid", "list-invalid", "jsonl-valid", "jsonl-invalid")
WORKLOAD_LABELS = {
    "pages-valid": "2,000 pages x 25 images",
    "pages-invalid": "2,000 pages, 1% invalid",
    "list-valid": "1,000-image list",
    "list-invalid": "1,000-image list, 1% invalid",
    "jsonl-valid": "100,000-line JSONL",
    "jsonl-invalid": "100,000-line JSONL, 1% invalid",
}
FLOOD = "flood"  # 150,000 images, 19 warnings each (bench/flood.py)
FLOOD_CLEAN = "flood-clean"  # the same shape without findings: the baseline
FLOOD_LABELS = {
    FLOOD: "150,000 images, each repeating a tag",
    FLOOD_CLEAN: "150,000 images, clean",
}


def median(values: Iterable[float]) -> float | None:
    values = list(values)
    return statistics.median(values) if values else None


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator


def summarise(
    workload: str, tool: str, samples: Sequence[Mapping[str, Any]], status: str = "ok"
) -> dict[str, Any]:
    """One row of the results: the samples of one tool on one workload and their medians."""
    seconds = [s["seconds"] for s in samples]
    loads = [s["other_load"] for s in samples if s.get("other_load") is not None]
    return {
        "workload": workload,
        "tool": tool,
        "status": status,
        "median_s": median(seconds),
        "min_s": min(seconds) if seconds else None,
        "max_s": max(seconds) if seconds else None,
        "median_cpu_s": median(s["cpu_seconds"] for s in samples),
        "max_rss_mb": max((s["max_rss_mb"] for s in samples), default=None),
        "exit_codes": sorted({s["exit_code"] for s in samples}),
        "other_load": median(loads),
        "runs_s": [round(x, 4) for x in seconds],
    }


def seconds_of(
    rows: Iterable[Mapping[str, Any]], workload: str, tool: str, statistic: str = "median_s"
) -> float | None:
    """The median (or ``statistic``) time of ``tool`` on ``workload``; None when not measured or usable."""
    for row in rows:
        if row["workload"] == workload and row["tool"] == tool and row["status"] == "ok":
            value = row[statistic]
            return float(value) if value is not None else None
    return None


@dataclass(frozen=True)
class Target:
    name: str
    value: float | None
    op: str  # "<=" or ">="
    limit: float

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.value <= self.limit if self.op == "<=" else self.value >= self.limit

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "op": self.op, "limit": self.limit, "met": self.met}


def linearity(points: Sequence[tuple[int, float]]) -> float | None:
    """Cost per file over the second half of the range divided by that over the first half.

    1.0 is perfectly linear; a run whose time grows with the square of the number of files
    gives about 2 or more. ``points`` are (files, seconds) sorted by files.
    """
    if len(points) < 3:
        return None
    (n0, t0), (n1, t1), (n2, t2) = points[0], _middle(points), points[-1]
    if not n0 < n1 < n2:
        return None
    early = (t1 - t0) / (n1 - n0)
    late = (t2 - t1) / (n2 - n1)
    return ratio(late, early)


def _middle(points: Sequence[tuple[int, float]]) -> tuple[int, float]:
    """The point nearest half of the largest count."""
    half = points[-1][0] / 2
    return min(points[1:-1], key=lambda p: abs(p[0] - half))


def targets(results: Mapping[str, Any], statistic: str = "median_s") -> list[Target]:
    """The issue's targets, each as a ratio measured in this one run (of medians, or of ``statistic``)."""
    rows = results.get("timings", [])
    startup = results.get("startup", [])
    memory = {m["name"]: m for m in results.get("memory", [])}
    scaling = [(p["files"], p[statistic]) for p in results.get("scaling", []) if p.get(statistic) is not None]

    def seconds(table: Sequence[Mapping[str, Any]], workload: str, tool: str) -> float | None:
        return seconds_of(table, workload, tool, statistic)

    checks = results.get("findings", {})
    found: list[Target] = [
        Target(
            "2,000 files, one process: x the jsonschema-rs + orjson loop",
            ratio(seconds(rows, "pages-valid", GV), seconds(rows, "pages-valid", FLOOR)),
            "<=",
            1.5,
        ),
        Target(
            "2,000 files: times faster than check-jsonschema",
            ratio(seconds(rows, "pages-valid", CHECKER), seconds(rows, "pages-valid", GV)),
            ">=",
            20,
        ),
        Target(
            "2,000 files, 1% invalid: times faster than check-jsonschema",
            ratio(seconds(rows, "pages-invalid", CHECKER), seconds(rows, "pages-invalid", GV)),
            ">=",
            10,
        ),
        Target(
            "1% invalid: share of invalid images with a finding at line:col",
            _share(checks.get("pages-invalid")),
            ">=",
            1.0,
        ),
        Target(
            "--jobs 2: times faster than one process",
            ratio(seconds(rows, "pages-valid", GV), seconds(rows, "pages-valid", GV_JOBS)),
            ">=",
            1.6,
        ),
        *(
            Target(
                f"--jobs 2 on {WORKLOAD_LABELS[workload]}: times faster than one process",
                ratio(seconds(rows, workload, GV), seconds(rows, workload, GV_JOBS)),
                ">=",
                1.6,
            )
            for workload in ("jsonl-valid", "jsonl-invalid")
        ),
        Target(
            "--version: x check-jsonschema --version",
            ratio(seconds(startup, "version", GV), seconds(startup, "version", CHECKER)),
            "<=",
            0.2,
        ),
        Target(
            "one-file run: x check-jsonschema's",
            ratio(seconds(startup, "one-file", GV), seconds(startup, "one-file", CHECKER)),
            "<=",
            0.25,
        ),
        Target(
            "JSONL peak memory: 100,000 lines / 10,000 lines",
            ratio(_rss(memory.get("jsonl-100k")), _rss(memory.get("jsonl-10k"))),
            "<=",
            1.1,
        ),
        Target(
            "10 -> 2,000 files: late / early cost per file (1 = linear)",
            linearity(sorted(scaling)),
            "<=",
            1.25,
        ),
        *flood_targets(results.get("flood", []), statistic),
    ]
    return found


def flood_seconds(
    rows: Sequence[Mapping[str, Any]], workload: str, tool: str = GV, statistic: str = "median_s"
) -> float | None:
    """A flood run's time; a run killed at the timeout counts as the timeout (a lower bound)."""
    for row in rows:
        if row["workload"] == workload and row["tool"] == tool:
            if row["status"] == "timed out":
                return float(row["timeout_s"])
            return float(row[statistic]) if row["status"] == "ok" and row[statistic] is not None else None
    return None


def per_finding(
    rows: Sequence[Mapping[str, Any]], tool: str = GV, statistic: str = "median_s"
) -> tuple[float | None, float | None]:
    """Microseconds and kilobytes of peak memory per finding, the flood above its clean baseline."""
    flood = next((r for r in rows if r["workload"] == FLOOD and r["tool"] == tool), None)
    clean = next((r for r in rows if r["workload"] == FLOOD_CLEAN and r["tool"] == tool), None)
    if flood is None or clean is None or not flood.get("findings"):
        return None, None
    findings = float(flood["findings"])
    seconds = flood_seconds(rows, FLOOD, tool, statistic)
    baseline = flood_seconds(rows, FLOOD_CLEAN, tool, statistic)
    us = None if seconds is None or baseline is None else (seconds - baseline) / findings * 1e6
    rss, clean_rss = flood.get("max_rss_mb"), clean.get("max_rss_mb")
    completed = flood["status"] == "ok" and clean["status"] == "ok"
    kb = (
        (rss - clean_rss) * 1024 / findings
        if completed and rss is not None and clean_rss is not None
        else None
    )
    return us, kb


def flood_targets(rows: Sequence[Mapping[str, Any]], statistic: str = "median_s") -> list[Target]:
    us, kb = per_finding(rows, GV, statistic)
    return [
        Target("findings flood: us per finding above the clean run", us, "<=", 10),
        Target("findings flood: KB of peak memory per finding above the clean run", kb, "<=", 0.2),
        Target(
            "findings flood: seconds for 150,000 images (2.85 M findings)",
            flood_seconds(rows, FLOOD, GV, statistic),
            "<=",
            40,
        ),
    ]


def _share(check: Mapping[str, Any] | None) -> float | None:
    if not check or not check.get("expected"):
        return None
    return float(check["located"]) / float(check["expected"])


def _rss(entry: Mapping[str, Any] | None) -> float | None:
    if not entry or entry.get("status") != "ok":
        return None
    value = entry.get("max_rss_mb")
    return float(value) if value is not None else None


# Rendering -------------------------------------------------------------------------------


def _seconds(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def _number(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.2f}" if value < 100 else f"{value:.0f}"


def _verdict(target: Target) -> str:
    return {True: "met", False: "MISSED", None: "not measured"}[target.met]


def timing_grid(rows: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    """Header plus one row per workload: the median seconds of each tool."""
    grid = [["workload", *TOOLS]]
    for workload in WORKLOADS:
        cells = []
        for tool in TOOLS:
            row = next((r for r in rows if r["workload"] == workload and r["tool"] == tool), None)
            if row is None:
                cells.append("-")
            elif row["status"] != "ok":
                cells.append("n/a")
            else:
                cells.append(_seconds(row["median_s"]))
        if any(c != "-" for c in cells):
            grid.append([WORKLOAD_LABELS[workload], *cells])
    return grid


def startup_grid(rows: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    """Start-up: each command's median next to check-jsonschema's and the ratio."""
    grid = [["start-up", GV, CHECKER, "ratio"]]
    for workload, label in (("version", "--version"), ("one-file", "one 25-image file")):
        ours, theirs = seconds_of(rows, workload, GV), seconds_of(rows, workload, CHECKER)
        grid.append([label, _seconds(ours), _seconds(theirs), _number(ratio(ours, theirs))])
    python = seconds_of(rows, "python", "python -c pass")
    if python is not None:
        grid.append(["python -c pass (for scale)", _seconds(python), "", ""])
    floor = seconds_of(rows, "one-file", FLOOR)
    if floor is not None:
        theirs = seconds_of(rows, "one-file", CHECKER)
        grid.append([f"{FLOOR}, one file (for scale)", _seconds(floor), "", _number(ratio(floor, theirs))])
    imports = seconds_of(rows, "imports", IMPORTS)
    if imports is not None:
        theirs = seconds_of(rows, "one-file", CHECKER)
        grid.append([f"{IMPORTS} (for scale)", _seconds(imports), "", _number(ratio(imports, theirs))])
    return grid


def flood_grid(rows: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    """The flood and its clean baseline for each tool, and what a finding costs above the baseline."""
    grid = [["findings flood", "tool", "findings", "time", "peak RSS", "us / finding", "KB / finding"]]
    for tool in (GV, GV_JOBS):
        us, kb = per_finding(rows, tool)
        for workload in (FLOOD, FLOOD_CLEAN):
            row = next((r for r in rows if r["workload"] == workload and r["tool"] == tool), None)
            if row is None:
                continue
            time = flood_seconds(rows, workload, tool)
            shown = (
                "n/a" if time is None else (">= " if row["status"] == "timed out" else "") + _seconds(time)
            )
            rss = row.get("max_rss_mb") if row["status"] == "ok" else None
            grid.append(
                [
                    FLOOD_LABELS[workload],
                    tool,
                    f"{row.get('findings') or 0:,}",
                    shown,
                    "n/a" if rss is None else f"{rss:.0f} MB",
                    (">= " if row["status"] == "timed out" and us is not None else "") + _number(us)
                    if workload == FLOOD
                    else "",
                    ("n/a" if kb is None else f"{kb:.3f}") if workload == FLOOD else "",
                ]
            )
    return grid


def memory_grid(entries: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    grid = [["peak memory", "input", "peak RSS", "time"]]
    for entry in entries:
        size = entry.get("bytes")
        shown = f"{size / 1e6:.1f} MB" if isinstance(size, int) else ""
        if entry.get("status") != "ok":
            grid.append([entry["name"], shown, "n/a", "n/a"])
            continue
        grid.append([entry["name"], shown, f"{entry['max_rss_mb']:.0f} MB", _seconds(entry["median_s"])])
    return grid


def scaling_grid(points: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    grid = [["files", "glance-validate", "per file"]]
    for point in points:
        seconds = point.get("median_s")
        per = None if seconds is None else seconds / point["files"] * 1000
        grid.append([str(point["files"]), _seconds(seconds), "n/a" if per is None else f"{per:.2f} ms"])
    return grid


def target_grid(found: Sequence[Target], best: Sequence[Target] = ()) -> list[list[str]]:
    """The targets on medians, with the same ratios on each tool's best run beside them."""
    grid = [["target", "measured", "best runs", "wanted", "verdict"]]
    best_by_name = {t.name: t for t in best}
    for target in found:
        other = best_by_name.get(target.name)
        grid.append(
            [
                target.name,
                _number(target.value),
                _number(other.value) if other is not None else "",
                f"{target.op} {_number(target.limit)}",
                _verdict(target),
            ]
        )
    return grid


def render_text(grid: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in grid) for i in range(len(grid[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in grid
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_markdown(grid: Sequence[Sequence[str]]) -> str:
    numeric = [i > 0 and all(_looks_numeric(row[i]) for row in grid[1:]) for i in range(len(grid[0]))]
    lines = ["| " + " | ".join(grid[0]) + " |"]
    lines.append("|" + "|".join("---:" if n else "---" for n in numeric) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in grid[1:]]
    return "\n".join(lines)


def _looks_numeric(cell: str) -> bool:
    if not cell.strip():
        return True
    words = cell.split()
    head = words[1] if len(words) > 1 and words[0] == ">=" else words[0] if words else ""
    return head in ("n/a", "-") or head.replace(",", "").replace(".", "", 1).isdigit()
