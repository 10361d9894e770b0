"""Error bodies that are not JSON: plain-text and HTML error pages, recognised by content alone.

Glance (through webob) answers a bad ``limit`` or ``marker`` with a ``text/plain`` body whose
first line is the status (``400 Bad Request``); proxies and gateways answer with an HTML page.
Read as JSON the first is the number 400 followed by extra data, so a saved file or stdin would
get a parse error instead of the error response it is.
"""

from __future__ import annotations

import re
from typing import Final

from glance_validate.core.catalog import finding
from glance_validate.core.findings import Result
from glance_validate.core.secrets import blanked

__all__ = ["error_page", "error_page_result", "snippet"]

_HEAD: Final = 4096
# The whole first line is a status and its reason phrase, as webob writes it.
_STATUS_LINE: Final = re.compile(rb"\A[ \t\r\n]*([1-5][0-9][0-9]) ([A-Z][A-Za-z' -]{1,60})[ \t]*(?:\r?\n|\Z)")
_HTML_START: Final = re.compile(rb"\A[ \t\r\n]*<(?:!doctype[ \t\r\n]+html|html|head|body|title|h1)\b", re.I)


def error_page(data: bytes) -> str | None:
    """How ``data`` reads as an error page ("plain-text HTTP 400 Bad Request", ...), else None."""
    head = data[:_HEAD]
    status = _STATUS_LINE.match(head)
    if status is not None:
        return f"a plain-text HTTP {status[1].decode()} {status[2].decode().strip()} error response"
    if _HTML_START.match(head) is not None:
        return "an HTML page (as a proxy or gateway sends for an error)"
    return None


def error_page_result(data: bytes) -> Result | None:
    """The S006 result for a non-JSON error page, or None when ``data`` is not one."""
    page = error_page(data)
    if page is None:
        return None
    message = f"payload is not JSON but {page}: {snippet(data)}"
    return Result("error-body", (finding("S006", "", message).at(1, 1),))


def snippet(data: bytes, limit: int = 100, *, empty: str = "(empty)") -> str:
    """The start of a body as one line of text, markup and secrets removed, quoted."""
    text = re.sub(r"<[^>]*>", " ", blanked(data[: limit * 20].decode("utf-8", "replace")))
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 3] + "...") if text else empty
