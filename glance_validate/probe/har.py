"""``--save DIR``: what the crawl saw as a HAR 1.2 file, with the token left out.

The request headers saved are Accept only (never X-Auth-Token), and every text written goes
through the run's secrets, so ``glance-validate DIR`` can check the capture again offline.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from glance_validate.core.secrets import Secrets
from glance_validate.core.version import __version__
from glance_validate.probe.crawl import Exchange

HAR_NAME = "probe.har"


def save_har(exchanges: list[Exchange], directory: Path, secrets: Secrets) -> Path:
    """Write ``directory/probe.har`` (the directory is made if needed); its path."""
    directory.mkdir(parents=True, exist_ok=True)
    har = {
        "log": {
            "version": "1.2",
            "creator": {"name": "glance-validate probe", "version": __version__},
            "entries": [_entry(exchange) for exchange in exchanges],
        }
    }
    path = directory / HAR_NAME
    path.write_text(secrets.redact(json.dumps(har, indent=1, ensure_ascii=False)) + "\n", encoding="utf-8")
    return path


def _entry(exchange: Exchange) -> dict[str, Any]:
    started = datetime.fromtimestamp(exchange.started, tz=timezone.utc).isoformat()
    media = exchange.headers.get("content-type", "")
    return {
        "startedDateTime": started,
        "time": round(exchange.seconds * 1000, 3),
        "request": {
            "method": "GET",
            "url": exchange.url,
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": "Accept", "value": "application/json"}],
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": exchange.status,
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": name, "value": value} for name, value in exchange.headers.items()],
            "cookies": [],
            "content": {
                "size": len(exchange.body),
                "mimeType": media,
                "text": exchange.body.decode("utf-8", "replace"),
            },
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(exchange.body),
        },
        "cache": {},
        "timings": {"send": 0, "wait": round(exchange.seconds * 1000, 3), "receive": 0},
    }
