"""What only a crawl can see: pages against each other, sorts, filters, an image against its entry.

Pure functions over parsed bodies; each returns the findings (W codes) it found, with the
JSON Pointer of the offending value in the body it is reported on.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from typing import Any

from glance_validate.core.catalog import finding
from glance_validate.core.findings import Finding

Image = dict[str, Any]


def page_findings(images: Sequence[Image], limit: int, seen: dict[str, int], page: int) -> list[Finding]:
    """W004 for a page over its limit, W001 for each id an earlier page (or this one) already had."""
    found: list[Finding] = []
    if len(images) > limit:
        found.append(finding("W004", "/images", f"page holds {len(images)} images, more than limit={limit}"))
    for index, image in enumerate(images):
        image_id = image.get("id")
        if not isinstance(image_id, str):
            continue
        if image_id in seen:
            where = "this page" if seen[image_id] == page else f"page {seen[image_id] + 1}"
            found.append(
                finding(
                    "W001", f"/images/{index}", f"image {image_id} is repeated: already listed on {where}"
                )
            )
        else:
            seen[image_id] = page
    return found


def lost_findings(walked: Sequence[str], whole: Sequence[str], limit: int) -> list[Finding]:
    """W002 for each image of the single large page that the paged walk never listed."""
    missing = [image_id for image_id in whole if image_id not in set(walked)]
    return [
        finding(
            "W002",
            f"/images/{whole.index(image_id)}",
            f"image {image_id} is listed on one large page but not in the walk with limit={limit}",
        )
        for image_id in missing
    ]


def order_findings(images: Sequence[Image], key: str, descending: bool) -> list[Finding]:
    """W005 where ``key`` goes the wrong way (images without the key are passed over).

    Names may be compared by the database's binary or case-insensitive collation: either order holds.
    """
    values = [(index, image.get(key)) for index, image in enumerate(images)]
    keyed = [(index, value) for index, value in values if isinstance(value, str)]
    for fold in (False, True):
        broken = _first_break(keyed, descending, fold)
        if broken is None:
            return []
    index, before, after = _first_break(keyed, descending, False) or (0, "", "")
    direction = "descending" if descending else "ascending"
    return [
        finding("W005", f"/images/{index}/{key}", f"{key} {after!r} after {before!r}: not sorted {direction}")
    ]


def _first_break(
    keyed: Sequence[tuple[int, str]], descending: bool, fold: bool
) -> tuple[int, str, str] | None:
    for (_, before), (index, after) in itertools.pairwise(keyed):
        left, right = (before.casefold(), after.casefold()) if fold else (before, after)
        if (left < right) if descending else (left > right):
            return index, before, after
    return None


def filter_findings(images: Sequence[Image], key: str, wanted: str, query: str) -> list[Finding]:
    """W006 for each image the filter ``query`` should have left out (``key`` tags: a list holding it)."""
    found = []
    for index, image in enumerate(images):
        value = image.get(key)
        holds = wanted in value if key == "tags" and isinstance(value, list) else value == wanted
        if not holds:
            found.append(
                finding(
                    "W006",
                    f"/images/{index}/{key}",
                    f"{query} is not honoured: image {image.get('id')} has {key} {json.dumps(value)}",
                )
            )
    return found


def subset_findings(listed: Sequence[str], wider: Sequence[str], query: str) -> list[Finding]:
    """W006 when the wider listing ``query`` leaves out an image the default listing shows."""
    missing = [image_id for image_id in listed if image_id not in set(wider)]
    return [
        finding(
            "W006",
            "/images",
            f"{query} is not honoured: image {image_id} of the default listing is not listed",
        )
        for image_id in missing
    ]


def entry_findings(own: Image, entry: Image) -> list[Finding]:
    """W007 for each field where an image's own GET and its list entry disagree."""
    found = []
    for key in sorted(set(own) | set(entry)):
        if own.get(key, _ABSENT) != entry.get(key, _ABSENT):
            found.append(
                finding(
                    "W007",
                    f"/{key}" if key in own else "",
                    f"{key}: own GET has {_shown(own, key)}, the list entry has {_shown(entry, key)}",
                )
            )
    return found


_ABSENT = object()


def _shown(image: Image, key: str) -> str:
    return json.dumps(image[key]) if key in image else "nothing"
