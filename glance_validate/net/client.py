"""The HTTP client, on urllib3: the one transport of the schema fetch and the probe's crawl.

Connections are pooled and reused across requests, ``HTTP(S)_PROXY`` / ``NO_PROXY`` are
honoured (operators sit behind proxies), and a ``--cacert`` bundle is added to the system's
trust. Every request is bounded where a run could stall: name resolution and connecting
(``connect_timeout``, resolution included), the response (``read_timeout``, for the body as a
whole once the request is sent, not per read), the body size (``max_body``, after decompression
too), redirects and retries (statuses such as 429/503 after their ``Retry-After``, cut to a
bound; refused or dropped connections after a backoff). The token goes as ``X-Auth-Token``
only to the origin (scheme, host, port) first named; once a redirect leaves it, it is not sent
again. Failures are :class:`FetchError` values with a one-line message naming the URL.
urllib3 is imported only when a client is made, so commands that stay offline never load it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import threading
import time
import urllib.request
import warnings
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from email.utils import parsedate_to_datetime
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from glance_validate.core.version import __version__
from glance_validate.net.connect import ConnectFailure, DNSFailure, handshake_failed, tls_context, untrusted
from glance_validate.net.exchange import (
    DEFAULT_CONNECT_TIMEOUT,
    MAX_REDIRECTS,
    BadBody,
    ClientSettings,
    Dropped,
    FetchError,
    Response,
    Target,
    TLSFailure,
    Unreachable,
    parse_target,
)

if TYPE_CHECKING:
    import urllib3

REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


class HttpClient:
    """GET requests over pooled connections, through the environment's proxies."""

    def __init__(self, settings: ClientSettings, sleep: Callable[[float], None] = time.sleep) -> None:
        import urllib3

        self.settings = settings
        self._sleep = sleep
        self._urllib3 = urllib3
        self._context: ssl.SSLContext | None = None
        self._pools: dict[str | None, urllib3.PoolManager] = {}
        self.warnings: list[str] = []

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self, url: str, headers: Mapping[str, str] | None = None, *, token: str | None = None
    ) -> Response:
        """GET ``url``: redirects followed (the token kept to the first origin), retries bounded.

        ``token`` (the settings' when None) lets one client serve a login and what follows it.
        """
        started = time.monotonic()
        first = target = parse_target(url)
        token = token if token is not None else self.settings.token
        send_token = token is not None
        for warning in cleartext_warning(first.label, token):
            if warning not in self.warnings:
                self.warnings.append(warning)
        for _ in range(MAX_REDIRECTS + 1):
            sent = {**self._headers(headers), **({"X-Auth-Token": token} if send_token and token else {})}
            response = self._retried(target, sent)
            if response.status not in REDIRECTS:
                return replace(response, token_sent=send_token, seconds=time.monotonic() - started)
            location = response.headers.get("location")
            if not location:
                message = f"{target.label}: redirect {response.status} without a Location"
                raise FetchError(message, url=target.label)
            target = parse_target(urljoin(target.label, location))
            send_token = send_token and target.origin == first.origin
        raise FetchError(f"{first.label}: more than {MAX_REDIRECTS} redirects", url=first.label)

    def close(self) -> None:
        for pool in self._pools.values():
            pool.clear()

    def pool(self, url: str) -> Any:
        """The connection pool ``url`` is sent through (its proxy's when one applies)."""
        return self._pool_for(url, parse_target(url)).connection_from_url(url)

    def requests_session(self) -> Any:
        """A requests session over this client's pools and TLS trust (for keystoneauth1's login)."""
        import requests
        from requests.adapters import HTTPAdapter

        client = self

        class Adapter(HTTPAdapter):
            def get_connection_with_tls_context(self, request: Any, *args: Any, **kwargs: Any) -> Any:
                return client.pool(request.url)

            def cert_verify(self, *args: Any) -> None:
                pass  # the client's TLS context decides: --cacert added, --insecure

        session = requests.Session()
        for prefix in ("http://", "https://"):
            session.mount(prefix, Adapter())
        return session

    @staticmethod
    def _headers(given: Mapping[str, str] | None) -> dict[str, str]:
        return {"Accept": "application/json", "User-Agent": f"glance-validate/{__version__}", **(given or {})}

    def _retried(self, target: Target, headers: dict[str, str]) -> Response:
        """One request, again after a retried status (Retry-After) or a dropped connection."""
        settings = self.settings
        attempts = 1 + max(0, settings.retries)
        for attempt in range(1, attempts + 1):
            try:
                response = self._send(target, headers)
            except Dropped as exc:
                if attempt == attempts:
                    tried = f"tried {attempts} time{'s' if attempts > 1 else ''}"
                    raise Dropped(f"{exc} ({tried})", url=exc.url) from None
                self._sleep(settings.backoff * 2 ** (attempt - 1))
                continue
            if response.status not in settings.retry_statuses or attempt == attempts:
                return replace(response, attempts=attempt)
            after = response.headers.get("retry-after")
            self._sleep(retry_wait(after, attempt, settings.max_retry_wait, settings.backoff))
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, target: Target, headers: dict[str, str]) -> Response:
        """One exchange: the response read whole (and decoded) before the read deadline."""
        urllib3 = self._urllib3
        settings = self.settings
        url = target.origin_label + target.path
        timeout = urllib3.Timeout(connect=settings.connect_timeout, read=settings.read_timeout)
        with self._failures(target), warnings.catch_warnings():
            # --insecure was asked for: urllib3's warning about it would only repeat the request
            warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
            raw = self._pool_for(url, target).urlopen(
                "GET",
                url,
                headers=headers,
                timeout=timeout,
                retries=False,
                redirect=False,
                preload_content=False,
                decode_content=False,
            )
            try:
                body = self._body(raw, target)
            except BaseException:
                raw.close()
                raise
            finally:
                raw.release_conn()
        lowered = {key.lower(): value for key, value in raw.headers.items()}
        return Response(target.label, raw.status, lowered, body, reason=raw.reason or "")

    @contextlib.contextmanager
    def _failures(self, target: Target) -> Iterator[None]:
        """Every way an exchange fails, as a FetchError whose message says what to do."""
        exceptions = self._urllib3.exceptions
        where = f"{target.host}:{target.port}"
        label = target.label
        try:
            yield
        except DNSFailure as exc:
            raise Unreachable(f"{label}: {exc}", url=label) from None
        except ConnectFailure as exc:
            if exc.timed_out:
                message = f"{label}: no connection to {where} within {self.settings.connect_timeout:g} s"
                raise Unreachable(f"{message} (--connect-timeout)", url=label) from None
            kind = Dropped if exc.retryable else Unreachable
            raise kind(f"{label}: cannot connect to {where}: {exc}", url=label) from None
        except (exceptions.ReadTimeoutError, TimeoutError):
            message = f"{label}: no complete response within {self.settings.read_timeout:g} s"
            raise Unreachable(f"{message} (--read-timeout)", url=label) from None
        except (exceptions.HTTPError, OSError) as exc:
            raise _failure(exc, target) from None

    def _body(self, raw: Any, target: Target) -> bytes:
        """The body, one receive at a time, so the read deadline bounds the whole of it."""
        limit = self.settings.max_body
        declared = raw.headers.get("content-length", "")
        declared = declared.strip() if declared.strip().isascii() else ""  # "²" is a digit, not a length
        if declared.isdigit() and int(declared) > limit:
            raise BadBody(self._too_large(target, int(declared), "declares"), url=target.label)
        connection = raw.connection
        deadline = getattr(connection, "sent_at", time.monotonic()) + self.settings.read_timeout
        chunks: list[bytes] = []
        size = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            if connection is not None and connection.sock is not None:
                connection.sock.settimeout(remaining)
            chunk = raw.read1(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise BadBody(self._too_large(target, size, "sent more than"), url=target.label)
            chunks.append(chunk)
        encoding = raw.headers.get("content-encoding", "").strip().lower()
        return self._decoded(b"".join(chunks), encoding, target)

    def _decoded(self, body: bytes, encoding: str, target: Target) -> bytes:
        if encoding in ("", "identity"):
            return body
        if encoding not in ("gzip", "x-gzip", "deflate"):
            raise BadBody(f"{target.label}: unsupported Content-Encoding {encoding!r}", url=target.label)
        limit = self.settings.max_body
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS)
        try:
            data = inflater.decompress(body, limit + 1)
        except zlib.error as exc:
            message = f"{target.label}: the {encoding} body is corrupt ({exc})"
            raise BadBody(message, url=target.label) from None
        if len(data) > limit or inflater.unconsumed_tail:
            raise BadBody(self._too_large(target, len(data), "decompresses to more than"), url=target.label)
        return data

    def _too_large(self, target: Target, size: int, verb: str) -> str:
        limit = self.settings.max_body
        shown = size if verb == "declares" else limit
        what = self.settings.what
        return f"{target.label}: the response {verb} {shown:,} bytes; {what} is at most {limit:,} bytes"

    def _pool_for(self, url: str, target: Target) -> Any:
        if target.scheme == "https":
            self._tls()
        proxy = proxy_for(url)
        if proxy not in self._pools:
            urllib3 = self._urllib3
            if proxy is None:
                manager = urllib3.PoolManager(ssl_context=self._context, maxsize=2)
            else:
                manager = urllib3.ProxyManager(proxy, ssl_context=self._context, maxsize=2)
            manager.pool_classes_by_scheme = bounded_pools(urllib3)
            self._pools[proxy] = manager
        return self._pools[proxy]

    def _tls(self) -> ssl.SSLContext:
        """The TLS trust, made on the first https request (a plain http fetch never reads --cacert)."""
        if self._context is None:
            self._context = tls_context(self.settings.insecure, self.settings.cacert)
            for manager in self._pools.values():
                manager.connection_pool_kw["ssl_context"] = self._context
        return self._context


