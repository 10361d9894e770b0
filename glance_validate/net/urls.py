"""URLs: which specs are URLs, image endpoints to schema URLs, and URLs safe to show."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from glance_validate.core.secrets import masked_query
from glance_validate.core.uris import IMAGE_SCHEMA_URI, LIST_SCHEMA_URI


def is_url(spec: object) -> bool:
    """True for an ``http://`` or ``https://`` URL (the scheme in any case)."""
    return isinstance(spec, str) and spec[:8].lower().startswith(("http://", "https://"))


def safe_url(url: str) -> str:
    """``url`` without any ``user:password@`` part and with credentials in its query (``?token=``)
    shown as ``***``, for messages and cache records."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    safe = parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1], query=masked_query(parts.query))
    return url if safe == parts else urlunsplit(safe)


def endpoint_url(endpoint: str, *, image: bool = False) -> str:
    """The schema URL of an image endpoint (``https://image.example.com`` or ``.../v2``)."""
    wanted = IMAGE_SCHEMA_URI if image else LIST_SCHEMA_URI
    base = endpoint.rstrip("/")
    if base.endswith((LIST_SCHEMA_URI, IMAGE_SCHEMA_URI)):
        return base
    if base.endswith("/v2"):
        base = base[: -len("/v2")]
    return base + wanted
