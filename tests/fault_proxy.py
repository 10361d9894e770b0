"""A fault-injecting proxy in front of the real Glance, for the probe tests.

The first path segment names the fault (``http://127.0.0.1:PORT/drop/v2/images``): the rest is
forwarded to Glance and the answer changed as the fault says. ``/none/...`` forwards untouched.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

Answer = tuple[int, dict[str, str], bytes]


def _json(answer: Answer, change: Callable[[Any], Any]) -> Answer:
    status, headers, body = answer
    return status, headers, json.dumps(change(json.loads(body))).encode()


def _drop(path: str, query: dict[str, list[str]], answer: Answer) -> Answer:
    """The second page of the walk loses its first image."""
    if query.get("limit") == ["5"] and "marker" in query and path == "/v2/images":
        return _json(answer, lambda body: {**body, "images": body["images"][1:]} if body["images"] else body)
    return answer


def _repeat(path: str, query: dict[str, list[str]], answer: Answer) -> Answer:
    """The second page of the walk lists its first image twice (the last one is pushed out)."""
    if query.get("limit") == ["5"] and "marker" in query and path == "/v2/images":
        images = json.loads(answer[2])["images"]
        if images:
            return _json(answer, lambda body: {**body, "images": [images[0], *images[:-1]]})
    return answer


def _reverse(path: str, query: dict[str, list[str]], answer: Answer) -> Answer:
    """Every listing sorted by name comes in the other direction."""
    if path == "/v2/images" and (query.get("sort_key") == ["name"] or "sort" in query):
        return _json(answer, lambda body: {**body, "images": body["images"][::-1]})
    return answer


def _corrupt(path: str, query: dict[str, list[str]], answer: Answer) -> Answer:
    """The first page of the walk says its first image is in status "broken"."""
    if path == "/v2/images" and query.get("limit") == ["5"] and "marker" not in query:

        def change(body: Any) -> Any:
            body["images"][0]["status"] = "broken"
            return body

        return _json(answer, change)
    return answer


FAULTS: dict[str, Callable[[str, dict[str, list[str]], Answer], Answer]] = {
    "none": lambda path, query, answer: answer,
    "drop": _drop,
    "repeat": _repeat,
    "reverse": _reverse,
    "corrupt": _corrupt,
}
# "ignore-filter" forwards status=active without it; "flaky" answers 503 once per path first


class FaultProxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = upstream.rstrip("/")
        self.flaky_seen: set[str] = set()
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FaultProxy

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        _, fault, rest = self.path.split("/", 2)
        parts = urlsplit("/" + rest)
        query = parse_qs(parts.query)
        if fault == "flaky":
            with self.server.lock:
                first = parts.path not in self.server.flaky_seen
                self.server.flaky_seen.add(parts.path)
            if first:
                self._send((503, {"Content-Type": "text/plain", "Retry-After": "0"}, b"try again"))
                return
        forwarded = parts.query
        if fault == "ignore-filter":
            forwarded = "&".join(p for p in parts.query.split("&") if p != "status=active")
        answer = self._forward(urlunsplit(("", "", parts.path, forwarded, "")))
        if answer[0] == 200:
            answer = FAULTS.get(fault, FAULTS["none"])(parts.path, query, answer)
        self._send(answer)

    def _forward(self, target: str) -> Answer:
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("accept", "x-auth-token")}
        request = urllib.request.Request(self.server.upstream + target, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers.items()), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers.items()), exc.read()

    def _send(self, answer: Answer) -> None:
        status, headers, body = answer
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection", "date", "server"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def fault_proxy(upstream: str) -> Iterator[FaultProxy]:
    proxy = FaultProxy(upstream)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()
