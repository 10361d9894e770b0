"""Discovery: what to check, from the paths named on the command line.

An input is a file named on the command line, a file found under a directory (walked
recursively, in sorted order, each file once), or standard input (``-``). What each holds is
read elsewhere (``readers``); here only names, kinds of file and formats are decided:

- ``.json``: the whole file is one payload;
- ``.jsonl`` / ``.ndjson``: one payload per non-blank line;
- ``.har``: one payload per captured response of the image API;
- ``.http`` (or any file starting with ``HTTP/``): a response saved with its head (``curl -i``).
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from glance_validate.inputs.reading import COMPRESSED_SUFFIXES, reason

InputFormat = Literal["json", "jsonl", "har", "http"]
INPUT_FORMATS: tuple[InputFormat, ...] = ("json", "jsonl", "har", "http")
FORMAT_BY_SUFFIX: dict[str, InputFormat] = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".har": "har",
    ".http": "http",
}
DEFAULT_INCLUDE: tuple[str, ...] = ("*.json", "*.jsonl", "*.ndjson", "*.har", "*.http")
STDIN_LABEL = "<stdin>"


@dataclass(frozen=True)
class Input:
    """One thing to read: a file (``path``) or standard input (``path`` is None)."""

    label: str
    path: str | None
    format: InputFormat | None = None  # None: decided from the name and the content
    problem: str | None = None  # why it cannot be read, found while discovering it

    @property
    def is_stdin(self) -> bool:
        return self.path is None


def stdin_input(input_format: InputFormat | None = None) -> Input:
    return Input(STDIN_LABEL, None, input_format)


def format_of(path: str) -> InputFormat | None:
    """The input format a file name implies, or None when only its content can tell.

    A compressed file's format is that of the name without ``.gz`` or ``.xz``.
    """
    return format_of_name(Path(path).name)


def format_of_name(name: str) -> InputFormat | None:
    """``format_of`` for a file name (a directory entry's: no Path built for each file found)."""
    suffix = _suffix(name)
    if suffix in COMPRESSED_SUFFIXES:
        suffix = _suffix(name[: -len(suffix)])
    return FORMAT_BY_SUFFIX.get(suffix)


def _suffix(name: str) -> str:
    """The lower-cased suffix of a name, as ``PurePath.suffix`` finds it (none for ``.json``)."""
    dot = name.rfind(".")
    return name[dot:].lower() if 0 < dot < len(name) - 1 else ""


def discover(
    paths: Sequence[str],
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    input_format: InputFormat | None = None,
    notes: list[str] | None = None,
) -> list[Input]:
    """Every input named by ``paths``, directories walked recursively, in a deterministic order.

    Files named explicitly are always read (whatever their name). Under a directory, files
    matching ``include`` (default: the known suffixes) and no ``exclude`` pattern are read, in
    sorted order; excluded directories are not entered and a directory reached twice through
    symbolic links is entered once. A pattern without ``/`` matches names, one with ``/``
    matches the path relative to the directory given. Each file is read once. A directory
    that holds no such file is named in ``notes``.
    """
    found: list[Input] = []
    seen: set[str] = set()
    patterns = tuple(include) or DEFAULT_INCLUDE
    for arg in paths:
        is_dir = arg != "-" and Path(arg).is_dir()
        if arg == "-":
            items: Iterator[Input] | list[Input] = [stdin_input(input_format)]
        elif is_dir:
            items = _walk(arg, patterns, tuple(exclude), input_format)
        else:
            items = [Input(arg, arg, input_format or format_of(arg), problem=_url_problem(arg))]
        before = len(found)
        for item in items:
            key = STDIN_LABEL if item.path is None else os.path.normpath(item.path)
            if key not in seen:
                seen.add(key)
                found.append(item)
        if notes is not None and len(found) == before and is_dir:
            notes.append(f"no input found under {arg!r} (files matching {' '.join(patterns)})")
    return found


_URL = re.compile(r"\A[A-Za-z][A-Za-z0-9+.-]*://")
URL_NOT_A_PATH = (
    "a URL, not a file: payloads are read from files or standard input; --schema takes a URL "
    "(the schema to check against); to check a cloud's responses use `glance-validate probe`, "
    "or --endpoint URL to check against its schema"
)


def _url_problem(arg: str) -> str | None:
    """Why a URL given where a payload path goes is not read, unless a file has that name."""
    return URL_NOT_A_PATH if _URL.match(arg) and not Path(arg).exists() else None


def _walk(
    root: str, include: tuple[str, ...], exclude: tuple[str, ...], input_format: InputFormat | None
) -> Iterator[Input]:
    included, excluded = _Globs(include), _Globs(exclude)
    visited: set[tuple[int, int]] = set()
    root_id = _dir_id(root)
    if root_id is not None:
        visited.add(root_id)
    # A stack of iterators over sorted directory entries: depth first, no recursion.
    stack: list[Iterator[tuple[str, os.DirEntry[str]]]] = []
    listing = _sorted_entries(root, "")
    if isinstance(listing, str):
        yield Input(root, root, input_format, problem=listing)
        return
    stack.append(iter(listing))
    base = str(Path(root))  # the labels are Path(root) / relative, written without a Path each
    prefix = "" if base == "." else base if base.endswith("/") else base + "/"
    while stack:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
            continue
        relative, entry = item
        label = prefix + relative
        if excluded.match(relative, entry.name):
            continue
        if _is_dir(entry):
            ident = _dir_id(entry.path)
            if ident is None or ident in visited:
                continue  # a symbolic link back into the tree: its files are read once
            visited.add(ident)
            listing = _sorted_entries(entry.path, relative)
            if isinstance(listing, str):
                yield Input(label, entry.path, input_format, problem=listing)
            else:
                stack.append(iter(listing))
        elif included.match(relative, entry.name):
            yield Input(label, label, input_format or format_of_name(entry.name), _not_regular(entry))


def _sorted_entries(directory: str, relative: str) -> list[tuple[str, os.DirEntry[str]]] | str:
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        return f"cannot list directory: {reason(exc)}"
    return [(f"{relative}/{e.name}" if relative else e.name, e) for e in entries]


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _dir_id(path: str) -> tuple[int, int] | None:
    try:
        info = Path(path).stat()
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


def _not_regular(entry: os.DirEntry[str]) -> str | None:
    """Why a file found under a directory is not read (None for a regular file)."""
    try:
        mode = entry.stat().st_mode
    except OSError as exc:
        return f"cannot read: {reason(exc)}"
    if stat.S_ISREG(mode):
        return None
    kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    return f"not a regular file ({kind}); name it explicitly to read it"


class _Globs:
    """Glob patterns compiled once: those without ``/`` match names, the others relative paths."""

    __slots__ = ("names", "paths")

    def __init__(self, patterns: tuple[str, ...]) -> None:
        self.names = _joined([p for p in patterns if "/" not in p])
        self.paths = _joined([p for p in patterns if "/" in p])

    def match(self, relative: str, name: str) -> bool:
        return bool(
            (self.names is not None and self.names.match(name))
            or (self.paths is not None and self.paths.match(relative))
        )


def _joined(patterns: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(fnmatch.translate(p) for p in patterns)) if patterns else None
