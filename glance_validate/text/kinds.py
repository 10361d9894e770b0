"""Payload kinds: what a JSON value is, before deciding which schema applies."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from glance_validate.core.findings import Kind
from glance_validate.core.uris import IMAGE_SCHEMA_URI

# Keys every Glance image record carries (Kilo and later send them even when null).
_IMAGE_MARKERS = frozenset(
    {"id", "status", "visibility", "disk_format", "container_format", "checksum", "self", "file"}
)


def classify(value: object, image_properties: Collection[str] = ()) -> Kind:
    if not isinstance(value, dict):
        return "unknown"
    if "images" in value:
        return "image-list"
    if is_error_body(value):
        return "error-body"
    if other_payload(value) is not None:
        return "unknown"  # a Glance body that is not about images: S008 says which
    if value.get("schema") == IMAGE_SCHEMA_URI or _looks_like_image(value, image_properties):
        return "image"
    if _looks_like_schema(value):
        return "schema"
    return "unknown"


def _looks_like_image(value: dict[str, Any], image_properties: Collection[str]) -> bool:
    if "id" in value and len(_IMAGE_MARKERS.intersection(value)) >= 2:
        return True
    known = _IMAGE_MARKERS.union(image_properties)
    return sum(1 for key in value if key in known) >= 3


def _looks_like_schema(value: dict[str, Any]) -> bool:
    return isinstance(value.get("properties"), dict) and any(
        key in value for key in ("name", "links", "$schema", "type", "additionalProperties")
    )


# Glance's other v2 bodies by their envelope key (a list in each), and what each one is.
_OTHER_LISTS = (
    ("members", "an image member list (GET /v2/images/{id}/members)"),
    ("stores", "a store list (GET /v2/info/stores)"),
    ("tasks", "a task list (GET /v2/tasks)"),
    ("versions", "an API version list (GET /versions)"),
    ("namespaces", "a metadata definition namespace list (GET /v2/metadefs/namespaces)"),
)
# Schema documents Glance serves for the bodies above, by their name.
_OTHER_SCHEMAS = {
    "member": "the image member schema (GET /v2/schemas/member)",
    "members": "the image member list schema (GET /v2/schemas/members)",
    "task": "the task schema (GET /v2/schemas/task)",
    "tasks": "the task list schema (GET /v2/schemas/tasks)",
    "namespace": "the metadata namespace schema (GET /v2/schemas/metadefs/namespace)",
    "namespaces": "the metadata namespace list schema (GET /v2/schemas/metadefs/namespaces)",
}
_MEMBER_KEYS = frozenset({"member_id", "image_id", "status"})
_TASK_KEYS = frozenset({"id", "type", "input", "status"})


def other_payload(value: dict[str, Any]) -> str | None:
    """What a Glance v2 body that is not an image payload is (a member, a task, ...), else None."""
    for key, what in _OTHER_LISTS:
        if isinstance(value.get(key), list):
            return what
    if _MEMBER_KEYS.issubset(value):
        return "an image member record (GET /v2/images/{id}/members/{member_id})"
    if _TASK_KEYS.issubset(value):
        return "a task record (GET /v2/tasks/{id})"
    name = value.get("name")
    if isinstance(name, str) and name in _OTHER_SCHEMAS and isinstance(value.get("properties"), dict):
        return _OTHER_SCHEMAS[name]
    return None


_BARE_ERROR_KEYS = frozenset({"message", "code", "title", "request_id"})


def is_error_body(value: dict[str, Any]) -> bool:
    return error_message(value) is not None


def error_message(value: dict[str, Any]) -> tuple[str, str] | None:
    """(service code, message) when the object is an error body of Glance, IMS or the gateway."""
    nested = value.get("error")
    if isinstance(nested, dict) and len(value) == 1:
        return _code_and_message(nested, "code", "message")
    if "error_code" in value and "error_msg" in value:
        return _code_and_message(value, "error_code", "error_msg")
    # the length test first: an image record has far more keys, and a set of them costs per key
    bare = len(value) <= len(_BARE_ERROR_KEYS) and _BARE_ERROR_KEYS.issuperset(value)
    if bare and "message" in value and "code" in value:
        return _code_and_message(value, "code", "message")
    return None


def _code_and_message(body: dict[str, Any], code_key: str, message_key: str) -> tuple[str, str] | None:
    code, message = body.get(code_key), body.get(message_key)
    if code is None and message is None:
        return None
    return str(code if code is not None else ""), str(message if message is not None else "")
