"""The consistency checks of list pages: envelope links (C004-C007), ids repeated on a page (C008)
or on a later page of a run (C009); and the entry points that check a page or a single image with
the image rules behind the quick check.

The envelope rules run on every page in Python: they read three values, and Glance's own links are
recognised with one comparison (``_links_as_glance_writes_them``) before any is parsed. C008 is
not in the quick check because Draft 4 cannot say it: ``uniqueItems`` compares whole records,
not one of their values.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from glance_validate.checks.consistency.facts import Facts
from glance_validate.checks.consistency.image_rules import IMAGES_PATH, check_image, page_rules
from glance_validate.checks.consistency.quickcheck import list_quick_check
from glance_validate.checks.rules import show
from glance_validate.core.catalog import finding
from glance_validate.core.findings import Finding, PageIds
from glance_validate.core.uris import LIST_SCHEMA_URI


def check_list(
    value: dict[str, Any], facts: Facts, *, quick_clean: bool | None = None
) -> tuple[list[Finding], PageIds]:
    """C and X findings for an image list, and the page's image ids for run-level checks.

    The quick check runs once per page (``quick_clean`` when the caller already knows its
    answer); on a page it finds clean the rules it decides do not run, on a page it does not they
    all do, so the findings are the same either way. Rules it cannot decide run on each record
    unless their test over the page clears them.
    """
    found = list(_envelope(value))
    images = value.get("images")
    if not isinstance(images, list):
        return found, PageIds(listing=_listing(value), ids=())
    if quick_clean is None:
        quick_clean = bool(list_quick_check().is_valid(value))
    records = [image for image in images if image.__class__ is dict]
    rules = page_rules(records, facts, quick_clean=quick_clean)
    if rules:  # on most clean pages the quick check and the page tests leave none
        for index, image in enumerate(images):
            if image.__class__ is dict:
                where = f"/images/{index}"
                for explain in rules:
                    found += explain(image, where, facts)
    ids = [image.get("id") if image.__class__ is dict else None for image in images]
    ids = [image_id if image_id.__class__ is str else None for image_id in ids]
    found.extend(_duplicates(ids))
    return found, PageIds(
        listing=_listing(value), ids=tuple(ids), has_next=isinstance(value.get("next"), str)
    )


def _duplicates(ids: list[str | None]) -> list[Finding]:
    """C008 for each id that appears again on the page (a set comparison when there is none)."""
    present = [i for i in ids if i is not None]
    if len(set(present)) == len(present):
        return []
    found = []
    first_index: dict[str, int] = {}
    for index, image_id in enumerate(ids):
        if image_id is None:
            continue
        if image_id in first_index:
            found.append(_duplicate(image_id, index, first_index[image_id]))
        else:
            first_index[image_id] = index
    return found


def _duplicate(image_id: str, index: int, first: int) -> Finding:
    return finding(
        "C008",
        f"/images/{index}/id",
        f"image id {show(image_id)} appears again on this page (first at /images/{first})",
    )


def check_single_image(
    image: dict[str, Any], facts: Facts, *, quick_clean: bool | None = None
) -> list[Finding]:
    """C and X findings for an image payload (GET /v2/images/{id}); ``quick_clean`` as for lists."""
    if quick_clean is None:
        quick_clean = bool(list_quick_check().is_valid({"images": [image]}))
    return check_image(image, "", facts, quick_clean=quick_clean)


def _listing(value: dict[str, Any]) -> str | None:
    first = value.get("first")
    return listing_key(first) if isinstance(first, str) else None


def _envelope(value: dict[str, Any]) -> Iterator[Finding]:
    schema = value.get("schema")
    if isinstance(schema, str) and schema != LIST_SCHEMA_URI:
        yield finding("C004", "/schema", f"schema is {show(schema)}; expected {show(LIST_SCHEMA_URI)}")
    first, following = value.get("first"), value.get("next")
    if _links_as_glance_writes_them(first, following, value.get("images")):
        return
    if isinstance(first, str):
        yield from _first_link(first)
    if isinstance(following, str):
        yield from _next_marker(following, value.get("images"))
        if isinstance(first, str):
            yield from _next_query(following, first)


def _links_as_glance_writes_them(first: Any, following: Any, images: Any) -> bool:
    """True when first and next are exactly what Glance builds (no need to parse them).

    first is /v2/images with the request's query and no marker; next is first's link with
    "marker=<last id>" appended.
    """
    if first != IMAGES_PATH and not (isinstance(first, str) and first.startswith(IMAGES_PATH + "?")):
        return first is None and following is None
    if "marker=" in first or "#" in first:
        return False
    if following is None:
        return True
    last = images[-1] if isinstance(images, list) and images else None
    last_id = last.get("id") if isinstance(last, dict) else None
    joiner = "&" if "?" in first else "?"
    return isinstance(last_id, str) and following == f"{first}{joiner}marker={last_id}"


def _first_link(first: str) -> Iterator[Finding]:
    path, params = _split_link(first)
    if path != IMAGES_PATH:
        yield finding(
            "C007", "/first", f"first {show(first)} is not a {IMAGES_PATH} link (Glance writes a path)"
        )
    elif any(k == "marker" for k, _ in params):
        yield finding("C007", "/first", f"first {show(first)} carries a marker; first restarts the listing")


def _next_marker(following: str, images: Any) -> Iterator[Finding]:
    markers = [v for k, v in _split_link(following)[1] if k == "marker"]
    last = images[-1] if isinstance(images, list) and images else None
    last_id = last.get("id") if isinstance(last, dict) else None
    if not isinstance(images, list) or not images:
        problem = "is on a page without images, so there is no last image for its marker"
    elif not markers:
        problem = "has no marker"
    elif len(markers) > 1:
        problem = f"has {len(markers)} markers"
    elif isinstance(last_id, str) and markers[0] != last_id:
        problem = f"has marker {show(markers[0])}"
    else:
        return
    wanted = f" ({show(last_id)})" if isinstance(last_id, str) else ""
    yield finding(
        "C005", "/next", f"next {problem}; Glance's next carries marker=<id of the page's last image>{wanted}"
    )


def _next_query(following: str, first: str) -> Iterator[Finding]:
    next_path, next_params = _split_link(following)
    first_path, first_params = _split_link(first)
    kept = Counter(p for p in next_params if p[0] != "marker")
    wanted = Counter(p for p in first_params if p[0] != "marker")
    if next_path == first_path and kept == wanted:
        return
    changes = []
    if next_path != first_path:
        changes.append(f"path {show(next_path)} instead of {show(first_path)}")
    missing = wanted - kept
    extra = kept - wanted
    if missing:
        changes.append("drops " + ", ".join(f"{k}={v}" for k, v in sorted(missing.elements())))
    if extra:
        changes.append("adds " + ", ".join(f"{k}={v}" for k, v in sorted(extra.elements())))
    yield finding(
        "C006", "/next", f"next does not keep first's query: {'; '.join(changes)} (first is {show(first)})"
    )


def _split_link(link: str) -> tuple[str, list[tuple[str, str]]]:
    try:
        parts = urlsplit(link)
    except ValueError:  # for example an unbalanced "[" read as an IPv6 host
        return link, []
    where = f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.scheme or parts.netloc else parts.path
    return where, parse_qsl(parts.query, keep_blank_values=True)


def listing_key(first: str) -> str:
    """Pages of one listing share their first link; compare it with its query in a fixed order."""
    path, params = _split_link(first)
    return path + "?" + "&".join(f"{k}={v}" for k, v in sorted(params))


# Across the pages of a run (C009) ------------------------------------------------------------------


class ListingIds:
    """Run-level state for C009: the image ids seen so far on the open chain of each listing.

    Pages chain when they share their first link and the earlier page has a next link: Glance
    writes next (marker=<its last id>) only when there is more, so a page without next ends its
    listing and the next page with the same first link starts another (a listing taken again, for
    example after an import), whose ids are not compared with the one before. A page that starts
    with the same image as an earlier page of its chain is that page fetched again (a second
    capture), not the next page: it is neither compared nor recorded.
    """

    def __init__(self) -> None:
        self._chains: dict[str | None, _Chain] = {}

    def add(self, source: str, page: PageIds | None) -> list[Finding]:
        """C009 findings for ``page`` (ids already on an earlier page of its chain); records it."""
        if page is None:
            return []
        start = next((i for i in page.ids if i is not None), None)
        if start is None:
            return []
        chain = self._chains.get(page.listing)
        if chain is None or not chain.open:
            chain = self._chains[page.listing] = _Chain()
        elif start in chain.starts:
            return []
        chain.starts.add(start)
        chain.open = page.has_next
        return chain.record(source, page.ids)


class _Chain:
    """The pages of one listing that follow each other by their next links.

    An id is recorded as its ordinal among the ids of the chain; the page and index it was at are
    looked up only for a repeat. A page whose ids are all new (nearly every page) is recorded
    without a Python-level step per id.
    """

    def __init__(self) -> None:
        self.open = False  # the last page had a next link
        self.starts: set[str] = set()
        self.seen: dict[str | None, int] = {}  # id -> ordinal of its first place in the chain
        self.firsts: list[int] = []  # the ordinal of each page's first id
        self.sources: list[str] = []
        self.total = 0

    def record(self, source: str, ids: tuple[str | None, ...]) -> list[Finding]:
        first, count = self.total, len(ids)
        self.firsts.append(first)
        self.sources.append(source)
        self.total += count
        if self.seen.keys().isdisjoint(ids):
            # reversed: an id twice on this page keeps its first place (C008 reports the second)
            self.seen.update(zip(reversed(ids), range(first + count - 1, first - 1, -1), strict=True))
            self.seen.pop(None, None)
            return []
        return self._record_with_repeats(ids, first)

    def _record_with_repeats(self, ids: tuple[str | None, ...], first: int) -> list[Finding]:
        found: list[Finding] = []
        for index, image_id in enumerate(ids):
            if image_id is None:
                continue
            ordinal = self.seen.setdefault(image_id, first + index)
            if ordinal < first:
                found.append(self._repeat(image_id, index, ordinal))
        return found

    def _repeat(self, image_id: str, index: int, ordinal: int) -> Finding:
        page = bisect_right(self.firsts, ordinal) - 1
        message = (
            f"image id {show(image_id)} is also on an earlier page of this listing "
            f"({self.sources[page]} at /images/{ordinal - self.firsts[page]})"
        )
        return finding("C009", f"/images/{index}/id", message)


def cross_page_duplicates(pages: Sequence[tuple[str, PageIds | None]]) -> dict[int, list[Finding]]:
    """C009 findings by page index for pages given in run order as (source label, page ids)."""
    seen = ListingIds()
    out: dict[int, list[Finding]] = {}
    for number, (source, page) in enumerate(pages):
        found = seen.add(source, page)
        if found:
            out[number] = found
    return out