def _failure(exc: BaseException, target: Target) -> FetchError:
    """A urllib3 or socket failure: untrusted certificate, failed handshake, dropped connection."""
    label = target.label
    verification = _cause(exc, ssl.SSLCertVerificationError)
    if verification is not None:
        return TLSFailure(untrusted(target, verification), url=label)
    handshake = _cause(exc, ssl.SSLError)
    if handshake is not None:
        return TLSFailure(handshake_failed(target, handshake), url=label)
    return Dropped(f"{label}: the connection to {target.host}:{target.port} was {_dropped(exc)}", url=label)


def _cause(exc: BaseException, kind: type[Any]) -> Any:
    """The first exception of ``kind`` in ``exc``, its arguments, causes and contexts."""
    seen: set[int] = set()
    pending: list[object] = [exc]
    while pending:
        current = pending.pop(0)
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind):
            return current
        pending.extend([*current.args, current.__cause__, current.__context__])
        pending.append(getattr(current, "reason", None))
    return None


def _dropped(exc: BaseException) -> str:
    import http.client

    if _cause(exc, ConnectionResetError) is not None:
        return "reset by the server"
    if _cause(exc, http.client.IncompleteRead) is not None or "IncompleteRead" in str(exc):
        return "closed before the whole body arrived"
    if _cause(exc, http.client.RemoteDisconnected) is not None:
        return "closed without a response"
    from glance_validate.net.connect import os_reason

    inner = _cause(exc, OSError)
    return f"broken ({os_reason(inner if inner is not None else exc)})"


