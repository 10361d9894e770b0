"""Cache: fetched schema documents kept under the user cache directory, so runs work offline.

One file per schema source, named by the sha256 of its key (the URL, without user information),
under ``$XDG_CACHE_HOME/glance-validate/schemas/`` (``~/.cache/...`` when unset). Each file is
written whole to a temporary file in the same directory and moved into place with
``os.replace``, so parallel runs (pre-commit splits the file list over several processes) never
see a half-written copy: the last writer wins and every reader sees a complete file.

A copy younger than the TTL is used without asking the server (and without importing the HTTP
stack); an older one is revalidated with ``If-None-Match``/``If-Modified-Since``; when the
server cannot be reached (or fails with 5xx) the old copy is used with a warning that says how
old it is. ``offline`` never touches the network. The token is never written: a record holds
the URL, the document, validators and times.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from glance_validate.core.errors import SchemaUnavailable

if TYPE_CHECKING:
    from glance_validate.net.client import HttpClient
    from glance_validate.net.exchange import FetchSettings

DEFAULT_TTL = 3600.0
STALE_TEMPORARY = 600.0  # seconds: a temporary file this old belongs to a writer that was killed
RECORD_FORMAT = 1
APP_NAME = "glance-validate"

Origin = Literal["network", "revalidated", "cache", "stale"]
# Resolves the URL and fetch settings when the network is needed (e.g. after a Keystone login).
Connect = Callable[[], "tuple[str, FetchSettings]"]


@dataclass(frozen=True)
class CachePolicy:
    """How the cache is used: how long a copy is fresh, and whether the network may be used."""

    ttl: float = DEFAULT_TTL
    offline: bool = False
    directory: Path | None = None  # None: the user cache directory


@dataclass(frozen=True)
class Entry:
    """One cached schema document (never holds a token)."""

    key: str
    url: str
    document: dict[str, Any]
    fetched_at: float  # when it was last fetched or revalidated (seconds since the epoch)
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Retrieved:
    """A schema document and where it came from this time."""

    url: str
    document: dict[str, Any]
    origin: Origin
    age: float  # seconds since the copy was fetched or revalidated
    warnings: tuple[str, ...] = ()


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The user cache directory for schemas (XDG Base Directory; LOCALAPPDATA on Windows)."""
    env = os.environ if environ is None else environ
    xdg = env.get("XDG_CACHE_HOME", "")
    if xdg and Path(xdg).is_absolute():
        base = Path(xdg)
    elif os.name == "nt" and env.get("LOCALAPPDATA"):
        base = Path(env["LOCALAPPDATA"])
    else:
        base = Path.home() / ".cache"
    return base / APP_NAME / "schemas"


def cache_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def entry_path(directory: Path, key: str) -> Path:
    return directory / f"{cache_key(key)}.json"


