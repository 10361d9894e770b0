"""probe: the crawl-only checks (W codes), the HTTP client, and a crawl of a small local server.

The real Glance and the fault-injecting proxy are in tests/test_probe_real.py.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sample_payloads import sample_image, sample_page

from glance_validate.core.exitcodes import ExitCode
from glance_validate.net.client import proxy_for, retry_wait
from glance_validate.net.exchange import ClientSettings
from glance_validate.probe import checks
from glance_validate.probe.crawl import CrawlLimits
from glance_validate.probe.release import release_findings
from glance_validate.probe.run import ProbeOptions, run
from glance_validate.schema.sources import load_schema

TOKEN = "gAAAAABprobe-token-93b1e"


def image(n: int, **fields: Any) -> dict[str, Any]:
    return {"id": f"id-{n}", "name": f"image-{n}", "status": "active", **fields}


def served_image(n: int, name: str) -> dict[str, Any]:
    """A clean image as Glance serves it, with id number ``n``."""
    uuid = f"6a1f0c2e-93d4-4b7e-8f21-0c5d7e9a3b1{n}"
    return sample_image(
        id=uuid, name=name, visibility="public", self=f"/v2/images/{uuid}", file=f"/v2/images/{uuid}/file"
    )


def codes(found: list[Any]) -> list[str]:
    return [f.code for f in found]


def test_an_id_on_two_pages_is_w001() -> None:
    """An image listed again on a later page is W001, pointing at its entry."""
    seen: dict[str, int] = {}
    checks.page_findings([image(1), image(2)], 2, seen, 0)
    found = checks.page_findings([image(2), image(3)], 2, seen, 1)
    assert [(f.code, f.path) for f in found] == [("W001", "/images/0")]


def test_a_page_over_its_limit_is_w004() -> None:
    """More images than limit asked for is W004."""
    assert codes(checks.page_findings([image(1), image(2), image(3)], 2, {}, 0)) == ["W004"]


def test_an_image_missing_from_the_walk_is_w002() -> None:
    """An id of the large page that the walk never listed is W002."""
    found = checks.lost_findings(["id-1", "id-3"], ["id-1", "id-2", "id-3"], 5)
    assert [(f.code, f.path) for f in found] == [("W002", "/images/1")]


def test_a_reversed_sort_is_w005_and_either_collation_holds() -> None:
    """Names out of order are W005; binary and case-insensitive orders both pass."""
    assert codes(checks.order_findings([image(1, name="b"), image(2, name="a")], "name", False)) == ["W005"]
    binary = [image(1, name="Zeta"), image(2, name="alpha")]
    folded = [image(1, name="alpha"), image(2, name="Zeta")]
    assert checks.order_findings(binary, "name", False) == checks.order_findings(folded, "name", False) == []


def test_an_image_the_filter_excludes_is_w006() -> None:
    """A queued image on a status=active page, or an image without the tag, is W006."""
    assert codes(checks.filter_findings([image(1, status="queued")], "status", "active", "q")) == ["W006"]
    assert codes(checks.filter_findings([image(1, tags=["x"])], "tags", "y", "tag=y")) == ["W006"]


def test_a_wider_listing_missing_an_image_is_w006() -> None:
    """visibility=all that leaves out an image of the default listing is W006."""
    assert codes(checks.subset_findings(["id-1", "id-2"], ["id-1"], "visibility=all")) == ["W006"]


def test_an_image_differing_from_its_entry_is_w007() -> None:
    """A field of the image's own GET that differs from its list entry is W007 at that field."""
    found = checks.entry_findings(image(1, size=13), image(1, size=14))
    assert [(f.code, f.path) for f in found] == [("W007", "/size")]


def test_a_schema_of_no_release_is_w008_naming_the_closest() -> None:
    """The served glance schema matches a release; one without a base property is W008."""
    schema = load_schema("glance").document
    assert release_findings(schema) == []
    del schema["properties"]["images"]["items"]["properties"]["min_ram"]
    found = release_findings(schema)
    assert codes(found) == ["W008"] and "min_ram" in found[0].message and "closest" in found[0].message


def test_retry_after_is_bounded() -> None:
    """Retry-After in seconds is honoured up to the bound; without it the backoff grows."""
    assert retry_wait("2", 1, 30.0) == 2.0
    assert retry_wait("3600", 1, 30.0) == 30.0
    assert retry_wait(None, 1, 30.0) < retry_wait(None, 3, 30.0)


