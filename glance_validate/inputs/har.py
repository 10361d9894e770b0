"""HAR captures: one payload per captured response to a GET of the image API, in capture order.

The requests kept are ``GET /v2/images``, ``/v2/images/{id}``, ``/v2/schemas/images`` and
``/v2/schemas/image``; finding positions count from the start of each response body. Request
headers (tokens, cookies) are never reported: they are collected only as secrets to blank
should a response echo them, and credentials in query strings are masked.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from glance_validate.core.secrets import CREDENTIAL_NAME, MIN_SECRET, Secrets
from glance_validate.inputs.curl import decoded_body
from glance_validate.inputs.payloads import (
    ENTRY_UNUSABLE,
    NOT_A_CAPTURE,
    NOTHING_TO_CHECK,
    TOO_LARGE,
    Origin,
    Payload,
    not_json_by_type,
    problem,
    shown,
)
from glance_validate.inputs.reading import DEFAULT_MAX_BYTES, TooLarge

_IMAGE_API_PATH = re.compile(r"/v2/(?:images(?:/[^/]+)?|schemas/images?)/?$")


def read_har(origin: Origin, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Payload]:
    """One payload per captured GET response of the image API, in capture order."""
    import orjson

    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        har = orjson.loads(body)
    except orjson.JSONDecodeError:
        # orjson also refuses what is only odd (a lone surrogate escape or 1e400 somewhere in an
        # unrelated entry): the exact parser decides whether the capture can be read at all.
        from glance_validate.text.exact import parse_text
        from glance_validate.text.values import NO_VALUE

        har = parse_text(body).value
        if har is NO_VALUE:
            yield Payload(origin, data)  # validation reports the broken JSON with its position
            return
    log = har.get("log") if isinstance(har, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        yield problem(
            origin, NOT_A_CAPTURE, f"{shown(origin.label)} is not a HAR capture: no log.entries array"
        )
        return
    checked = 0
    for index, entry in enumerate(entries):
        payload = _har_entry(origin, index, entry, max_bytes)
        if payload is not None:
            checked += 1
            yield payload
    if not checked:
        yield problem(
            origin,
            NOTHING_TO_CHECK,
            f"capture holds {len(entries)} entries and no response to GET /v2/images, "
            "/v2/images/{id}, /v2/schemas/images or /v2/schemas/image",
        )


def _har_entry(har: Origin, index: int, entry: object, max_bytes: int = DEFAULT_MAX_BYTES) -> Payload | None:
    request = _member(entry, "request")
    method, url = request.get("method"), request.get("url")
    if not isinstance(method, str) or method.upper() != "GET" or not isinstance(url, str):
        return None
    target = image_api_target(url)
    if target is None:
        return None
    response = _member(entry, "response")
    status = response.get("status")
    secrets = _request_secrets(request)  # a cookie may be an image id in the path: blanked there too
    origin = replace(
        har, entry=index, request=Secrets.of(*secrets).redact(f"GET {target}"), body_relative=True
    )
    if not isinstance(status, int) or isinstance(status, bool) or status == 0:
        return problem(origin, ENTRY_UNUSABLE, "no response was recorded for this request")
    origin = replace(origin, status=status)
    if 100 <= status < 200 or 300 <= status < 400:
        return None  # interim responses, redirects and 304 Not Modified carry no payload
    content = _member(response, "content")
    mime = content.get("mimeType")
    skipped = not_json_by_type(origin, mime if isinstance(mime, str) else None)
    if skipped is not None:
        return skipped
    try:
        body = _har_body(content, _response_header(response, "content-encoding"), max_bytes)
    except TooLarge as exc:
        return problem(origin, TOO_LARGE, str(exc))
    if isinstance(body, str):
        return problem(origin, ENTRY_UNUSABLE, body)
    return Payload(origin, body, content_type=mime if isinstance(mime, str) else None, secrets=secrets)


def _request_secrets(request: dict[str, Any]) -> tuple[str, ...]:
    """The credentials a captured request carried: a server may echo them in its response.

    Values of headers and query parameters whose names suggest a credential, the credential of
    ``Authorization``, every cookie, and the password of the URL.
    """
    from urllib.parse import parse_qsl, urlsplit

    found: list[str] = []
    for header in _list(request.get("headers")):
        if not isinstance(header, dict) or not isinstance(header.get("value"), str):
            continue
        name, value = str(header.get("name", "")).lower(), header["value"]
        if name == "cookie":
            found.extend(part.partition("=")[2].strip() for part in value.split(";"))
        elif CREDENTIAL_NAME.search(name):
            found.extend((value.strip(), value.strip().rpartition(" ")[2]))
    for cookie in _list(request.get("cookies")):
        if isinstance(cookie, dict) and isinstance(cookie.get("value"), str):
            found.append(cookie["value"])
    url = request.get("url")
    try:
        parts = urlsplit(url) if isinstance(url, str) else None
        password = parts.password if parts is not None else None
    except ValueError:
        parts, password = None, None
    if password:
        found.append(password)
    if parts is not None:
        found.extend(v for k, v in parse_qsl(parts.query) if CREDENTIAL_NAME.search(k))
    for item in _list(request.get("queryString")):
        if isinstance(item, dict) and CREDENTIAL_NAME.search(str(item.get("name", ""))):
            found.append(str(item.get("value", "")))
    return tuple(sorted({s for s in found if len(s) >= MIN_SECRET}, key=len, reverse=True))


def _har_body(
    content: dict[str, Any], content_encoding: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> bytes | str:
    text, encoding = content.get("text"), content.get("encoding")
    if text is None:
        size = content.get("size")
        if isinstance(size, int) and size <= 0:
            return b""
        recorded = f" ({size} bytes)" if isinstance(size, int) and not isinstance(size, bool) else ""
        return f"the response body{recorded} was not recorded in the capture"
    if not isinstance(text, str):
        return "response.content.text is not a string"
    if encoding == "base64":
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return "response.content.text is not valid base64"
        return decoded_body(raw, content_encoding, max_bytes)
    if encoding not in (None, ""):
        return f"response.content.encoding {encoding!r} is not supported"
    return text.encode("utf-8", "surrogatepass")


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _member(value: object, key: str) -> dict[str, Any]:
    child = value.get(key) if isinstance(value, dict) else None
    return child if isinstance(child, dict) else {}


def _response_header(response: dict[str, Any], name: str) -> str:
    headers = response.get("headers")
    if not isinstance(headers, list):
        return ""
    for header in headers:
        if isinstance(header, dict) and str(header.get("name", "")).lower() == name:
            return str(header.get("value", ""))
    return ""


def image_api_target(url: str) -> str | None:
    """``/v2/images?limit=2`` for a URL of the image API worth checking, else None.

    The scheme, host and user information are dropped; query values whose names suggest a
    credential are masked.
    """
    from urllib.parse import parse_qsl, urlencode, urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if _IMAGE_API_PATH.search(parts.path) is None:
        return None
    if not parts.query:
        return parts.path
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    masked = [(k, "***" if CREDENTIAL_NAME.search(k) else v) for k, v in pairs]
    return f"{parts.path}?{urlencode(masked, safe='/:,*')}"
