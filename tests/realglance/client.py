"""A small HTTP client for the test Glance (standard library only, every request bounded in time)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

REQUEST_TIMEOUT = 30.0  # seconds for one request, connect and read


class GlanceError(RuntimeError):
    """Glance answered with an unexpected status, or not at all."""


@dataclass(frozen=True)
class Response:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def json(self) -> Any:
        return json.loads(self.body)

    def as_http(self) -> bytes:
        """The response as ``curl -i`` saves it: status line, headers, blank line, body."""
        head = [f"HTTP/1.1 {self.status} {self.reason}"] + [f"{key}: {value}" for key, value in self.headers]
        return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + self.body


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class GlanceClient:
    """Requests to one Glance endpoint (``http://127.0.0.1:PORT``), JSON in and out."""

    def __init__(self, base_url: str, timeout: float = REQUEST_TIMEOUT) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.hostname != "127.0.0.1":
            raise ValueError(f"the test Glance is served on 127.0.0.1 only, not {base_url}")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirect)

    def url(self, path: str) -> str:
        return self.base_url + path

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        expect: tuple[int, ...] = (200,),
    ) -> Response:
        sent = dict(headers or {})
        if json_body is not None:
            data = json.dumps(json_body).encode()
            sent.setdefault("Content-Type", "application/json")
        elif data is not None:
            sent.setdefault("Content-Type", "application/octet-stream")
        req = urllib.request.Request(self.url(path), data=data, headers=sent, method=method)
        try:
            with self._opener.open(req, timeout=self.timeout) as answer:
                response = Response(answer.status, answer.reason, list(answer.headers.items()), answer.read())
        except urllib.error.HTTPError as exc:
            response = Response(exc.code, str(exc.reason), list(exc.headers.items()), exc.read())
        except (urllib.error.URLError, OSError) as exc:
            raise GlanceError(f"{method} {path}: no answer: {exc}") from exc
        if expect and response.status not in expect:
            text = response.body[:500].decode("utf-8", "replace")
            raise GlanceError(f"{method} {path}: HTTP {response.status} (expected {expect}): {text}")
        return response

    def get_json(self, path: str) -> Any:
        return self.request("GET", path, headers={"Accept": "application/json"}).json()

    def wait_for(
        self, path: str, done: Callable[[Any], bool], timeout: float = 30.0, interval: float = 0.1
    ) -> Any:
        """GET path until done(body) holds; GlanceError after timeout seconds."""
        deadline = time.monotonic() + timeout
        while True:
            body = self.get_json(path)
            if done(body):
                return body
            if time.monotonic() > deadline:
                raise GlanceError(f"GET {path}: not done after {timeout:.0f} s; last body: {body}")
            time.sleep(interval)


@dataclass(frozen=True)
class Page:
    path: str  # the request path, with its query
    response: Response


def walk_images(client: GlanceClient, query: str = "limit=5", max_pages: int = 200) -> list[Page]:
    """GET /v2/images?query and every ``next`` page after it, until Glance answers an empty page.

    Glance gives a full last page a ``next`` link too, so the walk ends on the empty page after it,
    which is returned as well. Raises GlanceError past max_pages.
    """
    pages: list[Page] = []
    path: str | None = f"/v2/images?{query}" if query else "/v2/images"
    while path is not None:
        if len(pages) >= max_pages:
            raise GlanceError(f"the image list walk did not end within {max_pages} pages")
        response = client.request("GET", path, headers={"Accept": "application/json"})
        pages.append(Page(path, response))
        body = response.json()
        path = body.get("next") if body.get("images") else None
    return pages