def test_proxy_from_the_environment_and_no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTPS_PROXY is used for https URLs, except for hosts NO_PROXY names."""
    monkeypatch.setenv("https_proxy", "http://proxy.invalid:3128")
    monkeypatch.setenv("no_proxy", "image.internal")
    assert proxy_for("https://image.example.com/v2/images") == "http://proxy.invalid:3128"
    assert proxy_for("https://image.internal/v2/images") is None


class _Glance(BaseHTTPRequestHandler):
    """A tiny image API: two images, served as Glance does; faults by server attribute."""

    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        self.server.tokens.add(self.headers.get("X-Auth-Token"))
        if self.server.status_first and self.server.status_first[0]:
            status = self.server.status_first.pop(0)
            self._send(status, b"busy", "text/plain", {"Retry-After": "0"})
            return
        schema = load_schema("glance").document
        images = [served_image(n, name) for n, name in ((1, "a"), (2, "b"))]
        if "name:desc" in self.path or "sort_key=name&sort_dir=desc" in self.path:
            images.reverse()
        if self.path.startswith("/v2/schemas/images"):
            body: Any = schema
        elif self.path.startswith("/v2/schemas/image"):
            body = schema["properties"]["images"]["items"]
        elif self.path.startswith("/v2/images/"):
            body = next(i for i in images if self.path.endswith(i["id"]))
        elif self.path.startswith("/v2/images"):
            body = sample_page(*(images if "marker" not in self.path else []))
            if self.server.next_on_short and "limit=5" in self.path:
                body["next"] = "/v2/images?limit=5&marker=" + images[-1]["id"]
        else:
            body = {"versions": []}
        self._send(200, json.dumps(body).encode(), self.server.media, {})

    def _send(self, status: int, body: bytes, media: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def glance() -> Iterator[Any]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Glance)
    server.paths, server.tokens, server.status_first, server.media = [], set(), [], "application/json"
    server.next_on_short = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def probe(server: Any, **given: Any) -> tuple[ExitCode, dict[str, Any], str]:
    out, err = io.StringIO(), io.StringIO()
    given.setdefault("limits", CrawlLimits(rate=0, page_limit=5))
    options = ProbeOptions(
        endpoint=f"http://127.0.0.1:{server.server_address[1]}",
        client=ClientSettings(token=TOKEN, max_retry_wait=0.01),
        output_format="json",
        **given,
    )
    code = run(options, out, err)
    return code, json.loads(out.getvalue()) if out.getvalue() else {}, err.getvalue()


def found_codes(report: dict[str, Any]) -> set[str]:
    return {f["code"] for payload in report["payloads"] for f in payload["findings"]}


def test_a_clean_server_gives_exit_0_and_sends_the_token(glance: Any) -> None:
    """Nothing to report: exit 0; the token went as X-Auth-Token on every request."""
    code, report, _ = probe(glance)
    assert (code, found_codes(report)) == (ExitCode.OK, set())
    assert glance.tokens == {TOKEN}


def test_a_503_then_200_is_retried_and_not_reported(glance: Any) -> None:
    """A 503 with Retry-After is retried: the crawl goes on with nothing reported."""
    glance.status_first = [503]
    code, report, _ = probe(glance)
    assert (code, found_codes(report)) == (ExitCode.OK, set())
    assert glance.paths[:2] == ["/versions", "/versions"]


def test_an_answer_still_failing_after_the_retries_is_w010(glance: Any) -> None:
    """A 503 that outlasts the retries is W010 on its request."""
    glance.status_first = [503] * 4
    code, report, _ = probe(glance)
    assert code == ExitCode.FINDINGS
    assert report["payloads"][0]["source"] == "GET /versions"
    assert [f["code"] for f in report["payloads"][0]["findings"]] == ["W010"]


def test_next_on_a_short_page_is_w003(glance: Any) -> None:
    """A page of 2 images under limit=5 that links to a next page is W003 at /next."""
    glance.next_on_short = True
    _, report, _ = probe(glance)
    page = next(p for p in report["payloads"] if p["source"] == "GET /v2/images?limit=5")
    assert ("W003", "/next") in [(f["code"], f["path"]) for f in page["findings"]]


def test_a_wrong_content_type_is_w009(glance: Any) -> None:
    """JSON served as text/html is W009."""
    glance.media = "text/html"
    _, report, _ = probe(glance)
    assert "W009" in found_codes(report)


def test_401_stops_the_probe_with_exit_3(glance: Any) -> None:
    """401 stops the crawl at once with a clear message, and the token is not in it."""
    glance.status_first = [401]
    code, _, err = probe(glance)
    assert code == ExitCode.TOOL_FAILURE
    assert "access denied" in err and TOKEN not in err
    assert len(glance.paths) == 1


def test_max_requests_stops_the_crawl_with_a_note(glance: Any) -> None:
    """--max-requests bounds the crawl: no more requests are sent, and stderr says why."""
    _, _, err = probe(glance, limits=CrawlLimits(rate=0, max_requests=4))
    assert len(glance.paths) == 4 and "--max-requests 4" in err


def test_save_writes_a_har_without_the_token_that_check_reads(glance: Any, tmp_path: Path) -> None:
    """--save DIR writes probe.har without the token; check reads it again offline."""
    from glance_validate.runner.options import RunOptions
    from glance_validate.runner.run import run as check

    probe(glance, save=str(tmp_path))
    text = (tmp_path / "probe.har").read_text("utf-8")
    assert TOKEN not in text and len(json.loads(text)["log"]["entries"]) == len(glance.paths)
    out = io.StringIO()
    code = check(RunOptions([str(tmp_path)], schema="glance", output_format="json"), out, io.StringIO())
    assert code == 0, out.getvalue()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_progress_line(glance: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal the request being sent is shown in place, and the line is cleared at the end."""
    monkeypatch.delenv("CI", raising=False)
    err = _Terminal()
    options = ProbeOptions(
        endpoint=f"http://127.0.0.1:{glance.server_address[1]}",
        client=ClientSettings(),
        limits=CrawlLimits(rate=0),
        output_format="json",
    )
    run(options, io.StringIO(), err)
    assert "\rprobe: request 1 (of at most 500): GET /versions" in err.getvalue().replace("\x1b[K", "")
    assert err.getvalue().endswith("\r\x1b[K")


def test_a_schema_url_is_fetched_with_the_token_only_on_the_endpoint_origin() -> None:
    """probe --schema URL: the crawl's TLS settings always, its token only to the endpoint's origin."""
    from glance_validate.probe.run import ProbeOptions, _remote

    options = ProbeOptions(
        endpoint="https://image.example.com", client=ClientSettings(token=TOKEN, cacert="ca.pem")
    )
    assert _remote(options, "https://image.example.com/v2/schemas/images").token == TOKEN
    elsewhere = _remote(options, "https://schemas.example.org/images.json")
    assert (elsewhere.token, elsewhere.cacert) == (None, "ca.pem")
