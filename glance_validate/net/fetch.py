"""Fetch: GET a schema document from a Glance or IMS endpoint, with the standard library only.

One request is bounded everywhere a pre-commit run could stall: name resolution and connecting
(``connect_timeout``), the whole response after connecting (``read_timeout``, enforced by a
watchdog, not per ``recv``), the body size (``max_bytes``, also after decompression), redirects
and retries. The token is sent as ``X-Auth-Token`` only to the origin (scheme, host, port) the
user named; once a redirect leaves it, the token is not sent again. No message, exception or
value returned here contains the token or a credential of the URL: a server that echoes one
has it blanked (before any message is cut) from its error text, the document and validators
that carry one are not kept.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from dataclasses import replace
from urllib.parse import urljoin, urlsplit

from glance_validate.core.secrets import Secrets, enforced, url_secrets
from glance_validate.core.version import __version__
from glance_validate.net.answer import interpret
from glance_validate.net.connect import (
    DNSFailure,
    handshake_failed,
    open_socket,
    os_reason,
    tls_context,
    untrusted,
)
from glance_validate.net.exchange import (
    DEFAULT_CONNECT_TIMEOUT,
    MAX_REDIRECTS,
    MAX_RETRY_WAIT,
    BadBody,
    Fetched,
    FetchError,
    FetchSettings,
    RawResponse,
    Target,
    TLSFailure,
    Unreachable,
    parse_target,
)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRIED_STATUSES = frozenset({502, 503, 504})
_CHUNK = 64 * 1024

__all__ = ["cleartext_warning", "fetch"]


# The request ----------------------------------------------------------------------------------


def fetch(
    url: str,
    settings: FetchSettings | None = None,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """GET a schema document; with ``etag``/``last_modified`` a 304 gives ``document=None``."""
    settings = settings or FetchSettings()
    with enforced(Secrets.of(settings.token, *url_secrets(url))) as secrets:
        try:
            return _fetch(url, settings, etag, last_modified)
        except FetchError as exc:
            raise _redacted(exc, secrets) from None


def _redacted(exc: FetchError, secrets: Secrets) -> FetchError:
    """The same error with the secrets (should a server echo them) blanked out of the message."""
    exc.args = (secrets.redact(str(exc)),)
    exc.url = secrets.redact(exc.url)
    return exc


def _fetch(url: str, settings: FetchSettings, etag: str | None, last_modified: str | None) -> Fetched:
    first = target = parse_target(url)
    send_token = settings.token is not None
    context: ssl.SSLContext | None = None
    for _ in range(MAX_REDIRECTS + 1):
        headers = _headers(settings.token if send_token else None, etag, last_modified)
        if target.scheme == "https" and context is None:
            context = tls_context(settings)
        raw = _with_retries(target, headers, settings, context if target.scheme == "https" else None)
        if raw.status not in _REDIRECTS:
            fetched = interpret(raw, target, first, settings, send_token)
            return replace(fetched, warnings=cleartext_warning(first.label, settings.token))
        location = raw.headers.get("location")
        if not location:
            raise FetchError(f"{target.label}: redirect {raw.status} without a Location", url=target.label)
        target = parse_target(urljoin(target.label, location))
        send_token = send_token and target.origin == first.origin
    raise FetchError(f"{first.label}: more than {MAX_REDIRECTS} redirects", url=first.label)


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


def _headers(token: str | None, etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {
        "Accept": "application/json",
        "Accept-Encoding": "gzip, deflate",
        "User-Agent": f"glance-validate/{__version__}",
        "Connection": "close",
    }
    if token is not None:
        headers["X-Auth-Token"] = token
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _with_retries(
    target: Target, headers: dict[str, str], settings: FetchSettings, context: ssl.SSLContext | None
) -> RawResponse:
    attempts = 1 + max(0, settings.retries)
    for attempt in range(1, attempts + 1):
        try:
            raw = _request(target, headers, settings, context)
        except _Retryable as exc:
            if attempt == attempts:
                raise Unreachable(
                    f"{target.label}: {exc} (tried {attempts} time{'s' if attempts > 1 else ''})",
                    url=target.label,
                ) from None
            time.sleep(settings.backoff * 2 ** (attempt - 1))
            continue
        if raw.status in _RETRIED_STATUSES and attempt < attempts:
            time.sleep(_retry_wait(raw, settings.backoff * 2 ** (attempt - 1)))
            continue
        return replace(raw, attempts=attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def _retry_wait(raw: RawResponse, backoff: float) -> float:
    after = raw.headers.get("retry-after", "")
    if after.strip().isascii() and after.strip().isdigit():
        return min(float(after.strip()), MAX_RETRY_WAIT)
    return backoff


class _Retryable(Exception):
    """A connection failure worth another attempt (refused, reset, closed early)."""


class _Connection(http.client.HTTPConnection):
    """An HTTP connection whose connect (resolution, TCP, TLS) is bounded by one timeout."""

    def __init__(
        self, target: Target, context: ssl.SSLContext | None, connect_timeout: float, read_timeout: float
    ) -> None:
        super().__init__(target.host, target.port, timeout=connect_timeout)
        self._tls = context
        self._read_timeout = read_timeout

    def connect(self) -> None:
        deadline = time.monotonic() + float(self.timeout or DEFAULT_CONNECT_TIMEOUT)
        sock = open_socket(self.host, self.port, deadline)
        try:
            if self._tls is not None:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                sock = self._tls.wrap_socket(sock, server_hostname=self.host)
            sock.settimeout(self._read_timeout)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


def _request(
    target: Target, headers: dict[str, str], settings: FetchSettings, context: ssl.SSLContext | None
) -> RawResponse:
    where = f"{target.host}:{target.port}"
    connection = _Connection(target, context, settings.connect_timeout, settings.read_timeout)
    try:
        try:
            connection.connect()
        except DNSFailure as exc:
            raise Unreachable(f"{target.label}: {exc}", url=target.label) from None
        except ssl.SSLCertVerificationError as exc:
            raise TLSFailure(untrusted(target, exc), url=target.label) from None
        except ssl.SSLError as exc:
            raise TLSFailure(handshake_failed(target, exc), url=target.label) from None
        except TimeoutError:
            raise Unreachable(
                f"{target.label}: no connection to {where} within {settings.connect_timeout:g} s "
                "(--connect-timeout)",
                url=target.label,
            ) from None
        except (ConnectionRefusedError, ConnectionResetError) as exc:
            raise _Retryable(f"cannot connect to {where}: {os_reason(exc)}") from None
        except OSError as exc:
            message = f"{target.label}: cannot connect to {where}: {os_reason(exc)}"
            raise Unreachable(message, url=target.label) from None
        return _exchange(connection, target, headers, settings)
    finally:
        connection.close()


def _exchange(
    connection: _Connection, target: Target, headers: dict[str, str], settings: FetchSettings
) -> RawResponse:
    """Send the request and read the whole response before the read deadline."""
    deadline = time.monotonic() + settings.read_timeout
    expired = threading.Event()
    watchdog = threading.Timer(settings.read_timeout, _abort, args=(connection, expired))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request("GET", target.path, headers=headers)
        response = connection.getresponse()
        body = _read_body(response, connection, target, settings, deadline)
        if expired.is_set():  # the watchdog cut the response short
            raise TimeoutError
        return RawResponse(response.status, response.reason, _lower_headers(response), body)
    except FetchError:
        raise
    except (OSError, http.client.HTTPException) as exc:
        if expired.is_set() or isinstance(exc, TimeoutError):
            raise Unreachable(
                f"{target.label}: no complete response within {settings.read_timeout:g} s (--read-timeout)",
                url=target.label,
            ) from None
        if isinstance(exc, ssl.SSLError):
            raise TLSFailure(handshake_failed(target, exc), url=target.label) from None
        raise _Retryable(f"the connection to {target.host}:{target.port} was {_dropped(exc)}") from None
    finally:
        watchdog.cancel()


def _abort(connection: _Connection, expired: threading.Event) -> None:
    expired.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _dropped(exc: BaseException) -> str:
    if isinstance(exc, ConnectionResetError):
        return "reset by the server"
    if isinstance(exc, http.client.IncompleteRead):
        return "closed before the whole body arrived"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "closed without a response"
    return f"broken ({os_reason(exc)})"


def _lower_headers(response: http.client.HTTPResponse) -> dict[str, str]:
    return {name.lower(): value for name, value in response.getheaders()}


def _read_body(
    response: http.client.HTTPResponse,
    connection: _Connection,
    target: Target,
    settings: FetchSettings,
    deadline: float,
) -> bytes:
    """The body, read one receive at a time so the deadline bounds the whole of it."""
    limit = settings.max_bytes
    declared = response.getheader("Content-Length", "")
    declared = declared if declared.strip().isascii() else ""  # "²" is a digit, but not a length
    if declared.strip().isdigit() and int(declared) > limit:
        raise BadBody(_too_large(target, int(declared), limit, "declares"), url=target.label)
    chunks: list[bytes] = []
    size = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        if connection.sock is not None:
            connection.sock.settimeout(remaining)
        chunk = response.read1(_CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise BadBody(_too_large(target, size, limit, "sent more than"), url=target.label)
        chunks.append(chunk)
    body = b"".join(chunks)
    if declared.strip().isdigit() and len(body) < int(declared):
        raise http.client.IncompleteRead(body, int(declared) - len(body))
    return _decode_content(
        body, (response.getheader("Content-Encoding") or "").strip().lower(), target, limit
    )


def _decode_content(body: bytes, encoding: str, target: Target, limit: int) -> bytes:
    if encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise BadBody(f"{target.label}: unsupported Content-Encoding {encoding!r}", url=target.label)
    wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS
    try:
        inflater = zlib.decompressobj(wbits)
        data = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise BadBody(f"{target.label}: the {encoding} body is corrupt ({exc})", url=target.label) from None
    if len(data) > limit or inflater.unconsumed_tail:
        raise BadBody(_too_large(target, len(data), limit, "decompresses to more than"), url=target.label)
    return data


def _too_large(target: Target, size: int, limit: int, verb: str) -> str:
    shown = limit if verb != "declares" else size
    return f"{target.label}: the response {verb} {shown:,} bytes; a schema is at most {limit:,} bytes"