def read_entry(directory: Path, key: str) -> Entry | None:
    """The cached copy for ``key``, or None when there is none or it is not a usable record."""
    try:
        record = json.loads(entry_path(directory, key).read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    if not _is_record(record, key):
        return None
    return Entry(
        key=key,
        url=record["url"],
        document=record["document"],
        fetched_at=float(record["fetched_at"]),
        etag=record.get("etag"),
        last_modified=record.get("last_modified"),
    )


def _is_record(record: object, key: str) -> bool:
    return (
        isinstance(record, dict)
        and record.get("format") == RECORD_FORMAT
        and record.get("key") == key
        and isinstance(record.get("url"), str)
        and isinstance(record.get("document"), dict)
        and isinstance(record.get("fetched_at"), (int, float))
        and all(isinstance(record.get(k), (str, type(None))) for k in ("etag", "last_modified"))
    )


def write_entry(directory: Path, entry: Entry) -> Path:
    """Store ``entry`` atomically (see ``write_text_atomically``); the directory is private."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = entry_path(directory, entry.key)
    record = {
        "format": RECORD_FORMAT,
        "key": entry.key,
        "url": entry.url,
        "fetched_at": entry.fetched_at,
        "etag": entry.etag,
        "last_modified": entry.last_modified,
        "document": entry.document,
    }
    write_text_atomically(target, json.dumps(record, ensure_ascii=False, indent=1))
    _remove_stale_temporaries(directory)
    return target


def _remove_stale_temporaries(directory: Path) -> None:
    """Remove temporary files left by writers killed before their ``os.replace`` (SIGKILL, power loss).

    Readers never look at them; only old ones go, so a writer still at work keeps its own.
    """
    limit = time.time() - STALE_TEMPORARY
    for path in directory.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < limit:
                path.unlink()


def write_text_atomically(target: Path, text: str, *, mode: int | None = None) -> None:
    """Write a temporary file beside ``target``, flush it to disk, then ``os.replace`` it in.

    A reader sees the old file or the new one, never a part; concurrent writers each replace
    the file whole, so the last one wins. The file is private (0600) unless ``mode`` is given.
    """
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name[:24]}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            Path(temporary).chmod(mode)
        Path(temporary).replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise


def retrieve(
    key: str,
    connect: Connect,
    policy: CachePolicy | None = None,
    *,
    clock: Callable[[], float] = time.time,
    usable: Callable[[dict[str, Any]], bool] = lambda document: True,
    shared: Callable[[], HttpClient | None] = lambda: None,
) -> Retrieved:
    """The document for ``key``: from a fresh copy, the server (revalidating), or a stale copy.

    ``shared`` gives the client ``connect`` used (a Keystone login), for the fetch to reuse.

    A fetched document that is not ``usable`` (not a schema that compiles) is returned, so the
    caller can say what is wrong with it, but never cached: the next run asks the server again.
    """
    policy = policy or CachePolicy()
    directory = policy.directory or cache_dir()
    entry = read_entry(directory, key)
    now = clock()
    if policy.offline:
        return _offline(key, entry, directory, now)
    if entry is not None and 0 <= now - entry.fetched_at < policy.ttl:
        return Retrieved(entry.url, entry.document, "cache", now - entry.fetched_at)
    from glance_validate.net.exchange import FetchError
    from glance_validate.net.fetch import fetch
    from glance_validate.net.urls import safe_url

    try:
        url, settings = connect()
        fetched = fetch(
            url,
            settings,
            etag=entry.etag if entry else None,
            last_modified=entry.last_modified if entry else None,
            client=shared(),
        )
    except FetchError as exc:
        if entry is None or not exc.transient:
            raise
        age = now - entry.fetched_at
        note = f"{exc}; using the cached copy from {describe_age(age)} ago"
        return Retrieved(entry.url, entry.document, "stale", age, (note,))
    if fetched.document is None:
        if entry is None:
            raise FetchError(f"{safe_url(url)}: 304 Not Modified, but there is no cached copy", url=url)
        fresh = replace(entry, fetched_at=now, etag=fetched.etag or entry.etag)
        origin: Origin = "revalidated"
    else:
        fresh = Entry(key, safe_url(url), fetched.document, now, fetched.etag, fetched.last_modified)
        origin = "network"
    if not usable(fresh.document):
        _forget(directory, key)
        return Retrieved(fresh.url, fresh.document, origin, 0.0, fetched.warnings)
    return Retrieved(fresh.url, fresh.document, origin, 0.0, fetched.warnings + _store(directory, fresh))


def _forget(directory: Path, key: str) -> None:
    """Remove the cached copy of ``key``: a server that now sends an unusable document has no good one."""
    with contextlib.suppress(OSError):
        entry_path(directory, key).unlink()


def _offline(key: str, entry: Entry | None, directory: Path, now: float) -> Retrieved:
    record = entry_path(directory, key)
    if entry is None and record.exists():
        raise SchemaUnavailable(
            f"{key}: --offline, and the cached copy {record} is corrupt (not a complete cache record); "
            "run once without --offline to fetch it again, or pin the schema in a file with "
            "`glance-validate schema fetch`"
        )
    if entry is None:
        raise SchemaUnavailable(
            f"{key}: --offline, and no cached copy in {directory}; run once without --offline, "
            "or pin the schema in a file with `glance-validate schema fetch`"
        )
    return Retrieved(entry.url, entry.document, "cache", max(0.0, now - entry.fetched_at))


def _store(directory: Path, entry: Entry) -> tuple[str, ...]:
    """Write the entry; a cache that cannot be written is a warning, never a failed run."""
    try:
        write_entry(directory, entry)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return (f"cannot write the schema cache in {directory} ({reason}); the fetched copy is used",)
    return ()


def describe_age(seconds: float) -> str:
    """'45 seconds', '12 minutes', '5 hours', '3 days'."""
    seconds = max(0.0, seconds)
    for unit, size, limit in (("second", 1, 90), ("minute", 60, 90 * 60), ("hour", 3600, 36 * 3600)):
        if seconds < limit:
            return _plural(round(seconds / size), unit)
    return _plural(round(seconds / 86400), "day")


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> float:
    """Seconds in '90', '90s', '15m', '1h', '2d' or '1w'; ValueError for anything else."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration (examples: 0, 90s, 15m, 1h, 2d)")
    return float(match.group(1)) * _UNITS[match.group(2).lower()]
