"""Clean payloads for tests that build their own: an image record with a field or two
overridden, and a page of GET /v2/images around given images."""

from __future__ import annotations

from typing import Any

UUID = "6a1f0c2e-93d4-4b7e-8f21-0c5d7e9a3b14"


def sample_image(**overrides: Any) -> dict[str, Any]:
    """A valid IMS-schema image (consistent links, timestamps and checksum) with ``overrides``."""
    image: dict[str, Any] = {
        "id": UUID,
        "name": "web",
        "status": "active",
        "visibility": "private",
        "container_format": "bare",
        "disk_format": "qcow2",
        "min_ram": 0,
        "min_disk": 0,
        "size": 1073741824,
        "checksum": "72005e6274d18bb2aa49de7b193e30ec",
        "created_at": "2026-03-14T08:21:05Z",
        "updated_at": "2026-03-14T08:35:47Z",
        "self": f"/v2/images/{UUID}",
        "file": f"/v2/images/{UUID}/file",
        "schema": "/v2/schemas/image",
        "tags": [],
    }
    image.update(overrides)
    return image


def sample_page(*images: Any, **envelope: Any) -> dict[str, Any]:
    """A page of ``images`` with the envelope Glance writes on every page (first and schema),
    then ``envelope`` (next, or a replaced first or schema)."""
    page: dict[str, Any] = {"images": list(images), "first": "/v2/images", "schema": "/v2/schemas/images"}
    page.update(envelope)
    return page
