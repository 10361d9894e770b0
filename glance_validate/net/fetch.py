"""Fetch: GET a schema document from a Glance or IMS endpoint, with the standard library only.

One request is bounded everywhere a pre-commit run could stall: name resolution and connecting
(``connect_timeout``), the whole response after connecting (``read_timeout``, enforced by a
watchdog, not per ``recv``), the body size (``max_bytes``, also after decompression), redirects
and retries. The token is sent as ``X-Auth-Token`` only to the origin (scheme, host, port) the
user named; once a redirect leaves it, the token is not sent again. No message, exception or
value returned here contains the token or a credential of the URL: a server that echoes one
has it blanked (before any message is cut) from its error text, the document and validators
that carry one are not kept.

Every failure is a :class:`FetchError` (a :class:`SchemaUnavailable`, so the command line exits
3) with a one-line message naming the URL and what to do about it.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import json
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urljoin, urlsplit

from glance_validate.core.errors import SchemaUnavailable
from glance_validate.core.secrets import Secrets, clip, enforced, in_force, url_secrets
from glance_validate.core.uris import IMAGE_SCHEMA_URI, LIST_SCHEMA_URI
from glance_validate.core.version import __version__
from glance_validate.net.urls import safe_url

__all__ = [
    "BadBody",
    "FetchError",
    "FetchSettings",
    "Fetched",
    "HTTPStatusError",
    "TLSFailure",
    "Unreachable",
    "fetch",
    "safe_url",
]

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 15.0
DEFAULT_RETRIES = 2
DEFAULT_BACKOFF = 0.25
DEFAULT_MAX_BYTES = 4 * 1024 * 1024
MAX_REDIRECTS = 5
MAX_RETRY_WAIT = 2.0
TOKEN_HINT = "set OS_AUTH_TOKEN (or OS_TOKEN) to a valid token, pass --token, or use --os-cloud NAME"

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRIED_STATUSES = frozenset({502, 503, 504})
_CHUNK = 64 * 1024
_SHOWN = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class FetchSettings:
    """How to fetch: credentials, TLS trust, and the bounds on one request."""

    token: str | None = field(default=None, repr=False)
    token_hint: str = TOKEN_HINT  # what to do when the server answers 401
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    retries: int = DEFAULT_RETRIES
    backoff: float = DEFAULT_BACKOFF
    insecure: bool = False
    cacert: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class Fetched:
    """A schema document as served, or the news that the cached copy is still current (304)."""

    url: str
    document: dict[str, Any] | None
    etag: str | None = None
    last_modified: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def not_modified(self) -> bool:
        return self.document is None


class FetchError(SchemaUnavailable):
    """A schema document could not be fetched; ``transient`` failures may fall back to a cache."""

    transient = False

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class Unreachable(FetchError):
    """No usable connection: name resolution, connect, reset, timeout."""

    transient = True


class TLSFailure(FetchError):
    """The TLS handshake failed or the certificate is not trusted."""


class HTTPStatusError(FetchError):
    """The server answered with an error status (4xx, 5xx)."""

    def __init__(self, message: str, *, url: str, status: int) -> None:
        super().__init__(message, url=url)
        self.status = status
        self.transient = status >= 500


class BadBody(FetchError):
    """The server answered 200 with something that is not a usable schema document."""


# URLs -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent on the request line
    label: str  # the URL without user information, safe to show

    @property
    def origin(self) -> tuple[str, str, int]:
        return (self.scheme, self.host.lower(), self.port)

    @property
    def origin_label(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def _target(url: str) -> _Target:
    label = safe_url(url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"{label}: not a valid URL ({exc})", url=label) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"{label}: not an http or https URL", url=label)
    if not parts.hostname:
        raise FetchError(f"{label}: the URL names no host", url=label)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    default_port = 443 if scheme == "https" else 80
    return _Target(scheme, parts.hostname, port or default_port, path, label)


# The request ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Raw:
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    attempts: int = 1


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
    first = target = _target(url)
    send_token = settings.token is not None
    context: ssl.SSLContext | None = None
    for _ in range(MAX_REDIRECTS + 1):
        headers = _headers(settings.token if send_token else None, etag, last_modified)
        if target.scheme == "https" and context is None:
            context = _tls_context(settings)
        raw = _with_retries(target, headers, settings, context if target.scheme == "https" else None)
        if raw.status not in _REDIRECTS:
            fetched = _interpret(raw, target, first, settings, send_token)
            return replace(fetched, warnings=cleartext_warning(first.label, settings.token))
        location = raw.headers.get("location")
        if not location:
            raise FetchError(f"{target.label}: redirect {raw.status} without a Location", url=target.label)
        target = _target(urljoin(target.label, location))
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
    target: _Target, headers: dict[str, str], settings: FetchSettings, context: ssl.SSLContext | None
) -> _Raw:
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


def _retry_wait(raw: _Raw, backoff: float) -> float:
    after = raw.headers.get("retry-after", "")
    if after.strip().isascii() and after.strip().isdigit():
        return min(float(after.strip()), MAX_RETRY_WAIT)
    return backoff


class _Retryable(Exception):
    """A connection failure worth another attempt (refused, reset, closed early)."""


class _Connection(http.client.HTTPConnection):
    """An HTTP connection whose connect (resolution, TCP, TLS) is bounded by one timeout."""

    def __init__(
        self, target: _Target, context: ssl.SSLContext | None, connect_timeout: float, read_timeout: float
    ) -> None:
        super().__init__(target.host, target.port, timeout=connect_timeout)
        self._tls = context
        self._read_timeout = read_timeout

    def connect(self) -> None:
        deadline = time.monotonic() + float(self.timeout or DEFAULT_CONNECT_TIMEOUT)
        sock = _open_socket(self.host, self.port, deadline)
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
    target: _Target, headers: dict[str, str], settings: FetchSettings, context: ssl.SSLContext | None
) -> _Raw:
    where = f"{target.host}:{target.port}"
    connection = _Connection(target, context, settings.connect_timeout, settings.read_timeout)
    try:
        try:
            connection.connect()
        except _DNSFailure as exc:
            raise Unreachable(f"{target.label}: {exc}", url=target.label) from None
        except ssl.SSLCertVerificationError as exc:
            raise TLSFailure(_untrusted(target, exc), url=target.label) from None
        except ssl.SSLError as exc:
            raise TLSFailure(_handshake_failed(target, exc), url=target.label) from None
        except TimeoutError:
            raise Unreachable(
                f"{target.label}: no connection to {where} within {settings.connect_timeout:g} s "
                "(--connect-timeout)",
                url=target.label,
            ) from None
        except (ConnectionRefusedError, ConnectionResetError) as exc:
            raise _Retryable(f"cannot connect to {where}: {_reason(exc)}") from None
        except OSError as exc:
            message = f"{target.label}: cannot connect to {where}: {_reason(exc)}"
            raise Unreachable(message, url=target.label) from None
        return _exchange(connection, target, headers, settings)
    finally:
        connection.close()


def _exchange(
    connection: _Connection, target: _Target, headers: dict[str, str], settings: FetchSettings
) -> _Raw:
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
        return _Raw(response.status, response.reason, _lower_headers(response), body)
    except FetchError:
        raise
    except (OSError, http.client.HTTPException) as exc:
        if expired.is_set() or isinstance(exc, TimeoutError):
            raise Unreachable(
                f"{target.label}: no complete response within {settings.read_timeout:g} s (--read-timeout)",
                url=target.label,
            ) from None
        if isinstance(exc, ssl.SSLError):
            raise TLSFailure(_handshake_failed(target, exc), url=target.label) from None
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
    return f"broken ({_reason(exc)})"


def _lower_headers(response: http.client.HTTPResponse) -> dict[str, str]:
    return {name.lower(): value for name, value in response.getheaders()}


def _read_body(
    response: http.client.HTTPResponse,
    connection: _Connection,
    target: _Target,
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


def _decode_content(body: bytes, encoding: str, target: _Target, limit: int) -> bytes:
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


def _too_large(target: _Target, size: int, limit: int, verb: str) -> str:
    shown = limit if verb != "declares" else size
    return f"{target.label}: the response {verb} {shown:,} bytes; a schema is at most {limit:,} bytes"


# Connecting -----------------------------------------------------------------------------------


class _DNSFailure(Exception):
    """The host name could not be resolved (or not in time)."""


def _open_socket(host: str, port: int, deadline: float) -> socket.socket:
    """A connected TCP socket; resolution and every connect attempt share one deadline."""
    last: OSError | None = None
    for family, kind, proto, _, address in _resolve(host, port, deadline):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            sock.connect(address)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        except OSError as exc:
            sock.close()
            last = exc
            if isinstance(exc, TimeoutError) or time.monotonic() >= deadline:
                break
    raise last if last is not None else OSError(f"no address for {host}")


_Address = tuple[Any, ...]


def _resolve(host: str, port: int, deadline: float) -> Sequence[tuple[Any, Any, int, str, _Address]]:
    """getaddrinfo, bounded by the connect deadline (a hung resolver must not stall the run)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["addresses"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            outcome["error"] = exc

    resolver = threading.Thread(target=work, name="glance-validate-resolve", daemon=True)
    resolver.start()
    resolver.join(max(0.0, deadline - time.monotonic()))
    if "addresses" in outcome:
        return list(outcome["addresses"])
    if "error" in outcome:
        raise _DNSFailure(f"cannot resolve host {host!r} ({_reason(outcome['error'])})")
    raise _DNSFailure(f"cannot resolve host {host!r} in time (--connect-timeout)")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.rstrip(".").lower() if exc.strerror[:1].isupper() else exc.strerror
    return str(exc) or type(exc).__name__


def _tls_context(settings: FetchSettings) -> ssl.SSLContext:
    if settings.insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    try:
        return ssl.create_default_context(cafile=settings.cacert)
    except FileNotFoundError:
        raise TLSFailure(f"--cacert {settings.cacert}: no such file") from None
    except (ssl.SSLError, OSError) as exc:
        raise TLSFailure(
            f"--cacert {settings.cacert}: not a PEM file of CA certificates ({_reason(exc)})"
        ) from None


def _untrusted(target: _Target, exc: ssl.SSLCertVerificationError) -> str:
    reason = exc.verify_message or _reason(exc)
    return (
        f"{target.label}: the TLS certificate of {target.host} is not trusted ({reason}); "
        "pass --cacert FILE with your cloud's CA certificate, or --insecure to skip the check"
    )


def _handshake_failed(target: _Target, exc: ssl.SSLError) -> str:
    reason = exc.reason or _reason(exc)
    hint = "; does the endpoint speak plain http?" if reason == "WRONG_VERSION_NUMBER" else ""
    return f"{target.label}: TLS handshake with {target.host}:{target.port} failed ({reason}){hint}"


# The answer -----------------------------------------------------------------------------------


def _interpret(raw: _Raw, target: _Target, first: _Target, settings: FetchSettings, sent: bool) -> Fetched:
    if raw.status not in (200, 304):
        message = _status_message(raw, target, first, settings, sent)
        raise HTTPStatusError(message, url=target.label, status=raw.status)
    secrets = in_force()  # fetch() put the token and the URL's credentials in force
    document = secrets.redact_json(_schema_document(raw, target)) if raw.status == 200 else None
    etag, last_modified = (_validator(raw, name, secrets) for name in ("etag", "last-modified"))
    return Fetched(target.label, document, etag, last_modified)


def _validator(raw: _Raw, name: str, secrets: Secrets) -> str | None:
    """An ETag or Last-Modified worth keeping: never one that holds a secret (it would be stored)."""
    value = raw.headers.get(name)
    return None if value is None or secrets.occurs_in(value) else value


def _status_message(raw: _Raw, target: _Target, first: _Target, settings: FetchSettings, sent: bool) -> str:
    detail = _server_detail(raw)
    said = f" (the server says: {detail})" if detail else ""
    head = f"{target.label}: {raw.status} {raw.reason or http.client.responses.get(raw.status, '')}".rstrip()
    if raw.status == 400:
        return f"{head}: the server rejected the request{said}"
    if raw.status == 401:
        return f"{head}: {_unauthorised(target, first, settings, sent)}{said}; {settings.token_hint}"
    if raw.status == 403:
        return f"{head}: the token is not allowed to read the schema{said}"
    if raw.status == 404:
        return (
            f"{head}: no schema at this URL; check the endpoint and the API version "
            f"(the schema is served at <endpoint>{LIST_SCHEMA_URI}){said}"
        )
    if raw.status >= 500:
        tried = f" (tried {raw.attempts} times)" if raw.attempts > 1 else ""
        return f"{head}: the server failed{tried}{said}"
    return f"{head}: expected 200 with the schema document{said}"


def _unauthorised(target: _Target, first: _Target, settings: FetchSettings, sent: bool) -> str:
    if settings.token is None:
        return "no token was sent"
    if not sent:
        return (
            f"the request was redirected from {first.origin_label} to {target.origin_label}, "
            "and the token is never sent to another host"
        )
    return "the token was refused (expired, revoked or for another cloud)"


def _server_detail(raw: _Raw) -> str:
    """The message of an error body (IMS, API gateway, Glance JSON, text or HTML), on one line."""
    body = raw.body
    if not body.strip():
        return ""
    content_type = raw.headers.get("content-type", "").lower()
    if "html" in content_type or body.lstrip()[:1] == b"<":
        return _html_title(body)
    try:
        value = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return _one_line(body.decode("utf-8", "replace"))
    return _one_line(_error_text(value))


def _html_title(body: bytes) -> str:
    """The <title> of an HTML page, on one line ("" when it has none)."""
    title = _TITLE.search(body)
    text = title.group(1).decode("utf-8", "replace") if title else ""
    return _one_line(_TAG.sub(" ", text))


def _error_text(value: object) -> str:
    from glance_validate.text.kinds import error_message

    if not isinstance(value, dict):
        return clip(json.dumps(value), _SHOWN, "")
    found = error_message(value)
    if found is None and len(value) == 1:
        inner = next(iter(value.values()))  # {"itemNotFound": {"message": ..., "code": 404}}
        if isinstance(inner, dict) and "message" in inner:
            found = (str(inner.get("code", "")), str(inner["message"]))
    if found is None:
        return clip(json.dumps(value, ensure_ascii=False), _SHOWN, "")
    code, message = found
    return f"{code}: {message}" if code and code not in message else message


def _one_line(text: str) -> str:
    return clip(" ".join(_CONTROL.sub(" ", text).split()), _SHOWN)


def _schema_document(raw: _Raw, target: _Target) -> dict[str, Any]:
    body = raw.body
    content_type = raw.headers.get("content-type", "")
    where = target.label
    if "html" in content_type.lower() or body.lstrip()[:1] == b"<":
        title = _html_title(body)
        shown = f" ({title})" if title else ""
        raise BadBody(
            f"{where}: the response is an HTML page{shown}, not a JSON schema; "
            "is the URL behind a login page or a proxy?",
            url=where,
        )
    try:
        value = json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise BadBody(f"{where}: the response is not UTF-8 text (byte {exc.start})", url=where) from None
    except json.JSONDecodeError as exc:
        kind = f" ({content_type})" if content_type else ""
        raise BadBody(
            f"{where}: the response{kind} is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            url=where,
        ) from None
    except (ValueError, RecursionError) as exc:
        raise BadBody(f"{where}: the response is not usable JSON ({exc})", url=where) from None
    if not isinstance(value, dict) or not isinstance(value.get("properties"), dict):
        raise BadBody(f"{where}: the response is JSON but not an images schema: {_what(value)}", url=where)
    return value


def _what(value: object) -> str:
    from glance_validate.text.kinds import classify, error_message

    if not isinstance(value, dict):
        return f"a JSON {type(value).__name__ if value is not None else 'null'}, not an object"
    kind = classify(value)
    if kind == "image-list":
        return f"it is an image list (GET /v2/images), not {LIST_SCHEMA_URI}"
    if kind == "image":
        return f"it is an image record, not {IMAGE_SCHEMA_URI}"
    if kind == "error-body":
        code, message = error_message(value) or ("", "")
        return f"it is an error body ({_one_line(f'{code}: {message}'.strip(': '))})"
    keys = ", ".join(sorted(value)[:6]) or "no keys"
    return f"an object without a properties object ({keys})"
