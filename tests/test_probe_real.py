"""glance-validate probe against a real Glance 33.0.0, directly and behind a fault-injecting proxy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fault_proxy import FaultProxy, fault_proxy
from realglance.fixture import RealGlanceSession
from test_real_glance import cli


@pytest.fixture(scope="module")
def proxy(real_glance: RealGlanceSession) -> Iterator[FaultProxy]:
    with fault_proxy(real_glance.base_url) as server:
        yield server


def probe(tmp_path: Path, endpoint: str, *args: str) -> tuple[int, dict[str, Any], str]:
    """Run ``probe --format json``: the exit code, the report and standard error."""
    done = cli(tmp_path, "probe", "--endpoint", endpoint, "--rate", "0", "--format", "json", *args)
    assert done.stdout.startswith("{"), f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.returncode, json.loads(done.stdout), done.stderr


def codes(report: dict[str, Any]) -> dict[str, set[str]]:
    """Each finding code with the requests it was reported on."""
    found: dict[str, set[str]] = {}
    for payload in report["payloads"]:
        for item in payload["findings"]:
            found.setdefault(item["code"], set()).add(payload["source"])
    return found


def test_probe_of_real_glance_reports_nothing(real_glance: RealGlanceSession, tmp_path: Path) -> None:
    """Every answer of the real Glance is clean: against its own schema and by every crawl rule."""
    status, report, stderr = probe(tmp_path, real_glance.base_url)
    assert (status, codes(report)) == (0, {}), stderr
    sources = [payload["source"] for payload in report["payloads"]]
    assert "GET /v2/images?limit=5" in sources and "GET /v2/schemas/image" in sources
    assert len([s for s in sources if s.startswith("GET /v2/images/")]) == len(
        real_glance.population.listed_ids()
    )


def test_probe_through_the_untouched_proxy_reports_nothing(proxy: FaultProxy, tmp_path: Path) -> None:
    """The proxy itself adds no fault: an endpoint with a path prefix is crawled below it."""
    status, report, stderr = probe(tmp_path, proxy.base_url + "/none")
    assert (status, codes(report)) == (0, {}), stderr


@pytest.mark.parametrize(
    ("fault", "code", "request_start"),
    [
        ("drop", "W002", "GET /none/v2/images?limit=1000"),
        ("repeat", "W001", "GET /none/v2/images?limit=5&marker="),
        ("reverse", "W005", "GET /none/v2/images?sort_key=name&sort_dir=asc"),
        ("ignore-filter", "W006", "GET /none/v2/images?status=active"),
        ("corrupt", "W007", "GET /none/v2/images/"),
        ("corrupt", "K002", "GET /none/v2/images?limit=5"),
    ],
)
def test_probe_reports_each_injected_fault(
    proxy: FaultProxy, tmp_path: Path, fault: str, code: str, request_start: str
) -> None:
    """Each fault of the proxy is reported with its code, on the request that shows it."""
    status, report, stderr = probe(tmp_path, f"{proxy.base_url}/{fault}")
    found = codes(report)
    assert status == 1, stderr
    where = request_start.replace("/none/", f"/{fault}/")
    assert any(source.startswith(where) for source in found.get(code, ())), found


def test_probe_retries_a_503_and_reports_nothing(proxy: FaultProxy, tmp_path: Path) -> None:
    """503 with Retry-After, then 200 on every path: retried, not reported."""
    status, report, stderr = probe(tmp_path, proxy.base_url + "/flaky")
    assert (status, codes(report)) == (0, {}), stderr
    assert len(proxy.flaky_seen) > 20
