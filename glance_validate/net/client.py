"""An HTTP client for crawls, on urllib3: pooled connections, proxies, bounded retries, timeouts.

What a crawl of many requests needs and the schema fetch does not: connections reused across
requests, ``HTTP(S)_PROXY`` / ``NO_PROXY`` honoured (operators sit behind proxies), 429 and 503
retried after their ``Retry-After`` (bounded, so a server cannot park the crawl), and a CA bundle
added to the system's trust rather than replacing it. urllib3 is imported only when a client is
made, so commands that stay offline never load it.
"""

from __future__ import annotations

import contextlib
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from glance_validate.net.fetch import cleartext_warning

if TYPE_CHECKING:
    import ssl

    import urllib3

RETRIED_STATUSES = frozenset({429, 503})
DEFAULT_MAX_BODY = 16 * 1024 * 1024  # a page of 1000 images is a few MiB


class ClientError(Exception):
    """The request got no HTTP answer: connection refused, timeout, TLS failure, body too large."""


@dataclass(frozen=True)
class ClientSettings:
    """How the client connects: credentials, TLS trust, timeouts and how long it waits to retry."""

    token: str | None = field(default=None, repr=False)
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    insecure: bool = False
    cacert: str | None = None  # added to the system's CA certificates
    retries: int = 3  # further attempts after a 429/503 or a dropped connection
    max_retry_wait: float = 30.0  # a longer Retry-After is cut to this
    max_body: int = DEFAULT_MAX_BODY


@dataclass(frozen=True)
class Response:
    """One answer: status, headers (lower-case names), body, and how many attempts it took."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    attempts: int = 1
    seconds: float = 0.0

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class HttpClient:
    """GET requests over pooled connections, through the environment's proxies."""

    def __init__(self, settings: ClientSettings, sleep: Callable[[float], None] = time.sleep) -> None:
        import urllib3

        self.settings = settings
        self._sleep = sleep
        self._urllib3 = urllib3
        self._context = tls_context(settings)
        self._pools: dict[str | None, urllib3.PoolManager] = {}
        self.warnings: list[str] = []

    def get(self, url: str, accept: str = "application/json") -> Response:
        """GET ``url``; 429 and 503 are retried after Retry-After (bounded), then returned as they are."""
        headers = {"Accept": accept, "User-Agent": "glance-validate probe"}
        if self.settings.token:
            headers["X-Auth-Token"] = self.settings.token
            for warning in cleartext_warning(url, self.settings.token):
                if warning not in self.warnings:
                    self.warnings.append(warning)
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            response = self._once(url, headers)
            if response.status not in RETRIED_STATUSES or attempt > self.settings.retries:
                return Response(
                    url, response.status, response.headers, response.body, attempt, time.monotonic() - started
                )
            self._sleep(
                retry_wait(response.headers.get("retry-after"), attempt, self.settings.max_retry_wait)
            )

    def _once(self, url: str, headers: dict[str, str]) -> Response:
        urllib3 = self._urllib3
        timeout = urllib3.Timeout(connect=self.settings.connect_timeout, read=self.settings.read_timeout)
        # urllib3 retries dropped connections only: 429 and 503 are retried by ``get``, bounded
        retries = urllib3.Retry(
            total=self.settings.retries,
            connect=2,
            read=1,
            status=0,
            redirect=3,
            respect_retry_after_header=False,
            raise_on_status=False,
        )
        try:
            raw = self._pool_for(url).request(
                "GET", url, headers=headers, timeout=timeout, retries=retries, preload_content=False
            )
            try:
                body = raw.read(self.settings.max_body + 1)
            finally:
                raw.release_conn()
        except urllib3.exceptions.HTTPError as exc:
            raise ClientError(f"{url}: {_reason(exc)}") from None
        if len(body) > self.settings.max_body:
            raise ClientError(f"{url}: body larger than {self.settings.max_body} bytes")
        lowered = {key.lower(): value for key, value in raw.headers.items()}
        return Response(url, raw.status, lowered, body)

    def _pool_for(self, url: str) -> Any:
        proxy = proxy_for(url)
        if proxy not in self._pools:
            urllib3 = self._urllib3
            if proxy is None:
                self._pools[proxy] = urllib3.PoolManager(ssl_context=self._context, maxsize=2)
            else:
                self._pools[proxy] = urllib3.ProxyManager(proxy, ssl_context=self._context, maxsize=2)
        return self._pools[proxy]

    def close(self) -> None:
        for pool in self._pools.values():
            pool.clear()


def proxy_for(url: str) -> str | None:
    """The proxy the environment names for ``url`` (HTTP(S)_PROXY), None when NO_PROXY exempts it."""
    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme.lower())
    if not proxy or urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    return proxy


def retry_wait(value: str | None, attempt: int, bound: float) -> float:
    """Seconds to wait before retrying: Retry-After (seconds or HTTP date) if given, else a backoff."""
    wait = min(0.5 * 2.0 ** (attempt - 1), bound)
    if value:
        value = value.strip()
        if value.isdigit():
            wait = float(int(value))
        else:
            with contextlib.suppress(TypeError, ValueError, IndexError):
                wait = float(parsedate_to_datetime(value).timestamp() - time.time())
    return max(0.0, min(wait, bound))


def tls_context(settings: ClientSettings) -> ssl.SSLContext:
    """The system's trust plus ``cacert`` (not instead of it); no checks at all when insecure."""
    import ssl

    context = ssl.create_default_context()
    if settings.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif settings.cacert:
        try:
            context.load_verify_locations(cafile=settings.cacert)
        except (ssl.SSLError, OSError) as exc:
            message = f"--cacert {settings.cacert}: not a PEM file of CA certificates ({exc})"
            raise ClientError(message) from None
    return context


def _reason(exc: Exception) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason or exc) or type(exc).__name__
