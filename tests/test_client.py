"""The HTTP client under the schema fetch: a forward proxy, NO_PROXY, and connections reused."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from forward_proxy import ForwardProxy, Recorder
from schema_server import SCHEMA_PATH, SEED

from glance_validate.net.client import HttpClient
from glance_validate.net.exchange import FetchSettings, Unreachable
from glance_validate.net.fetch import fetch

_PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy")


class _KeepAlive(BaseHTTPRequestHandler):
    """A Glance stand-in that keeps connections open: the schema, a token document, a redirect."""

    protocol_version = "HTTP/1.1"
    server: Recorder

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        """Keystone's password login: a token in X-Subject-Token, this server as the image endpoint."""
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.seen.append((self.path, self.client_address[1]))
        endpoint = {"id": "e1", "interface": "public", "region_id": "RegionOne", "url": self.server.base}
        token = {
            "methods": ["password"],
            "expires_at": "2099-01-01T00:00:00.000000Z",
            "user": {"id": "u1", "name": "demo", "domain": {"id": "default", "name": "Default"}},
            "project": {"id": "p1", "name": "demo", "domain": {"id": "default", "name": "Default"}},
            "catalog": [{"type": "image", "name": "glance", "id": "s1", "endpoints": [endpoint]}],
        }
        self._reply(201, json.dumps({"token": token}).encode(), {"X-Subject-Token": "keystone-token-1"})

    def do_GET(self) -> None:
        self.server.seen.append((self.path, self.client_address[1]))
        path = urlsplit(self.path).path
        if path == "/v3":
            links = [{"rel": "self", "href": self.server.base + "/v3/"}]
            version = {"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z", "links": links}
            self._reply(200, json.dumps({"version": version}).encode())
        elif path == "/old":
            self._reply(302, b"", {"Location": SCHEMA_PATH})
        elif path == "/v3/auth/tokens":
            self._reply(200, json.dumps({"token": {"methods": ["token"]}}).encode())
        else:
            self._reply(200, SEED.read_bytes())

    def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def glance() -> Iterator[Recorder]:
    with Recorder(_KeepAlive) as running:
        yield running


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with Recorder(ForwardProxy) as running:
        monkeypatch.setenv("HTTP_PROXY", running.base)
        yield running


def test_fetch_goes_through_the_http_proxy(glance: Recorder, proxy: Recorder) -> None:
    """With HTTP_PROXY set, the schema is asked of the proxy by its absolute URL."""
    fetched = fetch(glance.base + SCHEMA_PATH, FetchSettings(retries=0))
    assert fetched.document is not None and "properties" in fetched.document
    assert [target for target, _port in proxy.seen] == [glance.base + SCHEMA_PATH]
    assert len(glance.seen) == 1


def test_no_proxy_exempts_the_host(
    glance: Recorder, proxy: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host NO_PROXY names is asked directly; the proxy sees nothing."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    fetched = fetch(glance.base + SCHEMA_PATH, FetchSettings(retries=0))
    assert fetched.document is not None
    assert proxy.seen == []
    assert [target for target, _port in glance.seen] == [SCHEMA_PATH]


def test_cli_schema_fetch_goes_through_the_proxy(glance: Recorder, proxy: Recorder, tmp_path: Path) -> None:
    """``schema fetch --endpoint`` honours HTTP_PROXY from the environment."""
    target = tmp_path / "images.json"
    env = {k: v for k, v in os.environ.items() if k not in _PROXY_VARIABLES}
    env |= {"HTTP_PROXY": proxy.base, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "glance_validate",
            "schema",
            "fetch",
            "--endpoint",
            glance.base,
            "-o",
            str(target),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(target.read_text())["properties"]
    assert [target for target, _port in proxy.seen] == [glance.base + SCHEMA_PATH]


def test_requests_of_one_client_share_one_connection(glance: Recorder) -> None:
    """A token request, then two schema fetches (one redirected) go over one kept-alive connection."""
    settings = FetchSettings(retries=0)
    with HttpClient(settings.client()) as client:
        assert client.get(glance.base + "/v3/auth/tokens").status == 200
        fetch(glance.base + SCHEMA_PATH, settings, client=client)
        fetch(glance.base + "/old", settings, client=client)
    assert [target for target, _port in glance.seen] == ["/v3/auth/tokens", SCHEMA_PATH, "/old", SCHEMA_PATH]
    assert glance.connections() == 1


def test_a_redirected_fetch_follows_over_the_same_connection(glance: Recorder) -> None:
    """The redirect of one fetch to the same host is followed without a new connection."""
    fetched = fetch(glance.base + "/old", FetchSettings(retries=0))
    assert fetched.url == glance.base + SCHEMA_PATH
    assert len(glance.seen) == 2 and glance.connections() == 1


def test_keystone_login_and_schema_fetch_share_one_connection(
    glance: Recorder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--os-cloud: Keystone's discovery and login, then the schema, over one kept-alive connection."""
    pytest.importorskip("keystoneauth1")
    from glance_validate.schema.remote import SchemaOptions, load_remote

    auth = {
        "auth_url": glance.base + "/v3",
        "username": "demo",
        "password": "s3cret",
        "project_name": "demo",
        "user_domain_name": "Default",
        "project_domain_name": "Default",
    }
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(json.dumps({"clouds": {"test": {"auth": auth, "region_name": "RegionOne"}}}))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    document = load_remote(None, SchemaOptions(os_cloud="test", cache_dir=tmp_path / "cache"))
    assert "properties" in document.document
    assert [target for target, _port in glance.seen] == ["/v3", "/v3/auth/tokens", SCHEMA_PATH]
    assert glance.connections() == 1


def test_headers_that_drip_hit_the_read_timeout_as_a_whole() -> None:
    """A status line and headers sent a byte at a time do not extend --read-timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def drip() -> None:
        connection, _ = listener.accept()
        with contextlib.suppress(OSError), connection:
            connection.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 100:
                connection.sendall(bytes([byte]))
                time.sleep(0.05)

    threading.Thread(target=drip, daemon=True).start()
    started = time.monotonic()
    try:
        with pytest.raises(Unreachable) as caught:
            fetch(
                f"http://127.0.0.1:{listener.getsockname()[1]}/", FetchSettings(read_timeout=0.5, retries=0)
            )
    finally:
        listener.close()
    assert "no complete response within 0.5 s (--read-timeout)" in str(caught.value)
    assert time.monotonic() - started < 2.5