@cache
def bounded_pools(urllib3: Any) -> dict[str, type[Any]]:
    """urllib3's pools, with connections whose resolution and connect share one deadline.

    urllib3 resolves host names without a bound of its own: a hung resolver would stall the
    run past --connect-timeout. These connections resolve and connect as ``connect.open_socket``
    does, and note when the request was sent (the read deadline starts there).
    """
    from urllib3.connection import HTTPConnection, HTTPSConnection

    from glance_validate.net.connect import open_bounded

    class Bounded:
        sent_at: float

        def _new_conn(self) -> Any:
            timeout = self.timeout  # type: ignore[attr-defined]
            seconds = timeout if isinstance(timeout, (int, float)) else DEFAULT_CONNECT_TIMEOUT
            return open_bounded(self._dns_host, self.port, seconds)  # type: ignore[attr-defined]

        def request(self, *args: Any, **kwargs: Any) -> Any:
            self.sent_at = time.monotonic()
            return super().request(*args, **kwargs)  # type: ignore[misc]

        def getresponse(self, *args: Any, **kwargs: Any) -> Any:
            """The status and headers within the read timeout as a whole, however slowly they drip."""
            timeout = self.timeout  # type: ignore[attr-defined]
            # urllib3 has set ``timeout`` to the read timeout by now
            if not isinstance(timeout, (int, float)):
                return super().getresponse(*args, **kwargs)  # type: ignore[misc]
            expired = threading.Event()
            watchdog = threading.Timer(self.sent_at + timeout - time.monotonic(), self._expire, (expired,))
            watchdog.daemon = True
            watchdog.start()
            try:
                return super().getresponse(*args, **kwargs)  # type: ignore[misc]
            except Exception:
                if expired.is_set():
                    raise TimeoutError from None  # urllib3 reports it as a read timeout
                raise
            finally:
                watchdog.cancel()

        def _expire(self, expired: threading.Event) -> None:
            expired.set()
            sock = self.sock  # type: ignore[attr-defined]
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    class BoundedHTTP(Bounded, HTTPConnection):
        pass

    class BoundedHTTPS(Bounded, HTTPSConnection):
        pass

    class HTTPPool(urllib3.HTTPConnectionPool):  # type: ignore[misc]
        ConnectionCls = BoundedHTTP

    class HTTPSPool(urllib3.HTTPSConnectionPool):  # type: ignore[misc]
        ConnectionCls = BoundedHTTPS

    return {"http": HTTPPool, "https": HTTPSPool}


def proxy_for(url: str) -> str | None:
    """The proxy the environment names for ``url`` (HTTP(S)_PROXY), None when NO_PROXY exempts it."""
    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme.lower())
    if not proxy or urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    return proxy


def retry_wait(value: str | None, attempt: int, bound: float, backoff: float = 0.5) -> float:
    """Seconds to wait before retrying: Retry-After (seconds or HTTP date) if given, else a backoff."""
    wait = min(backoff * 2.0 ** (attempt - 1), bound)
    if value:
        value = value.strip()
        if value.isascii() and value.isdigit():
            wait = float(int(value))
        else:
            with contextlib.suppress(TypeError, ValueError, IndexError, OverflowError):
                wait = float(parsedate_to_datetime(value).timestamp() - time.time())
    return max(0.0, min(wait, bound))


def cleartext_warning(url: str, token: str | None) -> tuple[str, ...]:
    """A warning when a token goes to another host over plain http (anyone on the way reads it)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if token is None or parts.scheme.lower() != "http" or host == "localhost":
        return ()
    with contextlib.suppress(ValueError):
        if ipaddress.ip_address(host).is_loopback:
            return ()
    return (f"{url}: the token is sent over plain http to {host}, unencrypted; use https",)
