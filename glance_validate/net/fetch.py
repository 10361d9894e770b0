"""Fetch: GET a schema document from a Glance or IMS endpoint over the HTTP client.

The client (``net.client``) bounds the request, follows redirects without carrying the token
to another origin, retries and honours the proxies; here the request asks for the schema
(revalidating a cached copy with ``If-None-Match``/``If-Modified-Since``) and the answer is
read as one (``net.answer``). No message, exception or value returned here contains the token
or a credential of the URL: a server that echoes one has it blanked (before any message is
cut) from its error text, the document and validators that carry one are not kept.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from glance_validate.core.secrets import Secrets, enforced, url_secrets
from glance_validate.net.answer import interpret
from glance_validate.net.exchange import Fetched, FetchError, FetchSettings, parse_target

if TYPE_CHECKING:
    from glance_validate.net.client import HttpClient

__all__ = ["fetch"]


def fetch(
    url: str,
    settings: FetchSettings | None = None,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    client: HttpClient | None = None,
) -> Fetched:
    """GET a schema document; with ``etag``/``last_modified`` a 304 gives ``document=None``.

    ``client`` (made from ``settings`` when None) lets several requests share its connections.
    """
    settings = settings or FetchSettings()
    with enforced(Secrets.of(settings.token, *url_secrets(url))) as secrets:
        try:
            return _fetch(url, settings, etag, last_modified, client)
        except FetchError as exc:
            raise _redacted(exc, secrets) from None


def _redacted(exc: FetchError, secrets: Secrets) -> FetchError:
    """The same error with the secrets (should a server echo them) blanked out of the message."""
    exc.args = (secrets.redact(str(exc)),)
    exc.url = secrets.redact(exc.url)
    return exc


def _fetch(
    url: str, settings: FetchSettings, etag: str | None, last_modified: str | None, client: HttpClient | None
) -> Fetched:
    from glance_validate.net.client import HttpClient, cleartext_warning

    first = parse_target(url)
    if client is None:
        with HttpClient(settings.client()) as own:
            response = own.get(url, _headers(etag, last_modified))
    else:
        response = client.get(url, _headers(etag, last_modified), token=settings.token)
    fetched = interpret(response, parse_target(response.url), first, settings)
    return replace(fetched, warnings=cleartext_warning(first.label, settings.token))


def _headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {"Accept": "application/json", "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers
