"""The answer: a response read as a schema document, or as a one-line message saying what failed."""

from __future__ import annotations

import http.client
import json
import re
from typing import Any

from glance_validate.core.secrets import Secrets, clip, in_force
from glance_validate.core.uris import IMAGE_SCHEMA_URI, LIST_SCHEMA_URI
from glance_validate.net.exchange import BadBody, Fetched, FetchSettings, HTTPStatusError, Response, Target

_SHOWN = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def interpret(raw: Response, target: Target, first: Target, settings: FetchSettings) -> Fetched:
    """The schema document of a 200, the news of a 304, or the error a status stands for."""
    if raw.status not in (200, 304):
        message = _status_message(raw, target, first, settings, raw.token_sent)
        raise HTTPStatusError(message, url=target.label, status=raw.status)
    secrets = in_force()  # fetch() put the token and the URL's credentials in force
    document = secrets.redact_json(_schema_document(raw, target)) if raw.status == 200 else None
    etag, last_modified = (_validator(raw, name, secrets) for name in ("etag", "last-modified"))
    return Fetched(target.label, document, etag, last_modified)


def _validator(raw: Response, name: str, secrets: Secrets) -> str | None:
    """An ETag or Last-Modified worth keeping: never one that holds a secret (it would be stored)."""
    value = raw.headers.get(name)
    return None if value is None or secrets.occurs_in(value) else value


def _status_message(raw: Response, target: Target, first: Target, settings: FetchSettings, sent: bool) -> str:
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


def _unauthorised(target: Target, first: Target, settings: FetchSettings, sent: bool) -> str:
    if settings.token is None:
        return "no token was sent"
    if not sent:
        return (
            f"the request was redirected from {first.origin_label} to {target.origin_label}, "
            "and the token is never sent to another host"
        )
    return "the token was refused (expired, revoked or for another cloud)"


def _server_detail(raw: Response) -> str:
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


def _schema_document(raw: Response, target: Target) -> dict[str, Any]:
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
