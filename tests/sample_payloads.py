"""One clean image record for tests that build payloads by overriding a field or two."""

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
