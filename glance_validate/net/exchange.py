"""The values of one HTTP exchange: settings, what came back, the target and the failures.

Every failure is a :class:`FetchError` (a :class:`SchemaUnavailable`, so the command line exits
3) with a one-line message naming the URL and what to do about it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from glance_validate.core.errors import SchemaUnavailable
from glance_validate.net.timeouts import SCHEMA_CONNECT_TIMEOUT, SCHEMA_READ_TIMEOUT
from glance_validate.net.urls import safe_url

DEFAULT_CONNECT_TIMEOUT = SCHEMA_CONNECT_TIMEOUT
DEFAULT_READ_TIMEOUT = SCHEMA_READ_TIMEOUT
DEFAULT_RETRIES = 2
DEFAULT_BACKOFF = 0.25
DEFAULT_MAX_BYTES = 4 * 1024 * 1024
MAX_REDIRECTS = 5
MAX_RETRY_WAIT = 2.0
SCHEMA_RETRIED = frozenset({502, 503, 504})
TOKEN_HINT = "set OS_AUTH_TOKEN (or OS_TOKEN) to a valid token, pass --token, or use --os-cloud NAME"


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

    def client(self) -> ClientSettings:
        """The transport's settings for a schema fetch: short waits, 5xx retried, a schema's size."""
        return ClientSettings(
            token=self.token,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            insecure=self.insecure,
            cacert=self.cacert,
            retries=self.retries,
            retry_statuses=SCHEMA_RETRIED,
            backoff=self.backoff,
            max_retry_wait=MAX_RETRY_WAIT,
            max_body=self.max_bytes,
            what="a schema",
        )


@dataclass(frozen=True)
class ClientSettings:
    """How the HTTP client connects: credentials, TLS trust, timeouts, retries and size bounds."""

    token: str | None = field(default=None, repr=False)
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = 30.0  # bounds the whole response, not each read
    insecure: bool = False
    cacert: str | None = None  # added to the system's CA certificates
    retries: int = 3  # further attempts after a retried status or a dropped connection
    retry_statuses: frozenset[int] = frozenset({429, 503})
    backoff: float = 0.5  # the first wait when the server names none; doubled each attempt
    max_retry_wait: float = 30.0  # a longer Retry-After is cut to this
    max_body: int = 16 * 1024 * 1024  # a page of 1000 images is a few MiB
    what: str = "a response"  # what the size bound is for, as messages say it


@dataclass(frozen=True)
class Response:
    """One answer as it came back: status, headers (lower-case names), the decoded body.

    ``url`` is the URL answered (after redirects, without user information); ``token_sent``
    says whether the token went with the last request (a redirect to another origin drops it).
    """

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    reason: str = ""
    attempts: int = 1
    seconds: float = 0.0
    token_sent: bool = False

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


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


class Dropped(Unreachable):
    """The connection was refused, reset or closed early: worth another attempt."""


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


# Targets -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
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


def parse_target(url: str) -> Target:
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
    return Target(scheme, parts.hostname, port or default_port, path, label)
