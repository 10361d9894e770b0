"""The crawl: read-only GETs of a live image API, bounded in requests, images and rate.

The versions document, both schemas, the image list page by page (following ``next`` to an
empty or short page), the same list on one large page, each image by id, and the standard
list variants (sorts in both syntaxes, filters). Each answer is kept as an ``Exchange`` with
the crawl-only findings (W codes) about it; bodies are validated afterwards by ``probe.run``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from glance_validate.checks.error_pages import snippet
from glance_validate.core.catalog import finding
from glance_validate.core.findings import Finding
from glance_validate.probe import checks
from glance_validate.probe.release import release_findings

if TYPE_CHECKING:
    from collections.abc import Callable

    from glance_validate.net.client import HttpClient

LARGE_LIMIT = 1000  # Glance's default api_limit_max: one page that holds a test cloud whole
SORTS = (
    ("sort_key=created_at&sort_dir=asc", "created_at", False),
    ("sort_key=created_at&sort_dir=desc", "created_at", True),
    ("sort_key=name&sort_dir=asc", "name", False),
    ("sort_key=name&sort_dir=desc", "name", True),
    ("sort=name:asc", "name", False),
    ("sort=created_at:desc", "created_at", True),
)

EMPTY = "(empty body)"  # how a body with no text is named in messages


class Denied(Exception):
    """401 or 403: the token is missing, wrong or not allowed; the crawl stops."""


class Exhausted(Exception):
    """--max-requests reached: the crawl stops where it is."""


@dataclass(frozen=True)
class CrawlLimits:
    """How far and how fast the crawl goes."""

    max_requests: int = 500
    max_images: int = 200
    page_limit: int = 5
    rate: float = 10.0  # requests per second at most


@dataclass
class Exchange:
    """One request and its answer, with the crawl's own findings about it."""

    request: str  # "GET /v2/images?limit=5": method, path and masked query
    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float
    kind: str  # "versions", "schema", "list", "image"
    findings: list[Finding] = field(default_factory=list)
    started: float = 0.0  # wall clock time, for a HAR

    @property
    def value(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass
class Crawl:
    """A crawl in progress: the client, its limits, and every exchange so far."""

    client: HttpClient
    endpoint: str
    limits: CrawlLimits
    exchanges: list[Exchange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    progress: Callable[[int, str], None] | None = None  # told each request as it is sent
    _last: float = 0.0

    def get(self, target: str, kind: str) -> Exchange:
        """GET ``target`` (a path, or a URL of the endpoint); raises Exhausted, Denied."""
        if len(self.exchanges) >= self.limits.max_requests:
            raise Exhausted(f"--max-requests {self.limits.max_requests} reached")
        self._pace()
        url = urljoin(self.endpoint.rstrip("/") + "/", target.lstrip("/"))
        parts = urlsplit(url)
        if self.progress is not None:
            self.progress(len(self.exchanges) + 1, parts.path)
        started = time.time()
        response = self.client.get(url)
        # the queries are the crawl's own and the server's markers: shown whole (masked_query
        # would hide sort_key, whose name looks like a credential's); the token is a header
        query = f"?{parts.query}" if parts.query else ""
        exchange = Exchange(
            f"GET {parts.path}{query}",
            url,
            response.status,
            dict(response.headers),
            response.body,
            response.seconds,
            kind,
            started=started,
        )
        self.exchanges.append(exchange)
        if response.status in (401, 403):
            raise Denied(f"{exchange.request}: HTTP {response.status}: {snippet(response.body, empty=EMPTY)}")
        exchange.findings.extend(_answer_findings(exchange, response.attempts))
        return exchange

    def _pace(self) -> None:
        if self.limits.rate > 0:
            wait = self._last + 1.0 / self.limits.rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self._last = time.monotonic()


def crawl(crawl: Crawl) -> None:
    """Every step of the crawl in order; stops early (with a note) when a limit is reached."""
    try:
        crawl.get("/versions", "versions")
        images_schema = crawl.get("/v2/schemas/images", "schema")
        images_schema.findings.extend(release_findings(images_schema.value))
        crawl.get("/v2/schemas/image", "schema")
        walked = _walk(crawl)
        whole = _large_page(crawl, walked)
        _each_image(crawl, walked)
        _variants(crawl, whole)
    except Exhausted as exc:
        crawl.notes.append(f"the crawl stopped early: {exc}")


def _walk(crawl: Crawl) -> dict[str, dict[str, Any]]:
    """The paged walk: entries by id, in order, with W001/W003/W004 on the pages."""
    limit = crawl.limits.page_limit
    seen: dict[str, int] = {}
    entries: dict[str, dict[str, Any]] = {}
    target: str | None = f"/v2/images?limit={limit}"
    page = 0
    while target and len(entries) < crawl.limits.max_images:
        exchange = crawl.get(target, "list")
        images = _images(exchange)
        if images is None:
            break
        exchange.findings.extend(checks.page_findings(images, limit, seen, page))
        entries.update((image["id"], image) for image in images if isinstance(image.get("id"), str))
        target = exchange.value.get("next")
        if 0 < len(images) < limit and target:
            message = f"a page of {len(images)} images, fewer than limit={limit}, links to a next page"
            exchange.findings.append(finding("W003", "/next", message))
            break
        if len(images) < limit:
            break
        page += 1
    return entries


def _large_page(crawl: Crawl, walked: dict[str, dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The same list on one page: W002 for images the walk lost, W003 for a walk cut short."""
    exchange = crawl.get(f"/v2/images?limit={LARGE_LIMIT}", "list")
    images = _images(exchange)
    if images is None or exchange.value.get("next") or len(walked) >= crawl.limits.max_images:
        return images  # not the whole list, or the walk was bounded: nothing to compare
    whole = [image["id"] for image in images if isinstance(image.get("id"), str)]
    lost = checks.lost_findings(list(walked), whole, crawl.limits.page_limit)
    exchange.findings.extend(lost)
    last = next((e for e in reversed(crawl.exchanges[:-1]) if e.kind == "list"), None)
    if lost and last is not None and not last.value.get("next"):
        message = f"the walk ended here without `next`, but {len(lost)} more images are listed"
        last.findings.append(finding("W003", "", message))
    return images


def _each_image(crawl: Crawl, walked: dict[str, dict[str, Any]]) -> None:
    for image_id, entry in list(walked.items())[: crawl.limits.max_images]:
        exchange = crawl.get(f"/v2/images/{image_id}", "image")
        own = exchange.value
        if exchange.status == 200 and isinstance(own, dict):
            exchange.findings.extend(checks.entry_findings(own, entry))


def _variants(crawl: Crawl, whole: list[dict[str, Any]] | None) -> None:
    for query, key, descending in SORTS:
        exchange = crawl.get(f"/v2/images?{query}&limit={LARGE_LIMIT}", "list")
        images = _images(exchange)
        if images is not None:
            exchange.findings.extend(checks.order_findings(images, key, descending))
    filters = [("status=active", "status", "active"), ("visibility=public", "visibility", "public")]
    tag = next((t for image in whole or () for t in image.get("tags") or () if isinstance(t, str)), None)
    if tag is not None:
        filters.append((f"tag={_quoted(tag)}", "tags", tag))
    for query, key, wanted in filters:
        exchange = crawl.get(f"/v2/images?{query}&limit={LARGE_LIMIT}", "list")
        images = _images(exchange)
        if images is not None:
            exchange.findings.extend(checks.filter_findings(images, key, wanted, query))
    exchange = crawl.get(f"/v2/images?visibility=all&limit={LARGE_LIMIT}", "list")
    images = _images(exchange)
    if images is not None and whole is not None and not exchange.value.get("next"):
        listed = [image["id"] for image in whole if isinstance(image.get("id"), str)]
        wider = [image["id"] for image in images if isinstance(image.get("id"), str)]
        exchange.findings.extend(checks.subset_findings(listed, wider, "visibility=all"))


def _images(exchange: Exchange) -> list[dict[str, Any]] | None:
    value = exchange.value
    if exchange.status != 200 or not isinstance(value, dict) or not isinstance(value.get("images"), list):
        return None
    return [image for image in value["images"] if isinstance(image, dict)]


def _answer_findings(exchange: Exchange, attempts: int) -> list[Finding]:
    """W010 for a status other than 200, W009 for a body or Content-Type that is not JSON."""
    if exchange.status != 200:
        retried = f" after {attempts} attempts" if attempts > 1 else ""
        message = f"HTTP {exchange.status}{retried}: {snippet(exchange.body, empty=EMPTY)}"
        return [finding("W010", "", message)]
    found = []
    media = exchange.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        found.append(finding("W009", "", f"Content-Type is {media or 'missing'!r}, not 'application/json'"))
    if exchange.value is None:
        found.append(finding("W009", "", f"the body is not JSON: {snippet(exchange.body, empty=EMPTY)}"))
    return found


def _quoted(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")
