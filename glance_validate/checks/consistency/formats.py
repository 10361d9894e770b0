"""The value formats the image rules read: RFC 3339 date-times and hashlib hexdigest lengths."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

# ASCII digits only: RFC 3339 has no other (str patterns' \d would take "٢٠٢٤" for a year).
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)


def rfc3339_problem(value: str) -> datetime | str:
    """The parsed date-time, or what is wrong with it."""
    match = _RFC3339.fullmatch(value)
    if match is None:
        return _shape_problem(value)
    fraction = (match.group(7) or ".0")[1:7].ljust(6, "0")
    zone = match.group(8)
    offset = "+00:00" if zone in ("Z", "z") else zone
    text = f"{match.group(1)}-{match.group(2)}-{match.group(3)}T{match.group(4)}:{match.group(5)}:"
    try:
        return datetime.fromisoformat(f"{text}{match.group(6)}.{fraction}{offset}")
    except ValueError as exc:
        return f"is not a valid date-time ({exc})"


def _shape_problem(value: str) -> str:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value, re.ASCII):
        return "has no time"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?", value, re.ASCII):
        return "has no time zone (Z or an offset such as +00:00)"
    return "is not an RFC 3339 date-time"


@lru_cache(maxsize=64)  # keyed on payload text: bounded
def hex_length(algo: str) -> int | None:
    """Hex digits of a hashlib algorithm's digest; None if unknown or of variable length.

    Glance hashes with ``hashlib.new(algo).hexdigest()``, which a variable-length algorithm
    (shake_128) cannot do without a length: no Glance image carries one.
    """
    import hashlib  # here, not at the top: only images with an os_hash_algo need it

    try:
        size = int(hashlib.new(algo).digest_size)
    except (ValueError, TypeError):
        return None
    return size * 2 or None
